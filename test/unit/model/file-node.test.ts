import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { exportFactorsCsv, float32Text } from "../../../src/model/export.js";
import { exportModelCsv, readModelFile, readModelFileSync, writeModelFile, writeModelFileSync } from "../../../src/model/file-node.js";
import { saveModel } from "../../../src/model/format.js";
import { predictMatrix } from "../../../src/recommend/predict-matrix.js";
import { randomModel, seedModel, seedModelWithHistory } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "mfrec-model-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("model files on disk", () => {
  test("write (atomic, no temp left) -> read gives the same model and file bytes", async () => {
    const m = seedModelWithHistory({ biases: true });
    const p = join(dir, "seed.mfrec");
    writeModelFileSync(p, m);
    assert.deepEqual(new Uint8Array(readFileSync(p)), saveModel(m));
    assert.deepEqual(predictMatrix(readModelFileSync(p)), predictMatrix(m));
    await writeModelFile(p, seedModel()); // replaces
    assert.deepEqual(predictMatrix(await readModelFile(p)), predictMatrix(seedModel()));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".tmp-")),
      [],
    );
  });

  test("streamed writes of odd-sized sections (padding between them) give saveModel's bytes, sync and async", async () => {
    for (const seed of [1, 2, 3]) {
      const m = randomModel({ users: 3 + 2 * seed, items: 5 + seed, factors: seed, biases: seed !== 2, history: seed !== 3, implicit: false, seed });
      const p = join(dir, `odd-${seed}.mfrec`);
      writeModelFileSync(p, m);
      assert.deepEqual(new Uint8Array(readFileSync(p)), saveModel(m));
      await writeModelFile(p, m);
      assert.deepEqual(new Uint8Array(readFileSync(p)), saveModel(m));
      assert.deepEqual(predictMatrix(await readModelFile(p)), predictMatrix(m));
    }
  });

  test("a missing file is E_IO; a corrupted one E_MODEL_FORMAT with the file name", async () => {
    assert.throws(() => readModelFileSync(join(dir, "missing.mfrec")), (e: unknown) => isMfrecError(e, "E_IO"));
    await assert.rejects(readModelFile(join(dir, "missing.mfrec")), (e: unknown) => isMfrecError(e, "E_IO"));
    const p = join(dir, "bad.mfrec");
    writeFileSync(p, saveModel(seedModel()).subarray(0, 40));
    assert.throws(() => readModelFileSync(p), (e: unknown) => isMfrecError(e, "E_MODEL_FORMAT") && e.file === p && e.message.startsWith(p));
  });

  test("writing into a missing directory is E_IO and leaves no temp file", () => {
    assert.throws(() => writeModelFileSync(join(dir, "no", "such", "m.mfrec"), seedModel()), (e: unknown) => isMfrecError(e, "E_IO"));
  });
});

describe("CSV export", () => {
  test("seed factors: id,f1,f2 with shortest float32 text", () => {
    const { users, items } = exportFactorsCsv(seedModel());
    assert.equal(users, "id,f1,f2\nUser 1,1.1,2.3\nUser 2,0.6,2\nUser 3,2.5,0.5\n");
    assert.equal(items.split("\n")[4], "Wonder Woman,2,-0.1");
  });

  test("bias column, and quoting of awkward ids", () => {
    const m = randomModel({ users: 2, items: 2, factors: 1, biases: true, history: false, implicit: false, seed: 4, userIds: ['a,"b"', "c\nd"], itemIds: ["x", " y"] });
    const { users, items } = exportFactorsCsv(m);
    assert.ok(users.startsWith('id,f1,bias\n"a,""b""",'));
    assert.ok(users.includes('\n"c\nd",'));
    assert.ok(items.includes('\n" y",'));
    const v = Number(users.split("\n")[1]!.split(",")[2]); // the quoted id holds one comma
    assert.equal(Math.fround(v), m.userFactors.data[0]);
  });

  test("float32Text reads back to the same float32", () => {
    for (const x of [0.1, 1 / 3, -2.5e-8, 123456.789, 3.4028234663852886e38]) {
      assert.equal(Math.fround(Number(float32Text(x))), Math.fround(x));
    }
  });

  test("exportModelCsv writes users.csv and items.csv", async () => {
    const out = await exportModelCsv(seedModel(), join(dir, "csv"));
    assert.equal(readFileSync(out.users, "utf8"), exportFactorsCsv(seedModel()).users);
    assert.equal(readFileSync(out.items, "utf8"), exportFactorsCsv(seedModel()).items);
  });
});
