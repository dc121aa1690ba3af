/** The store's schema migrations: a version-1 database (with a job) moves to version 2 keeping its rows; job epochs round-trip. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS } from "mfrec-server/internal/migrations.js";
import { Store } from "mfrec-server/internal/store.js";

function tempDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-store-"));
  return { path: join(dir, "s.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("a version-1 database is migrated to the current version and keeps its jobs", () => {
  const t = tempDb();
  try {
    const db = new Database(t.path);
    db.exec(MIGRATIONS[0]!);
    db.pragma("user_version = 1");
    db.prepare("INSERT INTO jobs (id, status, progress, config, created_at) VALUES ('old', 'succeeded', 1, '{}', '2024-01-01T00:00:00Z')").run();
    db.close();
    const store = new Store(t.path);
    try {
      assert.equal(store.schemaVersion, MIGRATIONS.length);
      assert.equal(store.schemaVersion, 3);
      assert.equal(store.allFeatures("item").size, 0, "migration 3 adds an empty entity_features table");
      const old = store.getJob("old")!;
      assert.equal(old.status, "succeeded");
      assert.deepEqual(old.epochs, []);
    } finally {
      store.close();
    }
  } finally {
    t.cleanup();
  }
});

test("job epochs: stored as reported, read back in phase then epoch order, optional fields omitted", () => {
  const t = tempDb();
  const store = new Store(t.path);
  try {
    store.createJob("j", { algorithm: "als" });
    store.updateJob("j", { status: "running", progress: 0 });
    store.addJobEpoch("j", 0.75, { phase: "final", epoch: 1, loss: 3.5, trainRmse: 0.9 });
    store.addJobEpoch("j", 0.25, { phase: "validate", epoch: 2, loss: 2, validation: { rmse: 1.1 }, seconds: 0.01 });
    store.addJobEpoch("j", 0.125, { phase: "validate", epoch: 1, loss: 4, validation: { rmse: 1.3 } });
    const job = store.getJob("j")!;
    assert.equal(job.progress, 0.125);
    assert.equal(job.status, "running");
    assert.deepEqual(job.epochs, [
      { phase: "validate", epoch: 1, loss: 4, validation: { rmse: 1.3 } },
      { phase: "validate", epoch: 2, loss: 2, validation: { rmse: 1.1 }, seconds: 0.01 },
      { phase: "final", epoch: 1, loss: 3.5, trainRmse: 0.9 },
    ]);
    assert.equal(store.listJobs()[0]!.epochs, undefined);
    // An epoch of an unknown job violates the foreign key: nothing is written.
    assert.throws(() => store.addJobEpoch("nope", 0.5, { phase: "final", epoch: 1, loss: 1 }));
  } finally {
    store.close();
    t.cleanup();
  }
});
