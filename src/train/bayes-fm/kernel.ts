/**
 * The hot loops of the `bayes-fm` Gibbs sampler (libFM's MCMC, Rendle 2012/2013, restricted to a
 * two-sided factorization machine), in plain TypeScript over typed arrays. The WASM kernel
 * (assembly/bayes-fm.ts) implements the same three steps and is tested against these.
 *
 * The model: r̂(u,i) = w₀ + B_u + C_i + Σ_f U_uf·I_if, where the user side is a sum of feature groups
 *   U_u = p_u + c_u Σ_{j∈N(u)} y_j (+ side features),  B_u = b_u + c_u Σ_{j∈N(u)} w_j (+ …),  c_u = |N(u)|^-½
 * and the item side likewise ("flipped": the users who rated the item, c_i = |N(i)|^-½). Every
 * parameter θ enters r̂ linearly, r̂ = g + θ·h, so its full conditional under θ ~ N(μ, λ⁻¹) and
 * r ~ N(r̂, α⁻¹) is normal:
 *   precision P = λ + α Σ_n h_n²,  mean m = (α Σ_n (e_n + θ h_n) h_n + λ μ) / P,  e_n = r_n − r̂_n.
 * Rows are k + 2 wide as in bpmf: user side [U_u, B_u, 1], item side [I_i, 1, C_i], so
 * r̂ = w₀ + [U_u, B_u, 1]·[I_i, 1, C_i]. One "coordinate" c of one side is one of its k + 1 free
 * columns (the f-th factor, o_n = the other side's column f, or the linear term, o_n = 1). For a fixed coordinate, h_n = x_{row,feature}·o_n, so with the
 * per-row caches A_r = Σ_{n∈R(r)} o_n² and G_r = Σ_{n∈R(r)} e_n o_n every draw costs the number of
 * rows the feature occurs in, and a draw δ = θ' − θ updates G_r −= x·δ·A_r exactly (the libFM
 * caching argument); the residuals are refreshed once per coordinate from the change of the side sums.
 */

/**
 * A_r and G_r for rows [0, rows) of one side: o_n = `other[indices[n]·stride + col]` (the linear
 * column reads the other side's constant-1 column). `resid` is in this side's rating order.
 */
export function fmRowCaches(
  indptr: Int32Array,
  indices: Int32Array,
  resid: Float32Array,
  other: Float32Array,
  stride: number,
  col: number,
  a: Float64Array,
  g: Float64Array,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) {
    let sa = 0;
    let sg = 0;
    for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) {
      const o = other[indices[p]! * stride + col]!;
      sa += o * o;
      sg += resid[p]! * o;
    }
    a[r] = sa;
    g[r] = sg;
  }
}

/**
 * Draw one coordinate of every parameter row of a group: parameter row t occurs in side rows
 * `occIndices[occPtr[t]..occPtr[t+1])` with weights `occWeights` (null: weight 1 and row = t, the id group).
 * `theta[t·stride + col]` is updated in place, `sums[r·stride + col]` (the side sum) and `g` follow it.
 * `noise[t]` ~ N(0, 1). Returns nothing; the caller recomputes residuals from the side sums.
 */
export function fmSampleGroup(
  occPtr: Int32Array | null,
  occIndices: Int32Array | null,
  occWeights: Float32Array | null,
  theta: Float32Array,
  stride: number,
  col: number,
  sums: Float32Array,
  a: Float64Array,
  g: Float64Array,
  alpha: number,
  mu: number,
  lambda: number,
  noise: Float64Array,
  paramRows: number,
): void {
  for (let t = 0; t < paramRows; t++) {
    const at = t * stride + col;
    const old = theta[at]!;
    let sh2 = 0;
    let seh = 0;
    if (occPtr === null) {
      sh2 = a[t]!;
      seh = g[t]!;
    } else {
      for (let q = occPtr[t]!, q1 = occPtr[t + 1]!; q < q1; q++) {
        const r = occIndices![q]!;
        const x = occWeights![q]!;
        sh2 += x * x * a[r]!;
        seh += x * g[r]!;
      }
    }
    const prec = lambda + alpha * sh2;
    const mean = (alpha * (seh + old * sh2) + lambda * mu) / prec;
    const nv = Math.fround(mean + noise[t]! / Math.sqrt(prec));
    const d = nv - old;
    theta[at] = nv;
    if (d === 0) continue;
    if (occPtr === null) {
      g[t]! -= d * a[t]!;
      sums[t * stride + col]! += d;
    } else {
      for (let q = occPtr[t]!, q1 = occPtr[t + 1]!; q < q1; q++) {
        const r = occIndices![q]!;
        const x = occWeights![q]!;
        g[r]! -= x * d * a[r]!;
        sums[r * stride + col]! += x * d;
      }
    }
  }
}

/**
 * Residuals after a coordinate's draws: e_n −= (S'_r − S_r)·o_n for the ratings n of row r, where the
 * side sum moved from `before[r]` to `sums[r·stride + col]`.
 */
export function fmUpdateResiduals(
  indptr: Int32Array,
  indices: Int32Array,
  resid: Float32Array,
  other: Float32Array,
  stride: number,
  col: number,
  sums: Float32Array,
  before: Float32Array,
  rows: number,
): void {
  for (let r = 0; r < rows; r++) {
    const d = sums[r * stride + col]! - before[r]!;
    if (d === 0) continue;
    for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) resid[p]! -= d * other[indices[p]! * stride + col]!;
  }
}

/**
 * e_n = r_n − w₀ − U_u·I_i for the ratings of user rows [0, rows) (user order); returns Σe². The dot is
 * summed in f64 with the even and the odd columns apart, then added (the WASM kernel's two f64x2 lanes).
 */
export function fmResiduals(indptr: Int32Array, indices: Int32Array, values: Float32Array, U: Float32Array, I: Float32Array, w: number, w0: number, resid: Float32Array, rows: number): number {
  let sse = 0;
  const w2 = w & ~1;
  for (let u = 0; u < rows; u++) {
    const uo = u * w;
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const io = indices[p]! * w;
      let d0 = 0;
      let d1 = 0;
      let c = 0;
      for (; c < w2; c += 2) {
        d0 += U[uo + c]! * I[io + c]!;
        d1 += U[uo + c + 1]! * I[io + c + 1]!;
      }
      if (c < w) d0 += U[uo + c]! * I[io + c]!;
      const e = Math.fround(values[p]! - w0 - (d0 + d1));
      resid[p] = e;
      sse += e * e;
    }
  }
  return sse;
}

/** An implicit group's part of the side sums: S_r += x·θ_t for every occurrence (r, x) of parameter row t. */
export function fmGroupSums(occPtr: Int32Array, occIndices: Int32Array, occWeights: Float32Array, theta: Float32Array, w: number, sums: Float32Array, paramRows: number): void {
  for (let t = 0; t < paramRows; t++) {
    for (let q = occPtr[t]!, q1 = occPtr[t + 1]!; q < q1; q++) {
      const r = occIndices[q]! * w;
      const x = occWeights[q]!;
      for (let c = 0; c < w; c++) sums[r + c]! += x * theta[t * w + c]!;
    }
  }
}
