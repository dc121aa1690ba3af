import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../helpers/data.js";

// Every program in examples/ runs (compiled to dist/examples) and exits 0; a few print known facts.
const dir = join(repoRoot, "dist", "examples");
const expected: Record<string, RegExp[]> = {
  "quickstart.js": [/score: [\d.]+/, /known: true/, /item: '(Black Panther|Star Wars|The Philadelphia Story|Wonder Woman|Casablanca)'/, /model: \d+ bytes/],
  "synthetic-catalogue.js": [/^80000 ratings/m, /for user \d+: .+ \(\d\.\d\d\)/, /like Sci-fi #1: /],
};

describe("examples/", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
  it("has the programs the README points at", () => {
    for (const f of Object.keys(expected)) assert.ok(files.includes(f), `${f} is missing`);
  });
  for (const f of files) {
    it(`${f} runs`, () => {
      const r = spawnSync(process.execPath, [join(dir, f)], { encoding: "utf8", cwd: repoRoot });
      assert.equal(r.status, 0, r.stderr);
      for (const re of expected[f] ?? []) assert.match(r.stdout, re);
    });
  }
});
