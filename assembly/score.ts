/** Squared error over a CSR, scoring, and fused scoring + top-n for recommend-all. */

import { before, dot, entryAt } from "./vector";

// ---------------------------------------------------------------- squared error over a CSR

/**
 * Σ (r − r̂)² over rows [start, end) of a CSR, r̂ = μ + b_x + b_y + x·y (useBias) or x·y, into
 * lossOut[shard] as f64 (the caller sums shards in order, so the total does not depend on threads).
 * table ≠ 0: values holds one byte code per rating, r = table[code] (as alsCgRange).
 */
export function sseRange(
  indptr: usize, indices: usize, values: usize, table: usize, X: usize, Y: usize, bx: usize, by: usize,
  k: i32, mu: f32, useBias: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  let sse: f64 = 0;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    const base: f32 = useBias ? mu + load<f32>(bx + (<usize>row << 2)) : 0;
    for (let p = lo; p < hi; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      let pred: f32 = base + dot(x, Y + <usize>j * rowBytes, k);
      if (useBias) pred += load<f32>(by + (<usize>j << 2));
      const e: f64 = <f64>(entryAt(values, values, table, p) - pred);
      sse += e * e;
    }
  }
  store<f64>(lossOut + (<usize>shard << 3), sse);
}

// ---------------------------------------------------------------- scoring

@inline function base(mu: f32, userBias: usize, u: i32): f32 {
  return userBias ? mu + load<f32>(userBias + (<usize>u << 2)) : mu;
}

/**
 * out[u − first][j] = (μ + b_u) + b_j + U_u·V_j for users u ∈ [start, end), items j < nItems (row-major;
 * userBias/itemBias = 0 mean none). Four users share each pass over V, so V is read once per four users
 * (GEMM-like register blocking); a user's scores do not depend on which block it fell in.
 */
export function scoreRange(
  U: usize, V: usize, k: i32, nItems: i32, mu: f32, userBias: usize, itemBias: usize, out: usize, first: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const outRow = <usize>nItems << 2;
  let u = start;
  for (; u + 4 <= end; u += 4) {
    const u0 = U + <usize>u * rowBytes;
    const o0 = out + <usize>(u - first) * outRow;
    for (let j = 0; j < nItems; j++) {
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let f = 0;
      const k4 = k & ~3;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        const vv = v128.load(v + fo);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(u0 + fo), vv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(u0 + rowBytes + fo), vv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(u0 + 2 * rowBytes + fo), vv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(u0 + 3 * rowBytes + fo), vv));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      let s1: f32 = (f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1)) + (f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3));
      let s2: f32 = (f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1)) + (f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3));
      let s3: f32 = (f32x4.extract_lane(a3, 0) + f32x4.extract_lane(a3, 1)) + (f32x4.extract_lane(a3, 2) + f32x4.extract_lane(a3, 3));
      for (; f < k; f++) {
        const fo = <usize>f << 2;
        const vf = load<f32>(v + fo);
        s0 += load<f32>(u0 + fo) * vf;
        s1 += load<f32>(u0 + rowBytes + fo) * vf;
        s2 += load<f32>(u0 + 2 * rowBytes + fo) * vf;
        s3 += load<f32>(u0 + 3 * rowBytes + fo) * vf;
      }
      const jo = <usize>j << 2;
      const bj: f32 = itemBias ? load<f32>(itemBias + jo) : 0;
      store<f32>(o0 + jo, (base(mu, userBias, u) + bj) + s0);
      store<f32>(o0 + outRow + jo, (base(mu, userBias, u + 1) + bj) + s1);
      store<f32>(o0 + 2 * outRow + jo, (base(mu, userBias, u + 2) + bj) + s2);
      store<f32>(o0 + 3 * outRow + jo, (base(mu, userBias, u + 3) + bj) + s3);
    }
  }
  for (; u < end; u++) {
    const uu = U + <usize>u * rowBytes;
    const o0 = out + <usize>(u - first) * outRow;
    for (let j = 0; j < nItems; j++) {
      // same lane grouping as the 4-user block so a user's scores do not depend on its block
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0);
      let f = 0;
      const k4 = k & ~3;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(uu + fo), v128.load(v + fo)));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; f < k; f++) s0 += load<f32>(uu + (<usize>f << 2)) * load<f32>(v + (<usize>f << 2));
      const bj: f32 = itemBias ? load<f32>(itemBias + (<usize>j << 2)) : 0;
      store<f32>(o0 + (<usize>j << 2), (base(mu, userBias, u) + bj) + s0);
    }
  }
}

// ---------------------------------------------------------------- fused scoring + top-n (recommend-all)

/** Restore the min-heap (root = the worst kept entry) below position `pos`. */
@inline function siftDown(hs: usize, hi: usize, size: i32, pos: i32): void {
  let p = pos;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= size) break;
    let w = l;
    const r = l + 1;
    if (r < size && before(load<f32>(hs + (<usize>l << 2)), load<i32>(hi + (<usize>l << 2)), load<f32>(hs + (<usize>r << 2)), load<i32>(hi + (<usize>r << 2)))) w = r;
    const sw = load<f32>(hs + (<usize>w << 2));
    const iw = load<i32>(hi + (<usize>w << 2));
    const sp = load<f32>(hs + (<usize>p << 2));
    const ip = load<i32>(hi + (<usize>p << 2));
    if (!before(sp, ip, sw, iw)) break;
    store<f32>(hs + (<usize>p << 2), sw);
    store<i32>(hi + (<usize>p << 2), iw);
    store<f32>(hs + (<usize>w << 2), sp);
    store<i32>(hi + (<usize>w << 2), ip);
    p = w;
  }
}

/**
 * For users u ∈ [start, end): score every item like scoreRange's one-user path, (μ + b_u) + b_j + U_u·V_j,
 * drop the items of u's history row (CSR histPtr/histIdx; histPtr = 0 for none), and write the best n
 * (score descending, ties by lower item index) to outItems/outScores row u − first; unused slots get
 * item −1 and score −∞. Scratch: nItems + 2n words.
 */
export function scoreTopKRange(
  U: usize, V: usize, k: i32, nItems: i32, mu: f32, userBias: usize, itemBias: usize,
  histPtr: usize, histIdx: usize, n: i32, outItems: usize, outScores: usize, first: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const sc = scratch;
  const hs = sc + (<usize>nItems << 2);
  const hi = hs + (<usize>n << 2);
  const k4 = k & ~3;
  for (let u = start; u < end; u++) {
    const uu = U + <usize>u * rowBytes;
    const b0 = base(mu, userBias, u);
    for (let j = 0; j < nItems; j++) {
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0);
      let f = 0;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(uu + fo), v128.load(v + fo)));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; f < k; f++) s0 += load<f32>(uu + (<usize>f << 2)) * load<f32>(v + (<usize>f << 2));
      const bj: f32 = itemBias ? load<f32>(itemBias + (<usize>j << 2)) : 0;
      store<f32>(sc + (<usize>j << 2), (b0 + bj) + s0);
    }
    if (histPtr) {
      const lo = load<i32>(histPtr + (<usize>u << 2));
      const h = load<i32>(histPtr + (<usize>(u + 1) << 2));
      for (let p = lo; p < h; p++) store<f32>(sc + (<usize>load<i32>(histIdx + (<usize>p << 2)) << 2), -Infinity);
    }
    let size = 0;
    for (let j = 0; j < nItems; j++) {
      const s = load<f32>(sc + (<usize>j << 2));
      if (s == -Infinity || s != s) continue;
      if (size < n) {
        // sift up
        let c = size++;
        while (c > 0) {
          const par = (c - 1) >> 1;
          const sp = load<f32>(hs + (<usize>par << 2));
          const ip = load<i32>(hi + (<usize>par << 2));
          if (!before(sp, ip, s, j)) break;
          store<f32>(hs + (<usize>c << 2), sp);
          store<i32>(hi + (<usize>c << 2), ip);
          c = par;
        }
        store<f32>(hs + (<usize>c << 2), s);
        store<i32>(hi + (<usize>c << 2), j);
      } else if (before(s, j, load<f32>(hs), load<i32>(hi))) {
        store<f32>(hs, s);
        store<i32>(hi, j);
        siftDown(hs, hi, size, 0);
      }
    }
    const oi = outItems + (<usize>(u - first) * <usize>n << 2);
    const os = outScores + (<usize>(u - first) * <usize>n << 2);
    for (let t = size; t < n; t++) {
      store<i32>(oi + (<usize>t << 2), -1);
      store<f32>(os + (<usize>t << 2), -Infinity);
    }
    // pop the worst into the last free slot: best first
    for (let t = size - 1; t >= 0; t--) {
      store<f32>(os + (<usize>t << 2), load<f32>(hs));
      store<i32>(oi + (<usize>t << 2), load<i32>(hi));
      const last = t;
      store<f32>(hs, load<f32>(hs + (<usize>last << 2)));
      store<i32>(hi, load<i32>(hi + (<usize>last << 2)));
      siftDown(hs, hi, last, 0);
    }
  }
}
