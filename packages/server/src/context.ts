import type { OpenAPIHono } from "@hono/zod-openapi";
import type { WalStats } from "./checkpointer.js";
import type { Metrics } from "./metrics.js";
import type { Serving } from "./serving.js";
import type { Store } from "./store.js";
import type { TrainingJobs } from "./training.js";

/** Request limits (each has a CLI flag). */
export interface Limits {
  /** Largest request body in bytes (default 1 MiB). */
  bodyBytes: number;
  /** Most ratings in one POST /ratings (default 10,000). */
  batch: number;
}

/** What every route handler shares. */
export interface ServerContext {
  store: Store;
  serving: Serving;
  jobs: TrainingJobs;
  metrics: Metrics;
  token: string | undefined;
  limits: Limits;
  startedAt: number;
  /** The WAL's size now, its peak and the truncating checkpoints so far (checkpointer.ts). */
  wal: () => WalStats;
}

/** The API app type (default Hono env). */
export type ApiApp = OpenAPIHono;
