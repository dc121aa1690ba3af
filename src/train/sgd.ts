import { rngFor } from "../core/rng.js";
import { weightedSquaredNorms } from "../kernels/explicit-loss.js";
import { sgdEpoch } from "../kernels/sgd.js";
import type { DenseMatrix } from "../matrix/dense.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";
import { booleanOption, choiceOption, numberOption, rejectUnknownKeys } from "./config.js";
import { meanOf, normalFactors, rangeOf } from "./init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "./trainer.js";

/** Resolved configuration of `sgd` (every key present: plain JSON that round-trips). */
export type SgdConfig = ModelConfig & SgdSettings & { algorithm: "sgd" };

/** The keys of {@link SgdConfig} besides `algorithm`; a preset fills every one. */
export interface SgdSettings {
  /** Where unset keys come from: mfrec's tuned defaults, or Surprise's SVD defaults. */
  preset: "default" | "surprise";
  factors: number;
  epochs: number;
  /** γ of epoch 0; epoch e uses γ·learningRateDecay^e. */
  learningRate: number;
  learningRateDecay: number;
  /** λ_f of the factors (and the default of regBias when given: "regularization sets both"). */
  regularization: number;
  /** λ_b of the biases. */
  regBias: number;
  /** Learn μ + b_u + b_i (else r̂ = p_u·q_i). */
  biases: boolean;
  initMean: number;
  initStd: number;
  seed: number;
  /** Accepted for the common vocabulary; the epoch currently runs inline (results never depend on it). */
  threads: number;
}

/** mfrec's defaults for `sgd`, chosen on MovieLens 100k u1 (docs/algorithms.md has the figures). */
export const SGD_DEFAULTS: SgdSettings = {
  preset: "default",
  factors: 50,
  epochs: 40,
  learningRate: 0.02,
  learningRateDecay: 0.95,
  regularization: 0.1,
  regBias: 0.02,
  biases: true,
  initMean: 0,
  initStd: 0.1,
  seed: 42,
  threads: 1,
};

/** Surprise's SVD defaults (n_factors 100, n_epochs 20, lr_all 0.005, reg_all 0.02, init N(0, 0.1²)): `preset: "surprise"`. */
export const SURPRISE_SVD_DEFAULTS: SgdSettings = {
  preset: "surprise",
  factors: 100,
  epochs: 20,
  learningRate: 0.005,
  learningRateDecay: 1,
  regularization: 0.02,
  regBias: 0.02,
  biases: true,
  initMean: 0,
  initStd: 0.1,
  seed: 42,
  threads: 1,
};

const KEYS = Object.keys(SGD_DEFAULTS);

/** Fill defaults (from the preset) and validate (MfrecError E_CONFIG naming the key). */
export function resolveSgdConfig(config: Partial<ModelConfig>): SgdConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "sgd");
  const preset = choiceOption(c, "preset", "default", ["default", "surprise"] as const);
  const d = preset === "surprise" ? SURPRISE_SVD_DEFAULTS : SGD_DEFAULTS;
  const given = c.regularization !== undefined && c.regularization !== null;
  const regularization = numberOption(c, "regularization", d.regularization, { min: 0 });
  return {
    algorithm: "sgd",
    preset,
    factors: numberOption(c, "factors", d.factors, { min: 1, max: 4096, integer: true }),
    epochs: numberOption(c, "epochs", d.epochs, { min: 1, max: 100000, integer: true }),
    learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0 }),
    learningRateDecay: numberOption(c, "learningRateDecay", d.learningRateDecay, { above: 0, max: 1 }),
    regularization,
    regBias: numberOption(c, "regBias", given ? regularization : d.regBias, { min: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    initMean: numberOption(c, "initMean", d.initMean),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, { min: 0, max: 0xffffffff, integer: true }),
    threads: numberOption(c, "threads", d.threads, { min: 1, max: 1024, integer: true }),
  };
}

const EMPTY = new Float32Array(0);

/** The mutable state of one SGD fit. */
class SgdTrainer implements Trainer {
  private readonly P: DenseMatrix;
  private readonly Q: DenseMatrix;
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly mu: number;
  private readonly order: Int32Array;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: SgdConfig,
  ) {
    const { byUser, byItem, ratings } = data;
    const k = cfg.factors;
    this.P = normalFactors(byUser.rows, k, cfg.seed, "init-users", cfg.initMean, cfg.initStd);
    this.Q = normalFactors(byItem.rows, k, cfg.seed, "init-items", cfg.initMean, cfg.initStd);
    this.userBias = cfg.biases ? new Float32Array(byUser.rows) : EMPTY;
    this.itemBias = cfg.biases ? new Float32Array(byItem.rows) : EMPTY;
    this.mu = cfg.biases ? meanOf(ratings.values, ratings.length) : 0;
    this.order = new Int32Array(ratings.length);
  }

  epoch(epochIndex: number): EpochResult {
    const { ratings, byUser, byItem } = this.data;
    const cfg = this.cfg;
    const k = cfg.factors;
    const order = this.order;
    // The order of epoch e depends only on (seed, e), not on earlier epochs.
    for (let n = 0; n < order.length; n++) order[n] = n;
    rngFor(cfg.seed, "sgd-shuffle", epochIndex).shuffle(order);
    const lr = cfg.learningRate * cfg.learningRateDecay ** epochIndex;
    const P = this.P.data;
    const Q = this.Q.data;
    const sse = sgdEpoch(ratings.users, ratings.items, ratings.values, order, 0, order.length, P, Q, this.userBias, this.itemBias, k, this.mu, lr, cfg.regBias, cfg.regularization);
    // SGD regularizes per rating, so the objective weights each row's penalty by its count n_r.
    let reg = cfg.regularization * (weightedSquaredNorms(P, k, byUser.indptr, true, 0, byUser.rows) + weightedSquaredNorms(Q, k, byItem.indptr, true, 0, byItem.rows));
    if (cfg.biases) {
      reg += cfg.regBias * (weightedSquaredNorms(this.userBias, 1, byUser.indptr, true, 0, byUser.rows) + weightedSquaredNorms(this.itemBias, 1, byItem.indptr, true, 0, byItem.rows));
    }
    return { loss: sse + reg, trainRmse: Math.sqrt(sse / Math.max(1, ratings.length)) };
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
 * `sgd`: biased matrix factorisation r̂ = μ + b_u + b_i + p_u·q_i by stochastic gradient descent over
 * the ratings in a seeded random order each epoch (Surprise's SVD, LIBMF's MF). Minimises
 * Σ_{(u,i)} [(r − r̂)² + λ_b(b_u² + b_i²) + λ_f(‖p_u‖² + ‖q_i‖²)]. The reported loss and trainRmse
 * use the errors seen during the pass (each just before its update), as LIBMF reports them.
 */
export const sgd: Algorithm<SgdConfig> = {
  name: "sgd",
  description: "biased matrix factorisation by stochastic gradient descent (Funk SVD; Surprise SVD with preset surprise)",
  implicit: false,
  resolveConfig: (config) => resolveSgdConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new SgdTrainer(data, config),
};
