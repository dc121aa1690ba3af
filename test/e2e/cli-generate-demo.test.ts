import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SEED_RATINGS } from "../../src/cli/seed-example.js";
import { mfrec, mfrecJson } from "./cli-helpers.js";

describe("mfrec generate", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mfrec-gen-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const args = ["--users", "1500", "--items", "600", "--ratings", "40000", "--rank", "8"];

  it("is byte-identical for the same seed and different for another", () => {
    const a = join(dir, "a.csv");
    const b = join(dir, "b.csv");
    const c = join(dir, "c.csv");
    assert.equal(mfrec(["generate", ...args, "--seed", "9", "-o", a]).code, 0);
    assert.equal(mfrec(["generate", ...args, "--seed", "9", "-o", b, "-q"]).code, 0);
    assert.equal(mfrec(["generate", ...args, "--seed", "10", "-o", c]).code, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
    assert.ok(!readFileSync(a).equals(readFileSync(c)));
  });

  it("writes the asked shape: header, unique pairs, ratings 1..5, a long tail of item popularity", () => {
    const f = join(dir, "shape.csv");
    const { run, doc } = mfrecJson<{ written: number; histogram: Record<string, number> }>(["generate", ...args, "--seed", "1", "-o", f]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.written, 40000);
    assert.match(run.stderr, /generated 40,000 ratings/);
    const lines = readFileSync(f, "utf8").trimEnd().split("\n");
    assert.equal(lines[0], "user,item,rating");
    assert.equal(lines.length, 40001);
    const pairs = new Set<string>();
    const pop = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const [u, i, r] = line.split(",");
      pairs.add(`${u},${i}`);
      pop.set(i!, (pop.get(i!) ?? 0) + 1);
      const v = Number(r);
      assert.ok(Number.isInteger(v) && v >= 1 && v <= 5, line);
    }
    assert.equal(pairs.size, 40000, "unique (user, item) pairs");
    const counts = [...pop.values()].sort((x, y) => y - x);
    const top = counts.slice(0, 60).reduce((s, n) => s + n, 0);
    assert.ok(top / 40000 > 0.3, `top 10% of items hold ${top / 40000}`);
    assert.equal(Object.values(doc.histogram).reduce((s, n) => s + n, 0), 40000);
  });

  it("writes counts with --implicit and rejects impossible sizes", () => {
    const f = join(dir, "imp.csv");
    assert.equal(mfrec(["generate", "--users", "50", "--items", "40", "--ratings", "500", "--implicit", "-o", f]).code, 0);
    const values = readFileSync(f, "utf8").trimEnd().split("\n").slice(1).map((l) => Number(l.split(",")[2]));
    assert.ok(values.every((v) => Number.isInteger(v) && v >= 1));
    const bad = mfrec(["generate", "--users", "3", "--items", "3", "--ratings", "10", "-o", join(dir, "bad.csv")]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^mfrec: more ratings than \(user, item\) pairs/);
  });
});

describe("mfrec demo", () => {
  it("walks through the seed: 4.9 for User 1 × Casablanca and 4.3 for Black Panther, with the arithmetic", () => {
    const r = mfrec(["demo"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /User 1 × Casablanca\s+= 1\.1 × 0\.9 \+ 2\.3 × 1\.7 = 4\.9\b/);
    assert.match(r.stdout, /Will User 1 like Black Panther\?\s+1\.1 × 1\.4 \+ 2\.3 × 1\.2 = 4\.3\b/);
    assert.match(r.stdout, /6\.15/);
    assert.match(r.stdout, /Recommended for user/);
    assert.match(r.stdout, /Items most similar to/);
    assert.ok(!r.stdout.includes("\x1b["), "no colour off a TTY");
  });

  it("gives the same numbers as one JSON document", () => {
    const { run, doc } = mfrecJson<{
      seed: { user1Casablanca: number; user1BlackPanther: number; product: number[][] };
      fit: { product: number[][]; unclipped: number[][] };
      synthetic: { recommendations: { item: string; score: number; rating: number }[]; similar: unknown[]; favourite: string; tastes: { genre: string; mean: number }[] };
    }>(["demo"]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Math.abs(doc.seed.user1Casablanca - 4.9) < 0.005);
    assert.ok(Math.abs(doc.seed.user1BlackPanther - 4.3) < 0.005);
    assert.ok(Math.abs(doc.seed.product[0]![4]! - 6.15) < 0.005);
    // mfrec's own fit: clipped to 1..5, and close to every known rating.
    doc.fit.product.forEach((row, u) => {
      row.forEach((v, i) => {
        assert.ok(v >= 1 && v <= 5, `fit ${u},${i} = ${v}`);
        const known = SEED_RATINGS[u]![i];
        if (known !== null && known !== undefined) assert.ok(Math.abs(v - known) < 0.5, `known cell ${u},${i}: ${v} vs ${known}`);
      });
    });
    assert.equal(doc.synthetic.recommendations.length, 8);
    assert.equal(doc.synthetic.similar.length, 6);
    // The story is true: the top picks are of the taste the demo prints (the user's best-liked genre),
    // and none is of a genre the user rates below 3 on average.
    const genre = (item: string) => item.replace(/ #\d+$/, "");
    const recs = doc.synthetic.recommendations;
    assert.equal(genre(recs[0]!.item), doc.synthetic.favourite);
    assert.ok(recs.filter((r) => genre(r.item) === doc.synthetic.favourite).length >= 6, JSON.stringify(recs));
    const disliked = new Set(doc.synthetic.tastes.filter((t) => t.mean < 3).map((t) => t.genre));
    assert.ok(!recs.some((r) => disliked.has(genre(r.item))), JSON.stringify(recs));
    assert.ok(recs.every((r) => r.rating >= 1 && r.rating <= 5));
  });
});
