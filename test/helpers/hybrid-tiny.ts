/**
 * The hand-checked hybrid state (loss "squared", k = 1, one rating 4 with μ = 3): one user (id row 0,
 * vector 0.5, bias 0.1) and one item with an id row (weight 1, vector 0.2) and a feature row (weight 0.5,
 * vector 0.4, bias 0.2); learning rate 0.1, λ 0 on id rows and 0.5 on feature rows. hybrid-squared.test.ts
 * checks one step of it by hand, hybrid-wasm.test.ts runs the same step in kernel memory.
 */
import type { HybridState } from "../../src/train/hybrid/kernel.js";

export function tinySquaredState(): HybridState {
  return {
    k: 1,
    users: { indptr: Int32Array.of(0, 1), rows: Int32Array.of(0), weights: Float32Array.of(1), idRows: 1 },
    items: { indptr: Int32Array.of(0, 2), rows: Int32Array.of(0, 1), weights: Float32Array.of(1, 0.5), idRows: 1 },
    U: { vectors: Float32Array.of(0.5), vectorAcc: Float32Array.of(1), bias: Float32Array.of(0.1), biasAcc: Float32Array.of(1) },
    V: { vectors: Float32Array.of(0.2, 0.4), vectorAcc: Float32Array.of(1, 1), bias: Float32Array.of(0, 0.2), biasAcc: Float32Array.of(1, 1) },
    posUser: Int32Array.of(0),
    posItem: Int32Array.of(0),
    posIndptr: Int32Array.of(0, 0),
    posSorted: new Int32Array(0),
    negativePool: new Int32Array(0),
    loss: "squared",
    values: Float32Array.of(4),
    globalMean: 3,
    learningRate: 0.1,
    regularization: 0,
    featureRegularization: 0.5,
    idDropout: 0,
    maxSampled: 1,
  };
}
