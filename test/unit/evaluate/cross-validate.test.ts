import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { generateRatings } from "../../../src/data/synthetic.js";
import { crossValidate, summarize } from "../../../src/evaluate/cross-validate.js";
import { fitWithEarlyStopping } from "../../../src/evaluate/early-stopping.js";
import { evaluateModel } from "../../../src/evaluate/evaluate-model.js";
import { kFoldSplit, userSplit } from "../../../src/evaluate/splits.js";
import { gridConfigs, randomConfigs, tune } from "../../../src/evaluate/tune.js";
import { fitSync } from "../../../src/train/fit.js";
import "./toy-algorithm.js";

const data = generateRatings({ users: 80, items: 60, ratings: 2400, rank: 4, seed: 7 });
const base = { algorithm: "toy-sgd", factors: 4, epochs: 6, seed: 1 };

describe("crossValidate", () => {
  it("fits each fold, reports metrics per fold, and their mean and std", () => {
    const folds = kFoldSplit(data, { folds: 3, seed: 5 });
    const seen: number[] = [];
    const cv = crossValidate(base, folds, { metrics: "rmse,mae,ndcg@5", onFold: (f) => seen.push(f) });
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(cv.folds.length, 3);
    cv.folds.forEach((f, i) => {
      // Each fold equals an independent fit and evaluation (deterministic per seed).
      const again = evaluateModel(fitSync(folds[i]!.train, base), folds[i]!.test, { metrics: "rmse,mae,ndcg@5" }).metrics;
      assert.deepEqual(f.metrics, again);
      assert.equal(f.trainRatings + f.testRatings, data.length);
    });
    const rmses = cv.folds.map((f) => f.metrics.rmse!);
    const m = rmses.reduce((s, v) => s + v, 0) / 3;
    assert.ok(Math.abs(cv.mean.rmse! - m) < 1e-12);
    assert.ok(Math.abs(cv.std.rmse! - Math.sqrt(rmses.reduce((s, v) => s + (v - m) ** 2, 0) / 3)) < 1e-12);
    assert.ok(cv.mean.rmse! > 0.3 && cv.mean.rmse! < 1.5, `rmse ${cv.mean.rmse}`);
  });
  it("summarize: hand-computed mean and population std", () => {
    const s = summarize([{ a: 1 }, { a: 3 }]);
    assert.equal(s.mean.a, 2);
    assert.equal(s.std.a, 1);
  });
  it("no folds is an error", () => {
    assert.throws(() => crossValidate(base, []), (e) => isMfrecError(e, "E_CONFIG"));
  });
});

describe("tune", () => {
  const space = { factors: [2, 6], regularization: [0.01, 0.2] };
  it("grid search tries every combination on a validation split of the training data and keeps the best", () => {
    assert.equal(gridConfigs(space).length, 4);
    const r = tune(data, base, space, { seed: 3, metric: "rmse", validationFraction: 0.25 });
    assert.equal(r.trials.length, 4);
    const scores = r.trials.map((t) => t.score!);
    assert.equal(r.best.score, Math.min(...scores));
    assert.equal(r.validation.trainRatings + r.validation.testRatings, data.length);
    assert.equal(r.best.config.factors, r.best.params.factors);
    assert.equal(r.best.config.algorithm, "toy-sgd");
  });
  it("same seed and space ⇒ same trials and same best config", () => {
    const rs = { factors: [2, 4, 6], learningRate: { min: 0.002, max: 0.05, log: true }, epochs: { min: 2, max: 8, integer: true } };
    const a = tune(data, base, rs, { strategy: "random", trials: 4, seed: 11, metric: "ndcg@5" });
    const b = tune(data, base, rs, { strategy: "random", trials: 4, seed: 11, metric: "ndcg@5" });
    assert.deepEqual(a.trials.map((t) => [t.params, t.score]), b.trials.map((t) => [t.params, t.score]));
    assert.deepEqual(a.best.config, b.best.config);
    assert.equal(a.higherIsBetter, true);
    assert.equal(a.best.score, Math.max(...a.trials.map((t) => t.score!)));
    assert.notDeepEqual(randomConfigs(rs, 4, 11), randomConfigs(rs, 4, 12));
    for (const c of randomConfigs(rs, 20, 1)) {
      assert.ok((c.learningRate as number) >= 0.002 && (c.learningRate as number) <= 0.05);
      assert.ok(Number.isInteger(c.epochs));
    }
  });
  it("bad spaces are E_CONFIG", () => {
    assert.throws(() => tune(data, base, {}), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => gridConfigs({ regularization: { min: 0, max: 1 } }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => gridConfigs({ regularization: { min: 0, max: 1, log: true, steps: 3 } }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.deepEqual(gridConfigs({ r: { min: 1, max: 100, log: true, steps: 3 } }).map((c) => Math.round(c.r as number)), [1, 10, 100]);
  });
});

describe("early stopping", () => {
  it("stops after `patience` epochs without improvement and returns the best epoch's model", () => {
    const { train, test: validation } = userSplit(data, { testFraction: 0.2, seed: 2 });
    // Many factors, no regularization, a large step: validation RMSE turns up within a few epochs.
    const config = { algorithm: "toy-sgd", factors: 20, epochs: 80, learningRate: 0.05, regularization: 0, seed: 4 };
    const r = fitWithEarlyStopping(train, config, validation, { patience: 3, metric: "rmse" });
    assert.equal(r.stoppedEarly, true);
    assert.equal(r.epochsRun, r.bestEpoch + 3);
    assert.ok(r.bestEpoch < 80);
    const best = Math.min(...r.history.map((h) => h.validation!.rmse!));
    assert.equal(r.bestScore, best);
    // The returned model is the refit for bestEpoch epochs: its validation RMSE is the best one.
    assert.equal(evaluateModel(r.model, validation, { metrics: "rmse" }).metrics.rmse, best);
    assert.equal(r.model.training.length, r.bestEpoch);
  });
  it("tune with early stopping records each trial's best epoch in the best config", () => {
    const r = tune(data, { ...base, epochs: 40, learningRate: 0.05, regularization: 0 }, { factors: [10, 20] }, { seed: 1, earlyStopping: { patience: 2 } });
    for (const t of r.trials) assert.ok(t.bestEpoch! >= 1 && t.bestEpoch! <= 40);
    assert.equal(r.best.config.epochs, r.trials[r.best.trial]!.bestEpoch);
  });
});
