/** Vector helpers shared by the kernels (inlined at every call site). */

// ---------------------------------------------------------------- vector helpers

/** Σ a[f]·b[f] over f < k: two f32x4 accumulators, lanes summed as ((l0+l1)+(l2+l3)), scalar tail. */
@inline export function dot(a: usize, b: usize, k: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let f = 0;
  const k8 = k & ~7;
  for (; f < k8; f += 8) {
    const o = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  if (f + 4 <= k) {
    const o = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    f += 4;
  }
  const acc = f32x4.add(acc0, acc1);
  let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; f < k; f++) s += load<f32>(a + (<usize>f << 2)) * load<f32>(b + (<usize>f << 2));
  return s;
}

/** y[f] += s·x[f] for f < k. */
@inline export function axpy(y: usize, s: f32, x: usize, k: i32): void {
  const sv = f32x4.splat(s);
  let f = 0;
  const k4 = k & ~3;
  for (; f < k4; f += 4) {
    const o = <usize>f << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(sv, v128.load(x + o))));
  }
  for (; f < k; f++) {
    const o = <usize>f << 2;
    store<f32>(y + o, load<f32>(y + o) + s * load<f32>(x + o));
  }
}

/**
 * out = s·G v + r·v for a symmetric k×k G (row stride k): Σ_b v_b·G[b] accumulated column-wise, four f32x4
 * accumulators per 16 outputs, so no horizontal sums (the dot-per-row form needs k of them).
 */
@inline export function gemvSym(G: usize, v: usize, out: usize, k: i32, s: f32, r: f32): void {
  const rowBytes = <usize>k << 2;
  const k4 = k & ~3;
  const sv = f32x4.splat(s);
  const rv = f32x4.splat(r);
  let f = 0;
  for (; f + 16 <= k4; f += 16) {
    const fo = <usize>f << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let b = 0; b < k; b++) {
      const vb = f32x4.splat(load<f32>(v + (<usize>b << 2)));
      const g = G + <usize>b * rowBytes + fo;
      a0 = f32x4.add(a0, f32x4.mul(vb, v128.load(g)));
      a1 = f32x4.add(a1, f32x4.mul(vb, v128.load(g, 16)));
      a2 = f32x4.add(a2, f32x4.mul(vb, v128.load(g, 32)));
      a3 = f32x4.add(a3, f32x4.mul(vb, v128.load(g, 48)));
    }
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a0), f32x4.mul(rv, v128.load(v + fo))));
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a1), f32x4.mul(rv, v128.load(v + fo, 16))), 16);
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a2), f32x4.mul(rv, v128.load(v + fo, 32))), 32);
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a3), f32x4.mul(rv, v128.load(v + fo, 48))), 48);
  }
  for (; f < k4; f += 4) {
    const fo = <usize>f << 2;
    let a0 = f32x4.splat(0);
    for (let b = 0; b < k; b++) a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v + (<usize>b << 2))), v128.load(G + <usize>b * rowBytes + fo)));
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a0), f32x4.mul(rv, v128.load(v + fo))));
  }
  for (; f < k; f++) {
    const fo = <usize>f << 2;
    let a: f32 = 0;
    for (let b = 0; b < k; b++) a += load<f32>(v + (<usize>b << 2)) * load<f32>(G + <usize>b * rowBytes + fo);
    store<f32>(out + fo, s * a + r * load<f32>(v + fo));
  }
}


/** a ranks before b: higher score, then lower item index (a total order, so results are deterministic). */
@inline export function before(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa > sb || (sa == sb && ia < ib);
}

/**
 * Entry p of a per-entry f32 array `arr`, or, when `table` ≠ 0, the entries coded one byte each: table[codes[p]]
 * (codes a u8 array, table 256 f32). Both give the same f32 for the same entry, so a kernel's arithmetic does not
 * depend on which layout it reads (the byte codes take 1 B an entry instead of 4).
 */
@inline export function entryAt(arr: usize, codes: usize, table: usize, p: i32): f32 {
  return table ? load<f32>(table + (<usize>load<u8>(codes + <usize>p) << 2)) : load<f32>(arr + (<usize>p << 2));
}

/** True when `item` is among the sorted i32 entries [lo, hi) at indices (binary search; bpr and hybrid negatives). */
@inline export function sortedContains(indices: usize, lo: i32, hi: i32, item: i32): bool {
  while (lo < hi) {
    const mid = <i32>(<u32>(lo + hi) >>> 1);
    const v = load<i32>(indices + (<usize>mid << 2));
    if (v == item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** One sfc32 output from the state (a, b, c, d) at st, advanced in place (src/core/rng.ts Rng.nextUint32; bpr and hybrid). */
@inline export function sfc32Next(st: usize): u32 {
  const a = load<u32>(st);
  const b = load<u32>(st, 4);
  let c = load<u32>(st, 8);
  const d = load<u32>(st, 12);
  const t = a + b + d;
  store<u32>(st, b ^ (b >>> 9));
  store<u32>(st, c + (c << 3), 4);
  c = (c << 21) | (c >>> 11);
  store<u32>(st, c + t, 8);
  store<u32>(st, d + 1, 12);
  return t;
}
