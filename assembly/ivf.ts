/**
 * IVF (inverted file) kernels of the ANN index (src/kernels/ivf.ts drives them): nearest-centroid
 * assignment for k-means and list building, and the probed-list scan of a query.
 * Rows are padded to d floats (d % 4 == 0), so every dot is whole f32x4 steps with one accumulator
 * and lanes summed ((l0+l1)+(l2+l3)): a row's result never depends on its neighbours or the thread.
 */

import { before } from "./vector";

@inline function dot4(a: usize, b: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  for (let f = 0; f < d; f += 4) {
    const o = <usize>f << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  return (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

/**
 * out[r] = argmax_c (X_r·C_c − h_c) for rows r ∈ [start, end) of X (row stride d), h_c = ‖C_c‖²/2, so
 * the nearest centroid in L2; ties to the lower c. Four rows share each pass over C (same per-row sums
 * as the one-row tail, so a row's answer does not depend on its block).
 */
export function ivfAssignRange(
  X: usize, d: i32, C: usize, h: usize, nlist: i32, out: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>d << 2;
  let r = start;
  for (; r + 4 <= end; r += 4) {
    const x0 = X + <usize>r * rowBytes;
    const x1 = x0 + rowBytes;
    const x2 = x1 + rowBytes;
    const x3 = x2 + rowBytes;
    let b0: f32 = -Infinity, b1: f32 = -Infinity, b2: f32 = -Infinity, b3: f32 = -Infinity;
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (let c = 0; c < nlist; c++) {
      const cc = C + <usize>c * rowBytes;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let f = 0; f < d; f += 4) {
        const o = <usize>f << 2;
        const cv = v128.load(cc + o);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(x0 + o), cv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(x1 + o), cv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(x2 + o), cv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(x3 + o), cv));
      }
      const hc = load<f32>(h + (<usize>c << 2));
      const s0: f32 = ((f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3))) - hc;
      const s1: f32 = ((f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1)) + (f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3))) - hc;
      const s2: f32 = ((f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1)) + (f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3))) - hc;
      const s3: f32 = ((f32x4.extract_lane(a3, 0) + f32x4.extract_lane(a3, 1)) + (f32x4.extract_lane(a3, 2) + f32x4.extract_lane(a3, 3))) - hc;
      if (s0 > b0) { b0 = s0; c0 = c; }
      if (s1 > b1) { b1 = s1; c1 = c; }
      if (s2 > b2) { b2 = s2; c2 = c; }
      if (s3 > b3) { b3 = s3; c3 = c; }
    }
    store<i32>(out + (<usize>r << 2), c0);
    store<i32>(out + (<usize>(r + 1) << 2), c1);
    store<i32>(out + (<usize>(r + 2) << 2), c2);
    store<i32>(out + (<usize>(r + 3) << 2), c3);
  }
  for (; r < end; r++) {
    const x0 = X + <usize>r * rowBytes;
    let b0: f32 = -Infinity;
    let c0 = 0;
    for (let c = 0; c < nlist; c++) {
      const s0: f32 = dot4(x0, C + <usize>c * rowBytes, d) - load<f32>(h + (<usize>c << 2));
      if (s0 > b0) { b0 = s0; c0 = c; }
    }
    store<i32>(out + (<usize>r << 2), c0);
  }
}

/** Min-heap of (score, id) pairs (root = the worst kept, by `before`): push while size < cap, else replace the root when better. */
@inline function heapOffer(hs: usize, hi: usize, size: i32, cap: i32, s: f32, id: i32): i32 {
  if (size < cap) {
    let c = size;
    while (c > 0) {
      const par = (c - 1) >> 1;
      const sp = load<f32>(hs + (<usize>par << 2));
      const ip = load<i32>(hi + (<usize>par << 2));
      if (!before(sp, ip, s, id)) break;
      store<f32>(hs + (<usize>c << 2), sp);
      store<i32>(hi + (<usize>c << 2), ip);
      c = par;
    }
    store<f32>(hs + (<usize>c << 2), s);
    store<i32>(hi + (<usize>c << 2), id);
    return size + 1;
  }
  if (!before(s, id, load<f32>(hs), load<i32>(hi))) return size;
  let p = 0;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= size) break;
    let w = l;
    const rr = l + 1;
    if (rr < size && before(load<f32>(hs + (<usize>l << 2)), load<i32>(hi + (<usize>l << 2)), load<f32>(hs + (<usize>rr << 2)), load<i32>(hi + (<usize>rr << 2)))) w = rr;
    const sw = load<f32>(hs + (<usize>w << 2));
    const iw = load<i32>(hi + (<usize>w << 2));
    if (!before(s, id, sw, iw)) break;
    store<f32>(hs + (<usize>p << 2), sw);
    store<i32>(hi + (<usize>p << 2), iw);
    p = w;
  }
  store<f32>(hs + (<usize>p << 2), s);
  store<i32>(hi + (<usize>p << 2), id);
  return size;
}

/** Pop the heap of `size` entries into out (best first); returns size. */
@inline function heapDrain(hs: usize, hi: usize, size: i32, outI: usize, outS: usize): i32 {
  let m = size;
  while (m > 0) {
    const s = load<f32>(hs);
    const id = load<i32>(hi);
    m--;
    store<i32>(outI + (<usize>m << 2), id);
    store<f32>(outS + (<usize>m << 2), s);
    // move the last entry to the root and sift it down over m entries
    const ls = load<f32>(hs + (<usize>m << 2));
    const li = load<i32>(hi + (<usize>m << 2));
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= m) break;
      let w = l;
      const rr = l + 1;
      if (rr < m && before(load<f32>(hs + (<usize>l << 2)), load<i32>(hi + (<usize>l << 2)), load<f32>(hs + (<usize>rr << 2)), load<i32>(hi + (<usize>rr << 2)))) w = rr;
      const sw = load<f32>(hs + (<usize>w << 2));
      const iw = load<i32>(hi + (<usize>w << 2));
      if (!before(ls, li, sw, iw)) break;
      store<f32>(hs + (<usize>p << 2), sw);
      store<i32>(hi + (<usize>p << 2), iw);
      p = w;
    }
    if (m > 0) {
      store<f32>(hs + (<usize>p << 2), ls);
      store<i32>(hi + (<usize>p << 2), li);
    }
  }
  return size;
}

/**
 * Probe step of a query: score the nlist centroids by y·C_c and write the nprobe best lists (ties to the
 * lower list) to outLists, best first. Scratch: 3·nprobe words. Returns the count written.
 */
export function ivfProbe(C: usize, nlist: i32, d: i32, y: usize, nprobe: i32, scratch: usize, outLists: usize): i32 {
  const rowBytes = <usize>d << 2;
  const ls = scratch;
  const li = ls + (<usize>nprobe << 2);
  let np = 0;
  for (let c = 0; c < nlist; c++) np = heapOffer(ls, li, np, nprobe, dot4(y, C + <usize>c * rowBytes, d), c);
  return heapDrain(ls, li, np, outLists, li + (<usize>nprobe << 2));
}

/**
 * Scan step of a query: score the rows of the np lists in `lists` (list order: X row p is item ids[p];
 * list c holds rows [offsets[c], offsets[c+1])) by y·X_p (times scale[p] when scale ≠ 0), skip the t-th
 * scanned row when skipL ≠ 0 and skipL[t] ≠ 0 (t counts rows over the lists in order), and write the
 * best R (score descending, ties by lower item id) to outI/outS. Scratch: 2·R words. Returns the count.
 */
export function ivfScan(
  X: usize, ids: usize, offsets: usize, d: i32, y: usize, lists: usize, np: i32, R: i32,
  skipL: usize, scale: usize, scratch: usize, outI: usize, outS: usize,
): i32 {
  const rowBytes = <usize>d << 2;
  const hs = scratch;
  const hi = hs + (<usize>R << 2);
  let size = 0;
  let t: usize = 0;
  for (let l = 0; l < np; l++) {
    const c = load<i32>(lists + (<usize>l << 2));
    const lo = load<i32>(offsets + (<usize>c << 2));
    const hiP = load<i32>(offsets + (<usize>(c + 1) << 2));
    for (let p = lo; p < hiP; p++, t++) {
      if (skipL && load<u8>(skipL + t)) continue;
      const id = load<i32>(ids + (<usize>p << 2));
      let s = dot4(y, X + <usize>p * rowBytes, d);
      if (scale) s *= load<f32>(scale + (<usize>p << 2));
      size = heapOffer(hs, hi, size, R, s, id);
    }
  }
  return heapDrain(hs, hi, size, outI, outS);
}
