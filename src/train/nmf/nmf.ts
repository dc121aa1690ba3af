import { MfrecError } from "../../core/errors.js";
import { explicitSquaredError, weightedSquaredNorms } from "../../kernels/explicit-loss.js";
import { nmfHalfSweep } from "./kernel.js";
import type { DenseMatrix } from "../../matrix/dense.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { explicitModel } from "../finish.js";
import { meanOf, rangeOf, uniformFactors } from "../init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "../trainer.js";

/** Resolved configuration of `nmf`: the bias keys are present only when `biases` is true (only then do they act). */
export type NmfConfig = ModelConfig & NmfSettings & { algorithm: "nmf" };

/** The keys of {@link NmfConfig} besides `algorithm`. */
export interface NmfSettings {
  factors: number;
  epochs: number;
  /** λ of the factors (Surprise's reg_pu = reg_qi), weighted by each row's rating count. */
  regularization: number;
  /** Add μ + b_u + b_i (Surprise's biased NMF). */
  biases: boolean;
  /** λ_b of the biases (only with biases). */
  regBias?: number;
  /** γ_b of the bias SGD steps (only with biases). */
  learningRateBias?: number;
  /** Factors start uniform in [initLow, initHigh), both ≥ 0. */
  initLow: number;
  initHigh: number;
  seed: number;
}

/** Surprise's NMF defaults (n_factors 15, n_epochs 50, reg_pu = reg_qi 0.06, biased False, reg_b 0.02, lr_b 0.005, init U[0, 1)). */
export const NMF_DEFAULTS: Required<NmfSettings> = {
  factors: 15,
  epochs: 50,
  regularization: 0.06,
  biases: false,
  regBias: 0.02,
  learningRateBias: 0.005,
  initLow: 0,
  initHigh: 1,
  seed: 42,
};

/** Fill defaults and validate (MfrecError E_CONFIG naming the key). */
export function resolveNmfConfig(config: Partial<ModelConfig>): NmfConfig {
  const c = config as Record<string, unknown>;
  const d = NMF_DEFAULTS;
  const biases = booleanOption(c, "biases", d.biases);
  const keys = Object.keys(d).filter((key) => biases || (key !== "regBias" && key !== "learningRateBias"));
  rejectUnknownKeys(c, keys, biases ? "nmf" : "nmf (without biases; regBias and learningRateBias need biases: true)");
  const initLow = numberOption(c, "initLow", d.initLow, { min: 0 });
  const out: NmfConfig = {
    algorithm: "nmf",
    factors: numberOption(c, "factors", d.factors, RULES.factors),
    epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
    regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
    biases,
    initLow,
    initHigh: numberOption(c, "initHigh", d.initHigh, { above: initLow }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
  };
  if (biases) {
    out.regBias = numberOption(c, "regBias", d.regBias, { min: 0 });
    out.learningRateBias = numberOption(c, "learningRateBias", d.learningRateBias, { above: 0 });
  }
  return out;
}

const EMPTY = new Float32Array(0);

/** The mutable state of one NMF fit. */
class NmfTrainer implements Trainer {
  private readonly P: DenseMatrix;
  private readonly Q: DenseMatrix;
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly mu: number;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: NmfConfig,
  ) {
    const { byUser, byItem, ratings } = data;
    const [lo] = rangeOf(ratings.values, ratings.length);
    if (lo < 0) {
      throw new MfrecError("E_OUT_OF_SCALE", "nmf needs non-negative ratings (its factors are non-negative)", {
        value: lo,
        expected: "ratings >= 0 (shift the scale, or use sgd/als)",
      });
    }
    const k = cfg.factors;
    this.P = uniformFactors(byUser.rows, k, cfg.seed, "init-users", cfg.initLow, cfg.initHigh);
    this.Q = uniformFactors(byItem.rows, k, cfg.seed, "init-items", cfg.initLow, cfg.initHigh);
    this.userBias = cfg.biases ? new Float32Array(byUser.rows) : EMPTY;
    this.itemBias = cfg.biases ? new Float32Array(byItem.rows) : EMPTY;
    this.mu = cfg.biases ? meanOf(ratings.values, ratings.length) : 0;
  }

  epoch(): EpochResult {
    const { byUser, byItem, ratings } = this.data;
    const c = this.cfg;
    const k = c.factors;
    const P = this.P.data;
    const Q = this.Q.data;
    const regBias = c.regBias ?? 0;
    const lrBias = c.learningRateBias ?? 0;
    // Users against fixed items, then items against the new users: each half-step is monotone.
    nmfHalfSweep(byUser.indptr, byUser.indices, byUser.values, P, Q, this.userBias, this.itemBias, k, this.mu, c.regularization, regBias, lrBias, 0, byUser.rows);
    nmfHalfSweep(byItem.indptr, byItem.indices, byItem.values, Q, P, this.itemBias, this.userBias, k, this.mu, c.regularization, regBias, lrBias, 0, byItem.rows);
    const sse = explicitSquaredError(byUser.indptr, byUser.indices, byUser.values, P, this.userBias, Q, this.itemBias, k, this.mu, 0, byUser.rows);
    let penalty = c.regularization * (weightedSquaredNorms(P, k, byUser.indptr, true, 0, byUser.rows) + weightedSquaredNorms(Q, k, byItem.indptr, true, 0, byItem.rows));
    if (c.biases) penalty += regBias * (weightedSquaredNorms(this.userBias, 1, byUser.indptr, true, 0, byUser.rows) + weightedSquaredNorms(this.itemBias, 1, byItem.indptr, true, 0, byItem.rows));
    return { loss: sse + penalty, trainRmse: Math.sqrt(sse / Math.max(1, ratings.length)) };
  }

  finish(): FactorModel {
    const { ratings, byUser } = this.data;
    const b = this.cfg.biases;
    return explicitModel({
      config: this.cfg,
      width: this.P.cols,
      P: this.P.data,
      Q: this.Q.data,
      userIndex: ratings.userIndex,
      itemIndex: ratings.itemIndex,
      globalMean: this.mu,
      userBias: b ? this.userBias : undefined,
      itemBias: b ? this.itemBias : undefined,
      history: byUser,
      ratingScale: rangeOf(ratings.values, ratings.length),
    });
  }
}

/**
 * `nmf`: non-negative matrix factorisation r̂ = p_u·q_i with p_u, q_i ≥ 0 (optionally + μ + b_u + b_i),
 * by multiplicative updates, users then items each epoch (Surprise's NMF updates both from one pass;
 * alternating makes the objective Σ (r − r̂)² + λ Σ n_r‖x_r‖² non-increasing without biases).
 */
export const nmf: Algorithm<NmfConfig> = {
  name: "nmf",
  description: "non-negative matrix factorisation by multiplicative updates (Surprise's NMF; optional biases)",
  implicit: false,
  resolveConfig: (config) => resolveNmfConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new NmfTrainer(data, config),
};
