/** Weighted ALS by conjugate gradient (iALS, WALS, explicit ALS without biases). */

import { dot, axpy, gemvSym, entryAt } from "./vector";

// ---------------------------------------------------------------- weighted ALS by conjugate gradient (iALS, WALS, explicit ALS without biases)

/**
 * CG half-sweep, rows [start, end), warm-started from the current x: the math of
 * src/kernels/implicit-als.ts (weightedAlsHalfSweep, solver 0). For row x with observed entries j,
 *   (w0·G + Σ_j e_j y_j y_jᵀ + reg·I) x = Σ_j (w0 + e_j) t_j y_j,   reg = λ (n + w0·nCols)^ν (λ when ν = 0),
 * G = YᵀY (k×k f32, row stride k), e_j = extra[p] (W_j − w0), t_j = target[p] (1 when target = 0).
 * iALS: w0 = 1, e = α r, t = 1. Explicit ALS without biases: w0 = 0, e = 1, t = r (ν = 1 gives λ·n).
 * table ≠ 0: extra holds one byte code per entry, e_j = table[code] (256 f32), and target, when ≠ 0, is the
 * targets' table by the same code (t_j = target[code]): the same f32 values, so the same bytes, at 1 B an entry.
 * At most `steps` CG steps while rᵀr > 1e-20. Scratch: 3·k f32.
 * lossOut ≠ 0: also writes the shard's part of the weighted loss at the solved rows, without the w0·xᵀGx term
 * (the caller adds w0·tr(G_Y·G_X) once): Σ_rows reg‖x‖² + Σ_obs [(w0 + e)(t − s)² − w0·s²], s = x·y, in f64.
 */
export function cgRange(
  indptr: usize, indices: usize, extra: usize, target: usize, table: usize, X: usize, Y: usize, G: usize,
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
      const e = entryAt(extra, extra, table, p);
      const t: f32 = target ? entryAt(target, extra, table ? target : 0, p) : 1;
      axpy(rv, (w0 + e) * t - e * dot(y, x, k), y, k);
    }
    memory.copy(pv, rv, rowBytes);
    let rs = dot(rv, rv, k);
    for (let it = 0; it < steps && rs > 1e-20; it++) {
      if (useGram) gemvSym(G, pv, ap, k, w0, reg);
      else for (let a = 0; a < k; a++) store<f32>(ap + (<usize>a << 2), reg * load<f32>(pv + (<usize>a << 2)));
      for (let p = lo; p < hi; p++) {
        const e = entryAt(extra, extra, table, p);
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
        const t: f64 = target ? <f64>entryAt(target, extra, table ? target : 0, p) : 1;
        const w: f64 = <f64>w0 + <f64>entryAt(extra, extra, table, p);
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
 * counts: a CSR row pointer of the rows (n_x = counts[x+1] − counts[x], for reg). table: byte-coded entries, as in cgRange.
 */
export function cgShardRange(
  segPtr: usize, rows: usize, extra: usize, target: usize, table: usize, nOther: i32, Y: usize,
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
      const e = entryAt(extra, extra, table, p);
      const o = <usize>i * rowBytes;
      if (phase == 0) {
        const t: f32 = target ? entryAt(target, extra, table ? target : 0, p) : 1;
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
