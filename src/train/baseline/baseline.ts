import { baselineAlsHalfStep, baselineSgdPass } from "./kernel.js";
import { explicitSquaredError } from "../../kernels/explicit-loss.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { choiceOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { explicitModel } from "../finish.js";
import { meanOf, rangeOf } from "../init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "../trainer.js";

/** Resolved configuration of `baseline`: only the keys of the chosen method (each one acts). */
export type BaselineConfig = ModelConfig & { algorithm: "baseline" } & (BaselineAlsSettings | BaselineSgdSettings);

/** Surprise's `bsl_options` for method "als" (its defaults: 10 epochs, reg_u 15, reg_i 10). */
export interface BaselineAlsSettings {
  method: "als";
  epochs: number;
  /** λ_u of reg_u: b_u = Σ (r − μ − b_i) / (λ_u + n_u). */
  regUser: number;
  /** λ_i of reg_i: b_i = Σ (r − μ − b_u) / (λ_i + n_i). */
  regItem: number;
}

/** Surprise's `bsl_options` for method "sgd" (its defaults: 20 epochs, learning_rate 0.005, reg 0.02). */
export interface BaselineSgdSettings {
  method: "sgd";
  epochs: number;
  learningRate: number;
  regularization: number;
}

/** Surprise BaselineOnly's ALS defaults. */
export const BASELINE_ALS_DEFAULTS: BaselineAlsSettings = { method: "als", epochs: 10, regUser: 15, regItem: 10 };
/** Surprise BaselineOnly's SGD defaults. */
export const BASELINE_SGD_DEFAULTS: BaselineSgdSettings = { method: "sgd", epochs: 20, learningRate: 0.005, regularization: 0.02 };

/**
 * Fill defaults and validate. The method picks the key set: keys of the other method are rejected
 * (E_CONFIG), because they would have no effect. There is no seed: both methods are deterministic.
 */
export function resolveBaselineConfig(config: Partial<ModelConfig>): BaselineConfig {
  const c = config as Record<string, unknown>;
  const method = choiceOption(c, "method", "als", ["als", "sgd"] as const);
  if (method === "als") {
    const d = BASELINE_ALS_DEFAULTS;
    rejectUnknownKeys(c, Object.keys(d), "baseline (method als)");
    return {
      algorithm: "baseline",
      method,
      epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
      regUser: numberOption(c, "regUser", d.regUser, { min: 0 }),
      regItem: numberOption(c, "regItem", d.regItem, { min: 0 }),
    };
  }
  const d = BASELINE_SGD_DEFAULTS;
  rejectUnknownKeys(c, Object.keys(d), "baseline (method sgd)");
  return {
    algorithm: "baseline",
    method,
    epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
    learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0 }),
    regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
  };
}

const NONE = new Float32Array(0);

/** Biases only; the model has k = 0 factor columns. */
class BaselineTrainer implements Trainer {
  private readonly userBias: Float32Array;
  private readonly itemBias: Float32Array;
  private readonly mu: number;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: BaselineConfig,
  ) {
    this.userBias = new Float32Array(data.byUser.rows);
    this.itemBias = new Float32Array(data.byItem.rows);
    this.mu = meanOf(data.ratings.values, data.ratings.length);
  }

  epoch(): EpochResult {
    const { byUser, byItem, ratings } = this.data;
    const c = this.cfg;
    const bu = this.userBias;
    const bi = this.itemBias;
    let penalty: number;
    if (c.method === "als") {
      // Surprise's order: items first (against the current b_u), then users.
      baselineAlsHalfStep(byItem.indptr, byItem.indices, byItem.values, bi, bu, this.mu, c.regItem, 0, byItem.rows);
      baselineAlsHalfStep(byUser.indptr, byUser.indices, byUser.values, bu, bi, this.mu, c.regUser, 0, byUser.rows);
      penalty = c.regUser * sumSquares(bu) + c.regItem * sumSquares(bi);
    } else {
      baselineSgdPass(byUser.indptr, byUser.indices, byUser.values, bu, bi, this.mu, c.learningRate, c.regularization, 0, byUser.rows);
      penalty = 0;
      for (let u = 0; u < byUser.rows; u++) penalty += (byUser.indptr[u + 1]! - byUser.indptr[u]!) * bu[u]! * bu[u]!;
      for (let i = 0; i < byItem.rows; i++) penalty += (byItem.indptr[i + 1]! - byItem.indptr[i]!) * bi[i]! * bi[i]!;
      penalty *= c.regularization;
    }
    const sse = explicitSquaredError(byUser.indptr, byUser.indices, byUser.values, NONE, bu, NONE, bi, 0, this.mu, 0, byUser.rows);
    return { loss: sse + penalty, trainRmse: Math.sqrt(sse / Math.max(1, ratings.length)) };
  }

  finish(): FactorModel {
    const { ratings, byUser } = this.data;
    return explicitModel({
      config: this.cfg,
      width: 0,
      P: new Float32Array(0),
      Q: new Float32Array(0),
      userIndex: ratings.userIndex,
      itemIndex: ratings.itemIndex,
      globalMean: this.mu,
      userBias: this.userBias,
      itemBias: this.itemBias,
      history: byUser,
      ratingScale: rangeOf(ratings.values, ratings.length),
    });
  }
}

function sumSquares(x: Float32Array): number {
  let s = 0;
  for (let n = 0; n < x.length; n++) s += x[n]! * x[n]!;
  return s;
}

/**
 * `baseline`: r̂ = μ + b_u + b_i with no factors (Surprise's BaselineOnly). Method "als" alternates
 * b_i = Σ(r − μ − b_u)/(λ_i + n_i) and b_u = Σ(r − μ − b_i)/(λ_u + n_u); method "sgd" takes
 * per-rating gradient steps in the stored (user-major) order. The model has k = 0.
 */
export const baseline: Algorithm<BaselineConfig> = {
  name: "baseline",
  description: "baseline estimates μ + b_u + b_i without factors (Surprise's BaselineOnly; ALS or SGD)",
  implicit: false,
  resolveConfig: (config) => resolveBaselineConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new BaselineTrainer(data, config),
};
