import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { predict, predictBatch, predictIndex } from "../../../src/recommend/predict.js";
import { predictMatrix } from "../../../src/recommend/predict-matrix.js";
import { randomModel, SEED_ITEMS, SEED_PRODUCT, SEED_USERS, seedModel, seedModelWithHistory } from "../model/fixtures.js";

describe("predict on the seed's given factors", () => {
  const m = seedModel();

  test("User 1 × Casablanca = 1.1·0.9 + 2.3·1.7 = 4.9", () => {
    const p = predict(m, "User 1", "Casablanca");
    assert.ok(Math.abs(p.score - 4.9) < 1e-5, String(p.score));
    assert.equal(p.known, true);
    assert.equal(p.reason, undefined);
    assert.equal(p.user, "User 1");
    assert.equal(p.item, "Casablanca");
  });

  test("User 1 × Black Panther = 4.3", () => {
    assert.ok(Math.abs(predict(m, "User 1", "Black Panther").score - 4.3) < 1e-5);
  });

  test("predictMatrix equals the seed's recommendation matrix to 2 decimals", () => {
    const r = predictMatrix(m);
    assert.equal(r.length, 3);
    r.forEach((row, u) => {
      row.forEach((v, i) => {
        assert.equal(Math.round(v * 100) / 100, SEED_PRODUCT[u]![i], `${SEED_USERS[u]} × ${SEED_ITEMS[i]}`);
      });
    });
  });

  test("without a rating scale nothing is clipped (Star Wars 6.15); with one, 5", () => {
    assert.ok(Math.abs(predict(m, "User 1", "Star Wars").score - 6.15) < 1e-5);
    const scaled = seedModelWithHistory();
    const p = predict(scaled, "User 1", "Star Wars");
    assert.equal(p.score, 5);
    assert.ok(Math.abs(p.raw - 6.15) < 1e-5);
    assert.equal(predictMatrix(scaled)[0]![4], 5);
    assert.ok(Math.abs(predictMatrix(scaled, { clip: false })[0]![4]! - 6.15) < 1e-5);
  });

  test("predictMatrix refuses beyond maxCells", () => {
    assert.throws(() => predictMatrix(m, { maxCells: 14 }), (e: unknown) => isMfrecError(e, "E_UNSUPPORTED"));
    assert.equal(predictMatrix(m, { maxCells: 15 }).length, 3);
  });
});

describe("unknown ids take the documented fallback with a reason", () => {
  const m = seedModelWithHistory({ biases: true }); // μ = 3.4, b_u = [0.1, -0.2, 0.3], b_i = [0.5, -0.7, 0.2, -0.1, 0.4]

  test("known pair: μ + b_u + b_i + p·q", () => {
    const p = predict(m, "User 2", "Casablanca");
    assert.ok(Math.abs(p.raw - (3.4 - 0.2 + 0.5 + (0.6 * 0.9 + 2.0 * 1.7))) < 1e-5);
    assert.equal(p.score, 5); // 7.24 clipped
  });

  test("unknown user → μ + b_i", () => {
    const p = predict(m, "nobody", "The Philadelphia Story");
    assert.equal(p.known, false);
    assert.equal(p.reason, "unknown-user");
    assert.ok(Math.abs(p.score - (3.4 - 0.7)) < 1e-6);
  });

  test("unknown item → μ + b_u", () => {
    const p = predict(m, "User 3", "Metropolis");
    assert.equal(p.reason, "unknown-item");
    assert.ok(Math.abs(p.score - 3.7) < 1e-6);
  });

  test("both unknown → μ", () => {
    const p = predict(m, "x", "y");
    assert.equal(p.reason, "unknown-user-and-item");
    assert.equal(p.score, 3.4);
  });

  test("a model without biases falls back to μ = 0, clipped to the scale", () => {
    const p = predict(seedModelWithHistory(), "x", "Casablanca");
    assert.equal(p.raw, 0);
    assert.equal(p.score, 1);
    assert.equal(predict(seedModel(), "x", "Casablanca").score, 0);
  });

  test("implicit models predict 0 with a reason, never NaN", () => {
    const im = randomModel({ users: 3, items: 4, factors: 2, biases: false, history: true, implicit: true, seed: 1 });
    for (const [u, i, reason] of [
      ["zz", "i0", "unknown-user"],
      ["u0", "zz", "unknown-item"],
      ["zz", "zz", "unknown-user-and-item"],
    ] as const) {
      const p = predict(im, u, i);
      assert.equal(p.score, 0);
      assert.equal(p.reason, reason);
    }
    assert.ok(Number.isFinite(predict(im, "u0", "i0").score));
  });

  test("numeric raw ids are the same ids as their strings", () => {
    const im = randomModel({ users: 3, items: 3, factors: 2, biases: false, history: false, implicit: false, seed: 2, userIds: ["1", "2", "3"], itemIds: ["10", "20", "30"] });
    assert.equal(predict(im, 2, 30).score, predict(im, "2", "30").score);
    assert.equal(predict(im, 2, 30).known, true);
  });
});

describe("predictBatch == predict", () => {
  test("every pair including unknown (-1) ids, on a biased scaled model", () => {
    const m = randomModel({ users: 6, items: 8, factors: 3, biases: true, history: false, implicit: false, seed: 3 });
    const us: number[] = [];
    const is: number[] = [];
    for (let u = -1; u < 6; u++) {
      for (let i = -1; i < 8; i++) {
        us.push(u);
        is.push(i);
      }
    }
    const out = predictBatch(m, Int32Array.from(us), Int32Array.from(is));
    assert.ok(out instanceof Float32Array);
    us.forEach((u, j) => {
      const single = predict(m, u < 0 ? "unknown" : `u${u}`, is[j]! < 0 ? "unknown" : `i${is[j]}`).score;
      assert.equal(out[j], Math.fround(single));
      assert.equal(predictIndex(m, u, is[j]!), single);
    });
  });

  test("length mismatch and out-of-range indices are errors", () => {
    const m = seedModel();
    assert.throws(() => predictBatch(m, Int32Array.of(0), Int32Array.of(0, 1)), (e: unknown) => isMfrecError(e, "E_SHAPE"));
    assert.throws(() => predictBatch(m, Int32Array.of(3), Int32Array.of(0)), (e: unknown) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => predictIndex(m, 0, -2), (e: unknown) => isMfrecError(e, "E_CONFIG"));
  });
});
