import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { readPredefinedFolds, readTrainTest } from "../../../src/evaluate/folds-node.js";
import { evaluateRatings, fallbackBase, mae, rmse } from "../../../src/evaluate/rating-metrics.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { fitSync } from "../../../src/train/fit.js";
import { dataFile } from "../../helpers/data.js";
import "./toy-algorithm.js";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe("rmse / mae", () => {
  it("hand-computed", () => {
    // errors 1, -2, 0, 1 → squared 1, 4, 0, 1
    close(rmse([4, 1, 3, 5], [3, 3, 3, 4]), Math.sqrt(6 / 4));
    close(mae([4, 1, 3, 5], [3, 3, 3, 4]), 4 / 4);
  });
  it("empty or mismatched input is an error, never NaN", () => {
    assert.throws(() => rmse([], []), (e) => isMfrecError(e, "E_EMPTY_INPUT"));
    assert.throws(() => mae([1], [1, 2]), (e) => isMfrecError(e, "E_SHAPE"));
  });
});

describe("evaluateRatings on the seed's example", () => {
  // The seed's factors (k = 2), clipped to [1, 5].
  const model = FactorModel.fromMatrices({
    userMatrix: [
      [1.1, 2.3],
      [0.6, 2.0],
      [2.5, 0.5],
    ],
    itemMatrix: [
      [0.9, 0.2, 1.4, 2.0, 1.2],
      [1.7, 1.2, 1.2, -0.1, 2.1],
    ],
    items: ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"],
    ratingScale: [1, 5],
  });
  it("counts unknown users and items and scores them with the fallback", () => {
    const test = ratingsFromArray([
      { user: "User 1", item: "Black Panther", rating: 4 }, // 1.1·1.4 + 2.3·1.2 = 4.30
      { user: "User 1", item: "Star Wars", rating: 5 }, // 6.15 clipped to 5
      { user: "User 9", item: "Star Wars", rating: 2 }, // unknown user: fallback = scale midpoint 3
      { user: "User 3", item: "Alien", rating: 4 }, // unknown item: 3
    ]);
    const r = evaluateRatings(model, test);
    assert.equal(fallbackBase(model), 3);
    const errs = [4.3 - 4, 0, 3 - 2, 3 - 4];
    close(r.rmse, Math.sqrt(errs.reduce((s, e) => s + e * e, 0) / 4), 1e-6);
    close(r.mae, errs.reduce((s, e) => s + Math.abs(e), 0) / 4, 1e-6);
    assert.equal(r.n, 4);
    assert.equal(r.unknownUsers, 1);
    assert.equal(r.unknownItems, 1);
    assert.equal(r.fallbacks, 2);
    close(r.rmseKnown!, Math.sqrt((0.3 * 0.3) / 2), 1e-6);
    const fixed = evaluateRatings(model, test, { fallback: 2 });
    close(fixed.mae, (0.3 + 0 + 0 + 2) / 4, 1e-6);
  });
});

describe("evaluateRatings on MovieLens 100k u1 (real data)", () => {
  const base = dataFile("ml-100k", "u1.base");
  const testFile = dataFile("ml-100k", "u1.test");
  it("equals a brute-force loop over raw ids", { skip: base.skip || testFile.skip }, async () => {
    const { train, test, report } = await readTrainTest(base.path, testFile.path);
    assert.equal(train.length, 80000);
    assert.equal(test.length, 20000);
    const model = fitSync(train, { algorithm: "toy-sgd", factors: 8, epochs: 8, seed: 3 });
    const r = evaluateRatings(model, test);
    // Brute force: raw ids → the model's indexes, explicit sum, fallback μ + b for unknowns.
    let se = 0;
    let ae = 0;
    let unknownItems = 0;
    for (let n = 0; n < test.length; n++) {
      const u = model.userIndex.indexOf(test.userIndex.idAt(test.users[n]!));
      const i = model.itemIndex.indexOf(test.itemIndex.idAt(test.items[n]!));
      let p = model.globalMean;
      if (u >= 0) p += model.userBias![u]!;
      if (i >= 0) p += model.itemBias![i]!;
      else unknownItems++;
      if (u >= 0 && i >= 0) for (let f = 0; f < model.factors; f++) p += model.userFactors.data[u * model.factors + f]! * model.itemFactors.data[i * model.factors + f]!;
      p = Math.min(5, Math.max(1, p));
      const e = p - test.values[n]!;
      se += e * e;
      ae += Math.abs(e);
    }
    close(r.rmse, Math.sqrt(se / test.length), 1e-9);
    close(r.mae, ae / test.length, 1e-9);
    assert.equal(r.n, 20000);
    assert.equal(r.unknownItems, unknownItems);
    assert.equal(r.unknownItems, report.unseenTestRatings); // u1: every test user is in u1.base, some items are not
    assert.ok(r.unknownItems > 0);
    // A learning model beats the global mean (RMSE ≈ 1.15 on u1) by a clear margin.
    assert.ok(r.rmse > 0.85 && r.rmse < 1.05, `rmse ${r.rmse}`);
  });
  it("reads the five predefined folds, tests disjoint and covering u.data", { skip: base.skip }, async () => {
    const folds = await readPredefinedFolds(base.path.replace(/u1\.base$/, ""));
    assert.equal(folds.length, 5);
    const seen = new Set<string>();
    for (const f of folds) {
      assert.equal(f.train.length, 80000);
      assert.equal(f.test.length, 20000);
      for (let n = 0; n < f.test.length; n++) seen.add(`${f.test.userIndex.idAt(f.test.users[n]!)}:${f.test.itemIndex.idAt(f.test.items[n]!)}`);
    }
    assert.equal(seen.size, 100000);
  });
});
