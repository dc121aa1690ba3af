import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isMfrecError } from "../../src/core/errors.js";
import { IdIndex } from "../../src/data/id-index.js";
import { ratingsFromArray } from "../../src/data/ratings.js";
import { evaluateRanking } from "../../src/evaluate/evaluate-ranking.js";
import { auc, averagePrecisionAtK, hitAtK, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from "../../src/evaluate/ranking-metrics.js";
import { buildCsr } from "../../src/matrix/csr.js";
import { FactorModel } from "../../src/model/factor-model.js";

const inUnit = (v: number) => assert.ok(v >= 0 && v <= 1 && !Number.isNaN(v), `${v} not in [0, 1]`);

/** A ranked list's hits and |R| ≥ its hit count (relevant items may lie beyond the list). */
const caseArb = fc
  .record({ hits: fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 20 }), extra: fc.integer({ min: 0, max: 10 }), k: fc.integer({ min: 1, max: 25 }) })
  .map(({ hits, extra, k }) => ({ hits, k, nRelevant: Math.max(1, hits.slice(0, k).reduce((s, h) => s + h, 0) + extra) }));

describe("metric properties", () => {
  it("every per-user metric lies in [0, 1]", () => {
    fc.assert(
      fc.property(caseArb, ({ hits, k, nRelevant }) => {
        for (const v of [precisionAtK(hits, k, nRelevant), recallAtK(hits, k, nRelevant), ndcgAtK(hits, k, nRelevant), averagePrecisionAtK(hits, k, nRelevant), reciprocalRankAtK(hits, k), hitAtK(hits, k)]) inUnit(v);
      }),
    );
  });
  it("a perfect ranking has NDCG = precision = AP = 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), (k, nRelevant) => {
        const hits = Array.from({ length: k }, (_, i) => (i < nRelevant ? 1 : 0));
        assert.ok(Math.abs(ndcgAtK(hits, k, nRelevant) - 1) < 1e-12);
        assert.equal(precisionAtK(hits, k, nRelevant), 1);
        assert.ok(Math.abs(averagePrecisionAtK(hits, k, nRelevant) - 1) < 1e-12);
      }),
    );
  });
  it("AUC lies in [0, 1] and equals the brute-force pair count", () => {
    const scores = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 15 });
    fc.assert(
      fc.property(scores, scores, (pos, neg) => {
        let s = 0;
        for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
        const a = auc(pos, neg);
        inUnit(a);
        assert.ok(Math.abs(a - s / (pos.length * neg.length)) < 1e-12);
      }),
    );
  });
  it("evaluateRanking's averages lie in [0, 1] on random models and test sets", () => {
    const arb = fc.record({
      P: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
      Q: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }),
      test: fc.uniqueArray(fc.record({ u: fc.integer({ min: 0, max: 4 }), i: fc.integer({ min: 0, max: 6 }) }), { minLength: 1, maxLength: 20, selector: (r) => `${r.u}:${r.i}` }),
      k: fc.integer({ min: 1, max: 8 }),
    });
    fc.assert(
      fc.property(arb, ({ P, Q, test, k }) => {
        // 4 users × 6 items × 2 factors; user 4 and item 6 exist only in the test set.
        const model = new FactorModel({
          config: { algorithm: "given" },
          userFactors: { rows: 4, cols: 2, data: Float32Array.from(P) },
          itemFactors: { rows: 6, cols: 2, data: Float32Array.from(Q) },
          userIndex: IdIndex.from([0, 1, 2, 3]),
          itemIndex: IdIndex.from([0, 1, 2, 3, 4, 5]),
          history: buildCsr(Int32Array.of(0, 1), Int32Array.of(0, 1), Float32Array.of(1, 1), 4, 6),
        });
        const t = ratingsFromArray(test.map((r) => ({ user: r.u, item: r.i, rating: 1 })));
        let r: ReturnType<typeof evaluateRanking>;
        try {
          r = evaluateRanking(model, t, { k, metrics: "precision,recall,ndcg,map,mrr,hitrate,auc,coverage" });
        } catch (e) {
          assert.ok(isMfrecError(e, "E_EMPTY_INPUT"), String(e)); // only user 4 in the test set: nobody to evaluate
          return;
        }
        for (const v of Object.values(r.metrics)) inUnit(v);
      }),
    );
  });
});
