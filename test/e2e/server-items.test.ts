/** Bulk item metadata: PUT /items with a batch, and `mfrec serve --items FILE` at start-up. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { CLI } from "./cli-helpers.js";
import { call, start, TOKEN, tempDir, trainedModel } from "./server-fixtures.js";

describe("bulk item metadata", () => {
  const t = tempDir();
  let s: RunningServer;
  const model = trainedModel().model;
  const ids = Array.from({ length: 5 }, (_, i) => model.itemIndex.idAt(i));
  before(async () => {
    const file = join(t.dir, "items.csv");
    writeFileSync(file, `id,title,features\n${ids[0]},"Casablanca, the film",Drama|Romance\n${ids[1]},Vertigo\n`);
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN, itemsFile: file });
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  test("--items loads titles and features at start-up", async () => {
    const a = await call(s, "GET", `/items/${ids[0]}`);
    assert.equal(a.body.title, "Casablanca, the film");
    assert.deepEqual(a.body.metadata, { features: ["Drama", "Romance"] });
    assert.equal((await call(s, "GET", `/items/${ids[1]}`)).body.title, "Vertigo");
  });

  test("PUT /items sets a batch in one request; the embedding carries the titles", async () => {
    const r = await call(s, "PUT", "/items", [
      { item: ids[2], title: "Alien" },
      { item: ids[3], title: "Heat", metadata: { year: 1995 } },
      { item: Number(ids[4]), title: "Numeric id" },
    ]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { accepted: 3 });
    assert.deepEqual((await call(s, "GET", `/items/${ids[3]}`)).body.metadata, { year: 1995 });
    assert.equal((await call(s, "GET", `/items/${ids[4]}`)).body.title, "Numeric id");
    const emb = (await call(s, "GET", "/model/embedding")).body;
    const titles = new Map(emb.items.map((id: string, j: number) => [id, emb.titles[j]]));
    assert.equal(titles.get(ids[2]), "Alien");
    assert.equal(titles.get(ids[0]), "Casablanca, the film");
  });

  test("PUT /items refuses bad batches with the field: duplicates, unknown keys, empty, too many, no token", async () => {
    const cases: Array<[unknown, number, string, string]> = [
      [[{ item: "a", title: "x" }, { item: "a", title: "y" }], 400, "E_DUPLICATE", "1.item"],
      [[{ item: "a", name: "x" }], 400, "E_BAD_REQUEST", "0.name"],
      [[{ item: "", title: "x" }], 400, "E_EMPTY_ID", "0.item"],
      [[{ item: "a", title: 5 }], 400, "E_BAD_REQUEST", "0.title"],
      [[], 400, "E_BAD_REQUEST", "body"],
      [Array.from({ length: 10_001 }, (_, k) => ({ item: `x${k}` })), 413, "E_TOO_LARGE", "body"],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call(s, "PUT", "/items", body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.code, code, JSON.stringify(r.body));
      assert.equal(r.body.field, field, JSON.stringify(r.body));
    }
    assert.equal((await call(s, "PUT", "/items", [{ item: "a" }], null)).status, 401);
  });

  test("mfrec serve --items with a bad line: one error line with file, line and value, exit 1", () => {
    const bad = join(t.dir, "bad.csv");
    writeFileSync(bad, 'id,title\n1,One\n2,"Two, unclosed\n');
    const r = spawnSync(process.execPath, [CLI, "serve", "--no-web", "--model", t.modelPath, "--db", join(t.dir, "bad.db"), "--port", "0", "--items", bad], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /bad\.csv:3: a quoted field is not closed \(got "2,\\"Two, unclosed"/);
  });
});
