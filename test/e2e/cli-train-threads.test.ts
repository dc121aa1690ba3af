import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "../helpers/data.js";
import { readModelFileSync } from "../../src/model/file-node.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "mfrec-threads-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("mfrec train --threads", () => {
  // 120,000 ratings: above the size where threads 0 stays on one thread, so 2 threads really run two
  const data = join(tmp, "r.csv");
  const gen = run("generate", "--users", "3000", "--items", "800", "--ratings", "120000", "--rank", "4", "--seed", "3", "-o", data, "-q");

  for (const algorithm of ["sgd", "ials", "als"]) {
    test(`${algorithm}: 1 and 2 threads write the same factors; --json reports the process's peak memory`, () => {
      assert.equal(gen.status, 0, gen.stderr);
      const models = [1, 2].map((t) => {
        const out = join(tmp, `${algorithm}-${t}.mfr`);
        const extra = algorithm === "als" ? ["--set", "cgSteps=3"] : [];
        const r = run("train", data, "--algorithm", algorithm, "--factors", "8", "--epochs", "3", "--threads", String(t), ...extra, "-o", out, "--json", "-q");
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { peakRssBytes: number; threads: number; config: Record<string, unknown> };
        assert.equal(doc.threads, t);
        assert.equal("threads" in doc.config, false, "threads is how the fit ran, not model configuration");
        assert.ok(doc.peakRssBytes > 10e6 && doc.peakRssBytes < 4e9, `peakRssBytes ${doc.peakRssBytes}`);
        return readModelFileSync(out);
      });
      assert.deepEqual(models[1]!.userFactors.data, models[0]!.userFactors.data);
      assert.deepEqual(models[1]!.itemFactors.data, models[0]!.itemFactors.data);
      assert.deepEqual(models[1]!.history, models[0]!.history);
    });
  }

  test("a negative thread count is refused with the key named", () => {
    const r = run("train", data, "--algorithm", "sgd", "--threads", "-1", "-o", join(tmp, "x.mfr"));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /threads/);
  });
});
