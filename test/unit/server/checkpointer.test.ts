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

test("under sustained writes the WAL stays bounded (TRUNCATE past the limit) and every committed row is kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-ckpt-"));
  const path = join(dir, "s.db");
  const store = new Store(path);
  const limit = 1 << 20;
  const ck = new Checkpointer(store, 10, () => {}, limit);
  let peak = 0;
  let written = 0;
  let rows = 0;
  try {
    assert.equal(store.db.pragma("journal_size_limit", { simple: true }), limit);
    assert.ok(await until(() => ck.stats.reports > 0, 10_000), "the worker started");
    // Small transactions with scattered keys, as POST /ratings makes them: each commit appends many pages.
    // The loop yields now and then, as a server does between requests.
    for (let tx = 0; tx < 4000; tx++) {
      const batch = Array.from({ length: 10 }, (_, j) => ({ user: `u${(tx * 7919 + j * 104729) % 50_000}`, item: `i${(tx * 31 + j) % 20_011}`, rating: 1 + (tx % 5) }));
      const before = store.walBytes();
      store.putRatings(batch);
      rows += batch.length;
      const after = store.walBytes();
      written += Math.max(0, after - before);
      if (after > peak) peak = after;
      if (tx % 50 === 0) await new Promise((ok) => setImmediate(ok));
    }
    // Far more went through the WAL than the bound below allows at once: the bound is the policy's doing.
    assert.ok(written > 32 * limit, `only ${written} bytes went through the WAL`);
    assert.ok(peak < 16 * limit, `WAL peaked at ${peak} bytes (limit ${limit})`);
    assert.ok(await until(() => ck.stats.truncations > 0, 2000), "the worker reports its truncations");
    const distinct = (store.db.prepare("SELECT COUNT(*) AS n FROM ratings").get() as { n: number }).n;
    assert.ok(distinct > 0 && distinct <= rows);
  } finally {
    await ck.stop();
    store.close();
  }
  // Reopened from the files alone: the same rows, the last value of each pair.
  const again = new Store(path);
  try {
    const expected = new Map<string, number>();
    for (let tx = 0; tx < 4000; tx++) for (let j = 0; j < 10; j++) expected.set(`u${(tx * 7919 + j * 104729) % 50_000}|i${(tx * 31 + j) % 20_011}`, 1 + (tx % 5));
    const got = again.db.prepare("SELECT user, item, rating FROM ratings").all() as Array<{ user: string; item: string; rating: number }>;
    assert.equal(got.length, expected.size);
    for (const r of got) assert.equal(r.rating, expected.get(`${r.user}|${r.item}`));
  } finally {
    again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
