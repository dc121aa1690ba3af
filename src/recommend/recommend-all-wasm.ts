/**
 * The WebAssembly SIMD path of recommendAll: the item factors and biases are copied into one
 * KernelArena once; each block of users is gathered into small block buffers (their factor rows,
 * biases and history rows), and the fused kernel scoreTopKRange scores every item, drops the
 * history and keeps the n best per user, sharded over the pool's threads by fixed user ranges.
 * Memory: a copy of Q and item biases plus O(block · (k + n) + block's history) — P and the full
 * history CSR are never copied, and no users × items array exists.
 *
 * Scores are summed in f32 SIMD lanes, so they differ from recommend()'s (f64 accumulation) by float
 * rounding, and two items closer than that rounding may swap. Shards are fixed ranges of the block
 * and each user's scores depend on nothing else, so the thread count never changes the output.
 */
import { MfrecError } from "../core/errors.js";
import { wasmSimdSupported, wasmThreadsSupported } from "../kernels/wasm.js";
import { copyOf, f32, i32, memoryPlan, openArena } from "../kernels/arena-plan.js";
import { type KernelCall, kernelCall } from "../kernels/kernel-calls.js";
import { InlinePool } from "../parallel/inline-pool.js";
import { type KernelPool, type KernelTask, rowShards } from "../parallel/pool.js";
import { defaultPoolFactory, type KernelPoolFactory, resolveThreads } from "../parallel/pool-factory.js";
import type { FactorModel } from "../model/factor-model.js";

/** "auto": WASM SIMD for catalogues of ≥ {@link WASM_MIN_ITEMS} items where the runtime has it, else TS; "wasm" fails without SIMD; "ts" is the reference. */
export type RecommendKernels = "auto" | "wasm" | "ts";

/** Below this many items "auto" keeps the TS path: it is cheap there and equals recommend() exactly. */
export const WASM_MIN_ITEMS = 2048;

/** Below this much work (users × items × factors) threads 0 (auto) stays on one thread: starting workers costs more. */
export const SMALL_SCORING_WORK = 1 << 26;

/** Users per shard: fixed ranges of a block, independent of the thread count. */
const SHARD_USERS = 16;

/** How recommendAll will run: the kernels and the thread count it resolves to. */
export interface RecommendAllPlan {
  kernels: "wasm" | "ts";
  threads: number;
}

/** The runtime options shared by recommendAll and its writers (FitOptions' vocabulary). */
export interface RecommendRuntimeOptions {
  /** Default "auto". */
  kernels?: RecommendKernels;
  /** Threads for the WASM path (0 = auto: the pool factory's default, 1 for small work). Default 0. Never changes results. */
  threads?: number;
  /** Worker pool factory (default: the registered one — mfrec/node registers worker_threads — else inline). */
  pool?: KernelPoolFactory;
}

/** Resolve kernels and threads for `users` users at `n` items each (throws E_CONFIG / E_UNSUPPORTED like fit). */
export function planRecommendAll(model: FactorModel, users: number, n: number, opts: RecommendRuntimeOptions): RecommendAllPlan {
  const choice = opts.kernels ?? "auto";
  if (choice !== "auto" && choice !== "wasm" && choice !== "ts") {
    throw new MfrecError("E_CONFIG", "kernels must be auto, wasm or ts", { column: "kernels", value: choice, expected: "auto | wasm | ts" });
  }
  const t = opts.threads ?? 0;
  if (!Number.isInteger(t) || t < 0 || t > 1024) throw new MfrecError("E_CONFIG", "threads must be an integer from 0 (auto) to 1024", { column: "threads", value: t, expected: "0..1024" });
  if (choice === "ts") return { kernels: "ts", threads: 1 };
  if (!wasmSimdSupported()) {
    if (choice === "wasm") throw new MfrecError("E_UNSUPPORTED", "this runtime has no WebAssembly SIMD", { hint: 'use kernels: "ts" or "auto"' });
    return { kernels: "ts", threads: 1 };
  }
  if (choice === "auto" && model.numItems < WASM_MIN_ITEMS) return { kernels: "ts", threads: 1 };
  const factory = opts.pool ?? defaultPoolFactory();
  const work = users * model.numItems * Math.max(1, model.factors);
  let threads = t === 0 && work < SMALL_SCORING_WORK ? 1 : resolveThreads(t, factory);
  if (threads > 1 && !wasmThreadsSupported()) threads = 1;
  if (n === 0 || users === 0 || model.numItems === 0) threads = 1;
  return { kernels: "wasm", threads };
}

/** The n best items of each user of one block, written by the kernel: row b holds user us[b]'s list. */
export class WasmTopKScorer {
  /** Items per row (n clipped to the catalogue); −1 pads rows with fewer candidates. */
  readonly n: number;
  readonly threads: number;
  /** Item indices, block × n (valid after run/runAsync until the next call). */
  readonly items: Int32Array;
  /** Their f32 raw scores μ + b_u + b_i + p·q. */
  readonly scores: Float32Array;
  private readonly pool: KernelPool;
  private readonly U: Float32Array;
  private readonly bu: Float32Array | null;
  private readonly ptr: Int32Array | null;
  private readonly idx: Int32Array | null;
  private readonly call: KernelCall<"scoreTopKRange">;
  private closed = false;

  /** Open the arena and pool for blocks of at most `batch` users of `order` (dense indices, scored in that order). */
  constructor(private readonly model: FactorModel, batch: number, n: number, exclude: boolean, order: Int32Array, plan: RecommendAllPlan, factory: KernelPoolFactory) {
    const k = model.factors;
    const nI = model.numItems;
    this.n = Math.min(n, nI);
    const h = exclude ? model.history : undefined;
    const block = Math.max(1, Math.min(batch, order.length));
    let maxHistory = 0;
    if (h) {
      for (let s = 0; s < order.length; s += batch) {
        let c = 0;
        for (let b = s; b < Math.min(order.length, s + batch); b++) {
          const u = order[b]!;
          if (u < h.rows) c += h.indptr[u + 1]! - h.indptr[u]!;
        }
        if (c > maxHistory) maxHistory = c;
      }
    }
    const threads = plan.threads;
    const mem = memoryPlan({
      Q: copyOf(model.itemFactors.data.subarray(0, nI * k)),
      bi: model.itemBias ? copyOf(model.itemBias) : null,
      U: f32(block * k),
      bu: model.userBias ? f32(block) : null,
      ptr: h ? i32(block + 1) : null,
      idx: h ? i32(Math.max(1, maxHistory)) : null,
      items: i32(block * this.n),
      scores: f32(block * this.n),
    });
    // scoreTopKRange's per-thread scratch: an items-sized mark array and the n-best heap (scores and items)
    const { arena, scratchBytes: scratch } = openArena([mem], { threads, scratch: { factors: k, shapes: [i32(nI), f32(this.n), i32(this.n)] } });
    const { Q, bi, U, bu, ptr, idx, items, scores } = mem.place(arena);
    this.U = U;
    this.bu = bu;
    this.ptr = ptr;
    this.idx = idx;
    this.items = items;
    this.scores = scores;
    this.pool = threads > 1 ? factory.create(arena, { threads, scratchBytes: scratch }) : new InlinePool(arena, scratch);
    this.threads = this.pool.threads;
    this.call = kernelCall.scoreTopKRange({
      U, V: Q, k, nItems: nI, mu: model.globalMean, userBias: bu, itemBias: bi,
      histPtr: ptr, histIdx: idx, n: this.n, outItems: items, outScores: scores, first: 0,
    });
  }

  /** Copy the block's user rows, biases and history rows into the arena; the task that scores them. */
  private gather(us: Int32Array): KernelTask {
    if (this.closed) throw new MfrecError("E_UNSUPPORTED", "this scorer is closed");
    const m = this.model;
    const k = m.factors;
    const P = m.userFactors.data;
    const h = m.history;
    for (let b = 0; b < us.length; b++) {
      const u = us[b]!;
      this.U.set(P.subarray(u * k, (u + 1) * k), b * k);
      if (this.bu) this.bu[b] = m.userBias![u]!;
    }
    if (this.ptr && this.idx && h) {
      let c = 0;
      this.ptr[0] = 0;
      for (let b = 0; b < us.length; b++) {
        const u = us[b]!;
        if (u < h.rows) {
          const lo = h.indptr[u]!;
          const hi = h.indptr[u + 1]!;
          this.idx.set(h.indices.subarray(lo, hi), c);
          c += hi - lo;
        }
        this.ptr[b + 1] = c;
      }
    }
    return { ...this.call, shards: rowShards(us.length, SHARD_USERS) };
  }

  /** Score the block `us` (at most `batch` users), blocking the caller (Node, inline, or a browser worker). */
  run(us: Int32Array): void {
    if (us.length > 0 && this.n > 0) this.pool.run(this.gather(us));
  }

  /** Score the block without blocking the event loop (browser main thread). */
  async runAsync(us: Int32Array): Promise<void> {
    if (us.length > 0 && this.n > 0) await this.pool.runAsync(this.gather(us));
  }

  /** Stop the pool's workers (the arena is left to the garbage collector). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.pool.close();
  }
}
