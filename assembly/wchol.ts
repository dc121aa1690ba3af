/** Weighted ALS, exact (Cholesky). */

import { dot, axpy, entryAt } from "./vector";

// ---------------------------------------------------------------- weighted ALS, exact (Cholesky)

/** Σ a[m]·b[m] over m < n in f64: two f64x2 accumulators, lanes summed as ((l0+l1)+(l2+l3)), scalar tail. */
@inline function wcholDot64(a: usize, b: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let m = 0;
  const n4 = n & ~3;
  for (; m < n4; m += 4) {
    const o = <usize>m << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  let s: f64 = (f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1)) + (f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1));
  for (; m < n; m++) s += load<f64>(a + (<usize>m << 3)) * load<f64>(b + (<usize>m << 3));
  return s;
}

/** y[m] += s·x[m] over m < n in f64 (f64x2, scalar tail). */
@inline function wcholAxpy64(y: usize, s: f64, x: usize, n: i32): void {
  const sv = f64x2.splat(s);
  let m = 0;
  const n2 = n & ~1;
  for (; m < n2; m += 2) {
    const o = <usize>m << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(sv, v128.load(x + o))));
  }
  if (m < n) {
    const o = <usize>m << 3;
    store<f64>(y + o, load<f64>(y + o) + s * load<f64>(x + o));
  }
}

/** y[m] −= s0·x0[m] + s1·x1[m] + s2·x2[m] + s3·x3[m] over m < n in f64: four rank-1 downdates, one pass over y. */
@inline function wcholAxpy64x4(y: usize, s0: f64, x0: usize, s1: f64, x1: usize, s2: f64, x2: usize, s3: f64, x3: usize, n: i32): void {
  const v0 = f64x2.splat(s0);
  const v1 = f64x2.splat(s1);
  const v2 = f64x2.splat(s2);
  const v3 = f64x2.splat(s3);
  let m = 0;
  const n2 = n & ~1;
  for (; m < n2; m += 2) {
    const o = <usize>m << 3;
    const t01 = f64x2.add(f64x2.mul(v0, v128.load(x0 + o)), f64x2.mul(v1, v128.load(x1 + o)));
    const t23 = f64x2.add(f64x2.mul(v2, v128.load(x2 + o)), f64x2.mul(v3, v128.load(x3 + o)));
    v128.store(y + o, f64x2.sub(v128.load(y + o), f64x2.add(t01, t23)));
  }
  if (m < n) {
    const o = <usize>m << 3;
    store<f64>(y + o, load<f64>(y + o) - ((s0 * load<f64>(x0 + o) + s1 * load<f64>(x1 + o)) + (s2 * load<f64>(x2 + o) + s3 * load<f64>(x3 + o))));
  }
}

/** y[f] += s0·x0[f] + s1·x1[f] + s2·x2[f] + s3·x3[f] for f < n: four rank-1 updates with one load/store of y. */
@inline function wcholAxpy4(y: usize, s0: f32, x0: usize, s1: f32, x1: usize, s2: f32, x2: usize, s3: f32, x3: usize, n: i32): void {
  const v0 = f32x4.splat(s0);
  const v1 = f32x4.splat(s1);
  const v2 = f32x4.splat(s2);
  const v3 = f32x4.splat(s3);
  let f = 0;
  const n4 = n & ~3;
  for (; f < n4; f += 4) {
    const o = <usize>f << 2;
    const t01 = f32x4.add(f32x4.mul(v0, v128.load(x0 + o)), f32x4.mul(v1, v128.load(x1 + o)));
    const t23 = f32x4.add(f32x4.mul(v2, v128.load(x2 + o)), f32x4.mul(v3, v128.load(x3 + o)));
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.add(t01, t23)));
  }
  for (; f < n; f++) {
    const o = <usize>f << 2;
    const t01: f32 = s0 * load<f32>(x0 + o) + s1 * load<f32>(x1 + o);
    const t23: f32 = s2 * load<f32>(x2 + o) + s3 * load<f32>(x3 + o);
    store<f32>(y + o, load<f32>(y + o) + (t01 + t23));
  }
}

/**
 * Exact weighted-ALS half-sweep, rows [start, end) of a CSR: the math of src/kernels/implicit-als.ts
 * (weightedAlsHalfSweep, solver 1). For row x with observed entries j, solve
 *   (w0·G + Σ_j e_j y_j y_jᵀ + reg·I) x = Σ_j (w0 + e_j) t_j y_j,   reg = λ (n + w0·nCols)^ν (λ when ν = 0),
 * G = YᵀY (k×k f32, row stride k), e_j = extra[p], t_j = target[p] (1 when target = 0). table ≠ 0: byte-coded
 * entries as in cgRange (e_j = table[code], t_j = target[code]).
 * Σ e_j y_j y_jᵀ is accumulated in f32 SIMD (upper triangle, four entries per pass over A); w0·G, reg, the
 * right-hand side, the Cholesky factor (right-looking, upper, rank-4 f64x2 row updates) and both triangular
 * solves are f64, a pivot ≤ 1e-12 becomes 1e-6 (the TS rule). A row without entries gets x = 0 (b = 0). lossOut ≠ 0: the shard's part of the loss at the
 * solved rows as cgRange writes it (without w0·xᵀGx). Scratch: k·kp f32 + k·k f64 + kp f64, kp = k rounded up to 4.
 */
export function wcholRange(
  indptr: usize, indices: usize, extra: usize, target: usize, table: usize, X: usize, Y: usize, G: usize,
  k: i32, w0: f32, lambda: f32, nu: f32, nCols: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const kp = (k + 3) & ~3;
  const A = scratch;
  const L = (A + ((<usize>k * <usize>kp) << 2) + 7) & ~7;
  const b = L + ((<usize>k * <usize>k) << 3);
  const w064 = <f64>w0;
  let loss: f64 = 0;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    if (hi == lo) {
      memory.fill(x, 0, rowBytes);
      continue;
    }
    const reg: f64 = nu == 0 ? <f64>lambda : <f64>lambda * Math.pow(<f64>(hi - lo) + w064 * <f64>nCols, <f64>nu);
    memory.fill(A, 0, (<usize>k * <usize>kp) << 2);
    memory.fill(b, 0, <usize>k << 3);
    let y0: usize = 0, y1: usize = 0, y2: usize = 0;
    let e0: f32 = 0, e1: f32 = 0, e2: f32 = 0;
    let pending = 0;
    for (let p = lo; p < hi; p++) {
      const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
      const e = entryAt(extra, extra, table, p);
      const t: f64 = target ? <f64>entryAt(target, extra, table ? target : 0, p) : 1;
      const wt: f64 = (w064 + <f64>e) * t;
      for (let f = 0; f < k; f++) {
        const o = b + (<usize>f << 3);
        store<f64>(o, load<f64>(o) + wt * <f64>load<f32>(y + (<usize>f << 2)));
      }
      if (e == 0) continue;
      if (pending == 0) { y0 = y; e0 = e; pending = 1; continue; }
      if (pending == 1) { y1 = y; e1 = e; pending = 2; continue; }
      if (pending == 2) { y2 = y; e2 = e; pending = 3; continue; }
      // four entries: A[a][c0..k) += Σ_i e_i·y_i[a]·y_i[c0..k), c0 = a rounded down to 4 (upper triangle)
      for (let a = 0; a < k; a++) {
        const c0 = a & ~3;
        const ao = <usize>a << 2;
        const co = <usize>c0 << 2;
        wcholAxpy4(
          A + ((<usize>a * <usize>kp + <usize>c0) << 2),
          e0 * load<f32>(y0 + ao), y0 + co, e1 * load<f32>(y1 + ao), y1 + co,
          e2 * load<f32>(y2 + ao), y2 + co, e * load<f32>(y + ao), y + co, k - c0,
        );
      }
      pending = 0;
    }
    for (let i = 0; i < pending; i++) {
      const y = i == 0 ? y0 : i == 1 ? y1 : y2;
      const e = i == 0 ? e0 : i == 1 ? e1 : e2;
      for (let a = 0; a < k; a++) {
        const c0 = a & ~3;
        axpy(A + ((<usize>a * <usize>kp + <usize>c0) << 2), e * load<f32>(y + (<usize>a << 2)), y + (<usize>c0 << 2), k - c0);
      }
    }
    // U = the upper triangle of w0·G + A + reg·I in f64 (row-major k×k; A holds the upper triangle)
    for (let a = 0; a < k; a++) {
      const ua = L + ((<usize>a * <usize>k) << 3);
      const aa = A + ((<usize>a * <usize>kp) << 2);
      const ga = G + ((<usize>a * <usize>k) << 2);
      for (let c = a; c < k; c++) {
        let v: f64 = <f64>load<f32>(aa + (<usize>c << 2));
        if (w0 != 0) v += w064 * <f64>load<f32>(ga + (<usize>c << 2));
        store<f64>(ua + (<usize>c << 3), v);
      }
      store<f64>(ua + (<usize>a << 3), load<f64>(ua + (<usize>a << 3)) + reg);
    }
    // right-looking Cholesky U ← R with RᵀR = U (upper R in place), four pivot rows at a time: the panel's rows
    // one by one, then each trailing row gets the panel's four rank-1 updates in one contiguous f64x2 pass
    for (let c0 = 0; c0 < k; c0 += 4) {
      const c1 = c0 + 4 < k ? c0 + 4 : k;
      for (let c = c0; c < c1; c++) {
        const uc = L + ((<usize>c * <usize>k) << 3);
        const dd = load<f64>(uc + (<usize>c << 3));
        const d: f64 = dd > 1e-12 ? Math.sqrt(dd) : 1e-6;
        store<f64>(uc + (<usize>c << 3), d);
        for (let a = c + 1; a < k; a++) store<f64>(uc + (<usize>a << 3), load<f64>(uc + (<usize>a << 3)) / d);
        for (let a = c + 1; a < c1; a++) {
          const ua = L + ((<usize>a * <usize>k) << 3);
          wcholAxpy64(ua + (<usize>a << 3), -load<f64>(uc + (<usize>a << 3)), uc + (<usize>a << 3), k - a);
        }
      }
      for (let a = c1; a < k; a++) {
        const ua = L + ((<usize>a * <usize>k) << 3) + (<usize>a << 3);
        const r0 = L + ((<usize>c0 * <usize>k) << 3) + (<usize>a << 3);
        if (c1 - c0 == 4) {
          const rs = (<usize>k) << 3;
          wcholAxpy64x4(ua, load<f64>(r0), r0, load<f64>(r0 + rs), r0 + rs, load<f64>(r0 + 2 * rs), r0 + 2 * rs, load<f64>(r0 + 3 * rs), r0 + 3 * rs, k - a);
        } else {
          for (let c = c0; c < c1; c++) {
            const rc = r0 + ((<usize>(c - c0) * <usize>k) << 3);
            wcholAxpy64(ua, -load<f64>(rc), rc, k - a);
          }
        }
      }
    }
    // Rᵀ z = b in place (column by column: contiguous rows of R), then R x = z in place (row dots)
    for (let c = 0; c < k; c++) {
      const uc = L + ((<usize>c * <usize>k) << 3);
      const o = b + (<usize>c << 3);
      const zc: f64 = load<f64>(o) / load<f64>(uc + (<usize>c << 3));
      store<f64>(o, zc);
      wcholAxpy64(o + 8, -zc, uc + (<usize>(c + 1) << 3), k - c - 1);
    }
    for (let a = k - 1; a >= 0; a--) {
      const ua = L + ((<usize>a * <usize>k) << 3);
      const o = b + (<usize>a << 3);
      store<f64>(o, (load<f64>(o) - wcholDot64(ua + (<usize>(a + 1) << 3), o + 8, k - a - 1)) / load<f64>(ua + (<usize>a << 3)));
    }
    for (let a = 0; a < k; a++) store<f32>(x + (<usize>a << 2), <f32>load<f64>(b + (<usize>a << 3)));
    if (lossOut) {
      loss += reg * <f64>dot(x, x, k);
      for (let p = lo; p < hi; p++) {
        const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
        const sc: f64 = <f64>dot(x, y, k);
        const t: f64 = target ? <f64>entryAt(target, extra, table ? target : 0, p) : 1;
        const w: f64 = w064 + <f64>entryAt(extra, extra, table, p);
        loss += w * (t - sc) * (t - sc) - w064 * sc * sc;
      }
    }
  }
  if (lossOut) store<f64>(lossOut + (<usize>shard << 3), loss);
}
