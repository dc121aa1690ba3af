import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { isMfrecError } from "../../../src/core/errors.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { type Ratings, ratingsFromArray } from "../../../src/data/ratings.js";
import { isRatingsBinary, loadRatings, saveRatings } from "../../../src/data/ratings-binary.js";
import { readRatingsBinaryFile, readRatingsFile, readRatingsFileSync, writeRatingsBinaryFile } from "../../../src/data/read-file-node.js";
import { writeRatingsText } from "../../../src/data/write-ratings-node.js";

const tmp = mkdtempSync(join(tmpdir(), "mfrec-mfrb-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sample = (): Ratings =>
  ratingsFromArray([
    { user: "alice", item: "Star Wars", rating: 5, timestamp: 881250949 },
    { user: "bob, jr.", item: 'The "Heat"', rating: 3.5, timestamp: 881250950 },
    { user: "alice", item: "Amélie", rating: 1, timestamp: 881250951 },
  ]);

function same(a: Ratings, b: Ratings): void {
  assert.equal(b.length, a.length);
  assert.deepEqual(b.userIndex.ids(), a.userIndex.ids());
  assert.deepEqual(b.itemIndex.ids(), a.itemIndex.ids());
  assert.deepEqual(Array.from(b.users), Array.from(a.users));
  assert.deepEqual(Array.from(b.items), Array.from(a.items));
  assert.deepEqual(Array.from(b.values), Array.from(a.values));
  assert.deepEqual(b.timestamps ? Array.from(b.timestamps) : undefined, a.timestamps ? Array.from(a.timestamps) : undefined);
}

describe("binary ratings file", () => {
  test("round-trips ids (unicode, commas, quotes), values and timestamps", () => {
    const r = sample();
    const bytes = saveRatings(r);
    assert.ok(isRatingsBinary(bytes));
    same(r, loadRatings(bytes));
  });

  test("fast-check: any ratings round-trip", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ user: fc.string({ minLength: 1 }), item: fc.string({ minLength: 1 }), rating: fc.double({ min: -10, max: 10, noNaN: true }) }), { minLength: 1, maxLength: 30 }), (rows) => {
        const clean = rows.filter((x) => x.user.trim() !== "" && x.item.trim() !== "");
        fc.pre(clean.length > 0);
        const r = ratingsFromArray(clean);
        same(r, loadRatings(saveRatings(r)));
      }),
    );
  });

  test("truncated, corrupted, foreign and out-of-range files are refused with E_RATINGS_FORMAT", () => {
    const good = saveRatings(sample());
    for (const n of [0, 5, 12, 40, good.length - 1]) assert.throws(() => loadRatings(good.slice(0, n)), (e) => isMfrecError(e, "E_RATINGS_FORMAT"), `prefix ${n}`);
    const flipped = good.slice();
    flipped[good.length - 10]! ^= 1;
    assert.throws(() => loadRatings(flipped), /checksum mismatch/);
    assert.throws(() => loadRatings(new TextEncoder().encode("user,item,rating\n1,2,3\n")), /wrong magic/);
  });

  test("readRatingsFile detects the binary file by its magic, whatever its name", async () => {
    const r = sample();
    const path = join(tmp, "ratings.data");
    writeRatingsBinaryFile(path, r);
    same(r, await readRatingsFile(path));
    same(r, readRatingsFileSync(path));
    assert.equal((await readRatingsFile(path)).report.format, "mfrec-ratings");
  });

  test("a test set is re-indexed into the train set's indexes", () => {
    const path = join(tmp, "test.mfrb");
    writeRatingsBinaryFile(path, ratingsFromArray([{ user: "x", item: "Amélie", rating: 2 }]));
    const userIndex = IdIndex.from(["alice", "x"]);
    const itemIndex = IdIndex.from(["Star Wars", "Amélie"]);
    const t = readRatingsBinaryFile(path, { userIndex, itemIndex });
    assert.equal(t.users[0], 1);
    assert.equal(t.items[0], 1);
    assert.equal(t.userIndex, userIndex);
  });

  test("a damaged file on disk names the file", () => {
    const path = join(tmp, "damaged.mfrb");
    const bytes = saveRatings(sample());
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    assert.throws(() => readRatingsBinaryFile(path), (e) => isMfrecError(e, "E_RATINGS_FORMAT") && e.file === path);
  });

  test("text writers round-trip through the parser (csv, tsv, ::)", async () => {
    const r = sample();
    for (const layout of ["csv", "tsv"] as const) {
      const path = join(tmp, `out.${layout}`);
      writeRatingsText(path, r, layout);
      same(r, await readRatingsFile(path));
    }
    const simple = ratingsFromArray([
      { user: 1, item: 10, rating: 4, timestamp: 5 },
      { user: 2, item: 10, rating: 3, timestamp: 6 },
    ]);
    const dat = join(tmp, "ratings.dat");
    writeRatingsText(dat, simple, "ml-dat");
    assert.equal(readFileSync(dat, "utf8"), "1::10::4::5\n2::10::3::6\n");
    same(simple, await readRatingsFile(dat));
    assert.throws(() => writeRatingsText(join(tmp, "bad.dat"), ratingsFromArray([{ user: "a::b", item: "c", rating: 1 }]), "ml-dat"), (e) => isMfrecError(e, "E_CONFIG"));
  });
});
