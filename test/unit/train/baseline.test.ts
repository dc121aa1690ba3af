import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { predict } from "../../../src/recommend/predict.js";
import { resolveBaselineConfig } from "../../../src/train/baseline/baseline.js";
import { fitSync, trainingData } from "../../../src/train/fit.js";
import { smallRatings } from "./explicit-fixtures.js";

/** Surprise's BaselineOnly (algo_base.py baseline_als / baseline_sgd), literally, in doubles. */
function surpriseBaseline(ratings: ReturnType<typeof smallRatings>, method: "als" | "sgd", epochs: number, a: number, b: number): { bu: number[]; bi: number[] } {
  const { byUser, byItem } = trainingData(ratings);
  let mu = 0;
  for (let n = 0; n < ratings.length; n++) mu += ratings.values[n]!;
  mu /= ratings.length;
  const bu = new Array<number>(byUser.rows).fill(0);
  const bi = new Array<number>(byItem.rows).fill(0);
  for (let e = 0; e < epochs; e++) {
    if (method === "als") {
      for (let i = 0; i < byItem.rows; i++) {
        let dev = 0;
        for (let p = byItem.indptr[i]!; p < byItem.indptr[i + 1]!; p++) dev += byItem.values[p]! - mu - bu[byItem.indices[p]!]!;
        bi[i] = dev / (b + byItem.indptr[i + 1]! - byItem.indptr[i]!);
      }
      for (let u = 0; u < byUser.rows; u++) {
        let dev = 0;
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) dev += byUser.values[p]! - mu - bi[byUser.indices[p]!]!;
        bu[u] = dev / (a + byUser.indptr[u + 1]! - byUser.indptr[u]!);
      }
    } else {
      for (let u = 0; u < byUser.rows; u++) {
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) {
          const i = byUser.indices[p]!;
          const err = byUser.values[p]! - (mu + bu[u]! + bi[i]!);
          bu[u]! += a * (err - b * bu[u]!);
          bi[i]! += a * (err - b * bi[i]!);
        }
      }
    }
  }
  return { bu, bi };
}

describe("baseline", () => {
  const tiny = ratingsFromArray([
    { user: "a", item: "x", rating: 4 },
    { user: "a", item: "y", rating: 2 },
    { user: "b", item: "x", rating: 5 },
  ]);

  it("one ALS epoch matches Surprise's update computed by hand", () => {
    // μ = 11/3; items first: b_x = ((4 − μ) + (5 − μ)) / (1 + 2) = 5/9, b_y = (2 − μ) / (1 + 1) = −5/6;
    // then users: b_a = ((4 − μ − 5/9) + (2 − μ + 5/6)) / 3 = −19/54, b_b = (5 − μ − 5/9) / 2 = 7/18.
    const m = fitSync(tiny, { algorithm: "baseline", epochs: 1, regUser: 1, regItem: 1 });
    assert.equal(m.factors, 0);
    assert.ok(Math.abs(m.globalMean - 11 / 3) < 1e-6);
    const bi = m.itemBias!;
    const bu = m.userBias!;
    const [x, y, a, b] = [m.itemIndex.indexOf("x"), m.itemIndex.indexOf("y"), m.userIndex.indexOf("a"), m.userIndex.indexOf("b")];
    assert.ok(Math.abs(bi[x]! - 5 / 9) < 1e-6);
    assert.ok(Math.abs(bi[y]! + 5 / 6) < 1e-6);
    assert.ok(Math.abs(bu[a]! + 19 / 54) < 1e-6);
    assert.ok(Math.abs(bu[b]! - 7 / 18) < 1e-6);
    assert.ok(Math.abs(predict(m, "b", "y").raw - (11 / 3 + 7 / 18 - 5 / 6)) < 1e-6);
  });

  it("ALS with Surprise's defaults (10 epochs, reg_u 15, reg_i 10) equals the literal Surprise loop", () => {
    const r = smallRatings(3);
    const m = fitSync(r, { algorithm: "baseline" });
    const ref = surpriseBaseline(r, "als", 10, 15, 10);
    ref.bu.forEach((v, u) => {
      assert.ok(Math.abs(m.userBias![u]! - v) < 1e-5, `b_u ${u}`);
    });
    ref.bi.forEach((v, i) => {
      assert.ok(Math.abs(m.itemBias![i]! - v) < 1e-5, `b_i ${i}`);
    });
  });

  it("SGD with Surprise's defaults (20 epochs, lr 0.005, reg 0.02) equals the literal Surprise loop", () => {
    const r = smallRatings(4);
    const m = fitSync(r, { algorithm: "baseline", method: "sgd" });
    const ref = surpriseBaseline(r, "sgd", 20, 0.005, 0.02);
    ref.bu.forEach((v, u) => {
      assert.ok(Math.abs(m.userBias![u]! - v) < 1e-5, `b_u ${u}`);
    });
    ref.bi.forEach((v, i) => {
      assert.ok(Math.abs(m.itemBias![i]! - v) < 1e-5, `b_i ${i}`);
    });
    const losses = m.training.map((t) => t.loss);
    assert.ok(losses.at(-1)! < losses[0]!);
  });

  it("the resolved config holds only the chosen method's keys; the other method's keys are rejected", () => {
    assert.deepEqual(resolveBaselineConfig({}), { algorithm: "baseline", method: "als", epochs: 10, regUser: 15, regItem: 10 });
    assert.deepEqual(resolveBaselineConfig({ method: "sgd" }), { algorithm: "baseline", method: "sgd", epochs: 20, learningRate: 0.005, regularization: 0.02 });
    assert.throws(() => resolveBaselineConfig({ learningRate: 0.1 }), { code: "E_CONFIG" });
    assert.throws(() => resolveBaselineConfig({ method: "sgd", regUser: 3 }), { code: "E_CONFIG" });
    assert.throws(() => resolveBaselineConfig({ factors: 4 }), { code: "E_CONFIG" });
    assert.throws(() => resolveBaselineConfig({ method: "svd" }), { code: "E_CONFIG" });
  });
});
