/**
 * The one top-N path: "score a query row against the items and take the n best" for recommend,
 * recommendAll's per-user fallbacks, the service (model users and folded-in users) and ranking
 * evaluation. It scores in the model's ranker (its ranking part when it has one, else the model),
 * through an ANN index when one is given (exact re-ranking of the candidates, filters exact; null from
 * the index means "answer exactly"), else exactly: only the allow-list when there is one, every item
 * otherwise, with the caller's full-catalogue scorer when it has a faster one (the service's SIMD copy).
 * Items with mask[i] ≠ 0 are never returned; ties go to the lower dense index (topK).
 */
import { scoreRow } from "../kernels/score.js";
import { topK } from "../kernels/topk.js";
import type { AnnIndex } from "../model/ann-index.js";
import type { FactorModel } from "../model/factor-model.js";
import { annTopForRow } from "./ann.js";

/** A query row in a ranker's space: factors P[offset .. offset + k) and base μ + b_u. */
export interface QueryRow {
  P: Float32Array;
  offset: number;
  base: number;
}

/** What {@link topNForRow} is asked. */
export interface TopNRequest {
  n: number;
  /** 1 = never return the item (rated, excluded, outside the allow-list); null = every item may be returned. */
  mask: Uint8Array | null;
  /** The allow-list's dense ids when the caller has one (mask marks every other item): only these are scored. */
  candidates?: Int32Array;
  /** Answer through this index (resolved by the caller); absent or null = exact. */
  ann?: AnnIndex | null;
  efSearch?: number;
  /** IVF indexes: lists probed per query (the index's default when absent). */
  nprobe?: number;
  /** Scratch of at least numItems floats for the exact scores (allocated when absent). */
  scores?: Float32Array;
  /** A faster exact scorer of the whole catalogue (returns a view of numItems scores). */
  scoreAll?: (row: QueryRow) => Float32Array;
}

/** The query row of dense user u of a ranker. */
export function userRow(ranker: FactorModel, u: number): QueryRow {
  return { P: ranker.userFactors.data, offset: u * ranker.factors, base: ranker.globalMean + (ranker.userBias ? ranker.userBias[u]! : 0) };
}

/** The dense indices of the n best items for `row` in `ranker` (pass model.ranker), best first. */
export function topNForRow(ranker: FactorModel, row: QueryRow, req: TopNRequest): Int32Array {
  const nItems = ranker.numItems;
  const mask = req.mask ? req.mask.subarray(0, nItems) : null;
  if (req.ann) {
    const approx = annTopForRow(ranker, req.ann, row.P, row.offset, row.base, req.n, mask, req.efSearch, req.candidates?.length, req.nprobe);
    if (approx) return approx;
  }
  const k = ranker.factors;
  const Q = ranker.itemFactors.data;
  const bi = ranker.itemBias ?? null;
  let scores: Float32Array;
  if (req.candidates) {
    scores = req.scores ?? new Float32Array(nItems);
    for (const i of req.candidates) scoreRow(row.P, row.offset, Q, k, row.base, bi, scores, i, i + 1);
  } else if (req.scoreAll) {
    scores = req.scoreAll(row);
  } else {
    scores = req.scores ?? new Float32Array(nItems);
    scoreRow(row.P, row.offset, Q, k, row.base, bi, scores, 0, nItems);
  }
  return topK(scores.subarray(0, nItems), req.n, mask);
}
