/**
 * Fold-in for `hybrid` models (the family's foldInRow capability): a new user's vector is their feature
 * vector (FoldInOptions.features; zeros without) plus an own part fitted to the history. Ranking losses
 * (warp, bpr): the own part is fitted to the history's positives by BPR passes (model/cold-start.ts).
 * Loss "squared": the own part and an own bias are the ridge least-squares fit of the ratings'
 * residuals r − μ − b_i − b_f − p_f·q_i (p_f, b_f the features' vector and bias), the explicit ALS row
 * solve with λ·n; so features alone, ratings alone, or both give a vector.
 */
import { alsExplicitHalfSweep } from "../../kernels/als-explicit.js";
import type { FactorModel } from "../../model/factor-model.js";
import { featureVector, foldInHybridRow } from "../../model/cold-start.js";
import type { FoldedRow, FoldInOptions } from "../trainer.js";

/** The positives of a history on a hybrid model: values ≥ its positiveThreshold (every one without). */
function hybridPositives(model: FactorModel, indices: Int32Array, values: Float32Array): Int32Array {
  const t = model.config.positiveThreshold;
  if (typeof t !== "number") return indices;
  return indices.filter((_, p) => values[p]! >= t);
}

/** Loss "squared": base (+ bias) from features, then the ridge fit of the residuals. */
function squaredFoldInRow(model: FactorModel, indices: Int32Array, values: Float32Array, base: Float32Array, baseBias: number): FoldedRow {
  const k = model.factors;
  const Q = model.itemFactors.data;
  const residual = new Float32Array(indices.length);
  for (let p = 0; p < indices.length; p++) {
    const o = indices[p]! * k;
    let s = baseBias;
    for (let f = 0; f < k; f++) s += base[f]! * Q[o + f]!;
    residual[p] = values[p]! - s;
  }
  const x = new Float32Array(k);
  const xBias = new Float32Array(1);
  const lambda = typeof model.config.regularization === "number" ? Math.max(model.config.regularization, 1e-3) : 0.05;
  const itemBias = model.itemBias ?? new Float32Array(model.numItems);
  if (indices.length > 0) alsExplicitHalfSweep(Int32Array.of(0, indices.length), indices, residual, x, xBias, Q, itemBias, k, model.globalMean, lambda, lambda, true, 0, 1);
  const out = new Float32Array(k);
  for (let f = 0; f < k; f++) out[f] = base[f]! + x[f]!;
  return { factors: out, bias: baseBias + xBias[0]! };
}

/** A user's row (the family folds in users only: an item gets its vector from its features with addItems). */
export function hybridFoldInRow(model: FactorModel, indices: Int32Array, values: Float32Array, _side: "user" | "item", opts: FoldInOptions): FoldedRow {
  const fv = opts.features !== undefined ? featureVector(model, "user", opts.features) : undefined;
  const base = fv ? fv.factors : new Float32Array(model.factors);
  if (model.config.loss === "squared") return squaredFoldInRow(model, indices, values, base, fv ? fv.bias : 0);
  return { factors: foldInHybridRow(model, hybridPositives(model, indices, values), base, opts), bias: 0 };
}
