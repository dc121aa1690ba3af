/**
 * Fold-in for `hybrid` models (the family's foldInRow capability): a new user's vector is their feature
 * vector (FoldInOptions.features; zeros without) plus an own part fitted to the positives of the history
 * by BPR passes (model/cold-start.ts), so features alone, ratings alone, or both give a vector.
 */
import type { FactorModel } from "../../model/factor-model.js";
import { featureVector, foldInHybridRow } from "../../model/cold-start.js";
import type { FoldedRow, FoldInOptions } from "../trainer.js";

/** The positives of a history on a hybrid model: values ≥ its positiveThreshold (every one without). */
function hybridPositives(model: FactorModel, indices: Int32Array, values: Float32Array): Int32Array {
  const t = model.config.positiveThreshold;
  if (typeof t !== "number") return indices;
  return indices.filter((_, p) => values[p]! >= t);
}

/** A user's row (the family folds in users only: an item gets its vector from its features with addItems). */
export function hybridFoldInRow(model: FactorModel, indices: Int32Array, values: Float32Array, _side: "user" | "item", opts: FoldInOptions): FoldedRow {
  const base = opts.features !== undefined ? featureVector(model, "user", opts.features).factors : new Float32Array(model.factors);
  return { factors: foldInHybridRow(model, hybridPositives(model, indices, values), base, opts), bias: 0 };
}
