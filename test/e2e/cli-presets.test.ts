import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { dataFile, repoRoot } from "../helpers/data.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "mfrec-presets-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("model options: presets and --set", () => {
  const train = dataFile("splits", "implicit-ml100k-train.csv");
  const testFile = dataFile("splits", "implicit-ml100k-test.csv");
  test("eval --preset ials-ml100k on the implicit ml-100k split prints ndcg@10 above implicit's 0.226", { skip: train.skip || testFile.skip }, () => {
    const r = run("eval", "--train", train.path, "--test", testFile.path, "--preset", "ials-ml100k", "--metrics", "ndcg@10,precision@10,recall@10,map@10,auc", "--json", "-q");
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, number>;
    for (const m of ["ndcg@10", "precision@10", "recall@10", "map@10", "auc"]) assert.ok(Number.isFinite(doc[m]), `${m} missing in ${r.stdout}`);
    assert.ok(doc["ndcg@10"]! >= 0.24, `ndcg@10 ${doc["ndcg@10"]}`);
  });

  test("flags override the preset, --set reaches algorithm-specific keys, mistakes are named", () => {
    const f = join(tmp, "r.csv");
    writeFileSync(f, "user,item\n1,a\n1,b\n2,b\n2,c\n3,a\n3,c\n");
    const m = join(tmp, "m.mfr");
    const r = run("train", f, "-o", m, "--preset", "ials-lastfm", "--factors", "3", "--set", "cgSteps=2", "--json");
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { config: Record<string, unknown> };
    assert.equal(doc.config.algorithm, "ials");
    assert.equal(doc.config.factors, 3);
    assert.equal(doc.config.cgSteps, 2);
    assert.equal(doc.config.confidence, "log");
    const unknown = run("train", f, "-o", m, "--preset", "nope");
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no preset "nope".*ials-ml100k/);
    const clash = run("train", f, "-o", m, "--preset", "ials-lastfm", "--algorithm", "sgd");
    assert.equal(clash.status, 1);
    assert.match(clash.stderr, /preset ials-lastfm is for ials, not sgd/);
    const typo = run("train", f, "-o", m, "--algorithm", "ials", "--set", "alhpa=2");
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /no option alhpa/);
    const bad = run("train", f, "-o", m, "--set", "oops");
    assert.equal(bad.status, 2);
  });
});
