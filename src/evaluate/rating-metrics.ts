import { MfrecError } from "../core/errors.js";
import type { Ratings } from "../data/ratings.js";
import type { FactorModel } from "../model/factor-model.js";
import { mapIndex } from "./subset.js";

/** RMSE = √( Σ (r̂ − r)² / n ). Throws E_EMPTY_INPUT for n = 0 (never NaN). */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = checkPair(predicted, actual);
  let s = 0;
  for (let k = 0; k < n; k++) {
    const d = predicted[k]! - actual[k]!;
    s += d * d;
  }
  return Math.sqrt(s / n);
}

/** MAE = Σ |r̂ − r| / n. Throws E_EMPTY_INPUT for n = 0 (never NaN). */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = checkPair(predicted, actual);
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.abs(predicted[k]! - actual[k]!);
  return s / n;
}

function checkPair(p: ArrayLike<number>, a: ArrayLike<number>): number {
  if (p.length !== a.length) throw new MfrecError("E_SHAPE", "predictions and ratings have different lengths", { value: [p.length, a.length], expected: "equal lengths" });
  if (p.length === 0) throw new MfrecError("E_EMPTY_INPUT", "no ratings to evaluate", { expected: "at least one test rating" });
  return p.length;
}

/**
 * The constant a model falls back to when neither factor row is usable: its global mean μ when it
 * has biases or a non-zero μ, else the mean of its training history, else the middle of its rating
 * scale, else 0 (Surprise's default_prediction is the training mean likewise).
 */
export function fallbackBase(model: FactorModel): number {
  if (model.globalMean !== 0 || model.userBias || model.itemBias) return model.globalMean;
  const h = model.history;
  if (h) {
    const n = h.indptr[h.rows]!;
    if (n > 0) {
      let s = 0;
      for (let k = 0; k < n; k++) s += h.values[k]!;
      return s / n;
    }
  }
  if (model.ratingScale) return (model.ratingScale[0] + model.ratingScale[1]) / 2;
  return 0;
}

/**
 * The prediction for dense (u, i) with either index possibly -1 (unknown to the model):
 * both known → clip(score); one unknown → clip(base + the known side's bias, if any); both unknown → clip(base).
 */
export function predictWithFallback(model: FactorModel, u: number, i: number, base: number, timestamp?: number): number {
  if (u >= 0 && i >= 0) return model.clip(model.scoreIndex(u, i, timestamp));
  let s = base;
  if (u >= 0 && model.userBias) s += model.userBias[u]!;
  if (i >= 0 && model.itemBias) s += model.itemBias[i]!;
  return model.clip(s);
}

/** RMSE/MAE of a model on test ratings, with the fallback predictions counted, not dropped. */
export interface RatingEvaluation {
  rmse: number;
  mae: number;
  /** Test ratings scored (all of them: unknown users/items get the fallback prediction). */
  n: number;
  /** Test ratings whose user the model does not know. */
  unknownUsers: number;
  /** Test ratings whose item the model does not know. */
  unknownItems: number;
  /** Test ratings that got a fallback prediction (user or item unknown). */
  fallbacks: number;
  /** The constant the fallback starts from (see {@link fallbackBase}). */
  fallbackBase: number;
  /** RMSE/MAE over the ratings where both user and item are known (undefined when there are none). */
  rmseKnown?: number;
  maeKnown?: number;
}

/**
 * Score every test rating with the model (dense indices, raw ids mapped through the model's
 * indexes) and return RMSE and MAE over all n of them, unknown users/items included through
 * {@link predictWithFallback}. `fallback` replaces the base constant. Test ratings with timestamps pass them on,
 * so a model with time effects (bayes-fm time / userDay) uses each rating's bin.
 */
export function evaluateRatings(model: FactorModel, test: Ratings, opts: { fallback?: number } = {}): RatingEvaluation {
  if (test.length === 0) throw new MfrecError("E_EMPTY_INPUT", "the test set holds no ratings", { file: test.report.file, expected: "at least one test rating" });
  const uMap = mapIndex(test.userIndex, model.userIndex);
  const iMap = mapIndex(test.itemIndex, model.itemIndex);
  const base = opts.fallback ?? fallbackBase(model);
  if (!Number.isFinite(base)) throw new MfrecError("E_CONFIG", "option fallback must be finite", { column: "fallback", value: base, expected: "a finite number" });
  let se = 0;
  let ae = 0;
  let seK = 0;
  let aeK = 0;
  let unknownUsers = 0;
  let unknownItems = 0;
  let fallbacks = 0;
  const times = model.time ? test.timestamps : undefined;
  for (let k = 0; k < test.length; k++) {
    const u = uMap[test.users[k]!]!;
    const i = iMap[test.items[k]!]!;
    const p = predictWithFallback(model, u, i, base, times?.[k]);
    const d = p - test.values[k]!;
    se += d * d;
    ae += Math.abs(d);
    if (u < 0) unknownUsers++;
    if (i < 0) unknownItems++;
    if (u < 0 || i < 0) fallbacks++;
    else {
      seK += d * d;
      aeK += Math.abs(d);
    }
  }
  const n = test.length;
  const known = n - fallbacks;
  const out: RatingEvaluation = { rmse: Math.sqrt(se / n), mae: ae / n, n, unknownUsers, unknownItems, fallbacks, fallbackBase: base };
  if (known > 0) {
    out.rmseKnown = Math.sqrt(seK / known);
    out.maeKnown = aeK / known;
  }
  if (!Number.isFinite(out.rmse)) {
    throw new MfrecError("E_DIVERGED", "the model's predictions are not finite", { value: out.rmse, expected: "finite predictions", hint: "the model's factors hold NaN or Infinity" });
  }
  return out;
}
