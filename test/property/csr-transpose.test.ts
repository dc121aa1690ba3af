import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildCsr, type CsrMatrix, sortRowIndices, transpose } from "../../src/matrix/csr.js";

const cooArb = fc
  .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 12 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      // Unique coordinates, in random order.
      cells: fc.uniqueArray(fc.tuple(fc.nat({ max: rows - 1 }), fc.nat({ max: cols - 1 }), fc.integer({ min: -50, max: 50 })), { selector: ([r, c]) => `${r},${c}`, maxLength: rows * cols }),
    }),
  );

function build(g: { rows: number; cols: number; cells: Array<[number, number, number]> }): CsrMatrix {
  return buildCsr(Int32Array.from(g.cells, (x) => x[0]), Int32Array.from(g.cells, (x) => x[1]), Float32Array.from(g.cells, (x) => x[2]), g.rows, g.cols);
}

function toDense(m: CsrMatrix): number[][] {
  const d = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(Number.NaN));
  for (let r = 0; r < m.rows; r++) for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) d[r]![m.indices[k]!] = m.values[k]!;
  return d;
}

test("buildCsr equals a brute-force dense reference; transpose equals the dense transpose", () => {
  fc.assert(
    fc.property(cooArb, (g) => {
      const ref = Array.from({ length: g.rows }, () => new Array<number>(g.cols).fill(Number.NaN));
      for (const [r, c, v] of g.cells) ref[r]![c] = v;
      const m = build(g);
      assert.equal(m.indptr[m.rows], g.cells.length);
      assert.deepEqual(toDense(m), ref);
      const refT = Array.from({ length: g.cols }, (_, c) => ref.map((row) => row[c]!));
      const t = transpose(m);
      assert.deepEqual([t.rows, t.cols], [g.cols, g.rows]);
      assert.deepEqual(toDense(t), refT);
      for (let r = 0; r < t.rows; r++) for (let k = t.indptr[r]! + 1; k < t.indptr[r + 1]!; k++) assert.ok(t.indices[k - 1]! < t.indices[k]!, "transpose rows are column-sorted");
    }),
    { numRuns: 300, seed: 5 },
  );
});

test("transpose(transpose(m)) equals m with row-sorted indices", () => {
  fc.assert(
    fc.property(cooArb, (g) => {
      const m = build(g);
      const back = transpose(transpose(m));
      const sorted = sortRowIndices(m);
      assert.deepEqual(back, sorted);
      assert.deepEqual(toDense(back), toDense(m));
      assert.deepEqual(back.indptr, m.indptr);
    }),
    { numRuns: 300, seed: 6 },
  );
});

test("buildCsr of the same cells sorted by row (the view path) equals buildCsr of them in random order (the copy path)", () => {
  fc.assert(
    fc.property(cooArb, (g) => {
      const m = build(g);
      // a stable sort by row keeps each row's input order, as the counting sort does
      const sorted = { ...g, cells: [...g.cells].sort((a, b) => a[0] - b[0]) };
      const s = build(sorted);
      assert.deepEqual([...s.indptr], [...m.indptr]);
      assert.deepEqual([...s.indices], [...m.indices]);
      assert.deepEqual([...s.values], [...m.values]);
    }),
    { numRuns: 300, seed: 11 },
  );
});
