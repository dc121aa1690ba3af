/** One query thread of bench/ann.ts: loads the model and its index file, waits for the start signal, answers its users with ANN, reports seconds. */
import { parentPort, workerData } from "node:worker_threads";
import { recommend } from "../src/index.js";
import { readAnnIndexFileSync, readModelFileSync } from "../src/node.js";

const { model: modelPath, index: indexPath, users, n, efSearch, nprobe, signal } = workerData as { model: string; index: string; users: string[]; n: number; efSearch?: number; nprobe?: number; signal: SharedArrayBuffer };
const model = readModelFileSync(modelPath);
const index = readAnnIndexFileSync(indexPath, model);
recommend(model, users[0]!, { n, ann: index, efSearch, nprobe }); // warm-up
const flag = new Int32Array(signal);
Atomics.add(flag, 1, 1);
Atomics.notify(flag, 1);
Atomics.wait(flag, 0, 0);
const t = performance.now();
for (const u of users) recommend(model, u, { n, ann: index, efSearch, nprobe });
parentPort!.postMessage({ seconds: (performance.now() - t) / 1000, queries: users.length });
