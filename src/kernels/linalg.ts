/**
 * Small dense linear algebra for the kernels: dot products and the Cholesky factor/solve used by
 * the per-row ALS solves. Matrices are row-major Float64Array views with an explicit size n;
 * only the lower triangle of a symmetric matrix is read or written. Nothing here allocates.
 */

/** Σ_f a[aOff+f] · b[bOff+f] for f < k (factor rows inside flat Float32 storage). */
export function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, k: number): number {
  let s = 0;
  for (let f = 0; f < k; f++) s += a[aOff + f]! * b[bOff + f]!;
  return s;
}

/**
 * In-place Cholesky factorisation A = L·Lᵀ of the symmetric positive definite n×n matrix whose
 * lower triangle is stored row-major in `a` (a[i·n + j], j ≤ i). On success the lower triangle
 * holds L (the upper triangle is never touched) and the result is true; it is false when a pivot
 * is not positive (A not numerically positive definite), leaving `a` partly overwritten.
 *
 * Row-oriented (Cholesky–Banachiewicz): l_jj = √(a_jj − Σ_{p<j} l_jp²), l_ij = (a_ij − Σ_{p<j} l_ip·l_jp) / l_jj,
 * so both inner loops run over contiguous row prefixes.
 */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let p = 0; p < j; p++) {
      const l = a[rj + p]!;
      d -= l * l;
    }
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let p = 0; p < j; p++) s -= a[ri + p]! * a[rj + p]!;
      a[ri + j] = s * inv;
    }
  }
  return true;
}

/**
 * Solve L·Lᵀ·x = b in place (`b` becomes x), given the factor from {@link choleskyFactor}:
 * forward substitution L·y = b, then back substitution Lᵀ·x = y.
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[ri + p]! * b[p]!;
    b[i] = s / l[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    // Lᵀ[i][p] = L[p][i]: a strided column read, O(n²) once per solve (cheap next to the O(n³/6) factor).
    for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * b[p]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Copy the lower triangle of the n×n row-major `a` onto its upper triangle (makes a full symmetric matrix). */
export function symmetrizeLower(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
}

/**
 * In-place inverse of a symmetric positive-definite n × n row-major matrix by Gauss–Jordan elimination
 * without pivoting (safe for SPD: every pivot stays positive). n³ multiply-adds, the inner loop a
 * contiguous row update. Returns false (matrix left partly overwritten) when a pivot is not positive.
 */
export function invertSpdInPlace(a: Float64Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    const ko = k * n;
    const p = a[ko + k]!;
    if (!(p > 0)) return false;
    const inv = 1 / p;
    // Row k becomes row k / p, with its pivot cell set to 1/p (the standard in-place Gauss–Jordan step).
    a[ko + k] = 1;
    for (let j = 0; j < n; j++) a[ko + j]! *= inv;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const io = i * n;
      const f = a[io + k]!;
      if (f === 0) continue;
      a[io + k] = 0;
      for (let j = 0; j < n; j++) a[io + j]! -= f * a[ko + j]!;
    }
  }
  return true;
}
