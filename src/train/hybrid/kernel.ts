/**
 * The TypeScript kernel of `hybrid` (LightFM's form, Kula 2015): an entity's vector is the weighted sum
 * of the vectors of its rows in a parameter table, where a warm entity's rows are its own id row plus
 * one row per feature it has, and a cold entity's rows are its features alone. Scores are
 * x̂_ui = (Σ_a w_ua U_a) · (Σ_b w_ib V_b) + Σ_b w_ib B_b. One epoch visits every training positive (u, i)
 * once, in a seeded random order, and takes one SGD step of the chosen loss with per-parameter
 * AdaGrad (accumulators start at 1, as LightFM's):
 *
 * - "warp" (Weston et al. 2011): draw negatives j until one violates x̂_uj > x̂_ui − 1 (at most
 *   `maxSampled` draws; a draw that is one of u's positives is redrawn and counted), then step on
 *   L·(1 − x̂_ui + x̂_uj) with L = ln⌊(N − 1)/draws⌋ (≤ 10), N the number of items negatives come from.
 * - "bpr" (Rendle et al. 2009): one negative, step on −ln σ(x̂_ui − x̂_uj).
 * - "squared" (rating prediction, {@link hybridSquaredEpoch}): every training rating (u, i, r) once,
 *   r̂_ui = μ + Σ_a w_ua c_a + Σ_b w_ib B_b + (Σ_a w_ua U_a)·(Σ_b w_ib V_b) with user row biases c_a too,
 *   a step on ½(r̂_ui − r)².
 *
 * Regularization adds λ·θ to the gradient of every parameter the step touches (`regularization` on id
 * rows, `featureRegularization` on feature rows). With `idDropout` p, a step drops, with probability p,
 * the id rows of its items (DropoutNet, Volkovs et al. 2017): the pair is scored and stepped on the items'
 * features alone, as a cold item is scored.
 *
 * assembly/hybrid.ts (hybridEpochRange) is its WASM twin and must stay byte for byte the same: every value
 * here is computed in f64 and rounded to f32 only where it is stored in a Float32Array, sums run in order,
 * and the only libm calls are Math.log (WARP's weights, {@link warpWeight}, precomputed for the WASM kernel)
 * and Math.exp / Math.log1p (BPR, imported by the WASM kernel). A change here needs the same change there
 * (test/unit/train/hybrid-wasm.test.ts compares whole fits).
 */
import type { Rng } from "../../core/rng.js";

/** Rows of an entity in a parameter table: CSR over entities, entries = (parameter row, weight). */
export interface EntityRows {
  readonly indptr: Int32Array;
  readonly rows: Int32Array;
  readonly weights: Float32Array;
  /** Parameter rows below this are id rows (one per warm entity, its first entry); the rest are feature rows. */
  readonly idRows: number;
}

/** One side's parameters: a table of `rows × k` vectors (+ biases for items) and their AdaGrad accumulators. */
export interface ParamTable {
  readonly vectors: Float32Array;
  readonly vectorAcc: Float32Array;
  readonly bias: Float32Array | null;
  readonly biasAcc: Float32Array | null;
}

/** Everything one epoch reads and writes. */
export interface HybridState {
  readonly k: number;
  readonly users: EntityRows;
  readonly items: EntityRows;
  readonly U: ParamTable;
  readonly V: ParamTable;
  /**
   * Training positives, (posUser[t], posItem[t]); per user sorted in `posIndptr`/`posSorted` for the "is it a positive" test.
   * With loss "squared": every training rating, its value in `values` (posIndptr / posSorted / negativePool unused).
   */
  readonly posUser: Int32Array;
  readonly posItem: Int32Array;
  readonly posIndptr: Int32Array;
  readonly posSorted: Int32Array;
  /** Items negatives are drawn from (dense item indices). */
  readonly negativePool: Int32Array;
  readonly loss: "warp" | "bpr" | "squared";
  /** Loss "squared": the rating of pair t, and the global mean μ (fixed, the training mean); null and 0 otherwise. */
  readonly values: Float32Array | null;
  readonly globalMean: number;
  readonly learningRate: number;
  readonly regularization: number;
  /** λ of the feature rows (the id rows take `regularization`). */
  readonly featureRegularization: number;
  /** Probability that a step drops the id rows of both its items (DropoutNet-style): they are scored and stepped on their features alone. */
  readonly idDropout: number;
  readonly maxSampled: number;
}

/** out = Σ w·T[row] over the entity's rows; returns Σ w·bias[row] (0 without biases). */
export function representation(e: EntityRows, entity: number, T: ParamTable, k: number, out: Float32Array, dropId = false): number {
  out.fill(0);
  let b = 0;
  const vec = T.vectors;
  const bias = T.bias;
  for (let p = e.indptr[entity]!; p < e.indptr[entity + 1]!; p++) {
    const r = e.rows[p]!;
    if (dropId && r < e.idRows) continue;
    const w = e.weights[p]!;
    const o = r * k;
    for (let f = 0; f < k; f++) out[f]! += w * vec[o + f]!;
    if (bias) b += w * bias[r]!;
  }
  return b;
}

function dot(a: Float32Array, b: Float32Array, k: number): number {
  let s = 0;
  for (let f = 0; f < k; f++) s += a[f]! * b[f]!;
  return s;
}

/** AdaGrad step on every row of `entity` (its feature rows alone when `dropId`): the vector gradient is w·g (+ λθ), the bias gradient w·gb (+ λb); λ = `lambdaId` on id rows, `lambdaFeature` on feature rows. */
function step(e: EntityRows, entity: number, T: ParamTable, k: number, g: Float32Array, gb: number, lr: number, lambdaId: number, lambdaFeature: number, dropId = false): void {
  const vec = T.vectors;
  const acc = T.vectorAcc;
  const bias = T.bias;
  const bacc = T.biasAcc;
  for (let p = e.indptr[entity]!; p < e.indptr[entity + 1]!; p++) {
    const r = e.rows[p]!;
    const isId = r < e.idRows;
    if (dropId && isId) continue;
    const lambda = isId ? lambdaId : lambdaFeature;
    const w = e.weights[p]!;
    const o = r * k;
    for (let f = 0; f < k; f++) {
      const x = vec[o + f]!;
      const d = w * g[f]! + lambda * x;
      const a = acc[o + f]!;
      vec[o + f] = x - (lr / Math.sqrt(a)) * d;
      acc[o + f] = a + d * d;
    }
    if (bias && bacc && gb !== 0) {
      const x = bias[r]!;
      const d = w * gb + lambda * x;
      const a = bacc[r]!;
      bias[r] = x - (lr / Math.sqrt(a)) * d;
      bacc[r] = a + d * d;
    }
  }
}

function isPositive(s: HybridState, u: number, j: number): boolean {
  let lo = s.posIndptr[u]!;
  let hi = s.posIndptr[u + 1]!;
  const a = s.posSorted;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === j) return true;
    if (v < j) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** Scratch vectors of one epoch (5 × k). */
export class Scratch {
  readonly u: Float32Array;
  readonly p: Float32Array;
  readonly n: Float32Array;
  readonly gu: Float32Array;
  readonly gi: Float32Array;
  constructor(k: number) {
    this.u = new Float32Array(k);
    this.p = new Float32Array(k);
    this.n = new Float32Array(k);
    this.gu = new Float32Array(k);
    this.gi = new Float32Array(k);
  }
}

const MAX_WARP_LOSS = 10;

/** WARP's rank weight after `draws` draws from a pool of nPool items: min(10, ln max(1, ⌊(nPool − 1)/draws⌋)). */
export function warpWeight(nPool: number, draws: number): number {
  return Math.min(MAX_WARP_LOSS, Math.log(Math.max(1, Math.floor((nPool - 1) / draws))));
}

/**
 * One epoch over the positives in the order `order` (a permutation of 0..nPositives-1), drawing negatives
 * from `rng`. Returns the mean loss per positive: WARP's L·(1 − x̂_ui + x̂_uj) for violated pairs (0 for a
 * positive with no violator found), or BPR's −ln σ(x̂_ui − x̂_uj).
 */
export function hybridEpoch(s: HybridState, order: Int32Array, rng: Rng, sc: Scratch = new Scratch(s.k)): number {
  if (s.loss === "squared") return hybridSquaredEpoch(s, order, rng, sc);
  const k = s.k;
  const lr = s.learningRate;
  const lambda = s.regularization;
  const lambdaF = s.featureRegularization;
  const pool = s.negativePool;
  const nPool = pool.length;
  if (nPool < 2 || order.length === 0) return 0;
  let total = 0;
  for (let t = 0; t < order.length; t++) {
    const q = order[t]!;
    const u = s.posUser[q]!;
    const i = s.posItem[q]!;
    // Only draws when dropout is on, so settings without it keep their random stream.
    const drop = s.idDropout > 0 && rng.next() < s.idDropout;
    representation(s.users, u, s.U, k, sc.u);
    const bi = representation(s.items, i, s.V, k, sc.p, drop);
    const xi = dot(sc.u, sc.p, k) + bi;
    let j = -1;
    let weight = 0;
    let xj = 0;
    if (s.loss === "warp") {
      for (let draws = 1; draws <= s.maxSampled; draws++) {
        const c = pool[rng.int(nPool)]!;
        if (c === i) continue;
        const bj = representation(s.items, c, s.V, k, sc.n, drop);
        const x = dot(sc.u, sc.n, k) + bj;
        if (x > xi - 1) {
          if (isPositive(s, u, c)) continue;
          j = c;
          xj = x;
          weight = warpWeight(nPool, draws);
          break;
        }
      }
      if (j < 0 || weight === 0) continue;
      total += weight * (1 - xi + xj);
    } else {
      let c = -1;
      for (let tries = 0; tries < 10; tries++) {
        c = pool[rng.int(nPool)]!;
        if (c !== i && !isPositive(s, u, c)) break;
        c = -1;
      }
      if (c < 0) continue;
      j = c;
      const bj = representation(s.items, c, s.V, k, sc.n, drop);
      xj = dot(sc.u, sc.n, k) + bj;
      const z = xi - xj;
      // d(−ln σ(z))/dz = −σ(−z)
      weight = 1 / (1 + Math.exp(z));
      total += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
    }
    // Gradients of weight·(x̂_uj − x̂_ui): user g = weight(n − p); positive item −weight·u; negative item +weight·u.
    for (let f = 0; f < k; f++) {
      sc.gu[f] = weight * (sc.n[f]! - sc.p[f]!);
      sc.gi[f] = -weight * sc.u[f]!;
    }
    step(s.items, i, s.V, k, sc.gi, -weight, lr, lambda, lambdaF, drop);
    for (let f = 0; f < k; f++) sc.gi[f] = weight * sc.u[f]!;
    step(s.items, j, s.V, k, sc.gi, weight, lr, lambda, lambdaF, drop);
    step(s.users, u, s.U, k, sc.gu, 0, lr, lambda, lambdaF);
  }
  return total / order.length;
}

/**
 * One epoch of loss "squared" over the ratings in the order `order`: for each (u, i, r), e = r̂_ui − r from
 * the current parameters, then an AdaGrad step on ½e² (+ λ/2 θ² of each touched row) for the item's rows
 * (vector gradient w·e·p_u, bias w·e) and then the user's rows (w·e·q_i from the item's vector before its
 * step, bias w·e). `rng` draws only with `idDropout` (which, per rating, scores and steps the item on its
 * features alone). Returns the mean of e² over the epoch (each e taken just before its own step).
 */
export function hybridSquaredEpoch(s: HybridState, order: Int32Array, rng: Rng, sc: Scratch = new Scratch(s.k)): number {
  const k = s.k;
  const lr = s.learningRate;
  const lambda = s.regularization;
  const lambdaF = s.featureRegularization;
  const values = s.values!;
  const mu = s.globalMean;
  if (order.length === 0) return 0;
  let total = 0;
  for (let t = 0; t < order.length; t++) {
    const q = order[t]!;
    const u = s.posUser[q]!;
    const i = s.posItem[q]!;
    const drop = s.idDropout > 0 && rng.next() < s.idDropout;
    const bu = representation(s.users, u, s.U, k, sc.u);
    const bi = representation(s.items, i, s.V, k, sc.p, drop);
    const e = mu + bu + bi + dot(sc.u, sc.p, k) - values[q]!;
    total += e * e;
    for (let f = 0; f < k; f++) {
      sc.gi[f] = e * sc.u[f]!;
      sc.gu[f] = e * sc.p[f]!;
    }
    step(s.items, i, s.V, k, sc.gi, e, lr, lambda, lambdaF, drop);
    step(s.users, u, s.U, k, sc.gu, e, lr, lambda, lambdaF);
  }
  return total / order.length;
}
