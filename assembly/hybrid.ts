/**
 * hybrid (LightFM's form) for losses "warp" and "squared": one epoch, the same arithmetic as the TS
 * reference src/train/hybrid/kernel.ts (hybridEpoch / hybridSquaredEpoch), so the same bytes. The TS kernel
 * computes in f64 and rounds to f32 only when it stores into a Float32Array; every elementwise pass here
 * does the same on two lanes at a time (f64x2: f32 pairs promoted, IEEE add/mul/div/sqrt, demoted once at
 * the store), and every sum (dot products, biases, the loss) is sequential in f64 as in the TS loops.
 * WARP's rank weights ln⌊(N − 1)/draws⌋ come precomputed from the host; "bpr" calls the host's Math.exp and
 * Math.log1p (imports env.exp, env.log1p: the very functions the TS kernel calls, so the same values).
 */

import { sfc32Next, sortedContains } from "./vector";

// @ts-ignore: decorator
@external("env", "exp")
declare function hostExp(x: f64): f64;

// @ts-ignore: decorator
@external("env", "log1p")
declare function hostLog1p(x: f64): f64;

// ---------------------------------------------------------------- generator (src/core/rng.ts, as assembly/bpr.ts)

/** Rng.next(): t / 2³² (f64). */
@inline function hyUniform(st: usize): f64 {
  return <f64>sfc32Next(st) / 4294967296.0;
}

/** Rng.int(n): ⌊next()·n⌋. */
@inline function hyInt(st: usize, n: i32): i32 {
  return <i32>Math.floor(<f64>sfc32Next(st) / 4294967296.0 * <f64>n);
}

// ---------------------------------------------------------------- helpers

/** An entity's rows as a CSR (indptr, rows, weights) and its parameter table (vec, acc, bias, biasAcc). */
@unmanaged class Side {
  indptr: usize;
  rows: usize;
  weights: usize;
  idRows: i32;
  vec: usize;
  acc: usize;
  bias: usize;
  biasAcc: usize;
}

/** The side descriptor at `at`, filled from one side's pointers (users or items). */
@inline function sideAt(at: usize, indptr: usize, rows: usize, weights: usize, idRows: i32, vec: usize, acc: usize, bias: usize, biasAcc: usize): Side {
  const S = changetype<Side>(at);
  S.indptr = indptr;
  S.rows = rows;
  S.weights = weights;
  S.idRows = idRows;
  S.vec = vec;
  S.acc = acc;
  S.bias = bias;
  S.biasAcc = biasAcc;
  return S;
}

/**
 * out = Σ w·vec[row] over the entity's rows (id rows skipped when dropId), each lane f64 then f32 as the
 * TS `out[f] += w·v`; returns Σ w·bias[row] in f64 (0 without biases).
 */
function hyRepresentation(s: Side, entity: i32, k: i32, out: usize, dropId: bool): f64 {
  const rowBytes = <usize>k << 2;
  const k2 = k & ~1;
  memory.fill(out, 0, rowBytes);
  let b: f64 = 0;
  const lo = load<i32>(s.indptr + (<usize>entity << 2));
  const hi = load<i32>(s.indptr + (<usize>entity << 2), 4);
  for (let p = lo; p < hi; p++) {
    const r = load<i32>(s.rows + (<usize>p << 2));
    if (dropId && r < s.idRows) continue;
    const w = <f64>load<f32>(s.weights + (<usize>p << 2));
    const wv = f64x2.splat(w);
    const v = s.vec + <usize>r * rowBytes;
    let f = 0;
    for (; f < k2; f += 2) {
      const o = <usize>f << 2;
      const x = f64x2.promote_low_f32x4(v128.load64_zero(out + o));
      const y = f64x2.promote_low_f32x4(v128.load64_zero(v + o));
      v128.store64_lane(out + o, f32x4.demote_f64x2_zero(f64x2.add(x, f64x2.mul(wv, y))), 0);
    }
    for (; f < k; f++) {
      const o = <usize>f << 2;
      store<f32>(out + o, <f32>(<f64>load<f32>(out + o) + w * <f64>load<f32>(v + o)));
    }
    if (s.bias) b += w * <f64>load<f32>(s.bias + (<usize>r << 2));
  }
  return b;
}

/** Σ a[f]·b[f], sequential in f64 (the TS dot). */
@inline function hyDot(a: usize, b: usize, k: i32): f64 {
  let s: f64 = 0;
  for (let f = 0; f < k; f++) s += <f64>load<f32>(a + (<usize>f << 2)) * <f64>load<f32>(b + (<usize>f << 2));
  return s;
}

/**
 * AdaGrad step on the entity's rows (feature rows only when dropId): d = w·g + λθ, θ −= lr/√acc · d,
 * acc += d² (λ = lambdaId on id rows, lambdaF on feature rows); the bias likewise with w·gb when gb ≠ 0.
 */
function hyStep(s: Side, entity: i32, k: i32, g: usize, gb: f64, lr: f64, lambdaId: f64, lambdaF: f64, dropId: bool): void {
  const rowBytes = <usize>k << 2;
  const k2 = k & ~1;
  const lo = load<i32>(s.indptr + (<usize>entity << 2));
  const hi = load<i32>(s.indptr + (<usize>entity << 2), 4);
  const lrv = f64x2.splat(lr);
  for (let p = lo; p < hi; p++) {
    const r = load<i32>(s.rows + (<usize>p << 2));
    const isId = r < s.idRows;
    if (dropId && isId) continue;
    const lambda = isId ? lambdaId : lambdaF;
    const w = <f64>load<f32>(s.weights + (<usize>p << 2));
    const wv = f64x2.splat(w);
    const lv = f64x2.splat(lambda);
    const v = s.vec + <usize>r * rowBytes;
    const a = s.acc + <usize>r * rowBytes;
    let f = 0;
    for (; f < k2; f += 2) {
      const o = <usize>f << 2;
      const x = f64x2.promote_low_f32x4(v128.load64_zero(v + o));
      const gv = f64x2.promote_low_f32x4(v128.load64_zero(g + o));
      const d = f64x2.add(f64x2.mul(wv, gv), f64x2.mul(lv, x));
      const av = f64x2.promote_low_f32x4(v128.load64_zero(a + o));
      v128.store64_lane(v + o, f32x4.demote_f64x2_zero(f64x2.sub(x, f64x2.mul(f64x2.div(lrv, f64x2.sqrt(av)), d))), 0);
      v128.store64_lane(a + o, f32x4.demote_f64x2_zero(f64x2.add(av, f64x2.mul(d, d))), 0);
    }
    for (; f < k; f++) {
      const o = <usize>f << 2;
      const x = <f64>load<f32>(v + o);
      const d = w * <f64>load<f32>(g + o) + lambda * x;
      const ac = <f64>load<f32>(a + o);
      store<f32>(v + o, <f32>(x - (lr / Math.sqrt(ac)) * d));
      store<f32>(a + o, <f32>(ac + d * d));
    }
    if (s.bias && s.biasAcc && gb != 0) {
      const bp = s.bias + (<usize>r << 2);
      const ap = s.biasAcc + (<usize>r << 2);
      const x = <f64>load<f32>(bp);
      const d = w * gb + lambda * x;
      const ac = <f64>load<f32>(ap);
      store<f32>(bp, <f32>(x - (lr / Math.sqrt(ac)) * d));
      store<f32>(ap, <f32>(ac + d * d));
    }
  }
}


// ---------------------------------------------------------------- the epoch

/**
 * One hybrid epoch over order[start, end) (loss 0 "warp", 1 "bpr", 2 "squared"; the TS hybridEpoch): user side at
 * uIndptr/uRows/uWeights (id rows below uIdRows) with parameters uVec, uAcc, uBias, uBiasAcc (bias 0 = none),
 * items likewise; pairs (posUser[q], posItem[q]) with values[q] ("squared") or the sorted positives
 * posIndptr/posSorted and the negative pool ("warp": warpWeights[draws] = min(10, ln max(1, ⌊(nPool − 1)/draws⌋));
 * "bpr": one negative, up to 10 draws).
 * rng: the sfc32 state (a, b, c, d), advanced in place. work: 5·k + 16 f32 (u, p, n, gu, gi, then the two
 * sides' descriptors); no pool scratch. Writes Σ loss (f64) at lossOut[shard].
 */
export function hybridEpochRange(
  uIndptr: usize, uRows: usize, uWeights: usize, uVec: usize, uAcc: usize, uBias: usize, uBiasAcc: usize,
  iIndptr: usize, iRows: usize, iWeights: usize, iVec: usize, iAcc: usize, iBias: usize, iBiasAcc: usize,
  posUser: usize, posItem: usize, posIndptr: usize, posSorted: usize, pool: usize, values: usize, order: usize,
  rng: usize, warpWeights: usize, work: usize, lossOut: usize,
  k: i32, uIdRows: i32, iIdRows: i32, nPool: i32, loss: i32, maxSampled: i32,
  lr: f64, lambda: f64, lambdaF: f64, idDropout: f64, mu: f64,
  start: i32, end: i32, shard: i32, scratch: usize,
): void {
  const rowBytes = <usize>k << 2;
  // The two sides' descriptors live after the five scratch vectors of `work`.
  const U = sideAt(work + 5 * rowBytes, uIndptr, uRows, uWeights, uIdRows, uVec, uAcc, uBias, uBiasAcc);
  const V = sideAt(work + 5 * rowBytes + offsetof<Side>(), iIndptr, iRows, iWeights, iIdRows, iVec, iAcc, iBias, iBiasAcc);
  const su = work;
  const sp = work + rowBytes;
  const sn = work + 2 * rowBytes;
  const gu = work + 3 * rowBytes;
  const gi = work + 4 * rowBytes;
  let total: f64 = 0;
  for (let t = start; t < end; t++) {
    const q = load<i32>(order + (<usize>t << 2));
    const u = load<i32>(posUser + (<usize>q << 2));
    const i = load<i32>(posItem + (<usize>q << 2));
    const drop = idDropout > 0 && hyUniform(rng) < idDropout;
    if (loss == 2) {
      const bu = hyRepresentation(U, u, k, su, false);
      const bi = hyRepresentation(V, i, k, sp, drop);
      const e = mu + bu + bi + hyDot(su, sp, k) - <f64>load<f32>(values + (<usize>q << 2));
      total += e * e;
      for (let f = 0; f < k; f++) {
        const o = <usize>f << 2;
        store<f32>(gi + o, <f32>(e * <f64>load<f32>(su + o)));
        store<f32>(gu + o, <f32>(e * <f64>load<f32>(sp + o)));
      }
      hyStep(V, i, k, gi, e, lr, lambda, lambdaF, drop);
      hyStep(U, u, k, gu, e, lr, lambda, lambdaF, false);
      continue;
    }
    hyRepresentation(U, u, k, su, false);
    const bi = hyRepresentation(V, i, k, sp, drop);
    const xi = hyDot(su, sp, k) + bi;
    let j = -1;
    let weight: f64 = 0;
    let xj: f64 = 0;
    const plo = load<i32>(posIndptr + (<usize>u << 2));
    const phi = load<i32>(posIndptr + (<usize>u << 2), 4);
    if (loss == 0) {
      for (let draws = 1; draws <= maxSampled; draws++) {
        const c = load<i32>(pool + (<usize>hyInt(rng, nPool) << 2));
        if (c == i) continue;
        const bj = hyRepresentation(V, c, k, sn, drop);
        const x = hyDot(su, sn, k) + bj;
        if (x > xi - 1) {
          if (sortedContains(posSorted, plo, phi, c)) continue;
          j = c;
          xj = x;
          weight = load<f64>(warpWeights + (<usize>draws << 3));
          break;
        }
      }
      if (j < 0 || weight == 0) continue;
      total += weight * (1 - xi + xj);
    } else {
      let c = -1;
      for (let tries = 0; tries < 10; tries++) {
        c = load<i32>(pool + (<usize>hyInt(rng, nPool) << 2));
        if (c != i && !sortedContains(posSorted, plo, phi, c)) break;
        c = -1;
      }
      if (c < 0) continue;
      j = c;
      const bj = hyRepresentation(V, c, k, sn, drop);
      xj = hyDot(su, sn, k) + bj;
      const z = xi - xj;
      // d(−ln σ(z))/dz = −σ(−z)
      weight = 1 / (1 + hostExp(z));
      total += z > 0 ? hostLog1p(hostExp(-z)) : -z + hostLog1p(hostExp(z));
    }
    const nw = -weight;
    for (let f = 0; f < k; f++) {
      const o = <usize>f << 2;
      store<f32>(gu + o, <f32>(weight * (<f64>load<f32>(sn + o) - <f64>load<f32>(sp + o))));
      store<f32>(gi + o, <f32>(nw * <f64>load<f32>(su + o)));
    }
    hyStep(V, i, k, gi, nw, lr, lambda, lambdaF, drop);
    for (let f = 0; f < k; f++) {
      const o = <usize>f << 2;
      store<f32>(gi + o, <f32>(weight * <f64>load<f32>(su + o)));
    }
    hyStep(V, j, k, gi, weight, lr, lambda, lambdaF, drop);
    hyStep(U, u, k, gu, 0, lr, lambda, lambdaF, false);
  }
  store<f64>(lossOut + (<usize>shard << 3), total);
}
