/**
 * CPU seconds per epoch of `hybrid`, TS kernel against WASM kernel (docs/cold-start.md, "Speed"): the fit at
 * N epochs minus the fit at 0 epochs (set-up alike), CPU time of this process (user + system), and a digest
 * of each model to show both kernels give the same bytes.
 *   node dist/bench/hybrid-speed.js [ml-latest-small|u1] [warp|squared] [epochs 10] [repeats 2] [--data DIR]
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFeaturesFile } from "../src/data/features-node.js";
import { readRatingsFileSync } from "../src/data/read-file-node.js";
import type { FactorModel } from "../src/model/factor-model.js";
import { fitSync } from "../src/train/fit.js";

const args = process.argv.slice(2);
const di = args.indexOf("--data");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const data = di >= 0 ? args.splice(di, 2)[1]! : (process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data"));
if (!existsSync(data)) throw new Error(`no shared data at ${data}`);
const [set = "ml-latest-small", loss = "warp", epochsArg = "10", repeatsArg = "2"] = args;
const epochs = Number(epochsArg);
const u1 = set === "u1";
const train = readRatingsFileSync(join(data, u1 ? "ml-100k/u1.base" : "splits/ml-latest-small-train.csv"));
const itemFeatures = readFeaturesFile(join(data, "features", u1 ? "ml100k-items.csv" : "ml-latest-small-items.csv")).table;

function digest(m: FactorModel): string {
  const h = createHash("sha256");
  for (const a of [m.userFactors.data, m.itemFactors.data, m.itemBias, m.userBias]) if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest("hex").slice(0, 16);
}

function cpu<T>(f: () => T): [number, T] {
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1e6, r];
}

console.log(`hybrid ${loss} on ${set} with item features, k 32, ${epochs} epochs; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (let r = 0; r < Number(repeatsArg); r++) {
  for (const kernels of ["ts", "wasm"] as const) {
    const [setup] = cpu(() => fitSync(train, { algorithm: "hybrid", loss, epochs: 0 }, { itemFeatures, kernels }));
    const [all, m] = cpu(() => fitSync(train, { algorithm: "hybrid", loss, epochs }, { itemFeatures, kernels }));
    console.log(`${kernels.padEnd(4)} CPU s/epoch ${((all - setup) / epochs).toFixed(4)}  (fit ${all.toFixed(2)} s, set-up ${setup.toFixed(2)} s)  model ${digest(m)}`);
  }
}
