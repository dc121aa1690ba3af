/**
 * Top-N quality of the default path (issue 14): `fitSync(ratings, { algorithm: "als" })` with no other
 * option, its lists made by the public recommend(), scored with the local NDCG reference
 * (test/helpers/ndcg.ts: relevant = test rating >= 4, candidates = every training item the user has not
 * rated). One fit per split, shared by every assertion. Reference rows on the same files (numpy, the
 * issue): EASE 0.448 / 0.309, ials preset 0.428 / 0.296, most popular 0.245 / 0.165; docs/accuracy.md
 * "Top-N lists" has mfrec's own figures and the commands.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Ratings } from "../../src/data/ratings.js";
import { evaluateRanking } from "../../src/evaluate/evaluate-ranking.js";
import { readTrainTest } from "../../src/evaluate/folds-node.js";
import type { FactorModel } from "../../src/model/factor-model.js";
import { loadModel, saveModel } from "../../src/model/format.js";
import { explain } from "../../src/recommend/explain.js";
import { recommend } from "../../src/recommend/recommend.js";
import { fitSync } from "../../src/train/fit.js";
import { dataFile } from "../helpers/data.js";
import { testRmse } from "../helpers/ml100k.js";
import { ndcgAt } from "../helpers/ndcg.js";

/** Mean NDCG@10 over test users with a relevant item, of the lists `list(user)` (reference implementation). */
function meanNdcg(test: Ratings, list: (user: string) => string[]): number {
  const relevant = new Map<string, Set<string>>();
  for (let t = 0; t < test.length; t++) {
    if (test.values[t]! < 4) continue;
    const u = test.userIndex.idAt(test.users[t]!);
    let s = relevant.get(u);
    if (!s) relevant.set(u, (s = new Set()));
    s.add(test.itemIndex.idAt(test.items[t]!));
  }
  let sum = 0;
  let n = 0;
  for (const [u, rel] of relevant) {
    sum += ndcgAt(list(u), rel, 10);
    n++;
  }
  return sum / n;
}

/** The most-popular list (training rating counts) for a user, their training items excluded. */
function mostPopular(train: Ratings): (user: string) => string[] {
  const count = new Float64Array(train.itemIndex.size);
  const rated = new Map<string, Set<number>>();
  for (let t = 0; t < train.length; t++) {
    count[train.items[t]!]!++;
    const u = train.userIndex.idAt(train.users[t]!);
    let s = rated.get(u);
    if (!s) rated.set(u, (s = new Set()));
    s.add(train.items[t]!);
  }
  const order = Array.from(count.keys()).sort((a, b) => count[b]! - count[a]! || a - b);
  return (user) => {
    const mine = rated.get(user) ?? new Set<number>();
    const out: string[] = [];
    for (const i of order) {
      if (out.length === 10) break;
      if (!mine.has(i)) out.push(train.itemIndex.idAt(i));
    }
    return out;
  };
}

const listsOf = (model: FactorModel) => (user: string) => (model.userIndex.has(user) ? recommend(model, user, { n: 10 }).map((r) => r.item) : []);

const SPLITS = [
  { name: "ml-100k u1", train: dataFile("ml-100k", "u1.base"), test: dataFile("ml-100k", "u1.test"), bar: 0.43, floor: 0.4, measured: 0.47, rmse: 0.925 },
  { name: "ml-latest-small split", train: dataFile("splits", "ml-latest-small-train.csv"), test: dataFile("splits", "ml-latest-small-test.csv"), bar: 0.29, floor: 0.27, measured: 0.32, rmse: 0.87 },
];

for (const s of SPLITS) {
  const skip = s.train.skip || s.test.skip;
  describe(`default path top-N on ${s.name}`, { skip }, async () => {
    const split = skip ? undefined : await readTrainTest(s.train.path, s.test.path);
    const model = skip ? undefined : fitSync(split!.train, { algorithm: "als" });
    const ndcg = skip ? 0 : meanNdcg(split!.test, listsOf(model!));
    const popular = skip ? 0 : meanNdcg(split!.test, mostPopular(split!.train));

    it(`NDCG@10 of recommend() >= ${s.bar} (measured ${s.measured}), above most popular and ${s.floor}`, () => {
      assert.ok(model!.ranking, "an explicit fit carries a ranking part");
      assert.ok(ndcg >= s.bar, `NDCG@10 ${ndcg.toFixed(4)} below the bar ${s.bar}`);
      assert.ok(ndcg >= s.floor && ndcg > popular, `NDCG@10 ${ndcg.toFixed(4)} vs most popular ${popular.toFixed(4)}`);
    });

    it("evaluateRanking agrees with the reference NDCG of recommend's lists", () => {
      const e = evaluateRanking(model!, split!.test, { metrics: ["ndcg@10"], relevanceThreshold: 4 });
      assert.ok(Math.abs(e.metrics["ndcg@10"]! - ndcg) < 0.02, `${e.metrics["ndcg@10"]} vs ${ndcg}`);
    });

    it(`predict keeps the rating part: test RMSE <= ${s.rmse}`, () => {
      const rmse = testRmse(model!, split!.test);
      assert.ok(rmse <= s.rmse, `RMSE ${rmse.toFixed(4)}`);
    });

    it("the popular fallback for an unknown user is the most-popular list (NDCG at its level)", () => {
      const top = recommend(model!, "no such user", { n: 10 }).map((r) => r.item);
      assert.deepEqual(top, mostPopular(split!.train)("no such user"));
    });

    it("save -> load keeps both parts: the same lists and predictions; explain sums to the score shown", () => {
      const back = loadModel(saveModel(model!));
      assert.ok(back.ranking);
      for (const u of ["1", "13", "100"]) {
        if (!model!.userIndex.has(u)) continue;
        const a = recommend(model!, u, { n: 5 });
        assert.deepEqual(recommend(back, u, { n: 5 }), a);
        const e = explain(model!, u, a[0]!.item, { n: 100000 });
        assert.ok(Math.abs(e.score - a[0]!.score) < 1e-3 * Math.max(1, Math.abs(a[0]!.score)), `explain ${e.score} vs shown ${a[0]!.score}`);
      }
    });
  });
}
