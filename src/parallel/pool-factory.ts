/**
 * How trainers get a kernel pool without importing an environment's worker code: a factory is passed
 * in FitOptions, or registered once as the default (mfrec/node registers the worker_threads pool).
 * Without one, trainers run the kernels inline on one thread. Browser-safe.
 */
import type { KernelArena } from "../kernels/wasm-arena.js";
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

/** Register the factory trainers use when FitOptions gives none (undefined restores inline). */
export function setDefaultPoolFactory(factory: KernelPoolFactory | undefined): void {
  registered = factory;
}

/** The registered factory, or the inline one. */
export function defaultPoolFactory(): KernelPoolFactory {
  return registered ?? inlinePoolFactory;
}

/** Threads a fit uses: the config's `threads`, or the factory's default when it is 0 (auto). */
export function resolveThreads(configThreads: number, factory: KernelPoolFactory): number {
  return configThreads > 0 ? configThreads : Math.max(1, factory.defaultThreads);
}
