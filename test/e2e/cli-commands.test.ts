import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readIdMapParquet, readParquetRows } from "../../src/data/parquet-node.js";
import { readModelFileSync } from "../../src/model/file-node.js";
import { exportSparkModel } from "../../src/model/spark-node.js";
import { CLI, hasStack, mfrec, mfrecJson } from "./cli-helpers.js";

// The commands as typed, end to end, on a small generated file: the ones other cli-*.test.ts files
// do not cover (export, export-ratings, spark-job, import spark, tune, datasets list, serve) and the
// audit's failure cases (issue 15): a closed pipe, failed commands leaving no output, input warnings.
const dir = mkdtempSync(join(tmpdir(), "mfrec-cli-commands-"));
const ratings = join(dir, "r.csv");
const model = join(dir, "m.mfr");
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => {
  const g = mfrec(["generate", "--users", "60", "--items", "40", "--ratings", "900", "--seed", "3", "-o", ratings, "-q"]);
  assert.equal(g.code, 0, g.stderr);
  const t = mfrec(["train", ratings, "-o", model, "--factors", "3", "--epochs", "4", "-q"]);
  assert.equal(t.code, 0, t.stderr);
});

/** Files in `d` that look like a command's temporary output. */
const leftovers = (d: string) => readdirSync(d).filter((f) => f.includes(".tmp-"));

describe("mfrec export / export-ratings / spark-job / import spark", () => {
  test("export m.mfr --out dir writes users.csv and items.csv", () => {
    const out = join(dir, "csv");
    const { run, doc } = mfrecJson<{ files: { users: string; items: string } }>(["export", model, "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["items.csv", "users.csv"]);
    assert.equal(doc.files.users, join(out, "users.csv"));
    assert.equal(readFileSync(join(out, "users.csv"), "utf8").trim().split("\n").length, 1 + 60);
  });

  test("export-ratings FILE --format parquet --out DIR (the documented Spark path) writes the three Parquet files", async () => {
    const out = join(dir, "spark-in");
    const r = mfrec(["export-ratings", ratings, "--format", "parquet", "--out", `${out}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 900 ratings to .*ratings\.parquet/);
    assert.deepEqual(readdirSync(out).sort(), ["items.parquet", "ratings.parquet", "users.parquet"]);
    const rows = await readParquetRows(join(out, "ratings.parquet"));
    assert.equal(rows.length, 900);
    assert.equal((await readIdMapParquet(join(out, "users.parquet"))).size, 60);
    // Without --format, and with an explicit input format.
    assert.equal(mfrec(["export-ratings", ratings, "--out", join(dir, "spark-in2"), "--input-format", "csv"]).code, 0);
    const bad = mfrec(["export-ratings", ratings, "--format", "csv", "--out", join(dir, "x")]);
    assert.equal(bad.code, 2);
    assert.ok(!existsSync(join(dir, "x")));
  });

  test("spark-job --out job.py writes a PySpark program with the given parameters", () => {
    const job = join(dir, "job.py");
    const r = mfrec(["spark-job", "--algorithm", "ials", "--factors", "8", "--epochs", "5", "--alpha", "10", "--out", job]);
    assert.equal(r.code, 0, r.stderr);
    const py = readFileSync(job, "utf8");
    assert.match(py, /from pyspark\.ml\.recommendation import ALS/);
    assert.match(py, /implicitPrefs/);
    assert.match(py, /rank\s*=\s*8|"rank": 8|rank=8/);
  });

  test("import spark DIR --ids IDS -o model.mfr restores raw ids and factors", () => {
    // Spark's ALS has no biases: export a model trained without them.
    const plain = join(dir, "plain.mfr");
    assert.equal(mfrec(["train", ratings, "-o", plain, "--factors", "3", "--epochs", "4", "--set", "biases=false", "-q"]).code, 0);
    const m = readModelFileSync(plain);
    const sparkDir = join(dir, "spark-model");
    const exported = exportSparkModel(m, sparkDir);
    const out = join(dir, "imported.mfr");
    const { run, doc } = mfrecJson<{ users: number; items: number; factors: number }>(["import", "spark", sparkDir, "--ids", exported.ids, "-o", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([doc.users, doc.items, doc.factors], [m.numUsers, m.numItems, 3]);
    const back = readModelFileSync(out);
    assert.deepEqual(back.userIndex.ids(), m.userIndex.ids());
    assert.deepEqual(Array.from(back.userFactors.data), Array.from(m.userFactors.data));
  });
});

describe("mfrec tune", () => {
  test("tune FILE --space sgd (a shipped space) --strategy random --trials 3 --patience 2: best config has an epoch count >= the warm-up", () => {
    const { run, doc } = mfrecJson<{ best: { config: { epochs: number; factors: number } }; trials: Array<{ bestEpoch: number }> }>([
      "tune", ratings, "--space", "sgd", "-a", "sgd", "--strategy", "random", "--trials", "3", "--patience", "2", "--min-epochs", "5", "--epochs", "8", "-q",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.trials.length, 3);
    assert.ok([20, 50, 100].includes(doc.best.config.factors));
    assert.ok(doc.best.config.epochs >= 1 && doc.best.config.epochs <= 8);
  });

  test("tune --space space.json (grid needs steps): every shipped space is a valid grid; a range without steps is a clear error", () => {
    const space = join(dir, "space.json");
    writeFileSync(space, JSON.stringify({ factors: [2, 4], regularization: { min: 0.01, max: 0.1, log: true, steps: 2 } }));
    const ok = mfrecJson<{ trials: unknown[] }>(["tune", ratings, "--space", space, "-a", "als", "--epochs", "2", "-q"]);
    assert.equal(ok.run.code, 0, ok.run.stderr);
    assert.equal(ok.doc.trials.length, 4);
    writeFileSync(space, JSON.stringify({ regularization: { min: 0.01, max: 0.1 } }));
    const bad = mfrec(["tune", ratings, "--space", space, "-q"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /grid search over range regularization needs steps/);
    const missing = mfrec(["tune", ratings, "--space", "no-such-space", "-q"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /shipped space \(als, bayes-fm, ials, sgd\)/);
  });
});

describe("mfrec train / eval with features: the fit's warnings", () => {
  test("feature ids without ratings, rated ids without features and features only they have: one stderr line each, and under warnings in --json", () => {
    const uf = join(dir, "users.csv");
    writeFileSync(uf, "user,feature\n1,a\n2,b\nghost,a\nghost2,zz\n");
    const args = ["--algorithm", "bayes-fm", "--epochs", "6", "--set", "burnIn=2", "--user-features", uf];
    const t = mfrec(["train", ratings, "-o", join(dir, "bfm.mfr"), ...args]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /user features: 2 users of the user feature table have no training rating: they are not in the model .*\(feature-ids-without-ratings; e\.g\. "ghost", "ghost2"\)/);
    assert.match(t.stderr, /user features: 58 rated users have no user features/);
    assert.match(t.stderr, /user features: 1 user features occur only on users without a training rating.*"zz"/);
    const { run, doc } = mfrecJson<{ warnings: Array<{ code: string; count: number }> }>(["eval", ratings, "--split", "0.2", ...args]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      doc.warnings.map((w) => w.code),
      ["feature-ids-without-ratings", "rated-without-features", "features-without-ratings"],
    );
    assert.equal(doc.warnings[0]!.count, 2);
  });
});

describe("mfrec datasets list and serve", () => {
  test("datasets list prints the catalogue (offline)", () => {
    const { run, doc } = mfrecJson<{ datasets: Array<{ name: string }> }>(["datasets", "list"], {});
    assert.equal(run.code, 0, run.stderr);
    assert.ok(doc.datasets.some((d) => d.name === "ml-100k"));
  });

  test("serve --model m.mfr --db DB --port 0 answers /recommend, and stops cleanly on SIGTERM", async () => {
    const db = join(dir, "serve.db");
    const child = spawn(process.execPath, [CLI, "serve", "--model", model, "--db", db, "--port", "0", "--no-web"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL after 60 s:\n${out}`)), 60_000);
      const on = (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on("data", on);
      child.stderr.on("data", on);
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
    });
    try {
      const res = await fetch(`${url}/recommend/0?n=3`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { items: unknown[] };
      assert.equal(body.items.length, 3);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, out);
  });
});

describe("failure cases of the audit", () => {
  test("mfrec info m.mfr | head -1 (and --json) exits quietly when the reader closes the pipe", () => {
    for (const args of [[], ["--json"]]) {
      const r = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI}" info "${model}" ${args.join(" ")} | head -1; exit \${PIPESTATUS:-0}`], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split("\n").length, 1);
      assert.equal(r.stderr, "", "nothing on stderr");
      assert.ok(!hasStack(r.stderr));
    }
    // The writer's own exit status, through bash's PIPESTATUS.
    const b = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" info "${model}" --json | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: "utf8" });
    assert.equal(b.stdout.trim(), "0", b.stderr);
  });

  test("recommend-all --users 1,unknown fails (exit 1) and leaves no output file; so do train and convert", () => {
    const out = join(dir, "fail");
    rmSync(out, { recursive: true, force: true });
    const r = mfrec(["recommend-all", model, "--users", "1,unknown", "--out", join(dir, "recs.jsonl")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown/);
    assert.ok(!existsSync(join(dir, "recs.jsonl")));
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "user,item,rating\n1,2,3\n1,3,x\n");
    assert.equal(mfrec(["train", bad, "-o", join(dir, "bad.mfr")]).code, 1);
    assert.ok(!existsSync(join(dir, "bad.mfr")));
    assert.equal(mfrec(["convert", bad, "-o", join(dir, "bad.mfrb")]).code, 1);
    assert.ok(!existsSync(join(dir, "bad.mfrb")));
    assert.equal(mfrec(["generate", "--users", "0", "-o", join(dir, "g.csv")]).code, 2);
    assert.ok(!existsSync(join(dir, "g.csv")));
    assert.deepEqual(leftovers(dir), []);
  });

  test("negative ratings without --scale and rows with extra fields are read with a warning that counts them", () => {
    const f = join(dir, "odd.csv");
    writeFileSync(f, "user,item,rating\n1,2,-4\n1,3,5\n2,2,3,extra\n2,3,1\n3,2,2,x,y\n3,3,4\n");
    const r = mfrec(["train", f, "-o", join(dir, "odd.mfr"), "--factors", "2", "--epochs", "2", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*odd\.csv: 2 rows have more fields than the first line's 3 \(line 4 has 4\)/);
    assert.match(r.stderr, /warning: .*1 negative rating \(lowest -4\) and no --scale/);
    const scaled = mfrec(["train", f, "-o", join(dir, "odd2.mfr"), "--scale", "1,5", "-q"]);
    assert.equal(scaled.code, 1);
    assert.match(scaled.stderr, /odd\.csv:2: rating is outside the rating scale/);
  });

  test("a 5-million-character id is refused with E_ID_TOO_LONG naming file and line; --on-invalid skip counts it", () => {
    const f = join(dir, "long.csv");
    writeFileSync(f, `user,item,rating\n1,2,3\n${"a".repeat(5_000_000)},2,4\n2,3,5\n`);
    const r = mfrec(["train", f, "-o", join(dir, "long.mfr"), "-q"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /long\.csv:3: user id has 5,000,000 characters/);
    assert.ok(r.stderr.length < 1000, "the id is not echoed whole");
    const s = mfrec(["train", f, "-o", join(dir, "long.mfr"), "--on-invalid", "skip", "--factors", "2", "--epochs", "2", "-q"]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stderr, /skipped 1 of 3 rows \(E_ID_TOO_LONG 1\)/);
  });

  test("--threads 999 on this machine warns and uses the core count (train and recommend-all)", () => {
    const j = mfrecJson<{ threads: number }>(["train", ratings, "-o", join(dir, "t.mfr"), "--threads", "999", "--factors", "2", "--epochs", "2", "-q"]);
    assert.equal(j.run.code, 0, j.run.stderr);
    assert.match(j.run.stderr, /warning: --threads 999 is more than the \d+ cores? here; using \d+/);
    assert.ok(j.doc.threads < 999);
    const ra = mfrec(["recommend-all", model, "--out", join(dir, "all.csv"), "--threads", "999"]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.match(ra.stderr, /warning: --threads 999/);
  });
});
