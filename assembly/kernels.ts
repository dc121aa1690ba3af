/**
 * mfrec WebAssembly SIMD kernels (AssemblyScript, f32x4). Compiled twice by scripts/build-wasm.mjs:
 * once against an imported plain memory and once against an imported shared memory (threads).
 *
 * Every kernel works on raw byte offsets into linear memory (the arena in src/kernels/wasm-arena.ts
 * lays the arrays out) and ends with the same four parameters, so the pool can run any of them
 * over fixed shards:  (..., start: i32, end: i32, shard: i32, scratch: usize).
 * Kernels write only the rows [start, end) they own plus per-shard outputs at `shard`, so the
 * result never depends on which thread ran a shard. No allocation, no static data: several
 * instances share one memory safely.
 */

// ---------------------------------------------------------------- vector helpers

/** Σ a[f]·b[f] over f < k: two f32x4 accumulators, lanes summed as ((l0+l1)+(l2+l3)), scalar tail. */
@inline function dot(a: usize, b: usize, k: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let f = 0;
  const k8 = k & ~7;
  for (; f < k8; f += 8) {
    const o = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  if (f + 4 <= k) {
    const o = <usize>f << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    f += 4;
  }
  const acc = f32x4.add(acc0, acc1);
  let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; f < k; f++) s += load<f32>(a + (<usize>f << 2)) * load<f32>(b + (<usize>f << 2));
  return s;
}

/** y[f] += s·x[f] for f < k. */
@inline function axpy(y: usize, s: f32, x: usize, k: i32): void {
  const sv = f32x4.splat(s);
  let f = 0;
  const k4 = k & ~3;
  for (; f < k4; f += 4) {
    const o = <usize>f << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(sv, v128.load(x + o))));
  }
  for (; f < k; f++) {
    const o = <usize>f << 2;
    store<f32>(y + o, load<f32>(y + o) + s * load<f32>(x + o));
  }
}

/**
 * out = s·G v + r·v for a symmetric k×k G (row stride k): Σ_b v_b·G[b] accumulated column-wise, four f32x4
 * accumulators per 16 outputs, so no horizontal sums (the dot-per-row form needs k of them).
 */
@inline function gemvSym(G: usize, v: usize, out: usize, k: i32, s: f32, r: f32): void {
  const rowBytes = <usize>k << 2;
  const k4 = k & ~3;
  const sv = f32x4.splat(s);
  const rv = f32x4.splat(r);
  let f = 0;
  for (; f + 16 <= k4; f += 16) {
    const fo = <usize>f << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let b = 0; b < k; b++) {
      const vb = f32x4.splat(load<f32>(v + (<usize>b << 2)));
      const g = G + <usize>b * rowBytes + fo;
      a0 = f32x4.add(a0, f32x4.mul(vb, v128.load(g)));
      a1 = f32x4.add(a1, f32x4.mul(vb, v128.load(g, 16)));
      a2 = f32x4.add(a2, f32x4.mul(vb, v128.load(g, 32)));
      a3 = f32x4.add(a3, f32x4.mul(vb, v128.load(g, 48)));
    }
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a0), f32x4.mul(rv, v128.load(v + fo))));
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a1), f32x4.mul(rv, v128.load(v + fo, 16))), 16);
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a2), f32x4.mul(rv, v128.load(v + fo, 32))), 32);
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a3), f32x4.mul(rv, v128.load(v + fo, 48))), 48);
  }
  for (; f < k4; f += 4) {
    const fo = <usize>f << 2;
    let a0 = f32x4.splat(0);
    for (let b = 0; b < k; b++) a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(v + (<usize>b << 2))), v128.load(G + <usize>b * rowBytes + fo)));
    v128.store(out + fo, f32x4.add(f32x4.mul(sv, a0), f32x4.mul(rv, v128.load(v + fo))));
  }
  for (; f < k; f++) {
    const fo = <usize>f << 2;
    let a: f32 = 0;
    for (let b = 0; b < k; b++) a += load<f32>(v + (<usize>b << 2)) * load<f32>(G + <usize>b * rowBytes + fo);
    store<f32>(out + fo, s * a + r * load<f32>(v + fo));
  }
}

// ---------------------------------------------------------------- SGD (biased MF)

/**
 * One rating's biased-MF SGD step (shared by sgdRange and sgdPackedRange): e = r − (μ + b_u + b_i + p·q),
 * g = lr·e, b ← shrinkB·b + g, p ← shrinkF·p + g·q, q ← shrinkF·q + g·p (old p, q). Returns e² as f64.
 */
@inline function sgdUpdate(
  P: usize, Q: usize, bu: usize, bi: usize, u: i32, i: i32, r: f32,
  k: i32, mu: f32, lr: f32, shrinkF: f32, shrinkB: f32, useBias: i32,
): f64 {
  const rowBytes = <usize>k << 2;
  const p = P + <usize>u * rowBytes;
  const q = Q + <usize>i * rowBytes;
  let pred: f32 = mu;
  const bup = bu + (<usize>u << 2);
  const bip = bi + (<usize>i << 2);
  if (useBias) pred += load<f32>(bup) + load<f32>(bip);
  pred += dot(p, q, k);
  const e: f32 = r - pred;
  const g: f32 = lr * e;
  if (useBias) {
    store<f32>(bup, shrinkB * load<f32>(bup) + g);
    store<f32>(bip, shrinkB * load<f32>(bip) + g);
  }
  const gv = f32x4.splat(g);
  const sfv = f32x4.splat(shrinkF);
  const k4 = k & ~3;
  let f = 0;
  for (; f < k4; f += 4) {
    const fo = <usize>f << 2;
    const pv = v128.load(p + fo);
    const qv = v128.load(q + fo);
    v128.store(p + fo, f32x4.add(f32x4.mul(sfv, pv), f32x4.mul(gv, qv)));
    v128.store(q + fo, f32x4.add(f32x4.mul(sfv, qv), f32x4.mul(gv, pv)));
  }
  for (; f < k; f++) {
    const fo = <usize>f << 2;
    const pf = load<f32>(p + fo);
    const qf = load<f32>(q + fo);
    store<f32>(p + fo, shrinkF * pf + g * qf);
    store<f32>(q + fo, shrinkF * qf + g * pf);
  }
  return <f64>e * <f64>e;
}

/**
 * One SGD pass over ratings t ∈ [start, end) in stored order (the block schedule groups and orders them);
 * the math of src/kernels/sgd.ts: e = r − (μ + b_u + b_i + p_u·q_i), g = lr·e,
 * b ← (1 − lr·λ_b) b + g, p_u ← (1 − lr·λ) p_u + g q_i, q_i ← (1 − lr·λ) q_i + g p_u (old p_u, q_i).
 * Σe² (each before its update) goes to lossOut[shard] as f64.
 */
export function sgdRange(
  users: usize, items: usize, values: usize, P: usize, Q: usize, bu: usize, bi: usize,
  k: i32, mu: f32, lr: f32, reg: f32, regBias: f32, useBias: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  let sse: f64 = 0;
  const shrinkF: f32 = 1 - lr * reg;
  const shrinkB: f32 = 1 - lr * regBias;
  for (let t = start; t < end; t++) {
    const o = <usize>t << 2;
    const u = load<i32>(users + o);
    const i = load<i32>(items + o);
    sse += sgdUpdate(P, Q, bu, bi, u, i, load<f32>(values + o), k, mu, lr, shrinkF, shrinkB, useBias);
  }
  store<f64>(lossOut + (<usize>shard << 3), sse);
}

/**
 * sgdRange on packed block entries: codes[t] = (u − uBase) << itemBits | (i − iBase) (u32), the value in
 * values[t] as f32 (valueBits = −1; 8 B/rating), or table[values[t]] with values a u8 array (valueBits = −2;
 * 5 B/rating), or table[v] with codes[t] = that << valueBits | v (valueBits ≥ 0; 4 B/rating). uBase, iBase = bases[2·shard], bases[2·shard + 1] (the block's first user and item, written by the
 * caller for each step). Same math, same order, same f32 values: the same bytes as sgdRange on the 12-byte layout.
 */
export function sgdPackedRange(
  codes: usize, values: usize, table: usize, P: usize, Q: usize, bu: usize, bi: usize,
  k: i32, mu: f32, lr: f32, reg: f32, regBias: f32, useBias: i32, lossOut: usize, bases: usize, itemBits: i32, valueBits: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const uBase = load<i32>(bases + (<usize>shard << 3));
  const iBase = load<i32>(bases + (<usize>shard << 3), 4);
  const mask: u32 = itemBits == 0 ? 0 : (<u32>0xffffffff) >>> <u32>(32 - itemBits);
  const vmask: u32 = valueBits <= 0 ? 0 : (<u32>0xffffffff) >>> <u32>(32 - valueBits);
  let sse: f64 = 0;
  const shrinkF: f32 = 1 - lr * reg;
  const shrinkB: f32 = 1 - lr * regBias;
  for (let t = start; t < end; t++) {
    const o = <usize>t << 2;
    let code = load<u32>(codes + o);
    let r: f32;
    if (valueBits >= 0) {
      r = load<f32>(table + (<usize>(code & vmask) << 2));
      code = code >>> <u32>valueBits;
    } else if (valueBits == -1) r = load<f32>(values + o);
    else r = load<f32>(table + (<usize>load<u8>(values + <usize>t) << 2));
    const u = uBase + <i32>(code >>> <u32>itemBits);
    const i = iBase + <i32>(code & mask);
    sse += sgdUpdate(P, Q, bu, bi, u, i, r, k, mu, lr, shrinkF, shrinkB, useBias);
  }
  store<f64>(lossOut + (<usize>shard << 3), sse);
}

// ---------------------------------------------------------------- Gram matrix

/** G = Σ_{j ∈ [start,end)} y_j y_jᵀ (k×k, row stride k), overwriting G. Single shard: used for iALS's YᵀY. */
export function gramRange(Y: usize, k: i32, G: usize, start: i32, end: i32, shard: i32, scratch: usize): void {
  const rowBytes = <usize>k << 2;
  memory.fill(G, 0, <usize>k * rowBytes);
  for (let j = start; j < end; j++) {
    const y = Y + <usize>j * rowBytes;
    for (let a = 0; a < k; a++) axpy(G + <usize>a * rowBytes, load<f32>(y + (<usize>a << 2)), y, k);
  }
}

// ---------------------------------------------------------------- explicit ALS, exact (Cholesky)

/**
 * Explicit ALS half-sweep, rows [start, end): for row x with ratings r_j on fixed rows y_j, solve
 * (Σ y'_j y'_jᵀ + Λ) x' = Σ t_j y'_j with y' = [y_j, 1] and x' = [x, b_x] when useBias (else y' = y_j),
 * t_j = r_j − μ − b_j (t_j = r_j without bias), Λ = diag(λ,…,λ, λ_b) scaled by n when scaleByCount.
 * (src/kernels/als-explicit.ts's math, bias stored last here.) Gram in f32 SIMD, Cholesky in f64 with
 * non-positive pivots clamped to 1e-30. A row with no ratings gets x = 0, b_x = 0.
 * Scratch: dp·dp f32 + d·d f64 + 2·dp f64 with d = k + useBias, dp = d rounded up to 4.
 */
export function alsCholeskyRange(
  indptr: usize, indices: usize, values: usize, X: usize, Y: usize, bx: usize, by: usize,
  k: i32, mu: f32, reg: f32, regBias: f32, scaleByCount: i32, useBias: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const d = k + useBias;
  const dp = (d + 3) & ~3;
  const rowBytes = <usize>k << 2;
  const A = scratch;
  const yv = A + (<usize>dp * dp << 2);
  const L = (yv + (<usize>dp << 2) + 7) & ~7;
  const b = L + (<usize>d * d << 3);
  const z = b + (<usize>dp << 3);
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    const n = hi - lo;
    if (n == 0) {
      memory.fill(x, 0, rowBytes);
      if (useBias) store<f32>(bx + (<usize>row << 2), 0);
      continue;
    }
    memory.fill(A, 0, <usize>dp * dp << 2);
    memory.fill(yv, 0, <usize>dp << 2);
    memory.fill(b, 0, <usize>d << 3);
    for (let p = lo; p < hi; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      const y = Y + <usize>j * rowBytes;
      memory.copy(yv, y, rowBytes);
      let t: f32 = load<f32>(values + (<usize>p << 2));
      if (useBias) {
        store<f32>(yv + (<usize>k << 2), 1);
        t -= mu + load<f32>(by + (<usize>j << 2));
      }
      // upper triangle only, from the 4-aligned column at or before the diagonal
      for (let a = 0; a < d; a++) {
        const c0 = a & ~3;
        const ya = load<f32>(yv + (<usize>a << 2));
        axpy(A + ((<usize>a * dp + c0) << 2), ya, yv + (<usize>c0 << 2), dp - c0);
        store<f64>(b + (<usize>a << 3), load<f64>(b + (<usize>a << 3)) + <f64>t * <f64>ya);
      }
    }
    const scale: f64 = scaleByCount ? <f64>n : 1.0;
    // Cholesky A = L Lᵀ (lower L, row-major d×d, f64)
    for (let a = 0; a < d; a++) {
      for (let c = 0; c <= a; c++) {
        let s: f64 = <f64>load<f32>(A + ((<usize>c * dp + a) << 2)); // A symmetric: upper (c ≤ a)
        if (a == c) s += (useBias && a == k ? <f64>regBias : <f64>reg) * scale;
        for (let m = 0; m < c; m++) s -= load<f64>(L + ((<usize>a * d + m) << 3)) * load<f64>(L + ((<usize>c * d + m) << 3));
        if (a == c) {
          store<f64>(L + ((<usize>a * d + a) << 3), Math.sqrt(s > 1e-30 ? s : 1e-30));
        } else {
          store<f64>(L + ((<usize>a * d + c) << 3), s / load<f64>(L + ((<usize>c * d + c) << 3)));
        }
      }
    }
    // L z = b, then Lᵀ x = z
    for (let a = 0; a < d; a++) {
      let s = load<f64>(b + (<usize>a << 3));
      for (let m = 0; m < a; m++) s -= load<f64>(L + ((<usize>a * d + m) << 3)) * load<f64>(z + (<usize>m << 3));
      store<f64>(z + (<usize>a << 3), s / load<f64>(L + ((<usize>a * d + a) << 3)));
    }
    for (let a = d - 1; a >= 0; a--) {
      let s = load<f64>(z + (<usize>a << 3));
      for (let m = a + 1; m < d; m++) s -= load<f64>(L + ((<usize>m * d + a) << 3)) * load<f64>(z + (<usize>m << 3));
      store<f64>(z + (<usize>a << 3), s / load<f64>(L + ((<usize>a * d + a) << 3)));
    }
    for (let a = 0; a < k; a++) store<f32>(x + (<usize>a << 2), <f32>load<f64>(z + (<usize>a << 3)));
    if (useBias) store<f32>(bx + (<usize>row << 2), <f32>load<f64>(z + (<usize>k << 3)));
  }
}

// ---------------------------------------------------------------- weighted ALS by conjugate gradient (iALS, WALS, explicit ALS without biases)

/**
 * CG half-sweep, rows [start, end), warm-started from the current x: the math of
 * src/kernels/implicit-als.ts (weightedAlsHalfSweep, solver 0). For row x with observed entries j,
 *   (w0·G + Σ_j e_j y_j y_jᵀ + reg·I) x = Σ_j (w0 + e_j) t_j y_j,   reg = λ (n + w0·nCols)^ν (λ when ν = 0),
 * G = YᵀY (k×k f32, row stride k), e_j = extra[p] (W_j − w0), t_j = target[p] (1 when target = 0).
 * iALS: w0 = 1, e = α r, t = 1. Explicit ALS without biases: w0 = 0, e = 1, t = r (ν = 1 gives λ·n).
 * At most `steps` CG steps while rᵀr > 1e-20. Scratch: 3·k f32.
 * lossOut ≠ 0: also writes the shard's part of the weighted loss at the solved rows, without the w0·xᵀGx term
 * (the caller adds w0·tr(G_Y·G_X) once): Σ_rows reg‖x‖² + Σ_obs [(w0 + e)(t − s)² − w0·s²], s = x·y, in f64.
 */
export function cgRange(
  indptr: usize, indices: usize, extra: usize, target: usize, X: usize, Y: usize, G: usize,
  k: i32, w0: f32, lambda: f32, nu: f32, nCols: i32, steps: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const kp = <usize>((k + 3) & ~3) << 2;
  const rv = scratch;
  const pv = rv + kp;
  const ap = pv + kp;
  const useGram = w0 != 0;
  let loss: f64 = 0;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    const reg64: f64 = nu == 0 ? <f64>lambda : <f64>lambda * Math.pow(<f64>(hi - lo) + <f64>w0 * <f64>nCols, <f64>nu);
    const reg = <f32>reg64;
    // r = b − A x
    if (useGram) gemvSym(G, x, rv, k, -w0, -reg);
    else for (let a = 0; a < k; a++) store<f32>(rv + (<usize>a << 2), -reg * load<f32>(x + (<usize>a << 2)));
    for (let p = lo; p < hi; p++) {
      const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
      const e = load<f32>(extra + (<usize>p << 2));
      const t: f32 = target ? load<f32>(target + (<usize>p << 2)) : 1;
      axpy(rv, (w0 + e) * t - e * dot(y, x, k), y, k);
    }
    memory.copy(pv, rv, rowBytes);
    let rs = dot(rv, rv, k);
    for (let it = 0; it < steps && rs > 1e-20; it++) {
      if (useGram) gemvSym(G, pv, ap, k, w0, reg);
      else for (let a = 0; a < k; a++) store<f32>(ap + (<usize>a << 2), reg * load<f32>(pv + (<usize>a << 2)));
      for (let p = lo; p < hi; p++) {
        const e = load<f32>(extra + (<usize>p << 2));
        if (e == 0) continue;
        const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
        axpy(ap, e * dot(y, pv, k), y, k);
      }
      const pap = dot(pv, ap, k);
      if (!(pap > 0)) break;
      const step: f32 = rs / pap;
      axpy(x, step, pv, k);
      axpy(rv, -step, ap, k);
      const rsNew = dot(rv, rv, k);
      const beta: f32 = rsNew / rs;
      for (let a = 0; a < k; a++) {
        const o = <usize>a << 2;
        store<f32>(pv + o, load<f32>(rv + o) + beta * load<f32>(pv + o));
      }
      rs = rsNew;
    }
    if (lossOut) {
      loss += reg64 * <f64>dot(x, x, k);
      for (let p = lo; p < hi; p++) {
        const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
        const sc: f64 = <f64>dot(x, y, k);
        const t: f64 = target ? <f64>load<f32>(target + (<usize>p << 2)) : 1;
        const w: f64 = <f64>w0 + <f64>load<f32>(extra + (<usize>p << 2));
        loss += w * (t - sc) * (t - sc) - <f64>w0 * sc * sc;
      }
    }
  }
  if (lossOut) store<f64>(lossOut + (<usize>shard << 3), loss);
}

/**
 * cgRange for the rows [start, end) of one row shard, all rows of the shard in lockstep, one pass per call:
 * the same arithmetic in the same order (bitwise the same x), but the observed entries are read from the
 * other side's point of view. Entries of the shard are grouped by column u (segPtr[shard·nOther + u] …
 * segPtr[shard·nOther + u + 1] into rows/extra/target), so each pass streams the other side's factors Y
 * in order and the shard's rows (x, r, p, Ap: a few hundred KiB) stay in cache, instead of gathering Y rows
 * scattered over memory for every row (the item side of iALS: ~500 user rows per item, out of 51 MB).
 * State per row: R (residual), Pv (direction), AP, rs (rᵀr, f32), active (i32: still iterating).
 * phase 0: r = b − A x, p = r, rs = rᵀr, active = rs > 1e-20. phase 1: one CG step for the active rows.
 * counts: a CSR row pointer of the rows (n_x = counts[x+1] − counts[x], for reg).
 */
export function cgShardRange(
  segPtr: usize, rows: usize, extra: usize, target: usize, nOther: i32, Y: usize,
  X: usize, R: usize, Pv: usize, AP: usize, rs: usize, active: usize, counts: usize, G: usize,
  k: i32, w0: f32, lambda: f32, nu: f32, nCols: i32, phase: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const useGram = w0 != 0;
  // the dense part: −(w0·G + reg·I)x into r (phase 0), (w0·G + reg·I)p into Ap (phase 1)
  for (let i = start; i < end; i++) {
    const o = <usize>i * rowBytes;
    if (phase != 0 && !load<i32>(active + (<usize>i << 2))) continue;
    const n = load<i32>(counts + (<usize>(i + 1) << 2)) - load<i32>(counts + (<usize>i << 2));
    const reg: f32 = nu == 0 ? lambda : <f32>(<f64>lambda * Math.pow(<f64>n + <f64>w0 * <f64>nCols, <f64>nu));
    const v = phase == 0 ? X + o : Pv + o;
    const out = phase == 0 ? R + o : AP + o;
    const sg: f32 = phase == 0 ? -w0 : w0;
    const sr: f32 = phase == 0 ? -reg : reg;
    if (useGram) gemvSym(G, v, out, k, sg, sr);
    else for (let a = 0; a < k; a++) store<f32>(out + (<usize>a << 2), sr * load<f32>(v + (<usize>a << 2)));
  }
  // the observed entries, column by column (each row still sums them in column order, as cgRange does)
  const seg = segPtr + ((<usize>shard * <usize>nOther) << 2);
  for (let u = 0; u < nOther; u++) {
    const lo = load<i32>(seg + (<usize>u << 2));
    const hi = load<i32>(seg + (<usize>(u + 1) << 2));
    if (lo == hi) continue;
    const y = Y + <usize>u * rowBytes;
    for (let p = lo; p < hi; p++) {
      const i = load<i32>(rows + (<usize>p << 2));
      const e = load<f32>(extra + (<usize>p << 2));
      const o = <usize>i * rowBytes;
      if (phase == 0) {
        const t: f32 = target ? load<f32>(target + (<usize>p << 2)) : 1;
        axpy(R + o, (w0 + e) * t - e * dot(y, X + o, k), y, k);
      } else {
        if (e == 0 || !load<i32>(active + (<usize>i << 2))) continue;
        axpy(AP + o, e * dot(y, Pv + o, k), y, k);
      }
    }
  }
  // the CG updates of the shard's rows
  for (let i = start; i < end; i++) {
    const o = <usize>i * rowBytes;
    const x = X + o;
    const r = R + o;
    const pv = Pv + o;
    const ai = active + (<usize>i << 2);
    const ri = rs + (<usize>i << 2);
    if (phase == 0) {
      memory.copy(pv, r, rowBytes);
      const r0 = dot(r, r, k);
      store<f32>(ri, r0);
      store<i32>(ai, r0 > 1e-20 ? 1 : 0);
      continue;
    }
    if (!load<i32>(ai)) continue;
    const ap = AP + o;
    const pap = dot(pv, ap, k);
    if (!(pap > 0)) {
      store<i32>(ai, 0);
      continue;
    }
    const rsOld = load<f32>(ri);
    const step: f32 = rsOld / pap;
    axpy(x, step, pv, k);
    axpy(r, -step, ap, k);
    const rsNew = dot(r, r, k);
    const beta: f32 = rsNew / rsOld;
    for (let a = 0; a < k; a++) {
      const q = <usize>a << 2;
      store<f32>(pv + q, load<f32>(r + q) + beta * load<f32>(pv + q));
    }
    store<f32>(ri, rsNew);
    store<i32>(ai, rsNew > 1e-20 ? 1 : 0);
  }
}

// ---------------------------------------------------------------- explicit ALS by conjugate gradient (with biases)

/**
 * Explicit ALS half-sweep by CG, rows [start, end), warm-started from the current (x, b_x): the same
 * system as alsCholeskyRange, (Σ y'_j y'_jᵀ + Λ) x' = Σ t_j y'_j with y' = [y_j, 1], x' = [x, b_x] when
 * useBias, t_j = r_j − μ − b_j (r_j without bias), Λ = diag(λ,…,λ, λ_b)·(n when scaleByCount), solved
 * approximately by at most `steps` CG steps (src/kernels/als-explicit-cg.ts is the TS reference).
 * The bias is carried as a scalar beside the k-vector. A row with no ratings gets x = 0, b_x = 0.
 * Scratch: 3·k f32.
 */
export function alsCgRange(
  indptr: usize, indices: usize, values: usize, X: usize, Y: usize, bx: usize, by: usize,
  k: i32, mu: f32, reg: f32, regBias: f32, scaleByCount: i32, useBias: i32, steps: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const kp = <usize>((k + 3) & ~3) << 2;
  const rv = scratch;
  const pv = rv + kp;
  const ap = pv + kp;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const bxp = bx + (<usize>row << 2);
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    if (hi == lo) {
      memory.fill(x, 0, rowBytes);
      if (useBias) store<f32>(bxp, 0);
      continue;
    }
    const scale: f32 = scaleByCount ? <f32>(hi - lo) : 1;
    const lam: f32 = reg * scale;
    const lamB: f32 = regBias * scale;
    let xb: f32 = useBias ? load<f32>(bxp) : 0;
    // r = b − A x'
    for (let a = 0; a < k; a++) store<f32>(rv + (<usize>a << 2), -lam * load<f32>(x + (<usize>a << 2)));
    let rb: f32 = -lamB * xb;
    for (let p = lo; p < hi; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      const y = Y + <usize>j * rowBytes;
      let t: f32 = load<f32>(values + (<usize>p << 2));
      let yx = dot(y, x, k);
      if (useBias) {
        t -= mu + load<f32>(by + (<usize>j << 2));
        yx += xb;
      }
      const c: f32 = t - yx;
      axpy(rv, c, y, k);
      rb += c;
    }
    if (!useBias) rb = 0;
    memory.copy(pv, rv, rowBytes);
    let pb: f32 = rb;
    let rs: f32 = dot(rv, rv, k) + rb * rb;
    for (let it = 0; it < steps && rs > 1e-20; it++) {
      for (let a = 0; a < k; a++) store<f32>(ap + (<usize>a << 2), lam * load<f32>(pv + (<usize>a << 2)));
      let apb: f32 = lamB * pb;
      for (let p = lo; p < hi; p++) {
        const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
        const c: f32 = dot(y, pv, k) + pb;
        axpy(ap, c, y, k);
        apb += c;
      }
      if (!useBias) apb = 0;
      const pap: f32 = dot(pv, ap, k) + pb * apb;
      if (!(pap > 0)) break;
      const step: f32 = rs / pap;
      axpy(x, step, pv, k);
      xb += step * pb;
      axpy(rv, -step, ap, k);
      rb -= step * apb;
      const rsNew: f32 = dot(rv, rv, k) + rb * rb;
      const beta: f32 = rsNew / rs;
      for (let a = 0; a < k; a++) {
        const o = <usize>a << 2;
        store<f32>(pv + o, load<f32>(rv + o) + beta * load<f32>(pv + o));
      }
      pb = rb + beta * pb;
      rs = rsNew;
    }
    if (useBias) store<f32>(bxp, xb);
  }
}

/**
 * alsCgRange for the rows [start, end) of one row shard in lockstep, one pass per call, entries grouped by
 * column as in cgShardRange (segPtr/rows/values; the columns' factors Y and biases by streamed in order):
 * the same arithmetic in the same order, so bitwise the same x and b_x. Per-row state: R, Pv, AP (k floats)
 * and sc = [r_b, p_b, Ap_b, rᵀr] (4 floats), active (i32). phase 0: residual (a row without entries gets
 * x = 0, b_x = 0 and stays inactive); phase 1: one CG step of the active rows.
 */
export function alsCgShardRange(
  segPtr: usize, rows: usize, values: usize, nOther: i32, Y: usize, by: usize,
  X: usize, bx: usize, R: usize, Pv: usize, AP: usize, sc: usize, active: usize, counts: usize,
  k: i32, mu: f32, reg: f32, regBias: f32, scaleByCount: i32, useBias: i32, phase: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  for (let i = start; i < end; i++) {
    const o = <usize>i * rowBytes;
    const s4 = sc + (<usize>i << 4);
    const n = load<i32>(counts + (<usize>(i + 1) << 2)) - load<i32>(counts + (<usize>i << 2));
    const scale: f32 = scaleByCount ? <f32>n : 1;
    if (phase == 0) {
      if (n == 0) {
        memory.fill(X + o, 0, rowBytes);
        if (useBias) store<f32>(bx + (<usize>i << 2), 0);
        store<i32>(active + (<usize>i << 2), 0);
        continue;
      }
      const xb: f32 = useBias ? load<f32>(bx + (<usize>i << 2)) : 0;
      for (let a = 0; a < k; a++) store<f32>(R + o + (<usize>a << 2), -(reg * scale) * load<f32>(X + o + (<usize>a << 2)));
      store<f32>(s4, -(regBias * scale) * xb);
      store<i32>(active + (<usize>i << 2), 1);
    } else {
      if (!load<i32>(active + (<usize>i << 2))) continue;
      for (let a = 0; a < k; a++) store<f32>(AP + o + (<usize>a << 2), (reg * scale) * load<f32>(Pv + o + (<usize>a << 2)));
      store<f32>(s4, (regBias * scale) * load<f32>(s4, 4), 8);
    }
  }
  const seg = segPtr + ((<usize>shard * <usize>nOther) << 2);
  for (let u = 0; u < nOther; u++) {
    const lo = load<i32>(seg + (<usize>u << 2));
    const hi = load<i32>(seg + (<usize>(u + 1) << 2));
    if (lo == hi) continue;
    const y = Y + <usize>u * rowBytes;
    const bu: f32 = useBias ? load<f32>(by + (<usize>u << 2)) : 0;
    for (let p = lo; p < hi; p++) {
      const i = load<i32>(rows + (<usize>p << 2));
      const o = <usize>i * rowBytes;
      const s4 = sc + (<usize>i << 4);
      if (phase == 0) {
        let t: f32 = load<f32>(values + (<usize>p << 2));
        let yx = dot(y, X + o, k);
        if (useBias) {
          t -= mu + bu;
          yx += load<f32>(bx + (<usize>i << 2));
        }
        const c: f32 = t - yx;
        axpy(R + o, c, y, k);
        store<f32>(s4, load<f32>(s4) + c);
      } else {
        if (!load<i32>(active + (<usize>i << 2))) continue;
        const c: f32 = dot(y, Pv + o, k) + load<f32>(s4, 4);
        axpy(AP + o, c, y, k);
        store<f32>(s4, load<f32>(s4, 8) + c, 8);
      }
    }
  }
  for (let i = start; i < end; i++) {
    const o = <usize>i * rowBytes;
    const ai = active + (<usize>i << 2);
    if (!load<i32>(ai)) continue;
    const s4 = sc + (<usize>i << 4);
    const r = R + o;
    const pv = Pv + o;
    if (phase == 0) {
      const rb: f32 = useBias ? load<f32>(s4) : 0;
      store<f32>(s4, rb);
      memory.copy(pv, r, rowBytes);
      store<f32>(s4, rb, 4);
      const rs: f32 = dot(r, r, k) + rb * rb;
      store<f32>(s4, rs, 12);
      if (!(rs > 1e-20)) store<i32>(ai, 0);
      continue;
    }
    const ap = AP + o;
    const pb = load<f32>(s4, 4);
    const apb: f32 = useBias ? load<f32>(s4, 8) : 0;
    const pap: f32 = dot(pv, ap, k) + pb * apb;
    if (!(pap > 0)) {
      store<i32>(ai, 0);
      continue;
    }
    const rs = load<f32>(s4, 12);
    const step: f32 = rs / pap;
    axpy(X + o, step, pv, k);
    if (useBias) store<f32>(bx + (<usize>i << 2), load<f32>(bx + (<usize>i << 2)) + step * pb);
    axpy(r, -step, ap, k);
    const rb: f32 = load<f32>(s4) - step * apb;
    const rsNew: f32 = dot(r, r, k) + rb * rb;
    const beta: f32 = rsNew / rs;
    for (let a = 0; a < k; a++) {
      const q = <usize>a << 2;
      store<f32>(pv + q, load<f32>(r + q) + beta * load<f32>(pv + q));
    }
    store<f32>(s4, rb);
    store<f32>(s4, rb + beta * pb, 4);
    store<f32>(s4, rsNew, 12);
    if (!(rsNew > 1e-20)) store<i32>(ai, 0);
  }
}

// ---------------------------------------------------------------- squared error over a CSR

/**
 * Σ (r − r̂)² over rows [start, end) of a CSR, r̂ = μ + b_x + b_y + x·y (useBias) or x·y, into
 * lossOut[shard] as f64 (the caller sums shards in order, so the total does not depend on threads).
 */
export function sseRange(
  indptr: usize, indices: usize, values: usize, X: usize, Y: usize, bx: usize, by: usize,
  k: i32, mu: f32, useBias: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  let sse: f64 = 0;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    const base: f32 = useBias ? mu + load<f32>(bx + (<usize>row << 2)) : 0;
    for (let p = lo; p < hi; p++) {
      const j = load<i32>(indices + (<usize>p << 2));
      let pred: f32 = base + dot(x, Y + <usize>j * rowBytes, k);
      if (useBias) pred += load<f32>(by + (<usize>j << 2));
      const e: f64 = <f64>(load<f32>(values + (<usize>p << 2)) - pred);
      sse += e * e;
    }
  }
  store<f64>(lossOut + (<usize>shard << 3), sse);
}

// ---------------------------------------------------------------- scoring

@inline function base(mu: f32, userBias: usize, u: i32): f32 {
  return userBias ? mu + load<f32>(userBias + (<usize>u << 2)) : mu;
}

/**
 * out[u − first][j] = (μ + b_u) + b_j + U_u·V_j for users u ∈ [start, end), items j < nItems (row-major;
 * userBias/itemBias = 0 mean none). Four users share each pass over V, so V is read once per four users
 * (GEMM-like register blocking); a user's scores do not depend on which block it fell in.
 */
export function scoreRange(
  U: usize, V: usize, k: i32, nItems: i32, mu: f32, userBias: usize, itemBias: usize, out: usize, first: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const outRow = <usize>nItems << 2;
  let u = start;
  for (; u + 4 <= end; u += 4) {
    const u0 = U + <usize>u * rowBytes;
    const o0 = out + <usize>(u - first) * outRow;
    for (let j = 0; j < nItems; j++) {
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let f = 0;
      const k4 = k & ~3;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        const vv = v128.load(v + fo);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(u0 + fo), vv));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(u0 + rowBytes + fo), vv));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(u0 + 2 * rowBytes + fo), vv));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(u0 + 3 * rowBytes + fo), vv));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      let s1: f32 = (f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1)) + (f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3));
      let s2: f32 = (f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1)) + (f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3));
      let s3: f32 = (f32x4.extract_lane(a3, 0) + f32x4.extract_lane(a3, 1)) + (f32x4.extract_lane(a3, 2) + f32x4.extract_lane(a3, 3));
      for (; f < k; f++) {
        const fo = <usize>f << 2;
        const vf = load<f32>(v + fo);
        s0 += load<f32>(u0 + fo) * vf;
        s1 += load<f32>(u0 + rowBytes + fo) * vf;
        s2 += load<f32>(u0 + 2 * rowBytes + fo) * vf;
        s3 += load<f32>(u0 + 3 * rowBytes + fo) * vf;
      }
      const jo = <usize>j << 2;
      const bj: f32 = itemBias ? load<f32>(itemBias + jo) : 0;
      store<f32>(o0 + jo, (base(mu, userBias, u) + bj) + s0);
      store<f32>(o0 + outRow + jo, (base(mu, userBias, u + 1) + bj) + s1);
      store<f32>(o0 + 2 * outRow + jo, (base(mu, userBias, u + 2) + bj) + s2);
      store<f32>(o0 + 3 * outRow + jo, (base(mu, userBias, u + 3) + bj) + s3);
    }
  }
  for (; u < end; u++) {
    const uu = U + <usize>u * rowBytes;
    const o0 = out + <usize>(u - first) * outRow;
    for (let j = 0; j < nItems; j++) {
      // same lane grouping as the 4-user block so a user's scores do not depend on its block
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0);
      let f = 0;
      const k4 = k & ~3;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(uu + fo), v128.load(v + fo)));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; f < k; f++) s0 += load<f32>(uu + (<usize>f << 2)) * load<f32>(v + (<usize>f << 2));
      const bj: f32 = itemBias ? load<f32>(itemBias + (<usize>j << 2)) : 0;
      store<f32>(o0 + (<usize>j << 2), (base(mu, userBias, u) + bj) + s0);
    }
  }
}

// ---------------------------------------------------------------- fused scoring + top-n (recommend-all)

/** a ranks before b: higher score, then lower item index (a total order, so results are deterministic). */
@inline function before(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa > sb || (sa == sb && ia < ib);
}

/** Restore the min-heap (root = the worst kept entry) below position `pos`. */
@inline function siftDown(hs: usize, hi: usize, size: i32, pos: i32): void {
  let p = pos;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= size) break;
    let w = l;
    const r = l + 1;
    if (r < size && before(load<f32>(hs + (<usize>l << 2)), load<i32>(hi + (<usize>l << 2)), load<f32>(hs + (<usize>r << 2)), load<i32>(hi + (<usize>r << 2)))) w = r;
    const sw = load<f32>(hs + (<usize>w << 2));
    const iw = load<i32>(hi + (<usize>w << 2));
    const sp = load<f32>(hs + (<usize>p << 2));
    const ip = load<i32>(hi + (<usize>p << 2));
    if (!before(sp, ip, sw, iw)) break;
    store<f32>(hs + (<usize>p << 2), sw);
    store<i32>(hi + (<usize>p << 2), iw);
    store<f32>(hs + (<usize>w << 2), sp);
    store<i32>(hi + (<usize>w << 2), ip);
    p = w;
  }
}

/**
 * For users u ∈ [start, end): score every item like scoreRange's one-user path, (μ + b_u) + b_j + U_u·V_j,
 * drop the items of u's history row (CSR histPtr/histIdx; histPtr = 0 for none), and write the best n
 * (score descending, ties by lower item index) to outItems/outScores row u − first; unused slots get
 * item −1 and score −∞. Scratch: nItems + 2n words.
 */
export function scoreTopKRange(
  U: usize, V: usize, k: i32, nItems: i32, mu: f32, userBias: usize, itemBias: usize,
  histPtr: usize, histIdx: usize, n: i32, outItems: usize, outScores: usize, first: i32,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const sc = scratch;
  const hs = sc + (<usize>nItems << 2);
  const hi = hs + (<usize>n << 2);
  const k4 = k & ~3;
  for (let u = start; u < end; u++) {
    const uu = U + <usize>u * rowBytes;
    const b0 = base(mu, userBias, u);
    for (let j = 0; j < nItems; j++) {
      const v = V + <usize>j * rowBytes;
      let a0 = f32x4.splat(0);
      let f = 0;
      for (; f < k4; f += 4) {
        const fo = <usize>f << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(uu + fo), v128.load(v + fo)));
      }
      let s0: f32 = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
      for (; f < k; f++) s0 += load<f32>(uu + (<usize>f << 2)) * load<f32>(v + (<usize>f << 2));
      const bj: f32 = itemBias ? load<f32>(itemBias + (<usize>j << 2)) : 0;
      store<f32>(sc + (<usize>j << 2), (b0 + bj) + s0);
    }
    if (histPtr) {
      const lo = load<i32>(histPtr + (<usize>u << 2));
      const h = load<i32>(histPtr + (<usize>(u + 1) << 2));
      for (let p = lo; p < h; p++) store<f32>(sc + (<usize>load<i32>(histIdx + (<usize>p << 2)) << 2), -Infinity);
    }
    let size = 0;
    for (let j = 0; j < nItems; j++) {
      const s = load<f32>(sc + (<usize>j << 2));
      if (s == -Infinity || s != s) continue;
      if (size < n) {
        // sift up
        let c = size++;
        while (c > 0) {
          const par = (c - 1) >> 1;
          const sp = load<f32>(hs + (<usize>par << 2));
          const ip = load<i32>(hi + (<usize>par << 2));
          if (!before(sp, ip, s, j)) break;
          store<f32>(hs + (<usize>c << 2), sp);
          store<i32>(hi + (<usize>c << 2), ip);
          c = par;
        }
        store<f32>(hs + (<usize>c << 2), s);
        store<i32>(hi + (<usize>c << 2), j);
      } else if (before(s, j, load<f32>(hs), load<i32>(hi))) {
        store<f32>(hs, s);
        store<i32>(hi, j);
        siftDown(hs, hi, size, 0);
      }
    }
    const oi = outItems + (<usize>(u - first) * <usize>n << 2);
    const os = outScores + (<usize>(u - first) * <usize>n << 2);
    for (let t = size; t < n; t++) {
      store<i32>(oi + (<usize>t << 2), -1);
      store<f32>(os + (<usize>t << 2), -Infinity);
    }
    // pop the worst into the last free slot: best first
    for (let t = size - 1; t >= 0; t--) {
      store<f32>(os + (<usize>t << 2), load<f32>(hs));
      store<i32>(oi + (<usize>t << 2), load<i32>(hi));
      const last = t;
      store<f32>(hs, load<f32>(hs + (<usize>last << 2)));
      store<i32>(hi, load<i32>(hi + (<usize>last << 2)));
      siftDown(hs, hi, last, 0);
    }
  }
}

// ---------------------------------------------------------------- weighted ALS: sharded Gramian

/**
 * Partial Gramian of rows [start, end): parts[shard] = Σ_j y_j y_jᵀ (k×k f32, row stride k), overwritten.
 * The caller sums the parts in shard order (in f64), so G never depends on the thread count.
 */
export function gramPartRange(Y: usize, k: i32, parts: usize, start: i32, end: i32, shard: i32, scratch: usize): void {
  const rowBytes = <usize>k << 2;
  const G = parts + <usize>shard * <usize>k * rowBytes;
  memory.fill(G, 0, <usize>k * rowBytes);
  for (let j = start; j < end; j++) {
    const y = Y + <usize>j * rowBytes;
    for (let a = 0; a < k; a++) axpy(G + <usize>a * rowBytes, load<f32>(y + (<usize>a << 2)), y, k);
  }
}

/** Bytes past the module's own static data: the arena starts at or after this. */
export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------- BPR (block schedule)

/** splitmix32 step (src/core/rng.ts mix32): u32 arithmetic wraps like Math.imul. */
@inline function bprMix32(x: u32): u32 {
  x = x + 0x9e3779b9;
  let z = x;
  z = (z ^ (z >>> 16)) * 0x21f0aaad;
  z = (z ^ (z >>> 15)) * 0x735a2d97;
  return z ^ (z >>> 15);
}

/** One sfc32 output from the state (a, b, c, d) at st (src/core/rng.ts Rng.nextUint32). */
@inline function bprNext(st: usize): u32 {
  const a = load<u32>(st);
  const b = load<u32>(st, 4);
  let c = load<u32>(st, 8);
  const d = load<u32>(st, 12);
  const t = a + b + d;
  store<u32>(st, b ^ (b >>> 9));
  store<u32>(st, c + (c << 3), 4);
  c = (c << 21) | (c >>> 11);
  store<u32>(st, c + t, 8);
  store<u32>(st, d + 1, 12);
  return t;
}

/** Rng.int(n): ⌊(t / 2³²)·n⌋ in f64, the same IEEE operations as the TS generator. */
@inline function bprInt(st: usize, n: i32): i32 {
  return <i32>Math.floor(<f64>bprNext(st) / 4294967296.0 * <f64>n);
}

/** new Rng(seed)'s state at st: splitmix32 three times, d = 1, 12 outputs discarded. */
@inline function bprSeed(st: usize, seed: u32): void {
  const a = bprMix32(seed);
  const b = bprMix32(a ^ 0x1b873593);
  const c = bprMix32(b ^ 0xcc9e2d51);
  store<u32>(st, a);
  store<u32>(st, b, 4);
  store<u32>(st, c, 8);
  store<u32>(st, 1, 12);
  for (let r = 0; r < 12; r++) bprNext(st);
}

/** True when `item` is among the sorted i32 entries [lo, hi) at indices. */
@inline function bprContains(indices: usize, lo: i32, hi: i32, item: i32): bool {
  while (lo < hi) {
    const mid = <i32>(<u32>(lo + hi) >>> 1);
    const v = load<i32>(indices + (<usize>mid << 2));
    if (v == item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * BPR steps on one block, positives t ∈ [start, end) (src/kernels/bpr.ts bprBlockRange, the same draws):
 * end − start draws t uniform in [start, end), u = users[t], i = items[t]; j uniform over perm[itemLo..itemHi)
 * redrawn up to 16 times while a positive of u (CSR indptr/indices, sorted rows); x = b_i − b_j + p_u·(q_i − q_j),
 * z = σ(−x) (f64), then p_u += lr(z(q_i − q_j) − reg p_u), q_i += lr(z p_u − reg q_i), q_j += lr(−z p_u − reg q_j)
 * (old values) and b_i += lr(z − regBias b_i), b_j += lr(−z − regBias b_j) when useBias.
 * meta[3·shard ..] = [itemLo, itemHi, seed]; writes [Σ −ln σ(x), steps] (f64) at lossOut[2·shard].
 * Scratch: 16 bytes of generator state.
 */
export function bprBlockRange(
  indptr: usize, indices: usize, users: usize, items: usize, perm: usize, P: usize, Q: usize, bias: usize,
  k: i32, lr: f32, reg: f32, regBias: f32, useBias: i32, meta: usize, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const m = meta + <usize>shard * 12;
  const itemLo = load<i32>(m);
  const span = load<i32>(m, 4) - itemLo;
  const count = end - start;
  const rowBytes = <usize>k << 2;
  const k4 = k & ~3;
  let loss: f64 = 0;
  let steps: f64 = 0;
  if (count > 0 && span > 0) {
    const st = scratch;
    bprSeed(st, load<u32>(m, 8));
    const lrv = f32x4.splat(lr);
    const regv = f32x4.splat(reg);
    for (let s = 0; s < count; s++) {
      const t = start + bprInt(st, count);
      const u = load<i32>(users + (<usize>t << 2));
      const i = load<i32>(items + (<usize>t << 2));
      const lo = load<i32>(indptr + (<usize>u << 2));
      const hi = load<i32>(indptr + (<usize>u << 2), 4);
      let j = -1;
      for (let r = 0; r < 16; r++) {
        const c = load<i32>(perm + (<usize>(itemLo + bprInt(st, span)) << 2));
        if (!bprContains(indices, lo, hi, c)) {
          j = c;
          break;
        }
      }
      if (j < 0) continue;
      const p = P + <usize>u * rowBytes;
      const qi = Q + <usize>i * rowBytes;
      const qj = Q + <usize>j * rowBytes;
      let acc = f32x4.splat(0);
      let f = 0;
      for (; f < k4; f += 4) {
        const o = <usize>f << 2;
        acc = f32x4.add(acc, f32x4.mul(v128.load(p + o), f32x4.sub(v128.load(qi + o), v128.load(qj + o))));
      }
      let xf: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
      for (; f < k; f++) {
        const o = <usize>f << 2;
        xf += load<f32>(p + o) * (load<f32>(qi + o) - load<f32>(qj + o));
      }
      let x: f64 = <f64>xf;
      const bip = bias + (<usize>i << 2);
      const bjp = bias + (<usize>j << 2);
      if (useBias) x += <f64>load<f32>(bip) - <f64>load<f32>(bjp);
      // σ(−x) and −ln σ(x), written to stay finite for large |x|.
      const z: f64 = x >= 0 ? Math.exp(-x) / (1 + Math.exp(-x)) : 1 / (1 + Math.exp(x));
      loss += x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
      steps += 1;
      const zf = <f32>z;
      const zv = f32x4.splat(zf);
      for (f = 0; f < k4; f += 4) {
        const o = <usize>f << 2;
        const pv = v128.load(p + o);
        const iv = v128.load(qi + o);
        const jv = v128.load(qj + o);
        v128.store(p + o, f32x4.add(pv, f32x4.mul(lrv, f32x4.sub(f32x4.mul(zv, f32x4.sub(iv, jv)), f32x4.mul(regv, pv)))));
        const zp = f32x4.mul(zv, pv);
        v128.store(qi + o, f32x4.add(iv, f32x4.mul(lrv, f32x4.sub(zp, f32x4.mul(regv, iv)))));
        v128.store(qj + o, f32x4.sub(jv, f32x4.mul(lrv, f32x4.add(zp, f32x4.mul(regv, jv)))));
      }
      for (; f < k; f++) {
        const o = <usize>f << 2;
        const pf = load<f32>(p + o);
        const if_ = load<f32>(qi + o);
        const jf = load<f32>(qj + o);
        store<f32>(p + o, pf + lr * (zf * (if_ - jf) - reg * pf));
        store<f32>(qi + o, if_ + lr * (zf * pf - reg * if_));
        store<f32>(qj + o, jf - lr * (zf * pf + reg * jf));
      }
      if (useBias) {
        const bi = load<f32>(bip);
        const bj = load<f32>(bjp);
        store<f32>(bip, bi + lr * (zf - regBias * bi));
        store<f32>(bjp, bj - lr * (zf + regBias * bj));
      }
    }
  }
  store<f64>(lossOut + (<usize>shard << 4), loss);
  store<f64>(lossOut + (<usize>shard << 4), steps, 8);
}

// ---------------------------------------------------------------- weighted ALS, exact (Cholesky)

/** Σ a[m]·b[m] over m < n in f64: two f64x2 accumulators, lanes summed as ((l0+l1)+(l2+l3)), scalar tail. */
@inline function wcholDot64(a: usize, b: usize, n: i32): f64 {
  let acc0 = f64x2.splat(0);
  let acc1 = f64x2.splat(0);
  let m = 0;
  const n4 = n & ~3;
  for (; m < n4; m += 4) {
    const o = <usize>m << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  let s: f64 = (f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1)) + (f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1));
  for (; m < n; m++) s += load<f64>(a + (<usize>m << 3)) * load<f64>(b + (<usize>m << 3));
  return s;
}

/** y[m] += s·x[m] over m < n in f64 (f64x2, scalar tail). */
@inline function wcholAxpy64(y: usize, s: f64, x: usize, n: i32): void {
  const sv = f64x2.splat(s);
  let m = 0;
  const n2 = n & ~1;
  for (; m < n2; m += 2) {
    const o = <usize>m << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(sv, v128.load(x + o))));
  }
  if (m < n) {
    const o = <usize>m << 3;
    store<f64>(y + o, load<f64>(y + o) + s * load<f64>(x + o));
  }
}

/** y[m] −= s0·x0[m] + s1·x1[m] + s2·x2[m] + s3·x3[m] over m < n in f64: four rank-1 downdates, one pass over y. */
@inline function wcholAxpy64x4(y: usize, s0: f64, x0: usize, s1: f64, x1: usize, s2: f64, x2: usize, s3: f64, x3: usize, n: i32): void {
  const v0 = f64x2.splat(s0);
  const v1 = f64x2.splat(s1);
  const v2 = f64x2.splat(s2);
  const v3 = f64x2.splat(s3);
  let m = 0;
  const n2 = n & ~1;
  for (; m < n2; m += 2) {
    const o = <usize>m << 3;
    const t01 = f64x2.add(f64x2.mul(v0, v128.load(x0 + o)), f64x2.mul(v1, v128.load(x1 + o)));
    const t23 = f64x2.add(f64x2.mul(v2, v128.load(x2 + o)), f64x2.mul(v3, v128.load(x3 + o)));
    v128.store(y + o, f64x2.sub(v128.load(y + o), f64x2.add(t01, t23)));
  }
  if (m < n) {
    const o = <usize>m << 3;
    store<f64>(y + o, load<f64>(y + o) - ((s0 * load<f64>(x0 + o) + s1 * load<f64>(x1 + o)) + (s2 * load<f64>(x2 + o) + s3 * load<f64>(x3 + o))));
  }
}

/** y[f] += s0·x0[f] + s1·x1[f] + s2·x2[f] + s3·x3[f] for f < n: four rank-1 updates with one load/store of y. */
@inline function wcholAxpy4(y: usize, s0: f32, x0: usize, s1: f32, x1: usize, s2: f32, x2: usize, s3: f32, x3: usize, n: i32): void {
  const v0 = f32x4.splat(s0);
  const v1 = f32x4.splat(s1);
  const v2 = f32x4.splat(s2);
  const v3 = f32x4.splat(s3);
  let f = 0;
  const n4 = n & ~3;
  for (; f < n4; f += 4) {
    const o = <usize>f << 2;
    const t01 = f32x4.add(f32x4.mul(v0, v128.load(x0 + o)), f32x4.mul(v1, v128.load(x1 + o)));
    const t23 = f32x4.add(f32x4.mul(v2, v128.load(x2 + o)), f32x4.mul(v3, v128.load(x3 + o)));
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.add(t01, t23)));
  }
  for (; f < n; f++) {
    const o = <usize>f << 2;
    const t01: f32 = s0 * load<f32>(x0 + o) + s1 * load<f32>(x1 + o);
    const t23: f32 = s2 * load<f32>(x2 + o) + s3 * load<f32>(x3 + o);
    store<f32>(y + o, load<f32>(y + o) + (t01 + t23));
  }
}

/**
 * Exact weighted-ALS half-sweep, rows [start, end) of a CSR: the math of src/kernels/implicit-als.ts
 * (weightedAlsHalfSweep, solver 1). For row x with observed entries j, solve
 *   (w0·G + Σ_j e_j y_j y_jᵀ + reg·I) x = Σ_j (w0 + e_j) t_j y_j,   reg = λ (n + w0·nCols)^ν (λ when ν = 0),
 * G = YᵀY (k×k f32, row stride k), e_j = extra[p], t_j = target[p] (1 when target = 0).
 * Σ e_j y_j y_jᵀ is accumulated in f32 SIMD (upper triangle, four entries per pass over A); w0·G, reg, the
 * right-hand side, the Cholesky factor (right-looking, upper, rank-4 f64x2 row updates) and both triangular
 * solves are f64, a pivot ≤ 1e-12 becomes 1e-6 (the TS rule). A row without entries gets x = 0 (b = 0). lossOut ≠ 0: the shard's part of the loss at the
 * solved rows as cgRange writes it (without w0·xᵀGx). Scratch: k·kp f32 + k·k f64 + kp f64, kp = k rounded up to 4.
 */
export function wcholRange(
  indptr: usize, indices: usize, extra: usize, target: usize, X: usize, Y: usize, G: usize,
  k: i32, w0: f32, lambda: f32, nu: f32, nCols: i32, lossOut: usize,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  const kp = (k + 3) & ~3;
  const A = scratch;
  const L = (A + ((<usize>k * <usize>kp) << 2) + 7) & ~7;
  const b = L + ((<usize>k * <usize>k) << 3);
  const w064 = <f64>w0;
  let loss: f64 = 0;
  for (let row = start; row < end; row++) {
    const x = X + <usize>row * rowBytes;
    const lo = load<i32>(indptr + (<usize>row << 2));
    const hi = load<i32>(indptr + (<usize>(row + 1) << 2));
    if (hi == lo) {
      memory.fill(x, 0, rowBytes);
      continue;
    }
    const reg: f64 = nu == 0 ? <f64>lambda : <f64>lambda * Math.pow(<f64>(hi - lo) + w064 * <f64>nCols, <f64>nu);
    memory.fill(A, 0, (<usize>k * <usize>kp) << 2);
    memory.fill(b, 0, <usize>k << 3);
    let y0: usize = 0, y1: usize = 0, y2: usize = 0;
    let e0: f32 = 0, e1: f32 = 0, e2: f32 = 0;
    let pending = 0;
    for (let p = lo; p < hi; p++) {
      const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
      const e = load<f32>(extra + (<usize>p << 2));
      const t: f64 = target ? <f64>load<f32>(target + (<usize>p << 2)) : 1;
      const wt: f64 = (w064 + <f64>e) * t;
      for (let f = 0; f < k; f++) {
        const o = b + (<usize>f << 3);
        store<f64>(o, load<f64>(o) + wt * <f64>load<f32>(y + (<usize>f << 2)));
      }
      if (e == 0) continue;
      if (pending == 0) { y0 = y; e0 = e; pending = 1; continue; }
      if (pending == 1) { y1 = y; e1 = e; pending = 2; continue; }
      if (pending == 2) { y2 = y; e2 = e; pending = 3; continue; }
      // four entries: A[a][c0..k) += Σ_i e_i·y_i[a]·y_i[c0..k), c0 = a rounded down to 4 (upper triangle)
      for (let a = 0; a < k; a++) {
        const c0 = a & ~3;
        const ao = <usize>a << 2;
        const co = <usize>c0 << 2;
        wcholAxpy4(
          A + ((<usize>a * <usize>kp + <usize>c0) << 2),
          e0 * load<f32>(y0 + ao), y0 + co, e1 * load<f32>(y1 + ao), y1 + co,
          e2 * load<f32>(y2 + ao), y2 + co, e * load<f32>(y + ao), y + co, k - c0,
        );
      }
      pending = 0;
    }
    for (let i = 0; i < pending; i++) {
      const y = i == 0 ? y0 : i == 1 ? y1 : y2;
      const e = i == 0 ? e0 : i == 1 ? e1 : e2;
      for (let a = 0; a < k; a++) {
        const c0 = a & ~3;
        axpy(A + ((<usize>a * <usize>kp + <usize>c0) << 2), e * load<f32>(y + (<usize>a << 2)), y + (<usize>c0 << 2), k - c0);
      }
    }
    // U = the upper triangle of w0·G + A + reg·I in f64 (row-major k×k; A holds the upper triangle)
    for (let a = 0; a < k; a++) {
      const ua = L + ((<usize>a * <usize>k) << 3);
      const aa = A + ((<usize>a * <usize>kp) << 2);
      const ga = G + ((<usize>a * <usize>k) << 2);
      for (let c = a; c < k; c++) {
        let v: f64 = <f64>load<f32>(aa + (<usize>c << 2));
        if (w0 != 0) v += w064 * <f64>load<f32>(ga + (<usize>c << 2));
        store<f64>(ua + (<usize>c << 3), v);
      }
      store<f64>(ua + (<usize>a << 3), load<f64>(ua + (<usize>a << 3)) + reg);
    }
    // right-looking Cholesky U ← R with RᵀR = U (upper R in place), four pivot rows at a time: the panel's rows
    // one by one, then each trailing row gets the panel's four rank-1 updates in one contiguous f64x2 pass
    for (let c0 = 0; c0 < k; c0 += 4) {
      const c1 = c0 + 4 < k ? c0 + 4 : k;
      for (let c = c0; c < c1; c++) {
        const uc = L + ((<usize>c * <usize>k) << 3);
        const dd = load<f64>(uc + (<usize>c << 3));
        const d: f64 = dd > 1e-12 ? Math.sqrt(dd) : 1e-6;
        store<f64>(uc + (<usize>c << 3), d);
        for (let a = c + 1; a < k; a++) store<f64>(uc + (<usize>a << 3), load<f64>(uc + (<usize>a << 3)) / d);
        for (let a = c + 1; a < c1; a++) {
          const ua = L + ((<usize>a * <usize>k) << 3);
          wcholAxpy64(ua + (<usize>a << 3), -load<f64>(uc + (<usize>a << 3)), uc + (<usize>a << 3), k - a);
        }
      }
      for (let a = c1; a < k; a++) {
        const ua = L + ((<usize>a * <usize>k) << 3) + (<usize>a << 3);
        const r0 = L + ((<usize>c0 * <usize>k) << 3) + (<usize>a << 3);
        if (c1 - c0 == 4) {
          const rs = (<usize>k) << 3;
          wcholAxpy64x4(ua, load<f64>(r0), r0, load<f64>(r0 + rs), r0 + rs, load<f64>(r0 + 2 * rs), r0 + 2 * rs, load<f64>(r0 + 3 * rs), r0 + 3 * rs, k - a);
        } else {
          for (let c = c0; c < c1; c++) {
            const rc = r0 + ((<usize>(c - c0) * <usize>k) << 3);
            wcholAxpy64(ua, -load<f64>(rc), rc, k - a);
          }
        }
      }
    }
    // Rᵀ z = b in place (column by column: contiguous rows of R), then R x = z in place (row dots)
    for (let c = 0; c < k; c++) {
      const uc = L + ((<usize>c * <usize>k) << 3);
      const o = b + (<usize>c << 3);
      const zc: f64 = load<f64>(o) / load<f64>(uc + (<usize>c << 3));
      store<f64>(o, zc);
      wcholAxpy64(o + 8, -zc, uc + (<usize>(c + 1) << 3), k - c - 1);
    }
    for (let a = k - 1; a >= 0; a--) {
      const ua = L + ((<usize>a * <usize>k) << 3);
      const o = b + (<usize>a << 3);
      store<f64>(o, (load<f64>(o) - wcholDot64(ua + (<usize>(a + 1) << 3), o + 8, k - a - 1)) / load<f64>(ua + (<usize>a << 3)));
    }
    for (let a = 0; a < k; a++) store<f32>(x + (<usize>a << 2), <f32>load<f64>(b + (<usize>a << 3)));
    if (lossOut) {
      loss += reg * <f64>dot(x, x, k);
      for (let p = lo; p < hi; p++) {
        const y = Y + <usize>load<i32>(indices + (<usize>p << 2)) * rowBytes;
        const sc: f64 = <f64>dot(x, y, k);
        const t: f64 = target ? <f64>load<f32>(target + (<usize>p << 2)) : 1;
        const w: f64 = w064 + <f64>load<f32>(extra + (<usize>p << 2));
        loss += w * (t - sc) * (t - sc) - w064 * sc * sc;
      }
    }
  }
  if (lossOut) store<f64>(lossOut + (<usize>shard << 3), loss);
}

// ---------------------------------------------------------------- HNSW (ANN index; src/kernels/hnsw.ts is the TS reference)
// The state of one graph lives in a context block of i32 words (src/kernels/hnsw-wasm.ts writes it):
//  0 Q  1 k  2 n  3 bias (0 = none)  4 aug  5 M  6 levels  7 upperStart (slots)  8 links0  9 deg0
//  10 upper  11 upperDeg  12 visited (u32 × n)  13 stamp  14 entry  15 maxLevel  16 cand sims  17 cand ids
//  18 res sims  19 res ids  20 scale (0 = none)  21 query y (f32 × k)  22 yb (f32 bits)  23 ya (f32 bits)
//  24 build scratch (efC + 2M + 1 words × 2)  25 shrink: 0 heuristic, 1 replace the least similar link
// Module globals hold the block's fields during one call only (per instance, no shared static data).

let hQ: usize = 0;
let hN: i32 = 0;
let hK: i32 = 0;
let hRow: usize = 0;
let hBias: usize = 0;
let hAug: usize = 0;
let hM: i32 = 0;
let hUpStart: usize = 0;
let hLinks0: usize = 0;
let hDeg0: usize = 0;
let hUp: usize = 0;
let hUpDeg: usize = 0;
let hVisited: usize = 0;
let hStamp: u32 = 0;
let hCandS: usize = 0;
let hCandI: usize = 0;
let hCandN: i32 = 0;
let hResS: usize = 0;
let hResI: usize = 0;
let hResN: i32 = 0;
let hScale: usize = 0;
let hY: usize = 0;
let hYb: f32 = 0;
let hYa: f32 = 0;
let hLa: usize = 0;
let hLd: i32 = 0;
let hGreedy: f32 = 0;

@inline function ctxI(ctx: usize, w: i32): i32 {
  return load<i32>(ctx + (<usize>w << 2));
}

function hnswLoad(ctx: usize): void {
  hQ = <usize>ctxI(ctx, 0);
  hK = ctxI(ctx, 1);
  hN = ctxI(ctx, 2);
  hRow = <usize>hK << 2;
  hBias = <usize>ctxI(ctx, 3);
  hAug = <usize>ctxI(ctx, 4);
  hM = ctxI(ctx, 5);
  hUpStart = <usize>ctxI(ctx, 7);
  hLinks0 = <usize>ctxI(ctx, 8);
  hDeg0 = <usize>ctxI(ctx, 9);
  hUp = <usize>ctxI(ctx, 10);
  hUpDeg = <usize>ctxI(ctx, 11);
  hVisited = <usize>ctxI(ctx, 12);
  hStamp = <u32>ctxI(ctx, 13);
  hCandS = <usize>ctxI(ctx, 16);
  hCandI = <usize>ctxI(ctx, 17);
  hResS = <usize>ctxI(ctx, 18);
  hResI = <usize>ctxI(ctx, 19);
  hScale = <usize>ctxI(ctx, 20);
  hY = <usize>ctxI(ctx, 21);
  hYb = load<f32>(ctx + (22 << 2));
  hYa = load<f32>(ctx + (23 << 2));
}

/** Query similarity y·q_j + yb·b_j + ya·a_j (× scale_j when set). */
@inline function hQsim(j: i32): f32 {
  const jo = <usize>j << 2;
  let s = dot(hY, hQ + <usize>j * hRow, hK);
  if (hBias != 0 && hYb != 0) s += hYb * load<f32>(hBias + jo);
  if (hYa != 0) s += hYa * load<f32>(hAug + jo);
  if (hScale != 0) s *= load<f32>(hScale + jo);
  return s;
}

/** Item-item similarity in the transformed space q_i·q_j + b_i·b_j + a_i·a_j. */
@inline function hIsim(i: i32, j: i32): f32 {
  const io = <usize>i << 2;
  const jo = <usize>j << 2;
  let s = dot(hQ + <usize>i * hRow, hQ + <usize>j * hRow, hK) + load<f32>(hAug + io) * load<f32>(hAug + jo);
  if (hBias != 0) s += load<f32>(hBias + io) * load<f32>(hBias + jo);
  return s;
}

/** hLa/hLd = links of node on layer. */
@inline function hLinks(node: i32, layer: i32): void {
  if (layer == 0) {
    hLa = hLinks0 + (<usize>node * <usize>(2 * hM) << 2);
    hLd = load<i32>(hDeg0 + (<usize>node << 2));
  } else {
    const slot = load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1;
    hLa = hUp + (<usize>slot * <usize>hM << 2);
    hLd = load<i32>(hUpDeg + (<usize>slot << 2));
  }
}

@inline function hDegPtr(node: i32, layer: i32): usize {
  if (layer == 0) return hDeg0 + (<usize>node << 2);
  return hUpDeg + (<usize>(load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1) << 2);
}

@inline function hBase(node: i32, layer: i32): usize {
  if (layer == 0) return hLinks0 + (<usize>node * <usize>(2 * hM) << 2);
  return hUp + (<usize>(load<i32>(hUpStart + (<usize>node << 2)) / hM + layer - 1) * <usize>hM << 2);
}

/** Max-heap (root = best) push on cand. */
function hCandPush(s: f32, id: i32): void {
  let p = hCandN++;
  while (p > 0) {
    const q = (p - 1) >> 1;
    const qs = load<f32>(hCandS + (<usize>q << 2));
    const qi = load<i32>(hCandI + (<usize>q << 2));
    if (!before(s, id, qs, qi)) break;
    store<f32>(hCandS + (<usize>p << 2), qs);
    store<i32>(hCandI + (<usize>p << 2), qi);
    p = q;
  }
  store<f32>(hCandS + (<usize>p << 2), s);
  store<i32>(hCandI + (<usize>p << 2), id);
}

function hCandPop(): void {
  const n = --hCandN;
  if (n == 0) return;
  const s = load<f32>(hCandS + (<usize>n << 2));
  const id = load<i32>(hCandI + (<usize>n << 2));
  let p = 0;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= n) break;
    let c = l;
    const r = l + 1;
    if (r < n && before(load<f32>(hCandS + (<usize>r << 2)), load<i32>(hCandI + (<usize>r << 2)), load<f32>(hCandS + (<usize>l << 2)), load<i32>(hCandI + (<usize>l << 2)))) c = r;
    const cs = load<f32>(hCandS + (<usize>c << 2));
    const ci = load<i32>(hCandI + (<usize>c << 2));
    if (!before(cs, ci, s, id)) break;
    store<f32>(hCandS + (<usize>p << 2), cs);
    store<i32>(hCandI + (<usize>p << 2), ci);
    p = c;
  }
  store<f32>(hCandS + (<usize>p << 2), s);
  store<i32>(hCandI + (<usize>p << 2), id);
}

/** Min-heap (root = worst) push on res. */
function hResPush(s: f32, id: i32): void {
  let p = hResN++;
  while (p > 0) {
    const q = (p - 1) >> 1;
    const qs = load<f32>(hResS + (<usize>q << 2));
    const qi = load<i32>(hResI + (<usize>q << 2));
    if (!before(qs, qi, s, id)) break;
    store<f32>(hResS + (<usize>p << 2), qs);
    store<i32>(hResI + (<usize>p << 2), qi);
    p = q;
  }
  store<f32>(hResS + (<usize>p << 2), s);
  store<i32>(hResI + (<usize>p << 2), id);
}

function hResPop(): void {
  const n = --hResN;
  if (n == 0) return;
  const s = load<f32>(hResS + (<usize>n << 2));
  const id = load<i32>(hResI + (<usize>n << 2));
  let p = 0;
  for (;;) {
    const l = 2 * p + 1;
    if (l >= n) break;
    let c = l;
    const r = l + 1;
    if (r < n && before(load<f32>(hResS + (<usize>l << 2)), load<i32>(hResI + (<usize>l << 2)), load<f32>(hResS + (<usize>r << 2)), load<i32>(hResI + (<usize>r << 2)))) c = r;
    const cs = load<f32>(hResS + (<usize>c << 2));
    const ci = load<i32>(hResI + (<usize>c << 2));
    if (!before(s, id, cs, ci)) break;
    store<f32>(hResS + (<usize>p << 2), cs);
    store<i32>(hResI + (<usize>p << 2), ci);
    p = c;
  }
  store<f32>(hResS + (<usize>p << 2), s);
  store<i32>(hResI + (<usize>p << 2), id);
}

/** Greedy walk on `layer` (ef = 1); returns the node, its similarity in hGreedy. */
function hGreedyWalk(ep: i32, epSim: f32, layer: i32): i32 {
  let cur = ep;
  let best = epSim;
  let moved = true;
  while (moved) {
    moved = false;
    hLinks(cur, layer);
    const a = hLa;
    const d = hLd;
    for (let t = 0; t < d; t++) {
      const j = load<i32>(a + (<usize>t << 2));
      const s = hQsim(j);
      if (before(s, j, best, cur)) {
        best = s;
        cur = j;
        moved = true;
      }
    }
  }
  hGreedy = best;
  return cur;
}

/** Beam search from one entry point; the ef best unskipped to outI/outS best first; returns the count. */
function hSearchLayer(ep: i32, ef: i32, layer: i32, outI: usize, outS: usize, skip: usize): i32 {
  hStamp++;
  if (hStamp == 0xffffffff) {
    memory.fill(hVisited, 0, <usize>hN << 2);
    hStamp = 1;
  }
  const stamp = hStamp;
  hCandN = 0;
  hResN = 0;
  store<u32>(hVisited + (<usize>ep << 2), stamp);
  const s0 = hQsim(ep);
  hCandPush(s0, ep);
  if (skip == 0 || load<u8>(skip + <usize>ep) == 0) hResPush(s0, ep);
  while (hCandN > 0) {
    const cs = load<f32>(hCandS);
    const ci = load<i32>(hCandI);
    if (hResN >= ef && before(load<f32>(hResS), load<i32>(hResI), cs, ci)) break;
    hCandPop();
    hLinks(ci, layer);
    const a = hLa;
    const d = hLd;
    for (let t = 0; t < d; t++) {
      const j = load<i32>(a + (<usize>t << 2));
      const vp = hVisited + (<usize>j << 2);
      if (load<u32>(vp) == stamp) continue;
      store<u32>(vp, stamp);
      const s = hQsim(j);
      if (hResN < ef || before(s, j, load<f32>(hResS), load<i32>(hResI))) {
        hCandPush(s, j);
        if (skip == 0 || load<u8>(skip + <usize>j) == 0) {
          hResPush(s, j);
          if (hResN > ef) hResPop();
        }
      }
    }
  }
  const count = hResN;
  for (let t = count - 1; t >= 0; t--) {
    store<i32>(outI + (<usize>t << 2), load<i32>(hResI));
    store<f32>(outS + (<usize>t << 2), load<f32>(hResS));
    hResPop();
  }
  return count;
}

/** HNSW neighbour heuristic over candidates (best first); kept ids to out, returns how many (≤ max). */
function hSelect(ids: usize, sims: usize, count: i32, max: i32, out: usize): i32 {
  let kept = 0;
  for (let t = 0; t < count && kept < max; t++) {
    const c = load<i32>(ids + (<usize>t << 2));
    const sc = load<f32>(sims + (<usize>t << 2));
    let ok = true;
    for (let r = 0; r < kept; r++) {
      if (hIsim(c, load<i32>(out + (<usize>r << 2))) > sc) {
        ok = false;
        break;
      }
    }
    if (ok) store<i32>(out + (<usize>(kept++) << 2), c);
  }
  return kept;
}

/** Approximate top-ef for the query in the context block (y, yb, ya, scale); returns the count. */
export function hnswSearch(ctx: usize, ef: i32, outI: usize, outS: usize, skip: usize): i32 {
  hnswLoad(ctx);
  if (ctxI(ctx, 2) == 0) return 0;
  let ep = ctxI(ctx, 14);
  let s = hQsim(ep);
  for (let l = ctxI(ctx, 15); l > 0; l--) {
    ep = hGreedyWalk(ep, s, l);
    s = hGreedy;
  }
  const count = hSearchLayer(ep, ef, 0, outI, outS, skip);
  store<i32>(ctx + (13 << 2), <i32>hStamp);
  return count;
}

/**
 * Insert items [from, to) in index order (item 0 is the initial entry point; the caller starts at 1):
 * greedy descent, beam search of efC per layer, heuristic selection, reverse links shrunk by the
 * heuristic when full. Updates entry and maxLevel in the block.
 */
export function hnswInsert(ctx: usize, from: i32, to: i32, efC: i32): void {
  hnswLoad(ctx);
  const M = hM;
  const M0 = 2 * M;
  const levels = <usize>ctxI(ctx, 6);
  const sc = <usize>ctxI(ctx, 24);
  const wI = sc;
  const wS = wI + (<usize>efC << 2);
  const sel = wS + (<usize>efC << 2);
  const shI = sel + (<usize>M0 << 2);
  const shS = shI + (<usize>(M0 + 1) << 2);
  let entry = ctxI(ctx, 14);
  let maxLevel = ctxI(ctx, 15);
  const simpleShrink = ctxI(ctx, 25) != 0;
  for (let i = from; i < to; i++) {
    hY = hQ + <usize>i * hRow;
    hYb = hBias != 0 ? load<f32>(hBias + (<usize>i << 2)) : 0;
    hYa = load<f32>(hAug + (<usize>i << 2));
    const L = load<i32>(levels + (<usize>i << 2));
    let ep = entry;
    let s = hQsim(ep);
    for (let l = maxLevel; l > L; l--) {
      ep = hGreedyWalk(ep, s, l);
      s = hGreedy;
    }
    for (let l = min(L, maxLevel); l >= 0; l--) {
      const cap = l == 0 ? M0 : M;
      const count = hSearchLayer(ep, efC, l, wI, wS, 0);
      const base = hBase(i, l);
      const kept = hSelect(wI, wS, count, M, sel);
      for (let t = 0; t < kept; t++) store<i32>(base + (<usize>t << 2), load<i32>(sel + (<usize>t << 2)));
      store<i32>(hDegPtr(i, l), kept);
      for (let t = 0; t < kept; t++) {
        const j = load<i32>(sel + (<usize>t << 2));
        const jb = hBase(j, l);
        const jd = hDegPtr(j, l);
        const d = load<i32>(jd);
        if (d < cap) {
          store<i32>(jb + (<usize>d << 2), i);
          store<i32>(jd, d + 1);
          continue;
        }
        if (simpleShrink) {
          // replace j's least similar link when i is more similar (d + 1 similarities instead of the heuristic's O(d²))
          let worst = 0;
          let ws = hIsim(j, load<i32>(jb));
          for (let r = 1; r < d; r++) {
            const c = load<i32>(jb + (<usize>r << 2));
            const cs = hIsim(j, c);
            if (before(ws, load<i32>(jb + (<usize>worst << 2)), cs, c)) {
              ws = cs;
              worst = r;
            }
          }
          if (before(hIsim(j, i), i, ws, load<i32>(jb + (<usize>worst << 2)))) store<i32>(jb + (<usize>worst << 2), i);
          continue;
        }
        let m = 0;
        for (let r = 0; r <= d; r++) {
          const c = r < d ? load<i32>(jb + (<usize>r << 2)) : i;
          const cs = hIsim(j, c);
          let at = m++;
          while (at > 0 && before(cs, c, load<f32>(shS + (<usize>(at - 1) << 2)), load<i32>(shI + (<usize>(at - 1) << 2)))) {
            store<f32>(shS + (<usize>at << 2), load<f32>(shS + (<usize>(at - 1) << 2)));
            store<i32>(shI + (<usize>at << 2), load<i32>(shI + (<usize>(at - 1) << 2)));
            at--;
          }
          store<f32>(shS + (<usize>at << 2), cs);
          store<i32>(shI + (<usize>at << 2), c);
        }
        store<i32>(jd, hSelect(shI, shS, m, cap, jb));
      }
      ep = load<i32>(wI);
    }
    if (L > maxLevel) {
      maxLevel = L;
      entry = i;
    }
  }
  store<i32>(ctx + (13 << 2), <i32>hStamp);
  store<i32>(ctx + (14 << 2), entry);
  store<i32>(ctx + (15 << 2), maxLevel);
}
