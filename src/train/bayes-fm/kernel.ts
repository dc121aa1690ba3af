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
 * With the time group (`bins` non-null, factor columns only) the rating's bin row joins the other
 * side: o_n = other[…] + T[bins[n]·stride + col], since r̂ holds v_t·(U_u + I_i) (see fmTimeCaches).
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
  bins: Int32Array | null = null,
  T: Float32Array | null = null,
): void {
  for (let r = 0; r < rows; r++) {
    let sa = 0;
    let sg = 0;
    for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) {
      const o = bins === null ? other[indices[p]! * stride + col]! : other[indices[p]! * stride + col]! + T![bins[p]! * stride + col]!;
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
 * side sum moved from `before[r]` to `sums[r·stride + col]` (o_n as in fmRowCaches, time bins included).
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
  bins: Int32Array | null = null,
  T: Float32Array | null = null,
): void {
  for (let r = 0; r < rows; r++) {
    const d = sums[r * stride + col]! - before[r]!;
    if (d === 0) continue;
    if (bins === null) for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) resid[p]! -= d * other[indices[p]! * stride + col]!;
    else for (let p = indptr[r]!, p1 = indptr[r + 1]!; p < p1; p++) resid[p]! -= d * (other[indices[p]! * stride + col]! + T![bins[p]! * stride + col]!);
  }
}

/**
 * The per-rating groups' caches (time bins, user-day bins): parameter row b occurs in the ratings n with
 * bins[n] = b, with h_n = U_u[col] + I_i[col] for a factor column (`linear` false) or 1 for the linear
 * one. A_b = Σ h², G_b = Σ e·h for b < binRows, accumulated over the ratings of user rows [0, rows) in
 * user order (U: user side sums, I: item side sums, both `stride` wide; `resid` in user order).
 */
export function fmTimeCaches(
  indptr: Int32Array,
  indices: Int32Array,
  bins: Int32Array,
  resid: Float32Array,
  U: Float32Array,
  I: Float32Array,
  stride: number,
  col: number,
  linear: boolean,
  a: Float64Array,
  g: Float64Array,
  binRows: number,
  rows: number,
): void {
  for (let b = 0; b < binRows; b++) {
    a[b] = 0;
    g[b] = 0;
  }
  for (let u = 0; u < rows; u++) {
    const uo = u * stride + col;
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const b = bins[p]!;
      const h = linear ? 1 : U[uo]! + I[indices[p]! * stride + col]!;
      a[b]! += h * h;
      g[b]! += resid[p]! * h;
    }
  }
}

/** Residuals after a per-rating group's draws: e_n −= (S'_b − S_b)·h_n, b = bins[n], S_b = sums[b·stride + col] (h_n as in fmTimeCaches). */
export function fmTimeUpdateResiduals(
  indptr: Int32Array,
  indices: Int32Array,
  bins: Int32Array,
  resid: Float32Array,
  U: Float32Array,
  I: Float32Array,
  stride: number,
  col: number,
  linear: boolean,
  sums: Float32Array,
  before: Float32Array,
  rows: number,
): void {
  for (let u = 0; u < rows; u++) {
    const uo = u * stride + col;
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const b = bins[p]!;
      const d = sums[b * stride + col]! - before[b]!;
      if (d === 0) continue;
      resid[p]! -= linear ? d : d * (U[uo]! + I[indices[p]! * stride + col]!);
    }
  }
}

/** The per-rating groups of a residual pass: time bins (rows `w` wide: v_t in columns 0..k−1, w_t in column k) and user-day biases. */
export interface FmRatingGroups {
  /** Time bin row of each rating (user order), or null. */
  bins: Int32Array | null;
  T: Float32Array | null;
  /** Factor columns k of a time row. */
  k: number;
  /** User-day row of each rating (user order), or null. */
  dayBins: Int32Array | null;
  /** One bias per user-day row. */
  D: Float32Array | null;
}

/**
 * e_n = r_n − w₀ − U_u·I_i for the ratings of user rows [0, rows) (user order); returns Σe². The dot is
 * summed in f64 with the even and the odd columns apart, then added (the WASM kernel's two f64x2 lanes).
 * Per-rating groups (`extra`) subtract τ_n = (Σ_f T_bf·(U_uf + I_if) + T_bk) + D_d, in that order, before
 * the rounding to f32: b = bins[n], d = dayBins[n], each term absent when its group is.
 */
export function fmResiduals(
  indptr: Int32Array,
  indices: Int32Array,
  values: Float32Array,
  U: Float32Array,
  I: Float32Array,
  w: number,
  w0: number,
  resid: Float32Array,
  rows: number,
  extra: FmRatingGroups | null = null,
): number {
  if (extra !== null) return fmResidualsTimed(indptr, indices, values, U, I, w, w0, resid, rows, extra);
  let sse = 0;
  for (let u = 0; u < rows; u++) {
    const uo = u * w;
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const io = indices[p]! * w;
      const dot = laneDot(U, uo, I, io, w);
      const e = Math.fround(values[p]! - w0 - dot);
      resid[p] = e;
      sse += e * e;
    }
  }
  return sse;
}

/** U[uo..uo+w) · I[io..io+w) in two interleaved f64 lanes, summed at the end: the WASM kernel's order (same bytes). */
function laneDot(U: Float32Array, uo: number, I: Float32Array, io: number, w: number): number {
  const w2 = w & ~1;
  let d0 = 0;
  let d1 = 0;
  let c = 0;
  for (; c < w2; c += 2) {
    d0 += U[uo + c]! * I[io + c]!;
    d1 += U[uo + c + 1]! * I[io + c + 1]!;
  }
  if (c < w) d0 += U[uo + c]! * I[io + c]!;
  return d0 + d1;
}

function fmResidualsTimed(indptr: Int32Array, indices: Int32Array, values: Float32Array, U: Float32Array, I: Float32Array, w: number, w0: number, resid: Float32Array, rows: number, x: FmRatingGroups): number {
  let sse = 0;
  const { bins, T, k, dayBins, D } = x;
  for (let u = 0; u < rows; u++) {
    const uo = u * w;
    for (let p = indptr[u]!, p1 = indptr[u + 1]!; p < p1; p++) {
      const io = indices[p]! * w;
      const dot = laneDot(U, uo, I, io, w);
      let tau = 0;
      if (bins !== null) {
        const to = bins[p]! * w;
        let st = 0;
        for (let f = 0; f < k; f++) st += T![to + f]! * (U[uo + f]! + I[io + f]!);
        tau = st + T![to + k]!;
      }
      if (dayBins !== null) tau += D![dayBins[p]!]!;
      const e = Math.fround(values[p]! - w0 - dot - tau);
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
