/** HNSW graph search and construction for the ANN index (src/kernels/hnsw.ts is the TS reference). */

import { before, dot } from "./vector";

// ---------------------------------------------------------------- HNSW (ANN index; src/kernels/hnsw.ts is the TS reference)
// The state of one graph lives in a context block of i32 words (src/kernels/hnsw-wasm.ts writes it):
//  0 Q  1 k  2 n  3 bias (0 = none)  4 aug  5 M  6 levels  7 upperStart (slots)  8 links0  9 deg0
//  10 upper  11 upperDeg  12 visited (u32 × n)  13 stamp  14 entry  15 maxLevel  16 cand sims  17 cand ids
//  18 res sims  19 res ids  20 scale (0 = none)  21 query y (f32 × k)  22 yb (f32 bits)  23 ya (f32 bits)
//  24 build scratch (efC + 2M + 1 words × 2)  25 shrink: 0 heuristic, 1 replace the least similar link
// Module globals hold the block's fields during one call only (per instance, no shared static data).

let hQ: usize = 0;
let hN: i32 = 0;
let hK: i32 = 0;
let hRow: usize = 0;
let hBias: usize = 0;
let hAug: usize = 0;
let hM: i32 = 0;
let hUpStart: usize = 0;
let hLinks0: usize = 0;
let hDeg0: usize = 0;
let hUp: usize = 0;
let hUpDeg: usize = 0;
let hVisited: usize = 0;
let hStamp: u32 = 0;
let hCandS: usize = 0;
let hCandI: usize = 0;
let hCandN: i32 = 0;
let hResS: usize = 0;
let hResI: usize = 0;
let hResN: i32 = 0;
let hScale: usize = 0;
let hY: usize = 0;
let hYb: f32 = 0;
let hYa: f32 = 0;
let hLa: usize = 0;
let hLd: i32 = 0;
let hGreedy: f32 = 0;

@inline function ctxI(ctx: usize, w: i32): i32 {
  return load<i32>(ctx + (<usize>w << 2));
}

function hnswLoad(ctx: usize): void {
  hQ = <usize>ctxI(ctx, 0);
  hK = ctxI(ctx, 1);
  hN = ctxI(ctx, 2);
  hRow = <usize>hK << 2;
  hBias = <usize>ctxI(ctx, 3);
  hAug = <usize>ctxI(ctx, 4);
  hM = ctxI(ctx, 5);
  hUpStart = <usize>ctxI(ctx, 7);
  hLinks0 = <usize>ctxI(ctx, 8);
  hDeg0 = <usize>ctxI(ctx, 9);
  hUp = <usize>ctxI(ctx, 10);
  hUpDeg = <usize>ctxI(ctx, 11);
  hVisited = <usize>ctxI(ctx, 12);
  hStamp = <u32>ctxI(ctx, 13);
  hCandS = <usize>ctxI(ctx, 16);
  hCandI = <usize>ctxI(ctx, 17);
  hResS = <usize>ctxI(ctx, 18);
  hResI = <usize>ctxI(ctx, 19);
  hScale = <usize>ctxI(ctx, 20);
  hY = <usize>ctxI(ctx, 21);
  hYb = load<f32>(ctx + (22 << 2));
  hYa = load<f32>(ctx + (23 << 2));
}

/** Query similarity y·q_j + yb·b_j + ya·a_j (× scale_j when set). */
@inline function hQsim(j: i32): f32 {
  const jo = <usize>j << 2;
  let s = dot(hY, hQ + <usize>j * hRow, hK);
  if (hBias != 0 && hYb != 0) s += hYb * load<f32>(hBias + jo);
  if (hYa != 0) s += hYa * load<f32>(hAug + jo);
  if (hScale != 0) s *= load<f32>(hScale + jo);
  return s;
}

/** Item-item similarity in the transformed space q_i·q_j + b_i·b_j + a_i·a_j. */
@inline function hIsim(i: i32, j: i32): f32 {
  const io = <usize>i << 2;
  const jo = <usize>j << 2;
  let s = dot(hQ + <usize>i * hRow, hQ + <usize>j * hRow, hK) + load<f32>(hAug + io) * load<f32>(hAug + jo);
  if (hBias != 0) s += load<f32>(hBias + io) * load<f32>(hBias + jo);
  return s;
}

/** hLa/hLd = links of node on layer. */
@inline function hLinks(node: i32, layer: i32): void {
  if (layer == 0) {
    hLa = hLinks0 + (<usize>node * <usize>(2 * hM) << 2);
    hLd = load<i32>(hDeg0 + (<usize>node << 2));
  } else {
    const slot = load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1;
    hLa = hUp + (<usize>slot * <usize>hM << 2);
    hLd = load<i32>(hUpDeg + (<usize>slot << 2));
  }
}

@inline function hDegPtr(node: i32, layer: i32): usize {
  if (layer == 0) return hDeg0 + (<usize>node << 2);
  return hUpDeg + (<usize>(load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1) << 2);
}

@inline function hBase(node: i32, layer: i32): usize {
  if (layer == 0) return hLinks0 + (<usize>node * <usize>(2 * hM) << 2);
  return hUp + (<usize>(load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1) * <usize>hM << 2);
}

/**
 * `a` belongs above `b` in a heap: better for the candidate max-heap (root = best), worse for the result
 * min-heap (root = worst). Called with a constant `maxHeap`, so after inlining the choice is folded away.
 */
@inline function hAbove(maxHeap: bool, sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return maxHeap ? before(sa, ia, sb, ib) : before(sb, ib, sa, ia);
}

/** Push (s, id) on the heap of scores S and ids I that holds p entries. */
@inline function hHeapPush(S: usize, I: usize, p: i32, s: f32, id: i32, maxHeap: bool): void {
  while (p > 0) {
    const q = (p - 1) >> 1;
    const qs = load<f32>(S + (<usize>q << 2));
    const qi = load<i32>(I + (<usize>q << 2));
    if (!hAbove(maxHeap, s, id, qs, qi)) break;
    store<f32>(S + (<usize>p << 2), qs);
    store<i32>(I + (<usize>p << 2), qi);
    p = q;
  }
  store<f32>(S + (<usize>p << 2), s);
  store<i32>(I + (<usize>p << 2), id);
}

/** Remove the root of the heap that now holds n entries (the last one moved down from the root). */
@inline function hHeapPop(S: usize, I: usize, n: i32, maxHeap: bool): void {
  if (n == 0) return;
  const s = load<f32>(S + (<usize>n << 2));
  const id = load<i32>(I + (<usize>n << 2));
  let p = 0;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= n) break;
    let c = l;
    const r = l + 1;
    if (r < n && hAbove(maxHeap, load<f32>(S + (<usize>r << 2)), load<i32>(I + (<usize>r << 2)), load<f32>(S + (<usize>l << 2)), load<i32>(I + (<usize>l << 2)))) c = r;
    const cs = load<f32>(S + (<usize>c << 2));
    const ci = load<i32>(I + (<usize>c << 2));
    if (!hAbove(maxHeap, cs, ci, s, id)) break;
    store<f32>(S + (<usize>p << 2), cs);
    store<i32>(I + (<usize>p << 2), ci);
    p = c;
  }
  store<f32>(S + (<usize>p << 2), s);
  store<i32>(I + (<usize>p << 2), id);
}

/** Max-heap (root = best) push on cand. */
function hCandPush(s: f32, id: i32): void {
  hHeapPush(hCandS, hCandI, hCandN++, s, id, true);
}

function hCandPop(): void {
  hHeapPop(hCandS, hCandI, --hCandN, true);
}

/** Min-heap (root = worst) push on res. */
function hResPush(s: f32, id: i32): void {
  hHeapPush(hResS, hResI, hResN++, s, id, false);
}

function hResPop(): void {
  hHeapPop(hResS, hResI, --hResN, false);
}

/** Greedy walk on `layer` (ef = 1); returns the node, its similarity in hGreedy. */
function hGreedyWalk(ep: i32, epSim: f32, layer: i32): i32 {
  let cur = ep;
  let best = epSim;
  let moved = true;
  while (moved) {
    moved = false;
    hLinks(cur, layer);
    const a = hLa;
    const d = hLd;
    for (let t = 0; t < d; t++) {
      const j = load<i32>(a + (<usize>t << 2));
      const s = hQsim(j);
      if (before(s, j, best, cur)) {
        best = s;
        cur = j;
        moved = true;
      }
    }
  }
  hGreedy = best;
  return cur;
}

/** Beam search from one entry point; the ef best unskipped to outI/outS best first; returns the count. */
function hSearchLayer(ep: i32, ef: i32, layer: i32, outI: usize, outS: usize, skip: usize): i32 {
  hStamp++;
  if (hStamp == 0xffffffff) {
    memory.fill(hVisited, 0, <usize>hN << 2);
    hStamp = 1;
  }
  const stamp = hStamp;
  hCandN = 0;
  hResN = 0;
  store<u32>(hVisited + (<usize>ep << 2), stamp);
  const s0 = hQsim(ep);
  hCandPush(s0, ep);
  if (skip == 0 || load<u8>(skip + <usize>ep) == 0) hResPush(s0, ep);
  while (hCandN > 0) {
    const cs = load<f32>(hCandS);
    const ci = load<i32>(hCandI);
    if (hResN >= ef && before(load<f32>(hResS), load<i32>(hResI), cs, ci)) break;
    hCandPop();
    hLinks(ci, layer);
    const a = hLa;
    const d = hLd;
    for (let t = 0; t < d; t++) {
      const j = load<i32>(a + (<usize>t << 2));
      const vp = hVisited + (<usize>j << 2);
      if (load<u32>(vp) == stamp) continue;
      store<u32>(vp, stamp);
      const s = hQsim(j);
      if (hResN < ef || before(s, j, load<f32>(hResS), load<i32>(hResI))) {
        hCandPush(s, j);
        if (skip == 0 || load<u8>(skip + <usize>j) == 0) {
          hResPush(s, j);
          if (hResN > ef) hResPop();
        }
      }
    }
  }
  const count = hResN;
  for (let t = count - 1; t >= 0; t--) {
    store<i32>(outI + (<usize>t << 2), load<i32>(hResI));
    store<f32>(outS + (<usize>t << 2), load<f32>(hResS));
    hResPop();
  }
  return count;
}

/** HNSW neighbour heuristic over candidates (best first); kept ids to out, returns how many (≤ max). */
function hSelect(ids: usize, sims: usize, count: i32, max: i32, out: usize): i32 {
  let kept = 0;
  for (let t = 0; t < count && kept < max; t++) {
    const c = load<i32>(ids + (<usize>t << 2));
    const sc = load<f32>(sims + (<usize>t << 2));
    let ok = true;
    for (let r = 0; r < kept; r++) {
      if (hIsim(c, load<i32>(out + (<usize>r << 2))) > sc) {
        ok = false;
        break;
      }
    }
    if (ok) store<i32>(out + (<usize>(kept++) << 2), c);
  }
  return kept;
}

/** Approximate top-ef for the query in the context block (y, yb, ya, scale); returns the count. */
export function hnswSearch(ctx: usize, ef: i32, outI: usize, outS: usize, skip: usize): i32 {
  hnswLoad(ctx);
  if (ctxI(ctx, 2) == 0) return 0;
  let ep = ctxI(ctx, 14);
  let s = hQsim(ep);
  for (let l = ctxI(ctx, 15); l > 0; l--) {
    ep = hGreedyWalk(ep, s, l);
    s = hGreedy;
  }
  const count = hSearchLayer(ep, ef, 0, outI, outS, skip);
  store<i32>(ctx + (13 << 2), <i32>hStamp);
  return count;
}

/**
 * Insert items [from, to) in index order (item 0 is the initial entry point; the caller starts at 1):
 * greedy descent, beam search of efC per layer, heuristic selection, reverse links shrunk by the
 * heuristic when full. Updates entry and maxLevel in the block.
 */
export function hnswInsert(ctx: usize, from: i32, to: i32, efC: i32): void {
  hnswLoad(ctx);
  const M = hM;
  const M0 = 2 * M;
  const levels = <usize>ctxI(ctx, 6);
  const sc = <usize>ctxI(ctx, 24);
  const wI = sc;
  const wS = wI + (<usize>efC << 2);
  const sel = wS + (<usize>efC << 2);
  const shI = sel + (<usize>M0 << 2);
  const shS = shI + (<usize>(M0 + 1) << 2);
  let entry = ctxI(ctx, 14);
  let maxLevel = ctxI(ctx, 15);
  const simpleShrink = ctxI(ctx, 25) != 0;
  for (let i = from; i < to; i++) {
    hY = hQ + <usize>i * hRow;
    hYb = hBias != 0 ? load<f32>(hBias + (<usize>i << 2)) : 0;
    hYa = load<f32>(hAug + (<usize>i << 2));
    const L = load<i32>(levels + (<usize>i << 2));
    let ep = entry;
    let s = hQsim(ep);
    for (let l = maxLevel; l > L; l--) {
      ep = hGreedyWalk(ep, s, l);
      s = hGreedy;
    }
    for (let l = min(L, maxLevel); l >= 0; l--) {
      const cap = l == 0 ? M0 : M;
      const count = hSearchLayer(ep, efC, l, wI, wS, 0);
      const base = hBase(i, l);
      const kept = hSelect(wI, wS, count, M, sel);
      for (let t = 0; t < kept; t++) store<i32>(base + (<usize>t << 2), load<i32>(sel + (<usize>t << 2)));
      store<i32>(hDegPtr(i, l), kept);
      for (let t = 0; t < kept; t++) {
        const j = load<i32>(sel + (<usize>t << 2));
        const jb = hBase(j, l);
        const jd = hDegPtr(j, l);
        const d = load<i32>(jd);
        if (d < cap) {
          store<i32>(jb + (<usize>d << 2), i);
          store<i32>(jd, d + 1);
          continue;
        }
        if (simpleShrink) {
          // replace j's least similar link when i is more similar (d + 1 similarities instead of the heuristic's O(d²))
          let worst = 0;
          let ws = hIsim(j, load<i32>(jb));
          for (let r = 1; r < d; r++) {
            const c = load<i32>(jb + (<usize>r << 2));
            const cs = hIsim(j, c);
            if (before(ws, load<i32>(jb + (<usize>worst << 2)), cs, c)) {
              ws = cs;
              worst = r;
            }
          }
          if (before(hIsim(j, i), i, ws, load<i32>(jb + (<usize>worst << 2)))) store<i32>(jb + (<usize>worst << 2), i);
          continue;
        }
        let m = 0;
        for (let r = 0; r <= d; r++) {
          const c = r < d ? load<i32>(jb + (<usize>r << 2)) : i;
          const cs = hIsim(j, c);
          let at = m++;
          while (at > 0 && before(cs, c, load<f32>(shS + (<usize>(at - 1) << 2)), load<i32>(shI + (<usize>(at - 1) << 2)))) {
            store<f32>(shS + (<usize>at << 2), load<f32>(shS + (<usize>(at - 1) << 2)));
            store<i32>(shI + (<usize>at << 2), load<i32>(shI + (<usize>(at - 1) << 2)));
            at--;
          }
          store<f32>(shS + (<usize>at << 2), cs);
          store<i32>(shI + (<usize>at << 2), c);
        }
        store<i32>(jd, hSelect(shI, shS, m, cap, jb));
      }
      ep = load<i32>(wI);
    }
    if (L > maxLevel) {
      maxLevel = L;
      entry = i;
    }
  }
  store<i32>(ctx + (13 << 2), <i32>hStamp);
  store<i32>(ctx + (14 << 2), entry);
  store<i32>(ctx + (15 << 2), maxLevel);
}
