/**
 * mfrec — browser-safe public API. Named re-exports only: no logic here, no `export *`.
 * Node-only additions (file readers/writers, the worker_threads pool) are in `mfrec/node`.
 */

// core
export { ErrorCodes, MfrecError, isMfrecError } from "./core/errors.js";
export type { ErrorCode, ErrorDetails } from "./core/errors.js";
export { Rng, deriveSeed, rngFor } from "./core/rng.js";
export type { EpochReport, RawId, Scored } from "./core/types.js";

// data
export { IdIndex } from "./data/id-index.js";
export { RatingsBuilder, ratingsFromArray, ratingsFromColumns, ratingsFromDense } from "./data/ratings.js";
export type { DuplicatePolicy, InvalidPolicy, ParseReport, Ratings, RatingsOptions, SkippedRow } from "./data/ratings.js";

// data (ingest)
export { DelimitedParser, parseRatingsText } from "./data/parse-delimited.js";
export { COLUMN_ALIASES, detectDelimiter, splitLine } from "./data/detect-layout.js";
export type { ColumnRef, InputFormat, ReadOptions } from "./data/detect-layout.js";
export type { InputLayout } from "./data/ratings.js";

// matrix
export { buildCsr, transpose } from "./matrix/csr.js";
export type { CsrMatrix } from "./matrix/csr.js";
export type { DenseMatrix } from "./matrix/dense.js";

// model
export { FactorModel } from "./model/factor-model.js";
export type { FactorModelParts, ModelConfig, ModelStats, Provenance } from "./model/factor-model.js";

// train
export { fit, fitSync, trainingData } from "./train/fit.js";
export type { FitOptions } from "./train/fit.js";
export { getAlgorithm, listAlgorithms } from "./train/registry.js";
export type { Algorithm, CommonConfig, Trainer, TrainingData } from "./train/trainer.js";
