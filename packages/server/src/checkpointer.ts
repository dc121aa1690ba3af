/**
 * Moves SQLite's WAL checkpoints off the request thread: the server's connection stops
 * checkpointing by itself and a worker (checkpoint-worker.ts) checkpoints passively on a timer.
 * If the worker dies, the connection's automatic checkpoint is switched back on, so the WAL can
 * never grow without bound.
 */
import { Worker } from "node:worker_threads";
import type { Store } from "./store.js";

/** SQLite's default automatic checkpoint threshold (pages), restored when the worker is gone. */
const SQLITE_AUTOCHECKPOINT = 1000;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private stopping = false;

  constructor(
    private readonly store: Store,
    intervalMs = 500,
    log: (line: string) => void = () => {},
  ) {
    this.worker = new Worker(new URL("./checkpoint-worker.js", import.meta.url), { workerData: { dbPath: store.path, intervalMs } });
    this.worker.unref();
    store.db.pragma("wal_autocheckpoint = 0");
    let reported = false;
    this.worker.on("message", (m: { type: string; message?: string }) => {
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

  /** A last checkpoint, then the worker closes its connection and exits (terminated after 5 s). */
  async stop(): Promise<void> {
    if (this.stopping) return this.exited;
    this.stopping = true;
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
