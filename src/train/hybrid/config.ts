/**
 * Config of `hybrid`: defaults and validation. The defaults were chosen on cold-item cuts of the
 * training files (20% of the training items held out; never a test file): docs/cold-start.md
 * ("How the defaults were chosen") has the grid and the figures.
 */
import type { ModelConfig } from "../../model/factor-model.js";
import type { TrainingData } from "../trainer.js";
import { MfrecError } from "../../core/errors.js";
import { booleanOption, choiceOption, numberOption, RULES, rejectUnknownKeys } from "../config.js";

export const HYBRID_KEYS = [
  "factors",
  "epochs",
  "learningRate",
  "regularization",
  "featureRegularization",
  "idDropout",
  "loss",
  "maxSampled",
  "positiveThreshold",
  "negatives",
  "normalize",
  "itemWeightCap",
  "identity",
  "seed",
  "threads",
] as const;

/** Defaults of `hybrid`. */
export const HYBRID_DEFAULTS = {
  factors: 32,
  epochs: 50,
  learningRate: 0.05,
  regularization: 1e-6,
  loss: "warp",
  maxSampled: 10,
  /** Ratings at or above this are positives; "auto": see {@link autoPositiveThreshold}; null: every interaction. */
  positiveThreshold: "auto",
  negatives: "rated",
  normalize: false,
  /**
   * A warm item's weights (id 1 + its feature weights) are scaled down to sum at most this; cold items
   * keep theirs, users are not capped. Feature-rich items (dozens of tags on popular films) otherwise
   * let the features outweigh the id vector and cost warm accuracy; a cold item's feature count is
   * itself a useful popularity signal, so it stays. Chosen on validation cuts of the training files
   * (docs/cold-start.md, "Warm accuracy"); "none" turns it off.
   */
  itemWeightCap: 4,
  identity: true,
  seed: 42,
} as const;

/**
 * The defaults that differ with `loss: "squared"` (rating prediction: r̂ = μ + b_u + b_i + p_u·q_i with
 * every term a weighted sum over id and feature rows). Chosen on a validation cut of ml-100k u1.base
 * (20% of each user's training ratings held out; never a test file): docs/cold-start.md, "Ratings".
 */
export const HYBRID_SQUARED_DEFAULTS = {
  epochs: 30,
  learningRate: 0.03,
  regularization: 0.1,
} as const;

/**
 * The positives when `positiveThreshold` is "auto": on a star scale (more than one distinct value, every
 * value a multiple of ½ in 0..10) the ratings at or above three quarters up the training range, rounded to
 * ½ (4 on 1–5 and on 0.5–5 stars, the relevance threshold `mfrec eval` defaults to); otherwise (play
 * counts, clicks, one value) every interaction (null). On the cold-item cuts, positives ≥ 4 ranked better
 * than all ratings (docs/cold-start.md).
 */
export function autoPositiveThreshold(values: ArrayLike<number>): number | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < values.length; t++) {
    const v = values[t]!;
    if (!(v >= 0 && v <= 10 && Number.isInteger(v * 2))) return null;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return null;
  return Math.round((lo + 0.75 * (hi - lo)) * 2) / 2;
}

/** Fill defaults and validate (E_CONFIG naming the key); "auto" settings are resolved against `data` when given. */
export function resolveHybridConfig(config: Record<string, unknown>, data?: TrainingData): ModelConfig {
  rejectUnknownKeys(config, HYBRID_KEYS, "hybrid");
  const loss = choiceOption(config, "loss", HYBRID_DEFAULTS.loss, ["warp", "bpr", "squared"] as const);
  const d = loss === "squared" ? { ...HYBRID_DEFAULTS, ...HYBRID_SQUARED_DEFAULTS } : HYBRID_DEFAULTS;
  const resolved: ModelConfig = {
    algorithm: "hybrid",
    factors: numberOption(config, "factors", d.factors, RULES.factors),
    epochs: numberOption(config, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
    learningRate: numberOption(config, "learningRate", d.learningRate, { above: 0, max: 10 }),
    regularization: numberOption(config, "regularization", d.regularization, { min: 0 }),
    loss,
    negatives: choiceOption(config, "negatives", d.negatives, ["rated", "all"] as const),
    normalize: config.normalize === "features" ? "features" : booleanOption(config, "normalize", d.normalize),
    identity: booleanOption(config, "identity", d.identity),
    seed: numberOption(config, "seed", d.seed, RULES.seed),
  };
  // Only kept where it acts (every key of a resolved config matters): without features every entity has one row of weight 1.
  const cap = config.itemWeightCap === undefined ? d.itemWeightCap : config.itemWeightCap;
  resolved.itemWeightCap = cap === "none" || cap === null ? "none" : numberOption({ itemWeightCap: cap }, "itemWeightCap", d.itemWeightCap, { above: 0 });
  if (data && !data.itemFeatures && !data.userFeatures) delete resolved.normalize;
  // Without item features a warm item's only weight is its id's 1, under any cap.
  if (data && !data.itemFeatures) delete resolved.itemWeightCap;
  // Kept only when given (and acting), so configs without them resolve as before.
  if (config.featureRegularization !== undefined) resolved.featureRegularization = numberOption(config, "featureRegularization", 0, { min: 0 });
  if (config.idDropout !== undefined) {
    const p = numberOption(config, "idDropout", 0, { min: 0, max: 1 });
    if (p > 0) resolved.idDropout = p;
  }
  if (resolved.loss === "warp") resolved.maxSampled = numberOption(config, "maxSampled", d.maxSampled, { min: 1, max: 100000, integer: true });
  if (loss === "squared") {
    // Every rating is a target, no negatives are drawn: the ranking keys do not act and are refused when given.
    for (const key of ["maxSampled", "positiveThreshold", "negatives"] as const) {
      if (config[key] !== undefined)
        throw new MfrecError("E_CONFIG", `hybrid option ${key} does not apply with loss "squared" (every rating is a target, no negatives are drawn)`, { column: key, value: config[key] as string, expected: 'loss "warp" or "bpr", or no ' + key });
    }
    delete resolved.negatives;
  } else {
    const t = config.positiveThreshold === undefined ? d.positiveThreshold : config.positiveThreshold;
    if (t === "auto") resolved.positiveThreshold = data ? autoPositiveThreshold(data.ratings.values.subarray(0, data.ratings.length)) : "auto";
    else if (t === null || t === "none" || t === "null") resolved.positiveThreshold = null;
    else resolved.positiveThreshold = numberOption({ positiveThreshold: t }, "positiveThreshold", 0);
  }
  if (config.threads !== undefined) resolved.threads = numberOption(config, "threads", 1, RULES.threads);
  return resolved;
}
