/**
 * Warm accuracy of `hybrid` with and without features, measured without a test file (docs/cold-start.md,
 * "Warm accuracy"): a per-user validation cut of a normal split's TRAINING file (20% of each user's
 * ratings, seeded, as `tune` carves it), hybrid trained on the rest with the given settings, with the
 * features or without, and scored by the warm ranking protocol of `mfrec eval` (NDCG@10, precision@10,
 * AUC; relevant = rating >= 4; candidates: every model item the user has not rated).
 *   node dist/bench/hybrid-warm-cut.js ml-latest-small '{"featureRegularization":1e-4}' [--no-features]
 * Sets: u1 (ml-100k u1.base, item + user features) | ml-latest-small (splits/ml-latest-small-train.csv,
 * item features). Options as JSON: any hybrid config key. --data DIR (default $MFREC_DATA_DIR or ../shared/data).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFeaturesFile } from "../src/data/features-node.js";
import { readRatingsFileSync } from "../src/data/read-file-node.js";
import { evaluateModel } from "../src/evaluate/evaluate-model.js";
import { userSplit } from "../src/evaluate/splits.js";
import { fitSync, trainingData } from "../src/train/fit.js";

const args = process.argv.slice(2);
const di = args.indexOf("--data");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const data = di >= 0 ? args.splice(di, 2)[1]! : (process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data"));
if (!existsSync(data)) throw new Error(`no shared data at ${data}`);
const ni = args.indexOf("--no-features");
const withFeatures = ni < 0;
if (ni >= 0) args.splice(ni, 1);
const [name = "ml-latest-small", json = "{}"] = args;
const sets: Record<string, { train: string; items: string; users?: string }> = {
  u1: { train: "ml-100k/u1.base", items: "features/ml100k-items.csv", users: "features/ml100k-users.csv" },
  "ml-latest-small": { train: "splits/ml-latest-small-train.csv", items: "features/ml-latest-small-items.csv" },
};
const set = sets[name];
if (!set) throw new Error(`unknown set ${name}: one of ${Object.keys(sets).join(", ")}`);
const all = readRatingsFileSync(join(data, set.train));
const split = userSplit(all, { testFraction: 0.2, seed: 11, minHistory: 2 });
const config = { algorithm: "hybrid", ...JSON.parse(json) };
const t0 = performance.now();
const td = trainingData(split.train);
const model = fitSync(split.train, config, {
  data: td,
  itemFeatures: withFeatures ? readFeaturesFile(join(data, set.items)).table : undefined,
  userFeatures: withFeatures && set.users ? readFeaturesFile(join(data, set.users)).table : undefined,
});
const seconds = (performance.now() - t0) / 1000;
const r = evaluateModel(model, split.test, { metrics: ["ndcg@10", "precision@10", "auc"], relevanceThreshold: 4 });
console.log(JSON.stringify({ set: name, features: withFeatures, config, ...r.metrics, seconds }));
