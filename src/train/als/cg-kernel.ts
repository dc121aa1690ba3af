/**
 * One explicit-ALS half-sweep over rows [start, end) by conjugate gradient, warm-started from the
 * current (x_r, b_r): the system of {@link alsExplicitHalfSweep} (bias stored in its own array),
 *
 *   (Σ_j ŷ_j ŷ_jᵀ + Λ_r) z = Σ_j t_j ŷ_j,   ŷ_j = [y_j, 1], z = [x_r, b_r], t_j = v_rj − μ − c_j,
 *   Λ_r = diag(λ, …, λ, λ_b)·(weighted ? n_r : 1)   (without biases ŷ_j = y_j, z = x_r, t_j = v_rj),
 *
 * solved approximately by at most `steps` CG steps (stopping when rᵀr ≤ 1e-20). Each step costs
 * O(n_r·k) instead of the O(n_r·k²) Gram of the exact solve. The reference of the WASM kernel
 * `alsCgRange` (same order of operations; f64 here, f32 there). A row with no entries gets zeros.
 */
export function alsExplicitCgHalfSweep(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  x: Float32Array,
  xBias: Float32Array,
  y: Float32Array,
  yBias: Float32Array,
  k: number,
  mu: number,
  reg: number,
  regBias: number,
  weighted: boolean,
  steps: number,
  start: number,
  end: number,
): void {
  const bias = xBias.length > 0;
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const ap = new Float64Array(k);
  for (let row = start; row < end; row++) {
    const lo = indptr[row]!;
    const hi = indptr[row + 1]!;
    const xo = row * k;
    if (hi === lo) {
      x.fill(0, xo, xo + k);
      if (bias) xBias[row] = 0;
      continue;
    }
    const scale = weighted ? hi - lo : 1;
    const lam = reg * scale;
    const lamB = regBias * scale;
    let xb = bias ? xBias[row]! : 0;
    for (let a = 0; a < k; a++) r[a] = -lam * x[xo + a]!;
    let rb = -lamB * xb;
    for (let q = lo; q < hi; q++) {
      const j = indices[q]!;
      const yo = j * k;
      let t = values[q]!;
      let yx = 0;
      for (let a = 0; a < k; a++) yx += y[yo + a]! * x[xo + a]!;
      if (bias) {
        t -= mu + yBias[j]!;
        yx += xb;
      }
      const c = t - yx;
      for (let a = 0; a < k; a++) r[a]! += c * y[yo + a]!;
      rb += c;
    }
    if (!bias) rb = 0;
    p.set(r);
    let pb = rb;
    let rs = rb * rb;
    for (let a = 0; a < k; a++) rs += r[a]! * r[a]!;
    for (let it = 0; it < steps && rs > 1e-20; it++) {
      for (let a = 0; a < k; a++) ap[a] = lam * p[a]!;
      let apb = lamB * pb;
      for (let q = lo; q < hi; q++) {
        const yo = indices[q]! * k;
        let c = pb;
        for (let a = 0; a < k; a++) c += y[yo + a]! * p[a]!;
        for (let a = 0; a < k; a++) ap[a]! += c * y[yo + a]!;
        apb += c;
      }
      if (!bias) apb = 0;
      let pap = pb * apb;
      for (let a = 0; a < k; a++) pap += p[a]! * ap[a]!;
      if (!(pap > 0)) break;
      const step = rs / pap;
      let rsNew = 0;
      for (let a = 0; a < k; a++) {
        x[xo + a] = x[xo + a]! + step * p[a]!;
        r[a] = r[a]! - step * ap[a]!;
        rsNew += r[a]! * r[a]!;
      }
      xb += step * pb;
      rb -= step * apb;
      rsNew += rb * rb;
      const beta = rsNew / rs;
      for (let a = 0; a < k; a++) p[a] = r[a]! + beta * p[a]!;
      pb = rb + beta * pb;
      rs = rsNew;
    }
    if (bias) xBias[row] = xb;
  }
}
