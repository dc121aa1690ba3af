/** Small types shared by every layer. */

/** A user or item id as the caller knows it. Numbers and strings are distinct ids ("1" ≠ 1 is NOT kept: ids are normalised to strings). */
export type RawId = string | number;

/** One scored item (or user) in a query result, with its raw id. */
export interface Scored {
  item: string;
  score: number;
}

/** A per-epoch training report, as passed to `onEpoch` and kept in the model. */
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
