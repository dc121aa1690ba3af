import assert from "node:assert/strict";
import { test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { binarize, bm25Weight, logConfidence, tfidfWeight } from "../../../src/data/weighting.js";
import { fitSync } from "../../../src/train/fit.js";
import { blocks } from "./blocks.js";

// 3 users, 3 items: u1 {a:4, b:1}, u2 {a:5}, u3 {c:2}
const r = ratingsFromArray([
  { user: "u1", item: "a", rating: 4 },
  { user: "u1", item: "b", rating: 1 },
  { user: "u2", item: "a", rating: 5 },
  { user: "u3", item: "c", rating: 2 },
]);

test("binarize keeps values ≥ threshold as 1 and counts the dropped rows", () => {
  const b = binarize(r, 4);
  assert.equal(b.length, 2);
  assert.deepEqual(Array.from(b.values), [1, 1]);
  assert.deepEqual(Array.from(b.items).map((i) => b.itemIndex.idAt(i)), ["a", "a"]);
  assert.equal(b.report.skipped, 2);
  assert.equal(r.length, 4, "input unchanged");
  assert.throws(() => binarize(r, Number.NaN), (e) => isMfrecError(e, "E_CONFIG"));
});

test("logConfidence is α·ln(1 + v/ε)", () => {
  const l = logConfidence(r, { alpha: 2, epsilon: 0.5 });
  assert.ok(Math.abs(l.values[0]! - 2 * Math.log(1 + 8)) < 1e-5);
  assert.throws(() => logConfidence(r, { epsilon: 0 }), (e) => isMfrecError(e, "E_CONFIG"));
});

test("tfidf: √v · ln(N/df)", () => {
  const t = tfidfWeight(r);
  assert.ok(Math.abs(t.values[0]! - 2 * Math.log(3 / 2)) < 1e-5); // a: df 2
  assert.ok(Math.abs(t.values[1]! - 1 * Math.log(3)) < 1e-5); // b: df 1
});

test("bm25: v(K1+1)/(K1((1−B)+B·|u|/avg)+v) · ln(N/df), by hand", () => {
  const K1 = 2;
  const B = 0.5;
  const w = bm25Weight(r, { K1, B });
  const avg = 12 / 3; // row sums 5, 5, 2
  const expect = ((4 * (K1 + 1)) / (K1 * (1 - B + (B * 5) / avg) + 4)) * Math.log(3 / 2);
  assert.ok(Math.abs(w.values[0]! - expect) < 1e-5);
  assert.throws(() => bm25Weight(r, { B: 2 }), (e) => isMfrecError(e, "E_CONFIG"));
});

test("bpr: same seed gives identical factors; a different seed does not; the loss falls", () => {
  const data = blocks();
  const a = fitSync(data, { algorithm: "bpr", factors: 6, epochs: 8, seed: 9 });
  const b = fitSync(data, { algorithm: "bpr", factors: 6, epochs: 8, seed: 9 });
  const c = fitSync(data, { algorithm: "bpr", factors: 6, epochs: 8, seed: 10 });
  assert.deepEqual(a.userFactors.data, b.userFactors.data);
  assert.deepEqual(a.itemBias, b.itemBias);
  assert.notDeepEqual(a.itemFactors.data, c.itemFactors.data);
  assert.ok(a.training.at(-1)!.loss < a.training[0]!.loss);
  assert.equal(a.implicit, true);
  assert.ok(a.history);
});
