/**
 * Compressed sparse rows over dense indices: row r's entries are
 * indices[indptr[r] .. indptr[r+1]) with values at the same positions.
 * Built in O(nnz + rows) by counting sort; the transpose is the same operation.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/**
 * Build a CSR from coordinate triples by a stable counting sort on the row index.
 * Within a row, entries keep input order (use {@link sortRowIndices} for column order).
 * When the row indices already come in non-decreasing order (files sorted by user, as MovieLens ships
 * them), that sort is the identity: `indices` and `values` are then views of `colIdx` and `values`
 * (the same bytes, 8 bytes a rating not copied), and only the row pointer is new.
 */
export function buildCsr(
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values: Float32Array,
  rows: number,
  cols: number,
  length = rowIdx.length,
): CsrMatrix {
  const indptr = new Int32Array(rows + 1);
  let sorted = true;
  for (let k = 0; k < length; k++) {
    indptr[rowIdx[k]! + 1]!++;
    if (k > 0 && rowIdx[k]! < rowIdx[k - 1]!) sorted = false;
  }
  for (let r = 0; r < rows; r++) indptr[r + 1]! += indptr[r]!;
  if (sorted) return { rows, cols, indptr, indices: colIdx.subarray(0, length), values: values.subarray(0, length) };
  const next = indptr.slice(0, rows);
  const indices = new Int32Array(length);
  const vals = new Float32Array(length);
  for (let k = 0; k < length; k++) {
    const p = next[rowIdx[k]!]!++;
    indices[p] = colIdx[k]!;
    vals[p] = values[k]!;
  }
  return { rows, cols, indptr, indices, values: vals };
}

/** The transpose (CSC viewed as CSR), O(nnz). Rows of the result are in increasing column order of the input. */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indptr[m.rows]!;
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const p = next[m.indices[k]!]!++;
      indices[p] = r;
      values[p] = m.values[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Sort each row's entries by column index (two transposes: O(nnz), stable). */
export function sortRowIndices(m: CsrMatrix): CsrMatrix {
  return transpose(transpose(m));
}

/** Number of stored entries. */
export function nnz(m: CsrMatrix): number {
  return m.indptr[m.rows]!;
}

/** Entries of row r as [column, value] pairs (for tests and small queries, not hot loops). */
export function rowEntries(m: CsrMatrix, r: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) out.push([m.indices[k]!, m.values[k]!]);
  return out;
}
