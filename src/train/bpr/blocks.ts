/**
 * Conflict-free parallel BPR: the FPSGD block schedule of sgd-blocks.ts with a BPR twist. A step of BPR touches
 * p_u, q_i and q_j, so a block (user block a, item block c) draws its positives (u, i) from the block and its
 * negatives j from item block c only: blocks on one diagonal then share no user and no item and run without
 * locks. Drawing j from i's block alone would bias the negatives if the blocks were fixed (pairs i, j in
 * different blocks would never be compared), so the item blocks are a fresh seeded random partition of the
 * catalogue each epoch (equal item counts): a pair (i, j) lands in one block with probability ≈ 1/grid and is
 * then drawn with probability 1/|block| ≈ grid/nItems, i.e. ≈ 1/nItems in expectation, the uniform negative of
 * sequential BPR. The partition, the block contents, the diagonal order and every block's generator depend only
 * on (data, seed, epoch), never on the thread count: 1 thread and N threads give bitwise identical factors.
 */
import { deriveSeed, rngFor } from "../../core/rng.js";
import { bprBlockRange, type BprBlockArgs } from "./kernel.js";
import type { KernelPool } from "../../parallel/pool.js";
import { type ArrayAllocator, f64, i32, type Shape } from "../../kernels/arena-plan.js";
import { kernelCall } from "../../kernels/kernel-calls.js";

/** Most blocks per side: enough for 16 threads; a bigger grid only adds barriers. */
export const BPR_MAX_GRID = 16;

/** Fewest items per item block: smaller blocks make the per-epoch negatives too narrow a sample. */
export const BPR_MIN_BLOCK_ITEMS = 100;

/** Blocks per side: min(16, ⌊nItems / 100⌋), at least 1 (a function of the data alone, never of the thread count). */
export function bprGrid(nItems: number): number {
  return Math.max(1, Math.min(BPR_MAX_GRID, Math.floor(nItems / BPR_MIN_BLOCK_ITEMS)));
}

/** The block layout of one fit (arrays the kernel reads come from the fit's allocator). */
export interface BprBlockPlan {
  readonly grid: number;
  readonly nUsers: number;
  readonly nItems: number;
  /** User block of each user: contiguous ranges of about equal positive counts (fixed for the fit). */
  readonly userBlock: Int32Array;
  /** Item block c of the epoch holds perm[itemStart[c] .. itemStart[c + 1]); itemStart[c] = ⌊c·nItems/grid⌋. */
  readonly itemStart: Int32Array;
  /** The epoch's item order (a seeded shuffle) and each item's block in it. */
  readonly perm: Int32Array;
  readonly itemBlock: Int32Array;
  /** The epoch's positives grouped by block a·grid + c: entries [blockStart[b], blockStart[b + 1]). */
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly blockStart: Int32Array;
  /** Per shard [itemLo, itemHi, seed] written before each step (3·grid ints). */
  readonly meta: Int32Array;
  /** Per shard [Σ −ln σ(x), steps] written by the kernel (2·grid f64). */
  readonly out: Float64Array;
}

/** Factor state and hyper-parameters of a BPR epoch (arena views when the WASM kernel runs). */
export interface BprParams {
  indptr: Int32Array;
  indices: Int32Array;
  P: Float32Array;
  Q: Float32Array;
  itemBias: Float32Array | null;
  k: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
}

/** The shapes planBprBlocks takes from its allocator (reserve them in the fit's memory plan). */
export function bprPlanShapes(nItems: number, nnz: number, grid: number): Shape[] {
  return [i32(nItems), i32(nnz), i32(nnz), i32(3 * grid), f64(2 * grid)];
}

/** Lay out the plan for a user × item CSR `indptr` (nnz = indptr[nUsers]) on `grid` blocks per side. */
export function planBprBlocks(alloc: ArrayAllocator, indptr: Int32Array, nUsers: number, nItems: number, grid: number): BprBlockPlan {
  const g = grid;
  const nnz = indptr[nUsers]!;
  const userBlock = new Int32Array(nUsers);
  for (let u = 0; u < nUsers; u++) userBlock[u] = Math.min(g - 1, Math.floor((indptr[u]! * g) / Math.max(1, nnz)));
  const itemStart = new Int32Array(g + 1);
  for (let c = 0; c <= g; c++) itemStart[c] = Math.floor((c * nItems) / g);
  return {
    grid: g,
    nUsers,
    nItems,
    userBlock,
    itemStart,
    perm: alloc.i32(nItems),
    itemBlock: new Int32Array(nItems),
    users: alloc.i32(nnz),
    items: alloc.i32(nnz),
    blockStart: new Int32Array(g * g + 1),
    meta: alloc.i32(3 * g),
    out: alloc.f64(2 * g),
  };
}

/** The stream of block b in epoch e: deriveSeed(deriveSeed(seed, "bpr", e), "bpr-block", b). */
export function bprBlockSeed(seed: number, epoch: number, block: number): number {
  return deriveSeed(deriveSeed(seed, "bpr", epoch), "bpr-block", block);
}

/**
 * Prepare epoch e: items shuffled by rngFor(seed, "bpr-items", e) and cut into `grid` equal blocks, positives
 * regrouped by (user block, item block) (two counting passes, O(nnz)); returns the epoch's `grid` steps, step s
 * running blocks a·grid + col[(a + order[s]) mod grid] for every user block a (order, col from
 * rngFor(seed, "bpr-diagonals", e)).
 */
export function prepareBprEpoch(plan: BprBlockPlan, indptr: Int32Array, indices: Int32Array, seed: number, epoch: number): Int32Array[] {
  const g = plan.grid;
  const { perm, itemBlock, itemStart, userBlock, blockStart, users, items } = plan;
  for (let t = 0; t < plan.nItems; t++) perm[t] = t;
  rngFor(seed, "bpr-items", epoch).shuffle(perm);
  for (let c = 0; c < g; c++) for (let t = itemStart[c]!; t < itemStart[c + 1]!; t++) itemBlock[perm[t]!] = c;
  blockStart.fill(0);
  for (let u = 0; u < plan.nUsers; u++) {
    const row = userBlock[u]! * g + 1;
    for (let p = indptr[u]!; p < indptr[u + 1]!; p++) blockStart[row + itemBlock[indices[p]!]!]!++;
  }
  for (let b = 0; b < g * g; b++) blockStart[b + 1]! += blockStart[b]!;
  const next = blockStart.slice(0, g * g);
  for (let u = 0; u < plan.nUsers; u++) {
    const row = userBlock[u]! * g;
    for (let p = indptr[u]!; p < indptr[u + 1]!; p++) {
      const i = indices[p]!;
      const q = next[row + itemBlock[i]!]!++;
      users[q] = u;
      items[q] = i;
    }
  }
  const rng = rngFor(seed, "bpr-diagonals", epoch);
  const order = Int32Array.from({ length: g }, (_, x) => x);
  const col = Int32Array.from({ length: g }, (_, x) => x);
  rng.shuffle(order);
  rng.shuffle(col);
  const steps: Int32Array[] = [];
  for (let s = 0; s < g; s++) {
    const blocks = new Int32Array(g);
    for (let a = 0; a < g; a++) blocks[a] = a * g + col[(a + order[s]!) % g]!;
    steps.push(blocks);
  }
  return steps;
}

/**
 * One BPR epoch on the block schedule: the WASM kernel on `pool`, or the TS reference (same blocks, same order,
 * same draws) when `pool` is undefined. Returns Σ −ln σ(x) and the step count, summed in shard order.
 */
export function runBprEpoch(pool: KernelPool | undefined, plan: BprBlockPlan, p: BprParams, seed: number, epoch: number): { loss: number; steps: number } {
  const g = plan.grid;
  const steps = prepareBprEpoch(plan, p.indptr, p.indices, seed, epoch);
  let loss = 0;
  let count = 0;
  const shards = new Int32Array(2 * g);
  const bias = p.itemBias;
  const call = kernelCall.bprBlockRange({
    indptr: p.indptr, indices: p.indices, users: plan.users, items: plan.items, perm: plan.perm, P: p.P, Q: p.Q, bias,
    k: p.k, lr: p.learningRate, reg: p.regularization, regBias: p.biasRegularization, useBias: bias !== null, meta: plan.meta, lossOut: plan.out,
  });
  const ref: BprBlockArgs = { ...p, users: plan.users, items: plan.items, perm: plan.perm };
  for (const blocks of steps) {
    for (let a = 0; a < g; a++) {
      const b = blocks[a]!;
      const c = b % g;
      shards[2 * a] = plan.blockStart[b]!;
      shards[2 * a + 1] = plan.blockStart[b + 1]!;
      plan.meta[3 * a] = plan.itemStart[c]!;
      plan.meta[3 * a + 1] = plan.itemStart[c + 1]!;
      plan.meta[3 * a + 2] = bprBlockSeed(seed, epoch, b) | 0;
    }
    if (pool) {
      // Workers read meta after the pool posts the task (an Atomics store): written here, seen there.
      pool.run({ ...call, shards });
      for (let a = 0; a < g; a++) {
        loss += plan.out[2 * a]!;
        count += plan.out[2 * a + 1]!;
      }
    } else {
      for (let a = 0; a < g; a++) {
        const r = bprBlockRange(ref, shards[2 * a]!, shards[2 * a + 1]!, plan.meta[3 * a]!, plan.meta[3 * a + 1]!, plan.meta[3 * a + 2]! >>> 0);
        loss += r.loss;
        count += r.steps;
      }
    }
  }
  return { loss, steps: count };
}
