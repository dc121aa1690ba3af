import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { isMfrecError } from "../../../src/core/errors.js";
import { readFeaturesFile } from "../../../src/data/features-node.js";
import { alignFeatures, featuresOf, parseFeaturesText, toFeatureTable } from "../../../src/data/features.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { dataFile } from "../../helpers/data.js";

function rejects(text: string, code: string, line: number | undefined, value?: unknown): void {
  assert.throws(
    () => parseFeaturesText(text, { file: "f.csv" }),
    (e: unknown) => {
      assert.ok(isMfrecError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.equal(e.file, "f.csv");
      assert.equal(e.line, line, e.message);
      if (value !== undefined) assert.equal(e.value, value);
      return true;
    },
  );
}

describe("parseFeaturesText", () => {
  test("long form id,feature: CSR in first-appearance order, weights 1, rows sorted by feature", () => {
    const { table, report } = parseFeaturesText("item,feature\n1,genre:Drama\n2,genre:Comedy\n1,decade:1990s\n1,genre:Comedy\n");
    assert.deepEqual(table.ids.ids(), ["1", "2"]);
    assert.deepEqual(table.vocabulary.ids(), ["genre:Drama", "genre:Comedy", "decade:1990s"]);
    assert.deepEqual([...table.indptr], [0, 3, 4]);
    assert.deepEqual([...table.indices], [0, 1, 2, 1]);
    assert.deepEqual([...table.values], [1, 1, 1, 1]);
    assert.deepEqual(report, { rows: 4, entities: 2, features: 3 });
    assert.deepEqual(featuresOf(table, 1), { "genre:Drama": 1, "genre:Comedy": 1, "decade:1990s": 1 });
    assert.deepEqual(featuresOf(table, "nobody"), {});
  });
  test("value column, tabs, CRLF, BOM, quotes with commas and doubled quotes, blank lines", () => {
    const { table } = parseFeaturesText('\uFEFFuser\tfeature\tweight\r\n7\tage:18-24\t0.5\r\n\r\n7\t"tag:a, ""b"""\t2\r\n');
    assert.deepEqual(featuresOf(table, "7"), { "age:18-24": 0.5, 'tag:a, "b"': 2 });
  });
  test("bad input names file, line and value", () => {
    rejects("", "E_EMPTY_INPUT", undefined);
    rejects("item,feature\n", "E_EMPTY_INPUT", undefined);
    rejects("item,genre\n1,x\n", "E_UNKNOWN_COLUMN", 1, "item,genre");
    rejects("item,feature,colour\n1,x,2\n", "E_UNKNOWN_COLUMN", 1);
    rejects("item,feature,value,extra\n1,x,2,3\n", "E_UNKNOWN_COLUMN", 1);
    rejects("item,feature\n1,x\n2\n", "E_MISSING_COLUMN", 3, "2");
    rejects("item,feature\n1,x,3\n", "E_CONFIG", 2, "1,x,3");
    rejects("item,feature\n,x\n", "E_EMPTY_ID", 2);
    rejects("item,feature\n1,\n", "E_EMPTY_ID", 2);
    rejects("item,feature,value\n1,x,abc\n", "E_NOT_NUMBER", 2, "abc");
    rejects("item,feature,value\n1,x,\n", "E_NOT_NUMBER", 2, "");
    rejects("item,feature,value\n1,x,Infinity\n", "E_NOT_FINITE", 2, "Infinity");
    rejects("item,feature\n1,x\n\n1,x\n", "E_DUPLICATE", 4, "x");
    rejects('item,feature\n1,"x\n', "E_BAD_QUOTE", 2);
    rejects(`item,feature\n1,${"a".repeat(5000)}\n`, "E_CONFIG", 2);
  });
});

describe("toFeatureTable and alignFeatures", () => {
  test("record, map and table inputs; empty lists keep an empty row", () => {
    const a = toFeatureTable({ a: ["x", "y"], b: { y: 2 }, c: [] });
    assert.deepEqual(a.ids.ids(), ["a", "b", "c"]);
    assert.deepEqual([...a.indptr], [0, 2, 3, 3]);
    assert.deepEqual(featuresOf(a, "b"), { y: 2 });
    const m = toFeatureTable(new Map<string | number, readonly string[]>([[5, ["x"]]]));
    assert.deepEqual(featuresOf(m, "5"), { x: 1 });
    assert.equal(toFeatureTable(a), a);
    assert.throws(() => toFeatureTable({ a: { x: Number.NaN } }), (e: unknown) => isMfrecError(e, "E_NOT_FINITE"));
    assert.throws(() => toFeatureTable({ a: [""] }), (e: unknown) => isMfrecError(e, "E_EMPTY_ID"));
  });
  test("align onto a dense index: counts unmatched ids and entities without features", () => {
    const t = toFeatureTable({ b: ["x"], z: ["y"], a: { x: 3, y: 1 } });
    const idx = IdIndex.from(["a", "b", "c"]);
    const al = alignFeatures(t, idx);
    assert.equal(al.unmatched, 1);
    assert.equal(al.withoutFeatures, 1);
    assert.deepEqual([...al.indptr], [0, 2, 3, 3]);
    assert.deepEqual([...al.indices], [0, 1, 0]);
    assert.deepEqual([...al.values], [3, 1, 1]);
  });
  test("property: text round trip and alignment keep every (id, feature, weight)", () => {
    const entry = fc.record({ id: fc.integer({ min: 0, max: 30 }), f: fc.constantFrom("a", "b", "c,d", 'q"t', "e"), w: fc.integer({ min: -5, max: 5 }) });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => `${e.id}|${e.f}`, minLength: 1, maxLength: 60 }), (rows) => {
        const q = (s: string) => (/[,"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
        const text = `id,feature,value\n${rows.map((r) => `${r.id},${q(r.f)},${r.w}`).join("\n")}\n`;
        const { table } = parseFeaturesText(text);
        const idx = IdIndex.from(Array.from({ length: 31 }, (_, i) => String(30 - i)));
        const al = alignFeatures(table, idx);
        let n = 0;
        for (const r of rows) {
          assert.equal(featuresOf(table, r.id)[r.f], r.w);
          const d = idx.indexOf(String(r.id));
          const c = table.vocabulary.indexOf(r.f);
          let found = false;
          for (let p = al.indptr[d]!; p < al.indptr[d + 1]!; p++) if (al.indices[p] === c && al.values[p] === r.w) found = true;
          assert.ok(found);
          n++;
        }
        assert.equal(al.indptr[31], n);
      }),
    );
  });
});

describe("readFeaturesFile", () => {
  test("plain and gzip, errors carry the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mfrec-feat-"));
    writeFileSync(join(dir, "f.csv"), "item,feature\n1,x\n");
    writeFileSync(join(dir, "f.csv.gz"), gzipSync("item,feature\n1,x\n"));
    writeFileSync(join(dir, "bad.csv"), "item,feature\n1,x\n2,\n");
    assert.deepEqual(featuresOf(readFeaturesFile(join(dir, "f.csv")).table, 1), { x: 1 });
    assert.deepEqual(featuresOf(readFeaturesFile(join(dir, "f.csv.gz")).table, 1), { x: 1 });
    assert.throws(() => readFeaturesFile(join(dir, "bad.csv")), (e: unknown) => isMfrecError(e, "E_EMPTY_ID") && e.line === 3 && e.file === join(dir, "bad.csv"));
    assert.throws(() => readFeaturesFile(join(dir, "none.csv")), (e: unknown) => isMfrecError(e, "E_IO"));
  });
  const data = dataFile("features", "ml100k-items.csv");
  test("the shared ml-100k and ml-latest-small feature files", { skip: data.skip }, () => {
    const items = readFeaturesFile(data.path);
    assert.equal(items.table.ids.size, 1682);
    assert.ok(items.table.vocabulary.indexOf("genre:Comedy") >= 0);
    const users = readFeaturesFile(dataFile("features", "ml100k-users.csv").path);
    assert.equal(users.table.ids.size, 943);
    assert.ok(users.report.rows >= 943 * 3 && users.report.rows <= 943 * 4); // age, gender, occupation; zip digit where numeric
    const small = readFeaturesFile(dataFile("features", "ml-latest-small-items.csv").path);
    assert.ok(featuresOf(small.table, 4552)['tag:"artsy"'] === 1);
  });
});
