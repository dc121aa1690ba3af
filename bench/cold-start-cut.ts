/**
 * How hybrid's defaults were chosen without a test file (docs/cold-start.md): a cold cut of a cold-start
 * split's TRAINING file (20% of its items, or users, chosen by a seeded shuffle, all their ratings held
 * out), hybrid trained on the rest with the given settings and scored by the cold-start protocol on the
 * held-out part. The test file is never read.
 *   node dist/bench/cold-start-cut.js ml100k '{"loss":"bpr"}'      (ml100k | ml-latest-small | ml100k-users)
 * Options as JSON: any hybrid config key. --data DIR (default $MFREC_DATA_DIR or ../shared/data).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rngFor } from "../src/core/rng.js";
import { readFeaturesFile } from "../src/data/features-node.js";
import { readRatingsFileSync } from "../src/data/read-file-node.js";
import { ratingsFromColumns } from "../src/data/ratings.js";
import { evaluateColdStart } from "../src/evaluate/cold-start.js";
import { fitSync } from "../src/train/fit.js";

const args = process.argv.slice(2);
const di = args.indexOf("--data");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const data = di >= 0 ? args.splice(di, 2)[1]! : (process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data"));
if (!existsSync(data)) throw new Error(`no shared data at ${data}`);
const [name = "ml100k", json = "{}"] = args;
const sets: Record<string, { train: string; items: string; users?: string; cold: "items" | "users" }> = {
  ml100k: { train: "splits/ml100k-cold-items-train.csv", items: "features/ml100k-items.csv", cold: "items" },
  "ml-latest-small": { train: "splits/ml-latest-small-cold-items-train.csv", items: "features/ml-latest-small-items.csv", cold: "items" },
  "ml100k-users": { train: "splits/ml100k-cold-users-train.csv", items: "features/ml100k-items.csv", users: "features/ml100k-users.csv", cold: "users" },
};
const set = sets[name];
if (!set) throw new Error(`unknown set ${name}: one of ${Object.keys(sets).join(", ")}`);
const all = readRatingsFileSync(join(data, set.train));
const index = set.cold === "items" ? all.itemIndex : all.userIndex;
const order = Array.from({ length: index.size }, (_, i) => i);
rngFor(7, "cut").shuffle(order);
const held = new Set(order.slice(0, Math.round(0.2 * order.length)));
const parts = [0, 1].map(() => ({ users: [] as string[], items: [] as string[], values: [] as number[] }));
for (let t = 0; t < all.length; t++) {
  const o = parts[held.has(set.cold === "items" ? all.items[t]! : all.users[t]!) ? 1 : 0]!;
  o.users.push(String(all.userIndex.idAt(all.users[t]!)));
  o.items.push(String(all.itemIndex.idAt(all.items[t]!)));
  o.values.push(all.values[t]!);
}
const [train, validation] = parts.map((p) => ratingsFromColumns(p)) as [ReturnType<typeof ratingsFromColumns>, ReturnType<typeof ratingsFromColumns>];
const config = { algorithm: "hybrid", ...JSON.parse(json) };
const t0 = performance.now();
const model = fitSync(train, config, {
  itemFeatures: readFeaturesFile(join(data, set.items)).table,
  userFeatures: set.users ? readFeaturesFile(join(data, set.users)).table : undefined,
});
const r = evaluateColdStart(model, train, validation, { cold: set.cold, metrics: "ndcg@10,auc", relevanceThreshold: 4 });
console.log(JSON.stringify({ set: name, config, ...r.metrics, users: r.users, candidates: r.candidates, seconds: (performance.now() - t0) / 1000 }));
