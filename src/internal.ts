/**
 * mfrec/internal — engine pieces for the service package (mfrec-server), benchmarks and tests.
 * Explicitly unstable: names here may change in any release. Applications use `mfrec` and `mfrec/node`.
 * Browser-safe like `mfrec` itself. Named re-exports only.
 */

// Engine pieces the service package uses
export { finalScore, rawScoreIndex, unknownReason } from "./recommend/predict.js";
export { maskRated, popularityScores } from "./recommend/recommend.js";
export { scoreRow } from "./kernels/score.js";
export { SEED_ITEM_FACTORS, SEED_ITEMS, SEED_PRODUCT, SEED_RATINGS, SEED_USER_FACTORS, SEED_USERS } from "./cli/seed-example.js";

// The engine: data structures, kernels, worker pools, per-algorithm trainers, defaults and helpers
export { deriveSeed, Rng, rngFor } from "./core/rng.js";
export type { FitWarning } from "./core/types.js";
export { DATASETS, findDataset } from "./data/datasets.js";
export { isRatingsBinary, RATINGS_FORMAT_VERSION } from "./data/ratings-binary.js";
export type { DatasetSpec } from "./data/datasets.js";
export type { InputLayout, SkippedRow } from "./data/ratings.js";
export { DelimitedParser } from "./data/parse-delimited.js";
export { COLUMN_ALIASES, detectDelimiter, splitLine } from "./data/detect-layout.js";
export type { ColumnRef } from "./data/detect-layout.js";
export { alignFeatures, featuresOf } from "./data/features.js";
export type { AlignedFeatures } from "./data/features.js";
export { generateRatingChunks, syntheticCatalogue } from "./data/synthetic.js";
export type { SyntheticCatalogue, SyntheticChunk } from "./data/synthetic.js";
export { buildCsr, transpose } from "./matrix/csr.js";
export type { CsrMatrix } from "./matrix/csr.js";
export type { DenseMatrix } from "./matrix/dense.js";
export type { Provenance } from "./model/factor-model.js";
export { MODEL_FORMAT_VERSION, MODEL_MAGIC, readModelHeader } from "./model/format.js";
export type { SectionDtype, SectionEntry } from "./model/format.js";
export { predictIndex } from "./recommend/predict.js";
export { recommendIndices } from "./recommend/recommend.js";
export { topNForRow, userRow } from "./recommend/top-n.js";
export type { QueryRow, TopNRequest } from "./recommend/top-n.js";
export { topK } from "./kernels/topk.js";
export { isRankingKey, RANKING_DEFAULTS, rankingConfig, ratingOffset, withoutRankingKeys } from "./train/ranking.js";
export { als, ALS_DEFAULTS, resolveAlsConfig } from "./train/als/als.js";
export type { AlsConfig, AlsSettings } from "./train/als/als.js";
export { resolveSgdConfig, sgd, SGD_DEFAULTS, SURPRISE_SVD_DEFAULTS } from "./train/sgd/sgd.js";
export type { SgdConfig, SgdSettings } from "./train/sgd/sgd.js";
export { normalFactors, uniformFactors } from "./train/init.js";
export { capabilitiesOf, algorithmsWith } from "./train/registry.js";
export type { KernelChoice } from "./train/kernel-runtime.js";
export { fallbackBase, predictWithFallback } from "./evaluate/rating-metrics.js";
export { discount, hitAtK, reciprocalRankAtK } from "./evaluate/ranking-metrics.js";
export { higherIsBetter, parseMetric, RANKING_METRICS, RATING_METRICS } from "./evaluate/metric-spec.js";
export type { RankingMetricName, RatingMetricName } from "./evaluate/metric-spec.js";
export { alignTest, mapIndex, splitReport, takeRows } from "./evaluate/subset.js";
export type { SplitReport } from "./evaluate/subset.js";
export { summarize } from "./evaluate/cross-validate.js";
export { gridConfigs, randomConfigs } from "./evaluate/tune.js";
export type { ParamRange, ParamValue } from "./evaluate/tune.js";
export { instantiateKernels, kernelModule, kernelModuleAsync, wasmThreadsSupported } from "./kernels/wasm.js";
export type { KernelName, WasmKernels } from "./kernels/wasm.js";
export { KernelArena } from "./kernels/wasm-arena.js";
export * as arenaPlan from "./kernels/arena-plan.js";
export { KERNEL_SIGNATURES, kernelCall, runDirect, runRange } from "./kernels/kernel-calls.js";
export type { KernelArgs, KernelCall, KernelCallArgs, KernelPointer } from "./kernels/kernel-calls.js";
export type { KernelArenaOptions } from "./kernels/wasm-arena.js";
export { InlinePool } from "./parallel/inline-pool.js";
export { balancedRowShards, kernelScratchBytes, rowShards } from "./parallel/pool.js";
export type { KernelPool, KernelTask } from "./parallel/pool.js";
export { defaultPoolFactory, inlinePoolFactory, setDefaultPoolFactory } from "./parallel/pool-factory.js";
export { heapAllocator, planSgdBlocks, runSgdEpoch, sgdEpochSchedule } from "./parallel/sgd-blocks.js";
export type { ArrayAllocator, SgdBlockPlan, SgdPackedBlocks, SgdPacking, SgdParams } from "./parallel/sgd-blocks.js";
export { alsExplicitCgHalfSweep } from "./train/als/cg-kernel.js";
export { fullGramian, weightedAlsHalfSweep, weightedAlsLoss } from "./kernels/implicit-als.js";
export type { WeightedAlsArgs } from "./kernels/implicit-als.js";
export { bprEpoch } from "./train/bpr/kernel.js";
export { IALS_DEFAULTS, ialsObjective, WALS_DEFAULTS, walsObjective } from "./train/weighted-als/objective.js";
export type { WeightedAlsSpec } from "./kernels/implicit-als.js";
export { foldInRow } from "./train/fold-in.js";
export { ials, wals } from "./train/weighted-als/algorithms.js";
export { bpr, BPR_DEFAULTS } from "./train/bpr/bpr.js";
export { recommendAllPlan } from "./recommend/recommend-all.js";
export type { RecommendAllPlan, RecommendKernels, RecommendRuntimeOptions } from "./recommend/recommend-all-wasm.js";
export { baseline, BASELINE_ALS_DEFAULTS, BASELINE_SGD_DEFAULTS, resolveBaselineConfig } from "./train/baseline/baseline.js";
export type { BaselineAlsSettings, BaselineConfig, BaselineSgdSettings } from "./train/baseline/baseline.js";
export { resolveSvdppConfig, SURPRISE_SVDPP_DEFAULTS, svdpp, SVDPP_DEFAULTS } from "./train/svdpp/svdpp.js";
export type { SvdppConfig, SvdppSettings } from "./train/svdpp/svdpp.js";
export { nmf, NMF_DEFAULTS, resolveNmfConfig } from "./train/nmf/nmf.js";
export type { NmfConfig, NmfSettings } from "./train/nmf/nmf.js";
export { bpmf, BPMF_DEFAULTS, bpmfKeptSamples, resolveBpmfConfig } from "./train/bpmf/bpmf.js";
export type { BpmfConfig, BpmfSettings } from "./train/bpmf/bpmf.js";
export { BAYES_FM_DEFAULTS, bayesFm, bayesFmKeptSamples, resolveBayesFmConfig } from "./train/bayes-fm/index.js";
export type { BayesFmConfig, BayesFmSettings } from "./train/bayes-fm/index.js";
export { sampleChiSquare, sampleGamma, sampleWishart } from "./train/bpmf/wishart.js";
export { groupByUser } from "./evaluate/splits.js";
export { catalogueCoverage } from "./evaluate/ranking-metrics.js";
export { checkThreshold } from "./evaluate/evaluate-ranking.js";

// The ANN index's internals (the public part is AnnIndex, buildAnnIndex, saveAnnIndex, loadAnnIndex)
export { ANN_AUTO_MIN_ITEMS, attachAnnIndex, DEFAULT_EF_SEARCH, itemSideChecksum, resolveAnnIndex } from "./model/ann-index.js";
export type { AnnParams } from "./model/ann-index.js";
export { ANN_FORMAT_VERSION, ANN_MAGIC, readAnnHeader } from "./model/ann-format.js";
export type { AnnFileHeader } from "./model/ann-format.js";
export { ANN_SMALL_ALLOW_LIST_FRACTION, annTopForRow } from "./recommend/ann.js";
export type { AnnOptions } from "./recommend/ann.js";

// Shared by the CLI's early start-up checks and the service
export { listenError } from "./core/listen-error.js";

// cold start (train/hybrid). In mfrec/internal because the public entry is at its 130-name cap (issue 20 decides).
export { type CandidateScorer, type ColdSide, type ColdStartEvaluation, type ColdStartOptions, coldCandidates, evaluateColdStart, evaluateColdStartScores } from "./evaluate/cold-start.js";
export { type AddedEntities, addItems, addUsers, type EntityFeatures, featureVector } from "./model/cold-start.js";
export { baselineScorer, COLD_START_BASELINES } from "./evaluate/cold-start-baselines.js";
export { foldInHybridRow } from "./model/cold-start.js";
export { hybrid } from "./train/hybrid/trainer.js";
export { HYBRID_DEFAULTS } from "./train/hybrid/config.js";

// Nested types of the public API (reachable through its signatures; named here to keep mfrec at 130 names)
export type { ModelFileHeader } from "./model/format.js";
export type { FactorModelParts, TimeBins, TimeEffects, UserDayBiases } from "./model/factor-model.js";
export type { PredictOptions } from "./recommend/predict.js";
export type { ErrorDetails } from "./core/errors.js";
export type { MetricSpec } from "./evaluate/metric-spec.js";
export type { TrialResult } from "./evaluate/tune.js";
export type { FoldResult } from "./evaluate/cross-validate.js";
export type { UnknownReason } from "./recommend/predict.js";
export type { LoadRatingsOptions } from "./data/ratings-binary.js";
