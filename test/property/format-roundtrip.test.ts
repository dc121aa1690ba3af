import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isMfrecError } from "../../src/core/errors.js";
import { loadModel, saveModel } from "../../src/model/format.js";
import { predictMatrix } from "../../src/recommend/predict-matrix.js";
import { randomModel } from "../unit/model/fixtures.js";

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const spec = fc.record({
  users: fc.integer({ min: 0, max: 12 }),
  items: fc.integer({ min: 0, max: 12 }),
  factors: fc.integer({ min: 0, max: 6 }),
  biases: fc.boolean(),
  history: fc.boolean(),
  implicit: fc.boolean(),
  seed: fc.nat(),
});

test("save -> load round-trips random small models (arrays byte-identical, same predictions, same bytes again)", () => {
  fc.assert(
    fc.property(spec, fc.uniqueArray(fc.string({ unit: "grapheme", maxLength: 6 }), { minLength: 12, maxLength: 12 }), (s, names) => {
      const m = randomModel({ ...s, userIds: names.slice(0, s.users), itemIds: names.slice(0, s.items).map((n) => `${n},"x"`) });
      const file = saveModel(m);
      const back = loadModel(file);
      assert.deepEqual(bytes(back.userFactors.data), bytes(m.userFactors.data));
      assert.deepEqual(bytes(back.itemFactors.data), bytes(m.itemFactors.data));
      assert.deepEqual(back.userIndex.ids(), m.userIndex.ids());
      assert.deepEqual(back.itemIndex.ids(), m.itemIndex.ids());
      assert.deepEqual(back.history?.indices, m.history?.indices);
      assert.deepEqual(predictMatrix(back), predictMatrix(m));
      assert.deepEqual(saveModel(back), file);
    }),
    { numRuns: 150, seed: 1 },
  );
});

test("any single corrupted byte of a random model is rejected with E_MODEL_FORMAT", () => {
  fc.assert(
    fc.property(spec, fc.nat(), fc.integer({ min: 1, max: 255 }), (s, at, xor) => {
      const file = saveModel(randomModel(s));
      const bad = file.slice();
      bad[at % bad.length]! ^= xor;
      assert.throws(() => loadModel(bad), (e: unknown) => isMfrecError(e, "E_MODEL_FORMAT"));
    }),
    { numRuns: 300, seed: 2 },
  );
});
