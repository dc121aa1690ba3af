import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Ratings, ratingsFromArray } from "../../src/data/ratings.js";
import { kFoldSplit, randomSplit, temporalSplit, userSplit } from "../../src/evaluate/splits.js";
import type { Split } from "../../src/evaluate/subset.js";

/** Small rating sets with unique (user, item) pairs and timestamps. */
const ratingsArb = fc
  .uniqueArray(fc.record({ u: fc.integer({ min: 0, max: 7 }), i: fc.integer({ min: 0, max: 11 }), v: fc.integer({ min: 1, max: 5 }), t: fc.integer({ min: 0, max: 50 }) }), {
    minLength: 1,
    maxLength: 60,
    selector: (r) => `${r.u}:${r.i}`,
  })
  .map((rows) => ratingsFromArray(rows.map((r) => ({ user: `u${r.u}`, item: `i${r.i}`, rating: r.v, timestamp: r.t }))));

/** The rows of a Ratings as raw "user|item|value|time" strings. */
function rows(r: Ratings): string[] {
  const out: string[] = [];
  for (let k = 0; k < r.length; k++) out.push(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}|${r.values[k]}|${r.timestamps?.[k]}`);
  return out;
}

function assertPartition(src: Ratings, s: Split): void {
  const all = [...rows(s.train), ...rows(s.test)].sort();
  assert.deepEqual(all, rows(src).sort());
  assert.equal(s.report.trainRatings + s.report.testRatings, src.length);
  // The test part is indexed like the training part: known ids share dense indices.
  for (let k = 0; k < s.test.length; k++) {
    const u = s.test.users[k]!;
    if (u < s.train.userIndex.size) assert.equal(s.test.userIndex.idAt(u), s.train.userIndex.idAt(u));
  }
}

function sameSplit(a: Split, b: Split): void {
  assert.deepEqual(rows(a.train), rows(b.train));
  assert.deepEqual(rows(a.test), rows(b.test));
}

describe("splits partition the data and are deterministic per seed", () => {
  it("randomSplit", () => {
    fc.assert(
      fc.property(ratingsArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer(), (r, f, seed) => {
        const s = randomSplit(r, { testFraction: f, seed });
        assertPartition(r, s);
        assert.equal(s.test.length, Math.round(f * r.length));
        sameSplit(s, randomSplit(r, { testFraction: f, seed }));
      }),
    );
  });
  it("userSplit keeps every test user in training", () => {
    fc.assert(
      fc.property(ratingsArb, fc.integer({ min: 1, max: 3 }), fc.integer(), (r, c, seed) => {
        const s = userSplit(r, { testCount: c, seed });
        assertPartition(r, s);
        assert.equal(s.report.unseenTestUsers, 0);
        sameSplit(s, userSplit(r, { testCount: c, seed }));
        const f = userSplit(r, { testFraction: 0.3, seed });
        assertPartition(r, f);
        assert.equal(f.report.unseenTestUsers, 0);
      }),
    );
  });
  it("temporalSplit (cut-off and last-n)", () => {
    fc.assert(
      fc.property(ratingsArb, fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 3 }), (r, cutoff, n) => {
        const a = temporalSplit(r, { cutoff });
        assertPartition(r, a);
        for (let k = 0; k < a.test.length; k++) assert.ok(a.test.timestamps![k]! >= cutoff);
        for (let k = 0; k < a.train.length; k++) assert.ok(a.train.timestamps![k]! < cutoff);
        assertPartition(r, temporalSplit(r, { lastN: n }));
      }),
    );
  });
  it("kFoldSplit: every rating in exactly one test fold, train = the other folds", () => {
    fc.assert(
      fc.property(ratingsArb, fc.integer({ min: 2, max: 5 }), fc.integer(), (r, k, seed) => {
        const folds = kFoldSplit(r, { folds: k, seed });
        assert.equal(folds.length, k);
        const tests = folds.flatMap((f) => rows(f.test)).sort();
        assert.deepEqual(tests, rows(r).sort());
        for (const f of folds) assertPartition(r, f);
        const again = kFoldSplit(r, { folds: k, seed });
        folds.forEach((f, i) => {
          sameSplit(f, again[i]!);
        });
      }),
    );
  });
  it("different seeds give different random splits (on enough data)", () => {
    const r = ratingsFromArray(Array.from({ length: 200 }, (_, n) => ({ user: n % 10, item: Math.floor(n / 10), rating: 1 + (n % 5) })));
    assert.notDeepEqual(rows(randomSplit(r, { testFraction: 0.2, seed: 1 }).test), rows(randomSplit(r, { testFraction: 0.2, seed: 2 }).test));
  });
});
