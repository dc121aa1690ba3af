import { rngFor } from "../../../src/core/rng.js";
import { FactorModel, type ModelConfig } from "../../../src/model/factor-model.js";
import { numberOption, rejectUnknownKeys } from "../../../src/train/config.js";
import { registerAlgorithm } from "../../../src/train/registry.js";
import type { Algorithm, TrainingData } from "../../../src/train/trainer.js";

/**
 * A small biased-MF SGD trainer registered as "toy-sgd", so the evaluation tests do not depend on
 * the production trainers' internals: seeded init, fixed visiting order, r̂ = μ + b_u + b_i + p·q.
 */
type ToyConfig = ModelConfig & { factors: number; epochs: number; learningRate: number; regularization: number; seed: number };

export const toySgd: Algorithm<ToyConfig> = {
  name: "toy-sgd",
  description: "test-only biased MF by SGD",
  implicit: false,
  resolveConfig(c) {
    rejectUnknownKeys(c, ["factors", "epochs", "learningRate", "regularization", "seed"], "toy-sgd");
    return {
      algorithm: "toy-sgd",
      factors: numberOption(c, "factors", 4, { min: 1, integer: true }),
      epochs: numberOption(c, "epochs", 10, { min: 1, integer: true }),
      learningRate: numberOption(c, "learningRate", 0.01, { above: 0 }),
      regularization: numberOption(c, "regularization", 0.05, { min: 0 }),
      seed: numberOption(c, "seed", 0, { integer: true }),
    };
  },
  epochs: (c) => c.epochs,
  create(data: TrainingData, c: ToyConfig) {
    const { ratings, byUser } = data;
    const nu = ratings.userIndex.size;
    const ni = ratings.itemIndex.size;
    const k = c.factors;
    const P = new Float32Array(nu * k);
    const Q = new Float32Array(ni * k);
    rngFor(c.seed, "toy-init-users").fillNormal(P, 0, 0.1);
    rngFor(c.seed, "toy-init-items").fillNormal(Q, 0, 0.1);
    const bu = new Float32Array(nu);
    const bi = new Float32Array(ni);
    let mu = 0;
    for (let n = 0; n < ratings.length; n++) mu += ratings.values[n]!;
    mu /= Math.max(1, ratings.length);
    const snapshot = () =>
      new FactorModel({
        config: { ...c },
        userFactors: { rows: nu, cols: k, data: P.slice() },
        itemFactors: { rows: ni, cols: k, data: Q.slice() },
        userIndex: ratings.userIndex,
        itemIndex: ratings.itemIndex,
        globalMean: mu,
        userBias: bu.slice(),
        itemBias: bi.slice(),
        history: byUser,
        ratingScale: [1, 5],
      });
    return {
      epoch() {
        const lr = c.learningRate;
        const reg = c.regularization;
        let se = 0;
        for (let n = 0; n < ratings.length; n++) {
          const u = ratings.users[n]!;
          const i = ratings.items[n]!;
          let s = mu + bu[u]! + bi[i]!;
          for (let f = 0; f < k; f++) s += P[u * k + f]! * Q[i * k + f]!;
          const e = ratings.values[n]! - s;
          se += e * e;
          bu[u]! += lr * (e - reg * bu[u]!);
          bi[i]! += lr * (e - reg * bi[i]!);
          for (let f = 0; f < k; f++) {
            const p = P[u * k + f]!;
            const q = Q[i * k + f]!;
            P[u * k + f] = p + lr * (e * q - reg * p);
            Q[i * k + f] = q + lr * (e * p - reg * q);
          }
        }
        return { loss: se, trainRmse: Math.sqrt(se / Math.max(1, ratings.length)) };
      },
      finish: snapshot,
    };
  },
};

registerAlgorithm(toySgd);
