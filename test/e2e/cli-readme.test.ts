import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { dataFile } from "../helpers/data.js";
import { mfrec, mfrecJson } from "./cli-helpers.js";

// The README's CLI walkthrough on MovieLens 100k, exactly as written there (skips visibly without the data).
const udata = dataFile("ml-100k", "u.data");

describe("README walkthrough: mfrec on ml-100k u.data", { skip: udata.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-readme-"));
  const model = join(dir, "m.mfr");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("mfrec train u.data -o m.mfr", () => {
    const r = mfrec(["train", udata.path, "-o", model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /100,000 ratings, 943 users, 1,682 items/);
  });

  it("mfrec recommend m.mfr 1", () => {
    const { run, doc } = mfrecJson<{ items: { item: string; score: number; rating: number }[] }>(["recommend", model, "1"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.items.length, 10);
    // Ordered by the ranking part's score; the predicted rating is shown beside it.
    assert.ok(doc.items.every((r, i) => i === 0 || r.score <= doc.items[i - 1]!.score));
    assert.ok(doc.items.every((r) => r.rating >= 1 && r.rating <= 5));
  });

  it("mfrec similar m.mfr 50 and mfrec info m.mfr", () => {
    assert.equal(mfrecJson<{ items: unknown[] }>(["similar", model, "50", "-n", "5"]).doc.items.length, 5);
    const info = mfrec(["info", model]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /users\s+943/);
  });
});
