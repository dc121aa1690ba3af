/**
 * hybrid with loss "squared" (rating prediction): one kernel step checked by hand, the toy set where the
 * features decide the ratings (cold items and users predicted from features, finite and in range), the
 * config rules, fold-in, addUsers with feature biases and the model file version 4.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { Rng } from "../../../src/core/rng.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { evaluateRatings } from "../../../src/evaluate/rating-metrics.js";
import { addItems, addUsers, featureVector } from "../../../src/model/cold-start.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { loadModel, readModelHeader, saveModel } from "../../../src/model/format.js";
import { predict } from "../../../src/recommend/predict.js";
import { fitSync } from "../../../src/train/fit.js";
import { foldInUser } from "../../../src/train/fold-in.js";
import { resolveHybridConfig } from "../../../src/train/hybrid/config.js";
import { hybridEpoch } from "../../../src/train/hybrid/kernel.js";
import { tinySquaredState } from "../../helpers/hybrid-tiny.js";

function mfrecError(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(isMfrecError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message + String(e.expected ?? ""), re);
    return true;
  };
}

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe("hybrid squared kernel", () => {
  test("one rating, k = 1: the prediction, the error and the AdaGrad steps of every row, by hand", () => {
    // tinySquaredState: one user (id row 0, bias 0.1) and one item with an id row (w 1) and a feature row (w 0.5).
    const s = tinySquaredState();
    const { U, V } = s;
    // q = 0.2 + 0.5·0.4 = 0.4, b_i = 0.5·0.2 = 0.1, p = 0.5, b_u = 0.1: r̂ = 3 + 0.1 + 0.1 + 0.2 = 3.4, e = −0.6.
    const mse = hybridEpoch(s, Int32Array.of(0), new Rng(1));
    close(mse, 0.36);
    // Item id row: d = 1·e·p = −0.3 → 0.2 + 0.1·0.3 = 0.23; accumulator 1 + 0.09.
    close(V.vectors[0]!, 0.23);
    close(V.vectorAcc[0]!, 1.09);
    // Item feature row: d = 0.5·(−0.3) + 0.5·0.4 = 0.05 → 0.4 − 0.1·0.05 = 0.395.
    close(V.vectors[1]!, 0.395);
    // Item biases: id d = −0.6 → 0.06; feature d = 0.5·(−0.6) + 0.5·0.2 = −0.2 → 0.2 + 0.02 = 0.22.
    close(V.bias![0]!, 0.06);
    close(V.bias![1]!, 0.22);
    // User (from the item's vector before its step): d = e·q = −0.24 → 0.5 + 0.024; bias d = −0.6 → 0.1 + 0.06.
    close(U.vectors[0]!, 0.524);
    close(U.bias![0]!, 0.16);
    close(U.biasAcc![0]!, 1.36);
  });
});

/** Users a* give A items 4–5 and B items 1–2 (features taste:A / taste:B), users b* the reverse; newA, newB are cold items, freshA, freshB cold users. */
function toy() {
  const rows: { user: string; item: string; rating: number }[] = [];
  for (const g of ["a", "b"]) {
    for (let u = 0; u < 12; u++) {
      for (let i = 0; i < 12; i++) {
        if ((i + u) % 3 === 0) continue;
        const own = (g === "a") === (i % 2 === 0);
        rows.push({ user: `${g}${u}`, item: `${i % 2 === 0 ? "A" : "B"}${i}`, rating: own ? 4 + ((i + u) % 2) : 1 + ((i * u) % 2) });
      }
    }
  }
  const itemFeatures: Record<string, string[]> = {};
  for (let i = 0; i < 12; i++) itemFeatures[`${i % 2 === 0 ? "A" : "B"}${i}`] = [`taste:${i % 2 === 0 ? "A" : "B"}`, `shade:${i % 3}`];
  itemFeatures.newA = ["taste:A", "shade:1"];
  itemFeatures.newB = ["taste:B", "shade:1"];
  const userFeatures: Record<string, string[]> = {};
  for (let u = 0; u < 12; u++) {
    userFeatures[`a${u}`] = ["group:a"];
    userFeatures[`b${u}`] = ["group:b"];
  }
  userFeatures.freshA = ["group:a"];
  userFeatures.freshB = ["group:b"];
  return { ratings: ratingsFromArray(rows), itemFeatures, userFeatures };
}

const CFG = { algorithm: "hybrid", loss: "squared", factors: 4, epochs: 40, learningRate: 0.1, regularization: 0.05, seed: 5 } as const;
let cached: FactorModel | undefined;
function model(): FactorModel {
  const t = toy();
  cached ??= fitSync(t.ratings, CFG, { itemFeatures: t.itemFeatures, userFeatures: t.userFeatures });
  return cached;
}

describe("hybrid squared on a toy set", () => {
  test("an explicit model: μ the training mean, user and item biases, clipped to the training range; training RMSE well under the spread", () => {
    const t = toy();
    const m = model();
    assert.equal(m.implicit, false);
    assert.deepEqual(m.ratingScale, [1, 5]);
    let sum = 0;
    for (let p = 0; p < t.ratings.length; p++) sum += t.ratings.values[p]!;
    close(m.globalMean, sum / t.ratings.length, 1e-5);
    assert.equal(m.userBias?.length, m.numUsers);
    assert.equal(m.itemBias?.length, m.numItems);
    assert.ok(m.features?.users?.bias, "user feature biases");
    const r = evaluateRatings(m, t.ratings);
    // The ratings spread about 1.7 around μ; the taste structure explains almost all of it.
    assert.ok(r.rmse < 0.6, String(r.rmse));
    assert.ok((m.training.at(-1)?.trainRmse ?? 9) < 0.7);
  });

  test("cold items and users are predicted from their features: finite, in range, by taste", () => {
    const m = model();
    for (let u = 0; u < 12; u++) {
      const a = predict(m, `a${u}`, "newA");
      const b = predict(m, `a${u}`, "newB");
      assert.ok(a.known && Number.isFinite(a.score) && a.score >= 1 && a.score <= 5, JSON.stringify(a));
      assert.ok(a.score - b.score > 1.5, `a${u}: newA ${a.score} vs newB ${b.score}`);
      assert.ok(predict(m, `b${u}`, "newB").score - predict(m, `b${u}`, "newA").score > 1.5, `b${u}`);
    }
    assert.ok(predict(m, "freshA", "A2").score - predict(m, "freshA", "B3").score > 1.5);
    // Cold user and cold item: features on both sides only (measured 3.41 vs 2.31).
    assert.ok(predict(m, "freshB", "newB").score > predict(m, "freshB", "newA").score + 0.5);
  });

  test("without features it is a biased factorization of the ratings (no feature vectors), and features do not hurt its fit", () => {
    const t = toy();
    const plain = fitSync(t.ratings, CFG);
    assert.equal(plain.features, undefined);
    assert.equal(plain.implicit, false);
    assert.ok(evaluateRatings(plain, t.ratings).rmse < 0.8);
    // Deterministic for a seed.
    assert.deepEqual(fitSync(t.ratings, { ...CFG, epochs: 3 }).itemFactors.data, fitSync(t.ratings, { ...CFG, epochs: 3 }).itemFactors.data);
  });

  test("addItems and addUsers take the features' biases; a new user's prediction is μ + b_f + b_i + p_f·q_i", () => {
    const m = model();
    const withItem = addItems(m, { laterA: ["taste:A", "shade:0"] }).model;
    const v = featureVector(m, "item", ["taste:A", "shade:0"]);
    close(withItem.itemBias!.at(-1)!, v.bias);
    assert.ok(predict(withItem, "a1", "laterA").score > predict(withItem, "a1", "newB").score + 1.5);
    const added = addUsers(m, { lateB: ["group:b"] }).model;
    const f = featureVector(m, "user", ["group:b"]);
    close(added.userBias!.at(-1)!, f.bias);
    const i = m.itemIndex.indexOf("B3");
    const k = m.factors;
    let s = m.globalMean + f.bias + m.itemBias![i]!;
    for (let c = 0; c < k; c++) s += f.factors[c]! * m.itemFactors.data[i * k + c]!;
    close(predict(added, "lateB", "B3").raw, s, 1e-5);
  });

  test("fold-in: features alone give the feature vector; ratings pull the vector towards them", () => {
    const m = model();
    const only = foldInUser(m, [], { features: ["group:a"] });
    assert.deepEqual(only, featureVector(m, "user", ["group:a"]).factors);
    const k = m.factors;
    const q = (id: string) => m.itemFactors.data.subarray(m.itemIndex.indexOf(id) * k, (m.itemIndex.indexOf(id) + 1) * k);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, c) => s + x * b[c]!, 0);
    // A group-a user who rates like a b user: the B side gains against features alone.
    const mixed = foldInUser(m, ["B1", "B3", "B5", "B7"].map((item) => ({ item, value: 5 })).concat(["A0", "A2", "A4"].map((item) => ({ item, value: 1 }))), { features: ["group:a"] });
    assert.ok(dot(mixed, q("B9")) - dot(mixed, q("A8")) > dot(only, q("B9")) - dot(only, q("A8")));
    for (const x of mixed) assert.ok(Number.isFinite(x));
  });

  test("model file version 4 keeps the user feature biases; ranking losses still write version 3", () => {
    const m = model();
    const bytes = saveModel(m);
    assert.equal(bytes[6], 4);
    assert.equal(readModelHeader(bytes).features?.users?.bias, true);
    const back = loadModel(bytes);
    assert.deepEqual(back.features!.users!.bias, m.features!.users!.bias);
    assert.deepEqual(back.userBias, m.userBias);
    assert.equal(back.globalMean, m.globalMean);
    assert.equal(predict(back, "freshA", "newA").score, predict(m, "freshA", "newA").score);
    const t = toy();
    const warp = fitSync(t.ratings, { algorithm: "hybrid", factors: 2, epochs: 1 }, { itemFeatures: t.itemFeatures, userFeatures: t.userFeatures });
    assert.equal(saveModel(warp)[6], 3);
  });

  test("config: squared defaults; ranking-only keys refused with the reason", () => {
    const c = resolveHybridConfig({ loss: "squared" });
    assert.equal(c.loss, "squared");
    assert.equal(c.negatives, undefined);
    assert.equal(c.positiveThreshold, undefined);
    assert.equal(c.maxSampled, undefined);
    assert.equal(c.regularization, 0.1);
    assert.equal(c.learningRate, 0.03);
    assert.equal(c.epochs, 30);
    assert.throws(() => resolveHybridConfig({ loss: "squared", positiveThreshold: 4 }), mfrecError("E_CONFIG", /positiveThreshold does not apply/));
    assert.throws(() => resolveHybridConfig({ loss: "squared", negatives: "all" }), mfrecError("E_CONFIG", /negatives/));
    assert.throws(() => resolveHybridConfig({ loss: "squares" }), mfrecError("E_CONFIG", /squared/));
  });
});
