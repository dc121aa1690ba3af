/**
 * recommendAll through an ANN index: each user's list from the top-N path with the index (history skipped
 * exactly), falling back to the exact scan for a user whose filtered search finds fewer than n items.
 * One thread, one searcher; lists as recommend() with the same `ann` index reports them.
 */
import type { AnnIndex } from "../model/ann-index.js";
import type { FactorModel } from "../model/factor-model.js";
import { finalScore } from "./predict.js";
import { maskRated } from "./recommend.js";
import { topNForRow, userRow } from "./top-n.js";

/** One user's list (same shape as recommendAll's). */
export interface AnnUserList {
  user: string;
  items: string[];
  scores: number[];
}

/** The lists of users `order` (dense indices), n items each. */
export function* recommendAllAnn(model: FactorModel, index: AnnIndex, order: Int32Array, n: number, excludeRated: boolean, efSearch?: number, nprobe?: number): Generator<AnnUserList> {
  const nI = model.numItems;
  const mask = new Uint8Array(nI);
  const h = model.history;
  let exact: Float32Array | undefined;
  for (let t = 0; t < order.length; t++) {
    const u = order[t]!;
    if (excludeRated) maskRated(model, u, mask);
    const top = topNForRow(model, userRow(model, u), { n, mask, ann: index, efSearch, nprobe, scores: (exact ??= new Float32Array(nI)) });
    if (excludeRated && h && u < h.rows) for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) mask[h.indices[p]!] = 0;
    const items: string[] = new Array(top.length);
    const scores: number[] = new Array(top.length);
    for (let r = 0; r < top.length; r++) {
      items[r] = model.itemIndex.idAt(top[r]!);
      scores[r] = finalScore(model, model.scoreIndex(u, top[r]!));
    }
    yield { user: model.userIndex.idAt(u), items, scores };
  }
}
