import { type ErrorCode, MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { IdIndex } from "./id-index.js";

/** What to do when the same (user, item) pair occurs more than once. */
export type DuplicatePolicy = "last" | "mean" | "error";

/** What to do with an invalid row: stop with an error (default) or skip it and count it. */
export type InvalidPolicy = "error" | "skip";

/** One skipped row, as shown in a report. */
export interface SkippedRow {
  line: number;
  code: ErrorCode;
  message: string;
}

/** What ingest did: rows read, ratings kept, rows skipped per reason with the first few, duplicates merged. */
export interface ParseReport {
  file?: string;
  format?: string;
  /** Data rows seen (header excluded). */
  rows: number;
  /** Ratings kept after duplicates were resolved. */
  ratings: number;
  skipped: number;
  skippedByReason: Partial<Record<ErrorCode, number>>;
  /** The first few skipped rows (at most {@link MAX_EXAMPLES}). */
  examples: SkippedRow[];
  /** Number of ratings that were duplicates of an earlier (user, item) pair and were merged. */
  duplicates: number;
  duplicatePolicy: DuplicatePolicy;
  /** How a text input was read (text parsers only). */
  layout?: InputLayout;
}

/** The layout a text parser detected or was told: delimiter, header, and the column used for each role. */
export interface InputLayout {
  delimiter: string;
  header: boolean;
  /** Fields per line in the first data line (or header). */
  fields: number;
  /** 0-based field positions; rating absent = implicit (value 1). */
  columns: { user: number; item: number; rating?: number; timestamp?: number };
  /** Header names, when there was a header. */
  names?: string[];
}

export const MAX_EXAMPLES = 5;

/** A plain decimal number as text: what a rating or timestamp cell may hold. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(inf|infinity)$/i;

/**
 * Columnar ratings over dense indices: rating k is (users[k], items[k]) → values[k].
 * Raw ids live in `userIndex` / `itemIndex`. Each (user, item) pair occurs at most once.
 */
export interface Ratings {
  readonly length: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly values: Float32Array;
  /** Seconds (or any monotone unit) when the input had a timestamp column. */
  readonly timestamps?: Float64Array;
  readonly userIndex: IdIndex;
  readonly itemIndex: IdIndex;
  readonly report: ParseReport;
}

/** Options shared by every way of building Ratings. */
export interface RatingsOptions {
  duplicates?: DuplicatePolicy;
  /** Inclusive rating scale; values outside are invalid. Default: no bound check, only finiteness. */
  scale?: [number, number];
  onInvalid?: InvalidPolicy;
  /** Name shown in errors and reports. */
  source?: string;
  /** Reuse existing id indexes (e.g. a test set indexed like its training set). Unknown ids are still added. */
  userIndex?: IdIndex;
  itemIndex?: IdIndex;
}

/**
 * Accumulates ratings into growable typed arrays, validating each value, then resolves duplicates.
 * Parsers feed it row by row; it never holds text.
 */
export class RatingsBuilder {
  readonly userIndex: IdIndex;
  readonly itemIndex: IdIndex;
  private users = new Int32Array(1024);
  private items = new Int32Array(1024);
  private values = new Float32Array(1024);
  private lines = new Int32Array(1024);
  private times: Float64Array | undefined;
  private n = 0;
  private rowsSeen = 0;
  private readonly report: ParseReport;
  private readonly opts: Required<Pick<RatingsOptions, "duplicates" | "onInvalid">> & RatingsOptions;

  constructor(opts: RatingsOptions = {}) {
    // Explicit undefined (e.g. an unset CLI flag) must not override the defaults.
    this.opts = { ...opts, duplicates: opts.duplicates ?? "last", onInvalid: opts.onInvalid ?? "error" };
    this.userIndex = opts.userIndex ?? new IdIndex();
    this.itemIndex = opts.itemIndex ?? new IdIndex();
    this.report = {
      file: opts.source,
      rows: 0,
      ratings: 0,
      skipped: 0,
      skippedByReason: {},
      examples: [],
      duplicates: 0,
      duplicatePolicy: this.opts.duplicates,
    };
  }

  /** Number of ratings accepted so far (before duplicate resolution). */
  get count(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.users.length * 2;
    const g = <T extends Int32Array | Float32Array | Float64Array>(a: T, ctor: new (n: number) => T): T => {
      const b = new ctor(cap);
      b.set(a);
      return b;
    };
    this.users = g(this.users, Int32Array);
    this.items = g(this.items, Int32Array);
    this.values = g(this.values, Float32Array);
    this.lines = g(this.lines, Int32Array);
    if (this.times) this.times = g(this.times, Float64Array);
  }

  /**
   * Record an invalid row: throw under "error", count it under "skip".
   * Parsers call this for problems they detect themselves (missing columns, bad quotes).
   */
  invalid(code: ErrorCode, message: string, line: number, details: { value?: unknown; expected?: string; column?: string | number } = {}): void {
    this.rowsSeen++;
    if (this.opts.onInvalid === "error") {
      throw new MfrecError(code, message, { file: this.opts.source, line, ...details });
    }
    this.report.skipped++;
    this.report.skippedByReason[code] = (this.report.skippedByReason[code] ?? 0) + 1;
    if (this.report.examples.length < MAX_EXAMPLES) {
      const e = new MfrecError(code, message, { line, ...details });
      this.report.examples.push({ line, code, message: e.message });
    }
  }

  /**
   * Check one rating value: a finite number ("NaN"/"abc"/"" -> E_NOT_NUMBER, "Infinity"/1e999 ->
   * E_NOT_FINITE) inside the scale (E_OUT_OF_SCALE). Returns the number, or undefined when the row was
   * skipped. Strings must be plain decimals (`[+-]digits[.digits][e±digits]`); hex and "1_0" are not ratings.
   */
  checkValue(value: number | string, line: number, column: string | number = "rating"): number | undefined {
    let v: number;
    if (typeof value === "number") v = value;
    else {
      const s = value.trim();
      if (DECIMAL.test(s)) v = Number(s);
      else if (INFINITY.test(s)) v = s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      else {
        this.invalid("E_NOT_NUMBER", `${column} is not a number`, line, { value, column, expected: "a finite number" });
        return undefined;
      }
    }
    if (!Number.isFinite(v)) {
      const code = Number.isNaN(v) ? "E_NOT_NUMBER" : "E_NOT_FINITE";
      this.invalid(code, `${column} is not a finite number`, line, { value, column, expected: "a finite number" });
      return undefined;
    }
    const scale = this.opts.scale;
    if (scale && column === "rating" && (v < scale[0] || v > scale[1])) {
      this.invalid("E_OUT_OF_SCALE", "rating is outside the rating scale", line, { value: v, column, expected: `a rating in [${scale[0]}, ${scale[1]}]` });
      return undefined;
    }
    return v;
  }

  /**
   * Add one rating. `value` may be a string (parsed strictly) or a number; `line` is the
   * 1-based source line for messages (or the row number for in-memory input).
   * Returns false when the row was skipped.
   */
  add(user: RawId, item: RawId, value: number | string, line: number, timestamp?: number): boolean {
    const uKey = typeof user === "string" ? user.trim() : user;
    const iKey = typeof item === "string" ? item.trim() : item;
    if (uKey === "" || iKey === "") {
      this.invalid("E_EMPTY_ID", `empty ${uKey === "" ? "user" : "item"} id`, line, { value: uKey === "" ? user : item, expected: "a non-empty id" });
      return false;
    }
    const v = this.checkValue(value, line);
    if (v === undefined) return false;
    if (timestamp !== undefined && !Number.isFinite(timestamp)) {
      this.invalid("E_NOT_FINITE", "timestamp is not a finite number", line, { value: timestamp, column: "timestamp", expected: "a finite number" });
      return false;
    }
    this.push(this.userIndex.add(uKey), this.itemIndex.add(iKey), v, line, timestamp);
    return true;
  }

  /**
   * Add one rating whose ids the caller already resolved to dense indices of `userIndex`/`itemIndex`
   * and whose value it already checked (see {@link checkValue}); the fast path of the text parsers.
   */
  addIndexed(u: number, i: number, v: number, line: number, timestamp?: number): void {
    this.push(u, i, v, line, timestamp);
  }

  private push(u: number, i: number, v: number, line: number, timestamp: number | undefined): void {
    if (this.n === this.users.length) this.grow();
    const k = this.n++;
    this.rowsSeen++;
    this.users[k] = u;
    this.items[k] = i;
    this.values[k] = v;
    this.lines[k] = line;
    if (timestamp !== undefined) {
      if (!this.times) this.times = new Float64Array(this.users.length);
      this.times[k] = timestamp;
    }
  }

  /** Resolve duplicates and return the Ratings. Throws E_EMPTY_INPUT when nothing was kept (unless allowEmpty). */
  finish(opts: { format?: string; allowEmpty?: boolean; layout?: InputLayout } = {}): Ratings {
    const report = this.report;
    report.rows = this.rowsSeen;
    report.format = opts.format;
    if (opts.layout) report.layout = opts.layout;
    if (this.n === 0 && !opts.allowEmpty) {
      const why = report.skipped > 0 ? `all ${report.skipped} rows were skipped as invalid` : "no data rows were found";
      throw new MfrecError("E_EMPTY_INPUT", `the input holds no ratings: ${why}`, { file: this.opts.source, expected: "at least one rating" });
    }
    const n = this.n;
    const keep = this.resolveDuplicates(n);
    let users: Int32Array;
    let items: Int32Array;
    let values: Float32Array;
    let times: Float64Array | undefined;
    if (keep === n) {
      // No duplicates: one memcpy per column instead of a per-entry copy.
      users = this.users.slice(0, n);
      items = this.items.slice(0, n);
      values = this.values.slice(0, n);
      times = this.times?.slice(0, n);
    } else {
      users = new Int32Array(keep);
      items = new Int32Array(keep);
      values = new Float32Array(keep);
      times = this.times ? new Float64Array(keep) : undefined;
    }
    let w = keep === n ? n : 0;
    for (let k = w; k < n; k++) {
      if (this.lines[k] === -1) continue; // merged into a later duplicate
      users[w] = this.users[k]!;
      items[w] = this.items[k]!;
      values[w] = this.values[k]!;
      if (times) times[w] = this.times![k]!;
      w++;
    }
    report.ratings = keep;
    // Release the growable buffers: the builder is single-use.
    this.users = new Int32Array(0);
    this.items = new Int32Array(0);
    this.values = new Float32Array(0);
    this.lines = new Int32Array(0);
    this.times = undefined;
    this.n = 0;
    return { length: keep, users, items, values, timestamps: times, userIndex: this.userIndex, itemIndex: this.itemIndex, report };
  }

  /**
   * Mark duplicates (lines[k] = -1 for dropped entries) per the policy in O(nnz):
   * group by user with a counting sort, then detect repeated items with a stamp array.
   * "last": the later row wins (and keeps its position); "mean": the later row's value becomes the mean.
   */
  private resolveDuplicates(n: number): number {
    const nu = this.userIndex.size;
    const ni = this.itemIndex.size;
    const start = new Int32Array(nu + 1);
    for (let k = 0; k < n; k++) start[this.users[k]! + 1]!++;
    for (let u = 0; u < nu; u++) start[u + 1]! += start[u]!;
    const next = start.slice(0, nu);
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[next[this.users[k]!]!++] = k;
    const lastPos = new Int32Array(ni).fill(-1); // position k of the current user's latest entry for item
    const stamp = new Int32Array(ni).fill(-1);
    const counts = this.opts.duplicates === "mean" ? new Map<number, number>() : undefined;
    let dups = 0;
    for (let u = 0; u < nu; u++) {
      for (let p = start[u]!; p < start[u + 1]!; p++) {
        const k = order[p]!;
        const i = this.items[k]!;
        if (stamp[i] === u) {
          const prev = lastPos[i]!;
          if (this.opts.duplicates === "error") {
            throw new MfrecError("E_DUPLICATE", `duplicate rating for user ${JSON.stringify(this.userIndex.idAt(u))} and item ${JSON.stringify(this.itemIndex.idAt(i))} (first at line ${this.lines[prev]})`, {
              file: this.opts.source,
              line: this.lines[k],
              expected: 'each (user, item) pair once, or duplicates: "last" | "mean"',
            });
          }
          if (counts) {
            const c = counts.get(prev) ?? 1;
            this.values[k] = (this.values[prev]! * c + this.values[k]!) / (c + 1);
            counts.delete(prev);
            counts.set(k, c + 1);
          }
          this.lines[prev] = -1;
          dups++;
        }
        stamp[i] = u;
        lastPos[i] = k;
      }
    }
    this.report.duplicates = dups;
    return n - dups;
  }
}

/** Ratings from an array of {user, item, rating} objects. */
export function ratingsFromArray(
  rows: ReadonlyArray<{ user: RawId; item: RawId; rating?: number; value?: number; timestamp?: number }>,
  opts: RatingsOptions = {},
): Ratings {
  const b = new RatingsBuilder({ source: "array", ...opts });
  rows.forEach((r, k) => {
    const v = r.rating ?? r.value;
    if (v === undefined) {
      b.invalid("E_MISSING_COLUMN", "row has no rating", k + 1, { value: r, expected: "a rating (or value) field" });
      return;
    }
    b.add(r.user, r.item, v, k + 1, r.timestamp);
  });
  return b.finish({ format: "array" });
}

/**
 * Ratings from a dense matrix exactly as in the seed: rows = users, columns = items,
 * 0, null, undefined or NaN = not rated. Names default to "User 1".."User n" / "Item 1"...
 */
export function ratingsFromDense(
  matrix: ReadonlyArray<ReadonlyArray<number | null | undefined>>,
  opts: RatingsOptions & { users?: readonly RawId[]; items?: readonly RawId[] } = {},
): Ratings {
  const nItems = matrix.reduce((m, r) => Math.max(m, r.length), 0);
  const users = opts.users ?? matrix.map((_, i) => `User ${i + 1}`);
  const items = opts.items ?? Array.from({ length: nItems }, (_, j) => `Item ${j + 1}`);
  if (users.length !== matrix.length) {
    throw new MfrecError("E_SHAPE", "user names do not match the matrix rows", { value: users.length, expected: `${matrix.length} names` });
  }
  for (let r = 0; r < matrix.length; r++) {
    if (matrix[r]!.length !== items.length) {
      throw new MfrecError("E_SHAPE", `matrix row ${r + 1} has ${matrix[r]!.length} cells`, { line: r + 1, value: matrix[r]!.length, expected: `${items.length} cells (one per item)` });
    }
  }
  // Every named user and item gets an index, even one with no ratings (a column of blanks is still an item).
  const userIndex = opts.userIndex ?? IdIndex.from(users);
  const itemIndex = opts.itemIndex ?? IdIndex.from(items);
  const b = new RatingsBuilder({ source: "dense matrix", ...opts, userIndex, itemIndex });
  for (let r = 0; r < matrix.length; r++) {
    const row = matrix[r]!;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v === null || v === undefined || v === 0 || Number.isNaN(v)) continue;
      b.add(users[r]!, items[c]!, v, r + 1);
    }
  }
  return b.finish({ format: "dense" });
}

/**
 * Ratings from columnar arrays of raw ids and values (e.g. from another library).
 * `users[k]`, `items[k]`, `values[k]` describe rating k.
 */
export function ratingsFromColumns(
  columns: { users: ArrayLike<RawId>; items: ArrayLike<RawId>; values?: ArrayLike<number>; timestamps?: ArrayLike<number> },
  opts: RatingsOptions = {},
): Ratings {
  const { users, items, values, timestamps } = columns;
  if (users.length !== items.length || (values && values.length !== users.length)) {
    throw new MfrecError("E_SHAPE", "columns have different lengths", { value: [users.length, items.length, values?.length], expected: "equal lengths" });
  }
  const b = new RatingsBuilder({ source: "columns", ...opts });
  for (let k = 0; k < users.length; k++) b.add(users[k]!, items[k]!, values ? values[k]! : 1, k + 1, timestamps?.[k]);
  return b.finish({ format: "columns" });
}
