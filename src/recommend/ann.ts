/**
 * Approximate top-N through an {@link AnnIndex}: the HNSW search proposes `efSearch` candidates (an
 * IVF index: the best max(2n, n + 32) rows of its `nprobe` probed lists), which are then re-scored exactly as the exact path scores them (μ + b_u + b_i + p_u·q_i summed in
 * a double in factor order, stored as float32) and ranked by (−score, index).
 *
 * Filters hold exactly: skipped items (history, `exclude`, outside `items`) are walked through by the
 * search but never returned. When a filter leaves too few candidates the caller falls back to the
 * exact scan: a short allow-list (≤ numItems / {@link ANN_SMALL_ALLOW_LIST_FRACTION}) is scanned
 * exactly from the start, and a search that returns fewer than n items returns null.
 */
import { MfrecError } from "../core/errors.js";
import type { AnnIndex } from "../model/ann-index.js";
import type { FactorModel } from "../model/factor-model.js";

/** An allow-list of at most numItems / 16 items is scanned exactly (cheaper than a filtered graph search). */
export const ANN_SMALL_ALLOW_LIST_FRACTION = 16;

/** Options shared by the ANN paths of recommend, recommendAll and similarItems. */
export interface AnnOptions {
  /**
   * Use an approximate index: an {@link AnnIndex}, `true` for the one built for / loaded against this
   * model (E_CONFIG when none is attached), or `"auto"`: that one when the catalogue has at least
   * ANN_AUTO_MIN_ITEMS (100,000) items and one is attached, else exact. Default false (exact).
   */
  ann?: AnnIndex | boolean | "auto";
  /** HNSW: candidate list size of the search (default: the index's efSearch, 512); larger is slower and closer to exact. Not used by an IVF index. */
  efSearch?: number;
  /** IVF: lists scanned per query (default: the index's nprobe); larger is slower and closer to exact. Not used by an HNSW index. */
  nprobe?: number;
}

/** Candidates an IVF query re-scores: its scan scores are the f32 scores, so a few beyond n cover rounding. */
export function ivfCandidates(n: number): number {
  return Math.max(2 * n, n + 32);
}

function checkProbe(v: number | undefined): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new MfrecError("E_CONFIG", "nprobe must be a positive integer", { column: "nprobe", value: v, expected: "an integer >= 1" });
  return v;
}

function efOf(index: AnnIndex, ef: number | undefined, n: number): number {
  if (index.ivf) return ivfCandidates(n);
  const v = ef ?? index.params.efSearch;
  if (!Number.isInteger(v) || v < 1) throw new MfrecError("E_CONFIG", "efSearch must be a positive integer", { column: "efSearch", value: v, expected: "an integer >= 1" });
  return Math.max(v, n);
}

/** Order candidate positions by (−score, index) and keep the first n. */
function rank(ids: Int32Array, scores: Float32Array, count: number, n: number): Int32Array {
  const pos = Array.from({ length: count }, (_, t) => t);
  pos.sort((a, b) => scores[b]! - scores[a]! || ids[a]! - ids[b]!);
  return Int32Array.from(pos.slice(0, n), (t) => ids[t]!);
}

/**
 * {@link annRecommendIndices} for any query row P[pOff .. pOff + k) with base μ + b_u (a model user,
 * or a folded-in row): candidates re-scored as base + b_i + Σ_f P[pOff+f]·q_if, in a double, stored float32.
 */
export function annTopForRow(
  model: FactorModel,
  index: AnnIndex,
  P: Float32Array,
  pOff: number,
  base: number,
  n: number,
  mask: Uint8Array | null,
  efSearch?: number,
  allowCount?: number,
  nprobe?: number,
): Int32Array | null {
  model = model.ranker;
  if (n === 0) return new Int32Array(0);
  if (allowCount !== undefined && allowCount * ANN_SMALL_ALLOW_LIST_FRACTION <= model.numItems) return null;
  const ef = efOf(index, efSearch, n);
  const k = model.factors;
  const { count, ids: id } = index.query(P.subarray(pOff, pOff + k), 1, 1, ef, mask, checkProbe(nprobe));
  if (count < n) return null;
  const Q = model.itemFactors.data;
  const bi = model.itemBias ?? null;
  const scores = new Float32Array(count);
  for (let t = 0; t < count; t++) {
    const i = id[t]!;
    let s = bi === null ? base : base + bi[i]!;
    const q = i * k;
    for (let f = 0; f < k; f++) s += P[pOff + f]! * Q[q + f]!;
    scores[t] = s;
  }
  return rank(id, scores, count, n);
}

/**
 * The n items most similar to item q (q itself skipped) through the index, best first with their
 * exact scores (q·x)·(‖q‖‖x‖)^(α−1), or null when the exact scan should answer (as for recommend).
 * The search walks the graph with the metric's own score y·x·‖x‖^(α−1).
 */
export function annSimilarIndices(
  index: AnnIndex,
  q: number,
  n: number,
  alpha: number,
  mask: Uint8Array,
  efSearch?: number,
  allowCount?: number,
  nprobe?: number,
): { index: Int32Array; score: Float32Array } | null {
  const model = index.model;
  if (n === 0) return { index: new Int32Array(0), score: new Float32Array(0) };
  if (allowCount !== undefined && allowCount * ANN_SMALL_ALLOW_LIST_FRACTION <= model.numItems) return null;
  const ef = efOf(index, efSearch, n);
  const k = model.factors;
  const F = model.itemFactors.data;
  mask[q] = 1;
  const { count, ids: id } = index.query(F.subarray(q * k, q * k + k), 0, alpha, ef, mask, checkProbe(nprobe));
  if (count < n) return null;
  const norms = alpha === 1 ? null : index.itemNorms();
  const e = alpha - 1;
  const nq = norms === null ? 1 : norms[q]!;
  const scores = new Float32Array(count);
  const qo = q * k;
  for (let t = 0; t < count; t++) {
    const i = id[t]!;
    const o = i * k;
    let v = 0;
    for (let f = 0; f < k; f++) v += F[qo + f]! * F[o + f]!;
    if (e !== 0) {
      const m = nq * norms![i]!;
      v = m > 0 ? v * m ** e : 0;
    }
    scores[t] = v;
  }
  const top = rank(id, scores, count, n);
  const at = new Map<number, number>();
  for (let t = 0; t < count; t++) at.set(id[t]!, scores[t]!);
  return { index: top, score: Float32Array.from(top, (i) => at.get(i)!) };
}
