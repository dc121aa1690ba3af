/**
 * The seed's worked example (/work/shared/seed/example.md): a k = 2 factorisation of the 3 × 5
 * target matrix reproduces its ten observed cells and predicts the five unrated ones.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromDense } from "../../src/data/ratings.js";
import { fitSync } from "../../src/train/fit.js";

const TARGET = [
  [5, 3, 0, 2, 0],
  [4, 0, 0, 1, 5],
  [0, 1, 4, 5, 4],
];
const ITEMS = ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"];

/** Settings that fit 10 cells with 16 parameters: k = 2, no biases, a tiny λ (stated in docs/algorithms.md). */
const SETTINGS = {
  als: { algorithm: "als", factors: 2, biases: false, regularization: 0.001, weightedRegularization: false, epochs: 50 },
  sgd: { algorithm: "sgd", factors: 2, biases: false, regularization: 0.001, learningRate: 0.05, learningRateDecay: 1, initStd: 0.5, epochs: 2000 },
} as const;

describe("seed example: factorise the 3 × 5 target matrix with k = 2", () => {
  const ratings = ratingsFromDense(TARGET, { items: ITEMS });
  for (const name of ["als", "sgd"] as const) {
    it(`${name} reproduces the ten observed cells (RMSE < 0.1) and predicts the five unrated ones`, () => {
      const model = fitSync(ratings, { ...SETTINGS[name] });
      assert.equal(model.factors, 2);
      assert.equal(model.numUsers, 3);
      assert.equal(model.numItems, 5);
      assert.deepEqual(model.ratingScale, [1, 5]);
      let sse = 0;
      let observed = 0;
      const unrated: number[] = [];
      for (let u = 0; u < 3; u++) {
        for (let i = 0; i < 5; i++) {
          const ui = model.userIndex.indexOf(`User ${u + 1}`);
          const ii = model.itemIndex.indexOf(ITEMS[i]!);
          const score = model.clip(model.scoreIndex(ui, ii));
          assert.ok(Number.isFinite(score), `cell (${u}, ${i}) is finite`);
          assert.ok(score >= 1 && score <= 5, `cell (${u}, ${i}) = ${score} is clipped to 1..5`);
          if (TARGET[u]![i] === 0) unrated.push(score);
          else {
            sse += (score - TARGET[u]![i]!) ** 2;
            observed++;
          }
        }
      }
      assert.equal(observed, 10);
      assert.equal(unrated.length, 5);
      const rmse = Math.sqrt(sse / observed);
      assert.ok(rmse < 0.1, `RMSE on the observed cells ${rmse}`);
      // The trainer's own report agrees with the cells (it is the RMSE before clipping).
      const last = model.training.at(-1)!;
      assert.ok(last.trainRmse! < 0.1, `reported train RMSE ${last.trainRmse}`);
      assert.equal(model.training.length, SETTINGS[name].epochs);
    });
  }
});
