import { deriveSeed, rngFor } from "../core/rng.js";
import { bprEpoch } from "../kernels/bpr.js";
import { sortRowIndices } from "../matrix/csr.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "./config.js";
import type { Algorithm } from "./trainer.js";

const KEYS = ["factors", "epochs", "learningRate", "regularization", "itemBias", "seed", "threads"] as const;

/** Defaults of `bpr`. */
export const BPR_DEFAULTS = { factors: 64, epochs: 40, learningRate: 0.05, regularization: 0.01, itemBias: true, seed: 42 } as const;

/**
 * `bpr`: Bayesian personalised ranking (Rendle et al. 2009), maximising Σ ln σ(x̂_ui − x̂_uj)
 * − reg‖θ‖² by SGD over sampled triples; one epoch = as many triples as training interactions,
 * drawn from rngFor(seed, "bpr", epoch) (deterministic for a seed). x̂_ui = b_i + p_u·q_i.
 */
export const bpr: Algorithm = {
  name: "bpr",
  description: "Bayesian personalised ranking by SGD with seeded negative sampling",
  implicit: true,
  resolveConfig(config) {
    const c = config as Record<string, unknown>;
    rejectUnknownKeys(c, KEYS, "bpr");
    const d = BPR_DEFAULTS;
    const resolved: ModelConfig = {
      algorithm: "bpr",
      factors: numberOption(c, "factors", d.factors, RULES.factors),
      epochs: numberOption(c, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
      learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0, max: 10 }),
      regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
      itemBias: booleanOption(c, "itemBias", d.itemBias),
      seed: numberOption(c, "seed", d.seed, RULES.seed),
    };
    if (c.threads !== undefined) resolved.threads = numberOption(c, "threads", 1, RULES.threads);
    return resolved;
  },
  epochs: (c) => c.epochs as number,
  create(data, c) {
    const k = c.factors as number;
    const seed = c.seed as number;
    const byUser = sortRowIndices(data.byUser);
    const nU = byUser.rows;
    const nI = byUser.cols;
    const P = new Float32Array(nU * k);
    const Q = new Float32Array(nI * k);
    rngFor(seed, "init-users").fillNormal(P, 0, 0.1);
    rngFor(seed, "init-items").fillNormal(Q, 0, 0.1);
    const itemBias = c.itemBias ? new Float32Array(nI) : null;
    const args = {
      indptr: byUser.indptr,
      indices: byUser.indices,
      P,
      Q,
      itemBias,
      k,
      nItems: nI,
      learningRate: c.learningRate as number,
      regularization: c.regularization as number,
      biasRegularization: c.regularization as number,
    };
    const nnz = byUser.indptr[nU]!;
    return {
      epoch(e) {
        const r = bprEpoch(args, 0, nU, nnz, deriveSeed(seed, "bpr", e));
        return { loss: r.steps === 0 ? 0 : r.loss / r.steps };
      },
      finish() {
        return new FactorModel({
          config: c,
          userFactors: { rows: nU, cols: k, data: P.slice() },
          itemFactors: { rows: nI, cols: k, data: Q.slice() },
          userIndex: data.ratings.userIndex.clone(),
          itemIndex: data.ratings.itemIndex.clone(),
          itemBias: itemBias ? itemBias.slice() : undefined,
          history: byUser,
          implicit: true,
        });
      },
    };
  },
};
