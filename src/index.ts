/**
 * mfrec — the browser-safe public API, in the order a user meets it: ratings in, fit, the model,
 * predict, recommend, similar, explain, fold-in, evaluate and tune, save and load, errors, the
 * algorithm registry. Named re-exports only: no logic here, no `export *`.
 * Node-only additions (file readers and writers, the worker_threads pool) are in `mfrec/node`; engine
 * internals for benchmarks, tests and the service package are in the unstable `mfrec/internal`.
 * `test/unit/api-report.test.ts` checks this surface against `api/mfrec.api.md`.
 */

// Ratings in: in-memory arrays, columns, dense matrices, CSV/TSV text, binary files, synthetic data
export { IdIndex } from "./data/id-index.js";
export { RatingsBuilder, ratingsFromArray, ratingsFromColumns, ratingsFromDense } from "./data/ratings.js";
export type { DuplicatePolicy, InvalidPolicy, ParseReport, Ratings, RatingsOptions } from "./data/ratings.js";
export { parseRatingsText } from "./data/parse-delimited.js";
export type { InputFormat, ReadOptions } from "./data/detect-layout.js";
export { loadRatings, saveRatings } from "./data/ratings-binary.js";
export type { LoadRatingsOptions } from "./data/ratings-binary.js";
export { binarize, bm25Weight, logConfidence, tfidfWeight } from "./data/weighting.js";
export { generateRatings } from "./data/synthetic.js";
export type { SyntheticOptions } from "./data/synthetic.js";
// Side features of users and items (long `id,feature[,value]` tables)
export { parseFeaturesText, toFeatureTable } from "./data/features.js";
export type { FeatureInput, FeatureReadReport, FeatureTable } from "./data/features.js";

// Fit, and the algorithm registry
export { fit, fitSync, trainingData } from "./train/fit.js";
export type { FitOptions } from "./train/fit.js";
export { getAlgorithm, listAlgorithms, registerAlgorithm } from "./train/registry.js";
export type { Algorithm, CommonConfig, Trainer, TrainingData } from "./train/trainer.js";
export type { KernelChoice } from "./train/kernel-runtime.js";
export type { EpochReport, RawId, Scored } from "./core/types.js";

// The model, saved and loaded
export { FactorModel } from "./model/factor-model.js";
export type { FactorModelParts, ModelConfig, ModelStats } from "./model/factor-model.js";
export { loadModel, saveModel } from "./model/format.js";
export type { ModelFileHeader } from "./model/format.js";
export { exportFactorsCsv } from "./model/export.js";

// Predict, recommend, similar, explain
export { predict, predictBatch } from "./recommend/predict.js";
export type { Prediction, UnknownReason } from "./recommend/predict.js";
export { predictMatrix } from "./recommend/predict-matrix.js";
export type { PredictMatrixOptions } from "./recommend/predict-matrix.js";
export { recommend } from "./recommend/recommend.js";
export type { RecommendOptions, UnknownUserPolicy } from "./recommend/recommend.js";
export { recommendAll, recommendAllAsync } from "./recommend/recommend-all.js";
export type { RecommendAllOptions, UserRecommendations } from "./recommend/recommend-all.js";
export { similarItems, similarUsers } from "./recommend/similar.js";
export type { ScoredUser, SimilarityMetric, SimilarOptions } from "./recommend/similar.js";
export { explain } from "./recommend/explain.js";
export type { Contribution, Explanation } from "./recommend/explain.js";

// Approximate top-N for big catalogues: an HNSW index over the item factors (recommend/similar take `ann`)
export { AnnIndex, buildAnnIndex } from "./model/ann-index.js";
export type { AnnBuildOptions } from "./model/ann-index.js";
export { loadAnnIndex, saveAnnIndex } from "./model/ann-format.js";

// New users and items without retraining
export { foldInItem, foldInUser } from "./model/fold-in.js";
export type { FoldedRow, FoldInHistory, FoldInOptions } from "./model/fold-in.js";
export { partialFit, withUser } from "./model/partial-fit.js";
export type { PartialFitOptions } from "./model/partial-fit.js";

// Evaluate, split, cross-validate, tune
export { evaluateModel } from "./evaluate/evaluate-model.js";
export type { EvaluateOptions, ModelEvaluation } from "./evaluate/evaluate-model.js";
export { evaluateRatings, mae, rmse } from "./evaluate/rating-metrics.js";
export type { RatingEvaluation } from "./evaluate/rating-metrics.js";
export { evaluateRanking } from "./evaluate/evaluate-ranking.js";
export type { RankingEvaluation, RankingOptions } from "./evaluate/evaluate-ranking.js";
export { auc, averagePrecisionAtK, ndcgAtK, precisionAtK, recallAtK } from "./evaluate/ranking-metrics.js";
export { parseMetrics } from "./evaluate/metric-spec.js";
export type { MetricSpec } from "./evaluate/metric-spec.js";
export { kFoldSplit, randomSplit, temporalSplit, userSplit } from "./evaluate/splits.js";
export type { TemporalSplitOptions, UserSplitOptions } from "./evaluate/splits.js";
export type { Split } from "./evaluate/subset.js";
export { crossValidate } from "./evaluate/cross-validate.js";
export type { CrossValidateOptions, CrossValidation, FoldResult } from "./evaluate/cross-validate.js";
export { fitWithEarlyStopping } from "./evaluate/early-stopping.js";
export type { EarlyStoppedFit, EarlyStopping } from "./evaluate/early-stopping.js";
export { rankingSearchSpace, tune } from "./evaluate/tune.js";
export type { SearchSpace, TrialResult, TuneOptions, TuneResult } from "./evaluate/tune.js";

// Errors
export { ErrorCodes, isMfrecError, MfrecError } from "./core/errors.js";
export type { ErrorCode, ErrorDetails } from "./core/errors.js";

// Runtime: WASM SIMD support and the browser's worker pool
export { wasmSimdSupported } from "./kernels/wasm.js";
export { createBrowserPool } from "./parallel/pool-browser.js";
export type { BrowserPoolOptions } from "./parallel/pool-browser.js";
export type { KernelPoolFactory } from "./parallel/pool-factory.js";
