/**
 * How trainers get a kernel pool: a factory passed in FitOptions, else one set with setDefaultPoolFactory,
 * else the environment's, chosen by package.json `imports` "#environment-pool" under the runtime's export
 * conditions ("node": worker_threads with every core, parallel/environment-pool-node.ts; a browser or
 * anything else: one thread inline, parallel/environment-pool-browser.ts). No import has a side effect on
 * it, and a browser bundle never sees the Node module. Browser-safe.
 */
import type { KernelArena } from "../kernels/wasm-arena.js";
// Resolved through package.json "imports" (its types are the browser variant's: both export a KernelPoolFactory).
import { environmentPoolFactory } from "#environment-pool";
import { InlinePool } from "./inline-pool.js";
import type { KernelPool } from "./pool.js";

/** Creates a pool of `threads` on `arena` synchronously (fitSync needs it at once). */
export interface KernelPoolFactory {
  /** Threads used when the config says `threads: 0` (auto), e.g. the core count. */
  readonly defaultThreads: number;
  /** A pool on `arena` (which is shared whenever threads > 1). */
  create(arena: KernelArena, opts: { threads: number; scratchBytes: number }): KernelPool;
}

/** The one-thread factory: no workers, no SharedArrayBuffer. */
export const inlinePoolFactory: KernelPoolFactory = {
  defaultThreads: 1,
  create: (arena, opts) => new InlinePool(arena, opts.scratchBytes),
};

let registered: KernelPoolFactory | undefined;

/** Set the factory trainers use when FitOptions gives none (undefined restores the environment's). */
export function setDefaultPoolFactory(factory: KernelPoolFactory | undefined): void {
  registered = factory;
}

/** The factory set with setDefaultPoolFactory, or the environment's (worker_threads under Node, inline elsewhere). */
export function defaultPoolFactory(): KernelPoolFactory {
  return registered ?? environmentPoolFactory;
}

/** Threads a fit uses: the config's `threads`, or the factory's default when it is 0 (auto). */
export function resolveThreads(configThreads: number, factory: KernelPoolFactory): number {
  return configThreads > 0 ? configThreads : Math.max(1, factory.defaultThreads);
}
