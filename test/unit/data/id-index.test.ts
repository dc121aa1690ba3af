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
