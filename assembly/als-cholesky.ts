/** Explicit ALS, exact: the Gramian and the Cholesky half-sweep with biases. */

import { axpy, entryAt } from "./vector";

// ---------------------------------------------------------------- Gram matrix

/** G = Σ_{j ∈ [start,end)} y_j y_jᵀ (k×k, row stride k), overwriting G. Single shard: used for iALS's YᵀY. */
export function gramRange(Y: usize, k: i32, G: usize, start: i32, end: i32, shard: i32, scratch: usize): void {
  const rowBytes = <usize>k << 2;
  memory.fill(G, 0, <usize>k * rowBytes);
  for (let j = start; j < end; j++) {
    const y = Y + <usize>j * rowBytes;
    for (let a = 0; a < k; a++) axpy(G + <usize>a * rowBytes, load<f32>(y + (<usize>a << 2)), y, k);
  }
}

// ---------------------------------------------------------------- explicit ALS, exact (Cholesky)

/**
 * Explicit ALS half-sweep, rows [start, end): for row x with ratings r_j on fixed rows y_j, solve
 * (Σ y'_j y'_jᵀ + Λ) x' = Σ t_j y'_j with y' = [y_j, 1] and x' = [x, b_x] when useBias (else y' = y_j),
 * t_j = r_j − μ − b_j (t_j = r_j without bias), Λ = diag(λ,…,λ, λ_b) scaled by n when scaleByCount.
 * (src/kernels/als-explicit.ts's math, bias stored last here.) Gram in f32 SIMD, Cholesky in f64 with
 * non-positive pivots clamped to 1e-30. A row with no ratings gets x = 0, b_x = 0.
 * Scratch: dp·dp f32 + d·d f64 + 2·dp f64 with d = k + useBias, dp = d rounded up to 4.
 * table ≠ 0: values holds one byte code per rating, r_j = table[code] (the same f32, so the same bytes).
 */
export function alsCholeskyRange(
  indptr: usize, indices: usize, values: usize, table: usize, X: usize, Y: usize, bx: usize, by: usize,
  k: i32, mu: f32, reg: f32, regBias: f32, scaleByCount: i32, useBias: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const d = k + useBias;
  const dp = (d + 3) & ~3;
  const rowBytes = <usize>k << 2;
  const A = scratch;
  const yv = A + (<usize>dp * dp << 2);
  const L = (yv + (<usize>dp << 2) + 7) & ~7;
  const b = L + (<usize>d * d << 3);
  const z = b + (<usize>dp << 3);
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    const n = hi - lo;
    if (n == 0) {
      memory.fill(x, 0, rowBytes);
      if (useBias) store<f32>(bx + (<usize>row << 2), 0);
      continue;
    }
    memory.fill(A, 0, <usize>dp * dp << 2);
    memory.fill(yv, 0, <usize>dp << 2);
    memory.fill(b, 0, <usize>d << 3);
    for (let p = lo; p < hi; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      const y = Y + <usize>j * rowBytes;
      memory.copy(yv, y, rowBytes);
      let t: f32 = entryAt(values, values, table, p);
      if (useBias) {
        store<f32>(yv + (<usize>k << 2), 1);
        t -= mu + load<f32>(by + (<usize>j << 2));
      }
      // upper triangle only, from the 4-aligned column at or before the diagonal
      for (let a = 0; a < d; a++) {
        const c0 = a & ~3;
        const ya = load<f32>(yv + (<usize>a << 2));
        axpy(A + ((<usize>a * dp + c0) << 2), ya, yv + (<usize>c0 << 2), dp - c0);
        store<f64>(b + (<usize>a << 3), load<f64>(b + (<usize>a << 3)) + <f64>t * <f64>ya);
      }
    }
    const scale: f64 = scaleByCount ? <f64>n : 1.0;
    // Cholesky A = L Lᵀ (lower L, row-major d×d, f64)
    for (let a = 0; a < d; a++) {
      for (let c = 0; c <= a; c++) {
        let s: f64 = <f64>load<f32>(A + ((<usize>c * dp + a) << 2)); // A symmetric: upper (c ≤ a)
        if (a == c) s += (useBias && a == k ? <f64>regBias : <f64>reg) * scale;
        for (let m = 0; m < c; m++) s -= load<f64>(L + ((<usize>a * d + m) << 3)) * load<f64>(L + ((<usize>c * d + m) << 3));
        if (a == c) {
          store<f64>(L + ((<usize>a * d + a) << 3), Math.sqrt(s > 1e-30 ? s : 1e-30));
        } else {
          store<f64>(L + ((<usize>a * d + c) << 3), s / load<f64>(L + ((<usize>c * d + c) << 3)));
        }
      }
    }
    // L z = b, then Lᵀ x = z
    for (let a = 0; a < d; a++) {
      let s = load<f64>(b + (<usize>a << 3));
      for (let m = 0; m < a; m++) s -= load<f64>(L + ((<usize>a * d + m) << 3)) * load<f64>(z + (<usize>m << 3));
      store<f64>(z + (<usize>a << 3), s / load<f64>(L + ((<usize>a * d + a) << 3)));
    }
    for (let a = d - 1; a >= 0; a--) {
      let s = load<f64>(z + (<usize>a << 3));
      for (let m = a + 1; m < d; m++) s -= load<f64>(L + ((<usize>m * d + a) << 3)) * load<f64>(z + (<usize>m << 3));
      store<f64>(z + (<usize>a << 3), s / load<f64>(L + ((<usize>a * d + a) << 3)));
    }
    for (let a = 0; a < k; a++) store<f32>(x + (<usize>a << 2), <f32>load<f64>(z + (<usize>a << 3)));
    if (useBias) store<f32>(bx + (<usize>row << 2), <f32>load<f64>(z + (<usize>k << 3)));
  }
}
