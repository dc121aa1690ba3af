/**
 * Kernels of the bayes-fm Gibbs sampler (src/train/bayes-fm/kernel.ts has the TS reference and the
 * math). Every sum is taken in f64 in the TS order, the two-lane f64x2 dot and axpy included (the TS
 * reference accumulates even and odd columns apart for that reason), so WASM and TS give the same bytes.
 * Pointers are byte offsets; rows are `stride` f32 wide; a, g, noise are f64.
 */

/**
 * A_r = Σ o², G_r = Σ e·o over the ratings of rows [start, end), o = other[indices[p]·stride + col]
 * (+ T[bins[p]·stride + col] when bins ≠ 0: the time group, fmRowCaches).
 */
export function bfmCachesRange(
  indptr: usize, indices: usize, resid: usize, other: usize, stride: i32, col: i32, a: usize, g: usize, bins: usize, T: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>stride << 2;
  const colOff = <usize>col << 2;
  for (let r = start; r < end; r++) {
    let sa: f64 = 0;
    let sg: f64 = 0;
    const p1 = load<i32>(indptr + (<usize>(r + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>r << 2)); p < p1; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      let o = <f64>load<f32>(other + <usize>j * rowBytes + colOff);
      if (bins !== 0) o += <f64>load<f32>(T + <usize>load<i32>(bins + (<usize>p << 2)) * rowBytes + colOff);
      sa += o * o;
      sg += <f64>load<f32>(resid + (<usize>p << 2)) * o;
    }
    store<f64>(a + (<usize>r << 3), sa);
    store<f64>(g + (<usize>r << 3), sg);
  }
}

/**
 * Draw column `col` of parameter rows [start, end) of one group (fmSampleGroup): occPtr = 0 is the id
 * group (parameter row t is side row t with weight 1), else row t occurs in side rows
 * occIndices[occPtr[t]..occPtr[t+1]) with weights occWeights. Updates theta, sums and g in place.
 */
export function bfmGroupRange(
  occPtr: usize, occIndices: usize, occWeights: usize, theta: usize, stride: i32, col: i32, sums: usize,
  a: usize, g: usize, alpha: f64, mu: f64, lambda: f64, noise: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>stride << 2;
  const colOff = <usize>col << 2;
  for (let t = start; t < end; t++) {
    const at = theta + <usize>t * rowBytes + colOff;
    const old = <f64>load<f32>(at);
    let sh2: f64 = 0;
    let seh: f64 = 0;
    let q0 = 0;
    let q1 = 0;
    if (occPtr === 0) {
      sh2 = load<f64>(a + (<usize>t << 3));
      seh = load<f64>(g + (<usize>t << 3));
    } else {
      q0 = load<i32>(occPtr + (<usize>t << 2));
      q1 = load<i32>(occPtr + (<usize>(t + 1) << 2));
      for (let q = q0; q < q1; q++) {
        const r = <usize>load<i32>(occIndices + (<usize>q << 2));
        const x = <f64>load<f32>(occWeights + (<usize>q << 2));
        sh2 += x * x * load<f64>(a + (r << 3));
        seh += x * load<f64>(g + (r << 3));
      }
    }
    const prec = lambda + alpha * sh2;
    const mean = (alpha * (seh + old * sh2) + lambda * mu) / prec;
    const nv = <f32>(mean + load<f64>(noise + (<usize>t << 3)) / Math.sqrt(prec));
    const d = <f64>nv - old;
    store<f32>(at, nv);
    if (d === 0) continue;
    if (occPtr === 0) {
      const gp = g + (<usize>t << 3);
      store<f64>(gp, load<f64>(gp) - d * load<f64>(a + (<usize>t << 3)));
      const sp = sums + <usize>t * rowBytes + colOff;
      store<f32>(sp, <f32>(<f64>load<f32>(sp) + d));
    } else {
      for (let q = q0; q < q1; q++) {
        const r = <usize>load<i32>(occIndices + (<usize>q << 2));
        const x = <f64>load<f32>(occWeights + (<usize>q << 2));
        const gp = g + (r << 3);
        store<f64>(gp, load<f64>(gp) - x * d * load<f64>(a + (r << 3)));
        const sp = sums + r * rowBytes + colOff;
        store<f32>(sp, <f32>(<f64>load<f32>(sp) + x * d));
      }
    }
  }
}

/** e_p −= (sums[r·stride + col] − before[r])·o_p for the ratings of rows [start, end) (fmUpdateResiduals). */
export function bfmResidualUpdateRange(
  indptr: usize, indices: usize, resid: usize, other: usize, stride: i32, col: i32, sums: usize, before: usize, bins: usize, T: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>stride << 2;
  const colOff = <usize>col << 2;
  for (let r = start; r < end; r++) {
    const d = <f64>load<f32>(sums + <usize>r * rowBytes + colOff) - <f64>load<f32>(before + (<usize>r << 2));
    if (d === 0) continue;
    const p1 = load<i32>(indptr + (<usize>(r + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>r << 2)); p < p1; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      const rp = resid + (<usize>p << 2);
      let o = <f64>load<f32>(other + <usize>j * rowBytes + colOff);
      if (bins !== 0) o += <f64>load<f32>(T + <usize>load<i32>(bins + (<usize>p << 2)) * rowBytes + colOff);
      store<f32>(rp, <f32>(<f64>load<f32>(rp) - d * o));
    }
  }
}

/**
 * Caches of a per-rating group (fmTimeCaches): A_b = Σ h², G_b = Σ e·h over the ratings n of user rows
 * [start, end) with bins[n] = b, h = U[u·stride + col] + I[i·stride + col] (or 1 when `linear`). The caller
 * zeroes a and g over the group's rows first (this kernel accumulates, so a range must be the whole side).
 */
export function bfmTimeCachesRange(
  indptr: usize, indices: usize, bins: usize, resid: usize, U: usize, I: usize, stride: i32, col: i32, linear: i32, a: usize, g: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>stride << 2;
  const colOff = <usize>col << 2;
  for (let u = start; u < end; u++) {
    const uo = U + <usize>u * rowBytes + colOff;
    const p1 = load<i32>(indptr + (<usize>(u + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>u << 2)); p < p1; p++) {
      const b = <usize>load<i32>(bins + (<usize>p << 2));
      let h: f64 = 1;
      if (linear === 0) h = <f64>load<f32>(uo) + <f64>load<f32>(I + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes + colOff);
      const ap = a + (b << 3);
      const gp = g + (b << 3);
      store<f64>(ap, load<f64>(ap) + h * h);
      store<f64>(gp, load<f64>(gp) + <f64>load<f32>(resid + (<usize>p << 2)) * h);
    }
  }
}

/** e_n −= (sums[b·stride + col] − before[b])·h_n, b = bins[n], for the ratings of user rows [start, end) (fmTimeUpdateResiduals). */
export function bfmTimeResidualUpdateRange(
  indptr: usize, indices: usize, bins: usize, resid: usize, U: usize, I: usize, stride: i32, col: i32, linear: i32, sums: usize, before: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>stride << 2;
  const colOff = <usize>col << 2;
  for (let u = start; u < end; u++) {
    const uo = U + <usize>u * rowBytes + colOff;
    const p1 = load<i32>(indptr + (<usize>(u + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>u << 2)); p < p1; p++) {
      const b = <usize>load<i32>(bins + (<usize>p << 2));
      const d = <f64>load<f32>(sums + b * rowBytes + colOff) - <f64>load<f32>(before + (b << 2));
      if (d === 0) continue;
      const rp = resid + (<usize>p << 2);
      if (linear !== 0) store<f32>(rp, <f32>(<f64>load<f32>(rp) - d));
      else {
        const h = <f64>load<f32>(uo) + <f64>load<f32>(I + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes + colOff);
        store<f32>(rp, <f32>(<f64>load<f32>(rp) - d * h));
      }
    }
  }
}

/**
 * e_p = r_p − w₀ − U_u·I_i for the ratings of user rows [start, end) (fmResiduals): the dot in f64x2,
 * lane 0 the even columns, lane 1 the odd ones, summed lane 0 + lane 1. Σe² (f64) goes to lossOut[shard].
 * The per-rating groups (bins ≠ 0: time rows T, k factors then w_t; dayBins ≠ 0: user-day biases D) subtract
 * τ = (Σ_f T_f·(U_f + I_f) + T_k) + D_d, summed in that order (fmResiduals' FmRatingGroups).
 */
export function bfmResidualsRange(
  indptr: usize, indices: usize, values: usize, U: usize, I: usize, w: i32, w0: f64, resid: usize, lossOut: usize,
  bins: usize, T: usize, k: i32, dayBins: usize, D: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>w << 2;
  const w2 = w & ~1;
  let sse: f64 = 0;
  for (let u = start; u < end; u++) {
    const uo = U + <usize>u * rowBytes;
    const p1 = load<i32>(indptr + (<usize>(u + 1) << 2));
    for (let p = load<i32>(indptr + (<usize>u << 2)); p < p1; p++) {
      const io = I + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
      let acc = f64x2.splat(0);
      let c = 0;
      for (; c < w2; c += 2) {
        const o = <usize>c << 2;
        acc = f64x2.add(acc, f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(uo + o)), f64x2.promote_low_f32x4(v128.load64_zero(io + o))));
      }
      let d0 = f64x2.extract_lane(acc, 0);
      if (c < w) d0 += <f64>load<f32>(uo + (<usize>c << 2)) * <f64>load<f32>(io + (<usize>c << 2));
      const dot = d0 + f64x2.extract_lane(acc, 1);
      let e: f32;
      if (bins === 0 && dayBins === 0) e = <f32>(<f64>load<f32>(values + (<usize>p << 2)) - w0 - dot);
      else {
        let tau: f64 = 0;
        if (bins !== 0) {
          const to = T + <usize>load<i32>(bins + (<usize>p << 2)) * rowBytes;
          let st: f64 = 0;
          for (let f = 0; f < k; f++) {
            const o = <usize>f << 2;
            st += <f64>load<f32>(to + o) * (<f64>load<f32>(uo + o) + <f64>load<f32>(io + o));
          }
          tau = st + <f64>load<f32>(to + (<usize>k << 2));
        }
        if (dayBins !== 0) tau += <f64>load<f32>(D + (<usize>load<i32>(dayBins + (<usize>p << 2)) << 2));
        e = <f32>(<f64>load<f32>(values + (<usize>p << 2)) - w0 - dot - tau);
      }
      store<f32>(resid + (<usize>p << 2), e);
      sse += <f64>e * <f64>e;
    }
  }
  store<f64>(lossOut + (<usize>shard << 3), sse);
}

/**
 * Side sums of an implicit group for parameter rows [start, end) (fmAddGroupSums): s[r] += x·θ_t
 * element by element (f64, rounded to f32), two columns per f64x2.
 */
export function bfmGroupSumsRange(
  occPtr: usize, occIndices: usize, occWeights: usize, theta: usize, w: i32, sums: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>w << 2;
  const w2 = w & ~1;
  for (let t = start; t < end; t++) {
    const th = theta + <usize>t * rowBytes;
    const q1 = load<i32>(occPtr + (<usize>(t + 1) << 2));
    for (let q = load<i32>(occPtr + (<usize>t << 2)); q < q1; q++) {
      const s = sums + <usize>load<i32>(occIndices + (<usize>q << 2)) * rowBytes;
      const x = <f64>load<f32>(occWeights + (<usize>q << 2));
      const xv = f64x2.splat(x);
      let c = 0;
      for (; c < w2; c += 2) {
        const o = <usize>c << 2;
        const sum = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(s + o)), f64x2.mul(xv, f64x2.promote_low_f32x4(v128.load64_zero(th + o))));
        v128.store64_lane(s + o, f32x4.demote_f64x2_zero(sum), 0);
      }
      for (; c < w; c++) {
        const o = <usize>c << 2;
        store<f32>(s + o, <f32>(<f64>load<f32>(s + o) + x * <f64>load<f32>(th + o)));
      }
    }
  }
}
