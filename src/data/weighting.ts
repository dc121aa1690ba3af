import { MfrecError } from "../core/errors.js";
import type { Ratings } from "./ratings.js";

/**
 * Input helpers for implicit feedback: pure functions Ratings → Ratings that keep the id
 * indexes (dense indices stay valid) and return new value arrays. Nothing is modified in place.
 */

function withValues(r: Ratings, values: Float32Array): Ratings {
  return { ...r, values, report: { ...r.report } };
}

function checkFinite(name: string, v: number, min: number): void {
  if (!Number.isFinite(v) || v < min) throw new MfrecError("E_CONFIG", `${name} is out of range`, { column: name, value: v, expected: `a finite number >= ${min}` });
}

/**
 * Keep ratings with value ≥ `threshold` and set them to 1 (e.g. MovieLens "liked" = rating ≥ 4).
 * The dropped count is recorded in the report's `skipped` (never a silent loss).
 */
export function binarize(ratings: Ratings, threshold: number): Ratings {
  if (!Number.isFinite(threshold)) throw new MfrecError("E_CONFIG", "threshold must be a finite number", { column: "threshold", value: threshold, expected: "a finite number" });
  let keep = 0;
  for (let k = 0; k < ratings.length; k++) if (ratings.values[k]! >= threshold) keep++;
  const users = new Int32Array(keep);
  const items = new Int32Array(keep);
  const times = ratings.timestamps ? new Float64Array(keep) : undefined;
  let w = 0;
  for (let k = 0; k < ratings.length; k++) {
    if (ratings.values[k]! < threshold) continue;
    users[w] = ratings.users[k]!;
    items[w] = ratings.items[k]!;
    if (times) times[w] = ratings.timestamps![k]!;
    w++;
  }
  const dropped = ratings.length - keep;
  return {
    ...ratings,
    length: keep,
    users,
    items,
    values: new Float32Array(keep).fill(1),
    timestamps: times,
    report: { ...ratings.report, ratings: keep, skipped: ratings.report.skipped + dropped },
  };
}

/** v ↦ α·ln(1 + v/ε): compresses heavy-tailed counts (play counts) before confidence weighting. */
export function logConfidence(ratings: Ratings, opts: { alpha?: number; epsilon?: number } = {}): Ratings {
  const alpha = opts.alpha ?? 1;
  const eps = opts.epsilon ?? 1;
  checkFinite("alpha", alpha, 0);
  if (!(eps > 0) || !Number.isFinite(eps)) throw new MfrecError("E_CONFIG", "epsilon must be > 0", { column: "epsilon", value: eps, expected: "a finite number > 0" });
  const out = new Float32Array(ratings.length);
  for (let k = 0; k < ratings.length; k++) out[k] = alpha * Math.log1p(Math.max(0, ratings.values[k]!) / eps);
  return withValues(ratings, out);
}

/** Users per item (document frequency) and each user's value sum (document length). */
function counts(r: Ratings): { df: Float64Array; rowSum: Float64Array } {
  const df = new Float64Array(r.itemIndex.size);
  const rowSum = new Float64Array(r.userIndex.size);
  for (let k = 0; k < r.length; k++) {
    df[r.items[k]!]!++;
    rowSum[r.users[k]!]! += r.values[k]!;
  }
  return { df, rowSum };
}

/**
 * TF-IDF with users as documents and items as terms (as in the implicit library):
 * w = √v · idf_i, idf_i = ln(N_users / df_i) (0 for an item every user has).
 */
export function tfidfWeight(ratings: Ratings): Ratings {
  const { df } = counts(ratings);
  const n = ratings.userIndex.size;
  const out = new Float32Array(ratings.length);
  for (let k = 0; k < ratings.length; k++) out[k] = Math.sqrt(Math.max(0, ratings.values[k]!)) * Math.log(n / df[ratings.items[k]!]!);
  return withValues(ratings, out);
}

/**
 * Okapi BM25 weighting (users as documents, items as terms; implicit's bm25_weight):
 * w = v·(K1 + 1) / (K1·((1 − B) + B·|u|/avg|u|) + v) · idf_i, idf_i = ln(N_users / df_i).
 */
export function bm25Weight(ratings: Ratings, opts: { K1?: number; B?: number } = {}): Ratings {
  const K1 = opts.K1 ?? 100;
  const B = opts.B ?? 0.8;
  checkFinite("K1", K1, 0);
  if (!(B >= 0 && B <= 1)) throw new MfrecError("E_CONFIG", "B is out of range", { column: "B", value: B, expected: "a number in [0, 1]" });
  const { df, rowSum } = counts(ratings);
  const n = ratings.userIndex.size;
  let avg = 0;
  for (let u = 0; u < n; u++) avg += rowSum[u]!;
  avg = n === 0 ? 1 : avg / n || 1;
  const out = new Float32Array(ratings.length);
  for (let k = 0; k < ratings.length; k++) {
    const v = Math.max(0, ratings.values[k]!);
    const norm = 1 - B + (B * rowSum[ratings.users[k]!]!) / avg;
    const denom = K1 * norm + v;
    out[k] = denom === 0 ? 0 : ((v * (K1 + 1)) / denom) * Math.log(n / df[ratings.items[k]!]!);
  }
  return withValues(ratings, out);
}
