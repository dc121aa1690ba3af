import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isMfrecError } from "../../../src/core/errors.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { fitSync } from "../../../src/train/fit.js";
import { listAlgorithms } from "../../../src/train/registry.js";
import { resolveSgdConfig, SGD_DEFAULTS, SURPRISE_SVD_DEFAULTS } from "../../../src/train/sgd/sgd.js";
import { bytes, smallRatings } from "./explicit-fixtures.js";

const isConfigError = (key: string) => (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG" && e.column === key;

describe("sgd configuration", () => {
  it("is registered by importing fit", () => {
    assert.ok(listAlgorithms().includes("sgd"));
  });

  it("fills every key with its default and round-trips", () => {
    const c = resolveSgdConfig({ algorithm: "sgd" });
    assert.deepEqual(c, { algorithm: "sgd", ...SGD_DEFAULTS });
    assert.deepEqual(resolveSgdConfig(JSON.parse(JSON.stringify(c))), c);
  });

  it('preset "surprise" gives Surprise SVD\'s defaults', () => {
    const c = resolveSgdConfig({ algorithm: "sgd", preset: "surprise" });
    assert.deepEqual(
      { factors: c.factors, epochs: c.epochs, learningRate: c.learningRate, regBias: c.regBias, reg: c.regularization, initMean: c.initMean, initStd: c.initStd, decay: c.learningRateDecay },
      { factors: 100, epochs: 20, learningRate: 0.005, regBias: 0.02, reg: 0.02, initMean: 0, initStd: 0.1, decay: 1 },
    );
    assert.equal(SURPRISE_SVD_DEFAULTS.preset, "surprise");
    assert.equal(resolveSgdConfig({ algorithm: "sgd", preset: "surprise", factors: 7 }).factors, 7);
  });

  it("regularization sets both penalties unless regBias is given", () => {
    assert.equal(resolveSgdConfig({ algorithm: "sgd", regularization: 0.3 }).regBias, 0.3);
    const c = resolveSgdConfig({ algorithm: "sgd", regularization: 0.3, regBias: 0.01 });
    assert.equal(c.regularization, 0.3);
    assert.equal(c.regBias, 0.01);
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", regFactors: 0.1 }), isConfigError("regFactors"));
  });

  it("rejects unknown keys and bad values with E_CONFIG naming the key", () => {
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", lr: 0.1 }), isConfigError("lr"));
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", learningRate: 0 }), isConfigError("learningRate"));
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", learningRateDecay: 1.5 }), isConfigError("learningRateDecay"));
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", preset: "libmf" }), isConfigError("preset"));
    assert.throws(() => resolveSgdConfig({ algorithm: "sgd", epochs: 0 }), isConfigError("epochs"));
  });
});

describe("sgd training", () => {
  const ratings = smallRatings(2);

  it("fits the training data (train RMSE falls)", () => {
    const m = fitSync(ratings, { algorithm: "sgd", factors: 4, epochs: 60, learningRate: 0.02, learningRateDecay: 1 });
    const first = m.training[0]!.trainRmse!;
    const last = m.training.at(-1)!.trainRmse!;
    assert.ok(last < first * 0.8, `train RMSE ${first} → ${last}`);
  });

  it("same seed → byte-identical model; another seed → different factors", () => {
    const cfg = { algorithm: "sgd", factors: 3, epochs: 3 };
    const a = fitSync(ratings, { ...cfg, seed: 9 });
    const b = fitSync(ratings, { ...cfg, seed: 9 });
    const c = fitSync(ratings, { ...cfg, seed: 10 });
    assert.ok(bytes(a.userFactors.data).equals(bytes(b.userFactors.data)));
    assert.ok(bytes(a.itemFactors.data).equals(bytes(b.itemFactors.data)));
    assert.ok(bytes(a.userBias).equals(bytes(b.userBias)));
    assert.ok(bytes(a.itemBias).equals(bytes(b.itemBias)));
    assert.ok(!bytes(a.userFactors.data).equals(bytes(c.userFactors.data)));
  });

  it("a huge learning rate stops with E_DIVERGED naming the epoch", () => {
    assert.throws(
      () => fitSync(ratings, { algorithm: "sgd", factors: 8, epochs: 50, learningRate: 1e4, initStd: 1 }),
      (e: unknown) => isMfrecError(e) && e.code === "E_DIVERGED" && /epoch \d+/.test(e.message),
    );
  });

  it("builds the model with biases, history and rating scale; biases: false gives r̂ = p·q", () => {
    const m = fitSync(ratings, { algorithm: "sgd", factors: 3, epochs: 2 });
    assert.equal(m.config.algorithm, "sgd");
    assert.equal(m.itemBias!.length, ratings.itemIndex.size);
    assert.ok(m.globalMean > 1 && m.globalMean < 5);
    assert.equal(m.history!.indptr[m.history!.rows], ratings.length);
    assert.ok(m.ratingScale![0] >= 1 && m.ratingScale![1] <= 5);
    const plain = fitSync(ratings, { algorithm: "sgd", factors: 3, epochs: 2, biases: false });
    assert.equal(plain.userBias, undefined);
    assert.equal(plain.globalMean, 0);
  });
});

describe("explicit algorithms: predictions are finite for random small rating sets", () => {
  const arb = fc.array(fc.record({ user: fc.integer({ min: 0, max: 6 }), item: fc.integer({ min: 0, max: 6 }), rating: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 30 });
  for (const algorithm of ["als", "sgd"]) {
    it(algorithm, () => {
      fc.assert(
        fc.property(arb, fc.integer({ min: 1, max: 5 }), fc.boolean(), (rows, factors, biases) => {
          const ratings = ratingsFromArray(rows, { duplicates: "last" });
          const m = fitSync(ratings, { algorithm, factors, biases, epochs: 5 });
          for (let u = 0; u < m.numUsers; u++) {
            for (let i = 0; i < m.numItems; i++) {
              const s = m.scoreIndex(u, i);
              if (!Number.isFinite(s)) return false;
              const c = m.clip(s);
              if (c < 1 || c > 5) return false;
            }
          }
          return m.training.every((r) => Number.isFinite(r.loss));
        }),
        { numRuns: 60, seed: 42 },
      );
    });
  }
});
