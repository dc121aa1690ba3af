/**
 * Issue 18's bars on the public cold-start splits (docs/cold-start.md), hybrid with its defaults:
 * ml100k cold items AUC ≥ 0.74 and NDCG@10 ≥ 0.18 (measured 0.748 / 0.234), ml-latest-small cold items
 * AUC ≥ 0.86 and NDCG@10 ≥ 0.20 (0.879 / 0.287), ml100k cold users NDCG@10 at or above most popular
 * (0.357 vs 0.353). A model that ignored the features could not rank cold items at all (AUC 0.5).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFeaturesFile } from "../../src/data/features-node.js";
import { readRatingsFileSync } from "../../src/data/read-file-node.js";
import { baselineScorer } from "../../src/evaluate/cold-start-baselines.js";
import { evaluateColdStart, evaluateColdStartScores } from "../../src/evaluate/cold-start.js";
import { fitSync } from "../../src/train/fit.js";
import { dataFile } from "../helpers/data.js";

function run(split: string, itemFile: string, cold: "items" | "users", userFile?: string) {
  const train = readRatingsFileSync(dataFile("splits", `${split}-train.csv`).path);
  const testSet = readRatingsFileSync(dataFile("splits", `${split}-test.csv`).path);
  const model = fitSync(train, { algorithm: "hybrid" }, { itemFeatures: readFeaturesFile(dataFile("features", itemFile).path).table, userFeatures: userFile ? readFeaturesFile(dataFile("features", userFile).path).table : undefined });
  const opts = { cold, metrics: "ndcg@10,auc", relevanceThreshold: 4 } as const;
  return { train, testSet, r: evaluateColdStart(model, train, testSet, opts), opts };
}

const skipOf = (...files: string[][]) => files.map((f) => dataFile(...f).skip).find((s) => s !== false) ?? false;

test("ml100k cold items: AUC ≥ 0.74 and NDCG@10 ≥ 0.18 (measured 0.748 / 0.234)", { skip: skipOf(["splits", "ml100k-cold-items-train.csv"], ["features", "ml100k-items.csv"]) }, () => {
  const { r } = run("ml100k-cold-items", "ml100k-items.csv", "items");
  assert.ok(r.metrics.auc! >= 0.74 && r.metrics["ndcg@10"]! >= 0.18, JSON.stringify(r.metrics));
  assert.ok(r.users > 900, String(r.users));
});

test("ml-latest-small cold items: AUC ≥ 0.86 and NDCG@10 ≥ 0.20 (measured 0.879 / 0.287)", { skip: skipOf(["splits", "ml-latest-small-cold-items-train.csv"], ["features", "ml-latest-small-items.csv"]) }, () => {
  const { r } = run("ml-latest-small-cold-items", "ml-latest-small-items.csv", "items");
  assert.ok(r.metrics.auc! >= 0.86 && r.metrics["ndcg@10"]! >= 0.2, JSON.stringify(r.metrics));
});

test("ml100k cold users: NDCG@10 at or above most popular (measured 0.357 vs 0.353)", { skip: skipOf(["splits", "ml100k-cold-users-train.csv"], ["features", "ml100k-users.csv"]) }, () => {
  const { train, testSet, r, opts } = run("ml100k-cold-users", "ml100k-items.csv", "users", "ml100k-users.csv");
  const pop = evaluateColdStartScores(train, testSet, baselineScorer("popular", train), opts);
  assert.ok(r.metrics["ndcg@10"]! >= pop.metrics["ndcg@10"]!, `${r.metrics["ndcg@10"]} vs popular ${pop.metrics["ndcg@10"]}`);
  assert.ok(pop.metrics["ndcg@10"]! > 0.3, "most popular is the strong baseline here");
});
