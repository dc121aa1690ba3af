/**
 * Weighted least-squares half-sweeps for implicit feedback (iALS, WALS).
 *
 * One objective covers both algorithms: for a row x (a user, or an item on the transposed
 * matrix) with fixed other-side factors Y,
 *
 *   L(x) = Σ_{j observed} W_j (t_j − x·y_j)² + w0 Σ_{j unobserved} (x·y_j)² + reg·‖x‖²
 *
 * whose minimiser solves (w0·G + Σ_obs (W_j − w0) y_j y_jᵀ + reg·I) x = Σ_obs W_j t_j y_j
 * with G = YᵀY (the Gramian trick: computed once per half-sweep, so the dense matrix of
 * unobserved cells is never formed). iALS (Hu et al. 2008) is W = w0 + α·r, t = 1, w0 = 1;
 * Rendle et al. (2021) add reg = λ(|row| + w0·|cols|)^ν; WALS uses W = 1 (or the value).
 *
 * The CSR carries the per-entry extra weight W_j − w0 (`extra`), so kernels know nothing of
 * confidence formulas. Scratch is allocated once per call; rows are a range [start, end) so a
 * worker pool can shard them. Accumulation is in Float64 for stability.
 */

/** How one stored value turns into a weight above the unobserved one and a target. */
export interface WeightedAlsSpec {
  /** Weight w0 of every unobserved cell. */
  w0: number;
  lambda: number;
  /** Exponent ν of the frequency-scaled regularization λ(n + w0·|cols|)^ν. */
  nu: number;
  /** 0 = CG, 1 = Cholesky. */
  solver: 0 | 1;
  cgSteps: number;
  /** W(v) − w0 for an observed value v. */
  extra: (v: number) => number;
  /** The target t(v) of an observed value v. */
  target: (v: number) => number;
}

/** Per-entry extra weights and targets of a CSR's values (targets null when all are 1). */
export function entryWeights(values: Float32Array, spec: WeightedAlsSpec): { extra: Float32Array; target: Float32Array | null } {
  const extra = new Float32Array(values.length);
  let target: Float32Array | null = null;
  for (let p = 0; p < values.length; p++) {
    const v = values[p]!;
    extra[p] = spec.extra(v);
    const t = spec.target(v);
    if (t !== 1 && target === null) {
      target = new Float32Array(values.length).fill(1);
    }
    if (target) target[p] = t;
  }
  return { extra, target };
}

/** Arguments of one weighted-ALS half-sweep: typed arrays and numbers only (worker-transferable). */
export interface WeightedAlsArgs {
  indptr: Int32Array;
  indices: Int32Array;
  /** Per stored entry: W_j − w0 (the confidence above the unobserved weight). */
  extra: Float32Array;
  /** Per stored entry: the target t_j, or null when every target is 1. */
  target: Float32Array | null;
  /** Rows being solved (rows × k, updated in place). */
  X: Float32Array;
  /** The fixed side (cols × k). */
  Y: Float32Array;
  k: number;
  /** YᵀY (k × k, row-major), from {@link gramian}. */
  gram: Float64Array;
  /** Weight w0 of unobserved cells. */
  w0: number;
  /** λ of the regularization λ(|row| + w0·nCols)^ν. */
  lambda: number;
  /** ν; 0 gives the plain λ of Hu et al. */
  nu: number;
  /** Number of columns |I| (for the frequency-scaled regularization). */
  nCols: number;
  /** 0 = conjugate gradient (warm-started from X), 1 = exact Cholesky. */
  solver: 0 | 1;
  /** CG iterations per row (Takács et al. 2011 use 3). */
  cgSteps: number;
}

/** Accumulate G += Y[start..end)ᵀ · Y[start..end) into a full symmetric k × k Float64 matrix. */
export function gramian(Y: Float32Array, k: number, start: number, end: number, out: Float64Array): void {
  for (let r = start; r < end; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const ya = Y[o + a]!;
      if (ya === 0) continue;
      const row = a * k;
      for (let b = a; b < k; b++) out[row + b]! += ya * Y[o + b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) out[a * k + b] = out[b * k + a]!;
}

/** A fresh Gramian YᵀY of all `rows` rows. */
export function fullGramian(Y: Float32Array, rows: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  gramian(Y, k, 0, rows, g);
  return g;
}

/** reg_u = λ · (n_u + w0·nCols)^ν (ν = 0 gives λ). */
export function rowRegularization(count: number, lambda: number, nu: number, w0: number, nCols: number): number {
  return nu === 0 ? lambda : lambda * (count + w0 * nCols) ** nu;
}

/**
 * Cholesky solve of the k × k SPD system A x = b in place (A is overwritten by its factor L,
 * b by x). A non-positive pivot (a singular system, e.g. λ = 0 and no data) is clamped to a tiny
 * positive value so the result stays finite.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j]!;
    for (let p = 0; p < j; p++) d -= A[j * k + p]! * A[j * k + p]!;
    d = d > 1e-12 ? Math.sqrt(d) : 1e-6;
    A[j * k + j] = d;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j]!;
      for (let p = 0; p < j; p++) s -= A[i * k + p]! * A[j * k + p]!;
      A[i * k + j] = s / d;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= A[i * k + p]! * b[p]!;
    b[i] = s / A[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < k; p++) s -= A[p * k + i]! * b[p]!;
    b[i] = s / A[i * k + i]!;
  }
}

/**
 * Build the normal equations of one row into A (k × k) and b (k): the exact system behind
 * every solver here, also used by fold-in and explain.
 */
export function buildRowSystem(a: WeightedAlsArgs, row: number, A: Float64Array, b: Float64Array): void {
  const { indptr, indices, extra, target, Y, k, gram, w0 } = a;
  const lo = indptr[row]!;
  const hi = indptr[row + 1]!;
  const reg = rowRegularization(hi - lo, a.lambda, a.nu, w0, a.nCols);
  for (let q = 0; q < k * k; q++) A[q] = w0 * gram[q]!;
  for (let f = 0; f < k; f++) A[f * k + f]! += reg;
  b.fill(0);
  for (let p = lo; p < hi; p++) {
    const o = indices[p]! * k;
    const e = extra[p]!;
    const wt = (w0 + e) * (target ? target[p]! : 1);
    for (let f = 0; f < k; f++) {
      const yf = Y[o + f]!;
      b[f]! += wt * yf;
      if (e === 0) continue;
      const ey = e * yf;
      const row = f * k;
      for (let g = 0; g <= f; g++) A[row + g]! += ey * Y[o + g]!;
    }
  }
  for (let f = 0; f < k; f++) for (let g = 0; g < f; g++) A[g * k + f] = A[f * k + g]!;
}

/**
 * Solve rows [start, end) of X against fixed Y: exact Cholesky (O(n_u k² + k³) per row) or
 * `cgSteps` conjugate-gradient steps warm-started from the current row (O(cgSteps(n_u k + k²))),
 * applying A·p = w0·G·p + reg·p + Σ_obs (W_j − w0)(y_j·p) y_j without forming A.
 */
export function weightedAlsHalfSweep(a: WeightedAlsArgs, start: number, end: number): void {
  const { indptr, indices, extra, target, X, Y, k, gram, w0 } = a;
  const A = new Float64Array(k * k);
  const x = new Float64Array(k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const Ap = new Float64Array(k);
  for (let u = start; u < end; u++) {
    const xo = u * k;
    if (a.solver === 1) {
      buildRowSystem(a, u, A, x);
      choleskySolve(A, x, k);
      for (let f = 0; f < k; f++) X[xo + f] = x[f]!;
      continue;
    }
    const lo = indptr[u]!;
    const hi = indptr[u + 1]!;
    const reg = rowRegularization(hi - lo, a.lambda, a.nu, w0, a.nCols);
    for (let f = 0; f < k; f++) x[f] = X[xo + f]!;
    // r = b − A x
    for (let f = 0; f < k; f++) {
      let s = 0;
      const row = f * k;
      for (let g = 0; g < k; g++) s += gram[row + g]! * x[g]!;
      r[f] = -(w0 * s) - reg * x[f]!;
    }
    for (let q = lo; q < hi; q++) {
      const o = indices[q]! * k;
      let yx = 0;
      for (let f = 0; f < k; f++) yx += Y[o + f]! * x[f]!;
      const e = extra[q]!;
      const c = (w0 + e) * (target ? target[q]! : 1) - e * yx;
      for (let f = 0; f < k; f++) r[f]! += c * Y[o + f]!;
    }
    let rs = 0;
    for (let f = 0; f < k; f++) {
      p[f] = r[f]!;
      rs += r[f]! * r[f]!;
    }
    for (let it = 0; it < a.cgSteps && rs > 1e-20; it++) {
      for (let f = 0; f < k; f++) {
        let s = 0;
        const row = f * k;
        for (let g = 0; g < k; g++) s += gram[row + g]! * p[g]!;
        Ap[f] = w0 * s + reg * p[f]!;
      }
      for (let q = lo; q < hi; q++) {
        const e = extra[q]!;
        if (e === 0) continue;
        const o = indices[q]! * k;
        let yp = 0;
        for (let f = 0; f < k; f++) yp += Y[o + f]! * p[f]!;
        const c = e * yp;
        for (let f = 0; f < k; f++) Ap[f]! += c * Y[o + f]!;
      }
      let pAp = 0;
      for (let f = 0; f < k; f++) pAp += p[f]! * Ap[f]!;
      if (!(pAp > 0)) break;
      const step = rs / pAp;
      let rsNew = 0;
      for (let f = 0; f < k; f++) {
        x[f]! += step * p[f]!;
        r[f]! -= step * Ap[f]!;
        rsNew += r[f]! * r[f]!;
      }
      const beta = rsNew / rs;
      for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
      rs = rsNew;
    }
    for (let f = 0; f < k; f++) X[xo + f] = x[f]!;
  }
}

/**
 * The data term of L over rows [start, end): Σ_obs [W_j (t_j − s_j)² − w0·s_j²] + w0·xᵀGx
 * (= Σ_obs W (t − s)² + w0 Σ_unobs s², without visiting unobserved cells), plus Σ reg_u ‖x_u‖².
 */
export function weightedAlsLoss(a: WeightedAlsArgs, start: number, end: number): number {
  const { indptr, indices, extra, target, X, Y, k, gram, w0 } = a;
  let loss = 0;
  for (let u = start; u < end; u++) {
    const xo = u * k;
    const lo = indptr[u]!;
    const hi = indptr[u + 1]!;
    let quad = 0;
    let norm = 0;
    for (let f = 0; f < k; f++) {
      let s = 0;
      const row = f * k;
      for (let g = 0; g < k; g++) s += gram[row + g]! * X[xo + g]!;
      quad += X[xo + f]! * s;
      norm += X[xo + f]! * X[xo + f]!;
    }
    loss += w0 * quad + rowRegularization(hi - lo, a.lambda, a.nu, w0, a.nCols) * norm;
    for (let q = lo; q < hi; q++) {
      const o = indices[q]! * k;
      let s = 0;
      for (let f = 0; f < k; f++) s += X[xo + f]! * Y[o + f]!;
      const t = target ? target[q]! : 1;
      const w = w0 + extra[q]!;
      loss += w * (t - s) * (t - s) - w0 * s * s;
    }
  }
  return loss;
}

/** Σ reg_r ‖x_r‖² over rows [start, end) (the other side's regularization in the reported loss). */
export function regularizationLoss(indptr: Int32Array, X: Float32Array, k: number, lambda: number, nu: number, w0: number, nCols: number, start: number, end: number): number {
  let loss = 0;
  for (let r = start; r < end; r++) {
    let norm = 0;
    for (let f = 0; f < k; f++) norm += X[r * k + f]! * X[r * k + f]!;
    loss += rowRegularization(indptr[r + 1]! - indptr[r]!, lambda, nu, w0, nCols) * norm;
  }
  return loss;
}
