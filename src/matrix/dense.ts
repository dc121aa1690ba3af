/** Row-major dense Float32 matrix: element (r, c) is data[r * cols + c]. Factor matrices use this. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A zero matrix. */
export function zeros(rows: number, cols: number): DenseMatrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

/** Build from nested arrays (rows of equal length). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): DenseMatrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0]!.length;
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = rows[i]!;
    if (row.length !== c) throw new RangeError(`row ${i} has ${row.length} values, expected ${c}`);
    for (let j = 0; j < c; j++) data[i * c + j] = row[j]!;
  }
  return { rows: r, cols: c, data };
}

/** Row r as a subarray view (no copy). */
export function row(m: DenseMatrix, r: number): Float32Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}

/** Nested arrays (for JSON and small displays). */
export function toRows(m: DenseMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(row(m, i)));
  return out;
}
