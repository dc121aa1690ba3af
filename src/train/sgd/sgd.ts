import { rngFor } from "../../core/rng.js";
import type { IdIndex } from "../../data/id-index.js";
import type { CsrMatrix } from "../../matrix/csr.js";
import { weightedSquaredNorms } from "../../kernels/explicit-loss.js";
import { sgdEpoch } from "./kernel.js";
import { f32, fitsKernelMemory, i32, memoryPlan, reserve } from "../../kernels/arena-plan.js";
import { type ArrayAllocator, heapAllocator, planHistory, planSgdBlocks, runSgdEpoch, type SgdBlockPlan, type SgdParams, sgdEpochSchedule, sgdPlanShapes } from "../../parallel/sgd-blocks.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { booleanOption, choiceOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { explicitModel } from "../finish.js";
import { meanOf, rangeOf } from "../init.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import type { Algorithm, EpochResult, FinishOptions, Trainer, TrainingData } from "../trainer.js";

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
  /**
   * Blocks per side of the parallel schedule (grid × grid blocks, `grid` run at once): part of the result,
   * so configuration, never derived from the thread count. More blocks than threads balance the load.
   */
  grid: number;
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
  grid: 16,
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
  grid: 16,
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
    factors: numberOption(c, "factors", d.factors, RULES.factors),
    epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
    learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0 }),
    learningRateDecay: numberOption(c, "learningRateDecay", d.learningRateDecay, { above: 0, max: 1 }),
    regularization,
    regBias: numberOption(c, "regBias", given ? regularization : d.regBias, { min: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    initMean: numberOption(c, "initMean", d.initMean),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
    grid: numberOption(c, "grid", d.grid, { min: 1, max: 256, integer: true }),
  };
}

const EMPTY = new Float32Array(0);

/** Ratings per user (or item) as a CSR-style row pointer, for the count-weighted penalty. */
function countPointer(index: Int32Array, length: number, size: number): Int32Array {
  const ptr = new Int32Array(size + 1);
  for (let t = 0; t < length; t++) ptr[index[t]! + 1]!++;
  for (let r = 0; r < size; r++) ptr[r + 1]! += ptr[r]!;
  return ptr;
}

/** One epoch of the block schedule with the TS kernel (the reference of runSgdEpoch): same blocks, same order. */
function runSgdEpochTs(plan: SgdBlockPlan, p: SgdParams, seed: number, epoch: number, ident: Int32Array): number {
  let sse = 0;
  const bu = p.useBias ? p.userBias : EMPTY;
  const bi = p.useBias ? p.itemBias : EMPTY;
  for (const shards of sgdEpochSchedule(plan, seed, epoch)) {
    for (let s = 0; s < shards.length; s += 2) {
      const lo = shards[s]!;
      const hi = shards[s + 1]!;
      if (hi === lo) continue;
      sse += sgdEpoch(plan.users.subarray(lo, hi), plan.items.subarray(lo, hi), plan.values.subarray(lo, hi), ident, 0, hi - lo, p.P, p.Q, bu, bi, p.factors, p.globalMean, p.learningRate, p.biasRegularization, p.regularization);
    }
  }
  return sse;
}

/** P (users × k), Q (items × k) and, with biases, one bias per user and item: allocated in that order. */
function sgdFactorPlan(nu: number, ni: number, k: number, biases: boolean) {
  return memoryPlan({ P: f32(nu * k), Q: f32(ni * k), userBias: biases ? f32(nu) : null, itemBias: biases ? f32(ni) : null });
}

/**
 * The mutable state of one SGD fit. Reads only the rating columns, once, to build the block plan (no CSR
 * while training); the blocks and factors live in a KernelArena when the WASM kernels run, else in
 * ordinary arrays. It keeps no reference to the TrainingData: the model's history is decoded from the
 * plan, so a caller that drops its Ratings lets their memory go while the epochs run.
 */
class SgdTrainer implements Trainer {
  private readonly params: SgdParams;
  private readonly plan: SgdBlockPlan;
  private readonly wasm: WasmRuntime | undefined;
  private readonly userPtr: Int32Array;
  private readonly itemPtr: Int32Array;
  private ident: Int32Array = new Int32Array(0);
  private readonly userIndex: IdIndex;
  private readonly itemIndex: IdIndex;
  private readonly ratingScale: [number, number];
  private readonly count: number;
  private history: CsrMatrix | undefined;
  /** Where a zero-copy finish decodes the history: the kernel memory reserved for it, else the heap. */
  private readonly historyAlloc: ArrayAllocator;
  /** Where P, Q and the biases go, until initFactors has put them there. */
  private alloc: ArrayAllocator | undefined;
  /** P, Q and the biases by shape (placed at the first epoch). */
  private readonly factors: ReturnType<typeof sgdFactorPlan>;

  constructor(
    data: TrainingData,
    private readonly cfg: SgdConfig,
  ) {
    const { ratings } = data;
    this.userIndex = ratings.userIndex;
    this.itemIndex = ratings.itemIndex;
    this.ratingScale = rangeOf(ratings.values, ratings.length);
    this.count = ratings.length;
    const k = cfg.factors;
    const n = ratings.length;
    const nu = ratings.userIndex.size;
    const ni = ratings.itemIndex.size;
    // Room for the block layout these ratings pack into (4 B a rating when offsets and value index share a u32,
    // up to 12 B: sgdPlanSizes decides as planSgdBlocks will) and the factors; with zeroCopy also for the
    // model's history ((nu + 1) + 2n words), decoded there at the end, when it fits under wasm32's 4 GiB.
    // Reserved pages cost no memory until written.
    // (+ the plan's temporary (user, item block) table, given back before the factors take its place)
    const blocks = reserve(...sgdPlanShapes(ratings.users, ratings.items, ratings.values, n, nu, ni, cfg.grid, "offsets+values"));
    this.factors = sgdFactorPlan(nu, ni, k, cfg.biases);
    const history = reserve(i32(nu + 1), i32(n), f32(n));
    const roomForHistory = data.runtime?.zeroCopy === true && fitsKernelMemory([blocks, this.factors, history]);
    this.wasm = openWasmRuntime(data.runtime, roomForHistory ? [blocks, this.factors, history] : [blocks, this.factors], k, n);
    const alloc = this.wasm?.arena ?? heapAllocator;
    this.historyAlloc = roomForHistory ? alloc : heapAllocator;
    // The plan first: its temporary table is given back, and the factors then reuse those pages. The factors
    // are allocated and drawn at the first epoch (initFactors), after `fit`'s caller has had a turn to drop the
    // Ratings: they never hold memory beside the columns. Same arena addresses, same draws.
    this.plan = planSgdBlocks(alloc, ratings.users, ratings.items, ratings.values, n, nu, ni, cfg.grid, this.wasm ? "offsets+values" : "none");
    this.alloc = alloc;
    this.params = {
      P: EMPTY,
      Q: EMPTY,
      userBias: EMPTY,
      itemBias: EMPTY,
      factors: k,
      globalMean: cfg.biases ? meanOf(ratings.values, n) : 0,
      learningRate: cfg.learningRate,
      regularization: cfg.regularization,
      biasRegularization: cfg.regBias,
      useBias: cfg.biases,
    };
    this.userPtr = countPointer(ratings.users, n, nu);
    this.itemPtr = countPointer(ratings.items, n, ni);
    if (!this.wasm) {
      let most = 0;
      for (let b = 0; b < cfg.grid * cfg.grid; b++) most = Math.max(most, this.plan.blockStart[b + 1]! - this.plan.blockStart[b]!);
      this.ident = Int32Array.from({ length: most }, (_, t) => t);
    }
  }

  /** P, Q and the biases, allocated and drawn on first use (see the constructor). */
  private initFactors(): void {
    const alloc = this.alloc;
    if (!alloc) return;
    this.alloc = undefined;
    const { cfg, params: p } = this;
    const v = this.factors.place(alloc);
    p.P = v.P;
    p.Q = v.Q;
    fillNormal(p.P, cfg.seed, "init-users", cfg.initMean, cfg.initStd);
    fillNormal(p.Q, cfg.seed, "init-items", cfg.initMean, cfg.initStd);
    if (v.userBias && v.itemBias) {
      p.userBias = v.userBias;
      p.itemBias = v.itemBias;
    }
  }

  epoch(epochIndex: number): EpochResult {
    this.initFactors();
    const cfg = this.cfg;
    const k = cfg.factors;
    const p = this.params;
    p.learningRate = cfg.learningRate * cfg.learningRateDecay ** epochIndex;
    // The order of epoch e depends only on (seed, e), not on earlier epochs or the thread count.
    const sse = this.wasm ? runSgdEpoch(this.wasm.pool, this.plan, p, cfg.seed, epochIndex) : runSgdEpochTs(this.plan, p, cfg.seed, epochIndex, this.ident);
    // SGD regularizes per rating, so the objective weights each row's penalty by its count n_r.
    const nu = this.userPtr.length - 1;
    const ni = this.itemPtr.length - 1;
    let reg = cfg.regularization * (weightedSquaredNorms(p.P, k, this.userPtr, true, 0, nu) + weightedSquaredNorms(p.Q, k, this.itemPtr, true, 0, ni));
    if (cfg.biases) {
      reg += cfg.regBias * (weightedSquaredNorms(p.userBias, 1, this.userPtr, true, 0, nu) + weightedSquaredNorms(p.itemBias, 1, this.itemPtr, true, 0, ni));
    }
    return { loss: sse + reg, trainRmse: Math.sqrt(sse / Math.max(1, this.count)) };
  }

  finish(opts: FinishOptions = {}): FactorModel {
    this.initFactors();
    const p = this.params;
    // Built once (finish may run every epoch for validation), after the epochs' memory peak; on the final
    // zero-copy call into the kernel memory reserved for it, so the factors need no copy beside it.
    this.history ??= planHistory(this.plan, this.userIndex.size, this.itemIndex.size, opts.zeroCopy ? this.historyAlloc : heapAllocator);
    const b = this.cfg.biases;
    return explicitModel({
      config: this.cfg,
      width: this.cfg.factors,
      P: p.P,
      Q: p.Q,
      userIndex: this.userIndex,
      itemIndex: this.itemIndex,
      globalMean: p.globalMean,
      userBias: b ? p.userBias : undefined,
      itemBias: b ? p.itemBias : undefined,
      history: this.history,
      ratingScale: this.ratingScale,
      own: opts.zeroCopy === true,
    });
  }

  close(): Promise<void> | undefined {
    return this.wasm?.pool.close();
  }
}

/** Fill `out` with N(mean, std²) draws from rngFor(seed, purpose) (the bytes of normalFactors). */
function fillNormal(out: Float32Array, seed: number, purpose: string, mean: number, std: number): void {
  if (std === 0) out.fill(mean);
  else rngFor(seed, purpose).fillNormal(out, mean, std);
}

/**
 * `sgd`: biased matrix factorisation r̂ = μ + b_u + b_i + p_u·q_i by stochastic gradient descent
 * (Surprise's SVD, LIBMF's MF) on LIBMF's block schedule: grid × grid blocks, each epoch visits the
 * diagonals in a seeded random order, ratings inside a block by user. Minimises
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
  capabilities: {
    explains: true,
    // SGD's per-rating penalty, summed over a row, is λ·n_u: the ALS row solve scales λ by the count.
    countWeightedRegularization: () => true,
    exampleConfig: (factors) => ({ algorithm: "sgd", factors, epochs: 2000, regularization: 0.001, learningRate: 0.05, learningRateDecay: 1, initStd: 0.5, biases: false, seed: 42 }),
  },
};
