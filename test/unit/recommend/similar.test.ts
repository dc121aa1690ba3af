import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import type { DenseMatrix } from "../../../src/matrix/dense.js";
import { similarItems, similarUsers } from "../../../src/recommend/similar.js";
import { randomModel, seedModel } from "../model/fixtures.js";

function brute(F: DenseMatrix, q: number, alpha: number): Array<{ i: number; s: number }> {
  const k = F.cols;
  const row = (r: number) => Array.from(F.data.subarray(r * k, (r + 1) * k));
  const dot = (a: number[], b: number[]) => a.reduce((s, x, f) => s + x * b[f]!, 0);
  const norm = (a: number[]) => Math.sqrt(dot(a, a));
  const a = row(q);
  const out: Array<{ i: number; s: number }> = [];
  for (let i = 0; i < F.rows; i++) {
    if (i === q) continue;
    const b = row(i);
    const cos = norm(a) * norm(b) === 0 ? 0 : dot(a, b) / (norm(a) * norm(b));
    out.push({ i, s: norm(a) ** alpha * norm(b) ** alpha * cos });
  }
  return out.sort((x, y) => y.s - x.s || x.i - y.i);
}

describe("similarItems / similarUsers", () => {
  const m = randomModel({ users: 30, items: 80, factors: 5, biases: false, history: false, implicit: true, seed: 21 });

  for (const [metric, alpha] of [
    ["cosine", 0],
    ["dot", 1],
    ["balanced", 0.5],
    ["balanced", 0.25],
  ] as const) {
    test(`${metric} (α=${alpha}) equals brute force for items and users`, () => {
      for (const q of [0, 17, 79]) {
        const got = similarItems(m, `i${q}`, { n: 12, metric, alpha });
        const want = brute(m.itemFactors, q, alpha).slice(0, 12);
        assert.deepEqual(
          got.map((x) => x.item),
          want.map((x) => `i${x.i}`),
        );
        got.forEach((x, j) => {
          assert.ok(Math.abs(x.score - want[j]!.s) < 1e-5);
        });
        assert.ok(!got.some((x) => x.item === `i${q}`));
      }
      const gu = similarUsers(m, "u4", { n: 5, metric, alpha });
      assert.deepEqual(
        gu.map((x) => x.user),
        brute(m.userFactors, 4, alpha)
          .slice(0, 5)
          .map((x) => `u${x.i}`),
      );
    });
  }

  test("seed: the item most like Casablanca by cosine is Star Wars", () => {
    const r = similarItems(seedModel(), "Casablanca", { n: 4 });
    assert.equal(r[0]!.item, "Star Wars");
    assert.equal(r.length, 4);
    assert.ok(Math.abs(r[0]!.score - (0.9 * 1.2 + 1.7 * 2.1) / Math.hypot(0.9, 1.7) / Math.hypot(1.2, 2.1)) < 1e-6);
  });

  test("exclude and candidates; unknown ids and bad options are errors", () => {
    const r = similarItems(m, "i0", { candidates: ["i1", "i2", "i0"], exclude: ["i2"] });
    assert.deepEqual(
      r.map((x) => x.item),
      ["i1"],
    );
    assert.throws(() => similarItems(m, "nope"), (e: unknown) => isMfrecError(e, "E_UNKNOWN_ITEM"));
    assert.throws(() => similarUsers(m, "nope"), (e: unknown) => isMfrecError(e, "E_UNKNOWN_USER"));
    assert.throws(() => similarItems(m, "i0", { metric: "balanced", alpha: 2 }), (e: unknown) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => similarItems(m, "i0", { metric: "euclid" as "dot" }), (e: unknown) => isMfrecError(e, "E_CONFIG"));
  });

  test("a zero factor row scores 0 under cosine, never NaN", () => {
    const z = seedModel();
    z.itemFactors.data.fill(0, 0, 2); // Casablanca = 0 (test-local model)
    const r = similarItems(z, "Star Wars", { n: 10 });
    assert.ok(r.every((x) => Number.isFinite(x.score)));
    assert.equal(r.find((x) => x.item === "Casablanca")!.score, 0);
  });
});
