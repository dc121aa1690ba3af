import { MfrecError } from "../../core/errors.js";
import { rngFor } from "../../core/rng.js";
import { bpmfSampleRows } from "./kernel.js";
import { explicitSquaredError } from "../../kernels/explicit-loss.js";
import { type NormalWishartScratch, normalWishartScratch, sampleNormalWishart } from "./wishart.js";
import type { DenseMatrix } from "../../matrix/dense.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { meanOf, normalFactors, rangeOf } from "../init.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "../trainer.js";
import { stackedModel } from "../finish.js";

/** Resolved configuration of `bpmf` (every key present: plain JSON that round-trips). */
export type BpmfConfig = ModelConfig & BpmfSettings & { algorithm: "bpmf" };

/** The keys of {@link BpmfConfig} besides `algorithm`. */
export interface BpmfSettings {
  /** Latent dimensions k of one sample. */
  factors: number;
  /** Gibbs sweeps in all, burn-in included (each sweep: hyper-parameters, users, items). */
  epochs: number;
  /** Sweeps discarded before samples are averaged; must be < epochs. */
  burnIn: number;
  /** Keep every thin-th sweep after the burn-in. */
  thin: number;
  /** α: precision of the rating noise, r ~ N(μ₀ + u·v, α⁻¹). */
  precision: number;
  /** β₀ of the Normal-Wishart hyper-prior. */
  priorStrength: number;
  /** ν₀ − k ≥ 0: Wishart degrees of freedom above the factor count. */
  priorDof: number;
  /** w₀ of the Wishart scale W₀ = w₀·I. */
  priorScale: number;
  /** Sample user and item biases with the factors (as one more free column each side). */
  biases: boolean;
  /** σ of the N(0, σ²) start of both factor matrices. */
  initStd: number;
  seed: number;
}

/**
 * Defaults of `bpmf`, chosen on MovieLens 100k u1..u5 (docs/accuracy.md): the paper's β₀ = 2,
 * ν₀ = k, W₀ = I; α = 1.5 (the paper's 2 overfits a little here), k = 10, 90 kept samples.
 */
export const BPMF_DEFAULTS: BpmfSettings = {
  factors: 10,
  epochs: 100,
  burnIn: 10,
  thin: 1,
  precision: 1.5,
  priorStrength: 2,
  priorDof: 0,
  priorScale: 1,
  biases: true,
  initStd: 0.1,
  seed: 42,
};

const KEYS = Object.keys(BPMF_DEFAULTS);

/** Fill defaults and validate (MfrecError E_CONFIG naming the key). */
export function resolveBpmfConfig(config: Partial<ModelConfig>): BpmfConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "bpmf");
  const d = BPMF_DEFAULTS;
  const epochs = numberOption(c, "epochs", d.epochs, RULES.epochs);
  const out: BpmfConfig = {
    algorithm: "bpmf",
    factors: numberOption(c, "factors", d.factors, { min: 1, max: 512, integer: true }),
    epochs,
    burnIn: numberOption(c, "burnIn", d.burnIn, { min: 0, max: 100000, integer: true }),
    thin: numberOption(c, "thin", d.thin, { min: 1, max: 100000, integer: true }),
    precision: numberOption(c, "precision", d.precision, { above: 0 }),
    priorStrength: numberOption(c, "priorStrength", d.priorStrength, { above: 0 }),
    priorDof: numberOption(c, "priorDof", d.priorDof, { min: 0 }),
    priorScale: numberOption(c, "priorScale", d.priorScale, { above: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
  };
  if (out.burnIn >= out.epochs) {
    throw new MfrecError("E_CONFIG", "option burnIn must be smaller than epochs (no sample would be averaged)", {
      column: "burnIn",
      value: out.burnIn,
      expected: `an integer < epochs = ${out.epochs}`,
    });
  }
  return out;
}

/** Samples kept by a config: sweeps burnIn, burnIn + thin, … < epochs, i.e. ⌈(epochs − burnIn) / thin⌉. */
export function bpmfKeptSamples(c: Pick<BpmfSettings, "epochs" | "burnIn" | "thin">): number {
  return Math.max(0, Math.ceil((c.epochs - c.burnIn) / c.thin));
}

const EMPTY = new Float32Array(0);

/**
 * One chain of the Gibbs sampler and the kept samples. With biases, rows are stored w = k + 2 wide:
 * users [u, b_u, 1], items [v, 1, b_i] (see train/bpmf/kernel.ts), so x·y = u·v + b_u + b_i.
 */
class BpmfTrainer implements Trainer {
  private readonly U: DenseMatrix;
  private readonly V: DenseMatrix;
  private readonly mu: number;
  private readonly w: number;
  private readonly free: number;
  private readonly keptU: Float32Array[] = [];
  private readonly keptV: Float32Array[] = [];
  private readonly lambda: Float64Array;
  private readonly lambdaMu: Float64Array;
  private readonly scratch: NormalWishartScratch;
  private readonly noise: Float64Array;
  private readonly gathered: Float32Array;

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: BpmfConfig,
  ) {
    const { byUser, byItem, ratings } = data;
    const k = cfg.factors;
    this.w = cfg.biases ? k + 2 : k;
    this.free = cfg.biases ? k + 1 : k;
    this.U = normalFactors(byUser.rows, this.w, cfg.seed, "init-users", 0, cfg.initStd);
    this.V = normalFactors(byItem.rows, this.w, cfg.seed, "init-items", 0, cfg.initStd);
    if (cfg.biases) {
      for (let r = 0; r < byUser.rows; r++) this.U.data[r * this.w + k + 1] = 1;
      for (let r = 0; r < byItem.rows; r++) this.V.data[r * this.w + k] = 1;
    }
    this.mu = meanOf(ratings.values, ratings.length);
    this.lambda = new Float64Array(this.free * this.free);
    this.lambdaMu = new Float64Array(this.free);
    this.scratch = normalWishartScratch(this.free);
    const rows = Math.max(byUser.rows, byItem.rows);
    this.noise = new Float64Array(rows * this.free);
    this.gathered = cfg.biases ? new Float32Array(rows * this.free) : EMPTY;
  }

  /** Column of the target side held at 1 (−1: none). */
  private fixedCol(side: "users" | "items"): number {
    if (!this.cfg.biases) return -1;
    return side === "users" ? this.cfg.factors + 1 : this.cfg.factors;
  }

  /** The free columns of X as a contiguous rows × free matrix (X itself without biases). */
  private freeColumns(X: DenseMatrix, fixed: number): Float32Array {
    if (fixed < 0) return X.data;
    const { w, free } = this;
    const out = this.gathered;
    for (let r = 0; r < X.rows; r++) for (let c = 0, f = 0; c < w; c++) if (c !== fixed) out[r * free + f++] = X.data[r * w + c]!;
    return out;
  }

  private sampleSide(side: "users" | "items", sweep: number): void {
    const { byUser, byItem } = this.data;
    const cfg = this.cfg;
    const kf = this.free;
    const [X, Y, csr] = side === "users" ? [this.U, this.V, byUser] : [this.V, this.U, byItem];
    const fixed = this.fixedCol(side);
    const hyperRng = rngFor(cfg.seed, `bpmf-hyper-${side}`, sweep);
    sampleNormalWishart(hyperRng, this.freeColumns(X, fixed), X.rows, kf, cfg.priorStrength, kf + cfg.priorDof, cfg.priorScale, this.lambda, this.lambdaMu, this.scratch);
    const noise = this.noise.subarray(0, X.rows * kf);
    rngFor(cfg.seed, `bpmf-${side}`, sweep).fillNormal(noise, 0, 1);
    bpmfSampleRows(csr.indptr, csr.indices, csr.values, X.data, Y.data, this.w, fixed, this.mu, cfg.precision, this.lambda, this.lambdaMu, noise, 0, X.rows);
  }

  epoch(epochIndex: number): EpochResult {
    const { byUser, ratings } = this.data;
    const cfg = this.cfg;
    this.sampleSide("users", epochIndex);
    this.sampleSide("items", epochIndex);
    const after = epochIndex - cfg.burnIn;
    if (after >= 0 && after % cfg.thin === 0 && this.keptU.length < bpmfKeptSamples(cfg)) {
      this.keptU.push(this.U.data.slice());
      this.keptV.push(this.V.data.slice());
    }
    // The loss reported is the current draw's training error (the averaged model is built at finish).
    const sse = explicitSquaredError(byUser.indptr, byUser.indices, byUser.values, this.U.data, EMPTY, this.V.data, EMPTY, this.w, this.mu, 0, byUser.rows);
    return { loss: sse, trainRmse: Math.sqrt(sse / Math.max(1, ratings.length)) };
  }

  finish(): FactorModel {
    const { ratings, byUser } = this.data;
    const k = this.cfg.factors;
    const kept = this.keptU.length;
    // Before the first kept sample (a snapshot during burn-in) the model is the current draw.
    const us = kept === 0 ? [this.U.data] : this.keptU;
    const vs = kept === 0 ? [this.V.data] : this.keptV;
    const biased = this.cfg.biases;
    return stackedModel({
      config: this.cfg,
      userSamples: us,
      itemSamples: vs,
      stride: this.w,
      k,
      userBiasColumn: biased ? k : undefined,
      itemBiasColumn: biased ? k + 1 : undefined,
      userIndex: ratings.userIndex,
      itemIndex: ratings.itemIndex,
      globalMean: this.mu,
      history: byUser,
      ratingScale: rangeOf(ratings.values, ratings.length),
    });
  }
}

/**
 * The first k columns of the S samples (rows × w each) side by side, each scaled by 1/√S: row r is
 * [x_r⁽¹⁾ … x_r⁽ˢ⁾]/√S, so p_u·q_i = (1/S) Σ_s u⁽ˢ⁾·v⁽ˢ⁾, the posterior-mean prediction, exactly
 * (up to float32 rounding).
 */
export { widen } from "../finish.js";

/**
 * `bpmf`: Bayesian probabilistic matrix factorisation by Gibbs sampling (Salakhutdinov & Mnih 2008):
 * r ~ N(μ₀ + u·v, α⁻¹), u ~ N(μ_U, Λ_U⁻¹), v ~ N(μ_V, Λ_V⁻¹), (μ, Λ) ~ Normal-Wishart(0, β₀, W₀ = w₀I, ν₀).
 * With biases, r ~ N(μ₀ + b_u + b_i + u·v, α⁻¹) and (u, b_u), (v, b_i) share each side's hyper-prior.
 * The model predicts the average of the kept samples' predictions: its factor matrices hold the
 * S kept samples side by side scaled by 1/√S (width k·S), so one dot product is that average, and
 * its biases are the samples' mean biases.
 */
export const bpmf: Algorithm<BpmfConfig> = {
  name: "bpmf",
  description: "Bayesian probabilistic matrix factorisation (Gibbs sampling with Normal-Wishart hyper-priors; averages the samples' predictions)",
  implicit: false,
  resolveConfig: (config) => resolveBpmfConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new BpmfTrainer(data, config),
};
