/**
 * The service with a hybrid model: PUT /items/{item} with features makes a new item recommendable in
 * the same response, PUT /users/{user}/features gives a new user a list from their features (also with a
 * bayes-fm model trained with user features), and a model without features refuses both with the reason.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { ratingsFromArray } from "../../src/data/ratings.js";
import { saveModel } from "../../src/model/format.js";
import { fitSync } from "../../src/train/fit.js";
import { call, start, TOKEN, tempDir } from "./server-fixtures.js";

/** Users a* like items A* (feature taste:A), users b* like B* (taste:B). */
function hybridModelBytes(): Uint8Array {
  const rows: { user: string; item: string; rating: number }[] = [];
  const itemFeatures: Record<string, string[]> = {};
  const userFeatures: Record<string, string[]> = {};
  for (const g of ["a", "b"]) {
    for (let u = 0; u < 10; u++) {
      userFeatures[`${g}${u}`] = [`group:${g}`];
      for (let i = 0; i < 10; i++) if ((i + u) % 3 !== 0) rows.push({ user: `${g}${u}`, item: `${g.toUpperCase()}${i}`, rating: 5 });
    }
    for (let i = 0; i < 10; i++) itemFeatures[`${g.toUpperCase()}${i}`] = [`taste:${g.toUpperCase()}`];
  }
  const model = fitSync(ratingsFromArray(rows), { algorithm: "hybrid", factors: 8, epochs: 30, seed: 3 }, { itemFeatures, userFeatures });
  return saveModel(model);
}

describe("service cold start with a hybrid model", () => {
  let s: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mfrec-cold-"));
    const modelPath = join(dir, "hybrid.mfr");
    writeFileSync(modelPath, hybridModelBytes());
    s = await start({ dbPath: join(dir, "db.sqlite"), model: modelPath, token: TOKEN });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("PUT /items/{item} with features: the new item is recommended at once to the users of its taste", async () => {
    const put = await call(s, "PUT", "/items/freshA", { title: "Fresh A", features: ["taste:A", "colour:none"] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.inModel, true);
    assert.deepEqual(put.body.features, { known: 1, unknown: ["colour:none"], inModel: true });
    const rec = await call(s, "GET", "/recommend/a0?n=3&items=freshA,B0,B3", undefined, null);
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    assert.equal(rec.body.items[0].item, "freshA");
    const recB = await call(s, "GET", "/recommend/b0?n=3&items=freshA,B0,B3", undefined, null);
    assert.notEqual(recB.body.items[0].item, "freshA");
  });

  test("features none of which the model knows: 400 naming the problem, nothing stored", async () => {
    const put = await call(s, "PUT", "/items/odd", { features: ["colour:red"] });
    assert.equal(put.status, 400);
    assert.equal(put.body.code, "E_CONFIG");
    assert.match(put.body.message, /none of the 1 features/);
    const get = await call(s, "GET", "/items/odd", undefined, null);
    assert.equal(get.status === 404 || get.body.inModel === false, true);
  });

  test("PUT /users/{user}/features: a new user is recommended from their features instead of the popular items", async () => {
    const before = await call(s, "GET", "/recommend/newbie?n=5", undefined, null);
    assert.equal(before.body.source, "popular");
    const put = await call(s, "PUT", "/users/newbie/features", { features: ["group:b"] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.features, { known: 1, unknown: [], inModel: false });
    const rec = await call(s, "GET", "/recommend/newbie?n=5", undefined, null);
    assert.equal(rec.body.source, "fold-in");
    for (const it of rec.body.items) assert.match(it.item, /^B/);
    // Then a few ratings: folded in on top of the features.
    const r = await call(s, "POST", "/ratings", [{ user: "newbie", item: "A1", rating: 5 }, { user: "newbie", item: "A2", rating: 5 }, { user: "newbie", item: "A3", rating: 5 }]);
    assert.equal(r.status, 201);
    const rec2 = await call(s, "GET", "/recommend/newbie?n=5", undefined, null);
    assert.equal(rec2.body.source, "fold-in");
    assert.equal(rec2.body.items.length, 5);
  });
});

describe("features given to the service survive a restart (SQLite store)", () => {
  let dir: string;
  let modelPath: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mfrec-cold-restart-"));
    modelPath = join(dir, "hybrid.mfr");
    writeFileSync(modelPath, hybridModelBytes());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a new item's and a new user's features are in the store: after a restart the item is a candidate and the user is folded in from them", async () => {
    const dbPath = join(dir, "db.sqlite");
    const s1 = await start({ dbPath, model: modelPath, token: TOKEN });
    try {
      assert.equal((await call(s1, "PUT", "/items/freshB", { title: "Fresh B", features: ["taste:B"] })).status, 200);
      // Replaced features are the ones kept.
      assert.equal((await call(s1, "PUT", "/items/freshA", { title: "Fresh A", features: ["taste:B"] })).status, 200);
      assert.equal((await call(s1, "PUT", "/items/freshA", { title: "Fresh A", features: ["taste:A"] })).status, 200);
      assert.equal((await call(s1, "PUT", "/users/newbie/features", { features: { "group:b": 1 } })).status, 200);
    } finally {
      await s1.stop();
    }
    const s2 = await start({ dbPath, model: modelPath, token: TOKEN });
    try {
      const item = await call(s2, "GET", "/items/freshA", undefined, null);
      assert.equal(item.status, 200, JSON.stringify(item.body));
      assert.equal(item.body.inModel, true, "the item is in the model again after the restart");
      const recA = await call(s2, "GET", "/recommend/a0?n=2&items=freshA,freshB,B0", undefined, null);
      assert.equal(recA.status, 200, JSON.stringify(recA.body));
      assert.equal(recA.body.items[0].item, "freshA");
      const recB = await call(s2, "GET", "/recommend/b0?n=2&items=freshA,freshB,A0", undefined, null);
      assert.equal(recB.body.items[0].item, "freshB");
      const user = await call(s2, "GET", "/recommend/newbie?n=5", undefined, null);
      assert.equal(user.body.source, "fold-in", JSON.stringify(user.body));
      for (const it of user.body.items) assert.match(it.item, /^(B|freshB)/);
    } finally {
      await s2.stop();
    }
  });
});

describe("service cold start with a model trained without features", () => {
  let s: RunningServer;
  let t: ReturnType<typeof tempDir>;
  before(async () => {
    t = tempDir();
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN });
  });
  after(async () => {
    await s?.stop();
    t.cleanup();
  });
  test("features are refused with the reason (400 E_UNSUPPORTED), never a made-up vector", async () => {
    const put = await call(s, "PUT", "/items/new1", { title: "x", features: ["genre:Drama"] });
    assert.equal(put.status, 400);
    assert.equal(put.body.code, "E_UNSUPPORTED");
    assert.match(put.body.message, /trained without item features/);
    const u = await call(s, "PUT", "/users/nobody/features", { features: ["age:25-34"] });
    assert.equal(u.status, 400);
    assert.equal(u.body.code, "E_UNSUPPORTED");
    // Without features the item is stored as before.
    const plain = await call(s, "PUT", "/items/new1", { title: "x" });
    assert.equal(plain.status, 200);
    assert.equal(plain.body.inModel, false);
  });
});

describe("service cold start with a bayes-fm model trained with user features", () => {
  let s: RunningServer;
  let dir: string;
  before(async () => {
    // Users e* rate items E* high and O* low, users o* the reverse; the user feature says which.
    const rows: { user: string; item: string; rating: number }[] = [];
    const userFeatures: Record<string, string[]> = {};
    for (const g of ["e", "o"]) {
      for (let u = 0; u < 12; u++) {
        userFeatures[`${g}${u}`] = [`taste:${g}`];
        for (const h of ["e", "o"]) for (let i = 0; i < 10; i++) if ((i + u) % 3 !== 0) rows.push({ user: `${g}${u}`, item: `${h.toUpperCase()}${i}`, rating: g === h ? 5 : 1 });
      }
    }
    const model = fitSync(ratingsFromArray(rows), { algorithm: "bayes-fm", factors: 3, epochs: 30, burnIn: 10, thin: 2, seed: 3 }, { userFeatures });
    assert.ok(model.ranking, "a ranking part by default: a user from features alone is ranked by the rating part");
    dir = mkdtempSync(join(tmpdir(), "mfrec-cold-bfm-"));
    const modelPath = join(dir, "bfm.mfr");
    writeFileSync(modelPath, saveModel(model));
    s = await start({ dbPath: join(dir, "db.sqlite"), model: modelPath, token: TOKEN });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("PUT /users/{user}/features: a new user is folded in from the features' stored vectors, then with ratings too", async () => {
    const put = await call(s, "PUT", "/users/newbie/features", { features: ["taste:o", "shoe:none"] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.features, { known: 1, unknown: ["shoe:none"], inModel: false });
    const rec = await call(s, "GET", "/recommend/newbie?n=5", undefined, null);
    assert.equal(rec.body.source, "fold-in", JSON.stringify(rec.body));
    for (const it of rec.body.items) assert.match(it.item, /^O/, JSON.stringify(rec.body.items));
    const r = await call(s, "POST", "/ratings", [{ user: "newbie", item: "O1", rating: 5 }, { user: "newbie", item: "E2", rating: 1 }]);
    assert.equal(r.status, 201);
    const rec2 = await call(s, "GET", "/recommend/newbie?n=5", undefined, null);
    assert.equal(rec2.body.source, "fold-in");
    assert.equal(rec2.body.items.length, 5);
    assert.ok(!rec2.body.items.some((it: { item: string }) => it.item === "O1" || it.item === "E2"), "rated items are excluded");
  });
});
