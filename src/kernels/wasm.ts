/**
 * Loader of the WebAssembly SIMD kernels (assembly/kernels.ts). The bytes are embedded as base64
 * (wasm-binary.generated.ts), so Node, browsers and workers load them without fs or fetch.
 * Two builds: against a plain imported memory (one thread) and a shared one (worker pools).
 */
import { MfrecError } from "../core/errors.js";
import { WASM_SIMD_BASE64, WASM_THREADS_BASE64 } from "./wasm-binary.generated.js";

/** The kernel exports. Pointers are byte offsets into the arena's memory; every kernel ends with (start, end, shard, scratch). */
export interface WasmKernels {
  sgdRange(
    users: number, items: number, values: number, P: number, Q: number, bu: number, bi: number,
    k: number, mu: number, lr: number, reg: number, regBias: number, useBias: number, lossOut: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  sgdPackedRange(
    codes: number, values: number, table: number, P: number, Q: number, bu: number, bi: number,
    k: number, mu: number, lr: number, reg: number, regBias: number, useBias: number, lossOut: number, bases: number, itemBits: number, valueBits: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  gramRange(Y: number, k: number, G: number, start: number, end: number, shard: number, scratch: number): void;
  alsCholeskyRange(
    indptr: number, indices: number, values: number, table: number, X: number, Y: number, bx: number, by: number,
    k: number, mu: number, reg: number, regBias: number, scaleByCount: number, useBias: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  cgRange(
    indptr: number, indices: number, extra: number, target: number, table: number, X: number, Y: number, G: number,
    k: number, w0: number, lambda: number, nu: number, nCols: number, steps: number, lossOut: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  alsCgRange(
    indptr: number, indices: number, values: number, table: number, X: number, Y: number, bx: number, by: number,
    k: number, mu: number, reg: number, regBias: number, scaleByCount: number, useBias: number, steps: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  sseRange(
    indptr: number, indices: number, values: number, table: number, X: number, Y: number, bx: number, by: number,
    k: number, mu: number, useBias: number, lossOut: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  scoreRange(
    U: number, V: number, k: number, nItems: number, mu: number, userBias: number, itemBias: number, out: number, first: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  scoreTopKRange(
    U: number, V: number, k: number, nItems: number, mu: number, userBias: number, itemBias: number,
    histPtr: number, histIdx: number, n: number, outItems: number, outScores: number, first: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** cgRange in lockstep over one row shard, entries grouped by column (see assembly/cg.ts); phase 0 residual, 1 a CG step. */
  cgShardRange(
    segPtr: number, rows: number, extra: number, target: number, table: number, nOther: number, Y: number,
    X: number, R: number, Pv: number, AP: number, rs: number, active: number, counts: number, G: number,
    k: number, w0: number, lambda: number, nu: number, nCols: number, phase: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** alsCgRange in lockstep over one row shard, entries grouped by column (see assembly/als-cg.ts); phase 0 residual, 1 a CG step. */
  alsCgShardRange(
    segPtr: number, rows: number, values: number, table: number, nOther: number, Y: number, by: number,
    X: number, bx: number, R: number, Pv: number, AP: number, sc: number, active: number, counts: number,
    k: number, mu: number, reg: number, regBias: number, scaleByCount: number, useBias: number, phase: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** Partial YᵀY of rows [start, end) into parts[shard] (k×k f32); the caller sums parts in shard order. */
  gramPartRange(Y: number, k: number, parts: number, start: number, end: number, shard: number, scratch: number): void;
  /** BPR steps on one block of the parallel schedule (src/train/bpr/kernel.ts bprBlockRange); meta[3·shard] = [itemLo, itemHi, seed]. */
  bprBlockRange(
    indptr: number, indices: number, users: number, items: number, perm: number, P: number, Q: number, bias: number,
    k: number, lr: number, reg: number, regBias: number, useBias: number, meta: number, lossOut: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** Exact weighted-ALS row solves of rows [start, end) (assembly/wchol.ts; weightedAlsHalfSweep solver 1), loss part to lossOut[shard] when ≠ 0. */
  wcholRange(
    indptr: number, indices: number, extra: number, target: number, table: number, X: number, Y: number, G: number,
    k: number, w0: number, lambda: number, nu: number, nCols: number, lossOut: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** bayes-fm (assembly/bayes-fm.ts; TS reference src/train/bayes-fm/kernel.ts, same bytes): row caches A, G. */
  bfmCachesRange(indptr: number, indices: number, resid: number, other: number, stride: number, col: number, a: number, g: number, bins: number, T: number, start: number, end: number, shard: number, scratch: number): void;
  /** bayes-fm: one column of a group's parameter rows (occPtr 0 = the id group). */
  bfmGroupRange(
    occPtr: number, occIndices: number, occWeights: number, theta: number, stride: number, col: number, sums: number,
    a: number, g: number, alpha: number, mu: number, lambda: number, noise: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** bayes-fm: residuals after a column's draws. */
  bfmResidualUpdateRange(indptr: number, indices: number, resid: number, other: number, stride: number, col: number, sums: number, before: number, bins: number, T: number, start: number, end: number, shard: number, scratch: number): void;
  /** bayes-fm: e = r − w₀ − U·I (− the per-rating groups' τ) for user rows, Σe² to lossOut[shard]. */
  bfmResidualsRange(
    indptr: number, indices: number, values: number, U: number, I: number, w: number, w0: number, resid: number, lossOut: number,
    bins: number, T: number, k: number, dayBins: number, D: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** bayes-fm: a per-rating group's (time bins, user-day) caches A, G (accumulated: the caller zeroes them). */
  bfmTimeCachesRange(
    indptr: number, indices: number, bins: number, resid: number, U: number, I: number, stride: number, col: number, linear: number, a: number, g: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** bayes-fm: residuals after a per-rating group's draws. */
  bfmTimeResidualUpdateRange(
    indptr: number, indices: number, bins: number, resid: number, U: number, I: number, stride: number, col: number, linear: number, sums: number, before: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** bayes-fm: an implicit group's contribution to the side sums. */
  bfmGroupSumsRange(occPtr: number, occIndices: number, occWeights: number, theta: number, w: number, sums: number, start: number, end: number, shard: number, scratch: number): void;
  /** One hybrid epoch, losses warp (0), bpr (1) and squared (2) (assembly/hybrid.ts; TS reference src/train/hybrid/kernel.ts, same bytes). */
  hybridEpochRange(
    uIndptr: number, uRows: number, uWeights: number, uVec: number, uAcc: number, uBias: number, uBiasAcc: number,
    iIndptr: number, iRows: number, iWeights: number, iVec: number, iAcc: number, iBias: number, iBiasAcc: number,
    posUser: number, posItem: number, posIndptr: number, posSorted: number, pool: number, values: number, order: number,
    rng: number, warpWeights: number, work: number, lossOut: number,
    k: number, uIdRows: number, iIdRows: number, nPool: number, loss: number, maxSampled: number,
    lr: number, lambda: number, lambdaF: number, idDropout: number, mu: number,
    start: number, end: number, shard: number, scratch: number,
  ): void;
  /** Nearest centroid of rows [start, end) (assembly/ivf.ts; the IVF ANN index's k-means and lists). */
  ivfAssignRange(X: number, d: number, C: number, h: number, nlist: number, out: number, start: number, end: number, shard: number, scratch: number): void;
  /** IVF probe (assembly/ivf.ts): the nprobe best lists for query y; returns the count. */
  ivfProbe(C: number, nlist: number, d: number, y: number, nprobe: number, scratch: number, outLists: number): number;
  /** IVF scan (assembly/ivf.ts): the best R unskipped rows of the probed lists; returns the count. */
  ivfScan(X: number, ids: number, offsets: number, d: number, y: number, lists: number, np: number, R: number, skipL: number, scale: number, scratch: number, outI: number, outS: number): number;
  /** HNSW insert of items [from, to) (assembly/hnsw.ts; the context block at ctx, see kernels/hnsw-wasm.ts). */
  hnswInsert(ctx: number, from: number, to: number, efC: number): void;
  /** HNSW search for the query in the context block; returns the count. */
  hnswSearch(ctx: number, ef: number, outI: number, outS: number, skip: number): number;
  heapBase(): number;
}

/** Names of the kernels a pool can run over shards. */
export type KernelName = Exclude<keyof WasmKernels, "heapBase" | "ivfProbe" | "ivfScan" | "hnswInsert" | "hnswSearch">;

/** Kernel ids as written into a pool's shared control block (order is part of the worker protocol). */
export const KERNEL_NAMES: readonly KernelName[] = ["sgdRange", "gramRange", "alsCholeskyRange", "cgRange", "scoreRange", "alsCgRange", "sseRange", "scoreTopKRange", "gramPartRange", "sgdPackedRange", "cgShardRange", "alsCgShardRange", "bprBlockRange", "wcholRange", "ivfAssignRange", "bfmCachesRange", "bfmGroupRange", "bfmResidualUpdateRange", "bfmResidualsRange", "bfmGroupSumsRange", "bfmTimeCachesRange", "bfmTimeResidualUpdateRange", "hybridEpochRange"];

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const cache: { simd?: WebAssembly.Module; threads?: WebAssembly.Module } = {};
let simdOk: boolean | undefined;

/** True when this runtime validates the SIMD build (WebAssembly with fixed-width SIMD). */
export function wasmSimdSupported(): boolean {
  if (simdOk === undefined) {
    try {
      simdOk = typeof WebAssembly === "object" && WebAssembly.validate(decodeBase64(WASM_SIMD_BASE64));
    } catch {
      simdOk = false;
    }
  }
  return simdOk;
}

/** True when worker pools can share one memory (SharedArrayBuffer present, threads build validates). */
export function wasmThreadsSupported(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || !wasmSimdSupported()) return false;
  try {
    return WebAssembly.validate(decodeBase64(WASM_THREADS_BASE64));
  } catch {
    return false;
  }
}

/**
 * The compiled module (cached), synchronously. Browsers refuse synchronous compiles of more than
 * 4 KB on the main thread: there, await {@link kernelModuleAsync} first (it fills the same cache).
 */
export function kernelModule(shared: boolean): WebAssembly.Module {
  const key = shared ? "threads" : "simd";
  let m = cache[key];
  if (!m) {
    if (!wasmSimdSupported()) throw new MfrecError("E_UNSUPPORTED", "this runtime has no WebAssembly SIMD", { hint: "use the TypeScript kernels" });
    m = new WebAssembly.Module(decodeBase64(shared ? WASM_THREADS_BASE64 : WASM_SIMD_BASE64));
    cache[key] = m;
  }
  return m;
}

/** The compiled module (cached), compiled off the main thread where the runtime can. */
export async function kernelModuleAsync(shared: boolean): Promise<WebAssembly.Module> {
  const key = shared ? "threads" : "simd";
  const hit = cache[key];
  if (hit) return hit;
  const m = await WebAssembly.compile(decodeBase64(shared ? WASM_THREADS_BASE64 : WASM_SIMD_BASE64));
  cache[key] = m;
  return m;
}

/** Instantiate the kernels against `memory` (shared memory needs the threads build). */
export function instantiateKernels(memory: WebAssembly.Memory, shared: boolean, module: WebAssembly.Module = kernelModule(shared)): WasmKernels {
  const abort = (): never => {
    throw new MfrecError("E_UNSUPPORTED", "a WebAssembly kernel aborted");
  };
  // exp and log1p: hybrid's BPR step (assembly/hybrid.ts) calls the host's own, so it computes the TS kernel's values.
  const instance = new WebAssembly.Instance(module, { env: { memory, abort, exp: Math.exp, log1p: Math.log1p } });
  return instance.exports as unknown as WasmKernels;
}
