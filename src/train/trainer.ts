import type { FitWarning } from "../core/types.js";
import type { FeatureTable } from "../data/features.js";
import type { Ratings } from "../data/ratings.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { WeightedAlsSpec } from "../kernels/implicit-als.js";
import type { EntityFeatures } from "../model/cold-start.js";
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
  /** @deprecated A runtime choice: pass FitOptions.threads. Still read by fit, never kept in the model's config. */
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
  /**
   * Set by fit for a trainer with the trainsFromSortedCsr capability when the ratings are sorted by user: `byUser`'s
   * entries are the ratings in their order (views of the columns) and the users / items columns are not kept.
   */
  sortedByUser?: boolean;
  /** Side features by raw id (FitOptions.itemFeatures / userFeatures); only algorithms that read features (hybrid) accept them. */
  itemFeatures?: FeatureTable;
  userFeatures?: FeatureTable;
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
  /** What the fit counted and skipped (e.g. feature ids without ratings): the driver puts them in the model's provenance. */
  warnings?(): FitWarning[];
}

/** How the driver asks for the model. */
export interface FinishOptions {
  /**
   * The last call (no epoch follows) and the caller accepts views (FitOptions.zeroCopy): a trainer may hand
   * over its own arrays, kernel memory included, instead of copies.
   */
  zeroCopy?: boolean;
}

/** Options of foldInUser / foldInItem (train/fold-in.ts). */
export interface FoldInOptions {
  /** Ids unknown to the model: "error" (default, E_UNKNOWN_ITEM / E_UNKNOWN_USER) or "skip". */
  unknown?: "error" | "skip";
  /** bpr only: gradient passes (default 50), negatives per positive (10), step size (1), seed (the model's). */
  steps?: number;
  negatives?: number;
  learningRate?: number;
  seed?: number;
  /**
   * The new user's features (names, or name → weight): a model trained with features (hybrid, bayes-fm) adds
   * their vectors to the row, so a user with features and no history gets a vector too (bayes-fm: in foldInItem,
   * the new item's features). Other models refuse them (E_UNSUPPORTED).
   */
  features?: EntityFeatures;
}

/** A solved row: factors and (explicit models with biases) the row's bias. */
export interface FoldedRow {
  factors: Float32Array;
  bias: number;
}

/**
 * What the rest of the library may ask of an algorithm's models beyond predict and recommend. Code outside
 * an algorithm's folder asks these questions of the registry ({@link capabilitiesOf}) and never compares
 * algorithm names. Every member is optional; the defaults are stated on each.
 */
export interface AlgorithmCapabilities {
  /**
   * The weighted least-squares objective of a config (ials, wals). When given, fold-in, partialFit and
   * explain solve a row with it exactly as a training half-sweep does.
   */
  readonly weightedObjective?: (config: ModelConfig) => WeightedAlsSpec;
  /**
   * A row fold-in of the algorithm's own (bpr's gradient steps), used when there is no weighted objective.
   * Default for explicit models: the explicit ALS row solve with the model's λ; implicit models without
   * either cannot fold in (E_UNSUPPORTED).
   */
  readonly foldInRow?: (model: FactorModel, indices: Int32Array, values: Float32Array, side: "user" | "item", opts: FoldInOptions) => FoldedRow;
  /** Whether fold-in takes the new user's side features (FoldInOptions.features). Default false. */
  readonly foldsInFeatures?: boolean;
  /** Whether items fold in too (foldInItem, partialFit's item side). Default true. */
  readonly foldsInItems?: boolean;
  /**
   * Explicit models: whether the ALS row solve scales λ by the row's rating count, as the algorithm's own
   * objective does. Default: the config's `weightedRegularization` (absent = true).
   */
  readonly countWeightedRegularization?: (config: ModelConfig) => boolean;
  /**
   * explain(): the shown score decomposes exactly over the user's history (the ALS row solve of an explicit
   * model, or the weighted objective). Default false.
   */
  readonly explains?: boolean;
  /** The search space `tune` uses for a ranking metric when none is given. */
  readonly rankingSearchSpace?: Readonly<Record<string, readonly number[]>>;
  /**
   * Settings that fit a hand-sized matrix such as the seed's 3 × 5 example (k ≤ 4, tiny λ, no biases):
   * the dashboard's seed view offers the algorithms that have one.
   */
  readonly exampleConfig?: (factors: number) => ModelConfig;
  /**
   * Implicit input: the algorithm weighs a value column as each interaction's strength (play counts,
   * clicks), so readers keep it; otherwise every pair reads as 1. Default false.
   */
  readonly implicitStrength?: boolean;
  /**
   * The trainer reads only the users' CSR, the id indexes and the rating values (never the users / items
   * columns): fit builds it at the first epoch from data detached from the Ratings, so a caller that drops
   * its Ratings frees their columns before the trainer's memory fills (train/fit.ts). Default false.
   */
  readonly trainsFromCsr?: boolean;
  /**
   * As trainsFromCsr, but only when the ratings are sorted by user (the users' CSR is then views of the columns, no
   * copy): the trainer reads `byUser` when TrainingData.sortedByUser is set, else the columns. Default false.
   */
  readonly trainsFromSortedCsr?: boolean;
  /** Spark MLlib's ALS runs this algorithm (`mfrec spark-job`), with implicitPrefs as given. */
  readonly spark?: { readonly implicitPrefs: boolean };
}

/** An algorithm: a name, validated defaults and a trainer factory. */
export interface Algorithm<C extends ModelConfig = ModelConfig> {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** True when the algorithm models implicit feedback (rankings) rather than ratings. */
  readonly implicit: boolean;
  /** True when the algorithm reads side features (TrainingData.itemFeatures / userFeatures). */
  readonly features?: boolean;
  /** Fill defaults and validate; throws MfrecError E_CONFIG naming the bad key. */
  resolveConfig(config: Partial<C> & { algorithm?: string }, data?: TrainingData): C;
  /** Number of epochs the driver runs for this config. */
  epochs(config: C): number;
  create(data: TrainingData, config: C): Trainer;
  /** What its models can do beyond predict and recommend (absent = every default). */
  readonly capabilities?: AlgorithmCapabilities;
}
