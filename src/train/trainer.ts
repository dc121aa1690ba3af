import type { Ratings } from "../data/ratings.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { FactorModel, ModelConfig } from "../model/factor-model.js";
import type { TrainRuntime } from "./kernel-runtime.js";

/**
 * The common configuration vocabulary across algorithms (lesson 10). Each algorithm documents
 * which keys it reads and its defaults; unknown keys are rejected by its validator.
 */
export interface CommonConfig {
  algorithm: string;
  /** Latent dimensions k. */
  factors?: number;
  /** Passes over the data (SGD epochs, ALS iterations). */
  epochs?: number;
  learningRate?: number;
  regularization?: number;
  /** Implicit confidence weight (iALS): c = 1 + alpha·r. */
  alpha?: number;
  seed?: number;
  /** Worker threads (1 = inline). Results do not depend on it unless the algorithm's docs say so. */
  threads?: number;
}

/** What a trainer sees: the ratings and both sparse views, built once. */
export interface TrainingData {
  ratings: Ratings;
  /** user × item. */
  byUser: CsrMatrix;
  /** item × user (the transpose). */
  byItem: CsrMatrix;
  /** Where kernels run (pool factory, WASM or TS), from FitOptions; absent = automatic. */
  runtime?: TrainRuntime;
}

/** What one epoch reports back to the driver (the driver adds epoch number and timing). */
export interface EpochResult {
  loss: number;
  trainRmse?: number;
}

/**
 * A trainer owns the mutable state of one fit. The driver calls `epoch()` repeatedly, then
 * `finish()` once; looping, progress, abort, early stopping and the divergence check live in the driver.
 */
export interface Trainer {
  epoch(epochIndex: number): EpochResult;
  /** Build the immutable model from the current state (may be called for a snapshot). */
  finish(opts?: FinishOptions): FactorModel;
  /** Release workers and memory of the fit (the driver calls it once, after the last finish); may return when the workers have exited. */
  close?(): void | Promise<void>;
}

/** How the driver asks for the model. */
export interface FinishOptions {
  /**
   * The last call (no epoch follows) and the caller accepts views (FitOptions.zeroCopy): a trainer may hand
   * over its own arrays, kernel memory included, instead of copies.
   */
  zeroCopy?: boolean;
}

/** An algorithm: a name, validated defaults and a trainer factory. */
export interface Algorithm<C extends ModelConfig = ModelConfig> {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** True when the algorithm models implicit feedback (rankings) rather than ratings. */
  readonly implicit: boolean;
  /** Fill defaults and validate; throws MfrecError E_CONFIG naming the bad key. */
  resolveConfig(config: Partial<C> & { algorithm?: string }, data?: TrainingData): C;
  /** Number of epochs the driver runs for this config. */
  epochs(config: C): number;
  create(data: TrainingData, config: C): Trainer;
}
