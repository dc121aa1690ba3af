/**
 * Nearest neighbours in factor space: items similar to an item (by item factors q) and users
 * similar to a user (by user factors p). Brute force over the catalogue with the similarity
 * kernel and the heap top-k; the query row itself is never returned.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId, Scored } from "../core/types.js";
import type { IdIndex } from "../data/id-index.js";
import { rowNorms, similarityRow } from "../kernels/score.js";
import { topK } from "../kernels/topk.js";
import type { DenseMatrix } from "../matrix/dense.js";
import type { AnnIndex } from "../model/ann-index.js";
import type { FactorModel } from "../model/factor-model.js";
import { resolveAnnIndex } from "../model/ann-index.js";
import { type AnnOptions, annSimilarIndices } from "./ann.js";
import { resultCount, skipMask } from "./candidates.js";

/**
 * cosine: q·x / (‖q‖‖x‖); dot: q·x (favours long, often popular, vectors);
 * balanced: ‖q‖^α‖x‖^α·cos(q, x), the middle ground between them (α = 0 is cosine, α = 1 the dot product).
 */
export type SimilarityMetric = "cosine" | "dot" | "balanced";

/** Options of {@link similarItems} and {@link similarUsers}. */
export interface SimilarOptions extends AnnOptions {
  /** How many neighbours (default 10). */
  n?: number;
  /** Default "cosine". */
  metric?: SimilarityMetric;
  /** Exponent α ∈ [0, 1] of the "balanced" metric (default 0.5). */
  alpha?: number;
  /** Rank only these raw ids. */
  candidates?: readonly RawId[];
  /** Never return these raw ids. */
  exclude?: readonly RawId[];
}

/** A user with a similarity score. */
export interface ScoredUser {
  user: string;
  score: number;
}

const normCache = new WeakMap<Float32Array, Float32Array>();

/** ‖row‖₂ of every factor row, computed once per (immutable) factor matrix. */
export function factorNorms(m: DenseMatrix): Float32Array {
  let n = normCache.get(m.data);
  if (!n) {
    n = new Float32Array(m.rows);
    rowNorms(m.data, m.cols, n, 0, m.rows);
    normCache.set(m.data, n);
  }
  return n;
}

/** The exponent α of the metric: cosine 0, dot 1, balanced `alpha` (validated). */
export function metricExponent(metric: SimilarityMetric | undefined, alpha: number | undefined): number {
  const m = metric ?? "cosine";
  if (m === "cosine") return 0;
  if (m === "dot") return 1;
  if (m === "balanced") {
    const a = alpha ?? 0.5;
    if (!(typeof a === "number" && a >= 0 && a <= 1)) throw new MfrecError("E_CONFIG", "alpha of the balanced metric must lie in [0, 1]", { value: a, expected: "0 ≤ alpha ≤ 1" });
    return a;
  }
  throw new MfrecError("E_CONFIG", "unknown similarity metric", { value: m, expected: "cosine, dot or balanced" });
}

/** Dense core: the n rows of F most similar to row q (q itself skipped), best first, with their scores. */
export function similarIndices(F: DenseMatrix, q: number, n: number, alpha: number, mask: Uint8Array): { index: Int32Array; score: Float32Array } {
  const scores = new Float32Array(F.rows);
  similarityRow(F.data, F.cols, q, alpha === 1 ? null : factorNorms(F), alpha, scores, 0, F.rows);
  mask[q] = 1;
  const index = topK(scores, n, mask);
  return { index, score: Float32Array.from(index, (i) => scores[i]!) };
}

function similar(F: DenseMatrix, ids: IdIndex, id: RawId, opts: SimilarOptions, unknown: "E_UNKNOWN_ITEM" | "E_UNKNOWN_USER", ann_: AnnIndex | null = null): Array<[string, number]> {
  const n = resultCount(opts.n);
  const alpha = metricExponent(opts.metric, opts.alpha);
  const q = ids.indexOf(id);
  if (q < 0) {
    const what = unknown === "E_UNKNOWN_ITEM" ? "item" : "user";
    throw new MfrecError(unknown, `${what} ${JSON.stringify(String(id))} is not known to the model`, { value: id });
  }
  const mask = skipMask(ids, opts.candidates, opts.exclude);
  // The ANN index covers items only (similarUsers with `ann` is refused by similarUsers).
  const ann = ann_ ? annSimilarIndices(ann_, q, n, alpha, mask, opts.efSearch, opts.candidates?.length, opts.nprobe) : null;
  const { index, score } = ann ?? similarIndices(F, q, n, alpha, mask);
  return Array.from(index, (i, j) => [ids.idAt(i), score[j]!]);
}

/**
 * The n items most similar to raw `item` by their factors (the ranking part's when the model has one), best first (the item itself excluded;
 * ties: lower dense index first). Throws E_UNKNOWN_ITEM for an item the model does not know.
 */
export function similarItems(model: FactorModel, item: RawId, opts: SimilarOptions = {}): Scored[] {
  return similar(model.ranker.itemFactors, model.itemIndex, item, opts, "E_UNKNOWN_ITEM", resolveAnnIndex(model.ranker, opts.ann)).map(([id, score]) => ({ item: id, score }));
}

/**
 * The n users most similar to raw `user` by their factors (the ranking part's when the model has one), best first (the user excluded).
 * Throws E_UNKNOWN_USER for a user the model does not know.
 */
export function similarUsers(model: FactorModel, user: RawId, opts: SimilarOptions = {}): ScoredUser[] {
  if (opts.ann) throw new MfrecError("E_UNSUPPORTED", "ANN indexes cover items only: similarUsers is always exact", { hint: "drop the ann option" });
  return similar(model.ranker.userFactors, model.userIndex, user, opts, "E_UNKNOWN_USER").map(([id, score]) => ({ user: id, score }));
}
