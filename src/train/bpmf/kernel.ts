/**
 * The per-row Gibbs step of Bayesian probabilistic matrix factorisation (Salakhutdinov & Mnih 2008,
 * eq. 12–13): with the other side's factors V fixed and the row's prior N(μ, Λ⁻¹),
 *   Λ*_r = Λ + α Σ_{j∈R(r)} v_j v_jᵀ,   m_r = Λ*_r⁻¹ (α Σ_j (r_rj − μ₀) v_j + Λμ),
 *   x_r ~ N(m_r, Λ*_r⁻¹)  drawn as  m_r + L⁻ᵀ z  with Λ*_r = L·Lᵀ and z the row's standard normals.
 * The normals come in precomputed (`noise`, (end − start)·k values), so the kernel stays a pure
 * function of typed arrays and its result does not depend on how rows are sharded.
 *
 * Biases ride along as columns: rows have width w and, when `fixedCol` ≥ 0, that column of the target
 * is the constant 1 (not sampled) and that column of the other side is its bias, subtracted from the
 * rating. With users [u, b_u, 1] and items [v, 1, b_i] (w = k + 2), x·y = u·v + b_u + b_i and each
 * side samples its k + 1 free columns (factors and own bias) jointly.
 */
import { choleskyFactor, choleskySolve } from "../../kernels/linalg.js";
import { solveUpperFromLower } from "./wishart.js";

/**
 * Draw the k free columns of rows [start, end) of `target` (rows × w) given `other` (× w);
 * `noise[(r − start)·k + f]` ~ N(0, 1); `lambda` (k×k) and `lambdaMu` (k) are over the free columns.
 * k = w when `fixedCol` is −1, else w − 1.
 */
export function bpmfSampleRows(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  target: Float32Array,
  other: Float32Array,
  w: number,
  fixedCol: number,
  globalMean: number,
  precision: number,
  lambda: Float64Array,
  lambdaMu: Float64Array,
  noise: Float64Array,
  start: number,
  end: number,
): void {
  const k = fixedCol >= 0 ? w - 1 : w;
  // free column f of a row is column cols[f]: every column but the fixed one.
  const cols = new Int32Array(k);
  for (let c = 0, f = 0; c < w; c++) if (c !== fixedCol) cols[f++] = c;
  const v = new Float64Array(k);
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  const z = new Float64Array(k);
  for (let r = start; r < end; r++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) a[i * k + j] = lambda[i * k + j]!;
      b[i] = lambdaMu[i]!;
    }
    for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) {
      const vo = indices[p]! * w;
      const e = precision * (values[p]! - globalMean - (fixedCol >= 0 ? other[vo + fixedCol]! : 0));
      for (let i = 0; i < k; i++) v[i] = other[vo + cols[i]!]!;
      for (let i = 0; i < k; i++) {
        const vi = v[i]!;
        const avi = precision * vi;
        for (let j = 0; j <= i; j++) a[i * k + j]! += avi * v[j]!;
        b[i]! += e * vi;
      }
    }
    if (!choleskyFactor(a, k)) throw new RangeError(`BPMF row ${r}: posterior precision is not positive definite`);
    choleskySolve(a, k, b);
    const no = (r - start) * k;
    for (let f = 0; f < k; f++) z[f] = noise[no + f]!;
    solveUpperFromLower(a, k, z);
    const to = r * w;
    for (let f = 0; f < k; f++) target[to + cols[f]!] = b[f]! + z[f]!;
    if (fixedCol >= 0) target[to + fixedCol] = 1;
  }
}
