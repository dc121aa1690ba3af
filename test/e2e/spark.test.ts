import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parquetWriteFile } from "hyparquet-writer";
import { sparkJobScript } from "../../src/cli/spark-job.js";
import { isMfrecError } from "../../src/core/errors.js";
import { exportRatingsParquet, readIdMapParquet, readParquetRows } from "../../src/data/parquet-node.js";
import { ratingsFromArray } from "../../src/data/ratings.js";
import { exportSparkModel, importSparkModel } from "../../src/model/spark-node.js";

const tmp = mkdtempSync(join(tmpdir(), "mfrec-spark-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

// Spark's own schema for ALSModel factor DataFrames: id int NOT NULL, features array<float>.
const schema = [
  { name: "spark_schema", num_children: 2 },
  { name: "id", type: "INT32" as const, repetition_type: "REQUIRED" as const },
  { name: "features", repetition_type: "OPTIONAL" as const, num_children: 1, converted_type: "LIST" as const },
  { name: "list", repetition_type: "REPEATED" as const, num_children: 1 },
  { name: "element", type: "FLOAT" as const, repetition_type: "REQUIRED" as const },
];

function writePart(path: string, rows: Array<[number, number[]]>): void {
  parquetWriteFile({ filename: path, columnData: [{ name: "id", data: new Int32Array(rows.map((r) => r[0])) }, { name: "features", data: rows.map((r) => r[1]) }], schema });
}

describe("Spark ALS interchange", () => {
  test("imports a Spark-layout model directory: scores are the dot products of the written factors", async () => {
    const dir = join(tmp, "spark-model");
    for (const d of ["metadata", "userFactors", "itemFactors"]) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(
      join(dir, "metadata", "part-00000"),
      `${JSON.stringify({ class: "org.apache.spark.ml.recommendation.ALSModel", timestamp: 1, sparkVersion: "3.5.1", uid: "ALS_x", paramMap: { rank: 2, regParam: 0.05, maxIter: 7, implicitPrefs: false }, defaultParamMap: { alpha: 1 }, rank: 2 })}\n`,
    );
    // Two partitions, ids out of order, as Spark writes them.
    writePart(join(dir, "userFactors", "part-00001-abc.snappy.parquet"), [[2, [2.5, 0.5]]]);
    writePart(join(dir, "userFactors", "part-00000-abc.snappy.parquet"), [[1, [0.6, 2.0]], [0, [1.1, 2.3]]]);
    writePart(join(dir, "itemFactors", "part-00000-def.snappy.parquet"), [[4, [1.2, 2.1]], [0, [0.9, 1.7]], [2, [1.4, 1.2]]]);
    const model = await importSparkModel(dir);
    assert.deepEqual(model.userIndex.ids(), ["0", "1", "2"]);
    assert.deepEqual(model.itemIndex.ids(), ["0", "2", "4"]);
    assert.equal(model.factors, 2);
    assert.equal(model.config.regularization, 0.05);
    assert.equal(model.config.epochs, 7);
    const u = model.userIndex.indexOf("0");
    const i = model.itemIndex.indexOf("2");
    assert.ok(Math.abs(model.scoreIndex(u, i) - (Math.fround(1.1) * Math.fround(1.4) + Math.fround(2.3) * Math.fround(1.2))) < 1e-6);
    assert.ok(Math.abs(model.scoreIndex(model.userIndex.indexOf("0"), model.itemIndex.indexOf("0")) - 4.9) < 1e-5);
  });

  test("rejects a directory that is not an ALSModel, naming what is wrong", async () => {
    const dir = join(tmp, "not-a-model");
    mkdirSync(join(dir, "metadata"), { recursive: true });
    writeFileSync(join(dir, "metadata", "part-00000"), `${JSON.stringify({ class: "org.apache.spark.ml.feature.StringIndexerModel" })}\n`);
    await assert.rejects(importSparkModel(dir), (e) => isMfrecError(e, "E_MODEL_FORMAT") && /ALSModel/.test(e.message));
    await assert.rejects(importSparkModel(join(tmp, "missing")), (e) => isMfrecError(e, "E_MODEL_FORMAT"));
  });

  test("export-ratings writes integer ids and id maps that round-trip string ids", async () => {
    const ratings = ratingsFromArray([
      { user: "alice", item: "Star Wars", rating: 5 },
      { user: "bob, jr.", item: "Amélie", rating: 4 },
      { user: "alice", item: "Amélie", rating: 2 },
    ]);
    const out = exportRatingsParquet(ratings, join(tmp, "export"));
    const rows = await readParquetRows(out.ratings);
    assert.equal(rows.length, 3);
    const users = await readIdMapParquet(out.users);
    const items = await readIdMapParquet(out.items);
    const triples = rows.map((r) => [users.get(r.user as number), items.get(r.item as number), r.rating]);
    assert.deepEqual(triples, [
      ["alice", "Star Wars", 5],
      ["bob, jr.", "Amélie", 4],
      ["alice", "Amélie", 2],
    ]);
  });

  test("export -> import of a model restores ids (strings included) and identical scores", async () => {
    const P = new Float32Array([0.1, -0.2, 0.3, 0.4, 1.5, -0.6]);
    const Q = new Float32Array([0.7, 0.8, -0.9, 1.0]);
    const { FactorModel } = await import("../../src/model/factor-model.js");
    const { IdIndex } = await import("../../src/data/id-index.js");
    const model = new FactorModel({
      config: { algorithm: "als", factors: 2 },
      userFactors: { rows: 3, cols: 2, data: P },
      itemFactors: { rows: 2, cols: 2, data: Q },
      userIndex: IdIndex.from(["u:1", "ü 2", "3"]),
      itemIndex: IdIndex.from(["item \"quoted\"", "i,2"]),
    });
    const { dir, ids } = exportSparkModel(model, join(tmp, "roundtrip"));
    const back = await importSparkModel(dir, { ids });
    assert.deepEqual(back.userIndex.ids(), model.userIndex.ids());
    assert.deepEqual(back.itemIndex.ids(), model.itemIndex.ids());
    assert.deepEqual(back.userFactors.data, model.userFactors.data);
    assert.deepEqual(back.itemFactors.data, model.itemFactors.data);
  });

  test("a model with biases cannot be exported to Spark (Spark has none)", () => {
    return import("../../src/model/factor-model.js").then(({ FactorModel }) =>
      import("../../src/data/id-index.js").then(({ IdIndex }) => {
        const m = new FactorModel({
          config: { algorithm: "sgd" },
          userFactors: { rows: 1, cols: 1, data: new Float32Array([1]) },
          itemFactors: { rows: 1, cols: 1, data: new Float32Array([1]) },
          userIndex: IdIndex.from(["a"]),
          itemIndex: IdIndex.from(["b"]),
          globalMean: 3.5,
          userBias: new Float32Array([0.1]),
          itemBias: new Float32Array([0.2]),
        });
        assert.throws(() => exportSparkModel(m, join(tmp, "biased")), (e) => isMfrecError(e, "E_UNSUPPORTED"));
      }),
    );
  });

  test("the generated job.py compiles and carries the flags' values", (t) => {
    const script = sparkJobScript({ algorithm: "ials", factors: 48, epochs: 12, regularization: 0.07, alpha: 15, seed: 3, input: "in'dir", output: "out" });
    for (const expected of ["rank=48", "maxIter=12", "regParam=0.07", "implicitPrefs=True", "alpha=15", "seed=3", "nonnegative=False", 'coldStartStrategy="drop"']) {
      assert.ok(script.includes(expected), `job.py lacks ${expected}`);
    }
    assert.ok(sparkJobScript({ algorithm: "als" }).includes("implicitPrefs=False"));
    assert.throws(() => sparkJobScript({ factors: 0 }), (e) => isMfrecError(e, "E_CONFIG"));
    const file = join(tmp, "job.py");
    writeFileSync(file, script);
    try {
      execFileSync("python3", ["-m", "py_compile", file], { stdio: "pipe" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return t.skip("python3 is not installed");
      throw new Error(`job.py does not compile: ${(e as { stderr?: Buffer }).stderr?.toString()}`);
    }
  });
});

describe("Spark round trip of an mfrec-trained model", () => {
  test("an als model (no biases) exported to Spark's layout and re-imported recommends identically", async () => {
    const { fitSync } = await import("../../src/train/fit.js");
    const { recommend } = await import("../../src/recommend/recommend.js");
    const rows: Array<{ user: string; item: string; rating: number }> = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 20; i++) if ((u * 7 + i * 3) % 4 !== 0) rows.push({ user: `user ${u}`, item: `item "${i}"`, rating: 1 + ((u + i) % 5) });
    // Spark's layout holds one factorization: the rating part (a ranking part is not exported), so none is trained here.
    const model = fitSync(ratingsFromArray(rows), { algorithm: "als", factors: 4, epochs: 5, biases: false, seed: 3, ranking: "none" });
    assert.equal(model.globalMean, 0);
    const { dir, ids } = exportSparkModel(model, join(tmp, "trained"));
    const back = await importSparkModel(dir, { ids });
    for (const u of ["user 0", "user 13", "user 29"]) {
      assert.deepEqual(recommend(back, u, { n: 5 }), recommend(model, u, { n: 5 }));
    }
    assert.equal(back.history?.indptr[back.history.rows], model.history?.indptr[model.history.rows]);
  });
});
