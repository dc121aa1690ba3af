/** Every endpoint over real HTTP on loopback, against a real SQLite file in a temp dir. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { explain } from "../../src/recommend/explain.js";
import { recommend } from "../../src/recommend/recommend.js";
import { similarItems } from "../../src/recommend/similar.js";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { Store } from "mfrec-server/internal/store.js";
import { call, start, TOKEN, tempDir, trainedModel } from "./server-fixtures.js";

describe("server API", () => {
  const t = tempDir();
  let s: RunningServer;
  const model = trainedModel().model;
  const user0 = model.userIndex.idAt(0);
  const item0 = model.itemIndex.idAt(0);

  before(async () => {
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN });
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  test("binds 127.0.0.1 by default", () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("health reports the model, the store and write mode", async () => {
    const r = await call(s, "GET", "/health");
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "ok");
    assert.equal(r.body.readOnly, false);
    assert.equal(r.body.modelVersion, 1);
    // The store was seeded from the model's training history.
    assert.equal(r.body.ratings, model.history!.indptr[model.history!.rows]);
    assert.equal(r.body.schemaVersion, 3);
  });

  test("GET /recommend equals the library's recommend for a known user", async () => {
    const r = await call(s, "GET", `/recommend/${user0}?n=7`);
    assert.equal(r.status, 200);
    assert.equal(r.body.source, "model");
    assert.equal(r.body.modelVersion, 1);
    const want = recommend(model, user0, { n: 7 });
    assert.deepEqual(
      r.body.items.map((x: { item: string }) => x.item),
      want.map((x) => x.item),
    );
    for (let j = 0; j < want.length; j++) assert.ok(Math.abs(r.body.items[j].score - want[j]!.score) < 1e-9);
  });

  test("recommend: rated items excluded by default, included with excludeRated=false; exclude and items filter", async () => {
    const h = model.history!;
    const rated = new Set(Array.from(h.indices.subarray(h.indptr[0]!, h.indptr[1]!), (i) => model.itemIndex.idAt(i)));
    const all = await call(s, "GET", `/recommend/${user0}?n=80`);
    assert.equal(all.body.items.length, 80 - rated.size);
    for (const x of all.body.items) assert.ok(!rated.has(x.item));
    const incl = await call(s, "GET", `/recommend/${user0}?n=80&excludeRated=false`);
    assert.equal(incl.body.items.length, 80);
    const top = all.body.items[0].item;
    const ex = await call(s, "GET", `/recommend/${user0}?n=3&exclude=${encodeURIComponent(top)}`);
    assert.ok(!ex.body.items.some((x: { item: string }) => x.item === top));
    const cands = all.body.items.slice(5, 8).map((x: { item: string }) => x.item);
    const only = await call(s, "GET", `/recommend/${user0}?n=10&items=${cands.join(",")}`);
    assert.deepEqual(
      only.body.items.map((x: { item: string }) => x.item),
      cands,
    );
  });

  test("an unknown user gets popular items with a reason (not an error)", async () => {
    const r = await call(s, "GET", "/recommend/nobody-at-all?n=5");
    assert.equal(r.status, 200);
    assert.equal(r.body.source, "popular");
    assert.equal(r.body.reason, "unknown-user");
    assert.equal(r.body.items.length, 5);
  });

  test("similar items and users; unknown ids are 404 with a code", async () => {
    const r = await call(s, "GET", `/similar/items/${item0}?n=4`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.items.map((x: { item: string }) => x.item),
      similarItems(model, item0, { n: 4 }).map((x) => x.item),
    );
    const u = await call(s, "GET", `/similar/users/${user0}?n=3&metric=dot`);
    assert.equal(u.status, 200);
    assert.equal(u.body.users.length, 3);
    assert.ok(!u.body.users.some((x: { user: string }) => x.user === user0));
    const bad = await call(s, "GET", "/similar/items/no-such-item");
    assert.equal(bad.status, 404);
    assert.equal(bad.body.code, "E_UNKNOWN_ITEM");
    const badU = await call(s, "GET", "/similar/users/no-such-user");
    assert.equal(badU.status, 404);
    assert.equal(badU.body.code, "E_UNKNOWN_USER");
  });

  test("predict: known pair is the clipped model score; unknown item falls back with a reason", async () => {
    const r = await call(s, "GET", `/predict/${user0}/${item0}`);
    assert.equal(r.status, 200);
    assert.ok(Math.abs(r.body.score - model.clip(model.scoreIndex(0, 0))) < 1e-9);
    assert.equal(r.body.known, true);
    const f = await call(s, "GET", `/predict/${user0}/no-such-item`);
    assert.equal(f.status, 200);
    assert.equal(f.body.known, false);
    assert.equal(f.body.reason, "unknown-item");
    assert.ok(Number.isFinite(f.body.score));
  });

  test("GET /explain: the parts of a model user's score sum to it, and match the library's explain", async () => {
    const h = model.history!;
    const size = h.indptr[1]! - h.indptr[0]!;
    for (const item of [item0, model.itemIndex.idAt(17), model.itemIndex.idAt(42)]) {
      const all = await call(s, "GET", `/explain/${user0}/${item}?n=1000`);
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.equal(all.body.source, "model");
      assert.equal(all.body.modelVersion, 1);
      assert.equal(all.body.historySize, size);
      assert.equal(all.body.contributions.length, size);
      assert.deepEqual(all.body.rest, { items: 0, contribution: 0 });
      const sum = all.body.contributions.reduce((a: number, x: { contribution: number }) => a + x.contribution, all.body.baseline);
      assert.ok(Math.abs(sum - all.body.score) < 1e-9, `${sum} vs ${all.body.score}`);
      const lib = explain(model, user0, item, { n: 1000 });
      assert.ok(Math.abs(lib.score - all.body.score) < 1e-12);
      assert.deepEqual(
        all.body.contributions.map((x: { item: string }) => x.item),
        lib.contributions.map((x) => x.item),
      );
      // The closed-form row is the ALS row solve: close to the trained row's own score.
      assert.ok(Math.abs(all.body.modelScore - model.ranker.scoreIndex(0, model.itemIndex.indexOf(item))) < 1e-9);
      assert.ok(Math.abs(all.body.score - all.body.modelScore) < 0.25, `${all.body.score} vs ${all.body.modelScore}`);
      // Listing only two: the rest are summed, and everything still adds up to the score.
      const two = await call(s, "GET", `/explain/${user0}/${item}?n=2`);
      assert.equal(two.body.contributions.length, 2);
      assert.equal(two.body.rest.items, size - 2);
      const parts = two.body.baseline + two.body.contributions[0].contribution + two.body.contributions[1].contribution + two.body.rest.contribution;
      assert.ok(Math.abs(parts - two.body.score) < 1e-9);
      assert.ok(Math.abs(two.body.contributions[0].contribution) >= Math.abs(two.body.contributions[1].contribution));
    }
    const cases: Array<[string, number, string, string | null]> = [
      [`/explain/${user0}/no-such-item`, 404, "E_UNKNOWN_ITEM", "item"],
      [`/explain/nobody-at-all/${item0}`, 404, "E_UNKNOWN_USER", "user"],
      [`/explain/${user0}/${item0}?n=-1`, 400, "E_CONFIG", "n"],
    ];
    for (const [path, status, code, field] of cases) {
      const r = await call(s, "GET", path);
      assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code);
      assert.equal(r.body.field, field);
    }
  });

  test("validation errors are 4xx JSON {code, message, field}", async () => {
    const cases: Array<[string, string, unknown, number, string, string]> = [
      ["GET", `/recommend/${user0}?n=-1`, undefined, 400, "E_CONFIG", "n"],
      ["GET", `/recommend/${user0}?n=abc`, undefined, 400, "E_CONFIG", "n"],
      ["GET", `/recommend/${user0}?n=5000`, undefined, 400, "E_CONFIG", "n"],
      ["GET", `/recommend/${user0}?excludeRated=maybe`, undefined, 400, "E_CONFIG", "excludeRated"],
      ["GET", `/similar/items/${item0}?metric=euclid`, undefined, 400, "E_CONFIG", "metric"],
      ["POST", "/ratings", { user: "a", item: "b", rating: "five" }, 400, "E_NOT_NUMBER", "rating"],
      ["POST", "/ratings", { user: "", item: "b", rating: 3 }, 400, "E_EMPTY_ID", "user"],
      ["POST", "/ratings", { user: "a", item: "b" }, 400, "E_NOT_NUMBER", "rating"],
      ["POST", "/ratings", { user: "a", item: "b", rating: 3, extra: 1 }, 400, "E_BAD_REQUEST", "extra"],
      ["POST", "/ratings", { user: "a", item: "b", rating: 9 }, 400, "E_OUT_OF_SCALE", "rating"],
      ["POST", "/ratings", [{ user: "a", item: "b", rating: 3 }, { user: "a", item: "c", rating: 0 }], 400, "E_OUT_OF_SCALE", "1.rating"],
      ["POST", "/ratings", "{not json", 400, "E_BAD_REQUEST", "body"],
      ["POST", "/ratings", [], 400, "E_BAD_REQUEST", "body"],
      ["POST", "/models/0/activate", undefined, 400, "E_CONFIG", "version"],
      ["POST", "/models/99/activate", undefined, 404, "E_NOT_FOUND", "version"],
      ["GET", "/jobs/nope", undefined, 404, "E_NOT_FOUND", "id"],
      ["DELETE", "/ratings/nobody/nothing", undefined, 404, "E_NOT_FOUND", "item"],
      ["POST", "/train", { algorithm: "als", bogus: true }, 400, "E_BAD_REQUEST", "bogus"],
    ];
    for (const [method, path, body, status, code, field] of cases) {
      const r = await call(s, method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.message, "string");
    }
    const none = await call(s, "GET", "/no/such/route");
    assert.equal(none.status, 404);
    assert.equal(none.body.code, "E_NOT_FOUND");
  });

  test("body and batch limits answer 413 E_TOO_LARGE", async () => {
    const many = Array.from({ length: 10_001 }, (_, k) => ({ user: "bulk", item: `i${k}`, rating: 3 }));
    const r = await call(s, "POST", "/ratings", many);
    assert.equal(r.status, 413);
    assert.equal(r.body.code, "E_TOO_LARGE");
    const huge = JSON.stringify({ user: "x".repeat(2 << 20), item: "b", rating: 3 });
    const h = await call(s, "POST", "/ratings", huge);
    assert.equal(h.status, 413);
    assert.equal(h.body.code, "E_TOO_LARGE");
  });

  test("POST /ratings commits before acknowledging; DELETE removes; the store holds exactly that", async () => {
    const r = await call(s, "POST", "/ratings", [
      { user: "alice", item: item0, rating: 4 },
      { user: "alice", item: model.itemIndex.idAt(1), rating: 2 },
    ]);
    assert.equal(r.status, 201);
    assert.equal(r.body.accepted, 2);
    // A second connection sees the rows as soon as the answer arrived.
    const other = new Store(t.dbPath, { readonly: true });
    try {
      assert.equal(other.userRatings("alice").length, 2);
    } finally {
      other.close();
    }
    const up = await call(s, "POST", "/ratings", { user: "alice", item: item0, rating: 5 });
    assert.equal(up.status, 201);
    const list = await call(s, "GET", "/users/alice/ratings");
    assert.deepEqual(list.body.ratings.map((x: { item: string; rating: number }) => [x.item, x.rating]).sort(), [[item0, 5], [model.itemIndex.idAt(1), 2]].sort());
    const d = await call(s, "DELETE", `/ratings/alice/${model.itemIndex.idAt(1)}`);
    assert.equal(d.status, 200);
    const after = await call(s, "GET", "/users/alice/ratings");
    assert.equal(after.body.ratings.length, 1);
  });

  test("items: PUT title/metadata, GET it back; unknown item is 404", async () => {
    const p = await call(s, "PUT", `/items/${item0}`, { title: "Toy Story (1995)", metadata: { genres: ["Animation"] } });
    assert.equal(p.status, 200);
    const g = await call(s, "GET", `/items/${item0}`);
    assert.equal(g.body.title, "Toy Story (1995)");
    assert.deepEqual(g.body.metadata, { genres: ["Animation"] });
    assert.equal(g.body.inModel, true);
    assert.ok(g.body.ratings > 0);
    const u = await call(s, "GET", "/items/never-seen");
    assert.equal(u.status, 404);
    assert.equal(u.body.code, "E_UNKNOWN_ITEM");
  });

  test("GET /model/embedding: item factor rows, the most rated first, titles from the items table", async () => {
    const h = model.history!;
    const count = new Float64Array(model.numItems);
    for (let p = 0; p < h.indptr[h.rows]!; p++) count[h.indices[p]!]!++;
    const all = await call(s, "GET", "/model/embedding");
    assert.equal(all.status, 200);
    assert.equal(all.body.modelVersion, 1);
    assert.equal(all.body.items.length, model.numItems);
    assert.deepEqual([...all.body.items].sort(), [...model.itemIndex.ids()].map(String).sort());
    const k = model.factors;
    const Q = model.itemFactors.data;
    all.body.items.forEach((id: string, j: number) => {
      const i = model.itemIndex.indexOf(id);
      if (j > 0) {
        const prev = model.itemIndex.indexOf(all.body.items[j - 1]);
        assert.ok(count[prev]! > count[i]! || (count[prev] === count[i] && prev < i), `order at ${j}`);
      }
      assert.equal(all.body.factors[j].length, k);
      // float32-exact: the 9-digit JSON number rounds back to the stored factor.
      for (let c = 0; c < k; c++) assert.equal(Math.fround(all.body.factors[j][c]), Q[i * k + c]);
    });
    // The items test above stored one title; every other listed item has none.
    assert.equal(all.body.titles.length, all.body.items.length);
    assert.equal(all.body.titles[all.body.items.indexOf(item0)], "Toy Story (1995)");
    assert.equal(all.body.titles.filter((x: string | null) => x !== null).length, 1);
    const top = await call(s, "GET", "/model/embedding?limit=5");
    assert.deepEqual(top.body.items, all.body.items.slice(0, 5));
    assert.deepEqual(top.body.factors, all.body.factors.slice(0, 5));
    for (const bad of ["0", "-3", "x"]) {
      const r = await call(s, "GET", `/model/embedding?limit=${bad}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, "E_CONFIG");
      assert.equal(r.body.field, "limit");
    }
  });

  test("GET /model and /models describe the active model", async () => {
    const m = await call(s, "GET", "/model");
    assert.equal(m.status, 200);
    assert.equal(m.body.stats.users, model.numUsers);
    assert.equal(m.body.stats.factors, 8);
    assert.equal(m.body.training.length, 8);
    assert.deepEqual(m.body.ratingScale, model.ratingScale ?? null);
    const ms = await call(s, "GET", "/models");
    assert.equal(ms.body.models.length, 1);
    assert.equal(ms.body.models[0].active, true);
    assert.match(ms.body.models[0].checksum, /^[0-9a-f]{64}$/);
  });

  test("/api/ aliases answer like the root routes", async () => {
    const a = await call(s, "GET", `/api/recommend/${user0}?n=3`);
    const b = await call(s, "GET", `/recommend/${user0}?n=3`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, b.body);
  });

  test("GET /metrics is Prometheus text with per-route counts, histograms, model version and ratings", async () => {
    const r = await call(s, "GET", "/metrics");
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/plain/);
    const text = r.body as string;
    assert.match(text, /# TYPE mfrec_http_requests_total counter/);
    assert.match(text, /mfrec_http_requests_total\{method="GET",route="\/recommend\/:user",status="200"\} \d+/);
    assert.match(text, /mfrec_http_request_duration_seconds_bucket\{method="GET",route="\/recommend\/:user",le="\+Inf"\} \d+/);
    assert.match(text, /mfrec_model_version 1\n/);
    const ratings = Number(/mfrec_ratings (\d+)/.exec(text)![1]);
    assert.equal(ratings, (await call(s, "GET", "/health")).body.ratings);
    // Every sample line is `name{labels} value` or `name value`.
    for (const line of text.split("\n")) if (line && !line.startsWith("#")) assert.match(line, /^[a-z_]+(\{[^}]*\})? [-+.\deE]+$/, line);
  });
});
