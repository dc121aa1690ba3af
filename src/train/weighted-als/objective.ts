import type { WeightedAlsSpec } from "../../kernels/implicit-als.js";
import type { ModelConfig } from "../../model/factor-model.js";

/**
 * The weighting of the weighted-ALS family's objectives (ials, wals), read from a model's plain-JSON
 * config. Training, fold-in, partialFit and explain all reach it through the algorithm's
 * `capabilities.weightedObjective`, so a folded-in user is solved exactly as a trained one was.
 */

/**
 * Defaults of `ials` (Hu, Koren & Volinsky 2008 with the Rendle et al. 2021 options). Chosen on validation
 * cuts of the training files only (docs/algorithms.md "ials defaults"): w0 = 0.5, α = 1 and the
 * sub-linear frequency-scaled regularization 0.12·(|I_u| + w0·|I|)^0.7, the same as the ranking part of
 * explicit models. `confidence` is chosen from the data when not given (train/weighted-als/algorithms.ts): "linear" when every
 * value is the same (0/1 interactions), "log" when they vary (play counts). The "linear" here is the
 * fallback for a config read without data.
 */
export const IALS_DEFAULTS = {
  factors: 64,
  epochs: 15,
  regularization: 0.12,
  alpha: 1,
  confidence: "linear",
  epsilon: 1,
  confidenceOffset: 0,
  unobservedWeight: 0.5,
  regularizationExponent: 0.7,
  solver: "cg",
  cgSteps: 3,
  seed: 42,
} as const;

/** Defaults of `wals` (weighted matrix factorization of Google's recommendation course). */
export const WALS_DEFAULTS = {
  factors: 64,
  epochs: 15,
  regularization: 0.1,
  unobservedWeight: 0.1,
  observedWeight: "one",
  solver: "cholesky",
  cgSteps: 3,
  seed: 42,
} as const;

function num(c: ModelConfig, key: string, fallback: number): number {
  const v = c[key];
  return typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

function str(c: ModelConfig, key: string, fallback: string): string {
  const v = c[key];
  return typeof v === "string" ? v : fallback;
}

/**
 * The objective of an `ials` config, with v' = v − o (o = confidenceOffset, default 0): W = w0 + α·v'
 * (linear), w0 + α·ln(1 + v'/ε) (log) or w0 + α (binary: every positive v' counts the same), t = 1 for
 * v' > 0, else W = w0, t = 0 (a value at or below the offset, e.g. a low rating, counts as a negative
 * like an unobserved cell).
 */
export function ialsObjective(config: ModelConfig): WeightedAlsSpec {
  const d = IALS_DEFAULTS;
  const alpha = num(config, "alpha", d.alpha);
  const eps = num(config, "epsilon", d.epsilon);
  const confidence = str(config, "confidence", d.confidence);
  const log = confidence === "log";
  const binary = confidence === "binary";
  const o = num(config, "confidenceOffset", d.confidenceOffset);
  return {
    w0: num(config, "unobservedWeight", d.unobservedWeight),
    lambda: num(config, "regularization", d.regularization),
    nu: num(config, "regularizationExponent", d.regularizationExponent),
    solver: str(config, "solver", d.solver) === "cholesky" ? 1 : 0,
    cgSteps: num(config, "cgSteps", d.cgSteps),
    extra: (v) => (v - o <= 0 ? 0 : binary ? alpha : log ? alpha * Math.log1p((v - o) / eps) : alpha * (v - o)),
    target: (v) => (v - o > 0 ? 1 : 0),
  };
}

/** The objective of a `wals` config: W = 1 (or v when observedWeight is "value"), t = 1; ν = 0. */
export function walsObjective(config: ModelConfig): WeightedAlsSpec {
  const d = WALS_DEFAULTS;
  const w0 = num(config, "unobservedWeight", d.unobservedWeight);
  const byValue = str(config, "observedWeight", d.observedWeight) === "value";
  return {
    w0,
    lambda: num(config, "regularization", d.regularization),
    nu: 0,
    solver: str(config, "solver", d.solver) === "cg" ? 0 : 1,
    cgSteps: num(config, "cgSteps", d.cgSteps),
    extra: (v) => (byValue ? v : 1) - w0,
    target: () => 1,
  };
}
