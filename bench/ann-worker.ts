/** One query thread of bench/ann.ts: loads the model and its index file, warms up (up to 300 queries), waits for the start signal, answers `queries` queries cycling over its users with ANN, reports seconds. */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { loadAnnIndex, recommend } from "../src/index.js";
import { readModelFileSync } from "../src/node.js";

const { model: modelPath, index: indexPath, users, n, efSearch, nprobe, signal, queries, kernels } = workerData as { model: string; index: string; users: string[]; n: number; efSearch?: number; nprobe?: number; signal: SharedArrayBuffer; queries: number; kernels: "auto" | "wasm" | "ts" };
const model = readModelFileSync(modelPath);
const index = loadAnnIndex(readFileSync(indexPath), model, indexPath, kernels);
for (let q = 0; q < Math.min(300, users.length); q++) recommend(model, users[q]!, { n, ann: index, efSearch, nprobe }); // warm-up (JIT)
const flag = new Int32Array(signal);
Atomics.add(flag, 1, 1);
Atomics.notify(flag, 1);
Atomics.wait(flag, 0, 0);
const t = performance.now();
for (let q = 0; q < queries; q++) recommend(model, users[q % users.length]!, { n, ann: index, efSearch, nprobe });
parentPort!.postMessage({ seconds: (performance.now() - t) / 1000, queries });
