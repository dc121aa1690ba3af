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
