import { choleskyFactor, choleskySolve } from "./linalg.js";

/** Ratings gathered per block when accumulating a Gram matrix (bounds scratch, keeps it in cache). */
const BLOCK = 128;

/**
 * One explicit-ALS half-sweep over rows [start, end) of a CSR (users × items for the user
 * half, its transpose for the item half): each row x_r gets the exact ridge least-squares
 * minimiser with the other side Y fixed,
 *
 *   z_r = argmin_z Σ_{j∈R(r)} (v_rj − μ − c_j − z·ŷ_j)² + λ_r ‖z‖²,   λ_r = λ·(weighted ? n_r : 1),
 *
 * where ŷ_j = [1, y_j] and z = [b_r, x_r] when biases are used (the bias is one more column of
 * the solve, so user/item biases are learned jointly with the factors, not alternated separately),
 * else ŷ_j = y_j, z = x_r and μ = c_j = 0. The bias is penalised by its own λ'_r = regBias·(weighted ? n_r : 1).
 * Solved by the normal equations (ŶᵀŶ + diag(λ'_r, λ_r … λ_r)) z = Ŷᵀ(v − μ − c) with a Cholesky factorisation.
 *
 * `xBias`/`yBias` of length 0 mean "no biases". A row with no entries gets zeros. Scratch is
 * allocated once per call. Returns the number of rows whose system was not numerically positive
 * definite (λ ≈ 0 with fewer ratings than factors) and was solved with an added ridge of 1e-9·trace.
 */
export function alsExplicitHalfSweep(
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
  start: number,
  end: number,
): number {
  const bias = xBias.length > 0 ? 1 : 0;
  const d = k + bias;
  const g = new Float64Array(d * BLOCK); // gathered rows, transposed: g[a·BLOCK + t] = ŷ_{j_t}[a]
  const res = new Float64Array(BLOCK); // targets v − μ − c_j of the block
  const gram = new Float64Array(d * d);
  const fac = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const sol = new Float64Array(d);
  let fallbacks = 0;
  for (let r = start; r < end; r++) {
    const p0 = indptr[r]!;
    const p1 = indptr[r + 1]!;
    const xo = r * k;
    if (p1 === p0) {
      for (let f = 0; f < k; f++) x[xo + f] = 0;
      if (bias) xBias[r] = 0;
      continue;
    }
    gram.fill(0);
    rhs.fill(0);
    for (let c = p0; c < p1; c += BLOCK) {
      const len = Math.min(p1 - c, BLOCK);
      for (let t = 0; t < len; t++) {
        const j = indices[c + t]!;
        const yo = j * k;
        let v = values[c + t]!;
        if (bias) {
          v -= mu + yBias[j]!;
          g[t] = 1;
        }
        res[t] = v;
        for (let f = 0; f < k; f++) g[(f + bias) * BLOCK + t] = y[yo + f]!;
      }
      for (let a = 0; a < d; a++) {
        const ga = a * BLOCK;
        let s = 0;
        for (let t = 0; t < len; t++) s += g[ga + t]! * res[t]!;
        rhs[a]! += s;
        const ra = a * d;
        // Four Gram entries per pass over the block: each g[ga + t] load feeds four multiply-adds.
        let b = 0;
        for (; b + 3 <= a; b += 4) {
          const g0 = b * BLOCK;
          const g1 = g0 + BLOCK;
          const g2 = g1 + BLOCK;
          const g3 = g2 + BLOCK;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let t = 0; t < len; t++) {
            const v = g[ga + t]!;
            s0 += v * g[g0 + t]!;
            s1 += v * g[g1 + t]!;
            s2 += v * g[g2 + t]!;
            s3 += v * g[g3 + t]!;
          }
          gram[ra + b]! += s0;
          gram[ra + b + 1]! += s1;
          gram[ra + b + 2]! += s2;
          gram[ra + b + 3]! += s3;
        }
        for (; b <= a; b++) {
          const gb = b * BLOCK;
          let s2 = 0;
          for (let t = 0; t < len; t++) s2 += g[ga + t]! * g[gb + t]!;
          gram[ra + b]! += s2;
        }
      }
    }
    const scale = weighted ? p1 - p0 : 1;
    const lambda = reg * scale;
    const lambdaBias = regBias * scale;
    let ridge = 0;
    for (let attempt = 0; ; attempt++) {
      fac.set(gram);
      for (let a = 0; a < d; a++) fac[a * d + a]! += ridge + (a < bias ? lambdaBias : lambda);
      if (choleskyFactor(fac, d)) break;
      if (attempt === 0) fallbacks++;
      let trace = 0;
      for (let a = 0; a < d; a++) trace += gram[a * d + a]!;
      ridge = (1e-9 * trace) / d + 1e-12 * 10 ** attempt;
    }
    sol.set(rhs);
    choleskySolve(fac, d, sol);
    if (bias) xBias[r] = sol[0]!;
    for (let f = 0; f < k; f++) x[xo + f] = sol[f + bias]!;
  }
  return fallbacks;
}
