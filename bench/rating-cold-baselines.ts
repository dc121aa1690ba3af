/**
 * Rating baselines on a cold-item split (docs/cold-start.md, "Ratings"): RMSE and MAE over every test
 * rating of the global training mean, of the item-feature mean rating (`feature-mean` of
 * evaluate/cold-start-baselines.ts: the mean over the item's features of the mean training rating of the
 * items with that feature), and of that feature mean shifted by the user's training offset from μ (the
 * user's mean − μ, clipped to the training range).
 *   node dist/bench/rating-cold-baselines.js [ml100k|ml-latest-small] [--data DIR]
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFeaturesFile } from "../src/data/features-node.js";
import { readRatingsFileSync } from "../src/data/read-file-node.js";
import { baselineScorer } from "../src/evaluate/cold-start-baselines.js";

const args = process.argv.slice(2);
const di = args.indexOf("--data");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const data = di >= 0 ? args.splice(di, 2)[1]! : (process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data"));
if (!existsSync(data)) throw new Error(`no shared data at ${data}`);
const name = args[0] ?? "ml100k";
const features = name === "ml100k" ? "ml100k-items.csv" : "ml-latest-small-items.csv";
const train = readRatingsFileSync(join(data, "splits", `${name}-cold-items-train.csv`));
const test = readRatingsFileSync(join(data, "splits", `${name}-cold-items-test.csv`));
const itemFeatures = readFeaturesFile(join(data, "features", features)).table;

let total = 0;
let lo = Number.POSITIVE_INFINITY;
let hi = Number.NEGATIVE_INFINITY;
const userSum = new Map<string, [number, number]>();
for (let t = 0; t < train.length; t++) {
  const v = train.values[t]!;
  total += v;
  lo = Math.min(lo, v);
  hi = Math.max(hi, v);
  const u = String(train.userIndex.idAt(train.users[t]!));
  const s = userSum.get(u) ?? [0, 0];
  s[0] += v;
  s[1]++;
  userSum.set(u, s);
}
const mu = total / train.length;
const featureMean = baselineScorer("feature-mean", train, itemFeatures);
const one = new Float64Array(1);
const acc = { "global mean": [0, 0], "item-feature mean": [0, 0], "item-feature mean + user offset": [0, 0] } as Record<string, [number, number]>;
const add = (key: string, p: number, r: number) => {
  acc[key]![0] += (p - r) ** 2;
  acc[key]![1] += Math.abs(p - r);
};
for (let t = 0; t < test.length; t++) {
  const r = test.values[t]!;
  const user = String(test.userIndex.idAt(test.users[t]!));
  featureMean(user, [String(test.itemIndex.idAt(test.items[t]!))], one);
  const s = userSum.get(user);
  add("global mean", mu, r);
  add("item-feature mean", one[0]!, r);
  add("item-feature mean + user offset", Math.min(hi, Math.max(lo, one[0]! + (s ? s[0] / s[1] - mu : 0))), r);
}
const out: Record<string, { rmse: number; mae: number }> = {};
for (const [k, [se, ae]] of Object.entries(acc)) out[k] = { rmse: Math.sqrt(se / test.length), mae: ae / test.length };
console.log(JSON.stringify({ split: `${name}-cold-items`, trainRatings: train.length, testRatings: test.length, mu, baselines: out }, null, 2));
