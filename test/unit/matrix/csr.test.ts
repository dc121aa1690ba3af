import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ratingsFromDense } from "../../../src/data/ratings.js";
import { buildCsr, nnz, rowEntries, sortRowIndices, transpose } from "../../../src/matrix/csr.js";

/** Dense reference: the obvious way, cell by cell. */
function dense(rows: number, cols: number, r: Int32Array, c: Int32Array, v: Float32Array): number[][] {
  const m = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let k = 0; k < r.length; k++) m[r[k]!]![c[k]!] = v[k]!;
  return m;
}
function csrToDense(m: ReturnType<typeof buildCsr>): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let r = 0; r < m.rows; r++) for (const [c, v] of rowEntries(m, r)) out[r]![c] = v;
  return out;
}

describe("buildCsr / transpose", () => {
  const seed = ratingsFromDense([
    [5, 3, 0, 2, 0],
    [4, 0, 0, 1, 5],
    [0, 1, 4, 5, 4],
  ]);
  test("seed example: CSR equals the dense matrix, transpose equals its transpose", () => {
    const m = buildCsr(seed.users, seed.items, seed.values, 3, 5);
    assert.deepEqual([...m.indptr], [0, 3, 6, 10]);
    assert.deepEqual(csrToDense(m), dense(3, 5, seed.users, seed.items, seed.values));
    const t = transpose(m);
    assert.equal(nnz(t), 10);
    assert.deepEqual(csrToDense(t), dense(5, 3, seed.items, seed.users, seed.values));
    assert.deepEqual([...t.indptr], [0, 2, 4, 5, 8, 10]);
  });
  test("unsorted input, empty rows and columns, a length prefix", () => {
    const r = Int32Array.of(3, 0, 3, 1, 9);
    const c = Int32Array.of(2, 4, 0, 4, 9);
    const v = Float32Array.of(1, 2, 3, 4, 99);
    const m = buildCsr(r, c, v, 5, 6, 4);
    assert.equal(nnz(m), 4);
    assert.deepEqual(csrToDense(m), dense(5, 6, r.subarray(0, 4), c.subarray(0, 4), v.subarray(0, 4)));
    assert.deepEqual(rowEntries(m, 3), [[2, 1], [0, 3]], "input order kept within a row");
    assert.deepEqual(rowEntries(sortRowIndices(m), 3), [[0, 3], [2, 1]]);
    assert.deepEqual(rowEntries(m, 2), []);
  });
  test("rows already in order: indices and values are views of the input (no copy), same CSR as the counting sort", () => {
    const r = Int32Array.of(0, 0, 2, 2, 2, 4, 7);
    const c = Int32Array.of(3, 1, 0, 4, 2, 1, 9);
    const v = Float32Array.of(1, 2, 3, 4, 5, 6, 99);
    const m = buildCsr(r, c, v, 5, 6, 6);
    assert.equal(m.indices.buffer, c.buffer, "indices share the column array");
    assert.equal(m.values.buffer, v.buffer, "values share the value array");
    assert.equal(m.indices.length, 6);
    assert.deepEqual([...m.indptr], [0, 2, 2, 5, 5, 6]);
    assert.deepEqual([...m.indices], [3, 1, 0, 4, 2, 1]);
    assert.deepEqual(csrToDense(m), dense(5, 6, r.subarray(0, 6), c.subarray(0, 6), v.subarray(0, 6)));
    // one row out of order anywhere: copied, and the same layout a sorted copy of the input gives
    const u = buildCsr(Int32Array.of(0, 2, 0), Int32Array.of(3, 0, 1), Float32Array.of(1, 3, 2), 3, 5);
    assert.notEqual(u.indices.buffer, c.buffer);
    assert.deepEqual([...u.indptr], [0, 2, 2, 3]);
    assert.deepEqual([...u.indices], [3, 1, 0]);
    assert.deepEqual([...u.values], [1, 2, 3]);
  });
});
