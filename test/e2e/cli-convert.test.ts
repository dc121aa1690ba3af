import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../helpers/data.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const tmp = mkdtempSync(join(tmpdir(), "mfrec-convert-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

test("convert: u.data-style TSV -> .mfrb -> CSV keeps every rating; train reads the .mfrb", () => {
  const src = join(tmp, "u.data");
  writeFileSync(src, "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n3\t30\t1\t881250952\n2\t20\t2\t881250953\n");
  const bin = join(tmp, "ratings.mfrb");
  const r1 = run("convert", src, "-o", bin, "--json");
  assert.equal(r1.status, 0, r1.stderr);
  const doc = JSON.parse(r1.stdout) as { to: string; ratings: number; users: number; items: number };
  assert.deepEqual([doc.to, doc.ratings, doc.users, doc.items], ["mfrb", 5, 3, 3]);
  const csv = join(tmp, "back.csv");
  assert.equal(run("convert", bin, "-o", csv).status, 0);
  assert.equal(readFileSync(csv, "utf8"), "user,item,rating,timestamp\n1,10,5,881250949\n1,20,3,881250950\n2,10,4,881250951\n3,30,1,881250952\n2,20,2,881250953\n");
  const model = join(tmp, "m.mfr");
  const t = run("train", bin, "-o", model, "--factors", "2", "--epochs", "3", "--json");
  assert.equal(t.status, 0, t.stderr);
});

test("convert: bad input names the file and line; skip reports what was skipped", () => {
  const src = join(tmp, "bad.csv");
  writeFileSync(src, "user,item,rating\na,b,5\na,c,oops\n");
  const r = run("convert", src, "-o", join(tmp, "bad.mfrb"));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.csv:3: .*oops/);
  const s = run("convert", src, "-o", join(tmp, "ok.mfrb"), "--on-invalid", "skip", "--json");
  assert.equal(s.status, 0, s.stderr);
  const doc = JSON.parse(s.stdout) as { ratings: number; report: { skipped: number; skippedByReason: Record<string, number> } };
  assert.equal(doc.ratings, 1);
  assert.equal(doc.report.skipped, 1);
  assert.equal(doc.report.skippedByReason.E_NOT_NUMBER, 1);
});
