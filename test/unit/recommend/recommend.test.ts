import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { topK } from "../../../src/kernels/topk.js";
import { predict } from "../../../src/recommend/predict.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { randomModel, seedModel, seedModelWithHistory } from "../model/fixtures.js";

describe("recommend", () => {
  test("seed: User 1 without exclusions ranks Star Wars, Casablanca, Black Panther, …", () => {
    const r = recommend(seedModel(), "User 1", { n: 3 });
    assert.deepEqual(
      r.map((x) => x.item),
      ["Star Wars", "Casablanca", "Black Panther"],
    );
    assert.ok(Math.abs(r[0]!.score - 6.15) < 1e-5);
  });

  test("seed with history: rated items are excluded; User 1 gets Star Wars then Black Panther", () => {
    const m = seedModelWithHistory();
    const r = recommend(m, "User 1");
    assert.deepEqual(
      r.map((x) => x.item),
      ["Star Wars", "Black Panther"],
    );
    assert.equal(r[0]!.score, 5); // clipped, as predict
    assert.ok(Math.abs(r[1]!.score - 4.3) < 1e-5);
    assert.deepEqual(
      recommend(m, "User 3").map((x) => x.item),
      ["Casablanca"],
    );
    assert.equal(recommend(m, "User 1", { excludeRated: false }).length, 5);
  });

  test("items restricts candidates, exclude removes ids, unknown ids in them are ignored", () => {
    const m = seedModel();
    assert.deepEqual(
      recommend(m, "User 3", { items: ["Casablanca", "Star Wars", "Nope"] }).map((x) => x.item),
      ["Star Wars", "Casablanca"],
    );
    assert.deepEqual(
      recommend(m, "User 3", { exclude: ["Wonder Woman", "Nope"], n: 2 }).map((x) => x.item),
      ["Black Panther", "Star Wars"],
    );
    assert.deepEqual(recommend(m, "User 3", { items: ["Star Wars"], exclude: ["Star Wars"] }), []);
  });

  test("matches a brute-force ranking over predict on a random model", () => {
    const m = randomModel({ users: 20, items: 60, factors: 4, biases: true, history: true, implicit: false, seed: 11 });
    for (let u = 0; u < 20; u++) {
      const user = `u${u}`;
      const rated = new Set<number>();
      const h = m.history!;
      for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) rated.add(h.indices[p]!);
      const exclude = [`i${u}`, `i${u + 1}`];
      const brute = Array.from({ length: 60 }, (_, i) => i)
        .filter((i) => !rated.has(i) && !exclude.includes(`i${i}`))
        .map((i) => ({ i, raw: Math.fround(m.scoreIndex(u, i)) }))
        .sort((a, b) => b.raw - a.raw || a.i - b.i)
        .slice(0, 7)
        .map((x) => ({ item: `i${x.i}`, score: predict(m, user, `i${x.i}`).score }));
      assert.deepEqual(recommend(m, user, { n: 7, exclude }), brute);
    }
  });

  test("unknown user: popular items by rating count (with or without biases), μ + b_i without a history, or empty", () => {
    // counts: Wonder Woman 3, Casablanca 2, Philadelphia 2, Star Wars 2, Black Panther 1
    const expected = [
      { item: "Wonder Woman", score: 3 },
      { item: "Casablanca", score: 2 },
      { item: "The Philadelphia Story", score: 2 },
    ];
    const biased = seedModelWithHistory({ biases: true });
    assert.deepEqual(recommend(biased, "stranger", { n: 3 }), expected, "the count, not μ + b_i, even when the model has item biases");
    assert.deepEqual(recommend(seedModelWithHistory(), "stranger", { n: 3 }), expected);
    // No history: the biased fallback prediction μ + b_i.
    const noHistory = biased.with({ history: undefined });
    const r = recommend(noHistory, "stranger", { n: 2 });
    assert.deepEqual(
      r.map((x) => x.item),
      ["Casablanca", "Star Wars"],
    );
    assert.ok(Math.abs(r[0]!.score - 3.9) < 1e-6);
    assert.equal(r[0]!.score, predict(noHistory, "stranger", "Casablanca").score);
    assert.deepEqual(recommend(seedModel(), "stranger"), []);
    assert.deepEqual(recommend(biased, "stranger", { unknownUser: "empty" }), []);
    assert.throws(() => recommend(biased, "stranger", { unknownUser: "error" }), (e: unknown) => isMfrecError(e, "E_UNKNOWN_USER"));
  });

  test("n = 0 gives [], a bad n is E_CONFIG", () => {
    assert.deepEqual(recommend(seedModel(), "User 1", { n: 0 }), []);
    assert.throws(() => recommend(seedModel(), "User 1", { n: -1 }), (e: unknown) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => recommend(seedModel(), "User 1", { n: 1.5 }), (e: unknown) => isMfrecError(e, "E_CONFIG"));
  });
});

describe("topK kernel", () => {
  test("ties go to the lower index; excluded and NaN are skipped; fewer than k when short", () => {
    const s = Float32Array.of(1, 3, 3, Number.NaN, 2, 3);
    assert.deepEqual(Array.from(topK(s, 3)), [1, 2, 5]);
    assert.deepEqual(Array.from(topK(s, 10, Uint8Array.of(0, 1, 0, 0, 0, 0))), [2, 5, 4, 0]);
    assert.deepEqual(Array.from(topK(s, 2, null, 3, 6)), [5, 4]);
    assert.deepEqual(Array.from(topK(s, 0)), []);
  });
});
