/**
 * mfrec/node — Node-only additions to the browser-safe API in `mfrec`: file readers and
 * writers and the worker_threads pool. Named re-exports only.
 */
export {};

// data (ingest)
export { readRatingsFile, readRatingsFileSync } from "./data/read-file-node.js";
