/**
 * What every trainer's finish() hands the driver: its factors and biases as a FactorModel with the ids, the
 * training history and the rating scale attached the same way ({@link explicitModel}); the Bayesian samplers
 * (bpmf, bayes-fm) go through {@link stackedModel}, which stacks their kept samples first. `own` (a final
 * zero-copy finish, FinishOptions.zeroCopy) keeps the trainer's arrays instead of copies; otherwise every array
 * is copied, so a snapshot taken between epochs does not move with the next one.
 */
import type { IdIndex } from "../data/id-index.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { DenseMatrix } from "../matrix/dense.js";
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
  /** Absent: 0 (implicit models). */
  globalMean?: number;
  /** Absent: the model has no biases. */
  userBias?: Float32Array;
  itemBias?: Float32Array;
  history: CsrMatrix;
  ratingScale?: [number, number];
  /** Keep the arrays as they are (zero-copy, or arrays made for this model) instead of copying them. */
  own?: boolean;
  /** A model of implicit feedback (bpr): scores rank, they are not ratings. */
  implicit?: boolean;
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
    implicit: p.implicit,
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

/** A Bayesian sampler's state at finish: its kept samples (or the current draw before the first is kept). */
export interface StackedParts extends Omit<ExplicitParts, "width" | "P" | "Q" | "userBias" | "itemBias" | "own"> {
  /** Each sample rows × stride: the k factors in columns 0..k−1, the bias (when biased) in `userBiasColumn` / `itemBiasColumn`. */
  userSamples: readonly Float32Array[];
  itemSamples: readonly Float32Array[];
  stride: number;
  k: number;
  userBiasColumn?: number;
  itemBiasColumn?: number;
}

/**
 * The model predicting the average of the samples' predictions: its factor matrices hold the S samples side
 * by side scaled by 1/√S (width k·S), so one dot product is that average; its biases are the mean biases.
 */
export function stackedModel(p: StackedParts): FactorModel {
  const { userSamples: us, itemSamples: is, stride: w, k } = p;
  const nu = p.userIndex.size;
  const ni = p.itemIndex.size;
  return explicitModel({
    ...p,
    width: k * us.length,
    P: widen(us, nu, w, k).data,
    Q: widen(is, ni, w, k).data,
    userBias: p.userBiasColumn === undefined ? undefined : meanColumn(us, nu, w, p.userBiasColumn),
    itemBias: p.itemBiasColumn === undefined ? undefined : meanColumn(is, ni, w, p.itemBiasColumn),
    own: true,
  });
}

/** S samples (rows × w, factors in columns 0..k−1) side by side, each scaled by 1/√S: rows × k·S. */
export function widen(samples: readonly Float32Array[], rows: number, w: number, k: number): DenseMatrix {
  const s = samples.length;
  const width = k * s;
  const scale = 1 / Math.sqrt(s);
  const data = new Float32Array(rows * width);
  for (let t = 0; t < s; t++) {
    const src = samples[t]!;
    for (let r = 0; r < rows; r++) {
      const o = r * width + t * k;
      for (let f = 0; f < k; f++) data[o + f] = scale * src[r * w + f]!;
    }
  }
  return { rows, cols: width, data };
}

/** The average over samples of column `col` of rows × w matrices (the posterior-mean bias). */
/** Column `col` of S samples (rows × w), averaged: one value per row. */
export function meanColumn(samples: readonly Float32Array[], rows: number, w: number, col: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (const x of samples) s += x[r * w + col]!;
    out[r] = s / samples.length;
  }
  return out;
}
