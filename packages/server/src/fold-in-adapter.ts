/**
 * The one place the server asks the model layer for a folded-in user row: train/fold-in.ts's
 * foldInRow, solved with the model's own objective against its fixed item factors.
 */
import type { EntityFeatures, FactorModel } from "mfrec";
import { foldInRow as solveRow } from "mfrec/internal";

/**
 * A folded-in user row and bias for ratings `values` of distinct dense items `items` (any order), and the
 * user's features when given (a model trained with user features, hybrid or bayes-fm, adds their vectors).
 */
export function foldInRow(model: FactorModel, items: Int32Array, values: Float32Array, features?: EntityFeatures): { factors: Float32Array; bias: number } {
  const order = Array.from(items.keys()).sort((a, b) => items[a]! - items[b]!);
  const idx = Int32Array.from(order, (j) => items[j]!);
  const val = Float32Array.from(order, (j) => values[j]!);
  return solveRow(model, idx, val, "user", features === undefined ? {} : { features });
}
