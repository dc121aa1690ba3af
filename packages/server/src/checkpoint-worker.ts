/**
 * Worker-thread entry that keeps the store's WAL short: every `intervalMs` it runs a PASSIVE
 * checkpoint on its own connection. SQLite's automatic checkpoint would otherwise run inside
 * whichever write commits past 1000 WAL pages — on the server's only thread, with the fsyncs of
 * the WAL and the database file, stalling every request queued behind it. PASSIVE never waits
 * for readers or writers, so the server's connection is not blocked either.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { dbPath, intervalMs } = workerData as { dbPath: string; intervalMs: number };
const db = new Database(dbPath, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
// This connection writes nothing, so it must not checkpoint on its own either.
db.pragma("wal_autocheckpoint = 0");

const tick = (): void => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (e) {
    // SQLITE_BUSY and friends: the next tick tries again; report anything else once.
    parentPort?.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
const timer = setInterval(tick, intervalMs);
parentPort?.on("message", (m: { type: string }) => {
  if (m.type === "stop") {
    clearInterval(timer);
    tick();
    db.close();
    parentPort?.postMessage({ type: "stopped" });
  }
});
