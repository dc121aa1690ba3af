/**
 * The default kernel pool under Node (package.json `imports` "#environment-pool", condition "node"):
 * worker_threads with every core. Chosen by the runtime's export conditions, not by an import side effect.
 */
export { nodePoolFactory as environmentPoolFactory } from "./pool-node.js";
