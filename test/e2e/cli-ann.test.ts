import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { writeModelFileSync } from "../../src/node.js";
import { randomModel } from "../unit/model/fixtures.js";
import { hasStack, mfrec, mfrecJson } from "./cli-helpers.js";

describe("mfrec index build / --ann", () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-ann-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, "m.mfr");
  const other = join(dir, "other.mfr");
  writeModelFileSync(model, randomModel({ users: 20, items: 3000, factors: 8, biases: true, history: true, implicit: false, seed: 31 }));
  writeModelFileSync(other, randomModel({ users: 20, items: 3000, factors: 8, biases: true, history: true, implicit: false, seed: 32 }));

  test("index build writes <model>.ann; recommend --ann agrees with exact on most of the list", () => {
    const { run, doc } = mfrecJson(["index", "build", model, "--seed", "5"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.out, `${model}.ann`);
    assert.equal(doc.items, 3000);
    const info = mfrecJson(["index", "info", `${model}.ann`]).doc;
    assert.equal(info.factors, 8);
    assert.equal(info.modelChecksum, doc.checksum);
    let same = 0;
    for (const u of ["u0", "u5", "u11"]) {
      const exact = mfrecJson<{ items: Array<{ item: string }> }>(["recommend", model, u]).doc.items.map((r) => r.item);
      const approx = mfrecJson<{ items: Array<{ item: string }> }>(["recommend", model, u, "--ann"]).doc.items.map((r) => r.item);
      assert.equal(approx.length, 10);
      same += approx.filter((x) => exact.includes(x)).length;
    }
    assert.ok(same >= 27, `${same} of 30`);
    const sim = mfrecJson<{ items: Array<{ item: string }> }>(["similar", model, "i3", "--ann", "-n", "5"]).doc;
    assert.equal(sim.items.length, 5);
    const out = join(dir, "all.jsonl");
    const all = mfrecJson(["recommend-all", model, "--ann", "--out", out, "--users", "u1,u2"]).doc;
    assert.equal(all.users, 2);
    assert.equal(all.kernels, "ann-wasm");
  });

  test("index build --method ivf: info shows the lists; recommend --ann --nprobe <all lists> equals exact", () => {
    const out = join(dir, "ivf.ann");
    const { run, doc } = mfrecJson(["index", "build", model, "--method", "ivf", "--nlist", "20", "--out", out, "--seed", "5"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(doc.method, "ivf");
    assert.equal(doc.nlist, 20);
    const info = mfrecJson(["index", "info", out]).doc;
    assert.equal(info.kind, "ivf-mips");
    assert.equal(info.formatVersion, 2);
    assert.equal(info.nlist, 20);
    for (const u of ["u0", "u7"]) {
      const exact = mfrecJson<{ items: Array<{ item: string }> }>(["recommend", model, u]).doc.items;
      const approx = mfrecJson<{ items: Array<{ item: string }> }>(["recommend", model, u, "--index", out, "--nprobe", "20"]).doc.items;
      assert.deepEqual(approx, exact);
    }
    const bad = mfrec(["index", "build", model, "--method", "annoy"]);
    assert.equal(bad.code, 2); // a usage error
    assert.match(bad.stderr, /auto, hnsw, ivf|auto \| hnsw \| ivf|annoy/);
  });

  test("an index of another model is refused with a clear error and exit 1", () => {
    const r = mfrec(["recommend", other, "u0", "--index", `${model}.ann`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not belong to this model: the model checksum/);
    assert.ok(!hasStack(r.stderr));
    const j = mfrecJson<{ error: { code: string } }>(["recommend", other, "u0", "--index", `${model}.ann`]).doc;
    assert.equal(j.error.code, "E_INDEX_MISMATCH");
  });

  test("--ann without an index file says how to build one", () => {
    const r = mfrec(["recommend", other, "u0", "--ann"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no ANN index at .*other\.mfr\.ann.*mfrec index build/);
  });
});
