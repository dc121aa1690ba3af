/**
 * mfrec/server — the HTTP service (Hono, zod/OpenAPI, SQLite via better-sqlite3), kept apart from
 * `mfrec/node` so that using the library or any other CLI command never loads it. Named re-exports only.
 */
export { createServer, DEFAULT_LIMITS, startServer } from "./create-server.js";
export type { MfrecServer, RunningServer, ServerOptions } from "./create-server.js";
export type { Limits } from "./context.js";
export { Store } from "./store.js";
export type { JobRecord, JobStatus, ModelRecord, StoredRating, StoreOptions, SyncMode } from "./store.js";
