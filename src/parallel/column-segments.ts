/**
 * The layout of cgShardRange (assembly/cg.ts): a row × column matrix solved by rows, its rows cut into
 * shards, and inside each shard the entries grouped by column, columns ascending. A pass over one shard then
 * streams the columns' factors in memory order and touches only the shard's own rows at random, which stay
 * in cache; every row still meets its entries in ascending column order, as it would in the row-major CSR
 * (the transpose), so the sums, and the results, are those of the row-by-row kernel.
 */
import { type ArrayAllocator, valueTable } from "./sgd-blocks.js";
import { balancedRowShards } from "./pool.js";

/**
 * Per-entry values of a kernel layout as one byte code each: `codes[p]` indexes `values` (the distinct f32 values,
 * first-seen order, compared by bit pattern, at most 256), so `values[codes[p]]` is the entry's value exactly. The
 * kernels read an entry as table[codes[p]] with a table derived from `values` (assembly/vector.ts entryAt): the same
 * f32 as from a per-entry f32 array, so the same bytes, at 1 B an entry instead of 4.
 */
export interface ByteCodes {
  codes: Uint8Array;
  values: Float32Array;
}

/**
 * Whether the WASM ALS trainers (als CG, ials/wals CG) keep per-entry values as byte codes when at most 256 distinct
 * values allow it (default true). Tests set it false to compare with the per-entry f32 layout it replaced.
 */
export const entryCoding = { bytes: true };

/** The distinct values of `values[0 … length)` when byte codes apply (at most 256 and {@link entryCoding} on), else undefined. */
export function codeTableOf(values: Float32Array, length: number): ReturnType<typeof valueTable> {
  return entryCoding.bytes ? valueTable(values, length, 256) : undefined;
}

/** `values[0 … length)` as byte codes into `vt` (from {@link codeTableOf} on the same values), the codes from `alloc`. */
export function byteCodesOf(alloc: ArrayAllocator, values: Float32Array, length: number, vt: NonNullable<ReturnType<typeof valueTable>>): ByteCodes {
  const bits = new Int32Array(values.buffer, values.byteOffset, length);
  const codes = alloc.u8(length);
  for (let p = 0; p < length; p++) codes[p] = vt.indexOf(bits[p]!);
  return { codes, values: vt.table };
}

/** Entries of the rows regrouped by (row shard, column). */
export interface ColumnSegments {
  /** The rows' CSR row pointer (counts: n_r = indptr[r + 1] − indptr[r]); rows own no column list here. */
  indptr: Int32Array;
  /** Row shards [start, end) pairs, balanced by entries: fixed by the data, never by the thread count. */
  shards: Int32Array;
  /** Entries of shard s and column c: segPtr[s·cols + c] … segPtr[s·cols + c + 1] (length shards·cols + 1). */
  segPtr: Int32Array;
  /** The row of each entry. */
  entries: Int32Array;
  /** Per entry: f32, or byte codes when the given `extra` was (the caller keeps their table). */
  extra: Float32Array | Uint8Array;
  target: Float32Array | null;
}

/**
 * Row shards for a side of `rows` rows of k factors: enough that a shard's CG vectors (two of k floats a row
 * touched at random per pass) take about 1 MiB, 8 to 32 shards: fixed by the data, never by the thread count.
 */
export function segmentShardCount(rows: number, k: number): number {
  return Math.max(1, Math.min(rows, Math.max(8, Math.min(32, Math.ceil((rows * k * 8) / (1 << 20))))));
}

/**
 * Regroup the entries of a column-major CSR (`indptr`/`indices` over columns, e.g. user × item when the items
 * are solved) whose rows have the row pointer `rowPtr`, into `count` row shards balanced by entries;
 * `extra` and `target` (per entry, in the CSR's order) move with their entries; `extra` may be byte codes
 * ({@link ByteCodes}), moved the same way. Memory from `alloc`.
 */
export function columnSegments(
  alloc: ArrayAllocator,
  indptr: Int32Array,
  indices: Int32Array,
  extra: Float32Array | Uint8Array,
  target: Float32Array | null,
  rowPtr: Int32Array,
  count: number,
): ColumnSegments {
  const cols = indptr.length - 1;
  const rows = rowPtr.length - 1;
  const n = indptr[cols]!;
  const shards = balancedRowShards(rowPtr, rows, count);
  const S = shards.length >> 1;
  const shardOf = new Int32Array(rows);
  for (let s = 0; s < S; s++) shardOf.fill(s, shards[2 * s]!, shards[2 * s + 1]!);
  const segPtr = alloc.i32(S * cols + 1);
  for (let c = 0; c < cols; c++) for (let p = indptr[c]!; p < indptr[c + 1]!; p++) segPtr[shardOf[indices[p]!]! * cols + c + 1]!++;
  for (let t = 0; t < S * cols; t++) segPtr[t + 1]! += segPtr[t]!;
  const next = segPtr.slice(0, S * cols);
  const entries = alloc.i32(n);
  const ex = extra instanceof Uint8Array ? alloc.u8(n) : alloc.f32(n);
  const tg = target ? alloc.f32(n) : null;
  for (let c = 0; c < cols; c++) {
    for (let p = indptr[c]!; p < indptr[c + 1]!; p++) {
      const q = next[shardOf[indices[p]!]! * cols + c]!++;
      entries[q] = indices[p]!;
      ex[q] = extra[p]!;
      if (tg) tg[q] = target![p]!;
    }
  }
  return { indptr: rowPtr, shards, segPtr, entries, extra: ex, target: tg };
}
