import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ALS_DEFAULTS, resolveAlsConfig } from "../../../src/train/als/als.js";
import { fitSync } from "../../../src/train/fit.js";
import { listAlgorithms } from "../../../src/train/registry.js";
import { bytes, smallRatings } from "./explicit-fixtures.js";

const isConfigError = (key: string) => (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG" && e.column === key;

describe("als configuration", () => {
  it("is registered by importing fit", () => {
    assert.ok(listAlgorithms().includes("als"));
  });

  it("fills every key with its default and round-trips", () => {
    const c = resolveAlsConfig({ algorithm: "als" });
    assert.deepEqual(c, { algorithm: "als", ...ALS_DEFAULTS });
    assert.deepEqual(resolveAlsConfig(JSON.parse(JSON.stringify(c))), c);
  });

  it("regularization, when given, also sets the bias penalty unless that is given", () => {
    assert.equal(resolveAlsConfig({ algorithm: "als", regularization: 0.3 }).regBias, 0.3);
    assert.equal(resolveAlsConfig({ algorithm: "als", regularization: 0.3, regBias: 0.01 }).regBias, 0.01);
  });

  it("rejects unknown keys and bad values with E_CONFIG naming the key", () => {
    assert.throws(() => resolveAlsConfig({ algorithm: "als", factorz: 3 }), isConfigError("factorz"));
    assert.throws(() => resolveAlsConfig({ algorithm: "als", factors: 0 }), isConfigError("factors"));
    assert.throws(() => resolveAlsConfig({ algorithm: "als", factors: 2.5 }), isConfigError("factors"));
    assert.throws(() => resolveAlsConfig({ algorithm: "als", regularization: 0 }), isConfigError("regularization"));
    assert.throws(() => resolveAlsConfig({ algorithm: "als", biases: "yes" }), isConfigError("biases"));
    assert.throws(() => resolveAlsConfig({ algorithm: "als", seed: -1 }), isConfigError("seed"));
  });
});

describe("als training", () => {
  const ratings = smallRatings();

  it("never increases the objective (each half-sweep is an exact minimiser)", () => {
    for (const weightedRegularization of [true, false]) {
      const m = fitSync(ratings, { algorithm: "als", factors: 4, epochs: 8, weightedRegularization, regularization: weightedRegularization ? 0.1 : 2 });
      const losses = m.training.map((r) => r.loss);
      for (let e = 1; e < losses.length; e++) assert.ok(losses[e]! <= losses[e - 1]! * (1 + 1e-6), `loss rose at epoch ${e + 1}: ${losses}`);
      assert.ok(m.training.every((r) => r.trainRmse! > 0 && r.trainRmse! < 1.5));
    }
  });

  it("same seed → byte-identical model; another seed → different factors", () => {
    const cfg = { algorithm: "als", factors: 3, epochs: 3 };
    const a = fitSync(ratings, { ...cfg, seed: 5 });
    const b = fitSync(ratings, { ...cfg, seed: 5 });
    const c = fitSync(ratings, { ...cfg, seed: 6 });
    for (const [x, y] of [
      [a.userFactors.data, b.userFactors.data],
      [a.itemFactors.data, b.itemFactors.data],
      [a.userBias, b.userBias],
      [a.itemBias, b.itemBias],
    ] as const) {
      assert.ok(bytes(x).equals(bytes(y)));
    }
    assert.ok(!bytes(a.itemFactors.data).equals(bytes(c.itemFactors.data)));
  });

  it("builds the model: config, shapes, biases, history, rating scale", () => {
    const m = fitSync(ratings, { algorithm: "als", factors: 3, epochs: 2 });
    assert.equal(m.config.algorithm, "als");
    assert.equal(m.config.factors, 3);
    assert.equal(m.config.regularization, ALS_DEFAULTS.regularization);
    assert.equal(m.userFactors.rows, ratings.userIndex.size);
    assert.equal(m.itemFactors.rows, ratings.itemIndex.size);
    assert.equal(m.userBias!.length, ratings.userIndex.size);
    const mean = ratings.values.reduce((s, v) => s + v, 0) / ratings.length;
    assert.ok(Math.abs(m.globalMean - mean) < 1e-9);
    assert.equal(m.history!.indptr[m.history!.rows], ratings.length);
    const lo = Math.min(...ratings.values);
    const hi = Math.max(...ratings.values);
    assert.deepEqual(m.ratingScale, [lo, hi]);
    const plain = fitSync(ratings, { algorithm: "als", factors: 3, epochs: 2, biases: false });
    assert.equal(plain.userBias, undefined);
    assert.equal(plain.globalMean, 0);
  });

  it("a later epoch does not change an earlier snapshot (the model owns copies)", () => {
    const snaps: Float32Array[] = [];
    fitSync(ratings, { algorithm: "als", factors: 2, epochs: 3 }, {
      validate: (m) => {
        snaps.push(m.itemFactors.data);
        return {};
      },
    });
    assert.equal(snaps.length, 3);
    assert.ok(!bytes(snaps[0]).equals(bytes(snaps[2])));
  });
});
