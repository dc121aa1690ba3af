/**
 * HNSW (Malkov & Yashunin 2016) for maximum inner product search over the MIPS → nearest-neighbour
 * transform of Bachrach et al. 2014: each item vector x_i (its factor row, plus its bias as one more
 * coordinate when there is one) gets one more coordinate a_i = √(M² − ‖x_i‖²), M = max ‖x‖, so every
 * transformed item has norm M; a query gets 0 there. Then for a query y
 *   ‖y − x'_i‖² = ‖y‖² + M² − 2·y·x_i       (ranking by L2 = ranking by inner product)
 * and between items ‖x'_i − x'_j‖² = 2M² − 2(x_i·x_j + a_i·a_j). So the graph is built and searched
 * with inner products only, straight over the model's factor rows: no transformed copy of the
 * catalogue exists, only the a_i (n floats).
 *
 * Pure functions and classes over typed arrays (no ids, no files). Deterministic: levels come from
 * a seeded stream and items are inserted in index order, one at a time, so a seed gives one graph.
 * Ties between equal similarities break by lower index (the heaps compare (sim, index)).
 *
 * Past 400 lines on purpose: this is the TS reference of both the build and the search (the WASM kernel in
 * assembly/kernels.ts mirrors it), and the two share the heaps and the link layout.
 */
import { rngFor } from "../core/rng.js";

/** Build parameters. */
export interface HnswParams {
  /** Links per node on the upper layers (layer 0 keeps 2M). */
  M: number;
  /** Candidate list size while inserting. */
  efConstruction: number;
  seed: number;
}

/** The item side as the graph sees it: factor rows Q (n × k), optional biases, the MIPS coordinate a. */
export interface IpVectors {
  Q: Float32Array;
  k: number;
  n: number;
  bias: Float32Array | null;
  aug: Float32Array;
}

/** The graph's arrays (what an index file stores). */
export interface HnswGraph {
  n: number;
  M: number;
  /** Top layer of each node. */
  levels: Int32Array;
  entry: number;
  maxLevel: number;
  /** Layer-0 links, 2M slots per node, of which deg0[i] are used. */
  links0: Int32Array;
  deg0: Int32Array;
  /** Upper-layer links: node i with level L ≥ 1 owns L blocks of M slots from upperStart(i) (prefix over levels). */
  upper: Int32Array;
  upperDeg: Int32Array;
}

/** a_i = √(M² − ‖x_i‖²) with ‖x_i‖² = ‖q_i‖² (+ b_i²), M = max over items; returns a and M. */
export function mipsAugment(Q: Float32Array, k: number, n: number, bias: Float32Array | null): { aug: Float32Array; maxNorm: number } {
  const sq = new Float64Array(n);
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    let s = bias === null ? 0 : bias[i]! * bias[i]!;
    const o = i * k;
    for (let f = 0; f < k; f++) s += Q[o + f]! * Q[o + f]!;
    sq[i] = s;
    if (s > m2) m2 = s;
  }
  const aug = new Float32Array(n);
  for (let i = 0; i < n; i++) aug[i] = Math.sqrt(Math.max(0, m2 - sq[i]!));
  return { aug, maxNorm: Math.sqrt(m2) };
}

/** Offsets of each node's upper-layer blocks (in slots) and the total slot count. */
export function upperOffsets(levels: Int32Array, M: number): { start: Int32Array; slots: number } {
  const start = new Int32Array(levels.length);
  let at = 0;
  for (let i = 0; i < levels.length; i++) {
    start[i] = at;
    at += levels[i]! * M;
  }
  return { start, slots: at };
}

/** Draw each node's top layer: ⌊−ln U · 1/ln M⌋ from the stream (seed, "hnsw-levels"), capped at 16. */
export function drawLevels(n: number, M: number, seed: number): Int32Array {
  const rng = rngFor(seed, "hnsw-levels");
  const mL = 1 / Math.log(Math.max(2, M));
  const levels = new Int32Array(n);
  for (let i = 0; i < n; i++) levels[i] = Math.min(16, Math.floor(-Math.log(1 - rng.next()) * mL));
  return levels;
}

/** Candidate lists as binary heaps over parallel (sim, id) arrays; `better` = higher sim, then lower id. */
class Heap {
  sim: Float64Array;
  id: Int32Array;
  size = 0;
  /** max: the root is the best; else the root is the worst. */
  constructor(
    cap: number,
    private readonly max: boolean,
  ) {
    this.sim = new Float64Array(cap);
    this.id = new Int32Array(cap);
  }
  private above(sa: number, ia: number, sb: number, ib: number): boolean {
    const better = sa > sb || (sa === sb && ia < ib);
    return this.max ? better : !better && (sa !== sb || ia !== ib);
  }
  grow(cap: number): void {
    if (cap <= this.sim.length) return;
    const s = new Float64Array(cap);
    const d = new Int32Array(cap);
    s.set(this.sim.subarray(0, this.size));
    d.set(this.id.subarray(0, this.size));
    this.sim = s;
    this.id = d;
  }
  push(s: number, i: number): void {
    if (this.size === this.sim.length) this.grow(this.size * 2 + 8);
    let p = this.size++;
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (!this.above(s, i, this.sim[q]!, this.id[q]!)) break;
      this.sim[p] = this.sim[q]!;
      this.id[p] = this.id[q]!;
      p = q;
    }
    this.sim[p] = s;
    this.id[p] = i;
  }
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const s = this.sim[n]!;
    const i = this.id[n]!;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.above(this.sim[r]!, this.id[r]!, this.sim[l]!, this.id[l]!) ? r : l;
      if (!this.above(this.sim[c]!, this.id[c]!, s, i)) break;
      this.sim[p] = this.sim[c]!;
      this.id[p] = this.id[c]!;
      p = c;
    }
    this.sim[p] = s;
    this.id[p] = i;
  }
}

/** True when (sa, ia) ranks before (sb, ib): higher similarity, then lower index. */
function before(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

/**
 * Searches one graph: reusable scratch (visited stamps, heaps, query buffer) for one thread.
 * The similarity of query (y, yb, ya) to item j is y·q_j + yb·b_j + ya·a_j.
 */
export class HnswSearcher {
  readonly v: IpVectors;
  readonly g: HnswGraph;
  readonly upperStart: Int32Array;
  private readonly visited: Uint32Array;
  private stamp = 0;
  private readonly cand = new Heap(64, true);
  private readonly res = new Heap(64, false);
  readonly y: Float64Array;
  yb = 0;
  ya = 0;
  /** When set, similarities are multiplied by scale[j] (item-to-item search by cosine: 1/‖q_j‖). */
  scale: Float32Array | null = null;
  /** Similarity evaluations since construction (for benchmarks). */
  evaluations = 0;

  constructor(v: IpVectors, g: HnswGraph, upperStart?: Int32Array) {
    this.v = v;
    this.g = g;
    this.upperStart = upperStart ?? upperOffsets(g.levels, g.M).start;
    this.visited = new Uint32Array(g.n);
    this.y = new Float64Array(v.k);
  }

  /** Set the query to item i itself (its row, bias and a_i): for building and item-to-item search. */
  setItem(i: number): void {
    const { Q, k, bias, aug } = this.v;
    const o = i * k;
    for (let f = 0; f < k; f++) this.y[f] = Q[o + f]!;
    this.yb = bias === null ? 0 : bias[i]!;
    this.ya = aug[i]!;
  }

  /** Set the query to the vector y (length k), with weight yb on the item bias (1 ranks by p·q + b) and none on a. */
  setQuery(y: ArrayLike<number>, yb: number): void {
    for (let f = 0; f < this.v.k; f++) this.y[f] = y[f]!;
    this.yb = yb;
    this.ya = 0;
  }

  sim(j: number): number {
    this.evaluations++;
    const { Q, k, bias, aug } = this.v;
    const y = this.y;
    const o = j * k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let f = 0;
    for (; f + 4 <= k; f += 4) {
      s0 += y[f]! * Q[o + f]!;
      s1 += y[f + 1]! * Q[o + f + 1]!;
      s2 += y[f + 2]! * Q[o + f + 2]!;
      s3 += y[f + 3]! * Q[o + f + 3]!;
    }
    for (; f < k; f++) s0 += y[f]! * Q[o + f]!;
    let s = s0 + s1 + (s2 + s3);
    if (bias !== null && this.yb !== 0) s += this.yb * bias[j]!;
    if (this.ya !== 0) s += this.ya * aug[j]!;
    return this.scale === null ? s : s * this.scale[j]!;
  }

  /** Set la/lb/ld to the links of `node` on `layer`: la[lb .. lb + ld). (Fields, not a returned object: no allocation per visit.) */
  private la: Int32Array = new Int32Array(0);
  private lb = 0;
  private ld = 0;
  private linksOf(node: number, layer: number): void {
    const g = this.g;
    if (layer === 0) {
      this.la = g.links0;
      this.lb = node * 2 * g.M;
      this.ld = g.deg0[node]!;
      return;
    }
    const slot = this.upperStart[node]! / g.M + layer - 1;
    this.la = g.upper;
    this.lb = slot * g.M;
    this.ld = g.upperDeg[slot]!;
  }

  /** Greedy walk on `layer` from `ep` to a local maximum of the similarity (ef = 1). */
  greedy(ep: number, epSim: number, layer: number): [number, number] {
    let cur = ep;
    let best = epSim;
    for (let moved = true; moved; ) {
      moved = false;
      this.linksOf(cur, layer);
      const arr = this.la;
      const base = this.lb;
      const deg = this.ld;
      for (let t = 0; t < deg; t++) {
        const j = arr[base + t]!;
        const s = this.sim(j);
        if (before(s, j, best, cur)) {
          best = s;
          cur = j;
          moved = true;
        }
      }
    }
    return [cur, best];
  }

  /**
   * Beam search on `layer` from the entry points, keeping the `ef` best. With `skip`, items with
   * skip[j] ≠ 0 are walked through but never kept (exact filtering). Results go to outId/outSim,
   * best first; returns their count.
   */
  searchLayer(eps: Int32Array, epCount: number, ef: number, layer: number, outId: Int32Array, outSim: Float64Array, skip: Uint8Array | null = null): number {
    if (++this.stamp === 0xffffffff) {
      this.visited.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const visited = this.visited;
    const cand = this.cand;
    const res = this.res;
    cand.size = 0;
    res.size = 0;
    res.grow(ef + 1);
    for (let e = 0; e < epCount; e++) {
      const j = eps[e]!;
      if (visited[j] === stamp) continue;
      visited[j] = stamp;
      const s = this.sim(j);
      cand.push(s, j);
      if (skip === null || skip[j] === 0) res.push(s, j);
    }
    while (res.size > ef) res.pop();
    while (cand.size > 0) {
      const cs = cand.sim[0]!;
      const ci = cand.id[0]!;
      if (res.size >= ef && before(res.sim[0]!, res.id[0]!, cs, ci)) break;
      cand.pop();
      this.linksOf(ci, layer);
      const arr = this.la;
      const base = this.lb;
      const deg = this.ld;
      for (let t = 0; t < deg; t++) {
        const j = arr[base + t]!;
        if (visited[j] === stamp) continue;
        visited[j] = stamp;
        const s = this.sim(j);
        if (res.size < ef || before(s, j, res.sim[0]!, res.id[0]!)) {
          cand.push(s, j);
          if (skip === null || skip[j] === 0) {
            res.push(s, j);
            if (res.size > ef) res.pop();
          }
        }
      }
    }
    const count = res.size;
    for (let t = count - 1; t >= 0; t--) {
      outId[t] = res.id[0]!;
      outSim[t] = res.sim[0]!;
      res.pop();
    }
    return count;
  }

  /** The entry point on layer 0 for the current query: greedy descent through the upper layers. */
  descend(toLayer: number): [number, number] {
    const g = this.g;
    let ep = g.entry;
    let s = this.sim(ep);
    for (let l = g.maxLevel; l > toLayer; l--) [ep, s] = this.greedy(ep, s, l);
    return [ep, s];
  }

  /** Approximate top-`ef` items for the current query (best first), skipping skip[j] ≠ 0; returns the count. */
  search(ef: number, outId: Int32Array, outSim: Float64Array, skip: Uint8Array | null = null): number {
    if (this.g.n === 0) return 0;
    const [ep] = this.descend(0);
    return this.searchLayer(Int32Array.of(ep), 1, ef, 0, outId, outSim, skip);
  }
}

/** Similarity of items i and j in the transformed space: q_i·q_j + b_i·b_j + a_i·a_j. */
function itemSim(v: IpVectors, i: number, j: number): number {
  const { Q, k, bias, aug } = v;
  const a = i * k;
  const b = j * k;
  let s0 = 0;
  let s1 = 0;
  let f = 0;
  for (; f + 2 <= k; f += 2) {
    s0 += Q[a + f]! * Q[b + f]!;
    s1 += Q[a + f + 1]! * Q[b + f + 1]!;
  }
  for (; f < k; f++) s0 += Q[a + f]! * Q[b + f]!;
  let s = s0 + s1 + aug[i]! * aug[j]!;
  if (bias !== null) s += bias[i]! * bias[j]!;
  return s;
}

/**
 * The HNSW neighbour heuristic: walk candidates best first and keep c unless a kept r is closer
 * to c than the base is (sim(c, r) > sim(c, base)); at most `max` kept. Candidates are given best
 * first with their similarity to the base. Writes the kept ids to `out`, returns how many.
 */
function selectNeighbours(v: IpVectors, ids: Int32Array, sims: Float64Array, count: number, max: number, out: Int32Array, outBase: number): number {
  let kept = 0;
  for (let t = 0; t < count && kept < max; t++) {
    const c = ids[t]!;
    const sc = sims[t]!;
    let ok = true;
    for (let r = 0; r < kept; r++) {
      if (itemSim(v, c, out[outBase + r]!) > sc) {
        ok = false;
        break;
      }
    }
    if (ok) out[outBase + kept++] = c;
  }
  return kept;
}

/**
 * Build the graph over all n items, inserted in index order (the reference algorithm of the paper:
 * greedy descent on the upper layers, beam search of efConstruction on each layer at and below the
 * node's own, heuristic selection, reverse links shrunk with the same heuristic when full).
 * `onProgress(done)` is called every 65536 insertions.
 */
export function buildHnsw(v: IpVectors, p: HnswParams, onProgress?: (done: number) => void): HnswGraph {
  const n = v.n;
  const M = p.M;
  const M0 = 2 * M;
  const levels = drawLevels(n, M, p.seed);
  const { start, slots } = upperOffsets(levels, M);
  const g: HnswGraph = {
    n,
    M,
    levels,
    entry: 0,
    maxLevel: n > 0 ? levels[0]! : 0,
    links0: new Int32Array(n * M0),
    deg0: new Int32Array(n),
    upper: new Int32Array(slots),
    upperDeg: new Int32Array(slots / M),
  };
  if (n === 0) return g;
  const s = new HnswSearcher(v, g, start);
  const ef = Math.max(p.efConstruction, M0);
  const wId = new Int32Array(ef);
  const wSim = new Float64Array(ef);
  const sel = new Int32Array(M0);
  const shId = new Int32Array(M0 + 1);
  const shSim = new Float64Array(M0 + 1);
  const links = (node: number, layer: number): [Int32Array, number, Int32Array, number] =>
    layer === 0 ? [g.links0, node * M0, g.deg0, node] : [g.upper, (start[node]! / M + layer - 1) * M, g.upperDeg, start[node]! / M + layer - 1];
  for (let i = 1; i < n; i++) {
    if (onProgress && (i & 0xffff) === 0) onProgress(i);
    s.setItem(i);
    const L = levels[i]!;
    let [ep] = s.descend(L);
    const eps = Int32Array.of(ep);
    for (let l = Math.min(L, g.maxLevel); l >= 0; l--) {
      const cap = l === 0 ? M0 : M;
      const count = s.searchLayer(eps, 1, ef, l, wId, wSim);
      const [arr, base, degArr, degAt] = links(i, l);
      const kept = selectNeighbours(v, wId, wSim, count, M, sel, 0);
      for (let t = 0; t < kept; t++) arr[base + t] = sel[t]!;
      degArr[degAt] = kept;
      // reverse links: add i to each neighbour, shrinking by the heuristic when the list is full
      for (let t = 0; t < kept; t++) {
        const j = sel[t]!;
        const [ja, jb, jdArr, jdAt] = links(j, l);
        const d = jdArr[jdAt]!;
        if (d < cap) {
          ja[jb + d] = i;
          jdArr[jdAt] = d + 1;
          continue;
        }
        // candidates: j's links plus i, insertion-sorted best first by similarity to j
        let m = 0;
        for (let r = 0; r <= d; r++) {
          const c = r < d ? ja[jb + r]! : i;
          const sc = itemSim(v, j, c);
          let at = m++;
          while (at > 0 && before(sc, c, shSim[at - 1]!, shId[at - 1]!)) {
            shSim[at] = shSim[at - 1]!;
            shId[at] = shId[at - 1]!;
            at--;
          }
          shSim[at] = sc;
          shId[at] = c;
        }
        jdArr[jdAt] = selectNeighbours(v, shId, shSim, m, cap, ja, jb);
      }
      eps[0] = wId[0]!;
      ep = wId[0]!;
    }
    if (L > g.maxLevel) {
      g.maxLevel = L;
      g.entry = i;
    }
  }
  return g;
}
