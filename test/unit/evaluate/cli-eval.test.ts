import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dataFile, repoRoot } from "../../helpers/data.js";

const main = join(repoRoot, "dist", "src", "cli", "main.js");

function mfrec(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("mfrec eval / tune", () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-eval-"));
  // 12 users × 10 items, explicit ratings on a simple pattern.
  const rows = ["user,item,rating"];
  for (let u = 0; u < 12; u++) for (let i = 0; i < 10; i++) if ((u + i) % 3 !== 0) rows.push(`u${u},i${i},${1 + ((u * i) % 5)}`);
  const ratings = join(dir, "ratings.csv");
  writeFileSync(ratings, `${rows.join("\n")}\n`);

  it("--folds prints {folds, mean, std} as JSON", () => {
    const r = mfrec(["eval", ratings, "--folds", "3", "-a", "sgd", "--epochs", "3", "--seed", "1", "--json", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.folds.length, 3);
    for (const f of doc.folds) assert.ok(f.rmse > 0 && f.mae > 0 && f.n > 0);
    assert.ok(Math.abs(doc.mean.rmse - doc.folds.reduce((s: number, f: { rmse: number }) => s + f.rmse, 0) / 3) < 1e-12);
  });
  it("--split with ranking metrics, CSV output", () => {
    const r = mfrec(["eval", ratings, "--split", "0.25", "--split-by", "user", "-a", "als", "--epochs", "2", "--metrics", "rmse,ndcg@5,precision@5", "--csv", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const [head, line] = r.stdout.trim().split("\n");
    assert.equal(head, "fold,rmse,ndcg@5,precision@5,fitSeconds,testRatings");
    assert.equal(line!.split(",").length, 6);
  });
  it("two-column files are implicit 1s", () => {
    const two = join(dir, "pairs.csv");
    writeFileSync(two, `${rows.slice(1).map((l) => l.split(",").slice(0, 2).join(",")).join("\n")}\n`);
    const r = mfrec(["eval", two, "--split", "0.3", "-a", "als", "--epochs", "2", "--metrics", "recall@5,hitrate@5", "--json", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.ok(doc["recall@5"] >= 0 && doc["recall@5"] <= 1);
  });
  it("usage errors name the problem and exit non-zero", () => {
    const r = mfrec(["eval", ratings, "--folds", "3", "--split", "0.2"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /choose one way/);
    const m = mfrec(["eval", ratings, "--split", "0.2", "--metrics", "nope"]);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /unknown metric/);
  });
  it("tune --space: same seed, same best config", () => {
    const space = join(dir, "space.json");
    writeFileSync(space, JSON.stringify({ factors: [2, 4], regularization: { min: 0.01, max: 1, log: true } }));
    const args = ["tune", ratings, "-a", "sgd", "--epochs", "3", "--space", space, "--strategy", "random", "--trials", "3", "--seed", "4", "--json", "-q"];
    const a = mfrec(args);
    assert.equal(a.code, 0, a.stderr);
    const b = mfrec(args);
    assert.deepEqual(JSON.parse(a.stdout).best, JSON.parse(b.stdout).best);
    assert.equal(JSON.parse(a.stdout).trials.length, 3);
  });

  const folds = dataFile("ml-100k", "u1.base");
  it("--train/--test on MovieLens 100k u1 prints the documented JSON", { skip: folds.skip }, () => {
    const d = folds.path.replace(/u1\.base$/, "");
    const r = mfrec(["eval", "--train", `${d}u1.base`, "--test", `${d}u1.test`, "-a", "sgd", "--seed", "1", "--json", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.n, 20000);
    assert.equal(doc.unknownItems, 32);
    assert.ok(doc.rmse > 0.85 && doc.rmse < 1.05, `rmse ${doc.rmse}`);
    assert.ok(doc.fitSeconds > 0);
  });
});
