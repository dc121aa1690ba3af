/**
 * mfrec/node — the browser-safe API plus Node-only additions: file readers and writers,
 * and the worker_threads pool. Named re-exports only.
 */
export * as core from "./index.js";
