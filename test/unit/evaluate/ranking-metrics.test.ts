import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { buildCsr } from "../../../src/matrix/csr.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { evaluateRanking } from "../../../src/evaluate/evaluate-ranking.js";
import { auc, averagePrecisionAtK, catalogueCoverage, hitAtK, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from "../../../src/evaluate/ranking-metrics.js";

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe("ranking metrics (hand-computed)", () => {
  it("hits [1,0,1,0,0], k=5, |R|=3", () => {
    const h = [1, 0, 1, 0, 0];
    close(precisionAtK(h, 5, 3), 2 / 3); // 2 hits / min(5, 3)
    close(recallAtK(h, 5, 3), 2 / 3);
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4)
    close(ndcgAtK(h, 5, 3), 1.5 / (1 + 1 / Math.log2(3) + 0.5));
    close(averagePrecisionAtK(h, 5, 3), (1 / 1 + 2 / 3) / 3);
    close(reciprocalRankAtK(h, 5), 1);
    close(hitAtK(h, 5), 1);
  });
  it("hits [0,0,1], k=3, |R|=1: implicit's precision denominator min(k, |R|)", () => {
    const h = [0, 0, 1];
    close(precisionAtK(h, 3, 1), 1);
    close(recallAtK(h, 3, 1), 1);
    close(ndcgAtK(h, 3, 1), 0.5);
    close(averagePrecisionAtK(h, 3, 1), 1 / 3);
    close(reciprocalRankAtK(h, 3), 1 / 3);
    close(reciprocalRankAtK(h, 2), 0);
    close(hitAtK(h, 2), 0);
  });
  it("AUC counts ties as 1/2", () => {
    // 0.9 beats 3 negatives; 0.5 beats 0.1 and ties 0.5: (3 + 1.5) / (2·3)
    close(auc([0.9, 0.5], [0.7, 0.5, 0.1]), 0.75);
    close(auc([1], [0]), 1);
    close(auc([0], [1]), 0);
  });
  it("coverage is distinct recommended items over the catalogue", () => {
    close(catalogueCoverage([[0, 1], [1, 2]], 5), 3 / 5);
  });
  it("undefined cases throw instead of returning NaN", () => {
    assert.throws(() => precisionAtK([1], 1, 0), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => auc([], [1]), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => ndcgAtK([1], 0, 1), (e) => isMfrecError(e, "E_CONFIG"));
  });
});

/** 2 users × 4 items, one factor: scores rank items i0 > i1 > i2 > i3 for everyone. User A trained on i0. */
function tinyModel(): FactorModel {
  const userIndex = IdIndex.from(["A", "B"]);
  const itemIndex = IdIndex.from(["i0", "i1", "i2", "i3"]);
  const history = buildCsr(Int32Array.of(0), Int32Array.of(0), Float32Array.of(5), 2, 4);
  return new FactorModel({
    config: { algorithm: "given" },
    userFactors: { rows: 2, cols: 1, data: Float32Array.of(1, 1) },
    itemFactors: { rows: 4, cols: 1, data: Float32Array.of(4, 3, 2, 1) },
    userIndex,
    itemIndex,
    history,
  });
}

describe("evaluateRanking on a hand-built case", () => {
  // A: test {i1, i3, X (unknown item)}; B: test {i2}; C: unknown user.
  const test = ratingsFromArray([
    { user: "A", item: "i1", rating: 5 },
    { user: "A", item: "i3", rating: 4 },
    { user: "A", item: "X", rating: 5 },
    { user: "B", item: "i2", rating: 3 },
    { user: "C", item: "i0", rating: 5 },
  ]);
  it("matches the values worked out by hand (unrankable = miss)", () => {
    const r = evaluateRanking(tinyModel(), test, { metrics: "precision@2,recall@2,ndcg@2,map@2,mrr@2,hitrate@2,coverage@2,auc" });
    // A ranks [i1, i2, i3] (i0 excluded): top2 hits [1, 0], |R_A| = 3. B ranks [i0, i1, i2, i3]: top2 hits [0, 0], |R_B| = 1.
    close(r.metrics["precision@2"]!, (1 + 0) / (2 + 1));
    close(r.metrics["recall@2"]!, (1 / 3 + 0) / 2);
    close(r.metrics["ndcg@2"]!, 1 / (1 + 1 / Math.log2(3)) / 2);
    close(r.metrics["map@2"]!, 1 / 2 / 2);
    close(r.metrics["mrr@2"]!, 0.5);
    close(r.metrics["hitrate@2"]!, 0.5);
    close(r.metrics["coverage@2"]!, 3 / 4); // i0, i1, i2
    // A: positives i1 (3), i3 (1) vs negative i2 (2) → 1/2, times 2 rankable of 3 relevant; B: i2 beats only i3 → 1/3.
    close(r.metrics.auc!, (1 / 3 + 1 / 3) / 2);
    assert.equal(r.users, 2);
    assert.equal(r.unknownUsers, 1);
    assert.equal(r.unknownItems, 1);
    assert.equal(r.relevant, 4);
    assert.equal(r.catalogue, 4);
  });
  it("drop removes unrankable items from |R_u|", () => {
    const r = evaluateRanking(tinyModel(), test, { metrics: "recall@2,precision@2", unrankable: "drop" });
    close(r.metrics["recall@2"]!, (1 / 2 + 0) / 2);
    close(r.metrics["precision@2"]!, 1 / 3);
  });
  it("a relevance threshold skips users without relevant items and counts them", () => {
    const r = evaluateRanking(tinyModel(), test, { metrics: "recall@2", relevanceThreshold: 4 });
    assert.equal(r.users, 1); // B's only rating is 3
    assert.equal(r.usersWithoutRelevant, 1);
    close(r.metrics["recall@2"]!, 1 / 3);
  });
  it("excludeTrain: false ranks training items too; a test item in training counts as unrankable when excluded", () => {
    const t2 = ratingsFromArray([{ user: "A", item: "i0", rating: 5 }]);
    const kept = evaluateRanking(tinyModel(), t2, { metrics: "hitrate@1", excludeTrain: false });
    close(kept.metrics["hitrate@1"]!, 1);
    const excl = evaluateRanking(tinyModel(), t2, { metrics: "hitrate@1" });
    close(excl.metrics["hitrate@1"]!, 0);
    assert.equal(excl.inTraining, 1);
  });
  it("candidates restrict the catalogue", () => {
    const r = evaluateRanking(tinyModel(), test, { metrics: "hitrate@1,coverage@1", candidates: ["i2", "i3"] });
    // A: i1 not a candidate, i3 ranks below i2 → miss; B: i2 is the best candidate → hit.
    close(r.metrics["hitrate@1"]!, 0.5);
    close(r.metrics["coverage@1"]!, 1 / 2);
    assert.equal(r.notCandidates, 1);
  });
});
