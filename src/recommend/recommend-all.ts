/**
 * Top-N for every user (batch scoring), block by block: memory is bounded by one block of users,
 * whatever the number of users.
 *
 * Two paths (option `kernels`, as in fit):
 * - TS (the reference): blocks of `batchSize` users × all items are scored into one reused
 *   Float32Array, item tile by item tile so a tile of Q stays in cache across the block's users, then
 *   each user's n best are picked with the heap top-k kernel. Each cell is computed exactly as
 *   recommend() computes it (μ + b_u + b_i + Σ_f p_uf·q_if accumulated in order in a double, stored as
 *   float32) and ties break the same way (lower index first), so the lists equal per-user recommend().
 * - WASM (recommend-all-wasm.ts): the fused SIMD score + exclusion + top-n kernel on a worker pool.
 *   Scores are f32 sums, within float rounding of recommend()'s; items whose scores are that close may
 *   swap. The thread count never changes the output.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { topK } from "../kernels/topk.js";
import type { FactorModel } from "../model/factor-model.js";
import { defaultPoolFactory } from "../parallel/pool-factory.js";
import { resultCount } from "./candidates.js";
import { finalScore } from "./predict.js";
import { maskRated } from "./recommend.js";
import { resolveAnnIndex } from "../model/ann-index.js";
import type { AnnOptions } from "./ann.js";
import { recommendAllAnn } from "./recommend-all-ann.js";
import { planRecommendAll, type RecommendAllPlan, type RecommendRuntimeOptions, WasmTopKScorer } from "./recommend-all-wasm.js";

/** Options of {@link recommendAll}: `kernels` ("auto" | "wasm" | "ts"), `threads` and `pool` as in fit. */
export interface RecommendAllOptions extends RecommendRuntimeOptions, AnnOptions {
  /** Items per user (default 10). */
  n?: number;
  /** Users scored per block (default 256). */
  batchSize?: number;
  /** Skip each user's training history (default true). */
  excludeRated?: boolean;
  /** Only these raw user ids, in this order (unknown ids throw E_UNKNOWN_USER). Default: every user. */
  users?: readonly RawId[];
}

/** One user's list: raw item ids best first and their scores (as recommend() reports them). */
export interface UserRecommendations {
  user: string;
  items: string[];
  scores: number[];
}

const TILE = 512;

/**
 * Scores of users `us[0..count)` against items [0, nI) into out[b·nI + i] (tiled dense product).
 * Per cell: base_u + b_i + Σ_f P[u,f]·Q[i,f] in a double, stored float32.
 */
function scoreBlock(model: FactorModel, us: Int32Array, count: number, out: Float32Array): void {
  const k = model.factors;
  const nI = model.numItems;
  const P = model.userFactors.data;
  const Q = model.itemFactors.data;
  const bi = model.itemBias ?? null;
  const bu = model.userBias ?? null;
  const mu = model.globalMean;
  for (let i0 = 0; i0 < nI; i0 += TILE) {
    const i1 = Math.min(nI, i0 + TILE);
    for (let b = 0; b < count; b++) {
      const u = us[b]!;
      const po = u * k;
      const base = mu + (bu === null ? 0 : bu[u]!);
      const oo = b * nI;
      let i = i0;
      // Four items per pass share each p_uf load; every cell still sums f = 0..k-1 in order (exact match).
      for (; i + 4 <= i1; i += 4) {
        let s0 = bi === null ? base : base + bi[i]!;
        let s1 = bi === null ? base : base + bi[i + 1]!;
        let s2 = bi === null ? base : base + bi[i + 2]!;
        let s3 = bi === null ? base : base + bi[i + 3]!;
        const q0 = i * k;
        const q1 = q0 + k;
        const q2 = q1 + k;
        const q3 = q2 + k;
        for (let f = 0; f < k; f++) {
          const pf = P[po + f]!;
          s0 += pf * Q[q0 + f]!;
          s1 += pf * Q[q1 + f]!;
          s2 += pf * Q[q2 + f]!;
          s3 += pf * Q[q3 + f]!;
        }
        out[oo + i] = s0;
        out[oo + i + 1] = s1;
        out[oo + i + 2] = s2;
        out[oo + i + 3] = s3;
      }
      for (; i < i1; i++) {
        let s = bi === null ? base : base + bi[i]!;
        const q = i * k;
        for (let f = 0; f < k; f++) s += P[po + f]! * Q[q + f]!;
        out[oo + i] = s;
      }
    }
  }
}

interface Prepared {
  n: number;
  batch: number;
  exclude: boolean;
  order: Int32Array;
}

/** Validate the options and resolve `users` to dense indices (E_CONFIG, E_UNKNOWN_USER). */
function prepare(model: FactorModel, opts: RecommendAllOptions): Prepared {
  const n = resultCount(opts.n);
  const batch = opts.batchSize ?? 256;
  if (!Number.isInteger(batch) || batch < 1) throw new MfrecError("E_CONFIG", "batchSize must be a positive integer", { column: "batchSize", value: batch, expected: "an integer >= 1" });
  let order: Int32Array;
  if (opts.users) {
    order = new Int32Array(opts.users.length);
    opts.users.forEach((id, t) => {
      const u = model.userIndex.indexOf(id);
      if (u < 0) throw new MfrecError("E_UNKNOWN_USER", `user ${JSON.stringify(String(id))} is not known to the model`, { value: id });
      order[t] = u;
    });
  } else {
    order = new Int32Array(model.numUsers);
    for (let u = 0; u < order.length; u++) order[u] = u;
  }
  return { n, batch, exclude: opts.excludeRated ?? true, order };
}

/** The TS reference path over prepared options. */
function* recommendAllTs(model: FactorModel, p: Prepared): Generator<UserRecommendations> {
  const { n, batch, exclude, order } = p;
  const nI = model.numItems;
  const block = new Float32Array(Math.min(batch, Math.max(1, order.length)) * nI);
  const mask = new Uint8Array(nI);
  const h = model.history;
  for (let start = 0; start < order.length; start += batch) {
    const us = order.subarray(start, Math.min(order.length, start + batch));
    scoreBlock(model, us, us.length, block);
    for (let b = 0; b < us.length; b++) {
      const u = us[b]!;
      if (exclude) maskRated(model, u, mask);
      const top = topK(block.subarray(b * nI, (b + 1) * nI), n, mask);
      if (exclude && h && u < h.rows) for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) mask[h.indices[p]!] = 0;
      const items: string[] = new Array(top.length);
      const scores: number[] = new Array(top.length);
      for (let t = 0; t < top.length; t++) {
        items[t] = model.itemIndex.idAt(top[t]!);
        scores[t] = finalScore(model, model.scoreIndex(u, top[t]!));
      }
      yield { user: model.userIndex.idAt(u), items, scores };
    }
  }
}

/** The lists of one scored block: row b of the scorer's output, cut at the first −1 (fewer candidates than n). */
function blockLists(model: FactorModel, s: WasmTopKScorer, us: Int32Array): UserRecommendations[] {
  const lists: UserRecommendations[] = new Array(us.length);
  const n = s.n;
  for (let b = 0; b < us.length; b++) {
    const items: string[] = [];
    const scores: number[] = [];
    for (let t = b * n; t < (b + 1) * n; t++) {
      const i = s.items[t]!;
      if (i < 0) break;
      items.push(model.itemIndex.idAt(i));
      scores.push(finalScore(model, s.scores[t]!));
    }
    lists[b] = { user: model.userIndex.idAt(us[b]!), items, scores };
  }
  return lists;
}

/** How {@link recommendAll} will run for these options: "wasm" or "ts" and the thread count (validates kernels/threads). */
export function recommendAllPlan(full: FactorModel, opts: RecommendAllOptions = {}): RecommendAllPlan {
  const model = full.ranker;
  const users = opts.users ? opts.users.length : model.numUsers;
  return planRecommendAll(model, users, resultCount(opts.n), opts);
}

/**
 * Every user's (or `opts.users`') top-n items by the model's ranker (its ranking part when it has one,
 * as recommend() ranks), block by block (a lazy iterable: stop early at no cost;
 * the WASM path's workers stop when the loop ends or breaks). On the WASM path each block runs
 * synchronously on the pool (Node, or inside a browser worker); on a browser's main thread use
 * {@link recommendAllAsync}.
 */
export function* recommendAll(full: FactorModel, opts: RecommendAllOptions = {}): Generator<UserRecommendations> {
  const model = full.ranker;
  const p = prepare(model, opts);
  const ann = resolveAnnIndex(model, opts.ann);
  if (ann) {
    // one thread, no workers: the ANN path ignores kernels/threads
    yield* recommendAllAnn(model, ann, p.order, p.n, p.exclude, opts.efSearch, opts.nprobe);
    return;
  }
  const plan = planRecommendAll(model, p.order.length, p.n, opts);
  if (plan.kernels === "ts") {
    yield* recommendAllTs(model, p);
    return;
  }
  const s = new WasmTopKScorer(model, p.batch, p.n, p.exclude, p.order, plan, opts.pool ?? defaultPoolFactory());
  try {
    for (let start = 0; start < p.order.length; start += p.batch) {
      const us = p.order.subarray(start, Math.min(p.order.length, start + p.batch));
      s.run(us);
      yield* blockLists(model, s, us);
    }
  } finally {
    s.close().catch(() => {});
  }
}

/** {@link recommendAll} as an async iterable: WASM blocks run with the pool's runAsync, so a page's main thread never blocks on the workers. Same lists. */
export async function* recommendAllAsync(full: FactorModel, opts: RecommendAllOptions = {}): AsyncGenerator<UserRecommendations> {
  const model = full.ranker;
  const p = prepare(model, opts);
  const ann = resolveAnnIndex(model, opts.ann);
  if (ann) {
    // one thread, no workers: the ANN path ignores kernels/threads
    yield* recommendAllAnn(model, ann, p.order, p.n, p.exclude, opts.efSearch, opts.nprobe);
    return;
  }
  const plan = planRecommendAll(model, p.order.length, p.n, opts);
  if (plan.kernels === "ts") {
    yield* recommendAllTs(model, p);
    return;
  }
  const s = new WasmTopKScorer(model, p.batch, p.n, p.exclude, p.order, plan, opts.pool ?? defaultPoolFactory());
  try {
    for (let start = 0; start < p.order.length; start += p.batch) {
      const us = p.order.subarray(start, Math.min(p.order.length, start + p.batch));
      await s.runAsync(us);
      yield* blockLists(model, s, us);
    }
  } finally {
    await s.close();
  }
}
