import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { MfrecError } from "../../../src/core/errors.js";
import { parseRatingsText } from "../../../src/data/parse-delimited.js";
import { readRatingsFile, readRatingsFileSync } from "../../../src/data/read-file-node.js";
import { dataFile } from "../../helpers/data.js";

const dir = mkdtempSync(join(tmpdir(), "mfrec-read-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe("readRatingsFile on small files", () => {
  const text = "user,item,rating\r\n1,2,3\r\n2,2,4.5\r\n1,3,1";
  test("reads a CSV; report.file is the path", async () => {
    const p = write("a.csv", text);
    const r = await readRatingsFile(p);
    assert.equal(r.length, 3);
    assert.equal(r.report.file, p);
    assert.deepEqual([...r.values], [3, 4.5, 1]);
  });

  test(".gz by extension and by magic bytes, async and sync give the same result", async () => {
    const gz = gzipSync(Buffer.from(text));
    const byExt = write("b.csv.gz", gz);
    const byMagic = write("b-gzipped.csv", gz);
    const plain = await readRatingsFile(write("b.csv", text));
    for (const p of [byExt, byMagic]) {
      for (const r of [await readRatingsFile(p), readRatingsFileSync(p)]) {
        assert.deepEqual([...r.users], [...plain.users]);
        assert.deepEqual([...r.items], [...plain.items]);
        assert.deepEqual([...r.values], [...plain.values]);
      }
    }
  });

  test("nonexistent file -> E_IO with the path (async and sync)", async () => {
    const p = join(dir, "nope.csv");
    await assert.rejects(readRatingsFile(p), (e: unknown) => e instanceof MfrecError && e.code === "E_IO" && e.file === p && e.message.includes("not found"));
    assert.throws(() => readRatingsFileSync(p), (e: unknown) => e instanceof MfrecError && e.code === "E_IO" && e.file === p);
  });

  test("a directory -> E_IO", async () => {
    await assert.rejects(readRatingsFile(dir), (e: unknown) => e instanceof MfrecError && e.code === "E_IO" && e.file === dir);
  });

  test("corrupt gzip -> E_IO", async () => {
    const p = write("bad.csv.gz", Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7));
    await assert.rejects(readRatingsFile(p), (e: unknown) => e instanceof MfrecError && e.code === "E_IO" && e.file === p);
  });

  test("parse errors carry file and line", async () => {
    const p = write("c.csv", "user,item,rating\n1,2,3\n1,3,oops\n");
    await assert.rejects(readRatingsFile(p), (e: unknown) => e instanceof MfrecError && e.code === "E_NOT_NUMBER" && e.file === p && e.line === 3);
    assert.throws(() => readRatingsFileSync(p), (e: unknown) => e instanceof MfrecError && e.code === "E_NOT_NUMBER" && e.file === p && e.line === 3);
  });

  test("empty and header-only files -> E_EMPTY_INPUT with the path", async () => {
    for (const [name, content] of [["empty.csv", ""], ["header.csv", "user,item,rating\n"]]) {
      const p = write(name!, content!);
      await assert.rejects(readRatingsFile(p), (e: unknown) => e instanceof MfrecError && e.code === "E_EMPTY_INPUT" && e.file === p);
    }
  });

  test("a file larger than one 1 MiB chunk equals parsing it whole", async () => {
    const lines = ["user,item,rating"];
    for (let k = 0; k < 120_000; k++) lines.push(`${(k * 7919) % 5000},"it ${k % 3001}",${(k % 9) / 2 + 0.5}`);
    const text = lines.join("\r\n");
    const p = write("big.csv", text);
    const a = await readRatingsFile(p);
    const b = parseRatingsText(text);
    assert.equal(a.length, b.length);
    assert.deepEqual(a.userIndex.ids(), b.userIndex.ids());
    assert.deepEqual(a.itemIndex.ids(), b.itemIndex.ids());
    assert.deepEqual(a.values, b.values);
    assert.ok(readFileSync(p).length > 1 << 20);
  });
});

describe("real datasets", () => {
  const cases = [
    { parts: ["ml-100k", "u.data"], n: 100_000, users: 943, items: 1682, format: "ml-100k", ts: true },
    { parts: ["ml-100k", "u1.base"], n: 80_000, format: "ml-100k", ts: true },
    { parts: ["ml-latest-small", "ratings.csv"], n: 100_836, users: 610, items: 9724, format: "ml-csv", ts: true, lo: 0.5, hi: 5 },
    { parts: ["hetrec2011-lastfm-2k", "user_artists.dat"], n: 92_834, users: 1892, items: 17_632, format: "hetrec", lo: 1, hi: 352_698 },
    { parts: ["splits", "ml-latest-small-train.csv"], n: 80_669, users: 610, items: 8996, format: "csv" },
    { parts: ["splits", "ml-latest-small-test.csv"], n: 20_167, users: 608, items: 5075, format: "csv" },
    { parts: ["splits", "implicit-ml100k-train.csv"], n: 44_679, users: 942, items: 1408, format: "csv", implicit: true },
    { parts: ["splits", "implicit-ml100k-test.csv"], n: 10_696, users: 938, items: 1117, format: "csv", implicit: true },
    { parts: ["splits", "lastfm-train.csv"], n: 74_294, users: 1892, items: 15_401, format: "csv" },
    { parts: ["splits", "lastfm-test.csv"], n: 18_540, users: 1877, items: 6371, format: "csv" },
  ];
  for (const c of cases) {
    const f = dataFile(...c.parts);
    test(`${c.parts.join("/")}: ${c.n} ratings`, { skip: f.skip }, async () => {
      const r = await readRatingsFile(f.path);
      assert.equal(r.length, c.n);
      assert.equal(r.report.rows, c.n);
      assert.equal(r.report.skipped, 0);
      assert.equal(r.report.duplicates, 0);
      assert.equal(r.report.format, c.format);
      if (c.users !== undefined) assert.equal(r.userIndex.size, c.users);
      if (c.items !== undefined) assert.equal(r.itemIndex.size, c.items);
      assert.equal(r.timestamps !== undefined, c.ts === true);
      if (c.implicit) assert.ok(r.values.every((v) => v === 1));
      if (c.lo !== undefined) {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const v of r.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        assert.deepEqual([lo, hi], [c.lo, c.hi]);
      }
    });
  }

  const udata = dataFile("ml-100k", "u.data");
  test("u.data: first row and the mean rating match the file", { skip: udata.skip }, async () => {
    const r = await readRatingsFile(udata.path, { scale: [1, 5] });
    assert.equal(r.userIndex.idAt(r.users[0]!), "196");
    assert.equal(r.itemIndex.idAt(r.items[0]!), "242");
    assert.equal(r.values[0], 3);
    assert.equal(r.timestamps![0], 881250949);
    // Reference mean from a naive split-based parse of the same file.
    const lines = readFileSync(udata.path, "utf8").trim().split("\n");
    const ref = lines.reduce((s, l) => s + Number(l.split("\t")[2]), 0) / lines.length;
    const mean = r.values.reduce((s, v) => s + v, 0) / r.length;
    assert.ok(Math.abs(mean - ref) < 1e-9, `${mean} vs ${ref}`);
    assert.deepEqual(readRatingsFileSync(udata.path).values, r.values);
  });

  const train = dataFile("splits", "ml-latest-small-train.csv");
  const testSplit = dataFile("splits", "ml-latest-small-test.csv");
  test("a test split indexed like its train split: 798 rows have an item absent from train", { skip: train.skip || testSplit.skip }, async () => {
    const tr = await readRatingsFile(train.path);
    const itemIndex = tr.itemIndex.clone();
    const te = await readRatingsFile(testSplit.path, { userIndex: tr.userIndex.clone(), itemIndex });
    let unseen = 0;
    for (let k = 0; k < te.length; k++) if (te.items[k]! >= tr.itemIndex.size) unseen++;
    assert.equal(unseen, 798);
  });
});
