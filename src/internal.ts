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
export { topK } from "./kernels/topk.js";
export { isRankingKey, RANKING_DEFAULTS, rankingConfig, ratingOffset, withoutRankingKeys } from "./train/ranking.js";
export { als, ALS_DEFAULTS, resolveAlsConfig } from "./train/als.js";
export type { AlsConfig, AlsSettings } from "./train/als.js";
export { resolveSgdConfig, sgd, SGD_DEFAULTS, SURPRISE_SVD_DEFAULTS } from "./train/sgd.js";
export type { SgdConfig, SgdSettings } from "./train/sgd.js";
export { normalFactors, uniformFactors } from "./train/init.js";
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
export type { KernelArenaOptions } from "./kernels/wasm-arena.js";
export { InlinePool } from "./parallel/inline-pool.js";
export { balancedRowShards, kernelScratchBytes, rowShards } from "./parallel/pool.js";
export type { KernelPool, KernelTask } from "./parallel/pool.js";
export { defaultPoolFactory, inlinePoolFactory, setDefaultPoolFactory } from "./parallel/pool-factory.js";
export { heapAllocator, planSgdBlocks, runSgdEpoch, sgdEpochSchedule } from "./parallel/sgd-blocks.js";
export type { ArrayAllocator, SgdBlockPlan, SgdPackedBlocks, SgdPacking, SgdParams } from "./parallel/sgd-blocks.js";
export { alsExplicitCgHalfSweep } from "./kernels/als-explicit-cg.js";
export { fullGramian, weightedAlsHalfSweep, weightedAlsLoss } from "./kernels/implicit-als.js";
export type { WeightedAlsArgs } from "./kernels/implicit-als.js";
export { bprEpoch } from "./kernels/bpr.js";
export { IALS_DEFAULTS, WALS_DEFAULTS, weightedAlsSpec } from "./model/implicit-weights.js";
export type { WeightedAlsSpec } from "./model/implicit-weights.js";
export { foldInRow } from "./model/fold-in.js";
export { ials } from "./train/ials.js";
export { wals } from "./train/wals.js";
export { bpr, BPR_DEFAULTS } from "./train/bpr.js";
export { recommendAllPlan } from "./recommend/recommend-all.js";
export type { RecommendAllPlan, RecommendKernels, RecommendRuntimeOptions } from "./recommend/recommend-all-wasm.js";
export { baseline, BASELINE_ALS_DEFAULTS, BASELINE_SGD_DEFAULTS, resolveBaselineConfig } from "./train/baseline.js";
export type { BaselineAlsSettings, BaselineConfig, BaselineSgdSettings } from "./train/baseline.js";
export { resolveSvdppConfig, SURPRISE_SVDPP_DEFAULTS, svdpp, SVDPP_DEFAULTS } from "./train/svdpp.js";
export type { SvdppConfig, SvdppSettings } from "./train/svdpp.js";
export { nmf, NMF_DEFAULTS, resolveNmfConfig } from "./train/nmf.js";
export type { NmfConfig, NmfSettings } from "./train/nmf.js";
export { bpmf, BPMF_DEFAULTS, bpmfKeptSamples, resolveBpmfConfig } from "./train/bpmf.js";
export type { BpmfConfig, BpmfSettings } from "./train/bpmf.js";
export { sampleChiSquare, sampleGamma, sampleWishart } from "./kernels/wishart.js";
export { groupByUser } from "./evaluate/splits.js";
export { catalogueCoverage } from "./evaluate/ranking-metrics.js";
export { checkThreshold } from "./evaluate/evaluate-ranking.js";

// The ANN index's internals (the public part is AnnIndex, buildAnnIndex, saveAnnIndex, loadAnnIndex)
export { attachAnnIndex, DEFAULT_EF_SEARCH, itemSideChecksum, resolveAnnIndex } from "./model/ann-index.js";
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
