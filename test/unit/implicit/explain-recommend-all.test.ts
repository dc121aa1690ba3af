import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { explain } from "../../../src/recommend/explain.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { recommendAll } from "../../../src/recommend/recommend-all.js";
import { writeRecommendationsCsv, writeRecommendationsJsonl } from "../../../src/recommend/recommend-all-node.js";
import { fitSync } from "../../../src/train/fit.js";
import { blocks } from "./blocks.js";

const data = blocks();

for (const config of [
  { algorithm: "ials", solver: "cholesky", alpha: 2, regularization: 0.1 },
  { algorithm: "ials", confidence: "log", unobservedWeight: 0.3, regularization: 0.01, regularizationExponent: 1, solver: "cholesky" },
  { algorithm: "wals", unobservedWeight: 0.2 },
  { algorithm: "als", biases: true },
  { algorithm: "als", biases: false },
]) {
  test(`explain: contributions sum to the score, which is the model's score (${JSON.stringify(config)})`, () => {
    const m = fitSync(data, { factors: 5, epochs: 20, seed: 2, ...config });
    for (const [user, item] of [
      ["u0", "i4"],
      ["u3", "i7"],
      ["u10", "i1"],
    ] as const) {
      const all = explain(m, user, item, { n: 1000 });
      const sum = all.contributions.reduce((s, c) => s + c.contribution, 0);
      assert.ok(Math.abs(all.baseline + sum - all.score) < 1e-9);
      assert.ok(Math.abs(all.contributions.reduce((s, c) => s + c.share, 0) - 1) < 1e-9 || sum === 0);
      // Explicit models are explained by their ranking part: the score recommend shows and ranks by.
      const r = m.ranker;
      const modelScore = r.scoreIndex(m.userIndex.indexOf(user), m.itemIndex.indexOf(item));
      if (config.algorithm === "als") {
        assert.ok(m.ranking, "an explicit fit has a ranking part");
        const shown = recommend(m, user, { n: 1000 }).find((x) => x.item === item);
        if (shown) assert.ok(Math.abs(shown.score - all.score) < 1e-3, `recommend shows ${shown.score}, explain ${all.score}`);
      }
      const tol = 1e-3;
      assert.ok(Math.abs(all.score - modelScore) < tol, `${all.score} vs ${modelScore}`);
      const top = explain(m, user, item, { n: 2 }).contributions;
      assert.equal(top.length, 2);
      assert.ok(Math.abs(top[0]!.contribution) >= Math.abs(top[1]!.contribution));
    }
  });
}

test("explain: the top contributor of an in-group item is an in-group history item", () => {
  const m = fitSync(data, { algorithm: "ials", factors: 5, epochs: 15, seed: 2, solver: "cholesky", alpha: 2, regularization: 0.1 });
  const top = explain(m, "u0", "i12", { n: 1 }).contributions[0]!;
  assert.equal(Number(top.item.slice(1)) % 4, 0);
});

test("explain: unknown ids and bpr models are errors", () => {
  const m = fitSync(data, { algorithm: "ials", factors: 3, epochs: 2 });
  assert.throws(() => explain(m, "zz", "i1"), (e) => isMfrecError(e, "E_UNKNOWN_USER"));
  assert.throws(() => explain(m, "u1", "zz"), (e) => isMfrecError(e, "E_UNKNOWN_ITEM"));
  const b = fitSync(data, { algorithm: "bpr", factors: 3, epochs: 2 });
  assert.throws(() => explain(b, "u1", "i1"), (e) => isMfrecError(e, "E_UNSUPPORTED"));
});

for (const config of [
  { algorithm: "ials", factors: 7, epochs: 5 },
  { algorithm: "bpr", factors: 7, epochs: 5 },
  { algorithm: "als", factors: 7, epochs: 5 },
]) {
  test(`recommendAll equals per-user recommend() exactly (${config.algorithm}, several block sizes)`, () => {
    const m = fitSync(data, config);
    for (const batchSize of [1, 7, 1000]) {
      for (const excludeRated of [true, false]) {
        let count = 0;
        for (const r of recommendAll(m, { n: 5, batchSize, excludeRated })) {
          const one = recommend(m, r.user, { n: 5, excludeRated });
          assert.deepEqual(r.items, one.map((s) => s.item));
          assert.deepEqual(r.scores, one.map((s) => s.score));
          count++;
        }
        assert.equal(count, m.numUsers);
      }
    }
    const subset = [...recommendAll(m, { users: ["u9", "u2"], n: 3 })];
    assert.deepEqual(subset.map((r) => r.user), ["u9", "u2"]);
    assert.throws(() => [...recommendAll(m, { users: ["nobody"] })], (e) => isMfrecError(e, "E_UNKNOWN_USER"));
  });
}

test("JSONL and CSV writers write every user's list", async () => {
  const m = fitSync(data, { algorithm: "ials", factors: 4, epochs: 3 });
  const dir = mkdtempSync(join(tmpdir(), "mfrec-recall-"));
  assert.equal(await writeRecommendationsJsonl(m, join(dir, "r.jsonl"), { n: 3 }), m.numUsers);
  const lines = readFileSync(join(dir, "r.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, m.numUsers);
  assert.deepEqual(lines[0].items, recommend(m, lines[0].user, { n: 3 }).map((s) => s.item));
  assert.equal(await writeRecommendationsCsv(m, join(dir, "r.csv"), { n: 3 }), m.numUsers);
  const csv = readFileSync(join(dir, "r.csv"), "utf8").trim().split("\n");
  assert.equal(csv[0], "user,rank,item,score");
  assert.equal(csv.length, 1 + 3 * m.numUsers);
  await assert.rejects(writeRecommendationsJsonl(m, join(dir, "missing", "x.jsonl")), (e) => isMfrecError(e, "E_IO"));
});
