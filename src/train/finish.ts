/**
 * What every explicit trainer's finish() hands the driver: its factors and biases as a FactorModel with the
 * ids, the training history and the rating scale attached the same way. `own` (a final zero-copy finish,
 * FinishOptions.zeroCopy) keeps the trainer's arrays instead of copies; otherwise every array is copied, so
 * a snapshot taken between epochs does not move with the next one.
 */
import type { IdIndex } from "../data/id-index.js";
import type { CsrMatrix } from "../matrix/csr.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";

export interface ExplicitParts {
  config: ModelConfig;
  /** Width of a factor row (k; bpmf's stacked samples are wider). */
  width: number;
  /** users × width and items × width, row-major. */
  P: Float32Array;
  Q: Float32Array;
  userIndex: IdIndex;
  itemIndex: IdIndex;
  globalMean: number;
  /** Absent: the model has no biases. */
  userBias?: Float32Array;
  itemBias?: Float32Array;
  history: CsrMatrix;
  ratingScale?: [number, number];
  /** Keep the arrays as they are (zero-copy, or arrays made for this model) instead of copying them. */
  own?: boolean;
}

export function explicitModel(p: ExplicitParts): FactorModel {
  const keep = (a: Float32Array): Float32Array => (p.own ? a : a.slice());
  return new FactorModel({
    config: { ...p.config },
    userFactors: { rows: p.userIndex.size, cols: p.width, data: keep(p.P) },
    itemFactors: { rows: p.itemIndex.size, cols: p.width, data: keep(p.Q) },
    userIndex: p.userIndex,
    itemIndex: p.itemIndex,
    globalMean: p.globalMean,
    userBias: p.userBias && keep(p.userBias),
    itemBias: p.itemBias && keep(p.itemBias),
    history: p.history,
    ratingScale: p.ratingScale,
  });
}

/**
 * The model's history from a CSR in kernel memory: its own arrays for a zero-copy finish, else heap copies (a
 * snapshot or a rating part before a ranking part must not keep, nor share, the fit's kernel memory).
 */
export function historyOf(m: CsrMatrix, own: boolean): CsrMatrix {
  const n = m.indptr[m.rows]!;
  const indptr = m.indptr.subarray(0, m.rows + 1);
  const indices = m.indices.subarray(0, n);
  const values = m.values.subarray(0, n);
  if (own) return { rows: m.rows, cols: m.cols, indptr, indices, values };
  return { rows: m.rows, cols: m.cols, indptr: indptr.slice(), indices: indices.slice(), values: values.slice() };
}
