import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { mfrec } from "./cli-helpers.js";

// docs/algorithms.md: the same seed, data and config give identical factors whatever the thread count;
// two model files of `mfrec train` differ only in provenance.createdAt, provenance.fitSeconds,
// training[].seconds, the same inside the ranking part (ranking.training[].seconds); threads are a fit
// option, not kept in any config. This checks exactly that statement.
const dir = mkdtempSync(join(tmpdir(), "mfrec-repro-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Header JSON and data area (everything after the 8-aligned header end) of a model file. */
function parts(path: string): { header: Record<string, unknown>; data: Buffer } {
  const b = readFileSync(path);
  const len = b.readUInt32LE(8);
  const header = JSON.parse(b.subarray(12, 12 + len).toString("utf8")) as Record<string, unknown>;
  const start = Math.ceil((12 + len) / 8) * 8;
  return { header, data: b.subarray(start) };
}

/** The header without the fields that record the run rather than the model. */
function modelPart(h: Record<string, unknown>): Record<string, unknown> {
  type Part = { training: Array<Record<string, unknown>>; config: Record<string, unknown> };
  const c = structuredClone(h) as Part & { provenance: Record<string, unknown>; ranking?: Part | null };
  delete c.provenance.createdAt;
  delete c.provenance.fitSeconds;
  for (const part of c.ranking ? [c, c.ranking] : [c]) {
    for (const r of part.training) delete r.seconds;
    assert.equal("threads" in part.config, false, "threads is not model configuration");
  }
  return c as unknown as Record<string, unknown>;
}

for (const algorithm of ["als", "sgd"]) {
  test(`${algorithm}: two runs (1 and 2 threads) give the same sections and header up to the run's timings`, () => {
    const data = join(dir, "r.csv");
    assert.equal(mfrec(["generate", "--users", "400", "--items", "150", "--ratings", "60000", "--seed", "5", "-o", data, "-q"]).code, 0);
    const files = ["1", "2"].map((threads) => {
      const out = join(dir, `${algorithm}-${threads}.mfr`);
      const r = mfrec(["train", data, "-o", out, "-a", algorithm, "--factors", "8", "--epochs", "3", "--threads", threads, "--seed", "7", "-q"]);
      assert.equal(r.code, 0, r.stderr);
      return parts(out);
    });
    const [a, b] = files as [ReturnType<typeof parts>, ReturnType<typeof parts>];
    // The trailing CRC-32 covers the header too, so it differs with the timings; the sections before it do not.
    assert.ok(a.data.subarray(0, -4).equals(b.data.subarray(0, -4)), "data areas (factors, biases, history) are byte-identical");
    assert.deepEqual(modelPart(a.header), modelPart(b.header));
    // The run-specific fields do exist (so the statement is about real fields).
    const pa = a.header.provenance as Record<string, unknown>;
    assert.equal(typeof pa.createdAt, "string");
    assert.equal(typeof pa.fitSeconds, "number");
  });
}
