import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { nmfHalfSweep } from "../../../src/train/nmf/kernel.js";
import { fitSync, trainingData } from "../../../src/train/fit.js";
import { resolveNmfConfig } from "../../../src/train/nmf/nmf.js";
import { smallRatings } from "./explicit-fixtures.js";

describe("nmf", () => {
  const r = smallRatings(6);

  it("factors stay non-negative and the objective never increases (unbiased)", () => {
    const m = fitSync(r, { algorithm: "nmf", factors: 4, epochs: 30, regularization: 0.06, seed: 3 });
    for (const x of m.userFactors.data) assert.ok(x >= 0);
    for (const x of m.itemFactors.data) assert.ok(x >= 0);
    const losses = m.training.map((t) => t.loss);
    for (let e = 1; e < losses.length; e++) assert.ok(losses[e]! <= losses[e - 1]! * (1 + 1e-6), `loss rose at epoch ${e + 1}: ${losses[e - 1]} -> ${losses[e]}`);
    assert.ok(losses.at(-1)! < losses[0]! * 0.8);
  });

  it("factors stay non-negative with biases too", () => {
    const m = fitSync(r, { algorithm: "nmf", factors: 4, epochs: 20, biases: true, seed: 3 });
    for (const x of m.userFactors.data) assert.ok(x >= 0);
    for (const x of m.itemFactors.data) assert.ok(x >= 0);
    assert.ok(m.userBias && m.itemBias);
  });

  it("the half-sweep equals x_rf · Σ y r / (Σ y·(x·y) + λ n x_rf) computed directly", () => {
    const { byUser } = trainingData(r);
    const k = 3;
    const X = Float32Array.from({ length: byUser.rows * k }, (_, n) => ((n * 37) % 11) / 11 + 0.05);
    const Y = Float32Array.from({ length: byUser.cols * k }, (_, n) => ((n * 53) % 13) / 13 + 0.05);
    const want = new Float64Array(X.length);
    for (let u = 0; u < byUser.rows; u++) {
      const n = byUser.indptr[u + 1]! - byUser.indptr[u]!;
      for (let f = 0; f < k; f++) {
        let num = 0;
        let den = 0;
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) {
          const j = byUser.indices[p]!;
          let est = 0;
          for (let g = 0; g < k; g++) est += X[u * k + g]! * Y[j * k + g]!;
          num += Y[j * k + f]! * byUser.values[p]!;
          den += Y[j * k + f]! * est;
        }
        want[u * k + f] = n === 0 ? X[u * k + f]! : (X[u * k + f]! * num) / (den + 0.1 * n * X[u * k + f]!);
      }
    }
    const empty = new Float32Array(0);
    nmfHalfSweep(byUser.indptr, byUser.indices, byUser.values, X, Y, empty, empty, k, 0, 0.1, 0, 0, 0, byUser.rows);
    want.forEach((v, n) => {
      assert.ok(Math.abs(X[n]! - v) < 1e-5 * Math.max(1, v), `${n}: ${X[n]} vs ${v}`);
    });
  });

  it("rejects negative ratings and bias keys without biases", () => {
    const neg = ratingsFromArray([
      { user: "a", item: "x", rating: -1 },
      { user: "b", item: "x", rating: 2 },
    ]);
    assert.throws(() => fitSync(neg, { algorithm: "nmf" }), { code: "E_OUT_OF_SCALE" });
    assert.throws(() => resolveNmfConfig({ regBias: 0.1 }), { code: "E_CONFIG" });
    assert.equal(resolveNmfConfig({ biases: true }).regBias, 0.02);
    assert.equal("regBias" in resolveNmfConfig({}), false);
    assert.throws(() => resolveNmfConfig({ initLow: 0.5, initHigh: 0.5 }), { code: "E_CONFIG" });
  });
});
