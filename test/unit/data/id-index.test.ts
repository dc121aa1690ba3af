import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IdIndex } from "../../../src/data/id-index.js";

describe("IdIndex", () => {
  test("dense indices in order of first appearance; numbers and strings are the same id", () => {
    const idx = new IdIndex();
    assert.equal(idx.add("b"), 0);
    assert.equal(idx.add(7), 1);
    assert.equal(idx.add("7"), 1);
    assert.equal(idx.addInt(7), 1);
    assert.equal(idx.add("b"), 0);
    assert.equal(idx.size, 2);
    assert.deepEqual(idx.ids(), ["b", "7"]);
  });
  test("string first, integer later (and the reverse) share one index", () => {
    const idx = new IdIndex();
    idx.add("42");
    assert.equal(idx.addInt(42), 0);
    assert.equal(idx.indexOf(42), 0);
    idx.addInt(9);
    assert.equal(idx.indexOf("9"), 1);
    assert.equal(idx.add("09"), 2, "leading zero is a different id");
  });
  test("unknown ids are -1, idAt out of range is E_CONFIG", () => {
    const idx = IdIndex.from(["a"]);
    assert.equal(idx.indexOf("z"), -1);
    assert.equal(idx.indexOf(5), -1);
    assert.equal(idx.has("a"), true);
    assert.throws(() => idx.idAt(1), { code: "E_CONFIG" });
  });
  test("huge and sparse integer ids fall back to the map and stay correct", () => {
    const idx = new IdIndex();
    const ids = [2 ** 31 + 5, 1e15, 40_000_000, 3, 2 ** 25 - 1, 0];
    ids.forEach((n, k) => {
      assert.equal(idx.addInt(n), k);
    });
    ids.forEach((n, k) => {
      assert.equal(idx.indexOf(n), k);
      assert.equal(idx.indexOf(String(n)), k);
      assert.equal(idx.idAt(k), String(n));
    });
  });
  test("non-integer numbers are ids by their string form", () => {
    const idx = new IdIndex();
    assert.equal(idx.add(1.5), 0);
    assert.equal(idx.indexOf("1.5"), 0);
    assert.equal(idx.add(-3), 1);
    assert.equal(idx.indexOf("-3"), 1);
  });
  test("clone grows independently", () => {
    const a = IdIndex.from([1, 2]);
    const b = a.clone();
    b.add(3);
    assert.equal(a.size, 2);
    assert.equal(b.size, 3);
    assert.equal(b.indexOf(2), 1);
  });
});

test("integer ids: number and canonical string are one id, in the table or the Map, in any order", () => {
  const idx = new IdIndex();
  const a = idx.add("1234567890123"); // too large for the table: the Map
  assert.equal(idx.add(1234567890123), a);
  assert.equal(idx.indexOf(1234567890123), a);
  const b = idx.add(7);
  assert.equal(idx.add("7"), b);
  assert.equal(idx.indexOf("7"), b);
  const c = idx.add("07"); // not canonical: a different id
  assert.notEqual(c, b);
  assert.equal(idx.indexOf("07"), c);
  assert.equal(idx.idAt(c), "07");
  assert.equal(idx.indexOf(8), -1);
  assert.equal(idx.indexOf("8"), -1);
  const ints = IdIndex.fromInts(new Int32Array([5, 3, 5, 9]));
  assert.deepEqual(ints.ids(), ["5", "3", "9"]);
  assert.equal(ints.indexOf("9"), 2);
});
