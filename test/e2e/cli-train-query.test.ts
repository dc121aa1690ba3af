import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateRatings, predict, recommend } from "../../src/index.js";
import { readModelFileSync } from "../../src/node.js";
import { hasStack, mfrec, mfrecJson } from "./cli-helpers.js";

interface Scored {
  item: string;
  score: number;
}

describe("mfrec train / predict / recommend / similar / info / export", () => {
  let dir = "";
  let csv = "";
  let model = "";
  const rated = new Map<string, Set<string>>();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mfrec-cli-"));
    csv = join(dir, "ratings.csv");
    model = join(dir, "m.mfr");
    const r = generateRatings({ users: 150, items: 80, ratings: 3000, rank: 4, seed: 5 });
    const lines = ["user,item,rating"];
    for (let k = 0; k < r.length; k++) {
      const u = r.userIndex.idAt(r.users[k]!);
      const i = `i${r.itemIndex.idAt(r.items[k]!)}`;
      lines.push(`${u},${i},${r.values[k]}`);
      if (!rated.has(u)) rated.set(u, new Set());
      rated.get(u)!.add(i);
    }
    writeFileSync(csv, `${lines.join("\n")}\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trains and saves, with a summary line on stderr", () => {
    const r = mfrec(["train", csv, "-o", model, "--factors", "6", "--epochs", "8", "--seed", "3"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(model));
    assert.match(r.stdout, /saved .*m\.mfr/);
    assert.match(r.stderr, /trained als k=6 \+ ranking part ials k=64 \(what recommend ranks by\): 3,000 ratings, 150 users, 80 items, 8 epochs, final train RMSE \d\.\d{4}, [\d.]+ s/);
    assert.match(r.stderr, /train als: 100% \(8\/8 epochs\)/, "plain progress lines off a TTY");
  });

  it("trains with --json: one document with config, stats and the per-epoch report", () => {
    const out2 = join(dir, "sgd.mfr");
    const { run, doc } = mfrecJson<{ algorithm: string; config: Record<string, unknown>; stats: { users: number; items: number; factors: number }; training: unknown[]; report: { ratings: number } }>(
      ["train", csv, "-o", out2, "--algorithm", "sgd", "--factors", "4", "--epochs", "5", "--learning-rate", "0.01", "--regularization", "0.05"],
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.algorithm, "sgd");
    assert.equal(doc.config.learningRate, 0.01);
    assert.equal(doc.config.factors, 4);
    assert.deepEqual([doc.stats.users, doc.stats.items, doc.stats.factors], [150, 80, 4]);
    assert.equal(doc.training.length, 5);
    assert.equal(doc.report.ratings, 3000);
  });

  it("predicts what the library predicts for the saved model", () => {
    const m = readModelFileSync(model);
    const want = predict(m, "0", "i3");
    const { run, doc } = mfrecJson<{ user: string; item: string; score: number; known: boolean }>(["predict", model, "0", "i3"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.user, "0");
    assert.equal(doc.item, "i3");
    assert.ok(Math.abs(doc.score - want.score) < 1e-9);
    assert.ok(doc.score >= 1 && doc.score <= 5);
    const text = mfrec(["predict", model, "0", "i3"]);
    assert.equal(text.stdout.trim(), `0 × i3: ${want.score.toFixed(2)}`);
  });

  it("recommends unrated items best first, honouring --include-rated, --items and --exclude", () => {
    const user = "2";
    const { run, doc } = mfrecJson<{ items: Array<Scored & { rating: number }> }>(["recommend", model, user, "-n", "7"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.items.length, 7);
    for (const r of doc.items) assert.ok(!rated.get(user)!.has(r.item), `${r.item} was rated`);
    for (let j = 1; j < doc.items.length; j++) assert.ok(doc.items[j - 1]!.score >= doc.items[j]!.score);
    const saved = readModelFileSync(model);
    // The list and scores are the library's (ranking part); each item also carries the predicted rating.
    assert.deepEqual(
      doc.items.map(({ item, score }) => ({ item, score })),
      recommend(saved, user, { n: 7 }),
    );
    for (const r of doc.items) assert.equal(r.rating, predict(saved, user, r.item).score);

    const all = mfrecJson<{ items: Scored[] }>(["recommend", model, user, "-n", "80", "--include-rated"]).doc.items;
    assert.equal(all.length, 80);
    const only = mfrecJson<{ items: Scored[] }>(["recommend", model, user, "--include-rated", "--items", "i1,i2,i3"]).doc.items;
    assert.deepEqual(only.map((r) => r.item).sort(), ["i1", "i2", "i3"]);
    const top = doc.items[0]!.item;
    const without = mfrecJson<{ items: Scored[] }>(["recommend", model, user, "-n", "7", "--exclude", top]).doc.items;
    assert.ok(!without.some((r) => r.item === top));

    const text = mfrec(["recommend", model, user, "-n", "3"]);
    assert.match(text.stdout, /top 3 for user 2/);
    assert.ok(text.stdout.includes(doc.items[0]!.item));
  });

  it("lists similar items, the item itself excluded, cosine in [-1, 1]", () => {
    const { run, doc } = mfrecJson<{ metric: string; items: Scored[] }>(["similar", model, "i5", "-n", "4"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.metric, "cosine");
    assert.equal(doc.items.length, 4);
    assert.ok(doc.items.every((r) => r.item !== "i5" && r.score <= 1 + 1e-6 && r.score >= -1 - 1e-6));
    const dot = mfrecJson<{ metric: string; items: Scored[] }>(["similar", model, "i5", "--metric", "dot"]).doc;
    assert.equal(dot.metric, "dot");
    assert.equal(dot.items.length, 10);
  });

  it("describes the model with info", () => {
    const { run, doc } = mfrecJson<{ stats: { users: number; items: number; factors: number; parameters: number; matrixCells: number }; config: { algorithm: string; seed: number }; training: unknown[]; ranking: { algorithm: string; factors: number; epochs: number } | null }>(["info", model]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.config.algorithm, "als");
    assert.equal(doc.config.seed, 3);
    assert.equal(doc.stats.matrixCells, 150 * 80);
    assert.ok(doc.stats.parameters >= (150 + 80) * 6, "at least the factors");
    assert.equal(doc.training.length, 8);
    const text = mfrec(["info", model]);
    assert.match(text.stdout, /users\s+150/);
    assert.match(text.stdout, /parameters\s+[\d,]+ +\([\d.]+% of the 12,000 matrix cells\)/);
    // an explicit model's ranking part (issue 14) is named, with what it is used for
    assert.equal(doc.ranking?.algorithm, "ials");
    assert.ok((doc.ranking?.epochs ?? 0) > 0);
    assert.match(text.stdout, /ranking part: ials, k \d+, [\d,]+ parameters, \d+ epochs — ranks recommend, similar and explain/);
  });

  it("exports the factors as CSV files", () => {
    const outDir = join(dir, "export");
    const { run, doc } = mfrecJson<{ files: { users: string; items: string } }>(["export", model, "--out", outDir]);
    assert.equal(run.code, 0, run.stderr);
    const users = readFileSync(doc.files.users, "utf8").trim().split("\n");
    const items = readFileSync(doc.files.items, "utf8").trim().split("\n");
    assert.equal(users.length, 151, "header + one line per user");
    assert.equal(items.length, 81);
  });

  describe("errors", () => {
    it("a missing file: exit 1, 'mfrec:' with the path, no stack trace (unless --debug)", () => {
      const missing = join(dir, "nope.csv");
      const r = mfrec(["train", missing, "-o", join(dir, "x.mfr")]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^mfrec: /);
      assert.ok(r.stderr.includes(missing), r.stderr);
      assert.ok(!hasStack(r.stderr), r.stderr);
      assert.equal(r.stdout, "");
      const dbg = mfrec(["train", missing, "-o", join(dir, "x.mfr"), "--debug"]);
      assert.equal(dbg.code, 1);
      assert.ok(hasStack(dbg.stderr), "--debug shows the stack");
      const m = mfrec(["predict", join(dir, "nope.mfr"), "1", "2"]);
      assert.equal(m.code, 1);
      assert.ok(m.stderr.includes("nope.mfr"));
    });

    it("a bad flag value is a usage error naming the flag and the value", () => {
      const r = mfrec(["train", csv, "-o", model, "--factors", "abc"]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^mfrec: .*--factors.*abc/);
      const m = mfrec(["similar", model, "i1", "--metric", "euclid"]);
      assert.equal(m.code, 2);
      assert.match(m.stderr, /--metric.*euclid.*cosine/);
      assert.equal(mfrec(["frobnicate"]).code, 2);
      assert.equal(mfrec(["recommend", model]).code, 2, "missing argument");
    });

    it("a bad config value or unknown algorithm is a user error (exit 1) with the accepted values", () => {
      const a = mfrec(["train", csv, "-o", model, "--algorithm", "magic"]);
      assert.equal(a.code, 1);
      assert.match(a.stderr, /unknown algorithm "magic".*als/);
      const z = mfrec(["train", csv, "-o", join(dir, "z.mfr"), "--factors", "0"]);
      assert.equal(z.code, 1);
      assert.match(z.stderr, /^mfrec: .*factors/);
    });

    it("an invalid row stops with file:line, or is skipped and reported with --on-invalid skip", () => {
      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "user,item,rating\n1,a,5\n1,b,3\n2,a,4\n2,c,oops\n3,b,2\n3,c,5\n");
      const r = mfrec(["train", bad, "-o", join(dir, "b.mfr"), "--factors", "2", "--epochs", "2"]);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`${bad}:5:`), r.stderr);
      const s = mfrec(["train", bad, "-o", join(dir, "b.mfr"), "--factors", "2", "--epochs", "2", "--on-invalid", "skip"]);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stderr, /skipped 1 of 6 rows \(E_NOT_NUMBER 1\)/);
      assert.match(s.stderr, /line 5: .*oops/);
    });

    it("with --json, an error is still one JSON document on stdout (and the message on stderr)", () => {
      const { run, doc } = mfrecJson<{ error: { code: string; message: string } }>(["similar", model, "no-such-item"]);
      assert.equal(run.code, 1);
      assert.equal(doc.error.code, "E_UNKNOWN_ITEM");
      assert.match(run.stderr, /^mfrec: .*no-such-item/);
    });
  });
});
