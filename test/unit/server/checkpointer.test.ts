/** WAL checkpoints run in the checkpoint worker, not in the server's commits; the automatic checkpoint comes back when the worker is gone. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Checkpointer } from "mfrec-server/internal/checkpointer.js";
import { Store } from "mfrec-server/internal/store.js";

const size = (p: string): number => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return true;
}

test("commits leave the WAL to the worker, which copies it into the database file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-ckpt-"));
  const path = join(dir, "s.db");
  const store = new Store(path);
  const ck = new Checkpointer(store, 100);
  try {
    assert.equal(store.db.pragma("wal_autocheckpoint", { simple: true }), 0);
    const n = 30_000;
    const users = Array.from({ length: n }, (_, k) => `user-${k % 997}`);
    const items = Array.from({ length: n }, (_, k) => `item-${k}`);
    store.importRatings(users, items, new Float32Array(n).fill(3), store.tick());
    // The commit itself did not checkpoint (SQLite would have, past 1000 pages): the rows sit in the WAL.
    const walAfterCommit = size(`${path}-wal`);
    assert.ok(walAfterCommit > 1_000_000, `WAL ${walAfterCommit} bytes`);
    assert.ok(await until(() => size(path) > 1_000_000, 5000), `database file still ${size(path)} bytes`);
    assert.equal(store.countRatings(), n);
  } finally {
    await ck.stop();
    assert.equal(store.db.pragma("wal_autocheckpoint", { simple: true }), 1000);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a checkpoint worker that dies hands checkpointing back to the connection", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-ckpt-"));
  const store = new Store(join(dir, "s.db"));
  const ck = new Checkpointer(store, 100);
  try {
    // biome-ignore lint/complexity/useLiteralKeys: reach the private worker to kill it as a crash would
    await (ck as unknown as { worker: { terminate(): Promise<number> } })["worker"].terminate();
    assert.ok(await until(() => store.db.pragma("wal_autocheckpoint", { simple: true }) === 1000, 2000));
  } finally {
    await ck.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
