/**
 * mfrec/node — Node-only additions to the browser-safe API in `mfrec`: file readers and
 * writers and the worker_threads pool (which `mfrec` itself already uses by default under Node, chosen by
 * the "node" condition of package.json "imports" #environment-pool). Named re-exports only.
 */
// data (ingest)
export { readRatingsBinaryFile, readRatingsFile, readRatingsFileSync, writeRatingsBinaryFile } from "./data/read-file-node.js";
export { readFeaturesFile } from "./data/features-node.js";
export { writeRatingsText } from "./data/write-ratings-node.js";
export type { TextLayout } from "./data/write-ratings-node.js";

// model file
export { annIndexPathFor, readAnnIndexFileSync, writeAnnIndexFileSync } from "./model/ann-file-node.js";
export { exportModelCsv, exportModelCsvSync, readModelFile, readModelFileSync, writeModelFile, writeModelFileSync } from "./model/file-node.js";

// datasets
export { datasetCatalogue, defaultCacheDir, fetchDataset, licenseNotice, loadDataset } from "./data/datasets-node.js";
export type { FetchDatasetOptions, FetchedDataset, LoadedDataset } from "./data/datasets-node.js";

// spark interchange
export { exportRatingsParquet, readIdMapParquet } from "./data/parquet-node.js";
export { exportSparkModel, importSparkModel } from "./model/spark-node.js";
export type { SparkImportOptions } from "./model/spark-node.js";

// evaluate
export { readPredefinedFolds, readTrainTest } from "./evaluate/folds-node.js";

// speed (worker_threads kernel pool)
export { createNodePool, nodePoolFactory } from "./parallel/pool-node.js";
export type { NodePoolOptions } from "./parallel/pool-node.js";

// implicit
export { writeRecommendationsCsv, writeRecommendationsJsonl } from "./recommend/recommend-all-node.js";
