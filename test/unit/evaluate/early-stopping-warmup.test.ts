import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { generateRatings } from "../../../src/data/synthetic.js";
import { fitWithEarlyStopping } from "../../../src/evaluate/early-stopping.js";
import { userSplit } from "../../../src/evaluate/splits.js";
import "./toy-algorithm.js";

// minEpochs: a warm-up during which early stopping never ends the run.
const data = generateRatings({ users: 80, items: 60, ratings: 2400, rank: 4, seed: 7 });
const { train, test: validation } = userSplit(data, { testFraction: 0.2, seed: 2 });
// Overfits within a few epochs (see cross-validate.test.ts), so patience 1 alone stops very early.
const config = { algorithm: "toy-sgd", factors: 20, epochs: 40, learningRate: 0.05, regularization: 0, seed: 4 };

describe("early stopping warm-up (minEpochs)", () => {
  it("no run stops before minEpochs; the best epoch is still the best over every epoch run", () => {
    const plain = fitWithEarlyStopping(train, config, validation, { patience: 1 });
    assert.equal(plain.stoppedEarly, true);
    assert.ok(plain.epochsRun < 12, `without warm-up it stops at ${plain.epochsRun}`);
    const warm = fitWithEarlyStopping(train, config, validation, { patience: 1, minEpochs: 12 });
    assert.ok(warm.epochsRun >= 12, `ran ${warm.epochsRun}`);
    const scores = warm.history.map((h) => h.validation!.rmse!);
    assert.equal(warm.bestScore, Math.min(...scores));
    assert.equal(scores[warm.bestEpoch - 1], warm.bestScore);
    // The first epochs are identical runs (same seed), so the warm-up only adds epochs.
    assert.deepEqual(scores.slice(0, plain.epochsRun), plain.history.map((h) => h.validation!.rmse!));
  });
  it("minEpochs beyond the configured epochs just runs them all; a bad value is E_CONFIG", () => {
    const r = fitWithEarlyStopping(train, { ...config, epochs: 5 }, validation, { patience: 1, minEpochs: 50 });
    assert.equal(r.epochsRun, 5);
    assert.equal(r.stoppedEarly, false);
    assert.throws(() => fitWithEarlyStopping(train, config, validation, { patience: 1, minEpochs: -1 }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => fitWithEarlyStopping(train, config, validation, { patience: 1, minEpochs: 1.5 }), (e) => isMfrecError(e, "E_CONFIG"));
  });
});
