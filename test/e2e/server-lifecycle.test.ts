/** Auth rules, fold-in visible on the next query, retrain + swap + rollback, corrupted model files, the OpenAPI document. */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { SEED_ITEM_FACTORS, SEED_ITEMS, SEED_USER_FACTORS, SEED_USERS } from "../../src/cli/seed-example.js";
import { FactorModel } from "../../src/model/factor-model.js";
import { foldInRow } from "../../src/train/fold-in.js";
import { saveModel } from "../../src/model/format.js";
import { createServer, type RunningServer } from "mfrec-server/internal/create-server.js";
import { call, type J, start, TOKEN, tempDir, trainedModel, waitJob } from "./server-fixtures.js";

describe("server auth", () => {
  const t = tempDir();
  let rw: RunningServer;
  let ro: RunningServer;
  before(async () => {
    rw = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN });
    ro = await start({ dbPath: `${t.dbPath}.ro`, model: t.modelPath });
  });
  after(async () => {
    await rw.stop();
    await ro.stop();
    t.cleanup();
  });

  const writes: Array<[string, string, unknown]> = [
    ["POST", "/ratings", { user: "u", item: "i", rating: 3 }],
    ["DELETE", "/ratings/u/i", undefined],
    ["POST", "/train", {}],
    ["POST", "/models/1/activate", undefined],
    ["PUT", "/items/i", { title: "x" }],
  ];

  test("writes without a token, with a wrong one or a malformed header are 401 with a JSON error", async () => {
    for (const [m, p, b] of writes) {
      for (const token of [null, "wrong", `${TOKEN}x`, ""]) {
        const r = await call(rw, m, p, b, token);
        assert.equal(r.status, 401, `${m} ${p} token=${token}`);
        assert.equal(r.body.code, "E_UNAUTHORIZED");
        assert.equal(r.body.field, "authorization");
        assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
    }
    // An invalid body without a token is refused for the token, not validated first.
    const r = await call(rw, "POST", "/ratings", { nonsense: true }, null);
    assert.equal(r.status, 401);
  });

  test("reads need no token", async () => {
    const r = await call(rw, "GET", `/recommend/${trainedModel().model.userIndex.idAt(3)}`, undefined, null);
    assert.equal(r.status, 200);
  });

  test("without a configured token the server is read-only: writes answer 403 E_READ_ONLY, even with a token", async () => {
    assert.ok(ro.warnings.some((w) => /read-only/.test(w)));
    assert.equal((await call(ro, "GET", "/health")).body.readOnly, true);
    for (const [m, p, b] of writes) {
      const r = await call(ro, m, p, b, TOKEN);
      assert.equal(r.status, 403, `${m} ${p}`);
      assert.equal(r.body.code, "E_READ_ONLY");
    }
  });
});

describe("server fold-in, retraining, rollback", () => {
  const t = tempDir();
  let s: RunningServer;
  const model = trainedModel().model;
  before(async () => {
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN });
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  test("a new user's ratings show in the very next /recommend (fold-in), and change it again on the next rating", async () => {
    const before0 = await call(s, "GET", "/recommend/newcomer?n=5");
    assert.equal(before0.body.source, "popular");
    // Rate the items most similar to one item highly: the folded row should lean towards that cluster.
    const seed = model.itemIndex.idAt(3);
    const near = (await call(s, "GET", `/similar/items/${seed}?n=6`)).body.items.map((x: { item: string }) => x.item);
    const rated = [seed, ...near.slice(0, 3)];
    const ack = await call(
      s,
      "POST",
      "/ratings",
      rated.map((item) => ({ user: "newcomer", item, rating: 5 })),
    );
    assert.equal(ack.status, 201);
    const r1 = await call(s, "GET", "/recommend/newcomer?n=5");
    assert.equal(r1.body.source, "fold-in");
    const got = r1.body.items.map((x: { item: string }) => x.item);
    for (const item of rated) assert.ok(!got.includes(item), "rated items are excluded");
    // The remaining near neighbours of the seed are the natural next picks: at least one in the top 5.
    assert.ok(near.slice(3).some((x: string) => got.includes(x)), `${got} vs ${near}`);
    const p1 = await call(s, "GET", `/predict/newcomer/${near[4]}`);
    assert.equal(p1.body.source, "fold-in");
    // Another rating invalidates the cached row: the next list differs and excludes the new item.
    await call(s, "POST", "/ratings", { user: "newcomer", item: got[0], rating: 1 });
    const r2 = await call(s, "GET", "/recommend/newcomer?n=5");
    assert.ok(!r2.body.items.some((x: { item: string }) => x.item === got[0]));
  });

  test("GET /explain for a user folded in live: their stored ratings' parts sum to their folded score", async () => {
    const stored = (await call(s, "GET", "/users/newcomer/ratings")).body.ratings as Array<{ item: string }>;
    const candidate = (await call(s, "GET", "/recommend/newcomer?n=1")).body.items[0].item as string;
    const r = await call(s, "GET", `/explain/newcomer/${candidate}?n=100`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, "fold-in");
    assert.equal(r.body.historySize, stored.length);
    assert.deepEqual(r.body.contributions.map((x: { item: string }) => x.item).sort(), stored.map((x) => x.item).sort());
    const sum = r.body.contributions.reduce((a: number, x: { contribution: number }) => a + x.contribution, r.body.baseline);
    assert.ok(Math.abs(sum - r.body.score) < 1e-9);
    // The folded row solves the very system explain splits: the parts give the served score.
    assert.ok(Math.abs(r.body.score - r.body.modelScore) < 1e-4, `${r.body.score} vs ${r.body.modelScore}`);
    // The explained score is the one /recommend shows (the ranking part's); /predict keeps the rating part.
    const shown = (await call(s, "GET", "/recommend/newcomer?n=1")).body.items[0].score as number;
    assert.ok(Math.abs(shown - r.body.modelScore) < 1e-6, `${shown} vs ${r.body.modelScore}`);
    const p = await call(s, "GET", `/predict/newcomer/${candidate}`);
    const [lo, hi] = model.ratingScale!;
    assert.ok(p.body.score >= lo && p.body.score <= hi);
  });

  test("GET /predict of a folded-in user for an unknown item: μ + their folded bias, reason unknown-item (as for a model user)", async () => {
    const stored = (await call(s, "GET", "/users/newcomer/ratings")).body.ratings as Array<{ item: string; rating: number }>;
    assert.ok(stored.length > 0);
    const r = await call(s, "GET", "/predict/newcomer/no-such-item");
    assert.equal(r.status, 200);
    assert.equal(r.body.reason, "unknown-item", JSON.stringify(r.body));
    assert.equal(r.body.known, false);
    assert.equal(r.body.source, "fallback");
    // The folded row solved independently from the stored ratings: its bias is the known side's bias.
    const items = Int32Array.from(stored, (x) => model.itemIndex.indexOf(x.item));
    const values = Float32Array.from(stored, (x) => x.rating);
    const order = Array.from(items.keys()).sort((a, b) => items[a]! - items[b]!);
    const row = foldInRow(model, Int32Array.from(order, (j) => items[j]!), Float32Array.from(order, (j) => values[j]!), "user");
    assert.ok(model.userBias !== undefined && row.bias !== 0, "the fixture model has user biases");
    assert.ok(Math.abs(r.body.score - model.clip(model.globalMean + row.bias)) < 1e-6, `${r.body.score} vs μ + b_u = ${model.globalMean + row.bias}`);
    // A model user's unknown item answers the same way.
    const known = model.userIndex.idAt(1);
    const k = await call(s, "GET", `/predict/${known}/no-such-item`);
    assert.equal(k.body.reason, "unknown-item");
    assert.ok(Math.abs(k.body.score - model.clip(model.globalMean + model.userBias![1]!)) < 1e-6);
  });

  test("a known user who rates is folded in from their full stored history", async () => {
    const user = model.userIndex.idAt(5);
    const r0 = await call(s, "GET", `/recommend/${user}?n=3`);
    assert.equal(r0.body.source, "model");
    const top = r0.body.items[0].item;
    await call(s, "POST", "/ratings", { user, item: top, rating: 1 });
    const r1 = await call(s, "GET", `/recommend/${user}?n=3`);
    assert.equal(r1.body.source, "fold-in");
    assert.ok(!r1.body.items.some((x: { item: string }) => x.item === top));
  });

  let firstJobVersion = 0;

  test("POST /train runs in a worker, reports progress, registers and swaps the new model in", async () => {
    const started = await call(s, "POST", "/train", { algorithm: "als", config: { factors: 6, epochs: 5, regularization: 0.1, seed: 3 } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.status, "running");
    const busy = await call(s, "POST", "/train", {});
    assert.equal(busy.status, 409);
    assert.equal(busy.body.code, "E_BUSY");
    assert.deepEqual(started.body.epochs, []);
    // Poll fast: every snapshot of the epochs must be a prefix of the final list (rows only grow, in order).
    const seen: J[] = [];
    let job: J;
    for (;;) {
      job = (await call(s, "GET", `/jobs/${started.body.id}`)).body;
      seen.push(job.epochs);
      if (job.status !== "running" && job.status !== "queued") break;
      await new Promise((ok) => setTimeout(ok, 5));
    }
    assert.equal(job.status, "succeeded", JSON.stringify(job));
    assert.equal(job.progress, 1);
    for (const snap of seen) assert.deepEqual(snap, job.epochs.slice(0, snap.length));
    // 5 epochs on the training slice (with hold-out RMSE each), then 5 on every rating.
    assert.deepEqual(
      job.epochs.map((e: J) => `${e.phase}${e.epoch}`),
      ["validate1", "validate2", "validate3", "validate4", "validate5", "final1", "final2", "final3", "final4", "final5"],
    );
    for (const e of job.epochs) {
      assert.ok(Number.isFinite(e.loss) && Number.isFinite(e.trainRmse), JSON.stringify(e));
      assert.equal(e.validation !== undefined, e.phase === "validate");
    }
    // The last trial epoch's hold-out RMSE is the figure the sanity check accepted.
    assert.ok(Math.abs(job.epochs[4].validation.rmse - job.report.validation.rmse) < 1e-12);
    // ALS's training loss falls over the final refit.
    assert.ok(job.epochs[9].loss < job.epochs[5].loss);
    // The list view leaves the epochs out.
    const listed = (await call(s, "GET", "/jobs")).body.jobs.find((x: J) => x.id === job.id);
    assert.equal(listed.epochs, undefined);
    firstJobVersion = job.modelVersion;
    assert.equal(firstJobVersion, 2);
    const v = job.report.validation;
    assert.ok(v.rmse <= v.bound && v.rmse < v.baselineRmse, JSON.stringify(v));
    const health = await call(s, "GET", "/health");
    assert.equal(health.body.modelVersion, 2);
    const m = await call(s, "GET", "/model");
    assert.equal(m.body.stats.factors, 6);
    // The new model was trained on the store, which includes "newcomer": now a model user.
    const r = await call(s, "GET", "/recommend/newcomer?n=3");
    assert.equal(r.body.source, "model");
    assert.equal(r.body.modelVersion, 2);
  });

  test("a model that fails the sanity bound is rejected and the current one keeps serving", async () => {
    const started = await call(s, "POST", "/train", { algorithm: "als", config: { factors: 6, epochs: 2, seed: 3 }, maxRmse: 0.01 });
    const job = await waitJob(s, started.body.id);
    assert.equal(job.status, "failed");
    assert.match(job.error, /^E_REJECTED/);
    assert.equal((await call(s, "GET", "/health")).body.modelVersion, firstJobVersion);
    const bad = await call(s, "POST", "/train", { algorithm: "no-such-algorithm" });
    const badJob = bad.status === 202 ? await waitJob(s, bad.body.id) : bad.body;
    assert.match(badJob.error ?? badJob.code, /E_UNKNOWN_ALGORITHM/);
  });

  test("POST /models/1/activate rolls back; a corrupted file is refused (422) and the current model keeps serving", async () => {
    const back = await call(s, "POST", "/models/1/activate");
    assert.equal(back.status, 200);
    assert.equal(back.body.version, 1);
    assert.equal((await call(s, "GET", "/model")).body.stats.factors, 8);
    const list = (await call(s, "GET", "/models")).body.models;
    assert.deepEqual(
      list.map((m: { version: number; active: boolean }) => [m.version, m.active]),
      [
        [1, true],
        [2, false],
      ],
    );
    // Truncate version 2's file: activation must refuse it.
    const path2 = list[1].path;
    const bytes = readFileSync(path2);
    writeFileSync(path2, bytes.subarray(0, bytes.length - 100));
    const r = await call(s, "POST", "/models/2/activate");
    assert.equal(r.status, 422);
    assert.equal(r.body.code, "E_MODEL_FORMAT");
    assert.equal((await call(s, "GET", "/health")).body.modelVersion, 1);
    assert.equal((await call(s, "GET", `/recommend/${model.userIndex.idAt(0)}`)).status, 200);
    // Flip one byte (same length): the checksum catches it.
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 0xff;
    writeFileSync(path2, flipped);
    const r2 = await call(s, "POST", "/models/2/activate");
    assert.equal(r2.status, 422);
    assert.equal((await call(s, "GET", "/models")).body.models[0].active, true);
  });

  test("at start-up a corrupted --model is refused while the registered model keeps serving", async () => {
    const broken = `${t.dir}/broken.mfr`;
    writeFileSync(broken, readFileSync(t.modelPath).subarray(0, 500));
    const other = createServer({ dbPath: t.dbPath, model: broken, web: false });
    try {
      assert.ok(other.warnings.some((w) => w.includes("refused")));
      assert.equal(other.serving.record?.version, 1);
    } finally {
      await other.close();
    }
    // With nothing registered to fall back on, start-up fails with E_MODEL_FORMAT.
    assert.throws(() => createServer({ dbPath: `${t.dir}/empty.db`, model: broken, web: false }), { code: "E_MODEL_FORMAT" });
  });

  test("the OpenAPI document parses, is 3.x and lists every route", async () => {
    const r = await call(s, "GET", "/openapi.json");
    assert.equal(r.status, 200);
    const doc = r.body;
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    const want: Array<[string, string]> = [
      ["get", "/recommend/{user}"],
      ["get", "/similar/items/{item}"],
      ["get", "/similar/users/{user}"],
      ["get", "/predict/{user}/{item}"],
      ["post", "/ratings"],
      ["delete", "/ratings/{user}/{item}"],
      ["post", "/train"],
      ["get", "/jobs/{id}"],
      ["get", "/jobs"],
      ["get", "/models"],
      ["post", "/models/{version}/activate"],
      ["get", "/model"],
      ["get", "/model/embedding"],
      ["get", "/explain/{user}/{item}"],
      ["get", "/items/{item}"],
      ["put", "/items/{item}"],
      ["get", "/users/{user}/ratings"],
      ["get", "/health"],
      ["get", "/metrics"],
    ];
    for (const [method, path] of want) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} missing`);
      assert.ok(op.responses, `${method} ${path} has responses`);
      for (const p of path.match(/\{(\w+)\}/g) ?? []) {
        assert.ok(
          op.parameters.some((x: { name: string; in: string }) => x.in === "path" && `{${x.name}}` === p),
          `${method} ${path} declares ${p}`,
        );
      }
    }
    const writesSecured = want.filter(([m]) => m !== "get").every(([m, p]) => JSON.stringify(doc.paths[p][m].security) === '[{"bearer":[]}]');
    assert.ok(writesSecured);
    assert.equal(doc.components.securitySchemes.bearer.scheme, "bearer");
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/(\w+)"/g) ?? [];
    for (const ref of refs) assert.ok(doc.components.schemas[/schemas\/(\w+)/.exec(ref)![1]!], ref);
  });
});

describe("server explain on a model it does not cover", () => {
  test("a model without training history (the seed's given factors) answers 422 E_UNSUPPORTED", async () => {
    const t = tempDir();
    const path = `${t.dir}/given.mfr`;
    writeFileSync(path, saveModel(FactorModel.fromMatrices({ userMatrix: SEED_USER_FACTORS, itemMatrix: SEED_ITEM_FACTORS, users: SEED_USERS, items: SEED_ITEMS, ratingScale: [1, 5] })));
    const srv = createServer({ dbPath: t.dbPath, model: path, web: false });
    try {
      const r = await srv.app.request("/explain/User%201/Casablanca");
      assert.equal(r.status, 422);
      const body = (await r.json()) as { code: string; message: string };
      assert.equal(body.code, "E_UNSUPPORTED");
      assert.match(body.message, /history/);
      // The rest of the API still answers for that model.
      assert.equal((await srv.app.request("/predict/User%201/Casablanca")).status, 200);
    } finally {
      await srv.close();
      t.cleanup();
    }
  });
});
