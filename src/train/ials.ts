import { IALS_DEFAULTS, weightedAlsSpec } from "../model/implicit-weights.js";
import type { ModelConfig } from "../model/factor-model.js";
import { choiceOption, numberOption, rejectUnknownKeys, RULES } from "./config.js";
import type { Algorithm } from "./trainer.js";
import { createWeightedAlsTrainer } from "./weighted-als.js";

const KEYS = ["factors", "epochs", "regularization", "alpha", "confidence", "confidenceOffset", "epsilon", "unobservedWeight", "regularizationExponent", "solver", "cgSteps", "seed", "threads"] as const;

/**
 * `ials`: implicit ALS of Hu, Koren & Volinsky (2008). Confidence c = w0 + α·r ("linear") or
 * w0 + α·ln(1 + r/ε) ("log"), preference 1 on observed cells, weight w0 (`unobservedWeight`,
 * default 1 as in Hu et al.) on the rest; rows solved by `cgSteps` conjugate-gradient steps
 * (Takács et al. 2011) or exactly (`solver: "cholesky"`), with the frequency-scaled
 * regularization λ(|I_u| + w0·|I|)^ν of Rendle et al. (2021) (`regularizationExponent` ν, 0 = plain λ).
 * `confidenceOffset` o shifts every value first (v − o; ≤ 0 is a negative), so ratings can be confidences.
 */
/**
 * The data-adaptive confidence default: "linear" (c = w0 + α, every interaction alike) when all values are
 * equal, "log" (c = w0 + α·ln(1 + v/ε)) when they vary, so play counts of 1 to 350k do not let one
 * user's favourite outweigh everything else. Chosen on validation cuts of implicit-ml100k-train and
 * lastfm-train (docs/algorithms.md "ials defaults").
 */
export function confidenceFor(values: Float32Array): "linear" | "log" {
  if (values.length === 0) return "linear";
  const v0 = values[0]!;
  for (let t = 1; t < values.length; t++) if (values[t] !== v0) return "log";
  return "linear";
}

export const ials: Algorithm = {
  name: "ials",
  description: "implicit-feedback ALS (Hu, Koren & Volinsky 2008) with confidence weights and a CG solver",
  implicit: true,
  resolveConfig(config, data) {
    const c = config as Record<string, unknown>;
    rejectUnknownKeys(c, KEYS, "ials");
    const d = IALS_DEFAULTS;
    const confidence = choiceOption(c, "confidence", data ? confidenceFor(data.ratings.values) : d.confidence, ["linear", "log", "binary"] as const);
    const solver = choiceOption(c, "solver", d.solver, ["cg", "cholesky"] as const);
    const resolved: ModelConfig = {
      algorithm: "ials",
      factors: numberOption(c, "factors", d.factors, RULES.factors),
      epochs: numberOption(c, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
      regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
      alpha: numberOption(c, "alpha", d.alpha, { min: 0 }),
      confidence,
      unobservedWeight: numberOption(c, "unobservedWeight", d.unobservedWeight, { min: 0 }),
      regularizationExponent: numberOption(c, "regularizationExponent", d.regularizationExponent, { min: 0, max: 2 }),
      solver,
      seed: numberOption(c, "seed", d.seed, RULES.seed),
    };
    // Keys that only act under one choice are kept only there, so every key in a resolved config matters.
    const epsilon = numberOption(c, "epsilon", d.epsilon, { above: 0 });
    if (confidence === "log") resolved.epsilon = epsilon;
    // Only kept when set: a value v counts as v − offset (≤ 0: a negative), e.g. the ranking part's ratings.
    const offset = numberOption(c, "confidenceOffset", d.confidenceOffset);
    if (offset !== 0) resolved.confidenceOffset = offset;
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
