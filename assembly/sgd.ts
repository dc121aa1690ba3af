/** SGD kernels for biased MF. */

import { dot } from "./vector";

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
