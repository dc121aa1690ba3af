/** The retrain sanity checks (src/server/sanity.ts) on hand-checkable cases. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ratingsFromColumns } from "../../../src/data/ratings.js";
import { ndcgAtK } from "../../../src/evaluate/ranking-metrics.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { heldOutRanking, meanPredictorRmse, randomNdcg } from "mfrec-server/internal/sanity.js";

/** Every permutation of 0..n-1 (n ≤ 6). */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let at = 0; at <= p.length; at++) out.push([...p.slice(0, at), n - 1, ...p.slice(at)]);
  return out;
}

test("randomNdcg equals the mean NDCG@k over every ordering of the candidates (brute force)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (c, r0, k, extra) => {
      const rankable = Math.min(c, r0);
      const nRelevant = rankable + extra; // extra relevant items cannot be ranked (unknown to the model)
      if (nRelevant === 0) return;
      let sum = 0;
      const perms = permutations(c);
      for (const p of perms) sum += ndcgAtK(p.slice(0, k).map((i) => (i < rankable ? 1 : 0)), k, nRelevant);
      assert.ok(Math.abs(randomNdcg(c, rankable, k, nRelevant) - sum / perms.length) < 1e-12);
    }),
    { numRuns: 60, seed: 5 },
  );
});

test("heldOutRanking: a model that scores the held-out items highest gets NDCG 1; popularity and random by hand", () => {
  // 2 users × 4 items, k = 1 factor. Training: u1 rated i1, u2 rated i1 and i2 (popularity i1 > i2 > i3 = i4).
  // Held out: u1 -> i4, u2 -> i3. The model's scores put exactly those first.
  const model = FactorModel.fromMatrices({ userMatrix: [[1], [-1]], itemMatrix: [[0, 0, -1, 1]], users: ["u1", "u2"], items: ["i1", "i2", "i3", "i4"] });
  const train = ratingsFromColumns({ users: ["u1", "u2", "u2"], items: ["i1", "i1", "i2"], values: [1, 1, 1] }, { source: "t" });
  const test = ratingsFromColumns({ users: ["u1", "u2"], items: ["i4", "i3"], values: [1, 1] }, { source: "t" });
  const r = heldOutRanking(model, train, test, { k: 1 });
  assert.equal(r.users, 2);
  assert.equal(r.model, 1);
  // Popularity with k = 1: u1's candidates i2 (1 rating), i3, i4 -> i2 first (miss); u2's are i3, i4 (tie -> lower index i3: hit).
  assert.equal(r.popularity, 0.5);
  // Random: u1 has 3 candidates, 1 relevant -> 1/3; u2 has 2 -> 1/2.
  assert.ok(Math.abs(r.random - (1 / 3 + 1 / 2) / 2) < 1e-12);
  // A test user the model has no row for is skipped and counted; a test item it lacks is a miss.
  const test2 = ratingsFromColumns({ users: ["u1", "u3", "u2", "u2"], items: ["i4", "i1", "i3", "i9"], values: [1, 1, 1, 1] }, { source: "t" });
  const r2 = heldOutRanking(model, train, test2, { k: 1 });
  assert.equal(r2.unknownUsers, 1);
  assert.equal(r2.users, 2);
  assert.equal(r2.model, 1); // u2: i3 first, and IDCG@1 of 2 relevant is 1
});

test("heldOutRanking: the inverse model ranks the held-out items last (NDCG 0 at k = 1)", () => {
  const model = FactorModel.fromMatrices({ userMatrix: [[-1], [1]], itemMatrix: [[0, 0, -1, 1]], users: ["u1", "u2"], items: ["i1", "i2", "i3", "i4"] });
  const train = ratingsFromColumns({ users: ["u1", "u2", "u2"], items: ["i1", "i1", "i2"], values: [1, 1, 1] }, { source: "t" });
  const test = ratingsFromColumns({ users: ["u1", "u2"], items: ["i4", "i3"], values: [1, 1] }, { source: "t" });
  assert.equal(heldOutRanking(model, train, test, { k: 1 }).model, 0);
});

test("meanPredictorRmse: RMSE of the training mean on the test values", () => {
  const train = ratingsFromColumns({ users: ["a", "b"], items: ["x", "y"], values: [2, 4] }, { source: "t" });
  const test = ratingsFromColumns({ users: ["a", "b"], items: ["y", "x"], values: [1, 5] }, { source: "t" });
  assert.equal(meanPredictorRmse(train, test), 2);
});
