import { MfrecError } from "../../core/errors.js";
import { invertSpdInPlace } from "../../kernels/linalg.js";
import { FactorModel, type ModelConfig } from "../../model/factor-model.js";
import { numberOption, rejectUnknownKeys } from "../config.js";
import type { Algorithm, TrainingData } from "../trainer.js";

/** Defaults of `ease`: λ = 400 (the middle of the 300–500 that suits MovieLens), at most 20,000 items. */
export const EASE_DEFAULTS = { regularization: 400, maxItems: 20000 } as const;

const KEYS = ["regularization", "maxItems", "seed"] as const;

/**
 * `ease`: Steck's "Embarrassingly Shallow Autoencoders" (WWW 2019), the closed-form item-item baseline
 * for top-N lists. With X the binarized users × items matrix (1 for every stored cell, whatever its
 * value), P = (XᵀX + λI)⁻¹ and B = I − P·diag(1/diag P) (so diag B = 0), a user's scores are x_u·B.
 * It ends in the one FactorModel type: user factors = x_u (k = |I|), item factors row i = column i of B,
 * so score(u, i) = p_u·q_i and every query (recommend, evaluate) works unchanged.
 *
 * Cost: a dense |I| × |I| float64 inverse (8·|I|² bytes, |I|³ multiply-adds): seconds at 1.7k items,
 * minutes at 10k. Above `maxItems` (default 20,000) it refuses with E_TOO_LARGE naming the limit.
 */
export const ease: Algorithm = {
  name: "ease",
  description: "EASE closed-form item-item baseline for top-N lists (Steck 2019)",
  implicit: true,
  resolveConfig(config) {
    const c = config as Record<string, unknown>;
    rejectUnknownKeys(c, KEYS, "ease");
    const out: ModelConfig = {
      algorithm: "ease",
      regularization: numberOption(c, "regularization", EASE_DEFAULTS.regularization, { above: 0 }),
    };
    // A guard, not a hyper-parameter (it never changes a model it allows): kept only when given.
    if (c.maxItems !== undefined) out.maxItems = numberOption(c, "maxItems", EASE_DEFAULTS.maxItems, { min: 1, max: 65535, integer: true });
    return out;
  },
  epochs: () => 1,
  create(data: TrainingData, c: ModelConfig) {
    const nI = data.ratings.itemIndex.size;
    const nU = data.ratings.userIndex.size;
    const limit = typeof c.maxItems === "number" ? c.maxItems : EASE_DEFAULTS.maxItems;
    if (nI > limit) {
      throw new MfrecError("E_TOO_LARGE", `ease inverts a dense ${nI} × ${nI} matrix: the catalogue is above its limit of ${limit} items`, {
        value: nI,
        expected: `at most ${limit} items (maxItems; memory 8·items² bytes = ${((8 * nI * nI) / 2 ** 30).toFixed(1)} GiB here)`,
        hint: "use ials for large catalogues",
      });
    }
    let model: FactorModel | undefined;
    return {
      epoch() {
        const lambda = c.regularization as number;
        const h = data.byUser;
        // G = XᵀX + λI, user by user (each user adds the outer product of their 0/1 row).
        const G = new Float64Array(nI * nI);
        for (let u = 0; u < nU; u++) {
          const lo = h.indptr[u]!;
          const hi = h.indptr[u + 1]!;
          for (let p = lo; p < hi; p++) {
            const row = h.indices[p]! * nI;
            for (let q = lo; q < hi; q++) G[row + h.indices[q]!]! += 1;
          }
        }
        for (let i = 0; i < nI; i++) G[i * nI + i]! += lambda;
        if (!invertSpdInPlace(G, nI)) throw new MfrecError("E_DIVERGED", "ease: XᵀX + λI is not positive definite", { value: lambda, expected: "regularization > 0" });
        // B_ji = −P_ji / P_ii (j ≠ i), 0 on the diagonal; item factor row i = column i of B.
        const Q = new Float32Array(nI * nI);
        for (let i = 0; i < nI; i++) {
          const d = G[i * nI + i]!;
          const qi = i * nI;
          for (let j = 0; j < nI; j++) Q[qi + j] = j === i ? 0 : -G[j * nI + i]! / d;
        }
        const P = new Float32Array(nU * nI);
        for (let u = 0; u < nU; u++) for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) P[u * nI + h.indices[p]!] = 1;
        model = new FactorModel({
          config: c,
          userFactors: { rows: nU, cols: nI, data: P },
          itemFactors: { rows: nI, cols: nI, data: Q },
          userIndex: data.ratings.userIndex.clone(),
          itemIndex: data.ratings.itemIndex.clone(),
          history: h,
          implicit: true,
        });
        // The training loss of the closed form is not tracked: report 0 (finite, for the driver).
        return { loss: 0 };
      },
      finish() {
        if (!model) throw new MfrecError("E_UNSUPPORTED", "ease has no model before its one epoch");
        return model;
      },
    };
  },
};
