/**
 * The default kernel pool in a browser and any runtime without the "node" condition (package.json
 * `imports` "#environment-pool"): one thread inline. A page that is cross-origin isolated can pass
 * createBrowserPool's factory to a fit for workers.
 */
import type { KernelPoolFactory } from "./pool-factory.js";
import { InlinePool } from "./inline-pool.js";

export const environmentPoolFactory: KernelPoolFactory = {
  defaultThreads: 1,
  create: (arena, opts) => new InlinePool(arena, opts.scratchBytes),
};
