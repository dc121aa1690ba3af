import { rngFor } from "../core/rng.js";
import type { DenseMatrix } from "../matrix/dense.js";

/**
 * A rows × k factor matrix with entries drawn i.i.d. from N(mean, std²), from the stream
 * rngFor(seed, purpose): the same (seed, purpose, shape) always gives the same bytes.
 * Purposes in use: "init-users", "init-items".
 */
export function normalFactors(rows: number, k: number, seed: number, purpose: string, mean: number, std: number): DenseMatrix {
  const data = new Float32Array(rows * k);
  if (std === 0) data.fill(mean);
  else rngFor(seed, purpose).fillNormal(data, mean, std);
  return { rows, cols: k, data };
}

/**
 * A rows × k factor matrix with entries drawn i.i.d. uniformly from [lo, hi), from the stream
 * rngFor(seed, purpose) (for algorithms that need non-negative starts, e.g. NMF).
 */
export function uniformFactors(rows: number, k: number, seed: number, purpose: string, lo: number, hi: number): DenseMatrix {
  const data = new Float32Array(rows * k);
  const rng = rngFor(seed, purpose);
  const w = hi - lo;
  for (let n = 0; n < data.length; n++) data[n] = lo + w * rng.next();
  return { rows, cols: k, data };
}

/** Mean of the first `length` values (0 for none), accumulated in double precision. */
export function meanOf(values: Float32Array, length = values.length): number {
  let s = 0;
  for (let n = 0; n < length; n++) s += values[n]!;
  return length === 0 ? 0 : s / length;
}

/** [min, max] of the first `length` values: the rating scale predictions are clipped to. */
export function rangeOf(values: Float32Array, length = values.length): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let n = 0; n < length; n++) {
    const v = values[n]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return length === 0 ? [0, 0] : [lo, hi];
}
