import { WALS_DEFAULTS, weightedAlsSpec } from "../model/implicit-weights.js";
import type { ModelConfig } from "../model/factor-model.js";
import { choiceOption, numberOption, rejectUnknownKeys, RULES } from "./config.js";
import type { Algorithm } from "./trainer.js";
import { createWeightedAlsTrainer } from "./weighted-als.js";

const KEYS = ["factors", "epochs", "regularization", "unobservedWeight", "observedWeight", "solver", "cgSteps", "seed", "threads"] as const;

/**
 * `wals`: weighted matrix factorization (Google's recommendation course): minimise
 * Σ_obs W (1 − p_u·q_i)² + w0 Σ_unobs (p_u·q_i)² + λ(‖P‖² + ‖Q‖²), W = 1 or the cell's value
 * (`observedWeight: "value"`), w0 = `unobservedWeight`, by alternating exact least squares with
 * the Gramian trick (QᵀQ once per half-sweep; the dense matrix is never formed).
 */
export const wals: Algorithm = {
  name: "wals",
  description: "weighted matrix factorization (observed weight 1, unobserved weight w0) by alternating least squares",
  implicit: true,
  resolveConfig(config) {
    const c = config as Record<string, unknown>;
    rejectUnknownKeys(c, KEYS, "wals");
    const d = WALS_DEFAULTS;
    const solver = choiceOption(c, "solver", d.solver, ["cholesky", "cg"] as const);
    const resolved: ModelConfig = {
      algorithm: "wals",
      factors: numberOption(c, "factors", d.factors, RULES.factors),
      epochs: numberOption(c, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
      regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
      unobservedWeight: numberOption(c, "unobservedWeight", d.unobservedWeight, { min: 0 }),
      observedWeight: choiceOption(c, "observedWeight", d.observedWeight, ["one", "value"] as const),
      solver,
      seed: numberOption(c, "seed", d.seed, RULES.seed),
    };
    // cgSteps acts only under the CG solver: kept only there, so every key in a resolved config matters.
    const cgSteps = numberOption(c, "cgSteps", d.cgSteps, { min: 1, max: 1000, integer: true });
    if (solver === "cg") resolved.cgSteps = cgSteps;
    // Threads never change the result (fixed shards); absent = 0 = auto (the pool factory's default).
    if (c.threads !== undefined) resolved.threads = numberOption(c, "threads", 0, RULES.threads);
    return resolved;
  },
  epochs: (c) => c.epochs as number,
  create(data, c) {
    return createWeightedAlsTrainer(data, c, weightedAlsSpec(c)!, c.factors as number, c.seed as number);
  },
};
