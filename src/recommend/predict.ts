/**
 * Point predictions with raw ids outside and dense indices inside.
 *
 * Rule (explicit models): r̂(u,i) = μ + b_u + b_i + p_u·q_i, clipped to the model's rating scale.
 * Unknown ids fall back to the parts that are known, never to NaN:
 *   unknown user          → μ + b_i   (μ when the model has no item biases)
 *   unknown item          → μ + b_u   (μ when the model has no user biases)
 *   unknown user and item → μ
 * Implicit models (scores rank, they are not ratings) predict 0 for any unknown id.
 * A model with time effects (bayes-fm's time and user-day groups) adds them to a known pair's score
 * when the rating's timestamp (seconds) is given; without one there is no time effect (FactorModel.timeEffect).
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import type { FactorModel } from "../model/factor-model.js";

/** Why a prediction is a fallback rather than the model's score. */
export type UnknownReason = "unknown-user" | "unknown-item" | "unknown-user-and-item";

/** One prediction with its raw ids. */
export interface Prediction {
  user: string;
  item: string;
  /** The prediction: clipped to the rating scale for explicit models that have one. */
  score: number;
  /** The unclipped value μ + b_u + b_i + p·q (or its fallback). */
  raw: number;
  /** True when both ids are known and the score is the model's own. */
  known: boolean;
  reason?: UnknownReason;
}

/** The reason for dense indices u, i (−1 = unknown), or undefined when both are known. */
export function unknownReason(u: number, i: number): UnknownReason | undefined {
  if (u >= 0 && i >= 0) return undefined;
  if (u < 0 && i < 0) return "unknown-user-and-item";
  return u < 0 ? "unknown-user" : "unknown-item";
}

/** The unclipped score of dense (u, i) with the fallback rule above; −1 marks an unknown id. `timestamp`: see the file header. */
export function rawScoreIndex(model: FactorModel, u: number, i: number, timestamp?: number): number {
  if (u >= 0 && i >= 0) return model.scoreIndex(u, i, timestamp);
  if (model.implicit) return 0;
  let s = model.globalMean;
  if (u >= 0 && model.userBias) s += model.userBias[u]!;
  if (i >= 0 && model.itemBias) s += model.itemBias[i]!;
  return s;
}

/** The final score from a raw one: clipped to the rating scale for explicit models, as is for implicit ones. */
export function finalScore(model: FactorModel, raw: number): number {
  return model.implicit ? raw : model.clip(raw);
}

function checkIndex(i: number, n: number, what: string): void {
  if (!Number.isInteger(i) || i < -1 || i >= n) {
    throw new MfrecError("E_CONFIG", `${what} index ${i} is out of range`, { value: i, expected: `-1 (unknown) or 0..${n - 1}` });
  }
}

/** The prediction for dense (u, i), with −1 for an unknown id (same rule and value as {@link predict}). */
export function predictIndex(model: FactorModel, u: number, i: number, timestamp?: number): number {
  checkIndex(u, model.numUsers, "user");
  checkIndex(i, model.numItems, "item");
  return finalScore(model, rawScoreIndex(model, u, i, timestamp));
}

/**
 * Predict many dense (users[j], items[j]) pairs: out[j] = predictIndex(model, users[j], items[j]),
 * rounded to float32. −1 marks an unknown id and takes the fallback rule. `timestamps[j]` (seconds), when given,
 * is pair j's rating time (time effects, see the file header).
 */
export function predictBatch(model: FactorModel, users: Int32Array, items: Int32Array, timestamps?: ArrayLike<number>): Float32Array {
  if (users.length !== items.length || (timestamps && timestamps.length !== users.length)) {
    throw new MfrecError("E_SHAPE", "users, items (and timestamps) have different lengths", { value: [users.length, items.length, timestamps?.length], expected: "equal lengths" });
  }
  const out = new Float32Array(users.length);
  for (let j = 0; j < users.length; j++) out[j] = predictIndex(model, users[j]!, items[j]!, timestamps?.[j]);
  return out;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** The rating's time in seconds (Unix time): a model with time effects adds them; absent = no time effect. */
  timestamp?: number;
}

/** Predict the rating (or implicit score) of raw `user` for raw `item`; unknown ids take the fallback rule with a reason. */
export function predict(model: FactorModel, user: RawId, item: RawId, opts: PredictOptions = {}): Prediction {
  const u = model.userIndex.indexOf(user);
  const i = model.itemIndex.indexOf(item);
  const t = opts.timestamp;
  if (t !== undefined && !Number.isFinite(t)) throw new MfrecError("E_CONFIG", "option timestamp must be a finite number of seconds", { column: "timestamp", value: t, expected: "a finite number" });
  const raw = rawScoreIndex(model, u, i, t);
  const p: Prediction = { user: String(user), item: String(item), score: finalScore(model, raw), raw, known: u >= 0 && i >= 0 };
  const reason = unknownReason(u, i);
  if (reason) p.reason = reason;
  return p;
}
