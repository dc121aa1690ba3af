import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../helpers/data.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "mfrec-recall-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("recommend-all writes every user's list, equal to mfrec recommend, as JSONL and CSV", () => {
  const lines = ["user,item,rating"];
  for (let u = 0; u < 12; u++) for (let i = 0; i < 15; i++) if ((u * 5 + i * 7) % 3 === 0) lines.push(`u${u},i${i},${1 + ((u * i) % 5)}`);
  const data = join(tmp, "r.csv");
  writeFileSync(data, `${lines.join("\n")}\n`);
  const model = join(tmp, "m.mfr");
  assert.equal(run("train", data, "-o", model, "--factors", "3", "--epochs", "4", "-q").status, 0);
  const jsonl = join(tmp, "recs.jsonl");
  const r = run("recommend-all", model, "--out", jsonl, "-n", "4", "--batch-size", "5", "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { users: number }).users, 12);
  const rows = readFileSync(jsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { user: string; items: string[]; scores: number[] });
  assert.equal(rows.length, 12);
  for (const row of rows.slice(0, 3)) {
    const single = JSON.parse(run("recommend", model, row.user, "-n", "4", "--json").stdout) as { items: Array<{ item: string }> };
    assert.deepEqual(row.items, single.items.map((x) => x.item));
  }
  const csv = join(tmp, "recs.csv");
  assert.equal(run("recommend-all", model, "--out", csv, "-n", "4").status, 0);
  const csvLines = readFileSync(csv, "utf8").trim().split("\n");
  assert.equal(csvLines[0], "user,rank,item,score");
  assert.equal(csvLines.length, 1 + 12 * 4);
});
