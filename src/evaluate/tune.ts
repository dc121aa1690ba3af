import { MfrecError, isMfrecError } from "../core/errors.js";
import { deriveSeed, rngFor } from "../core/rng.js";
import type { Ratings } from "../data/ratings.js";
import type { ModelConfig } from "../model/factor-model.js";
import { type FitOptions, fitSync, trainingData } from "../train/fit.js";
import { type EarlyStopping, fitWithEarlyStopping } from "./early-stopping.js";
import { type EvaluateOptions, evaluateModel } from "./evaluate-model.js";
import { higherIsBetter, isRatingMetric, parseMetric } from "./metric-spec.js";
import { getAlgorithm } from "../train/registry.js";
import { type ColdSide, evaluateColdStart } from "./cold-start.js";
import { userSplit } from "./splits.js";
import { type Split, type SplitReport, splitByRows } from "./subset.js";

/** A value a hyper-parameter can take. */
export type ParamValue = number | string | boolean;

/** A numeric range: uniform (or log-uniform) for random search; `steps` evenly spaced values for grid search. */
export interface ParamRange {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
  /** Number of grid points (grid search only). */
  steps?: number;
}

/** Parameter name → a list of values or a range. Plain JSON (e.g. `mfrec tune --space space.json`). */
export type SearchSpace = Record<string, readonly ParamValue[] | ParamRange>;

/** Options of {@link tune}. */
export interface TuneOptions extends Omit<EvaluateOptions, "metrics"> {
  /** "grid" tries every combination (in key order; `trials` caps it); "random" samples `trials` configs. */
  strategy?: "grid" | "random";
  /** Random: number of samples (default 10). Grid: optional cap. */
  trials?: number;
  /** Seeds the sampling and the validation split (default 0). */
  seed?: number;
  /** Metric to optimise (default "rmse"; ranking metrics are maximised). */
  metric?: string;
  /** Share of each user's training ratings held out for validation (default 0.2); with `cold`, the share of items (or users) held out. */
  validationFraction?: number;
  /**
   * Validate on a cold cut instead of a per-user split: `validationFraction` of the training items
   * ("items") or users ("users"), chosen by a seeded shuffle, are held out with every rating they have,
   * and each trial is scored by the cold-start protocol (evaluate/cold-start.ts) on them. Needs the
   * matching features in `fit` (itemFeatures for "items", userFeatures for "users") and a ranking metric.
   */
  cold?: ColdSide;
  /** Stop each trial's training early on the validation metric and record its best epoch. */
  earlyStopping?: Omit<EarlyStopping, "metric" | "restoreBest">;
  onTrial?: (trial: TrialResult, index: number, total: number) => void;
  fit?: Omit<FitOptions, "data" | "validate">;
}

/** One tried configuration. */
export interface TrialResult {
  /** The sampled parameters (merged over the base config for the fit). */
  params: Record<string, ParamValue>;
  /** Validation score, or undefined when training failed (see `error`). */
  score?: number;
  /** With early stopping: the best epoch count found. */
  bestEpoch?: number;
  fitSeconds: number;
  /** Error code when the trial failed (e.g. E_DIVERGED): recorded, not fatal. */
  error?: string;
}

/** The best configuration (base config + best params, with the early-stopped epoch count) and every trial. */
export interface TuneResult {
  best: { config: ModelConfig; params: Record<string, ParamValue>; score: number; trial: number };
  trials: TrialResult[];
  metric: string;
  higherIsBetter: boolean;
  validation: SplitReport;
}

function isRange(v: unknown): v is ParamRange {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "min" in v && "max" in v;
}

function checkSpace(space: SearchSpace): void {
  const keys = Object.keys(space);
  if (keys.length === 0) throw new MfrecError("E_CONFIG", "the search space is empty", { expected: 'e.g. { "factors": [10, 50], "regularization": { "min": 0.01, "max": 1, "log": true } }' });
  for (const key of keys) {
    const v = space[key];
    if (Array.isArray(v)) {
      if (v.length === 0) throw new MfrecError("E_CONFIG", `search space ${key} lists no value`, { column: key, value: v, expected: "a non-empty list" });
      continue;
    }
    if (!isRange(v) || !Number.isFinite(v.min) || !Number.isFinite(v.max) || v.min > v.max || (v.log && v.min <= 0)) {
      throw new MfrecError("E_CONFIG", `search space ${key} is not a list or a valid range`, { column: key, value: v, expected: "[values…] or { min, max (min <= max, > 0 when log), log?, integer?, steps? }" });
    }
  }
}

function fromUnit(r: ParamRange, t: number): number {
  const v = r.log ? Math.exp(Math.log(r.min) + t * (Math.log(r.max) - Math.log(r.min))) : r.min + t * (r.max - r.min);
  // 12 significant digits: log-spaced grids give 0.1, not 0.10000000000000002, in configs people read.
  return r.integer ? Math.round(v) : Number(v.toPrecision(12));
}

/** The grid values of one dimension: the list itself, or `steps` points from min to max (log-spaced when log). */
function gridValues(key: string, v: readonly ParamValue[] | ParamRange): readonly ParamValue[] {
  if (!isRange(v)) return v as readonly ParamValue[];
  const steps = v.steps;
  if (!(Number.isInteger(steps) && steps! >= 1)) {
    throw new MfrecError("E_CONFIG", `grid search over range ${key} needs steps`, { column: key, value: v, expected: "{ min, max, steps: integer >= 1 } or a list of values" });
  }
  const out: number[] = [];
  for (let s = 0; s < steps!; s++) {
    const x = fromUnit(v, steps === 1 ? 0 : s / (steps! - 1));
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

/** Every combination, last key varying fastest (like nested loops in key order). */
export function gridConfigs(space: SearchSpace): Record<string, ParamValue>[] {
  checkSpace(space);
  let combos: Record<string, ParamValue>[] = [{}];
  for (const key of Object.keys(space)) {
    const vals = gridValues(key, space[key]!);
    const next: Record<string, ParamValue>[] = [];
    for (const c of combos) for (const v of vals) next.push({ ...c, [key]: v });
    combos = next;
  }
  return combos;
}

/** `trials` samples: list → uniform choice, range → uniform (log-uniform when log) value, from rngFor(seed, "tune-random"). */
export function randomConfigs(space: SearchSpace, trials: number, seed: number): Record<string, ParamValue>[] {
  checkSpace(space);
  const rng = rngFor(seed, "tune-random");
  const out: Record<string, ParamValue>[] = [];
  for (let t = 0; t < trials; t++) {
    const c: Record<string, ParamValue> = {};
    for (const key of Object.keys(space)) {
      const v = space[key]!;
      c[key] = isRange(v) ? fromUnit(v, rng.next()) : v[rng.int(v.length)]!;
    }
    out.push(c);
  }
  return out;
}

/**
 * Search hyper-parameters on `train` only: a per-user validation split is carved from it
 * (seed derived from `seed`; the caller's test data is never seen), each configuration is fitted
 * on the rest and scored on the validation part, and the best is returned. Same seed, space and
 * data ⇒ same trials and same best configuration. Ties keep the earlier trial.
 */
/**
 * The search space `tune` uses for a ranking metric when none is given: the regularization λ and the
 * unobserved weight w0 around the defaults (×½, ×1, ×2 each: 9 trials) of ials itself, or of the ranking
 * part of an explicit algorithm (its `rankingRegularization` / `rankingUnobservedWeight` keys), which is
 * what an explicit model's lists rank by. Implicit algorithms other than ials have no default space.
 */
export function rankingSearchSpace(algorithm: string): SearchSpace | undefined {
  const algo = getAlgorithm(algorithm);
  const own = algo.capabilities?.rankingSearchSpace;
  if (own) return { ...own };
  if (algo.implicit) return undefined;
  return { rankingRegularization: [0.06, 0.12, 0.24], rankingUnobservedWeight: [0.25, 0.5, 1] };
}

export function tune(train: Ratings, baseConfig: Partial<ModelConfig> & { algorithm: string }, space: SearchSpace, opts: TuneOptions = {}): TuneResult {
  const strategy = opts.strategy ?? "grid";
  if (strategy !== "grid" && strategy !== "random") throw new MfrecError("E_CONFIG", "option strategy has an unknown value", { column: "strategy", value: strategy, expected: "grid or random" });
  const seed = opts.seed ?? 0;
  const metric = parseMetric(opts.metric ?? "rmse", opts.k ?? 10).name;
  const up = higherIsBetter(metric);
  let candidates: Record<string, ParamValue>[];
  if (strategy === "grid") {
    candidates = gridConfigs(space);
    if (opts.trials !== undefined) candidates = candidates.slice(0, trialCount(opts.trials));
  } else candidates = randomConfigs(space, trialCount(opts.trials ?? 10), seed);

  const split = opts.cold ? coldCut(train, opts, seed, metric) : userSplit(train, { testFraction: opts.validationFraction ?? 0.2, seed: deriveSeed(seed, "tune-validation"), minHistory: 2 });
  const fitPart = split.train;
  const validation = split.test;
  const data = trainingData(fitPart);
  const cold = opts.cold;
  const evalOpts: EvaluateOptions = { ...opts, metrics: [metric], history: data.byUser };
  // A rating metric never looks at an explicit model's ranking part: its trials skip training one.
  const fitOpts: Omit<FitOptions, "data" | "validate"> = isRatingMetric(parseMetric(metric)) ? { ranking: false, ...opts.fit } : { ...opts.fit };
  const trials: TrialResult[] = [];
  let bestIndex = -1;
  candidates.forEach((params, t) => {
    const config = { ...baseConfig, ...params } as Partial<ModelConfig> & { algorithm: string };
    const t0 = typeof performance !== "undefined" ? performance.now() : Date.now();
    const trial: TrialResult = { params, fitSeconds: 0 };
    try {
      if (opts.earlyStopping) {
        const r = fitWithEarlyStopping(fitPart, config, validation, { ...opts.earlyStopping, metric, restoreBest: false }, { fit: { ...fitOpts, data }, evaluate: evalOpts });
        trial.score = r.bestScore;
        trial.bestEpoch = r.bestEpoch;
      } else {
        const model = fitSync(fitPart, config, { ...fitOpts, data });
        trial.score = cold
          ? evaluateColdStart(model, fitPart, validation, { cold, metrics: [metric], relevanceThreshold: opts.relevanceThreshold }).metrics[metric]!
          : evaluateModel(model, validation, evalOpts).metrics[metric]!;
      }
    } catch (e) {
      if (!isMfrecError(e) || e.code === "E_ABORTED") throw e;
      trial.error = e.code;
    }
    trial.fitSeconds = ((typeof performance !== "undefined" ? performance.now() : Date.now()) - t0) / 1000;
    trials.push(trial);
    if (trial.score !== undefined && (bestIndex < 0 || (up ? trial.score > trials[bestIndex]!.score! : trial.score < trials[bestIndex]!.score!))) bestIndex = t;
    opts.onTrial?.(trial, t, candidates.length);
  });
  if (bestIndex < 0) {
    throw new MfrecError("E_DIVERGED", "every tuning trial failed", { value: trials.map((t) => t.error), hint: "narrow the search space (e.g. lower learning rates)" });
  }
  const b = trials[bestIndex]!;
  const config = { ...baseConfig, ...b.params } as ModelConfig;
  if (b.bestEpoch !== undefined) config.epochs = b.bestEpoch;
  return { best: { config, params: b.params, score: b.score!, trial: bestIndex }, trials, metric, higherIsBetter: up, validation: split.report };
}

/**
 * The cold cut of {@link TuneOptions.cold}: a seeded share of the items (or users) of `train`, held out
 * with all their ratings. Refuses what the protocol cannot score (no features for the held-out side, a
 * rating metric, early stopping, a share that leaves either part empty).
 */
function coldCut(train: Ratings, opts: TuneOptions, seed: number, metric: string): Split {
  const cold = opts.cold!;
  if (cold !== "items" && cold !== "users") throw new MfrecError("E_CONFIG", "option cold has an unknown value", { column: "cold", value: cold, expected: "items or users" });
  if (isRatingMetric(parseMetric(metric))) throw new MfrecError("E_CONFIG", `a cold cut is scored by ranking metrics, not ${metric}`, { column: "metric", value: metric, expected: "ndcg@10, auc, precision@k, …" });
  if (opts.earlyStopping) throw new MfrecError("E_CONFIG", "early stopping validates on a warm split; it cannot be combined with a cold cut", { column: "cold", value: cold, expected: "no --patience with --cold" });
  const needs = cold === "items" ? opts.fit?.itemFeatures : opts.fit?.userFeatures;
  if (!needs) throw new MfrecError("E_CONFIG", `a cold cut of ${cold} needs ${cold === "items" ? "item" : "user"} features: held-out ${cold} have no rating, so only their features place them`, { column: "cold", value: cold, expected: cold === "items" ? "--item-features FILE" : "--user-features FILE" });
  const f = opts.validationFraction ?? 0.2;
  if (!(f > 0 && f < 1)) throw new MfrecError("E_CONFIG", "option validationFraction must be in (0, 1)", { column: "validationFraction", value: f, expected: "0 < f < 1" });
  const index = cold === "items" ? train.itemIndex : train.userIndex;
  const ids = cold === "items" ? train.items : train.users;
  const present = new Uint8Array(index.size);
  for (let t = 0; t < train.length; t++) present[ids[t]!] = 1;
  const order: number[] = [];
  for (let e = 0; e < index.size; e++) if (present[e]) order.push(e);
  rngFor(deriveSeed(seed, "tune-cold-cut"), cold).shuffle(order);
  const nHeld = Math.round(f * order.length);
  if (nHeld < 1 || nHeld >= order.length) throw new MfrecError("E_CONFIG", `a cold cut of ${f} of ${order.length} ${cold} leaves one part empty`, { column: "validationFraction", value: f, expected: `a share that holds out between 1 and ${order.length - 1} ${cold}` });
  const held = new Uint8Array(index.size);
  for (let p = 0; p < nHeld; p++) held[order[p]!] = 1;
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let t = 0; t < train.length; t++) (held[ids[t]!] ? testRows : trainRows).push(t);
  return splitByRows(train, trainRows, testRows, `cold-${cold}`);
}

function trialCount(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new MfrecError("E_CONFIG", "option trials must be an integer >= 1", { column: "trials", value: n, expected: "an integer >= 1" });
  return n;
}
