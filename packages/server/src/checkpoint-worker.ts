/**
 * Worker-thread entry that keeps the store's WAL short: every `intervalMs` it runs a PASSIVE
 * checkpoint on its own connection. SQLite's automatic checkpoint would otherwise run inside
 * whichever write commits past 1000 WAL pages — on the server's only thread, with the fsyncs of
 * the WAL and the database file, stalling every request queued behind it. PASSIVE never waits
 * for readers or writers, so the server's connection is not blocked either.
 *
 * PASSIVE alone does not bound the WAL: SQLite rewinds the WAL to its start only when a writer
 * begins after a checkpoint that copied every frame, and under sustained writes a new commit
 * always lands first, so the file grew without end (135 MB in 8 s next to a 4 MB database). So when
 * the WAL passes `restartBytes` after a passive copy, the worker tells the server's thread, which
 * runs a TRUNCATE checkpoint between two requests (checkpointer.ts). It must be that thread: it is
 * the only writer, so it holds the write lock only inside its own statements, and a TRUNCATE from
 * this connection starved behind its back-to-back commits (207 MB in a test).
 */
import { statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { dbPath, intervalMs, restartBytes } = workerData as { dbPath: string; intervalMs: number; restartBytes: number };
const db = new Database(dbPath, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
// This connection writes nothing, so it must not checkpoint on its own either.
db.pragma("wal_autocheckpoint = 0");

const walBytes = (): number => {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
};

let peak = 0;
// While the server's thread truncates, this connection keeps out of its way: a checkpoint in progress here
// would make that TRUNCATE busy.
let waiting = false;
const tick = (): void => {
  if (waiting) return;
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
    const size = walBytes();
    if (size > peak) peak = size;
    const full = size > restartBytes;
    if (full) waiting = true;
    parentPort?.postMessage({ type: "stats", walBytes: size, peakWalBytes: peak, full });
  } catch (e) {
    // SQLITE_BUSY and friends: the next tick tries again; report anything else once.
    parentPort?.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
const timer = setInterval(tick, intervalMs);
parentPort?.on("message", (m: { type: string }) => {
  if (m.type === "resume") waiting = false;
  if (m.type === "hold") waiting = true;
  if (m.type === "stop") {
    waiting = false;
    clearInterval(timer);
    tick();
    db.close();
    parentPort?.postMessage({ type: "stopped" });
  }
});
