import { rngFor } from "../core/rng.js";
import { fullGramian, regularizationLoss, type WeightedAlsArgs, weightedAlsHalfSweep, weightedAlsLoss } from "../kernels/implicit-als.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";
import { entryWeights, type WeightedAlsSpec } from "../model/implicit-weights.js";
import type { Trainer, TrainingData } from "./trainer.js";

/**
 * The trainer shared by `ials` and `wals`: alternating exact (Cholesky) or CG solves of the
 * weighted objective in kernels/implicit-als.ts, one half-sweep kernel for both sides on the CSR
 * and its transpose. Each epoch solves items, then users, so the final user rows are solves
 * against the final item matrix (fold-in of a training user reproduces its row).
 * Factors start N(0, (0.1/√k)²) from rngFor(seed, "init-users" | "init-items").
 */
export function createWeightedAlsTrainer(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): Trainer {
  const { byUser, byItem } = data;
  const nU = byUser.rows;
  const nI = byItem.rows;
  const X = new Float32Array(nU * k);
  const Y = new Float32Array(nI * k);
  const std = 0.1 / Math.sqrt(k);
  rngFor(seed, "init-users").fillNormal(X, 0, std);
  rngFor(seed, "init-items").fillNormal(Y, 0, std);
  const wu = entryWeights(byUser.values, spec);
  const wi = entryWeights(byItem.values, spec);
  const common = { k, w0: spec.w0, lambda: spec.lambda, nu: spec.nu, solver: spec.solver, cgSteps: spec.cgSteps };
  const userArgs = (gram: Float64Array): WeightedAlsArgs => ({ ...common, indptr: byUser.indptr, indices: byUser.indices, extra: wu.extra, target: wu.target, X, Y, gram, nCols: nI });
  const itemArgs = (gram: Float64Array): WeightedAlsArgs => ({ ...common, indptr: byItem.indptr, indices: byItem.indices, extra: wi.extra, target: wi.target, X: Y, Y: X, gram, nCols: nU });
  return {
    epoch() {
      weightedAlsHalfSweep(itemArgs(fullGramian(X, nU, k)), 0, nI);
      const ua = userArgs(fullGramian(Y, nI, k));
      weightedAlsHalfSweep(ua, 0, nU);
      const loss = weightedAlsLoss(ua, 0, nU) + regularizationLoss(byItem.indptr, Y, k, spec.lambda, spec.nu, spec.w0, nU, 0, nI);
      return { loss };
    },
    finish() {
      return new FactorModel({
        config,
        userFactors: { rows: nU, cols: k, data: X.slice() },
        itemFactors: { rows: nI, cols: k, data: Y.slice() },
        userIndex: data.ratings.userIndex.clone(),
        itemIndex: data.ratings.itemIndex.clone(),
        history: byUser,
        implicit: true,
      });
    },
  };
}
