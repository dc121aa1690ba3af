/**
 * Conflict-free parallel SGD (FPSGD-style, Chin et al. 2015): users and items are cut into a
 * grid × grid of blocks; blocks on one "diagonal" share no user and no item, so they run in
 * parallel without locks. Inside a block the ratings are sorted by user (ties in input order), so a
 * user's row of P stays in cache across its ratings and P is walked forward (FPSGD's "partial random"
 * order: the randomness is in the per-epoch order of diagonals and blocks). The grid, the block
 * contents and the per-epoch diagonal order depend only on data, grid and seed — never on the thread
 * count — so 1 thread and N threads give bitwise identical factors.
 */
import { rngFor } from "../core/rng.js";
import type { KernelPool } from "./pool.js";

/** Ratings regrouped block by block. Block (a, b) = user block a × item block b. */
export interface SgdBlockPlan {
  readonly grid: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly values: Float32Array;
  /** Block (a, b) holds ratings [blockStart[a·grid+b], blockStart[a·grid+b+1]). */
  readonly blockStart: Int32Array;
  /** Per-shard Σe² written by the kernel (f64, one slot per block of a diagonal). */
  readonly loss: Float64Array;
}

/** Where a plan's arrays live: a KernelArena (WASM kernels) or {@link heapAllocator} (TS kernels). */
export interface ArrayAllocator {
  i32(n: number): Int32Array;
  f32(n: number): Float32Array;
  f64(n: number): Float64Array;
}

/** Ordinary typed arrays. */
export const heapAllocator: ArrayAllocator = {
  i32: (n) => new Int32Array(n),
  f32: (n) => new Float32Array(n),
  f64: (n) => new Float64Array(n),
};

/** Contiguous index ranges with about equal rating counts: part[x] ∈ [0, parts). */
export function balancedParts(index: Int32Array, length: number, size: number, parts: number): Int32Array {
  const count = new Int32Array(size);
  for (let t = 0; t < length; t++) count[index[t]!]!++;
  const part = new Int32Array(size);
  let acc = 0;
  for (let x = 0; x < size; x++) {
    part[x] = Math.min(parts - 1, Math.floor((acc * parts) / Math.max(1, length)));
    acc += count[x]!;
  }
  return part;
}

/**
 * Group ratings (users[t], items[t], values[t]), t < length, into grid × grid blocks allocated from
 * `alloc`, each block sorted by user (ties keep input order). Straight from the rating columns: no
 * CSR is needed. Temporary memory: one int per (user, item block).
 */
export function planSgdBlocks(
  alloc: ArrayAllocator,
  users: Int32Array,
  items: Int32Array,
  values: Float32Array,
  length: number,
  nUsers: number,
  nItems: number,
  grid: number,
): SgdBlockPlan {
  const g = grid;
  const ub = balancedParts(users, length, nUsers, g);
  const ib = balancedParts(items, length, nItems, g);
  // cell[u·g + b] = ratings of user u in item block b, then turned into that cell's next write position.
  const cell = new Int32Array(nUsers * g);
  for (let t = 0; t < length; t++) cell[users[t]! * g + ib[items[t]!]!]!++;
  const blocks = g * g;
  const blockStart = new Int32Array(blocks + 1);
  for (let u = 0; u < nUsers; u++) {
    const row = ub[u]! * g + 1;
    for (let b = 0; b < g; b++) blockStart[row + b]! += cell[u * g + b]!;
  }
  for (let b = 0; b < blocks; b++) blockStart[b + 1]! += blockStart[b]!;
  const next = blockStart.slice(0, blocks);
  for (let u = 0; u < nUsers; u++) {
    const row = ub[u]! * g;
    for (let b = 0; b < g; b++) {
      const c = cell[u * g + b]!;
      cell[u * g + b] = next[row + b]!;
      next[row + b]! += c;
    }
  }
  const gu = alloc.i32(length);
  const gi = alloc.i32(length);
  const gv = alloc.f32(length);
  for (let t = 0; t < length; t++) {
    const u = users[t]!;
    const i = items[t]!;
    const p = cell[u * g + ib[i]!]!++;
    gu[p] = u;
    gi[p] = i;
    gv[p] = values[t]!;
  }
  return { grid: g, users: gu, items: gi, values: gv, blockStart, loss: alloc.f64(g) };
}

/**
 * The epoch's schedule: `grid` steps, each a shard table of `grid` mutually conflict-free blocks.
 * Step s runs diagonal d = order[s]: blocks (a, col[(a + d) mod grid]) for every user block a,
 * with `order` and `col` permutations drawn from rngFor(seed, "sgd-diagonals", epoch).
 */
export function sgdEpochSchedule(plan: SgdBlockPlan, seed: number, epoch: number): Int32Array[] {
  const g = plan.grid;
  const rng = rngFor(seed, "sgd-diagonals", epoch);
  const order = Int32Array.from({ length: g }, (_, i) => i);
  const col = Int32Array.from({ length: g }, (_, i) => i);
  rng.shuffle(order);
  rng.shuffle(col);
  const steps: Int32Array[] = [];
  for (let s = 0; s < g; s++) {
    const d = order[s]!;
    const shards = new Int32Array(2 * g);
    for (let a = 0; a < g; a++) {
      const blk = a * g + col[(a + d) % g]!;
      shards[2 * a] = plan.blockStart[blk]!;
      shards[2 * a + 1] = plan.blockStart[blk + 1]!;
    }
    steps.push(shards);
  }
  return steps;
}

/** Factor state and hyper-parameters of an SGD epoch (arrays are arena views). */
export interface SgdParams {
  P: Float32Array;
  Q: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  factors: number;
  globalMean: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
  useBias: boolean;
}

/** One SGD epoch over every block with the WASM kernel on `pool`; returns Σe² (summed per step in block order). */
export function runSgdEpoch(pool: KernelPool, plan: SgdBlockPlan, p: SgdParams, seed: number, epoch: number): number {
  const args = [
    plan.users.byteOffset, plan.items.byteOffset, plan.values.byteOffset,
    p.P.byteOffset, p.Q.byteOffset, p.userBias.byteOffset, p.itemBias.byteOffset,
    p.factors, p.globalMean, p.learningRate, p.regularization, p.biasRegularization, p.useBias ? 1 : 0, plan.loss.byteOffset,
  ];
  let sse = 0;
  for (const shards of sgdEpochSchedule(plan, seed, epoch)) {
    pool.run({ kernel: "sgdRange", args, shards });
    for (let a = 0; a < plan.grid; a++) sse += plan.loss[a]!;
  }
  return sse;
}
