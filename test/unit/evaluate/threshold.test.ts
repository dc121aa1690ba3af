import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { evaluateRanking } from "../../../src/evaluate/evaluate-ranking.js";
import { confidenceFor } from "../../../src/train/weighted-als/algorithms.js";
import { ratingOffset, rankingConfig } from "../../../src/train/ranking.js";
import { fitSync, trainingData } from "../../../src/train/fit.js";

const rows: Array<{ user: string; item: string; rating: number }> = [];
for (let u = 0; u < 12; u++) for (let i = 0; i < 10; i++) if ((u + 2 * i) % 3 !== 0) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + ((u * 3 + i) % 5) });
const ratings = ratingsFromArray(rows, { scale: [1, 5] });

describe("relevance thresholds and the ranking part's rules", () => {
  const model = fitSync(ratings, { algorithm: "als", factors: 3, epochs: 3 });

  it("a threshold outside the rating scale is E_CONFIG naming the scale", () => {
    assert.throws(
      () => evaluateRanking(model, ratings, { metrics: ["ndcg@10"], relevanceThreshold: 6, excludeTrain: false }),
      (e: unknown) => isMfrecError(e, "E_CONFIG") && /outside the rating scale 1\.\.5/.test((e as Error).message),
    );
  });

  it("a threshold above every test value says so (implicit 1s get a hint), instead of 'no test user could be evaluated'", () => {
    const ones = ratingsFromArray(rows.map((r) => ({ ...r, rating: 1 })));
    const implicit = fitSync(ones, { algorithm: "ials", factors: 3, epochs: 2 });
    assert.throws(
      () => evaluateRanking(implicit, ones, { metrics: ["ndcg@10"], relevanceThreshold: 4, excludeTrain: false }),
      (e: unknown) => isMfrecError(e, "E_CONFIG") && /leaves no relevant test item: the test values run from 1 to 1/.test((e as Error).message) && /drop the relevance threshold/.test((e as { hint?: string }).hint ?? ""),
    );
    // A threshold that leaves relevant items works.
    assert.ok(evaluateRanking(implicit, ones, { metrics: ["ndcg@10"], relevanceThreshold: 1, excludeTrain: false }).users > 0);
  });

  it("ratingOffset = μ − (max − min)/4, rounded; 0 for constant values", () => {
    assert.equal(ratingOffset(Float32Array.of(1, 2, 3, 4, 5)), 2);
    assert.equal(ratingOffset(Float32Array.of(1, 1, 1)), 0);
    assert.equal(ratingOffset(new Float32Array(0)), 0);
  });

  it("confidenceFor: linear for equal values, log when they vary", () => {
    assert.equal(confidenceFor(Float32Array.of(1, 1, 1)), "linear");
    assert.equal(confidenceFor(Float32Array.of(1, 30, 4000)), "log");
  });

  it("rankingConfig: ials with the offset for explicit algorithms, ranking* keys passed on, none / implicit give null, bad values E_CONFIG", () => {
    const c = rankingConfig({ algorithm: "als", rankingFactors: 8, seed: 7 }, false, trainingData(ratings))!;
    assert.equal(c.algorithm, "ials");
    assert.equal(c.factors, 8);
    assert.equal(c.seed, 7);
    assert.equal(c.confidenceOffset, ratingOffset(ratings.values));
    assert.equal(rankingConfig({ algorithm: "als", ranking: "none" }, false, trainingData(ratings)), null);
    assert.equal(rankingConfig({ algorithm: "ials" }, true, trainingData(ratings)), null);
    assert.throws(() => rankingConfig({ algorithm: "als", ranking: "bpr" }, false, trainingData(ratings)), (e: unknown) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => rankingConfig({ algorithm: "ials", ranking: "ials" }, true, trainingData(ratings)), (e: unknown) => isMfrecError(e, "E_CONFIG"));
    assert.equal(fitSync(ratings, { algorithm: "als", factors: 3, epochs: 2, ranking: "none" }).ranking, undefined);
    assert.equal(fitSync(ratings, { algorithm: "als", factors: 3, epochs: 2, rankingFactors: 5 }).ranking!.factors, 5);
  });
});
