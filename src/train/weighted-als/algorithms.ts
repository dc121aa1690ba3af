/**
 * The weighted-ALS family: `ials` and `wals` are one trainer (./trainer.ts) over two objectives
 * (./objective.ts). A member here is its config vocabulary and defaults and its objective; the
 * shared keys, the trainer and the capabilities are the family's ({@link weightedAlsAlgorithm}).
 */
import type { WeightedAlsSpec } from "../../kernels/implicit-als.js";
import type { ModelConfig } from "../../model/factor-model.js";
import { choiceOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import type { Algorithm, AlgorithmCapabilities, TrainingData } from "../trainer.js";
import { IALS_DEFAULTS, ialsObjective, WALS_DEFAULTS, walsObjective } from "./objective.js";
import { createWeightedAlsTrainer } from "./trainer.js";

/** Defaults of the keys every member reads. */
interface SharedDefaults {
  factors: number;
  epochs: number;
  regularization: number;
  unobservedWeight: number;
  solver: "cg" | "cholesky";
  cgSteps: number;
  seed: number;
}

/** The shared keys of a config, validated (epochs 0 = the seeded initial factors). */
function sharedKeys(c: Record<string, unknown>, d: SharedDefaults) {
  return {
    factors: numberOption(c, "factors", d.factors, RULES.factors),
    epochs: numberOption(c, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
    regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
    unobservedWeight: numberOption(c, "unobservedWeight", d.unobservedWeight, { min: 0 }),
    solver: choiceOption(c, "solver", d.solver, ["cg", "cholesky"] as const),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
  };
}

/** Keys that only act under one choice are kept only there, so every key in a resolved config matters. */
function conditionalKeys(c: Record<string, unknown>, d: SharedDefaults, resolved: ModelConfig): ModelConfig {
  const cgSteps = numberOption(c, "cgSteps", d.cgSteps, { min: 1, max: 1000, integer: true });
  if (resolved.solver === "cg") resolved.cgSteps = cgSteps;
  return resolved;
}

const SHARED_KEYS = ["factors", "epochs", "regularization", "unobservedWeight", "solver", "cgSteps", "seed"] as const;

/** A member of the family: its name, its own keys, how it resolves them and its objective. */
function weightedAlsAlgorithm(m: {
  name: string;
  description: string;
  keys: readonly string[];
  resolve(c: Record<string, unknown>, data: TrainingData | undefined): ModelConfig;
  objective(config: ModelConfig): WeightedAlsSpec;
  capabilities?: AlgorithmCapabilities;
}): Algorithm {
  const keys = [...SHARED_KEYS, ...m.keys];
  return {
    name: m.name,
    description: m.description,
    implicit: true,
    resolveConfig(config, data) {
      const c = config as Record<string, unknown>;
      rejectUnknownKeys(c, keys, m.name);
      return m.resolve(c, data);
    },
    epochs: (c) => c.epochs as number,
    create: (data, c) => createWeightedAlsTrainer(data, c, m.objective(c), c.factors as number, c.seed as number),
    capabilities: {
      weightedObjective: m.objective,
      explains: true,
      trainsFromCsr: true,
      exampleConfig: (factors) => ({ algorithm: m.name, factors, epochs: 20, seed: 42 }),
      ...m.capabilities,
    },
  };
}

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

/**
 * `ials`: implicit ALS of Hu, Koren & Volinsky (2008). Confidence c = w0 + α·r ("linear") or
 * w0 + α·ln(1 + r/ε) ("log"), preference 1 on observed cells, weight w0 (`unobservedWeight`) on the
 * rest; rows solved by `cgSteps` conjugate-gradient steps (Takács et al. 2011) or exactly
 * (`solver: "cholesky"`), with the frequency-scaled regularization λ(|I_u| + w0·|I|)^ν of Rendle et al.
 * (2021) (`regularizationExponent` ν, 0 = plain λ). `confidenceOffset` o shifts every value first
 * (v − o; ≤ 0 is a negative), so ratings can be confidences.
 */
export const ials: Algorithm = weightedAlsAlgorithm({
  name: "ials",
  description: "implicit-feedback ALS (Hu, Koren & Volinsky 2008) with confidence weights and a CG solver",
  keys: ["alpha", "confidence", "confidenceOffset", "epsilon", "regularizationExponent"],
  resolve(c, data) {
    const d = IALS_DEFAULTS;
    const s = sharedKeys(c, d);
    const confidence = choiceOption(c, "confidence", data ? confidenceFor(data.ratings.values) : d.confidence, ["linear", "log", "binary"] as const);
    const resolved: ModelConfig = {
      algorithm: "ials",
      factors: s.factors,
      epochs: s.epochs,
      regularization: s.regularization,
      alpha: numberOption(c, "alpha", d.alpha, { min: 0 }),
      confidence,
      unobservedWeight: s.unobservedWeight,
      regularizationExponent: numberOption(c, "regularizationExponent", d.regularizationExponent, { min: 0, max: 2 }),
      solver: s.solver,
      seed: s.seed,
    };
    const epsilon = numberOption(c, "epsilon", d.epsilon, { above: 0 });
    if (confidence === "log") resolved.epsilon = epsilon;
    // Only kept when set: a value v counts as v − offset (≤ 0: a negative), e.g. the ranking part's ratings.
    const offset = numberOption(c, "confidenceOffset", d.confidenceOffset);
    if (offset !== 0) resolved.confidenceOffset = offset;
    return conditionalKeys(c, d, resolved);
  },
  objective: ialsObjective,
  capabilities: {
    // λ and w0 around the defaults, ×½, ×1, ×2 each: 9 trials.
    rankingSearchSpace: { regularization: [0.06, 0.12, 0.24], unobservedWeight: [0.25, 0.5, 1] },
    spark: { implicitPrefs: true },
    // Counts are confidences (log confidence when they vary, confidenceFor).
    implicitStrength: true,
  },
});

/**
 * `wals`: weighted matrix factorization (Google's recommendation course): minimise
 * Σ_obs W (1 − p_u·q_i)² + w0 Σ_unobs (p_u·q_i)² + λ(‖P‖² + ‖Q‖²), W = 1 or the cell's value
 * (`observedWeight: "value"`), w0 = `unobservedWeight`, by alternating exact least squares with
 * the Gramian trick (QᵀQ once per half-sweep; the dense matrix is never formed).
 */
export const wals: Algorithm = weightedAlsAlgorithm({
  name: "wals",
  description: "weighted matrix factorization (observed weight 1, unobserved weight w0) by alternating least squares",
  keys: ["observedWeight"],
  resolve(c) {
    const d = WALS_DEFAULTS;
    const s = sharedKeys(c, d);
    const resolved: ModelConfig = {
      algorithm: "wals",
      factors: s.factors,
      epochs: s.epochs,
      regularization: s.regularization,
      unobservedWeight: s.unobservedWeight,
      observedWeight: choiceOption(c, "observedWeight", d.observedWeight, ["one", "value"] as const),
      solver: s.solver,
      seed: s.seed,
    };
    return conditionalKeys(c, d, resolved);
  },
  objective: walsObjective,
});
