/**
 * Node pool: `threads − 1` worker_threads (the caller is thread 0) on the arena's shared memory.
 * Creation and `run` are synchronous (Node's main thread may Atomics.wait), so synchronous trainers
 * (fitSync) use it directly. Workers are unref'd: an unclosed pool does not keep the process alive.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { MfrecError } from "../core/errors.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import { kernelModule } from "../kernels/wasm.js";
import { InlinePool } from "./inline-pool.js";
import type { KernelPool } from "./pool.js";
import type { KernelPoolFactory } from "./pool-factory.js";
import { SharedPool } from "./shared-pool.js";

/** Options of {@link createNodePool}. */
export interface NodePoolOptions {
  /** Threads including the caller (1 = inline, no workers). */
  threads: number;
  /** Scratch bytes per thread (see kernelScratchBytes). */
  scratchBytes: number;
  /** Most shards one task may have (default 4096). */
  maxShards?: number;
  /** Give up starting workers after this long (default 30 s). */
  startTimeoutMs?: number;
}

class NodePool extends SharedPool {
  private readonly workers: Worker[] = [];

  constructor(arena: KernelArena, opts: NodePoolOptions) {
    super(arena, opts.threads, opts.scratchBytes, opts.maxShards ?? 4096);
    const module = kernelModule(true);
    const entry = new URL("./worker-node.js", import.meta.url);
    for (let t = 1; t < opts.threads; t++) {
      const w = new Worker(entry, { workerData: this.initFor(t, module) });
      w.unref();
      this.workers.push(w);
    }
    try {
      this.waitReady(opts.startTimeoutMs ?? 30000);
    } catch (e) {
      for (const w of this.workers) void w.terminate();
      throw e;
    }
  }

  async close(): Promise<void> {
    this.signalStop();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}

/** A pool of `threads` on `arena` (shared when threads > 1), synchronously ready. threads = 1 gives the inline pool. */
export function createNodePool(arena: KernelArena, opts: NodePoolOptions): KernelPool {
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new MfrecError("E_CONFIG", "threads must be a positive integer", { value: opts.threads, expected: "an integer ≥ 1" });
  }
  if (opts.threads === 1) return new InlinePool(arena, opts.scratchBytes);
  return new NodePool(arena, opts);
}

/** worker_threads pools; `threads: 0` (auto) uses every core. */
export const nodePoolFactory: KernelPoolFactory = {
  defaultThreads: availableParallelism(),
  create: (arena, opts) => createNodePool(arena, opts),
};
