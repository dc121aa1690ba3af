import { Rng } from "../../core/rng.js";

/**
 * Bayesian personalised ranking (Rendle et al. 2009) by SGD: for a sampled triple (u, i, j)
 * with i a positive of u and j a uniformly drawn non-positive, x = b_i − b_j + p_u·(q_i − q_j)
 * and each parameter θ moves by lr·(σ(−x)·∂x/∂θ − reg·θ). Pure over typed arrays and numbers.
 */

/** Arguments of one BPR epoch over user rows [start, end). */
export interface BprArgs {
  indptr: Int32Array;
  /** Each row's positive items, sorted ascending (binary search rejects sampled positives). */
  indices: Int32Array;
  P: Float32Array;
  Q: Float32Array;
  /** Item biases, or null for a model without them. */
  itemBias: Float32Array | null;
  k: number;
  nItems: number;
  learningRate: number;
  regularization: number;
  /** Regularization of the item biases. */
  biasRegularization: number;
}

/** True when `item` is among the sorted entries indices[lo..hi). */
export function sortedContains(indices: Int32Array, lo: number, hi: number, item: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/** The row r with indptr[r] ≤ p < indptr[r + 1] (binary search over rows [start, end)). */
function rowOf(indptr: Int32Array, p: number, start: number, end: number): number {
  let lo = start;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (indptr[mid]! <= p) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * One SGD step on the triple (u, i, j): x = b_i − b_j + p_u·(q_i − q_j), every parameter θ moves by
 * lr·(σ(−x)·∂x/∂θ − reg·θ) (old values on the right). Returns −ln σ(x), the step's loss.
 */
function bprStep(P: Float32Array, Q: Float32Array, itemBias: Float32Array | null, k: number, u: number, i: number, j: number, lr: number, reg: number, breg: number): number {
  const uo = u * k;
  const io = i * k;
  const jo = j * k;
  let x = itemBias ? itemBias[i]! - itemBias[j]! : 0;
  for (let f = 0; f < k; f++) x += P[uo + f]! * (Q[io + f]! - Q[jo + f]!);
  // σ(−x) and −ln σ(x), written to stay finite for large |x|.
  const z = x >= 0 ? Math.exp(-x) / (1 + Math.exp(-x)) : 1 / (1 + Math.exp(x));
  for (let f = 0; f < k; f++) {
    const pu = P[uo + f]!;
    const qi = Q[io + f]!;
    const qj = Q[jo + f]!;
    P[uo + f] = pu + lr * (z * (qi - qj) - reg * pu);
    Q[io + f] = qi + lr * (z * pu - reg * qi);
    Q[jo + f] = qj + lr * (-z * pu - reg * qj);
  }
  if (itemBias) {
    itemBias[i] = itemBias[i]! + lr * (z - breg * itemBias[i]!);
    itemBias[j] = itemBias[j]! + lr * (-z - breg * itemBias[j]!);
  }
  return x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/**
 * One epoch of `samples` SGD steps (the caller passes the range's positive count for one
 * pass). Positives are drawn uniformly from rows [start, end), negatives uniformly from all
 * items with up to 16 redraws when the draw is a positive (a triple is skipped if all fail).
 * The stream is seeded by `seed` (derive it with deriveSeed(seed, "bpr", epoch)), so the same
 * seed gives byte-identical factors. Returns Σ −ln σ(x) over the steps taken and their count.
 */
export function bprEpoch(a: BprArgs, start: number, end: number, samples: number, seed: number): { loss: number; steps: number } {
  const { indptr, indices, P, Q, itemBias, k, nItems } = a;
  const lr = a.learningRate;
  const reg = a.regularization;
  const breg = a.biasRegularization;
  const first = indptr[start]!;
  const count = indptr[end]! - first;
  if (count === 0 || nItems < 2) return { loss: 0, steps: 0 };
  const rng = new Rng(seed);
  let loss = 0;
  let steps = 0;
  for (let s = 0; s < samples; s++) {
    const p = first + rng.int(count);
    const u = rowOf(indptr, p, start, end);
    const lo = indptr[u]!;
    const hi = indptr[u + 1]!;
    if (hi - lo >= nItems) continue;
    const i = indices[p]!;
    let j = -1;
    for (let t = 0; t < 16; t++) {
      const c = rng.int(nItems);
      if (!sortedContains(indices, lo, hi, c)) {
        j = c;
        break;
      }
    }
    if (j < 0) continue;
    loss += bprStep(P, Q, itemBias, k, u, i, j, lr, reg, breg);
    steps++;
  }
  return { loss, steps };
}

/**
 * Fold one new row into a fixed BPR model by `steps` full passes of gradient ascent on
 * Σ_{i∈h} Σ_{j∈N_i} ln σ(b_i − b_j + x·(q_i − q_j)) − reg‖x‖², starting from x = 0, with
 * `negatives` draws j per positive per step (seeded, positives rejected) and the gradient averaged
 * over the triples. `items` must be sorted ascending. Writes x into out[0..k).
 */
export function bprFoldInRow(
  items: Int32Array,
  Q: Float32Array,
  itemBias: Float32Array | null,
  k: number,
  nItems: number,
  steps: number,
  negatives: number,
  learningRate: number,
  regularization: number,
  seed: number,
  out: Float32Array,
): void {
  const x = new Float64Array(k);
  const grad = new Float64Array(k);
  const n = items.length;
  out.fill(0);
  if (n === 0 || n >= nItems) return;
  const rng = new Rng(seed);
  for (let s = 0; s < steps; s++) {
    grad.fill(0);
    let count = 0;
    for (let t = 0; t < n; t++) {
      const i = items[t]!;
      for (let m = 0; m < negatives; m++) {
        const j = rng.int(nItems);
        if (sortedContains(items, 0, n, j)) continue;
        const io = i * k;
        const jo = j * k;
        let d = itemBias ? itemBias[i]! - itemBias[j]! : 0;
        for (let f = 0; f < k; f++) d += x[f]! * (Q[io + f]! - Q[jo + f]!);
        const z = d >= 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
        for (let f = 0; f < k; f++) grad[f]! += z * (Q[io + f]! - Q[jo + f]!);
        count++;
      }
    }
    if (count === 0) break;
    for (let f = 0; f < k; f++) x[f]! += learningRate * (grad[f]! / count - regularization * x[f]!);
  }
  for (let f = 0; f < k; f++) out[f] = x[f]!;
}

/** Arguments of {@link bprBlockRange}: one block of the parallel schedule (src/train/bpr/blocks.ts). */
export interface BprBlockArgs {
  /** Every user's positives (CSR, rows sorted ascending): read only, to reject sampled positives. */
  indptr: Int32Array;
  indices: Int32Array;
  /** The epoch's positives (users[t], items[t]) grouped by block. */
  users: Int32Array;
  items: Int32Array;
  /** Items ordered by the epoch's item block: block c holds perm[itemLo..itemHi). */
  perm: Int32Array;
  P: Float32Array;
  Q: Float32Array;
  itemBias: Float32Array | null;
  k: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
}

/**
 * BPR steps on one block (the reference of the WASM bprBlockRange, same draws): end − start draws of a
 * positive t uniform in [start, end) (with replacement), u = users[t], i = items[t]; a negative j uniform
 * over perm[itemLo..itemHi) (i's item block), redrawn up to 16 times while it is a positive of u (the step is
 * skipped if all fail); then the update of {@link bprEpoch}. The stream is `new Rng(seed)`. The rows touched
 * are the block's users and items only, so blocks sharing neither run concurrently.
 * Returns Σ −ln σ(x) over the steps taken and their count.
 */
export function bprBlockRange(a: BprBlockArgs, start: number, end: number, itemLo: number, itemHi: number, seed: number): { loss: number; steps: number } {
  const { indptr, indices, users, items, perm, P, Q, itemBias, k } = a;
  const lr = a.learningRate;
  const reg = a.regularization;
  const breg = a.biasRegularization;
  const count = end - start;
  const span = itemHi - itemLo;
  if (count <= 0 || span <= 0) return { loss: 0, steps: 0 };
  const rng = new Rng(seed);
  let loss = 0;
  let steps = 0;
  for (let s = 0; s < count; s++) {
    const t = start + rng.int(count);
    const u = users[t]!;
    const i = items[t]!;
    const lo = indptr[u]!;
    const hi = indptr[u + 1]!;
    let j = -1;
    for (let r = 0; r < 16; r++) {
      const c = perm[itemLo + rng.int(span)]!;
      if (!sortedContains(indices, lo, hi, c)) {
        j = c;
        break;
      }
    }
    if (j < 0) continue;
    loss += bprStep(P, Q, itemBias, k, u, i, j, lr, reg, breg);
    steps++;
  }
  return { loss, steps };
}
