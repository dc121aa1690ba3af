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
export { DATASETS, findDataset } from "./data/datasets.js";
export { RATINGS_FORMAT_VERSION, isRatingsBinary, loadRatings, saveRatings } from "./data/ratings-binary.js";
export type { LoadRatingsOptions } from "./data/ratings-binary.js";
export type { DatasetSpec } from "./data/datasets.js";
export type { DuplicatePolicy, InvalidPolicy, ParseReport, Ratings, RatingsOptions, SkippedRow } from "./data/ratings.js";

// data (ingest)
export { DelimitedParser, parseRatingsText } from "./data/parse-delimited.js";
export { COLUMN_ALIASES, detectDelimiter, splitLine } from "./data/detect-layout.js";
export type { ColumnRef, InputFormat, ReadOptions } from "./data/detect-layout.js";
export type { InputLayout } from "./data/ratings.js";
export { alignFeatures, featuresOf, parseFeaturesText, toFeatureTable } from "./data/features.js";
export type { AlignedFeatures, FeatureInput, FeatureReadReport, FeatureTable } from "./data/features.js";

// data (synthetic)
export { generateRatingChunks, generateRatings, syntheticCatalogue } from "./data/synthetic.js";
export type { SyntheticCatalogue, SyntheticChunk, SyntheticOptions } from "./data/synthetic.js";

// matrix
export { buildCsr, transpose } from "./matrix/csr.js";
export type { CsrMatrix } from "./matrix/csr.js";
export type { DenseMatrix } from "./matrix/dense.js";

// model
export { FactorModel } from "./model/factor-model.js";
export type { FactorModelParts, ModelConfig, ModelStats, Provenance } from "./model/factor-model.js";

// model file
export { MODEL_FORMAT_VERSION, MODEL_MAGIC, loadModel, readModelHeader, saveModel } from "./model/format.js";
export type { ModelFileHeader, SectionDtype, SectionEntry } from "./model/format.js";
export { exportFactorsCsv } from "./model/export.js";

// recommend
export { predict, predictBatch, predictIndex } from "./recommend/predict.js";
export type { Prediction, UnknownReason } from "./recommend/predict.js";
export { predictMatrix } from "./recommend/predict-matrix.js";
export type { PredictMatrixOptions } from "./recommend/predict-matrix.js";
export { recommend, recommendIndices } from "./recommend/recommend.js";
export type { RecommendOptions, UnknownUserPolicy } from "./recommend/recommend.js";
export { similarItems, similarUsers } from "./recommend/similar.js";
export type { ScoredUser, SimilarOptions, SimilarityMetric } from "./recommend/similar.js";
export { topK } from "./kernels/topk.js";

// train
export { fit, fitSync, trainingData } from "./train/fit.js";
export type { FitOptions } from "./train/fit.js";
export { getAlgorithm, listAlgorithms } from "./train/registry.js";
export { RANKING_DEFAULTS, isRankingKey, ratingOffset, rankingConfig, withoutRankingKeys } from "./train/ranking.js";
export type { Algorithm, CommonConfig, Trainer, TrainingData } from "./train/trainer.js";

// train: explicit als and sgd (issue 2)
export { ALS_DEFAULTS, als, resolveAlsConfig } from "./train/als.js";
export type { AlsConfig, AlsSettings } from "./train/als.js";
export { SGD_DEFAULTS, SURPRISE_SVD_DEFAULTS, resolveSgdConfig, sgd } from "./train/sgd.js";
export type { SgdConfig, SgdSettings } from "./train/sgd.js";
export { normalFactors, uniformFactors } from "./train/init.js";

// evaluate
export { rmse, mae, evaluateRatings, fallbackBase, predictWithFallback } from "./evaluate/rating-metrics.js";
export type { RatingEvaluation } from "./evaluate/rating-metrics.js";
export { checkThreshold } from "./evaluate/evaluate-ranking.js";
export { auc, averagePrecisionAtK, catalogueCoverage, discount, hitAtK, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from "./evaluate/ranking-metrics.js";
export { evaluateRanking } from "./evaluate/evaluate-ranking.js";
export type { RankingEvaluation, RankingOptions } from "./evaluate/evaluate-ranking.js";
export { evaluateModel } from "./evaluate/evaluate-model.js";
export type { EvaluateOptions, ModelEvaluation } from "./evaluate/evaluate-model.js";
export { RANKING_METRICS, RATING_METRICS, higherIsBetter, parseMetric, parseMetrics } from "./evaluate/metric-spec.js";
export type { MetricSpec, RankingMetricName, RatingMetricName } from "./evaluate/metric-spec.js";
export { alignTest, mapIndex, splitReport, takeRows } from "./evaluate/subset.js";
export type { Split, SplitReport } from "./evaluate/subset.js";
export { kFoldSplit, randomSplit, temporalSplit, userSplit } from "./evaluate/splits.js";
export type { TemporalSplitOptions, UserSplitOptions } from "./evaluate/splits.js";
export { crossValidate, summarize } from "./evaluate/cross-validate.js";
export type { CrossValidateOptions, CrossValidation, FoldResult } from "./evaluate/cross-validate.js";
export { fitWithEarlyStopping } from "./evaluate/early-stopping.js";
export type { EarlyStoppedFit, EarlyStopping } from "./evaluate/early-stopping.js";
export { gridConfigs, randomConfigs, rankingSearchSpace, tune } from "./evaluate/tune.js";
export type { ParamRange, ParamValue, SearchSpace, TrialResult, TuneOptions, TuneResult } from "./evaluate/tune.js";

// speed (WebAssembly SIMD kernels, kernel pools)
export { instantiateKernels, kernelModule, kernelModuleAsync, wasmSimdSupported, wasmThreadsSupported } from "./kernels/wasm.js";
export type { KernelName, WasmKernels } from "./kernels/wasm.js";
export { KernelArena } from "./kernels/wasm-arena.js";
export type { KernelArenaOptions } from "./kernels/wasm-arena.js";
export { InlinePool } from "./parallel/inline-pool.js";
export { balancedRowShards, kernelScratchBytes, rowShards } from "./parallel/pool.js";
export type { KernelPool, KernelTask } from "./parallel/pool.js";
export { createBrowserPool } from "./parallel/pool-browser.js";
export type { BrowserPoolOptions } from "./parallel/pool-browser.js";
export { defaultPoolFactory, inlinePoolFactory, setDefaultPoolFactory } from "./parallel/pool-factory.js";
export type { KernelPoolFactory } from "./parallel/pool-factory.js";
export { heapAllocator, planSgdBlocks, runSgdEpoch, sgdEpochSchedule } from "./parallel/sgd-blocks.js";
export type { ArrayAllocator, SgdBlockPlan, SgdPackedBlocks, SgdPacking, SgdParams } from "./parallel/sgd-blocks.js";
export { alsExplicitCgHalfSweep } from "./kernels/als-explicit-cg.js";
export type { KernelChoice } from "./train/kernel-runtime.js";

// implicit
export { bm25Weight, binarize, logConfidence, tfidfWeight } from "./data/weighting.js";
export { fullGramian, weightedAlsHalfSweep, weightedAlsLoss } from "./kernels/implicit-als.js";
export type { WeightedAlsArgs } from "./kernels/implicit-als.js";
export { bprEpoch } from "./kernels/bpr.js";
export { IALS_DEFAULTS, WALS_DEFAULTS, weightedAlsSpec } from "./model/implicit-weights.js";
export type { WeightedAlsSpec } from "./model/implicit-weights.js";
export { foldInItem, foldInRow, foldInUser } from "./model/fold-in.js";
export type { FoldInHistory, FoldInOptions, FoldedRow } from "./model/fold-in.js";
export { partialFit, withUser } from "./model/partial-fit.js";
export type { PartialFitOptions } from "./model/partial-fit.js";
export { ials } from "./train/ials.js";
export { wals } from "./train/wals.js";
export { BPR_DEFAULTS, bpr } from "./train/bpr.js";
export { explain } from "./recommend/explain.js";
export type { Contribution, Explanation } from "./recommend/explain.js";
export { recommendAll, recommendAllAsync, recommendAllPlan } from "./recommend/recommend-all.js";
export type { RecommendAllOptions, UserRecommendations } from "./recommend/recommend-all.js";
export type { RecommendAllPlan, RecommendKernels, RecommendRuntimeOptions } from "./recommend/recommend-all-wasm.js";

// accuracy algorithms
export { BASELINE_ALS_DEFAULTS, BASELINE_SGD_DEFAULTS, baseline, resolveBaselineConfig } from "./train/baseline.js";
export type { BaselineAlsSettings, BaselineConfig, BaselineSgdSettings } from "./train/baseline.js";
export { SURPRISE_SVDPP_DEFAULTS, SVDPP_DEFAULTS, resolveSvdppConfig, svdpp } from "./train/svdpp.js";
export type { SvdppConfig, SvdppSettings } from "./train/svdpp.js";
export { NMF_DEFAULTS, nmf, resolveNmfConfig } from "./train/nmf.js";
export type { NmfConfig, NmfSettings } from "./train/nmf.js";
export { BPMF_DEFAULTS, bpmf, bpmfKeptSamples, resolveBpmfConfig } from "./train/bpmf.js";
export type { BpmfConfig, BpmfSettings } from "./train/bpmf.js";
export { sampleChiSquare, sampleGamma, sampleWishart } from "./kernels/wishart.js";
