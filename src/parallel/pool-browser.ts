/**
 * Browser pool: `threads − 1` module Workers on the arena's shared memory (needs a cross-origin
 * isolated page for SharedArrayBuffer). Same interface as the Node pool; created asynchronously
 * because a page's main thread may not block. From the main thread use `runAsync`; `run` blocks and
 * so works only inside a Worker (e.g. training in a dedicated worker).
 */
import { MfrecError } from "../core/errors.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import { kernelModuleAsync } from "../kernels/wasm.js";
import { InlinePool } from "./inline-pool.js";
import type { KernelPool } from "./pool.js";
import { SharedPool } from "./shared-pool.js";

/** Options of {@link createBrowserPool}. */
export interface BrowserPoolOptions {
  threads: number;
  scratchBytes: number;
  maxShards?: number;
  /** URL of the compiled worker-browser.js (default: beside this module). */
  workerUrl?: URL | string;
  startTimeoutMs?: number;
}

class BrowserPool extends SharedPool {
  private readonly workers: Worker[] = [];

  constructor(arena: KernelArena, opts: BrowserPoolOptions) {
    super(arena, opts.threads, opts.scratchBytes, opts.maxShards ?? 4096);
  }

  async start(opts: BrowserPoolOptions): Promise<void> {
    const module = await kernelModuleAsync(true);
    const url = opts.workerUrl ?? new URL("./worker-browser.js", import.meta.url);
    for (let t = 1; t < this.threads; t++) {
      const w = new Worker(url, { type: "module" });
      w.postMessage(this.initFor(t, module));
      this.workers.push(w);
    }
    const t0 = Date.now();
    while (this.readyCount() < this.threads - 1) {
      if (Date.now() - t0 > (opts.startTimeoutMs ?? 30000)) {
        await this.close();
        throw new MfrecError("E_UNSUPPORTED", "pool workers did not start");
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    this.signalStop();
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}

/** A pool of `threads` Web Workers on `arena` (shared when threads > 1). threads = 1 gives the inline pool. */
export async function createBrowserPool(arena: KernelArena, opts: BrowserPoolOptions): Promise<KernelPool> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new MfrecError("E_CONFIG", "threads must be a positive integer", { value: opts.threads, expected: "an integer ≥ 1" });
  }
  if (opts.threads === 1) return new InlinePool(arena, opts.scratchBytes);
  const pool = new BrowserPool(arena, opts);
  await pool.start(opts);
  return pool;
}
