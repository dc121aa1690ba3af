/** Web Worker entry of the browser kernel pool: wait for the start-up message, then serve tasks (blocking this worker). */
import { instantiateKernels } from "../kernels/wasm.js";
import { type WorkerInit, workerLoop } from "./shared-pool.js";

addEventListener("message", (ev: MessageEvent<WorkerInit>) => {
  const init = ev.data;
  workerLoop(init, instantiateKernels(init.memory, true, init.module));
}, { once: true });
