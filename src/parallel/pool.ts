/**
 * Kernel pools: run one WASM kernel over a list of fixed shards, inline or on workers that share the
 * arena's memory. Shards are chosen by the caller independently of the thread count and each shard
 * writes only its own rows (and its own per-shard output slot), so the result is bitwise the same
 * for any number of threads.
 */
import type { KernelCallArgs } from "../kernels/kernel-calls.js";
import type { KernelName } from "../kernels/wasm.js";
import type { KernelArena } from "../kernels/wasm-arena.js";

export { kernelScratchBytes } from "../kernels/arena-plan.js";

/** One kernel call over shards: kernel(...args, start, end, shardIndex, scratchOfThisThread) per shard. */
export interface KernelTask {
  kernel: KernelName;
  /** The kernel's leading arguments, made by its builder (kernels/kernel-calls.ts kernelCall). */
  args: KernelCallArgs;
  /** Flattened [start0, end0, start1, end1, ...]: shard s covers [shards[2s], shards[2s+1]). */
  shards: Int32Array;
}

/** The interface every pool implements (inline, Node worker_threads, browser Workers). */
export interface KernelPool {
  /** Threads that run shards (including the calling thread). */
  readonly threads: number;
  readonly arena: KernelArena;
  /** Scratch bytes each thread gets (kernels' `scratch` argument). */
  readonly scratchBytes: number;
  /** Run the task to completion, blocking the caller (Node, inline, or inside a browser worker). */
  run(task: KernelTask): void;
  /** Run the task without blocking the event loop (browser main thread). */
  runAsync(task: KernelTask): Promise<void>;
  /** Stop the workers. The arena stays valid. */
  close(): Promise<void>;
}

/** Fixed shards of rows [0, rows): contiguous ranges of `rowsPerShard` rows (last one shorter). */
export function rowShards(rows: number, rowsPerShard: number): Int32Array {
  const n = Math.max(1, Math.ceil(rows / rowsPerShard));
  const out = new Int32Array(2 * n);
  for (let s = 0; s < n; s++) {
    out[2 * s] = Math.min(rows, s * rowsPerShard);
    out[2 * s + 1] = Math.min(rows, (s + 1) * rowsPerShard);
  }
  return out;
}

/**
 * Fixed shards of rows balanced by work: row r costs (indptr[r+1] − indptr[r]) + rowCost; shards are
 * contiguous and each holds about total/shards of the work. Depends only on the data, never on threads.
 */
export function balancedRowShards(indptr: Int32Array, rows: number, shards: number, rowCost = 8): Int32Array {
  const total = indptr[rows]! - indptr[0]! + rowCost * rows;
  const n = Math.max(1, Math.min(shards, rows));
  const out = new Int32Array(2 * n);
  let r = 0;
  for (let s = 0; s < n; s++) {
    out[2 * s] = r;
    const goal = ((s + 1) * total) / n;
    if (s === n - 1) r = rows;
    else while (r < rows && indptr[r + 1]! - indptr[0]! + rowCost * (r + 1) <= goal) r++;
    out[2 * s + 1] = r;
  }
  return out;
}
