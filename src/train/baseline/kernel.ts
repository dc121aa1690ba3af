/**
 * Baseline estimates r̂ = μ + b_u + b_i (Koren 2010, §2.1; Surprise's BaselineOnly), fitted by
 * alternating closed-form updates or by stochastic gradient descent. Pure loops over CSR arrays.
 */

/**
 * One half-step of the baseline ALS for rows [start, end) of a CSR (rows × cols):
 *   b_r = Σ_{j∈R(r)} (r_rj − μ − c_j) / (λ + |R(r)|),
 * the exact minimiser of Σ_j (r_rj − μ − b_r − c_j)² + λ b_r² with the other side's c fixed.
 */
export function baselineAlsHalfStep(indptr: Int32Array, indices: Int32Array, values: Float32Array, bias: Float32Array, otherBias: Float32Array, mu: number, reg: number, start: number, end: number): void {
  for (let r = start; r < end; r++) {
    let dev = 0;
    const p0 = indptr[r]!;
    const p1 = indptr[r + 1]!;
    for (let p = p0; p < p1; p++) dev += values[p]! - mu - otherBias[indices[p]!]!;
    bias[r] = dev / (reg + (p1 - p0));
  }
}

/**
 * One SGD pass over the ratings of rows [start, end) of the user × item CSR, in stored order:
 * e = r − (μ + b_u + b_i), b_u += γ(e − λ b_u), b_i += γ(e − λ b_i). Returns Σ e² seen during the pass.
 */
export function baselineSgdPass(indptr: Int32Array, indices: Int32Array, values: Float32Array, userBias: Float32Array, itemBias: Float32Array, mu: number, learningRate: number, reg: number, start: number, end: number): number {
  let sse = 0;
  for (let u = start; u < end; u++) {
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const i = indices[p]!;
      const e = values[p]! - (mu + userBias[u]! + itemBias[i]!);
      sse += e * e;
      userBias[u]! += learningRate * (e - reg * userBias[u]!);
      itemBias[i]! += learningRate * (e - reg * itemBias[i]!);
    }
  }
  return sse;
}
