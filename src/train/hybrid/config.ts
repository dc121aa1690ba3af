/**
 * Config of `hybrid`: defaults and validation. The defaults were chosen on cold-item cuts of the
 * training files (20% of the training items held out; never a test file): docs/cold-start.md
 * ("How the defaults were chosen") has the grid and the figures.
 */
import type { ModelConfig } from "../../model/factor-model.js";
import { booleanOption, choiceOption, numberOption, RULES, rejectUnknownKeys } from "../config.js";

export const HYBRID_KEYS = [
  "factors",
  "epochs",
  "learningRate",
  "regularization",
  "loss",
  "maxSampled",
  "positiveThreshold",
  "negatives",
  "normalize",
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
  /** Ratings at or above this are positives (-Infinity: every interaction; the CLI's eval protocol uses 4). */
  positiveThreshold: null as number | null,
  negatives: "rated",
  normalize: false,
  identity: true,
  seed: 42,
} as const;

/** Fill defaults and validate (E_CONFIG naming the key). */
export function resolveHybridConfig(config: Record<string, unknown>): ModelConfig {
  rejectUnknownKeys(config, HYBRID_KEYS, "hybrid");
  const d = HYBRID_DEFAULTS;
  const resolved: ModelConfig = {
    algorithm: "hybrid",
    factors: numberOption(config, "factors", d.factors, RULES.factors),
    epochs: numberOption(config, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
    learningRate: numberOption(config, "learningRate", d.learningRate, { above: 0, max: 10 }),
    regularization: numberOption(config, "regularization", d.regularization, { min: 0 }),
    loss: choiceOption(config, "loss", d.loss, ["warp", "bpr"] as const),
    negatives: choiceOption(config, "negatives", d.negatives, ["rated", "all"] as const),
    normalize: booleanOption(config, "normalize", d.normalize),
    identity: booleanOption(config, "identity", d.identity),
    seed: numberOption(config, "seed", d.seed, RULES.seed),
  };
  if (resolved.loss === "warp") resolved.maxSampled = numberOption(config, "maxSampled", d.maxSampled, { min: 1, max: 100000, integer: true });
  const t = config.positiveThreshold;
  if (t !== undefined && t !== null) resolved.positiveThreshold = numberOption(config, "positiveThreshold", 0);
  else resolved.positiveThreshold = null;
  if (config.threads !== undefined) resolved.threads = numberOption(config, "threads", 1, RULES.threads);
  return resolved;
}
