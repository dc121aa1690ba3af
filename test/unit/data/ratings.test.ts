import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MfrecError, isMfrecError } from "../../../src/core/errors.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { RatingsBuilder, ratingsFromArray, ratingsFromColumns, ratingsFromDense } from "../../../src/data/ratings.js";

const ITEMS = ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"];
const USERS = ["User 1", "User 2", "User 3"];
const SEED = [
  [5, 3, 0, 2, 0],
  [4, 0, 0, 1, 5],
  [0, 1, 4, 5, 4],
];

describe("ratingsFromDense on the seed's 3x5 example", () => {
  test("10 ratings, blanks/0 unrated, names kept, every item indexed", () => {
    const r = ratingsFromDense(SEED, { users: USERS, items: ITEMS });
    assert.equal(r.length, 10);
    assert.deepEqual(r.userIndex.ids(), USERS);
    assert.deepEqual(r.itemIndex.ids(), ITEMS);
    const dense = USERS.map(() => ITEMS.map(() => 0));
    for (let k = 0; k < r.length; k++) dense[r.users[k]!]![r.items[k]!] = r.values[k]!;
    assert.deepEqual(dense, SEED);
    assert.equal(r.report.format, "dense");
  });
  test("null and NaN cells are unrated too; default names", () => {
    const r = ratingsFromDense([
      [null, 2, Number.NaN],
      [undefined, 0, 3],
    ]);
    assert.equal(r.length, 2);
    assert.deepEqual(r.userIndex.ids(), ["User 1", "User 2"]);
    assert.deepEqual(r.itemIndex.ids(), ["Item 1", "Item 2", "Item 3"]);
  });
  test("ragged rows -> E_SHAPE with the row", () => {
    assert.throws(() => ratingsFromDense([[1, 2], [3]]), (e: unknown) => e instanceof MfrecError && e.code === "E_SHAPE" && e.line === 2);
  });
});

describe("RatingsBuilder duplicate policies", () => {
  const rows: Array<[string, string, number]> = [
    ["a", "x", 1],
    ["a", "y", 2],
    ["b", "x", 3],
    ["a", "x", 4],
    ["a", "x", 5],
    ["b", "x", 1],
  ];
  const build = (duplicates: "last" | "mean" | "error") => {
    const b = new RatingsBuilder({ duplicates });
    rows.forEach(([u, i, v], k) => {
      b.add(u, i, v, k + 1);
    });
    return b.finish();
  };
  const asMap = (r: ReturnType<typeof build>) => {
    const m = new Map<string, number>();
    for (let k = 0; k < r.length; k++) m.set(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}`, r.values[k]!);
    return m;
  };
  test("last", () => {
    const r = build("last");
    assert.deepEqual(asMap(r), new Map([["a|y", 2], ["a|x", 5], ["b|x", 1]]));
    assert.equal(r.report.duplicates, 3);
    assert.equal(r.report.ratings, 3);
    assert.equal(r.report.rows, 6);
  });
  test("mean", () => {
    const r = build("mean");
    assert.deepEqual(asMap(r), new Map([["a|y", 2], ["a|x", Math.fround(10 / 3)], ["b|x", 2]]));
    assert.equal(r.report.duplicates, 3);
  });
  test("error: E_DUPLICATE at the first repeat, naming the first line", () => {
    assert.throws(() => build("error"), (e: unknown) => e instanceof MfrecError && e.code === "E_DUPLICATE" && e.line === 4 && /line 1/.test(e.message));
  });
  test("timestamps follow the kept row", () => {
    const b = new RatingsBuilder();
    b.add("a", "x", 1, 1, 100);
    b.add("a", "y", 2, 2, 200);
    b.add("a", "x", 3, 3, 300);
    const r = b.finish();
    assert.deepEqual([...r.values], [2, 3]);
    assert.deepEqual([...r.timestamps!], [200, 300]);
  });
  test("growth past the initial capacity keeps every row", () => {
    const b = new RatingsBuilder();
    for (let k = 0; k < 5000; k++) b.add(k % 70, Math.floor(k / 70), (k % 5) + 1, k + 1);
    const r = b.finish();
    assert.equal(r.length, 5000);
    for (let k = 0; k < 5000; k++) assert.equal(r.values[k], (k % 5) + 1);
  });
});

describe("RatingsBuilder value checks and in-memory inputs", () => {
  test("codes for strings and numbers", () => {
    const b = new RatingsBuilder({ onInvalid: "skip", scale: [1, 5] });
    b.add("u", "i", "NaN", 1);
    b.add("u", "i", "Infinity", 2);
    b.add("u", "i", Number.NaN, 3);
    b.add("u", "i", Number.POSITIVE_INFINITY, 4);
    b.add("u", "i", 6, 5);
    b.add("u", " ", 3, 6);
    b.add("u", "i", "abc", 7);
    b.add("u", "i", " 3 ", 8);
    const r = b.finish();
    assert.deepEqual(r.report.skippedByReason, { E_NOT_NUMBER: 3, E_NOT_FINITE: 2, E_OUT_OF_SCALE: 1, E_EMPTY_ID: 1 });
    assert.deepEqual([...r.values], [3]);
    assert.deepEqual(r.report.examples.map((e) => e.line), [1, 2, 3, 4, 5]);
  });
  test("ratingsFromArray and ratingsFromColumns agree", () => {
    const a = ratingsFromArray([
      { user: 1, item: "x", rating: 4 },
      { user: "1", item: "y", value: 2 },
    ]);
    const c = ratingsFromColumns({ users: [1, 1], items: ["x", "y"], values: [4, 2] });
    assert.deepEqual([a.users, a.items, a.values], [c.users, c.items, c.values]);
    assert.deepEqual(a.userIndex.ids(), ["1"]);
  });
  test("ratingsFromArray: a row without rating -> E_MISSING_COLUMN with its row number", () => {
    assert.throws(() => ratingsFromArray([{ user: 1, item: 2, rating: 1 }, { user: 1, item: 3 }]), (e: unknown) => e instanceof MfrecError && e.code === "E_MISSING_COLUMN" && e.line === 2);
  });
  test("a reused index keeps train positions", () => {
    const users = IdIndex.from(["p", "q"]);
    const r = ratingsFromArray([{ user: "q", item: 1, rating: 1 }], { userIndex: users });
    assert.deepEqual([...r.users], [1]);
  });
});

test("explicitly undefined options keep the defaults (invalid rows stop, duplicates keep the last)", () => {
  assert.throws(() => ratingsFromArray([{ user: "a", item: "b", rating: Number.NaN }], { onInvalid: undefined }), (e: unknown) => isMfrecError(e, "E_NOT_NUMBER"));
  const r = ratingsFromArray(
    [
      { user: "a", item: "b", rating: 1 },
      { user: "a", item: "b", rating: 4 },
    ],
    { duplicates: undefined },
  );
  assert.equal(r.length, 1);
  assert.equal(r.values[0], 4);
});
