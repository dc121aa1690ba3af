/**
 * Σ over the entries of rows [start, end) of a CSR of (v_rj − r̂_rj)², with
 * r̂_rj = μ + b_r + c_j + x_r·y_j (biases omitted when `xBias`/`yBias` have length 0).
 * The data term of every explicit objective; trainers add their regularization.
 */
export function explicitSquaredError(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  x: Float32Array,
  xBias: Float32Array,
  y: Float32Array,
  yBias: Float32Array,
  k: number,
  mu: number,
  start: number,
  end: number,
): number {
  const bias = xBias.length > 0 && yBias.length > 0;
  let sse = 0;
  for (let r = start; r < end; r++) {
    const xo = r * k;
    const base = bias ? mu + xBias[r]! : mu;
    for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) {
      const j = indices[p]!;
      const yo = j * k;
      let s = bias ? base + yBias[j]! : base;
      for (let f = 0; f < k; f++) s += x[xo + f]! * y[yo + f]!;
      const e = values[p]! - s;
      sse += e * e;
    }
  }
  return sse;
}

/**
 * Σ_r w_r · ‖x_r‖² over rows [start, end) of a rows × k matrix, with w_r = n_r (the row's entry
 * count from `indptr`) when `byCount`, else 1: a regularization term. Pass a bias vector with k = 1
 * for Σ w_r b_r².
 */
export function weightedSquaredNorms(x: Float32Array, k: number, indptr: Int32Array, byCount: boolean, start: number, end: number): number {
  let total = 0;
  for (let r = start; r < end; r++) {
    const xo = r * k;
    let s = 0;
    for (let f = 0; f < k; f++) s += x[xo + f]! * x[xo + f]!;
    total += byCount ? s * (indptr[r + 1]! - indptr[r]!) : s;
  }
  return total;
}
