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
import { ARENA_MAX_BYTES, f32, fitsKernelMemory, i32, memoryPlan, openArena, u8 } from "./arena-plan.js";
import { kernelCall, runDirect } from "./kernel-calls.js";
import type { WasmKernels } from "./wasm.js";
import type { KernelArena } from "./wasm-arena.js";


/**
 * The graph's kernel memory for n items × k factors, M links: the rows, biases, a_i, levels and upper-layer
 * starts (copied in), the links, the search's visited marks, candidate and result heaps, per-item scale, the
 * query, the context block the kernels read, their scratch, the skip marks and the outputs.
 */
function hnswPlan(n: number, k: number, M: number, upperSlots: number, efC: number) {
  return memoryPlan({
    Q: f32(n * k),
    bias: f32(n),
    aug: f32(n),
    levels: i32(n),
    upperStart: i32(n),
    links0: i32(n * 2 * M),
    deg0: i32(n),
    upper: i32(upperSlots),
    upperDeg: i32(upperSlots / M),
    visited: i32(n),
    candS: f32(n + 1),
    candI: i32(n + 1),
    resS: f32(n + 1),
    resI: i32(n + 1),
    scale: f32(n),
    y: f32(k),
    ctx: i32(32),
    scratch: i32(2 * (efC + 4 * M + 2)),
    skip: u8(n),
    outI: i32(n),
    outS: f32(n),
  });
}

/** True when the WASM path can hold this graph (SIMD present, arena within 4 GiB). */
export function hnswWasmFits(n: number, k: number, M: number, upperSlots: number, efC: number): boolean {
  return wasmSimdSupported() && fitsKernelMemory([hnswPlan(n, k, M, upperSlots, efC)], ARENA_MAX_BYTES);
}

/** One graph in wasm memory, for building and searching. */
export class WasmHnsw {
  readonly graph: HnswGraph;
  private readonly arena: KernelArena;
  private readonly x: WasmKernels;
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
    const plan = hnswPlan(n, k, M, slots, efC);
    if (!fitsKernelMemory([plan], ARENA_MAX_BYTES)) throw new MfrecError("E_UNSUPPORTED", "the ANN graph does not fit in 4 GiB of wasm memory", { value: plan.bytes, hint: 'use kernels: "ts"' });
    const { arena: a } = openArena([plan]);
    this.arena = a;
    this.k = k;
    this.x = a.kernels;
    const { Q, bias: b, aug, levels: lv, upperStart: us, links0, deg0, upper, upperDeg, visited, candS, candI, resS, resI, scale, y, ctx, scratch, skip, outI, outS } = plan.place(a);
    Q.set(v.Q.subarray(0, n * k));
    const bias = v.bias ? b : null;
    if (v.bias) b.set(v.bias);
    aug.set(v.aug);
    lv.set(levels);
    us.set(start);
    if (from) {
      links0.set(from.links0);
      deg0.set(from.deg0);
      upper.set(from.upper);
      upperDeg.set(from.upperDeg);
    }
    this.scale = scale;
    this.y = y;
    this.ctx = ctx;
    this.ctxF = new Float32Array(this.ctx.buffer, this.ctx.byteOffset, 32);
    this.skip = skip;
    this.outI = outI;
    this.outS = outS;
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
      runDirect(this.x, kernelCall.hnswInsert({ ctx: this.ctx, from, to: Math.min(n, from + chunk), efC }));
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
    const count = runDirect(this.x, kernelCall.hnswSearch({ ctx: c, ef: e, outI: this.outI, outS: this.outS, skip: skip ? this.skip : null }));
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
