/** Explicit ALS by conjugate gradient (with biases). */

import { dot, axpy, entryAt } from "./vector";

// ---------------------------------------------------------------- explicit ALS by conjugate gradient (with biases)

/**
 * Explicit ALS half-sweep by CG, rows [start, end), warm-started from the current (x, b_x): the same
 * system as alsCholeskyRange, (Σ y'_j y'_jᵀ + Λ) x' = Σ t_j y'_j with y' = [y_j, 1], x' = [x, b_x] when
 * useBias, t_j = r_j − μ − b_j (r_j without bias), Λ = diag(λ,…,λ, λ_b)·(n when scaleByCount), solved
 * approximately by at most `steps` CG steps (src/kernels/als-explicit-cg.ts is the TS reference).
 * table ≠ 0: values holds one byte code per rating, r_j = table[code] (256 f32; the same f32, so the same bytes).
 * The bias is carried as a scalar beside the k-vector. A row with no ratings gets x = 0, b_x = 0.
 * Scratch: 3·k f32.
 */
export function alsCgRange(
  indptr: usize, indices: usize, values: usize, table: usize, X: usize, Y: usize, bx: usize, by: usize,
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
      let t: f32 = entryAt(values, values, table, p);
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
  segPtr: usize, rows: usize, values: usize, table: usize, nOther: i32, Y: usize, by: usize,
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
        let t: f32 = entryAt(values, values, table, p);
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
