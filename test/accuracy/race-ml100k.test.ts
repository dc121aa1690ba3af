/**
 * Accuracy race on MovieLens 100k fold u1 (u1.base → u1.test): lo ≤ RMSE ≤ hi, bands a broken model
 * fails. u1 is the hardest of the five folds (Surprise SVD: 0.956 on u1, 0.938 mean of u1..u5).
 * Peers on u1: GLocal-K 0.889 (published best), LIBMF tuned 0.920, Surprise SVD++ 0.934.
 * The bench (npm run bench:accuracy) runs all five folds; docs/accuracy.md has the table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTrainTest } from "../../src/evaluate/folds-node.js";
import { evaluateRatings } from "../../src/evaluate/rating-metrics.js";
import type { Split } from "../../src/evaluate/subset.js";
import type { ModelConfig } from "../../src/model/factor-model.js";
import { fitSync } from "../../src/train/fit.js";
import { dataFile, repoRoot } from "../helpers/data.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const base = dataFile("ml-100k", "u1.base");
const test = dataFile("ml-100k", "u1.test");
const skip = base.skip || test.skip;
const preset = (name: string): ModelConfig => JSON.parse(readFileSync(join(repoRoot, "presets", `${name}.json`), "utf8")) as ModelConfig;

const CASES: Array<{ name: string; config: () => ModelConfig; lo: number; hi: number; measured: number }> = [
  { name: "bpmf (preset bpmf-ml100k, the best model)", config: () => preset("bpmf-ml100k"), lo: 0.88, hi: 0.912, measured: 0.9051 },
  { name: "baseline (Surprise BaselineOnly ALS)", config: () => preset("baseline-surprise"), lo: 0.95, hi: 0.97, measured: 0.9599 },
  { name: "svdpp (Surprise SVDpp preset)", config: () => preset("svdpp-surprise"), lo: 0.92, hi: 0.945, measured: 0.9324 },
  { name: "nmf (Surprise NMF preset)", config: () => preset("nmf-surprise"), lo: 0.965, hi: 1.0, measured: 0.9845 },
];

describe("accuracy race on MovieLens 100k u1", { skip }, () => {
  let split: Split | undefined;
  const load = async (): Promise<Split> => {
    split ??= await readTrainTest(base.path, test.path);
    return split;
  };
  for (const c of CASES) {
    it(`${c.name}: ${c.lo} <= RMSE <= ${c.hi} (measured ${c.measured})`, async () => {
      const s = await load();
      const model = fitSync(s.train, c.config());
      const { rmse } = evaluateRatings(model, s.test);
      assert.ok(rmse >= c.lo && rmse <= c.hi, `${c.name}: test RMSE ${rmse.toFixed(4)} outside [${c.lo}, ${c.hi}]`);
    });
  }
});
