/** The service's ANN hook: /recommend?ann=true through <model file>.ann, equal to the library's recommend with the same index. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildAnnIndex } from "../../src/model/ann-index.js";
import { annIndexPathFor, readAnnIndexFileSync, writeAnnIndexFileSync } from "../../src/model/ann-file-node.js";
import { readModelFileSync } from "../../src/model/file-node.js";
import { recommend } from "../../src/recommend/recommend.js";
import { similarItems } from "../../src/recommend/similar.js";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { call, start, TOKEN, tempDir } from "./server-fixtures.js";

describe("server ANN hook", () => {
  const t = tempDir();
  let s: RunningServer;
  const model = readModelFileSync(t.modelPath);
  writeAnnIndexFileSync(annIndexPathFor(t.modelPath), buildAnnIndex(model, { seed: 2, M: 2, efConstruction: 2, efSearch: 1 }));
  const index = readAnnIndexFileSync(annIndexPathFor(t.modelPath), model);

  before(async () => {
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN });
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  test("ann=true answers through the index (with filters); ann=false stays exact", async () => {
    for (let u = 0; u < 5; u++) {
      const user = model.userIndex.idAt(u);
      const exclude = [model.itemIndex.idAt(3), model.itemIndex.idAt(5)];
      const r = await call(s, "GET", `/recommend/${user}?n=8&ann=true&exclude=${exclude.join(",")}`);
      assert.equal(r.status, 200);
      const want = recommend(model, user, { n: 8, ann: index, exclude });
      assert.deepEqual(
        r.body.items.map((x: { item: string }) => x.item),
        want.map((x) => x.item),
      );
      for (const x of r.body.items) assert.ok(!exclude.includes(x.item));
      const e = await call(s, "GET", `/recommend/${user}?n=8`);
      assert.deepEqual(
        e.body.items.map((x: { item: string }) => x.item),
        recommend(model, user, { n: 8 }).map((x) => x.item),
      );
    }
  });

  test("the hook is really used: with a deliberately weak index some lists differ from exact, and the service returns the ANN ones", async () => {
    let differing = 0;
    for (let u = 0; u < 60; u++) {
      const user = model.userIndex.idAt(u);
      const approx = recommend(model, user, { n: 8, ann: index }).map((x) => x.item);
      const exact = recommend(model, user, { n: 8 }).map((x) => x.item);
      if (approx.join() === exact.join()) continue;
      differing++;
      const r = await call(s, "GET", `/recommend/${user}?n=8&ann=true`);
      assert.deepEqual(
        r.body.items.map((x: { item: string }) => x.item),
        approx,
      );
    }
    assert.ok(differing > 0);
  });

  test("/similar/items?ann=true answers through the index too (and equals the library's similarItems with it)", async () => {
    let differing = 0;
    for (let t = 0; t < 40; t++) {
      const item = model.itemIndex.idAt(t);
      const approx = similarItems(model, item, { n: 6, ann: index }).map((x) => x.item);
      const r = await call(s, "GET", `/similar/items/${item}?n=6&ann=true`);
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.items.map((x: { item: string }) => x.item),
        approx,
      );
      const exact = await call(s, "GET", `/similar/items/${item}?n=6`);
      assert.deepEqual(
        exact.body.items.map((x: { item: string }) => x.item),
        similarItems(model, item, { n: 6 }).map((x) => x.item),
      );
      if (approx.join() !== similarItems(model, item, { n: 6 }).map((x) => x.item).join()) differing++;
    }
    assert.ok(differing > 0, "the weak index should change some lists");
  });

  test("ann must be true or false", async () => {
    const r = await call(s, "GET", `/recommend/${model.userIndex.idAt(0)}?ann=maybe`);
    assert.equal(r.status, 400);
  });
});
