/** BPR over a block schedule. */

import { sfc32Next, sortedContains } from "./vector";

// ---------------------------------------------------------------- BPR (block schedule)

/** splitmix32 step (src/core/rng.ts mix32): u32 arithmetic wraps like Math.imul. */
@inline function bprMix32(x: u32): u32 {
  x = x + 0x9e3779b9;
  let z = x;
  z = (z ^ (z >>> 16)) * 0x21f0aaad;
  z = (z ^ (z >>> 15)) * 0x735a2d97;
  return z ^ (z >>> 15);
}

/** Rng.int(n): ⌊(t / 2³²)·n⌋ in f64, the same IEEE operations as the TS generator. */
@inline function bprInt(st: usize, n: i32): i32 {
  return <i32>Math.floor(<f64>sfc32Next(st) / 4294967296.0 * <f64>n);
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
  for (let r = 0; r < 12; r++) sfc32Next(st);
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
        if (!sortedContains(indices, lo, hi, c)) {
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
