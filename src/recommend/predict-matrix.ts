/** The full users × items prediction matrix (the seed's "recommendation matrix"), for small models. */
import { MfrecError } from "../core/errors.js";
import type { FactorModel } from "../model/factor-model.js";
import { finalScore } from "./predict.js";

/** Options of {@link predictMatrix}. */
export interface PredictMatrixOptions {
  /** Refuse models with more than this many users × items cells (default 1e6). */
  maxCells?: number;
  /** Clip to the rating scale like {@link predict} (default true; no effect without a scale). */
  clip?: boolean;
}

/**
 * R̂ = μ + b_u + b_i + P·Qᵀ as nested arrays (row u = user u, column i = item i, in dense-index
 * order: ids are model.userIndex.ids() and model.itemIndex.ids()). Throws E_UNSUPPORTED beyond
 * `maxCells`, because a big catalogue's full matrix is exactly what factorization avoids storing.
 */
export function predictMatrix(model: FactorModel, opts: PredictMatrixOptions = {}): number[][] {
  const maxCells = opts.maxCells ?? 1e6;
  if (!(maxCells >= 0)) throw new MfrecError("E_CONFIG", "maxCells must be a non-negative number", { value: maxCells });
  const cells = model.numUsers * model.numItems;
  if (cells > maxCells) {
    throw new MfrecError("E_UNSUPPORTED", `the full matrix has ${cells} cells, more than maxCells`, {
      value: cells,
      expected: `≤ ${maxCells}`,
      hint: "use recommend() per user, or raise maxCells",
    });
  }
  const clip = opts.clip ?? true;
  const out: number[][] = [];
  for (let u = 0; u < model.numUsers; u++) {
    const row = new Array<number>(model.numItems);
    for (let i = 0; i < model.numItems; i++) {
      const s = model.scoreIndex(u, i);
      row[i] = clip ? finalScore(model, s) : s;
    }
    out.push(row);
  }
  return out;
}
