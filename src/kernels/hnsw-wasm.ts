/**
 * The WebAssembly SIMD HNSW (assembly/kernels.ts hnswInsert / hnswSearch): the same algorithm as the
 * TS reference in hnsw.ts with f32 SIMD similarities, over one KernelArena holding a copy of the item
 * rows, biases, a_i and the graph arrays (the graph's typed arrays are views into that memory).
 * Similarities are f32 sums, so the graph differs from the TS build by float rounding; each is
 * deterministic for a seed. Not reentrant: one query at a time per instance.
 */
import { MfrecError } from "../core/errors.js";
import { drawLevels, type HnswGraph, type IpVectors, upperOffsets } from "./hnsw.js";
import { wasmSimdSupported } from "./wasm.js";
import { KernelArena } from "./wasm-arena.js";

interface HnswExports {
  hnswInsert(ctx: number, from: number, to: number, efC: number): void;
  hnswSearch(ctx: number, ef: number, outI: number, outS: number, skip: number): number;
}

/** Largest arena a graph may take (wasm32: 4 GiB minus the module page). */
const MAX_ARENA = 2 ** 32 - 2 * 65536;

/** Arena bytes for n items × k factors, M links. */
export function hnswWasmBytes(n: number, k: number, M: number, upperSlots: number, efC: number): number {
  return KernelArena.bytesFor(n * k * 4, n * 4, n * 4, n * 4, n * 4, n * 2 * M * 4, n * 4, upperSlots * 4, (upperSlots / M) * 4, n * 4, (n + 1) * 4, (n + 1) * 4, (n + 1) * 4, (n + 1) * 4, n * 4, k * 4, 32 * 4, (efC + 4 * M + 2) * 8, n, n * 4, n * 4);
}

/** True when the WASM path can hold this graph (SIMD present, arena within 4 GiB). */
export function hnswWasmFits(n: number, k: number, M: number, upperSlots: number, efC: number): boolean {
  return wasmSimdSupported() && hnswWasmBytes(n, k, M, upperSlots, efC) <= MAX_ARENA;
}

/** One graph in wasm memory, for building and searching. */
export class WasmHnsw {
  readonly graph: HnswGraph;
  private readonly arena: KernelArena;
  private readonly x: HnswExports;
  private readonly ctx: Int32Array;
  private readonly ctxF: Float32Array;
  private readonly y: Float32Array;
  private readonly outI: Int32Array;
  private readonly outS: Float32Array;
  private readonly skip: Uint8Array;
  private readonly scale: Float32Array;
  private scaleKey: unknown = null;
  private readonly k: number;

  /** Lay out the vectors and a graph (empty links when `from` is not given; else a copy of `from`). */
  constructor(v: IpVectors, M: number, levels: Int32Array, efC: number, from?: HnswGraph) {
    const n = v.n;
    const k = v.k;
    const { start, slots } = upperOffsets(levels, M);
    const bytes = hnswWasmBytes(n, k, M, slots, efC);
    if (bytes > MAX_ARENA) throw new MfrecError("E_UNSUPPORTED", "the ANN graph does not fit in 4 GiB of wasm memory", { value: bytes, hint: 'use kernels: "ts"' });
    const a = KernelArena.create(bytes);
    this.arena = a;
    this.k = k;
    this.x = a.kernels as unknown as HnswExports;
    const Q = a.copyF32(v.Q.subarray(0, n * k));
    const bias = v.bias ? a.copyF32(v.bias) : null;
    const aug = a.copyF32(v.aug);
    const lv = a.copyI32(levels);
    const us = a.copyI32(start);
    const links0 = a.i32(n * 2 * M);
    const deg0 = a.i32(n);
    const upper = a.i32(slots);
    const upperDeg = a.i32(slots / M);
    if (from) {
      links0.set(from.links0);
      deg0.set(from.deg0);
      upper.set(from.upper);
      upperDeg.set(from.upperDeg);
    }
    const visited = a.i32(n);
    const candS = a.f32(n + 1);
    const candI = a.i32(n + 1);
    const resS = a.f32(n + 1);
    const resI = a.i32(n + 1);
    this.scale = a.f32(n);
    this.y = a.f32(k);
    this.ctx = a.i32(32);
    this.ctxF = new Float32Array(this.ctx.buffer, this.ctx.byteOffset, 32);
    const scratch = a.i32(2 * (efC + 4 * M + 2));
    this.skip = new Uint8Array(a.memory.buffer, a.i32(Math.ceil(n / 4)).byteOffset, n);
    this.outI = a.i32(n);
    this.outS = a.f32(n);
    const c = this.ctx;
    c[0] = Q.byteOffset;
    c[1] = k;
    c[2] = n;
    c[3] = bias ? bias.byteOffset : 0;
    c[4] = aug.byteOffset;
    c[5] = M;
    c[6] = lv.byteOffset;
    c[7] = us.byteOffset;
    c[8] = links0.byteOffset;
    c[9] = deg0.byteOffset;
    c[10] = upper.byteOffset;
    c[11] = upperDeg.byteOffset;
    c[12] = visited.byteOffset;
    c[13] = 0;
    c[14] = from ? from.entry : 0;
    c[15] = from ? from.maxLevel : n > 0 ? levels[0]! : 0;
    c[16] = candS.byteOffset;
    c[17] = candI.byteOffset;
    c[18] = resS.byteOffset;
    c[19] = resI.byteOffset;
    c[20] = 0;
    c[21] = this.y.byteOffset;
    c[24] = scratch.byteOffset;
    c[25] = 0; // heuristic shrink (1 = replace the least similar link: same recall at 100k, 8% less CPU)
    this.graph = { n, M, levels: lv, entry: c[14]!, maxLevel: c[15]!, links0, deg0, upper, upperDeg };
  }

  /** Insert items [1, n) in order, `chunk` at a time (progress between chunks). */
  build(efC: number, onProgress?: (done: number) => void): void {
    const n = this.graph.n;
    const chunk = 65536;
    for (let from = 1; from < n; from += chunk) {
      this.x.hnswInsert(this.ctx.byteOffset, from, Math.min(n, from + chunk), efC);
      if (onProgress && from + chunk < n) onProgress(from + chunk);
    }
    this.graph.entry = this.ctx[14]!;
    this.graph.maxLevel = this.ctx[15]!;
  }

  /** Bytes of wasm memory this graph holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Top-ef for query y (similarity y·q_j + yb·b_j, times scale_j when given; `scaleKey` names the
   * scale so an unchanged one is not copied again), skipping skip[j] ≠ 0; ids and similarities best first.
   */
  search(y: ArrayLike<number>, yb: number, scale: Float32Array | null, scaleKey: unknown, ef: number, skip: Uint8Array | null, outId: Int32Array, outSim: Float64Array): number {
    const n = this.graph.n;
    if (n === 0) return 0;
    for (let f = 0; f < this.k; f++) this.y[f] = y[f]!;
    const c = this.ctx;
    this.ctxF[22] = yb;
    this.ctxF[23] = 0;
    if (scale) {
      if (this.scaleKey !== scaleKey) {
        this.scale.set(scale);
        this.scaleKey = scaleKey;
      }
      c[20] = this.scale.byteOffset;
    } else c[20] = 0;
    if (skip) this.skip.set(skip.subarray(0, n));
    const e = Math.min(ef, n);
    const count = this.x.hnswSearch(c.byteOffset, e, this.outI.byteOffset, this.outS.byteOffset, skip ? this.skip.byteOffset : 0);
    for (let t = 0; t < count; t++) {
      outId[t] = this.outI[t]!;
      outSim[t] = this.outS[t]!;
    }
    return count;
  }
}

/** Build a graph with the WASM kernels (levels drawn as in the TS build). */
export function buildHnswWasm(v: IpVectors, p: { M: number; efConstruction: number; seed: number }, onProgress?: (done: number) => void): WasmHnsw {
  const levels = drawLevels(v.n, p.M, p.seed);
  const efC = Math.max(p.efConstruction, 2 * p.M);
  const w = new WasmHnsw(v, p.M, levels, efC);
  w.build(efC, onProgress);
  return w;
}
