/**
 * IVF (inverted file) index over the MIPS transform, on the WebAssembly SIMD kernels of assembly/ivf.ts.
 *
 * Item i becomes the padded row x'_i = [q_i, b_i (when biased), a_i, 0…] (a_i of mipsAugment: every x'_i
 * has the same norm, so L2 k-means on x' groups items by direction and norm). k-means (Lloyd, seeded
 * sample, random initial centroids from the sample, an empty list re-seeded by splitting the largest)
 * gives nlist centroids; every item goes to its nearest centroid, and the rows are stored list by list
 * (ids ascending inside a list). A query y = [p, yb, 0, 0…] probes the nprobe lists with the highest y·c
 * and scores their rows exactly in f32 (y·x'_i = p·q_i + yb·b_i: the a_i coordinate meets a 0).
 *
 * Deterministic: the sample, the initial centroids and the k-means sums depend only on the seed and the
 * data; the assignment kernel gives each row the same answer on any thread, so a 1-thread and a 2-thread
 * build give the same lists (tested). Not reentrant: one query at a time per instance.
 */
import { MfrecError } from "../core/errors.js";
import { rngFor } from "../core/rng.js";
import type { IpVectors } from "./hnsw.js";
import { wasmSimdSupported, wasmThreadsSupported } from "./wasm.js";
import { ARENA_MAX_BYTES, f32, fitsKernelMemory, i32, memoryPlan, openArena, u8 } from "./arena-plan.js";
import { type KernelCall, kernelCall, runDirect } from "./kernel-calls.js";
import type { KernelArena } from "./wasm-arena.js";

/** Build parameters of an IVF index. */
export interface IvfParams {
  /** Lists (k-means centroids); at most the item count. */
  nlist: number;
  /** Items k-means is trained on (a seeded sample; all when larger than the catalogue). */
  sample: number;
  /** Lloyd iterations. */
  iters: number;
  seed: number;
}

/** What an IVF index stores (its file sections): centroids, list offsets and the items of each list. */
export interface IvfLists {
  n: number;
  /** Padded row width: k + bias + 1, rounded up to a multiple of 4. */
  d: number;
  nlist: number;
  /** nlist × d, f32. */
  centroids: Float32Array;
  /** nlist + 1: list c holds positions [offsets[c], offsets[c+1]). */
  offsets: Int32Array;
  /** n: the item at each position (a permutation of 0..n−1, ascending inside a list). */
  ids: Int32Array;
}

/** Runs the assignment kernel over fixed row shards (a kernel pool of the parallel layer, given by the caller). */
export interface IvfRunner {
  run(task: KernelCall<"ivfAssignRange"> & { shards: Int32Array }): void;
  close(): unknown;
}

/** Opens a runner on the index's arena (shared memory when threads > 1). */
export type IvfRunnerFactory = (arena: KernelArena, threads: number) => IvfRunner;

/** Fixed shards of `rows` rows, `per` at a time: the same for any thread count. */
function shardsOf(rows: number, per: number): Int32Array {
  const n = Math.max(1, Math.ceil(rows / per));
  const out = new Int32Array(2 * n);
  for (let s = 0; s < n; s++) {
    out[2 * s] = Math.min(rows, s * per);
    out[2 * s + 1] = Math.min(rows, (s + 1) * per);
  }
  return out;
}

/** Row width of the transformed rows for k factors (with or without the item bias). */
export function ivfDim(k: number, bias: boolean): number {
  return (k + (bias ? 1 : 0) + 1 + 3) & ~3;
}

/**
 * The kernel memory of an IVF index of n items (plus `sample` rows of k-means scratch when building): rows in
 * list order, their ids, list offsets, centroids and their half norms, assignments, the sample rows, the query,
 * skip marks, per-item scale, the probe's and scan's scratch, the probed lists and the outputs.
 */
function ivfPlan(n: number, d: number, nlist: number, sample: number) {
  return memoryPlan({
    X: f32(n * d),
    ids: i32(n),
    offsets: i32(nlist + 1),
    centroids: f32(nlist * d),
    h: f32(nlist),
    assign: i32(Math.max(n, sample)),
    sampleRows: f32(sample * d),
    y: f32(d),
    skip: u8(n),
    scale: f32(n),
    scratch: i32(3 * nlist + 2 * n),
    lists: i32(Math.max(1, nlist)),
    outI: i32(n),
    outS: f32(n),
  });
}

/** True when the IVF kernels can run here and hold this catalogue. */
export function ivfWasmFits(n: number, d: number, nlist: number, sample: number): boolean {
  return wasmSimdSupported() && fitsKernelMemory([ivfPlan(n, d, nlist, sample)], ARENA_MAX_BYTES);
}

function writeRow(v: IpVectors, i: number, X: Float32Array, at: number, d: number): void {
  const k = v.k;
  const o = i * k;
  for (let f = 0; f < k; f++) X[at + f] = v.Q[o + f]!;
  let f = k;
  if (v.bias) X[at + f++] = v.bias[i]!;
  X[at + f++] = v.aug[i]!;
  for (; f < d; f++) X[at + f] = 0;
}

/** Progress of an IVF build: `done` of `total` steps (the k-means iterations, then the list step). */
export type IvfProgress = (done: number, total: number, stage: "k-means" | "lists") => void;

/** The arrays an IVF build fills (in wasm memory for the SIMD kernels, plain arrays for the TS reference). */
export interface IvfBuffers {
  /** The index's lists (centroids, offsets, ids are filled; n, d, nlist are set). */
  lists: IvfLists;
  /** n × d: the rows, left in list order. */
  X: Float32Array;
  /** sample × d: the k-means sample's rows. */
  sampleRows: Float32Array;
  /** nlist: ‖C_c‖²/2, set before each assignment. */
  h: Float32Array;
  /** max(n, sample): the assignment's output (the nearest centroid of each row). */
  assign: Int32Array;
}

/** X row p = the transformed row of item ids[p] (rows in list order). */
export function writeListRows(v: IpVectors, lists: IvfLists, X: Float32Array): void {
  const { n, d, ids } = lists;
  for (let p = 0; p < n; p++) writeRow(v, ids[p]!, X, p * d, d);
}

/** ‖C_c‖²/2 per centroid (in f64, rounded once to f32; both kernels read it). */
function halfNorms(C: Float32Array, nlist: number, d: number, h: Float32Array): void {
  for (let c = 0; c < nlist; c++) {
    let s = 0;
    for (let f = 0; f < d; f++) s += C[c * d + f]! * C[c * d + f]!;
    h[c] = s / 2;
  }
}

/** The first `count` entries of a partial Fisher–Yates shuffle of 0..n−1 (count distinct values, in draw order). */
function firstOfShuffle(n: number, count: number, rng: { int(n: number): number }): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, count);
}

/**
 * k-means on a seeded sample, then every item to its nearest centroid and the rows written in list order
 * (see the file comment). `assign(X, rows)` writes the nearest centroid of rows [0, rows) of X to
 * `b.assign` (the ivfAssignRange kernel or its TS reference, which agree bit for bit), with `b.h` current.
 */
export function ivfKmeans(v: IpVectors, p: IvfParams, b: IvfBuffers, assign: (X: Float32Array, rows: number) => void, onProgress?: IvfProgress): void {
  const { n, d, nlist, centroids: C, offsets, ids } = b.lists;
  if (n === 0) return;
  const S = b.sampleRows.length / d;
  // the sample: S distinct items, in index order
  const sample = firstOfShuffle(n, S, rngFor(p.seed, "ivf-sample")).sort();
  const SX = b.sampleRows;
  for (let s = 0; s < S; s++) writeRow(v, sample[s]!, SX, s * d, d);
  // initial centroids: nlist distinct sample rows
  const pick = firstOfShuffle(S, nlist, rngFor(p.seed, "ivf-init"));
  for (let c = 0; c < nlist; c++) C.set(SX.subarray(pick[c]! * d, pick[c]! * d + d), c * d);
  const out = b.assign;
  const sums = new Float64Array(nlist * d);
  const counts = new Int32Array(nlist);
  const run = (X: Float32Array, rows: number) => {
    halfNorms(C, nlist, d, b.h);
    assign(X, rows);
  };
  const total = p.iters + 1;
  for (let it = 0; it < p.iters; it++) {
    run(SX, S);
    sums.fill(0);
    counts.fill(0);
    for (let s = 0; s < S; s++) {
      const c = out[s]!;
      counts[c]!++;
      const o = c * d;
      const r = s * d;
      for (let f = 0; f < d; f++) sums[o + f]! += SX[r + f]!;
    }
    for (let c = 0; c < nlist; c++) {
      if (counts[c] === 0) continue;
      const o = c * d;
      for (let f = 0; f < d; f++) C[o + f] = sums[o + f]! / counts[c]!;
    }
    // an empty list takes half of the largest one: its centroid nudged apart (±1e-4 relative, alternating)
    for (let c = 0; c < nlist; c++) {
      if (counts[c] !== 0) continue;
      let bst = 0;
      for (let e = 1; e < nlist; e++) if (counts[e]! > counts[bst]!) bst = e;
      for (let f = 0; f < d; f++) {
        const x = C[bst * d + f]!;
        const eps = f % 2 === 0 ? 1e-4 : -1e-4;
        C[c * d + f] = x * (1 + eps);
        C[bst * d + f] = x * (1 - eps);
      }
      counts[c] = counts[bst]! >> 1;
      counts[bst] = counts[bst]! - counts[c]!;
    }
    onProgress?.(it + 1, total, "k-means");
  }
  // every item to its nearest centroid (all rows, original order, in X for now)
  for (let i = 0; i < n; i++) writeRow(v, i, b.X, i * d, d);
  run(b.X, n);
  const start = new Int32Array(nlist + 1);
  for (let i = 0; i < n; i++) start[out[i]! + 1]!++;
  for (let c = 0; c < nlist; c++) start[c + 1]! += start[c]!;
  offsets.set(start);
  for (let i = 0; i < n; i++) ids[start[out[i]!]!++] = i;
  writeListRows(v, b.lists, b.X);
  onProgress?.(total, total, "lists");
}

/** One IVF index in wasm memory (rows in list order), for building and searching. */
export class WasmIvf {
  readonly lists: IvfLists;
  private readonly arena: KernelArena;
  private readonly X: Float32Array;
  private readonly y: Float32Array;
  private readonly skip: Uint8Array;
  private readonly scale: Float32Array;
  private scaleKey: unknown = null;
  private readonly scratch: Int32Array;
  private readonly lists_: Int32Array;
  private readonly outI: Int32Array;
  private readonly outS: Float32Array;
  private readonly h: Float32Array;
  private readonly assign: Int32Array;
  private readonly sampleRows: Float32Array;
  private readonly k: number;
  private readonly bias: boolean;

  private constructor(v: IpVectors, nlist: number, sample: number, shared: boolean) {
    const n = v.n;
    const d = ivfDim(v.k, v.bias !== null);
    const plan = ivfPlan(n, d, nlist, sample);
    if (!wasmSimdSupported()) throw new MfrecError("E_UNSUPPORTED", "the IVF ANN index needs WebAssembly SIMD", { hint: 'use method: "hnsw" with kernels: "ts"' });
    if (!fitsKernelMemory([plan], ARENA_MAX_BYTES)) throw new MfrecError("E_UNSUPPORTED", "the IVF index does not fit in 4 GiB of wasm memory", { value: plan.bytes, hint: 'use method: "hnsw" with kernels: "ts"' });
    const { arena: a } = openArena([plan], { shared });
    this.arena = a;
    this.k = v.k;
    this.bias = v.bias !== null;
    const b = plan.place(a);
    const { ids, offsets, centroids } = b;
    this.X = b.X;
    this.h = b.h;
    this.assign = b.assign;
    this.sampleRows = b.sampleRows;
    this.y = b.y;
    this.skip = b.skip;
    this.scale = b.scale;
    this.scratch = b.scratch;
    this.lists_ = b.lists;
    this.outI = b.outI;
    this.outS = b.outS;
    this.lists = { n, d, nlist, centroids, offsets, ids };
  }

  /** Put stored lists on the kernels: rows written from the model in list order (the file keeps no rows). */
  static fromLists(v: IpVectors, lists: Omit<IvfLists, "d">): WasmIvf {
    const w = new WasmIvf(v, lists.nlist, 0, false);
    const L = w.lists;
    L.centroids.set(lists.centroids);
    L.offsets.set(lists.offsets);
    L.ids.set(lists.ids);
    writeListRows(v, L, w.X);
    return w;
  }

  /**
   * k-means and list building (see the file comment). Assignment runs on `threads` threads of the
   * factory's pool; the lists do not depend on the thread count.
   */
  static build(v: IpVectors, p: IvfParams, threads: number, open: IvfRunnerFactory, onProgress?: IvfProgress): WasmIvf {
    const n = v.n;
    const nlist = n === 0 ? 0 : Math.min(p.nlist, n);
    const S = Math.min(n, Math.max(p.sample, nlist));
    const th = threads > 1 && wasmThreadsSupported() && n >= 4096 ? threads : 1;
    const w = new WasmIvf(v, nlist, S, th > 1);
    if (n === 0) return w;
    const pool = open(w.arena, th);
    try {
      const { d, centroids: C } = w.lists;
      const h = w.h;
      const out = w.assign;
      const assign = (X: Float32Array, rows: number) => {
        pool.run({ ...kernelCall.ivfAssignRange({ X, d, C, h, nlist, out }), shards: shardsOf(rows, 2048) });
      };
      ivfKmeans(v, p, { lists: w.lists, X: w.X, sampleRows: w.sampleRows, h, assign: out }, assign, onProgress);
    } finally {
      void pool.close();
    }
    return w;
  }

  /** Bytes of wasm memory this index holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Top-R for query y (similarity y·q_j + yb·b_j, times scale_j when given; `scaleKey` names the scale so
   * an unchanged one is not copied again) over the nprobe best lists, skipping skip[j] ≠ 0; best first.
   */
  search(y: ArrayLike<number>, yb: number, scale: Float32Array | null, scaleKey: unknown, nprobe: number, R: number, skip: Uint8Array | null, outId: Int32Array, outSim: Float64Array): number {
    const { n, d, nlist, centroids, offsets, ids } = this.lists;
    if (n === 0) return 0;
    const k = this.k;
    for (let f = 0; f < k; f++) this.y[f] = y[f]!;
    let f = k;
    if (this.bias) this.y[f++] = yb;
    for (; f < d; f++) this.y[f] = 0;
    if (scale) {
      if (this.scaleKey !== scaleKey) {
        for (let p = 0; p < n; p++) this.scale[p] = scale[ids[p]!]!;
        this.scaleKey = scaleKey;
      }
    }
    const x = this.arena.kernels;
    const np = runDirect(x, kernelCall.ivfProbe({ C: centroids, nlist, d, y: this.y, nprobe: Math.max(1, Math.min(nprobe, nlist)), scratch: this.scratch, outLists: this.lists_ }));
    if (skip) {
      // the skip flags of the probed rows only, in scan order (not the whole n-byte mask)
      const L = this.lists_;
      const sk = this.skip;
      let t = 0;
      for (let l = 0; l < np; l++) {
        const c = L[l]!;
        for (let p = offsets[c]!, e = offsets[c + 1]!; p < e; p++) sk[t++] = skip[ids[p]!]!;
      }
    }
    const r = Math.max(1, Math.min(R, n));
    const call = kernelCall.ivfScan({
      X: this.X, ids, offsets, d, y: this.y, lists: this.lists_, np, R: r, skipL: skip ? this.skip : null, scale: scale ? this.scale : null,
      scratch: this.scratch, outI: this.outI, outS: this.outS,
    });
    const count = runDirect(x, call);
    for (let t = 0; t < count; t++) {
      outId[t] = this.outI[t]!;
      outSim[t] = this.outS[t]!;
    }
    return count;
  }
}
