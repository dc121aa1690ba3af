/**
 * Conflict-free parallel SGD (FPSGD-style, Chin et al. 2015): users and items are cut into a
 * grid × grid of blocks; blocks on one "diagonal" share no user and no item, so they run in
 * parallel without locks. The grid, the rating order inside each block (shuffled once from the seed)
 * and the per-epoch diagonal order (from the seed and epoch) depend only on data, grid and seed —
 * never on the thread count — so 1 thread and N threads give bitwise identical factors.
 */
import { rngFor } from "../core/rng.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import type { KernelPool } from "./pool.js";

/** Ratings regrouped block by block inside the arena. Block (a, b) = user block a × item block b. */
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
 * Group ratings (users[t], items[t], values[t]), t < length, into grid × grid blocks in the arena;
 * shuffle each block with rngFor(seed, "sgd-block-order", block).
 */
export function planSgdBlocks(
  arena: KernelArena,
  users: Int32Array,
  items: Int32Array,
  values: Float32Array,
  length: number,
  nUsers: number,
  nItems: number,
  grid: number,
  seed: number,
): SgdBlockPlan {
  const ub = balancedParts(users, length, nUsers, grid);
  const ib = balancedParts(items, length, nItems, grid);
  const blocks = grid * grid;
  const blockStart = new Int32Array(blocks + 1);
  for (let t = 0; t < length; t++) blockStart[ub[users[t]!]! * grid + ib[items[t]!]! + 1]!++;
  for (let b = 0; b < blocks; b++) blockStart[b + 1]! += blockStart[b]!;
  const next = blockStart.slice(0, blocks);
  const gu = arena.i32(length);
  const gi = arena.i32(length);
  const gv = arena.f32(length);
  for (let t = 0; t < length; t++) {
    const u = users[t]!;
    const i = items[t]!;
    const p = next[ub[u]! * grid + ib[i]!]!++;
    gu[p] = u;
    gi[p] = i;
    gv[p] = values[t]!;
  }
  for (let b = 0; b < blocks; b++) {
    const lo = blockStart[b]!;
    const n = blockStart[b + 1]! - lo;
    const rng = rngFor(seed, "sgd-block-order", b);
    for (let x = n - 1; x > 0; x--) {
      const y = rng.int(x + 1);
      const p = lo + x;
      const q = lo + y;
      const tu = gu[p]!;
      gu[p] = gu[q]!;
      gu[q] = tu;
      const ti = gi[p]!;
      gi[p] = gi[q]!;
      gi[q] = ti;
      const tv = gv[p]!;
      gv[p] = gv[q]!;
      gv[q] = tv;
    }
  }
  return { grid, users: gu, items: gi, values: gv, blockStart, loss: arena.f64(grid) };
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
