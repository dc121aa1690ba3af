/** Small types shared by every layer. */

/** A user or item id as the caller knows it. Numbers and strings are distinct ids ("1" ≠ 1 is NOT kept: ids are normalised to strings). */
export type RawId = string | number;

/** One scored item (or user) in a query result, with its raw id. */
export interface Scored {
  item: string;
  score: number;
}

/** A per-epoch training report, as passed to `onEpoch` and kept in the model. */
/**
 * Something a fit counted and skipped, or could not use, with the reason (FactorModel.provenance.warnings;
 * the CLI prints one line each). Today: how side-feature tables met the training ratings.
 */
export interface FitWarning {
  /**
   * What was counted: "feature-ids-without-ratings" (ids of a feature table with no training rating),
   * "rated-without-features" (rated ids the table has no features for), "features-without-ratings" (features
   * that only ids without ratings have: no rating informs their vectors).
   */
  code: string;
  side: "user" | "item";
  count: number;
  /** One sentence: what these are and what the fit did with them. */
  message: string;
  /** Up to 5 of them (ids or feature names). */
  examples: string[];
}

export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /** The objective the trainer minimises (squared error + regularization, or its implicit analogue). */
  loss: number;
  /** RMSE on the training ratings (explicit algorithms), if computed. */
  trainRmse?: number;
  /** Validation metrics, if a validation set was given (e.g. { rmse } or { "ndcg@10" }). */
  validation?: Record<string, number>;
  /** Wall-clock seconds spent in this epoch. */
  seconds: number;
}
