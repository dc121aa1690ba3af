import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { topK, topKBySort } from "../../src/kernels/topk.js";

// Few distinct values so ties are common: the tie-break is where a heap usually goes wrong.
const score = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(Number.NaN));

test("topK equals a full sort for random scores, any k, with exclusions and ranges", () => {
  fc.assert(
    fc.property(
      fc.array(score, { maxLength: 200 }),
      fc.integer({ min: 0, max: 220 }),
      fc.array(fc.boolean(), { maxLength: 200 }),
      fc.nat(),
      fc.nat(),
      (values, k, ex, a, b) => {
        const scores = Float32Array.from(values);
        const mask = Uint8Array.from({ length: scores.length }, (_, i) => (ex[i] ? 1 : 0));
        const start = scores.length === 0 ? 0 : a % (scores.length + 1);
        const end = start + (scores.length === 0 ? 0 : b % (scores.length - start + 1));
        assert.deepEqual(topK(scores, k, mask, start, end), topKBySort(scores, k, mask, start, end));
        assert.deepEqual(topK(scores, k), topKBySort(scores, k));
      },
    ),
    { numRuns: 500, seed: 42 },
  );
});

test("topK over Float64Array scores", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 100 }), fc.integer({ min: 0, max: 120 }), (values, k) => {
      const scores = Float64Array.from(values);
      assert.deepEqual(topK(scores, k), topKBySort(scores, k));
    }),
    { numRuns: 300, seed: 7 },
  );
});

test("the one top-N path (recommend, service, evaluation) equals a brute-force top-n: every item, an allow-list, a faster full scorer", async () => {
  const { FactorModel } = await import("../../src/model/factor-model.js");
  const { topNForRow, userRow } = await import("../../src/recommend/top-n.js");
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 35 }),
      fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 4 * 34, maxLength: 4 * 34 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      (nItems, k, n, cells, ex, allow) => {
        // Small integer factors: dot products are exact in float32, and ties are frequent.
        const m = FactorModel.fromMatrices({
          userMatrix: [Array.from({ length: k }, (_, f) => cells[f]! / 2)],
          itemMatrix: Array.from({ length: k }, (_, f) => Array.from({ length: nItems }, (_, i) => cells[4 + f * 30 + i]!)),
        });
        const row = userRow(m, 0);
        const brute = Float32Array.from({ length: nItems }, (_, i) => m.scoreIndex(0, i));
        const mask = Uint8Array.from({ length: nItems }, (_, i) => (ex[i] ? 1 : 0));
        assert.deepEqual(topNForRow(m, row, { n, mask }), topKBySort(brute, n, mask));
        assert.deepEqual(topNForRow(m, row, { n, mask: null }), topKBySort(brute, n));
        assert.deepEqual(topNForRow(m, row, { n, mask, scoreAll: () => brute.slice() }), topKBySort(brute, n, mask));
        // An allow-list: the caller's mask marks every other item; only the list is scored.
        const listMask = Uint8Array.from({ length: nItems }, (_, i) => (allow[i] && !ex[i] ? 0 : 1));
        const candidates = Int32Array.from([...listMask.keys()].filter((i) => listMask[i] === 0));
        assert.deepEqual(topNForRow(m, row, { n, mask: listMask, candidates, scores: new Float32Array(nItems).fill(1e9) }), topKBySort(brute, n, listMask));
      },
    ),
    { numRuns: 300, seed: 11 },
  );
});
