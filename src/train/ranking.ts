/**
 * The ranking part of an explicit model (FactorModel.ranking): implicit ALS on "who rated what".
 *
 * A rating model answers "how much would u like i, if u watched it?"; a top-N list must answer
 * "what will u pick next?", and which items a user chose to rate says more about that than the
 * stars given (Steck 2010; Cremonesi, Koren & Turrin 2010). So beside the rating part, `fit` trains
 * `ials` on the same users and items with the ratings as confidences: a rating v above the offset o
 * (ratingOffset: about one star below the mean) is a positive of weight w0 + α·(v − o), every other cell
 * (unrated, or rated at or below o) a negative of weight w0, with frequency-scaled regularization
 * λ(|I_u| + w0·|I|)^ν (Rendle et al. 2021). recommend, recommendAll, similar items/users and explain rank
 * by this part; predict keeps the rating part. docs/algorithms.md ("The ranking part") has the figures
 * that chose the defaults.
 *
 * Config: `ranking: "ials"` (default for every explicit algorithm) or `"none"`; any ials option prefixed
 * with `ranking` sets the ranking part's value (`rankingFactors`, `rankingRegularization`,
 * `rankingUnobservedWeight`, `rankingAlpha`, `rankingEpochs`, …).
 */
import { MfrecError } from "../core/errors.js";
import type { ModelConfig } from "../model/factor-model.js";
import type { TrainingData } from "./trainer.js";

/**
 * Defaults of the ranking part, chosen on ml-100k u2/u3 and a validation cut of ml-latest-small's
 * training file (never a test file; docs/algorithms.md "The ranking part"): observed weight
 * w0 + α·(v − o) against w0 = 0.5 for the rest, and λ(|I_u| + w0·|I|)^0.7. The sub-linear exponent
 * ν = 0.7 is what carries one λ across catalogue sizes: with ν = 1 the best λ was 0.02 on ml-100k
 * (1.7k items) but 0.01–0.015 on ml-latest-small (9k items), because w0·|I| grows with the catalogue.
 */
export const RANKING_DEFAULTS = {
  algorithm: "ials",
  confidence: "linear",
  factors: 64,
  epochs: 15,
  alpha: 1,
  unobservedWeight: 0.5,
  regularization: 0.12,
  regularizationExponent: 0.7,
  // Exact row solves: explain's closed form then equals the score recommend shows (CG ranked as well: 0.4716 vs 0.4700 on u1).
  solver: "cholesky",
  seed: 42,
} as const;

/** The config keys that belong to the ranking part, not to the rating algorithm. */
export function isRankingKey(key: string): boolean {
  return key === "ranking" || /^ranking[A-Z]/.test(key);
}

/** `config` without the ranking keys (what the rating algorithm validates). */
export function withoutRankingKeys<C extends Record<string, unknown>>(config: C): C {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!isRankingKey(k)) out[k] = v;
  return out as C;
}

/**
 * The confidence offset o of the ranking part: a rating v is a positive of confidence α·(v − o) when
 * v > o and a negative otherwise, with o = μ − (max − min)/4 of the training values (2.53 on ml-100k's
 * 1–5 stars, 2.38 on ml-latest-small's 0.5–5), rounded to 2 decimals; 0 when all values are equal
 * (implicit input: every value is then a positive of confidence α·v).
 */
export function ratingOffset(values: Float32Array): number {
  if (values.length === 0) return 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t]!;
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return 0;
  return Math.round((sum / values.length - (hi - lo) / 4) * 100) / 100;
}

/**
 * The ials config of the ranking part for a (rating) config, or null when there is none: `ranking`
 * "none", or an implicit algorithm (its own factors already rank).
 */
export function rankingConfig(config: Record<string, unknown>, implicitAlgorithm: boolean, data: TrainingData): (Partial<ModelConfig> & { algorithm: string }) | null {
  const mode = config.ranking ?? (implicitAlgorithm ? "none" : "ials");
  if (mode !== "ials" && mode !== "none") {
    throw new MfrecError("E_CONFIG", "option ranking has an unknown value", { column: "ranking", value: mode, expected: "ials or none" });
  }
  if (mode === "none") return null;
  if (implicitAlgorithm) {
    throw new MfrecError("E_CONFIG", `algorithm ${String(config.algorithm)} ranks by its own factors: it takes no ranking part`, { column: "ranking", value: mode, expected: "none (or no ranking option)" });
  }
  const out: Partial<ModelConfig> & { algorithm: string } = { ...RANKING_DEFAULTS, confidenceOffset: ratingOffset(data.ratings.values) };
  if (typeof config.seed === "number") out.seed = config.seed;
  for (const [k, v] of Object.entries(config)) {
    if (k === "ranking" || !isRankingKey(k) || v === undefined) continue;
    const key = k[7]!.toLowerCase() + k.slice(8);
    if (key === "algorithm") throw new MfrecError("E_CONFIG", "the ranking part is always ials", { column: k, value: v, expected: "ranking: ials or none" });
    out[key] = v as ModelConfig[string];
  }
  return out;
}
