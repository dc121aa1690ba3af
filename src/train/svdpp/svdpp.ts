import { svdppEpoch, svdppFoldUsers } from "./kernel.js";
import type { DenseMatrix } from "../../matrix/dense.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { booleanOption, choiceOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { explicitModel } from "../finish.js";
import { meanOf, normalFactors, rangeOf } from "../init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "../trainer.js";

/** Resolved configuration of `svdpp` (every key present: plain JSON that round-trips). */
export type SvdppConfig = ModelConfig & Omit<SvdppSettings, "regularization"> & { algorithm: "svdpp" };

/** The keys of {@link SvdppConfig} besides `algorithm`. */
export interface SvdppSettings {
  /** Where unset keys come from: mfrec's defaults or Surprise's SVDpp defaults. */
  preset: "default" | "surprise";
  factors: number;
  epochs: number;
  /** γ of epoch 0; epoch e uses γ·learningRateDecay^e. */
  learningRate: number;
  learningRateDecay: number;
  /** Input shorthand: when given, the default of regBias, regFactors and regImplicit (not kept in the resolved config). */
  regularization: number;
  /** λ_b of b_u, b_i. */
  regBias: number;
  /** λ_f of p_u, q_i. */
  regFactors: number;
  /** λ_y of the implicit factors y_j. */
  regImplicit: number;
  biases: boolean;
  initMean: number;
  initStd: number;
  seed: number;
}

/** Surprise's SVDpp defaults (n_factors 20, n_epochs 20, lr_all 0.007, reg_all 0.02, init N(0, 0.1²)): `preset: "surprise"`. */
export const SURPRISE_SVDPP_DEFAULTS: SvdppSettings = {
  preset: "surprise",
  factors: 20,
  epochs: 20,
  learningRate: 0.007,
  learningRateDecay: 1,
  regularization: 0.02,
  regBias: 0.02,
  regFactors: 0.02,
  regImplicit: 0.02,
  biases: true,
  initMean: 0,
  initStd: 0.1,
  seed: 42,
};

/** mfrec's defaults for `svdpp`, chosen on MovieLens 100k u1 (0.930 vs 0.932 for the Surprise preset; docs/accuracy.md). */
export const SVDPP_DEFAULTS: SvdppSettings = {
  ...SURPRISE_SVDPP_DEFAULTS,
  preset: "default",
  factors: 50,
  epochs: 30,
  learningRate: 0.02,
  learningRateDecay: 0.92,
  regFactors: 0.05,
  regImplicit: 0.05,
};

const KEYS = Object.keys(SVDPP_DEFAULTS);

/** Fill defaults (from the preset) and validate (MfrecError E_CONFIG naming the key). */
export function resolveSvdppConfig(config: Partial<ModelConfig>): SvdppConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "svdpp");
  const preset = choiceOption(c, "preset", "default", ["default", "surprise"] as const);
  const d = preset === "surprise" ? SURPRISE_SVDPP_DEFAULTS : SVDPP_DEFAULTS;
  const given = c.regularization !== undefined && c.regularization !== null;
  const regularization = numberOption(c, "regularization", d.regularization, { min: 0 });
  return {
    algorithm: "svdpp",
    preset,
    factors: numberOption(c, "factors", d.factors, RULES.factors),
    epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
    learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0 }),
    learningRateDecay: numberOption(c, "learningRateDecay", d.learningRateDecay, { above: 0, max: 1 }),
    regBias: numberOption(c, "regBias", given ? regularization : d.regBias, { min: 0 }),
    regFactors: numberOption(c, "regFactors", given ? regularization : d.regFactors, { min: 0 }),
    regImplicit: numberOption(c, "regImplicit", given ? regularization : d.regImplicit, { min: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    initMean: numberOption(c, "initMean", d.initMean),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
  };
}

const EMPTY = new Float32Array(0);

/** The mutable state of one SVD++ fit. */
class SvdppTrainer implements Trainer {
  private readonly P: DenseMatrix;
  private readonly Q: DenseMatrix;
  private readonly Y: DenseMatrix;
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly mu: number;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: SvdppConfig,
  ) {
    const { byUser, byItem, ratings } = data;
    const k = cfg.factors;
    this.P = normalFactors(byUser.rows, k, cfg.seed, "init-users", cfg.initMean, cfg.initStd);
    this.Q = normalFactors(byItem.rows, k, cfg.seed, "init-items", cfg.initMean, cfg.initStd);
    this.Y = normalFactors(byItem.rows, k, cfg.seed, "init-implicit", cfg.initMean, cfg.initStd);
    this.userBias = cfg.biases ? new Float32Array(byUser.rows) : EMPTY;
    this.itemBias = cfg.biases ? new Float32Array(byItem.rows) : EMPTY;
    this.mu = cfg.biases ? meanOf(ratings.values, ratings.length) : 0;
  }

  epoch(epochIndex: number): EpochResult {
    const { byUser, ratings } = this.data;
    const c = this.cfg;
    const lr = c.learningRate * c.learningRateDecay ** epochIndex;
    const sse = svdppEpoch(byUser.indptr, byUser.indices, byUser.values, 0, byUser.rows, this.P.data, this.Q.data, this.Y.data, this.userBias, this.itemBias, c.factors, this.mu, lr, c.regBias, c.regFactors, c.regImplicit);
    // The loss is the data term seen during the pass (as sgd reports it, without the penalty).
    return { loss: sse, trainRmse: Math.sqrt(sse / Math.max(1, ratings.length)) };
  }

  finish(): FactorModel {
    const { ratings, byUser } = this.data;
    const k = this.cfg.factors;
    const folded = new Float32Array(this.P.data.length);
    svdppFoldUsers(byUser.indptr, byUser.indices, this.P.data, this.Y.data, k, folded, 0, byUser.rows);
    const b = this.cfg.biases;
    return explicitModel({
      config: this.cfg,
      width: k,
      P: folded,
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
 * `svdpp`: SVD++ (Koren 2008), r̂ = μ + b_u + b_i + q_i·(p_u + |N(u)|^(−½) Σ_{j∈N(u)} y_j), by SGD in
 * Surprise's order (user by user). The model stores x_u = p_u + |N(u)|^(−½) Σ y_j as the user row, so
 * known users score exactly; a user folded in later gets the plain explicit solve (no y_j term).
 */
export const svdpp: Algorithm<SvdppConfig> = {
  name: "svdpp",
  description: "SVD++: biased matrix factorisation with implicit feedback factors y_j (Koren 2008; Surprise SVDpp with preset surprise)",
  implicit: false,
  resolveConfig: (config) => resolveSvdppConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new SvdppTrainer(data, config),
};
