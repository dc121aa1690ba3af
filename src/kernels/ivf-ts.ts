/**
 * The TS reference of the IVF index (kernels/ivf.ts): the same k-means, lists and query as the WASM SIMD
 * kernels of assembly/ivf.ts, for runtimes without WebAssembly SIMD and catalogues past wasm32's 4 GiB.
 *
 * Bit for bit with the SIMD kernels: every dot product is summed in four f32 lanes (lane f mod 4, each
 * product and sum rounded to f32 with Math.fround; a product of two f32 is exact in f64 and one rounding
 * of an f64 sum of two f32 is the f32 sum), and the lanes are added as (l0 + l1) + (l2 + l3). So the same
 * seed gives the same lists, and a query the same items and similarities, on either kernel (tested).
 *
 * A query scores the model's rows in place (the a_i coordinate of the transform meets a 0 in the query),
 * so the built index keeps no copy of the item rows: its memory is the lists and the centroids.
 */
import type { IpVectors } from "./hnsw.js";
import { type IvfLists, type IvfParams, type IvfProgress, ivfDim, ivfKmeans } from "./ivf.js";

const f32 = Math.fround;

/** Σ a[ao + f]·b[bo + f] over f < d (d % 4 = 0) in the SIMD kernels' lane order. */
function dot4(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  for (let f = 0; f < d; f += 4) {
    l0 = f32(l0 + f32(a[ao + f]! * b[bo + f]!));
    l1 = f32(l1 + f32(a[ao + f + 1]! * b[bo + f + 1]!));
    l2 = f32(l2 + f32(a[ao + f + 2]! * b[bo + f + 2]!));
    l3 = f32(l3 + f32(a[ao + f + 3]! * b[bo + f + 3]!));
  }
  return f32(f32(l0 + l1) + f32(l2 + l3));
}

/** The ivfAssignRange kernel: out[r] = argmax_c (X_r·C_c − h_c), ties to the lower c. */
function assignRows(X: Float32Array, rows: number, d: number, C: Float32Array, h: Float32Array, nlist: number, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    let bc = 0;
    for (let c = 0; c < nlist; c++) {
      const s = f32(dot4(X, r * d, C, c * d, d) - h[c]!);
      if (s > best) {
        best = s;
        bc = c;
      }
    }
    out[r] = bc;
  }
}

/** Bounded selection of the best `cap` (score, id) pairs: higher score first, then lower id (a total order). */
class Best {
  private readonly s: Float64Array;
  private readonly id: Int32Array;
  size = 0;
  constructor(readonly cap: number) {
    this.s = new Float64Array(cap);
    this.id = new Int32Array(cap);
  }
  /** a ranks before b. */
  private static before(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa > sb || (sa === sb && ia < ib);
  }
  /** Min-heap on `before` (root = the worst kept). */
  offer(score: number, id: number): void {
    const { s, id: I } = this;
    if (this.size < this.cap) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!Best.before(s[p]!, I[p]!, score, id)) break;
        s[c] = s[p]!;
        I[c] = I[p]!;
        c = p;
      }
      s[c] = score;
      I[c] = id;
      return;
    }
    if (this.cap === 0 || !Best.before(score, id, s[0]!, I[0]!)) return;
    this.siftDown(score, id, this.size);
  }
  private siftDown(score: number, id: number, size: number): void {
    const { s, id: I } = this;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) break;
      let w = l;
      if (l + 1 < size && Best.before(s[l]!, I[l]!, s[l + 1]!, I[l + 1]!)) w = l + 1;
      if (!Best.before(score, id, s[w]!, I[w]!)) break;
      s[p] = s[w]!;
      I[p] = I[w]!;
      p = w;
    }
    s[p] = score;
    I[p] = id;
  }
  /** Empty the selection into outId/outScore, best first; returns the count. */
  drain(outId: Int32Array, outScore: Float64Array | Float32Array): number {
    const n = this.size;
    for (let m = n - 1; m >= 0; m--) {
      outId[m] = this.id[0]!;
      outScore[m] = this.s[0]!;
      const ls = this.s[m]!;
      const li = this.id[m]!;
      this.size = m;
      if (m > 0) this.siftDown(ls, li, m);
    }
    return n;
  }
}

/** An IVF index searched by the TS reference kernels (no copy of the item rows is kept). */
export class TsIvf {
  readonly lists: IvfLists;
  private readonly v: IpVectors;
  private readonly y: Float32Array;
  private readonly probed: Int32Array;
  private readonly probeScores: Float64Array;
  private readonly selections: { probe?: Best; best?: Best } = {};

  private constructor(v: IpVectors, lists: IvfLists) {
    this.v = v;
    this.lists = lists;
    this.y = new Float32Array(lists.d);
    this.probed = new Int32Array(Math.max(1, lists.nlist));
    this.probeScores = new Float64Array(Math.max(1, lists.nlist));
  }

  /** Stored lists bound to the model's rows. */
  static fromLists(v: IpVectors, lists: Omit<IvfLists, "d">): TsIvf {
    return new TsIvf(v, { ...lists, d: ivfDim(v.k, v.bias !== null) });
  }

  /** k-means and list building, the same lists as WasmIvf.build for the same seed. */
  static build(v: IpVectors, p: IvfParams, onProgress?: IvfProgress): TsIvf {
    const n = v.n;
    const d = ivfDim(v.k, v.bias !== null);
    const nlist = n === 0 ? 0 : Math.min(p.nlist, n);
    const S = Math.min(n, Math.max(p.sample, nlist));
    const lists: IvfLists = { n, d, nlist, centroids: new Float32Array(nlist * d), offsets: new Int32Array(nlist + 1), ids: new Int32Array(n) };
    if (n === 0) return new TsIvf(v, lists);
    const X = new Float32Array(n * d); // build scratch only: queries read the model's rows
    const h = new Float32Array(nlist);
    const out = new Int32Array(Math.max(n, S));
    ivfKmeans(v, p, { lists, X, sampleRows: new Float32Array(S * d), h, assign: out }, (rows, count) => assignRows(rows, count, d, lists.centroids, h, nlist, out), onProgress);
    return new TsIvf(v, lists);
  }

  /** The reused selection of a query step (emptied here; remade when the size changes). */
  private selection(which: "probe" | "best", cap: number): Best {
    let sel = this.selections[which];
    if (!sel || sel.cap !== cap) {
      sel = new Best(cap);
      this.selections[which] = sel;
    }
    sel.size = 0;
    return sel;
  }

  /** Bytes the index adds to its model: centroids, offsets and ids. */
  get byteLength(): number {
    const L = this.lists;
    return L.centroids.byteLength + L.offsets.byteLength + L.ids.byteLength;
  }

  /** y·x'_j for item j (the transformed row [q_j, b_j, a_j, 0…] against [y, yb, 0, 0…]), in the SIMD lane order. */
  private score(j: number): number {
    const { Q, k, bias } = this.v;
    const y = this.y;
    const o = j * k;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    let f = 0;
    for (; f + 4 <= k; f += 4) {
      l0 = f32(l0 + f32(y[f]! * Q[o + f]!));
      l1 = f32(l1 + f32(y[f + 1]! * Q[o + f + 1]!));
      l2 = f32(l2 + f32(y[f + 2]! * Q[o + f + 2]!));
      l3 = f32(l3 + f32(y[f + 3]! * Q[o + f + 3]!));
    }
    // the last partial step: the remaining factors, then the bias (each in its own lane)
    const last = bias ? k + 1 : k;
    for (; f < last; f++) {
      const p = f32(y[f]! * (f < k ? Q[o + f]! : bias![j]!));
      const lane = f & 3;
      if (lane === 0) l0 = f32(l0 + p);
      else if (lane === 1) l1 = f32(l1 + p);
      else if (lane === 2) l2 = f32(l2 + p);
      else l3 = f32(l3 + p);
    }
    return f32(f32(l0 + l1) + f32(l2 + l3));
  }

  /** The same contract as WasmIvf.search: top-R over the nprobe best lists, skipping skip[j] ≠ 0; best first. */
  search(y: ArrayLike<number>, yb: number, scale: Float32Array | null, _scaleKey: unknown, nprobe: number, R: number, skip: Uint8Array | null, outId: Int32Array, outSim: Float64Array): number {
    const { n, d, nlist, centroids, offsets, ids } = this.lists;
    if (n === 0) return 0;
    const k = this.v.k;
    for (let f = 0; f < k; f++) this.y[f] = y[f]!;
    let f = k;
    if (this.v.bias) this.y[f++] = yb;
    for (; f < d; f++) this.y[f] = 0;
    const probe = this.selection("probe", Math.max(1, Math.min(nprobe, nlist)));
    for (let c = 0; c < nlist; c++) probe.offer(dot4(this.y, 0, centroids, c * d, d), c);
    const np = probe.drain(this.probed, this.probeScores);
    const best = this.selection("best", Math.max(1, Math.min(R, n)));
    for (let l = 0; l < np; l++) {
      const c = this.probed[l]!;
      for (let p = offsets[c]!, e = offsets[c + 1]!; p < e; p++) {
        const j = ids[p]!;
        if (skip && skip[j]) continue;
        let s = this.score(j);
        if (scale) s = f32(s * scale[j]!);
        best.offer(s, j);
      }
    }
    return best.drain(outId, outSim);
  }
}
