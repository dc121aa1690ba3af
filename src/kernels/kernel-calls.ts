/**
 * Typed call builders for the WebAssembly kernels. Each kernel's leading arguments are listed here by name, in
 * the order of its signature in assembly/*.ts (a test compares both, name by name, and each arity with the
 * instantiated module's export); a builder takes them as one object, so a missing, misspelt or misplaced
 * argument does not compile, and produces the positional call a pool runs:
 *
 *     pool.run({ ...kernelCall.gramPartRange({ Y: X, k, parts }), shards });
 *
 * A pointer argument is a view into the arena (its byteOffset is passed; null passes 0, "none"); a number
 * argument is a number or a flag (true = 1). Range kernels take (start, end, shard, scratch) after these:
 * the pool adds them; {@link runRange} does so for a direct call on one thread.
 */
import type { KernelName, WasmKernels } from "./wasm.js";

const ptr = "ptr" as const;
const num = "num" as const;

/** Every kernel's leading arguments in signature order: "ptr" (usize, a view) or "num" (i32/f32/f64). */
export const KERNEL_SIGNATURES = {
  sgdRange: { users: ptr, items: ptr, values: ptr, P: ptr, Q: ptr, bu: ptr, bi: ptr, k: num, mu: num, lr: num, reg: num, regBias: num, useBias: num, lossOut: ptr },
  gramRange: { Y: ptr, k: num, G: ptr },
  alsCholeskyRange: { indptr: ptr, indices: ptr, values: ptr, table: ptr, X: ptr, Y: ptr, bx: ptr, by: ptr, k: num, mu: num, reg: num, regBias: num, scaleByCount: num, useBias: num },
  cgRange: { indptr: ptr, indices: ptr, extra: ptr, target: ptr, table: ptr, X: ptr, Y: ptr, G: ptr, k: num, w0: num, lambda: num, nu: num, nCols: num, steps: num, lossOut: ptr },
  scoreRange: { U: ptr, V: ptr, k: num, nItems: num, mu: num, userBias: ptr, itemBias: ptr, out: ptr, first: num },
  alsCgRange: { indptr: ptr, indices: ptr, values: ptr, table: ptr, X: ptr, Y: ptr, bx: ptr, by: ptr, k: num, mu: num, reg: num, regBias: num, scaleByCount: num, useBias: num, steps: num },
  sseRange: { indptr: ptr, indices: ptr, values: ptr, table: ptr, X: ptr, Y: ptr, bx: ptr, by: ptr, k: num, mu: num, useBias: num, lossOut: ptr },
  scoreTopKRange: { U: ptr, V: ptr, k: num, nItems: num, mu: num, userBias: ptr, itemBias: ptr, histPtr: ptr, histIdx: ptr, n: num, outItems: ptr, outScores: ptr, first: num },
  gramPartRange: { Y: ptr, k: num, parts: ptr },
  sgdPackedRange: { codes: ptr, values: ptr, table: ptr, P: ptr, Q: ptr, bu: ptr, bi: ptr, k: num, mu: num, lr: num, reg: num, regBias: num, useBias: num, lossOut: ptr, bases: ptr, itemBits: num, valueBits: num },
  cgShardRange: { segPtr: ptr, rows: ptr, extra: ptr, target: ptr, table: ptr, nOther: num, Y: ptr, X: ptr, R: ptr, Pv: ptr, AP: ptr, rs: ptr, active: ptr, counts: ptr, G: ptr, k: num, w0: num, lambda: num, nu: num, nCols: num, phase: num },
  alsCgShardRange: { segPtr: ptr, rows: ptr, values: ptr, table: ptr, nOther: num, Y: ptr, by: ptr, X: ptr, bx: ptr, R: ptr, Pv: ptr, AP: ptr, sc: ptr, active: ptr, counts: ptr, k: num, mu: num, reg: num, regBias: num, scaleByCount: num, useBias: num, phase: num },
  bprBlockRange: { indptr: ptr, indices: ptr, users: ptr, items: ptr, perm: ptr, P: ptr, Q: ptr, bias: ptr, k: num, lr: num, reg: num, regBias: num, useBias: num, meta: ptr, lossOut: ptr },
  wcholRange: { indptr: ptr, indices: ptr, extra: ptr, target: ptr, table: ptr, X: ptr, Y: ptr, G: ptr, k: num, w0: num, lambda: num, nu: num, nCols: num, lossOut: ptr },
  ivfAssignRange: { X: ptr, d: num, C: ptr, h: ptr, nlist: num, out: ptr },
  bfmCachesRange: { indptr: ptr, indices: ptr, resid: ptr, other: ptr, stride: num, col: num, a: ptr, g: ptr, bins: ptr, T: ptr },
  bfmGroupRange: { occPtr: ptr, occIndices: ptr, occWeights: ptr, theta: ptr, stride: num, col: num, sums: ptr, a: ptr, g: ptr, alpha: num, mu: num, lambda: num, noise: ptr },
  bfmResidualUpdateRange: { indptr: ptr, indices: ptr, resid: ptr, other: ptr, stride: num, col: num, sums: ptr, before: ptr, bins: ptr, T: ptr },
  bfmResidualsRange: { indptr: ptr, indices: ptr, values: ptr, U: ptr, I: ptr, w: num, w0: num, resid: ptr, lossOut: ptr, bins: ptr, T: ptr, k: num, dayBins: ptr, D: ptr },
  bfmTimeCachesRange: { indptr: ptr, indices: ptr, bins: ptr, resid: ptr, U: ptr, I: ptr, stride: num, col: num, linear: num, a: ptr, g: ptr },
  bfmTimeResidualUpdateRange: { indptr: ptr, indices: ptr, bins: ptr, resid: ptr, U: ptr, I: ptr, stride: num, col: num, linear: num, sums: ptr, before: ptr },
  bfmGroupSumsRange: { occPtr: ptr, occIndices: ptr, occWeights: ptr, theta: ptr, w: num, sums: ptr },
  hybridEpochRange: {
    uIndptr: ptr, uRows: ptr, uWeights: ptr, uVec: ptr, uAcc: ptr, uBias: ptr, uBiasAcc: ptr,
    iIndptr: ptr, iRows: ptr, iWeights: ptr, iVec: ptr, iAcc: ptr, iBias: ptr, iBiasAcc: ptr,
    posUser: ptr, posItem: ptr, posIndptr: ptr, posSorted: ptr, pool: ptr, values: ptr, order: ptr,
    rng: ptr, warpWeights: ptr, work: ptr, lossOut: ptr,
    k: num, uIdRows: num, iIdRows: num, nPool: num, loss: num, maxSampled: num,
    lr: num, lambda: num, lambdaF: num, idDropout: num, mu: num,
  },
  ivfProbe: { C: ptr, nlist: num, d: num, y: ptr, nprobe: num, scratch: ptr, outLists: ptr },
  ivfScan: { X: ptr, ids: ptr, offsets: ptr, d: num, y: ptr, lists: ptr, np: num, R: num, skipL: ptr, scale: ptr, scratch: ptr, outI: ptr, outS: ptr },
  hnswInsert: { ctx: ptr, from: num, to: num, efC: num },
  hnswSearch: { ctx: ptr, ef: num, outI: ptr, outS: ptr, skip: ptr },
} as const satisfies { readonly [K in Exclude<keyof WasmKernels, "heapBase">]: Readonly<Record<string, "ptr" | "num">> };

type Signatures = typeof KERNEL_SIGNATURES;

/** A pointer argument: a view into the kernel arena (null: the null pointer). */
export type KernelPointer = ArrayBufferView | null;

/** The named arguments of kernel K. */
export type KernelArgs<K extends keyof Signatures> = { readonly [F in keyof Signatures[K]]: Signatures[K][F] extends "ptr" ? KernelPointer : number | boolean };

declare const built: unique symbol;

/** Positional arguments made by a builder (branded: a hand-written number list does not type-check as one). */
export type KernelCallArgs = readonly number[] & { readonly [built]: true };

/** A kernel call with its leading arguments in signature order (what a pool's task carries). */
export interface KernelCall<K extends keyof Signatures = keyof Signatures> {
  readonly kernel: K;
  readonly args: KernelCallArgs;
}

/** One builder per kernel. */
export type KernelCallBuilders = { readonly [K in keyof Signatures]: (args: KernelArgs<K>) => KernelCall<K> };

function builder<K extends keyof Signatures>(kernel: K): (a: KernelArgs<K>) => KernelCall<K> {
  const sig = KERNEL_SIGNATURES[kernel] as Readonly<Record<string, "ptr" | "num">>;
  const names = Object.keys(sig);
  return (a) => {
    const named = a as unknown as Readonly<Record<string, KernelPointer | number | boolean>>;
    const args = names.map((n) => {
      const v = named[n];
      if (sig[n] === "ptr") return v === null ? 0 : (v as ArrayBufferView).byteOffset;
      return typeof v === "boolean" ? (v ? 1 : 0) : (v as number);
    });
    return { kernel, args: args as unknown as KernelCallArgs };
  };
}

/** The builders: `kernelCall.sgdRange({ users, items, ... })`. */
export const kernelCall: KernelCallBuilders = Object.fromEntries(Object.keys(KERNEL_SIGNATURES).map((k) => [k, builder(k as keyof Signatures)])) as unknown as KernelCallBuilders;

/** Kernels called directly (not over shards): they return a count. */
export type DirectKernel = "ivfProbe" | "ivfScan" | "hnswInsert" | "hnswSearch";

/** Run a range kernel's call over [start, end) on this thread (shard 0 unless given; scratch 0: kernels needing none). */
export function runRange(kernels: WasmKernels, call: KernelCall<KernelName>, start: number, end: number, shard = 0, scratch = 0): void {
  (kernels[call.kernel] as (...a: number[]) => void)(...call.args, start, end, shard, scratch);
}

/** Run a direct kernel's call; its result (a count, or 0 for hnswInsert). */
export function runDirect(kernels: WasmKernels, call: KernelCall<DirectKernel>): number {
  return (kernels[call.kernel] as (...a: number[]) => number | undefined)(...call.args) ?? 0;
}
