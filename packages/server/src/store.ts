import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { MfrecError } from "mfrec";
import { MIGRATIONS } from "./migrations.js";

/** One stored rating with raw ids. */
export interface StoredRating {
  user: string;
  item: string;
  rating: number;
  /** Store clock (milliseconds, strictly increasing within the store) of the last write. */
  ts: number;
}

/** A row of the model registry. */
export interface ModelRecord {
  version: number;
  algorithm: string;
  config: Record<string, unknown>;
  metrics: Record<string, unknown>;
  createdAt: string;
  path: string;
  checksum: string;
  active: boolean;
  snapshotAt: number;
}

/** Training job states: queued -> running -> succeeded | failed. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed";

/** One epoch of a training job, as the worker reported it. */
export interface JobEpoch {
  /** "validate": the fit on the training slice (checked on the hold-out); "final": the refit on every rating. */
  phase: "validate" | "final";
  epoch: number;
  loss: number;
  trainRmse?: number;
  validation?: Record<string, number>;
  seconds?: number;
}

/** A row of the jobs table. */
export interface JobRecord {
  id: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  config: Record<string, unknown>;
  modelVersion: number | null;
  report: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Per-epoch reports, in order (only from getJob; list views leave them out). */
  epochs?: JobEpoch[];
}

/**
 * How commits reach the disk. "normal" (default): in WAL mode a commit is written to the WAL
 * with write(2) before it returns, so an acknowledged write survives SIGKILL of the process
 * (the kernel holds it); only a power loss or OS crash can drop the last commits. "full" also
 * fsyncs the WAL on every commit, surviving power loss at ~1 fsync per write request.
 */
export type SyncMode = "normal" | "full";

export interface StoreOptions {
  sync?: SyncMode;
  readonly?: boolean;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

/**
 * The service's embedded SQLite store (better-sqlite3, WAL): ratings, users, items, the model
 * registry and training jobs. Every statement is prepared once. Methods are synchronous;
 * a method returning means its transaction committed.
 */
export class Store {
  readonly db: Database.Database;
  readonly path: string;
  private clockValue: number;
  private ratingCount: number | null = null;
  private readonly st: ReturnType<Store["prepare"]>;
  /** Called after each write transaction of the request path commits (the checkpointer watches the WAL's size). */
  onCommit: (() => void) | null = null;

  constructor(path: string, opts: StoreOptions = {}) {
    this.path = path;
    try {
      this.db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    } catch (e) {
      throw new MfrecError("E_IO", `cannot open the database ${path}`, { file: path, cause: e, hint: (e as Error).message });
    }
    try {
      this.setBusyTimeout(opts.busyTimeoutMs ?? 5000);
      if (!opts.readonly) {
        this.db.pragma("journal_mode = WAL");
        this.db.pragma(`synchronous = ${opts.sync === "full" ? "FULL" : "NORMAL"}`);
        this.db.pragma("foreign_keys = ON");
        this.migrate();
      }
      this.st = this.prepare();
    } catch (e) {
      this.db.close();
      throw openError(e, path);
    }
    const last = this.db.prepare("SELECT MAX(updated_at) AS m FROM users").get() as { m: number | null };
    this.clockValue = last.m ?? 0;
  }

  /** Bytes in the write-ahead log file now (0 when there is none). */
  walBytes(): number {
    try {
      return statSync(`${this.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** Milliseconds a statement waits for another connection's lock. */
  setBusyTimeout(ms: number): void {
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
  }

  /** Schema version (PRAGMA user_version). */
  get schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  /** Run the migrations this database has not seen, each in its own transaction. */
  private migrate(): void {
    const have = this.schemaVersion;
    if (have > MIGRATIONS.length) {
      throw new MfrecError("E_UNSUPPORTED", `database schema version ${have} is newer than this mfrec (${MIGRATIONS.length})`, { file: this.path, value: have, expected: `<= ${MIGRATIONS.length}` });
    }
    for (let v = have; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private prepare() {
    const d = this.db;
    return {
      upsertRating: d.prepare("INSERT INTO ratings (user, item, rating, ts) VALUES (?, ?, ?, ?) ON CONFLICT (user, item) DO UPDATE SET rating = excluded.rating, ts = excluded.ts"),
      deleteRating: d.prepare("DELETE FROM ratings WHERE user = ? AND item = ?"),
      touchUser: d.prepare("INSERT INTO users (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at"),
      touchItem: d.prepare("INSERT INTO items (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"),
      userRatings: d.prepare("SELECT item, rating, ts FROM ratings WHERE user = ? ORDER BY ts, item"),
      getRating: d.prepare("SELECT rating, ts FROM ratings WHERE user = ? AND item = ?"),
      countRatings: d.prepare("SELECT COUNT(*) AS n FROM ratings"),
      usersChangedAfter: d.prepare("SELECT id, updated_at FROM users WHERE updated_at > ?"),
      getItem: d.prepare("SELECT id, title, metadata FROM items WHERE id = ?"),
      putItem: d.prepare("INSERT INTO items (id, title, metadata, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, metadata = excluded.metadata"),
      itemRatingCount: d.prepare("SELECT COUNT(*) AS n, AVG(rating) AS mean FROM ratings WHERE item = ?"),
      itemTitles: d.prepare("SELECT id, title FROM items WHERE title IS NOT NULL"),
      itemCounts: d.prepare("SELECT item, COUNT(*) AS n FROM ratings GROUP BY item"),
      insertModel: d.prepare("INSERT INTO models (algorithm, config, metrics, created_at, path, checksum, active, snapshot_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)"),
      listModels: d.prepare("SELECT * FROM models ORDER BY version"),
      getModel: d.prepare("SELECT * FROM models WHERE version = ?"),
      modelByChecksum: d.prepare("SELECT * FROM models WHERE checksum = ? AND path = ? ORDER BY version DESC LIMIT 1"),
      activeModel: d.prepare("SELECT * FROM models WHERE active = 1"),
      clearActive: d.prepare("UPDATE models SET active = 0 WHERE active = 1"),
      setActive: d.prepare("UPDATE models SET active = 1 WHERE version = ?"),
      insertJob: d.prepare("INSERT INTO jobs (id, status, progress, config, created_at) VALUES (?, 'queued', 0, ?, ?)"),
      updateJob: d.prepare(
        "UPDATE jobs SET status = ?, progress = ?, error = ?, model_version = ?, report = ?, started_at = COALESCE(started_at, ?), finished_at = ? WHERE id = ?",
      ),
      getJob: d.prepare("SELECT * FROM jobs WHERE id = ?"),
      insertEpoch: d.prepare(
        "INSERT INTO job_epochs (job_id, phase, epoch, loss, train_rmse, validation, seconds) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, phase, epoch) DO UPDATE SET loss = excluded.loss, train_rmse = excluded.train_rmse, validation = excluded.validation, seconds = excluded.seconds",
      ),
      jobEpochs: d.prepare("SELECT phase, epoch, loss, train_rmse, validation, seconds FROM job_epochs WHERE job_id = ? ORDER BY phase = 'final', epoch"),
      listJobs: d.prepare("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?"),
      failStaleJobs: d.prepare("UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued', 'running')"),
    };
  }

  /** The store clock: milliseconds since the epoch, strictly increasing across calls and restarts. */
  tick(): number {
    const t = Date.now();
    this.clockValue = t > this.clockValue ? t : this.clockValue + 1;
    return this.clockValue;
  }

  /** The latest clock value handed out (a snapshot mark: later writes have larger values). */
  get clock(): number {
    return this.clockValue;
  }

  /**
   * Insert or replace ratings in one transaction; returns the clock value written.
   * When this returns, the transaction has committed (the caller may acknowledge).
   */
  putRatings(rows: ReadonlyArray<{ user: string; item: string; rating: number }>): number {
    const ts = this.tick();
    this.ratingCount = null;
    this.db.transaction(() => {
      for (const r of rows) {
        this.st.upsertRating.run(r.user, r.item, r.rating, ts);
        this.st.touchUser.run(r.user, ts, ts);
        this.st.touchItem.run(r.item, ts);
      }
    })();
    this.onCommit?.();
    return ts;
  }

  /** Delete one rating; returns the clock value, or 0 when there was no such rating. */
  deleteRating(user: string, item: string): number {
    let ts = 0;
    this.ratingCount = null;
    this.db.transaction(() => {
      if (this.st.deleteRating.run(user, item).changes === 0) return;
      ts = this.tick();
      this.st.touchUser.run(user, ts, ts);
    })();
    this.onCommit?.();
    return ts;
  }

  /** A user's ratings, oldest first. */
  userRatings(user: string): StoredRating[] {
    return (this.st.userRatings.all(user) as Array<{ item: string; rating: number; ts: number }>).map((r) => ({ user, item: r.item, rating: r.rating, ts: r.ts }));
  }

  /** One rating, if stored. */
  getRating(user: string, item: string): { rating: number; ts: number } | undefined {
    return this.st.getRating.get(user, item) as { rating: number; ts: number } | undefined;
  }

  /** Ratings in the store; counted once after each change (COUNT(*) scans the table, and /health and /metrics ask often). */
  countRatings(): number {
    this.ratingCount ??= (this.st.countRatings.get() as { n: number }).n;
    return this.ratingCount;
  }

  /** Users whose ratings changed after clock value `t`, with their change time. */
  usersChangedAfter(t: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.st.usersChangedAfter.all(t) as Array<{ id: string; updated_at: number }>) out.set(r.id, r.updated_at);
    return out;
  }

  /** Seed the ratings table (e.g. from a model's training history) in one transaction, at clock value `ts`. */
  importRatings(users: ArrayLike<string>, items: ArrayLike<string>, values: ArrayLike<number>, ts: number): void {
    this.ratingCount = null;
    this.db.transaction(() => {
      for (let k = 0; k < users.length; k++) {
        this.st.upsertRating.run(users[k]!, items[k]!, values[k]!, ts);
        this.st.touchUser.run(users[k]!, ts, ts);
        this.st.touchItem.run(items[k]!, ts);
      }
    })();
  }

  /** Item title and metadata (null when the item has never been stored). */
  getItem(item: string): { id: string; title: string | null; metadata: unknown; ratings: number; meanRating: number | null } | null {
    const r = this.st.getItem.get(item) as { id: string; title: string | null; metadata: string | null } | undefined;
    const c = this.st.itemRatingCount.get(item) as { n: number; mean: number | null };
    if (!r && c.n === 0) return null;
    return { id: item, title: r?.title ?? null, metadata: r?.metadata ? JSON.parse(r.metadata) : null, ratings: c.n, meanRating: c.mean };
  }

  /** Every stored title (items without one are absent). */
  itemTitles(): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.st.itemTitles.all() as Array<{ id: string; title: string }>) out.set(r.id, r.title);
    return out;
  }

  /** Stored ratings per item. */
  itemCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.st.itemCounts.all() as Array<{ item: string; n: number }>) out.set(r.item, r.n);
    return out;
  }

  /** Set an item's title and metadata (JSON). */
  putItem(item: string, title: string | null, metadata: unknown): void {
    this.st.putItem.run(item, title, metadata === undefined ? null : JSON.stringify(metadata), this.tick());
  }

  /** Store the features of an item or user (PUT /items/{item}, PUT /users/{user}/features), replacing earlier ones. */
  putFeatures(side: "item" | "user", id: string, features: readonly string[] | Readonly<Record<string, number>>): void {
    this.db
      .prepare("INSERT INTO entity_features (side, id, features, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (side, id) DO UPDATE SET features = excluded.features, updated_at = excluded.updated_at")
      .run(side, id, JSON.stringify(features), this.tick());
    this.onCommit?.();
  }

  /** Every stored feature set of one side, oldest first. */
  allFeatures(side: "item" | "user"): Map<string, readonly string[] | Readonly<Record<string, number>>> {
    const out = new Map<string, readonly string[] | Readonly<Record<string, number>>>();
    // A read-only store on a database not yet migrated to version 3 has no such table: no features.
    if (this.schemaVersion < 3) return out;
    for (const r of this.db.prepare("SELECT id, features FROM entity_features WHERE side = ? ORDER BY updated_at, id").all(side) as { id: string; features: string }[]) out.set(r.id, JSON.parse(r.features));
    return out;
  }

  /** Set many items' titles and metadata in one transaction (a row's metadata undefined stores none). */
  putItems(rows: ReadonlyArray<{ item: string; title: string | null; metadata?: unknown }>): void {
    const ts = this.tick();
    this.db.transaction(() => {
      for (const r of rows) this.st.putItem.run(r.item, r.title, r.metadata === undefined ? null : JSON.stringify(r.metadata), ts);
    })();
    this.onCommit?.();
  }

  /** Register a model file; it starts inactive. Returns its version. */
  registerModel(m: { algorithm: string; config: Record<string, unknown>; metrics: Record<string, unknown>; createdAt: string; path: string; checksum: string; snapshotAt: number }): number {
    const r = this.st.insertModel.run(m.algorithm, JSON.stringify(m.config), JSON.stringify(m.metrics), m.createdAt, m.path, m.checksum, m.snapshotAt);
    return Number(r.lastInsertRowid);
  }

  /** The registered model with this path and checksum, if any (so a restart does not register it twice). */
  findModel(path: string, checksum: string): ModelRecord | undefined {
    const r = this.st.modelByChecksum.get(checksum, path) as Row | undefined;
    return r ? toModel(r) : undefined;
  }

  listModels(): ModelRecord[] {
    return (this.st.listModels.all() as Row[]).map(toModel);
  }

  getModel(version: number): ModelRecord | undefined {
    const r = this.st.getModel.get(version) as Row | undefined;
    return r ? toModel(r) : undefined;
  }

  activeModel(): ModelRecord | undefined {
    const r = this.st.activeModel.get() as Row | undefined;
    return r ? toModel(r) : undefined;
  }

  /** Make `version` the one active model (one transaction, so there is never zero or two). */
  activate(version: number): void {
    this.db.transaction(() => {
      this.st.clearActive.run();
      this.st.setActive.run(version);
    })();
  }

  createJob(id: string, config: Record<string, unknown>): void {
    this.st.insertJob.run(id, JSON.stringify(config), new Date().toISOString());
  }

  updateJob(id: string, u: { status: JobStatus; progress: number; error?: string | null; modelVersion?: number | null; report?: Record<string, unknown> | null }): void {
    const now = new Date().toISOString();
    const done = u.status === "succeeded" || u.status === "failed";
    this.st.updateJob.run(u.status, u.progress, u.error ?? null, u.modelVersion ?? null, u.report ? JSON.stringify(u.report) : null, u.status === "queued" ? null : now, done ? now : null, id);
  }

  /** Record one epoch of a running job and its progress in one transaction. */
  addJobEpoch(id: string, progress: number, e: JobEpoch): void {
    this.db.transaction(() => {
      this.st.insertEpoch.run(id, e.phase, e.epoch, e.loss, e.trainRmse ?? null, e.validation ? JSON.stringify(e.validation) : null, e.seconds ?? null);
      this.updateJob(id, { status: "running", progress });
    })();
  }

  /** A job with its per-epoch reports. */
  getJob(id: string): JobRecord | undefined {
    const r = this.st.getJob.get(id) as Row | undefined;
    if (!r) return undefined;
    const job = toJob(r);
    job.epochs = (this.st.jobEpochs.all(id) as Row[]).map(toEpoch);
    return job;
  }

  listJobs(limit = 50): JobRecord[] {
    return (this.st.listJobs.all(limit) as Row[]).map(toJob);
  }

  /** Jobs left queued/running by a previous process can never finish: mark them failed at start-up. */
  failStaleJobs(): number {
    return this.st.failStaleJobs.run("the server stopped while the job ran", new Date().toISOString()).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** SQLite failures while opening, as one clear MfrecError naming the file. */
function openError(e: unknown, path: string): unknown {
  if (e instanceof MfrecError) return e;
  const code = String((e as { code?: unknown }).code ?? "");
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new MfrecError("E_BUSY", "the database is locked by another process", { file: path, cause: e, hint: "stop the process that holds it (another mfrec serve, or an open sqlite3 shell with a transaction)" });
  }
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new MfrecError("E_IO", "the file is not an SQLite database (or it is corrupted)", { file: path, cause: e });
  }
  if (code.startsWith("SQLITE_")) return new MfrecError("E_IO", `cannot open the database: ${(e as Error).message}`, { file: path, cause: e });
  return e;
}

function toModel(r: Row): ModelRecord {
  return {
    version: r.version as number,
    algorithm: r.algorithm as string,
    config: JSON.parse(r.config as string) as Record<string, unknown>,
    metrics: JSON.parse(r.metrics as string) as Record<string, unknown>,
    createdAt: r.created_at as string,
    path: r.path as string,
    checksum: r.checksum as string,
    active: r.active === 1,
    snapshotAt: r.snapshot_at as number,
  };
}

function toEpoch(r: Row): JobEpoch {
  const e: JobEpoch = { phase: r.phase as JobEpoch["phase"], epoch: r.epoch as number, loss: r.loss as number };
  if (r.train_rmse !== null) e.trainRmse = r.train_rmse as number;
  if (r.validation !== null) e.validation = JSON.parse(r.validation as string) as Record<string, number>;
  if (r.seconds !== null) e.seconds = r.seconds as number;
  return e;
}

function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    status: r.status as JobStatus,
    progress: r.progress as number,
    error: (r.error as string | null) ?? null,
    config: JSON.parse(r.config as string) as Record<string, unknown>,
    modelVersion: (r.model_version as number | null) ?? null,
    report: r.report ? (JSON.parse(r.report as string) as Record<string, unknown>) : null,
    createdAt: r.created_at as string,
    startedAt: (r.started_at as string | null) ?? null,
    finishedAt: (r.finished_at as string | null) ?? null,
  };
}
