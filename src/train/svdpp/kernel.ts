/**
 * One SGD pass of SVD++ (Koren 2008, eq. 15) over the users [start, end) of the user × item CSR,
 * each user's ratings in stored order (Surprise's SVDpp order). With N(u) the user's rated items,
 * s = |N(u)|^(−½) and z_u = s Σ_{j∈N(u)} y_j, for each rating (u, i, r):
 *
 *   e = r − (μ + b_u + b_i + q_i·(p_u + z_u)),
 *   b_u += γ(e − λ_b b_u),  b_i += γ(e − λ_b b_i),
 *   p_u += γ(e q_i − λ_f p_u),  q_i += γ(e (p_u + z_u) − λ_f q_i),
 *   y_j += γ(e s q_i − λ_y y_j)  for every j ∈ N(u)      (all from the values before the rating),
 *
 * i.e. a gradient step on ½[e² + λ_b(b_u² + b_i²) + λ_f(‖p_u‖² + ‖q_i‖²) + λ_y Σ_j ‖y_j‖²].
 *
 * Surprise touches all |N(u)| rows y_j at every rating: O(Σ_u |N(u)|²·k) a pass. Every y_j of the
 * user gets the same step g = γ e s q_i and the same shrink c = 1 − γλ_y, so after t ratings
 * y_j = c^t y_j⁰ + G with G ← c·G + g, and z_u follows as z ← c·z + s·|N(u)|·g. The pass keeps z and
 * G in O(k) per rating and writes the y_j once per user: the same values in O(nnz·k).
 * Returns Σ e² of the errors seen during the pass.
 */
export function svdppEpoch(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  userFactors: Float32Array,
  itemFactors: Float32Array,
  implicitFactors: Float32Array,
  userBias: Float32Array,
  itemBias: Float32Array,
  k: number,
  mu: number,
  learningRate: number,
  regBias: number,
  regFactors: number,
  regImplicit: number,
): number {
  const P = userFactors;
  const Q = itemFactors;
  const Y = implicitFactors;
  const bias = userBias.length > 0 && itemBias.length > 0;
  const lr = learningRate;
  const z = new Float64Array(k);
  const G = new Float64Array(k);
  const c = 1 - lr * regImplicit;
  let sse = 0;
  for (let u = start; u < end; u++) {
    const p0 = indptr[u]!;
    const p1 = indptr[u + 1]!;
    const n = p1 - p0;
    if (n === 0) continue;
    const s = 1 / Math.sqrt(n);
    z.fill(0);
    G.fill(0);
    for (let p = p0; p < p1; p++) {
      const yo = indices[p]! * k;
      for (let f = 0; f < k; f++) z[f]! += Y[yo + f]!;
    }
    for (let f = 0; f < k; f++) z[f]! *= s;
    const po = u * k;
    let shrinkAll = 1;
    for (let p = p0; p < p1; p++) {
      const i = indices[p]!;
      const qo = i * k;
      let pred = mu;
      if (bias) pred += userBias[u]! + itemBias[i]!;
      for (let f = 0; f < k; f++) pred += Q[qo + f]! * (P[po + f]! + z[f]!);
      const e = values[p]! - pred;
      sse += e * e;
      if (bias) {
        userBias[u]! += lr * (e - regBias * userBias[u]!);
        itemBias[i]! += lr * (e - regBias * itemBias[i]!);
      }
      const sn = s * n;
      for (let f = 0; f < k; f++) {
        const pf = P[po + f]!;
        const qf = Q[qo + f]!;
        const zf = z[f]!;
        P[po + f] = pf + lr * (e * qf - regFactors * pf);
        Q[qo + f] = qf + lr * (e * (pf + zf) - regFactors * qf);
        const g = lr * e * s * qf;
        z[f] = c * zf + sn * g;
        G[f] = c * G[f]! + g;
      }
      shrinkAll *= c;
    }
    for (let p = p0; p < p1; p++) {
      const yo = indices[p]! * k;
      for (let f = 0; f < k; f++) Y[yo + f] = shrinkAll * Y[yo + f]! + G[f]!;
    }
  }
  return sse;
}

/**
 * The user rows with the implicit term folded in, x_u = p_u + |N(u)|^(−½) Σ_{j∈N(u)} y_j, for users
 * [start, end): then q_i·x_u is SVD++'s interaction term and one FactorModel scores it.
 */
export function svdppFoldUsers(indptr: Int32Array, indices: Int32Array, userFactors: Float32Array, implicitFactors: Float32Array, k: number, out: Float32Array, start: number, end: number): void {
  for (let u = start; u < end; u++) {
    const p0 = indptr[u]!;
    const p1 = indptr[u + 1]!;
    const s = p1 > p0 ? 1 / Math.sqrt(p1 - p0) : 0;
    const o = u * k;
    for (let f = 0; f < k; f++) {
      let t = 0;
      for (let p = p0; p < p1; p++) t += implicitFactors[indices[p]! * k + f]!;
      out[o + f] = userFactors[o + f]! + s * t;
    }
  }
}
