/**
 * Moves SQLite's WAL checkpoints off the request thread: the server's connection stops
 * checkpointing by itself and a worker (checkpoint-worker.ts) checkpoints passively on a timer,
 * and truncates the WAL when it passes a size (so it stays bounded under sustained writes).
 * If the worker dies, the connection's automatic checkpoint is switched back on, so the WAL can
 * never grow without bound.
 */
import { Worker } from "node:worker_threads";
import type { Store } from "./store.js";

/** SQLite's default automatic checkpoint threshold (pages), restored when the worker is gone. */
const SQLITE_AUTOCHECKPOINT = 1000;

/** WAL size past which the worker truncates it (TRUNCATE checkpoint), by default. */
export const WAL_RESTART_BYTES = 16 << 20;

/** What the worker last reported. */
export interface WalStats {
  walBytes: number;
  peakWalBytes: number;
  /** TRUNCATE checkpoints that completed (the WAL passed the limit). */
  truncations: number;
  /** Reports received from the worker (0 until its first checkpoint). */
  reports: number;
}

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping = false;
  /** The worker's latest figures (zeros until its first tick). */
  stats: WalStats = { walBytes: 0, peakWalBytes: 0, truncations: 0, reports: 0 };

  constructor(
    private readonly store: Store,
    intervalMs = 500,
    log: (line: string) => void = () => {},
    private readonly restartBytes = WAL_RESTART_BYTES,
  ) {
    this.worker = new Worker(new URL("./checkpoint-worker.js", import.meta.url), { workerData: { dbPath: store.path, intervalMs, restartBytes } });
    this.worker.unref();
    store.db.pragma("wal_autocheckpoint = 0");
    // When a checkpoint lets a writer rewind the WAL, SQLite cuts the file back to this size.
    store.db.pragma(`journal_size_limit = ${restartBytes}`);
    // The worker's reports alone leave the WAL to grow while that thread waits for a core (a loaded
    // machine: 28 MB past a 1 MiB limit in a test). Each request-path commit also looks at the
    // WAL's size (one stat) and truncates it at once when it is past the limit.
    store.onCommit = () => {
      if (this.stopping) return;
      if (store.walBytes() > this.restartBytes) this.truncate();
    };
    let reported = false;
    this.worker.on("message", (m: { type: string; message?: string; walBytes?: number; peakWalBytes?: number; full?: boolean }) => {
      if (m.type === "stats") {
        this.stats = { walBytes: m.walBytes ?? 0, peakWalBytes: Math.max(this.stats.peakWalBytes, m.peakWalBytes ?? 0), truncations: this.stats.truncations, reports: this.stats.reports + 1 };
        if (m.full) this.truncate();
      }
      if (m.type === "error" && !reported) {
        reported = true;
        log(`WAL checkpoint: ${m.message}`);
      }
    });
    this.worker.on("error", (e) => log(`WAL checkpoint worker failed: ${e.message}`));
    this.exited = new Promise((ok) => {
      this.worker.once("exit", () => {
        if (!this.stopping && store.db.open) store.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
        ok();
      });
    });
  }

  /**
   * The WAL passed its limit: checkpoint the rest and cut the file to zero on the server's connection,
   * between requests (it is the only writer, so it never waits for the write lock). It never waits at
   * all (busy_timeout 0): SQLite answers busy at once while the worker's passive copy runs, or while a
   * reader is still on an old snapshot (the training worker's read). Then the worker is asked to hold
   * its checkpoints, and the next commit (or report) tries again; a success lets the worker go on.
   * Every frame is in the database file before the WAL is cut, so no commit is lost.
   */
  private truncate(): void {
    const db = this.store.db;
    if (!db.open || this.stopping) {
      this.worker.postMessage({ type: "resume" });
      return;
    }
    const wait = db.pragma("busy_timeout", { simple: true }) as number;
    let done = false;
    try {
      db.pragma("busy_timeout = 0");
      const [r] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
      done = r !== undefined && r.busy === 0;
    } catch {
      // SQLITE_BUSY: as busy = 1.
    } finally {
      db.pragma(`busy_timeout = ${wait}`);
    }
    if (done) {
      this.stats = { ...this.stats, walBytes: this.store.walBytes(), truncations: this.stats.truncations + 1 };
      this.worker.postMessage({ type: "resume" });
    } else this.worker.postMessage({ type: "hold" });
  }

  /** A last checkpoint, then the worker closes its connection and exits (terminated after 5 s). */
  async stop(): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
    this.store.onCommit = null;
    const done = new Promise<void>((ok) => {
      this.worker.on("message", (m: { type: string }) => {
        if (m.type === "stopped") ok();
      });
      this.exited.then(ok, ok);
    });
    this.worker.postMessage({ type: "stop" });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await done;
    await this.worker.terminate();
    clearTimeout(timer);
    await this.exited;
    if (this.store.db.open) this.store.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
  }
}
