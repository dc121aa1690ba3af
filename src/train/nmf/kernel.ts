/**
 * Non-negative matrix factorisation by multiplicative updates (Lee & Seung 2001 with an ℓ2 penalty;
 * Surprise's NMF, Luo et al. 2014), one side at a time. For rows [start, end) of a CSR, with the
 * other side Y fixed and est_rj = (μ + b_r + c_j when biased) + x_r·y_j:
 *
 *   x_rf ← x_rf · Σ_j y_jf r_rj / (Σ_j y_jf est_rj + λ n_r x_rf)
 *
 * Without biases this is the majorise-minimise step of Σ (r − x·y)² + λ Σ_r n_r ‖x_r‖², so the
 * objective never increases and non-negative starts and ratings keep every factor ≥ 0. With biases
 * the row's bias takes Surprise's SGD steps b_r += γ_b(e − λ_b b_r) during the same pass.
 * `num` and `den` are k-long scratch arrays (allocated once by the caller).
 */
export function nmfHalfSweep(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  target: Float32Array,
  other: Float32Array,
  targetBias: Float32Array,
  otherBias: Float32Array,
  k: number,
  mu: number,
  reg: number,
  regBias: number,
  lrBias: number,
  start: number,
  end: number,
): void {
  const biased = targetBias.length > 0 && otherBias.length > 0;
  const num = new Float64Array(k);
  const den = new Float64Array(k);
  for (let r = start; r < end; r++) {
    const p0 = indptr[r]!;
    const p1 = indptr[r + 1]!;
    if (p1 === p0) continue;
    num.fill(0);
    den.fill(0);
    const xo = r * k;
    for (let p = p0; p < p1; p++) {
      const j = indices[p]!;
      const yo = j * k;
      let est = biased ? mu + targetBias[r]! + otherBias[j]! : 0;
      for (let f = 0; f < k; f++) est += target[xo + f]! * other[yo + f]!;
      const v = values[p]!;
      if (biased) targetBias[r]! += lrBias * (v - est - regBias * targetBias[r]!);
      for (let f = 0; f < k; f++) {
        const y = other[yo + f]!;
        num[f]! += y * v;
        den[f]! += y * est;
      }
    }
    const n = p1 - p0;
    for (let f = 0; f < k; f++) {
      const x = target[xo + f]!;
      const d = den[f]! + reg * n * x;
      // A zero (or, with biases, non-positive) denominator leaves the factor as it is, so it stays ≥ 0.
      if (d > 0) target[xo + f] = (x * num[f]!) / d;
    }
  }
}
