/** worker_threads entry of the Node kernel pool: instantiate the kernels on the shared memory, then serve tasks. */
import { workerData } from "node:worker_threads";
import { instantiateKernels } from "../kernels/wasm.js";
import { type WorkerInit, workerLoop } from "./shared-pool.js";

const init = workerData as WorkerInit;
workerLoop(init, instantiateKernels(init.memory, true, init.module));
