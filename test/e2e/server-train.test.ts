/**
 * POST /train per algorithm: implicit models (ials, wals, bpr) are checked on the ranking of the
 * held-out interactions (NDCG@10 against a random ranking), explicit ones on RMSE; the config is
 * validated before any job starts (400 naming the field), and a finished job frees the slot at once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateRatings } from "../../src/data/synthetic.js";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { call, type J, start, TOKEN, tempDir, waitJob } from "./server-fixtures.js";

describe("server retraining per algorithm", { timeout: 300_000 }, () => {
  const t = tempDir();
  let s: RunningServer;
  before(async () => {
    s = await start({ dbPath: t.dbPath, token: TOKEN });
    // Implicit feedback with taste clusters: 500 users × 200 items, counts ≥ 1.
    const r = generateRatings({ users: 500, items: 200, ratings: 12_000, rank: 8, seed: 11, implicit: true });
    const rows = Array.from({ length: r.length }, (_, k) => ({ user: r.userIndex.idAt(r.users[k]!), item: r.itemIndex.idAt(r.items[k]!), rating: r.values[k]! }));
    for (let k = 0; k < rows.length; k += 5000) assert.equal((await call(s, "POST", "/ratings", rows.slice(k, k + 5000))).status, 201);
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  for (const [algorithm, config] of [
    ["ials", { factors: 8, epochs: 5, seed: 3 }],
    ["wals", { factors: 8, epochs: 5, seed: 3 }],
    ["bpr", { factors: 8, epochs: 20, seed: 3 }],
  ] as const) {
    test(`${algorithm}: passes the ranking check (NDCG@10 on the held-out cut), is registered and served`, async () => {
      const started = await call(s, "POST", "/train", { algorithm, config });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const job = await waitJob(s, started.body.id, 120_000);
      assert.equal(job.status, "succeeded", job.error);
      const v = job.report.validation;
      assert.equal(v.check, "ndcg@10");
      assert.ok(v["ndcg@10"] >= v.bound, JSON.stringify(v));
      // Well above what knows nothing, and on this data above popularity too.
      assert.ok(v["ndcg@10"] > 3 * v.randomNdcg, JSON.stringify(v));
      assert.ok(v["ndcg@10"] > v.popularityNdcg, JSON.stringify(v));
      assert.equal(v.rmse, undefined, "no RMSE bound for a ranking model");
      // The live chart's points: NDCG@10 after every trial epoch.
      const trial = job.epochs.filter((e: J) => e.phase === "validate");
      assert.equal(trial.length, config.epochs);
      for (const e of trial) assert.equal(typeof e.validation["ndcg@10"], "number");
      assert.equal((await call(s, "GET", "/health")).body.modelVersion, job.modelVersion);
      const model = (await call(s, "GET", "/model")).body;
      assert.equal(model.record.algorithm, algorithm);
      assert.equal(model.record.metrics.validation["ndcg@10"], v["ndcg@10"]);
    });
  }

  test("an implicit model that learned nothing (ials, 0 epochs: its seeded initial factors) is rejected; minNdcg is a floor", async () => {
    const serving = (await call(s, "GET", "/health")).body.modelVersion;
    const started = await call(s, "POST", "/train", { algorithm: "ials", config: { factors: 8, epochs: 0, seed: 3 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await waitJob(s, started.body.id);
    assert.equal(job.status, "failed");
    assert.match(job.error, /^E_REJECTED: validation ndcg@10 0\.\d+ is below the bound/);
    // The slot is free as soon as the job has failed: the next request is accepted, not 409.
    const floor = await call(s, "POST", "/train", { algorithm: "bpr", config: { factors: 8, epochs: 2, seed: 3 }, minNdcg: 0.99 });
    assert.equal(floor.status, 202, JSON.stringify(floor.body));
    const job2 = await waitJob(s, floor.body.id);
    assert.equal(job2.status, "failed");
    assert.match(job2.error, /minNdcg 0\.99/);
    assert.equal((await call(s, "GET", "/health")).body.modelVersion, serving, "the current model keeps serving");
  });

  test("an explicit algorithm keeps the RMSE check", async () => {
    const started = await call(s, "POST", "/train", { algorithm: "baseline", activate: false });
    const job = await waitJob(s, started.body.id);
    assert.equal(job.status, "succeeded", job.error);
    assert.equal(job.report.validation.check, "rmse");
    assert.ok(job.report.validation.rmse <= job.report.validation.bound);
  });

  test("a bad config is 400 naming the field before any job exists, and holds no slot", async () => {
    const jobs0 = (await call(s, "GET", "/jobs")).body.jobs.length;
    const cases: Array<[unknown, string, string]> = [
      [{ algorithm: "no-such-algorithm" }, "E_UNKNOWN_ALGORITHM", "algorithm"],
      [{ algorithm: "als", config: { factors: -1 } }, "E_CONFIG", "config.factors"],
      [{ algorithm: "ials", config: { epochs: "many" } }, "E_CONFIG", "config.epochs"],
      [{ algorithm: "bpr", config: { typo: 1 } }, "E_CONFIG", "config.typo"],
      [{ algorithm: "als", bogus: true }, "E_BAD_REQUEST", "bogus"],
      [{ algorithm: "als", holdout: 0.9 }, "E_BAD_REQUEST", "holdout"],
    ];
    for (const [body, code, field] of cases) {
      const r = await call(s, "POST", "/train", body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      assert.equal(r.body.field, field, JSON.stringify(r.body));
      assert.doesNotMatch(r.body.message, /\bcolumn\b/);
    }
    assert.equal((await call(s, "GET", "/jobs")).body.jobs.length, jobs0, "no job was created");
    assert.equal((await call(s, "GET", "/health")).body.trainingJob, null);
  });
});
