import type { DenseMatrix } from "../matrix/dense.js";
import { alsExplicitHalfSweep } from "../kernels/als-explicit.js";
import { explicitSquaredError, weightedSquaredNorms } from "../kernels/explicit-loss.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";
import { booleanOption, numberOption, rejectUnknownKeys } from "./config.js";
import { meanOf, normalFactors, rangeOf } from "./init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "./trainer.js";

/** Resolved configuration of explicit ALS (every key present: plain JSON that round-trips). */
export type AlsConfig = ModelConfig & AlsSettings & { algorithm: "als" };

/** The keys of {@link AlsConfig} besides `algorithm`. */
export interface AlsSettings {
  /** Latent dimensions k. */
  factors: number;
  /** Iterations; each is a user half-sweep then an item half-sweep. */
  epochs: number;
  /** λ of the ridge penalty on every row's factors (and bias). */
  regularization: number;
  /** λ of the bias terms (defaults to `regularization` when that is given). */
  regBias: number;
  /** Learn μ + b_u + b_i jointly with the factors (one more column in each row's solve). */
  biases: boolean;
  /** ALS-WR: scale λ by each row's rating count n_r (Zhou et al. 2008). */
  weightedRegularization: boolean;
  /** Standard deviation of the N(0, σ²) start of the item factors (the user half-sweep comes first). */
  initStd: number;
  seed: number;
  /** Accepted for the common vocabulary; the sweep currently runs inline (results never depend on it). */
  threads: number;
}

/** Defaults of `als`, chosen on MovieLens 100k u1 (docs/algorithms.md has the figures). */
export const ALS_DEFAULTS: AlsSettings = {
  factors: 40,
  epochs: 10,
  regularization: 0.13,
  regBias: 0.05,
  biases: true,
  weightedRegularization: true,
  initStd: 0.1,
  seed: 42,
  threads: 1,
};

const KEYS = Object.keys(ALS_DEFAULTS);

/** Fill defaults and validate (MfrecError E_CONFIG naming the key). */
export function resolveAlsConfig(config: Partial<ModelConfig>): AlsConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "als");
  const d = ALS_DEFAULTS;
  // λ > 0 keeps every row's system positive definite (a row with fewer ratings than factors needs it).
  const given = c.regularization !== undefined && c.regularization !== null;
  const regularization = numberOption(c, "regularization", d.regularization, { above: 0 });
  return {
    algorithm: "als",
    factors: numberOption(c, "factors", d.factors, { min: 1, max: 4096, integer: true }),
    epochs: numberOption(c, "epochs", d.epochs, { min: 1, max: 100000, integer: true }),
    regularization,
    regBias: numberOption(c, "regBias", given ? regularization : d.regBias, { min: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    weightedRegularization: booleanOption(c, "weightedRegularization", d.weightedRegularization),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, { min: 0, max: 0xffffffff, integer: true }),
    threads: numberOption(c, "threads", d.threads, { min: 1, max: 1024, integer: true }),
  };
}

const EMPTY = new Float32Array(0);

/** The mutable state of one ALS fit. */
class AlsTrainer implements Trainer {
  private readonly P: DenseMatrix;
  private readonly Q: DenseMatrix;
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly mu: number;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: AlsConfig,
  ) {
    const { byUser, byItem, ratings } = data;
    const k = cfg.factors;
    // P is overwritten by the first user half-sweep; only Q's start matters.
    this.P = { rows: byUser.rows, cols: k, data: new Float32Array(byUser.rows * k) };
    this.Q = normalFactors(byItem.rows, k, cfg.seed, "init-items", 0, cfg.initStd);
    this.userBias = cfg.biases ? new Float32Array(byUser.rows) : EMPTY;
    this.itemBias = cfg.biases ? new Float32Array(byItem.rows) : EMPTY;
    this.mu = cfg.biases ? meanOf(ratings.values, ratings.length) : 0;
  }

  epoch(): EpochResult {
    const { byUser, byItem } = this.data;
    const { factors: k, regularization: reg, weightedRegularization: w } = this.cfg;
    const P = this.P.data;
    const Q = this.Q.data;
    alsExplicitHalfSweep(byUser.indptr, byUser.indices, byUser.values, P, this.userBias, Q, this.itemBias, k, this.mu, reg, this.cfg.regBias, w, 0, byUser.rows);
    alsExplicitHalfSweep(byItem.indptr, byItem.indices, byItem.values, Q, this.itemBias, P, this.userBias, k, this.mu, reg, this.cfg.regBias, w, 0, byItem.rows);
    const sse = explicitSquaredError(byUser.indptr, byUser.indices, byUser.values, P, this.userBias, Q, this.itemBias, k, this.mu, 0, byUser.rows);
    let penalty = reg * (weightedSquaredNorms(P, k, byUser.indptr, w, 0, byUser.rows) + weightedSquaredNorms(Q, k, byItem.indptr, w, 0, byItem.rows));
    if (this.cfg.biases) {
      penalty += this.cfg.regBias * (weightedSquaredNorms(this.userBias, 1, byUser.indptr, w, 0, byUser.rows) + weightedSquaredNorms(this.itemBias, 1, byItem.indptr, w, 0, byItem.rows));
    }
    const n = this.data.ratings.length;
    return { loss: sse + penalty, trainRmse: Math.sqrt(sse / n) };
  }

  finish(): FactorModel {
    const { ratings, byUser } = this.data;
    return new FactorModel({
      config: { ...this.cfg },
      userFactors: { rows: this.P.rows, cols: this.P.cols, data: this.P.data.slice() },
      itemFactors: { rows: this.Q.rows, cols: this.Q.cols, data: this.Q.data.slice() },
      userIndex: ratings.userIndex,
      itemIndex: ratings.itemIndex,
      globalMean: this.mu,
      userBias: this.cfg.biases ? this.userBias.slice() : undefined,
      itemBias: this.cfg.biases ? this.itemBias.slice() : undefined,
      history: byUser,
      ratingScale: rangeOf(ratings.values, ratings.length),
    });
  }
}

/**
 * `als`: explicit alternating least squares, r̂ = μ + b_u + b_i + p_u·q_i (biases optional). Each
 * iteration solves every user row exactly with the items fixed, then every item row with the users
 * fixed, minimising Σ (r − r̂)² + λ Σ_u w_u(‖p_u‖² + b_u²) + λ Σ_i w_i(‖q_i‖² + b_i²), w = n_r (ALS-WR) or 1.
 */
export const als: Algorithm<AlsConfig> = {
  name: "als",
  description: "explicit alternating least squares with optional biases and ALS-WR regularization (exact Cholesky solves)",
  implicit: false,
  resolveConfig: (config) => resolveAlsConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new AlsTrainer(data, config),
};
