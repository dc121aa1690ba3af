import { type ErrorCode, MAX_ID_LENGTH, MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { IdIndex } from "./id-index.js";
import { type DuplicatePolicy, markDuplicates } from "./resolve-duplicates.js";

export type { DuplicatePolicy } from "./resolve-duplicates.js";

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
  /**
   * Rows with more fields than the first line (header or first data row) had: read, the extra fields
   * ignored. Present only when there were some (text parsers only).
   */
  extraFields?: { rows: number; firstLine: number; fields: number; expected: number };
  /** Ratings below 0 when no scale was given (the model's scale then starts there). Present only when there were some. */
  negativeRatings?: { count: number; min: number };
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
  /**
   * Capacity hint: about how many ratings the input holds. The builder allocates that many rows up
   * front and grows by 1.25x beyond it (instead of doubling from 1024), so a good hint means one
   * allocation and no copy; `readRatingsFile` estimates it from the file size when not given.
   * Affects memory and speed only, never the result. A non-negative integer.
   */
  expectedRows?: number;
}

/** Capacity of a builder without a hint. */
const INITIAL_CAPACITY = 1024;
/** Without a hint, capacity doubles up to this many rows, then grows by 1.5x (less slack on large inputs). */
const DOUBLING_LIMIT = 1 << 20;
/**
 * finish() returns views of the builder's columns when at most 1/4 of their capacity is unused, else
 * copies. The unused tail was never written, so it holds address space, not resident memory.
 */
const MAX_VIEW_SLACK = 1 / 4;

/**
 * Accumulates ratings into growable typed arrays, validating each value, then resolves duplicates.
 * Parsers feed it row by row; it never holds text.
 */
export class RatingsBuilder {
  readonly userIndex: IdIndex;
  readonly itemIndex: IdIndex;
  private users: Int32Array;
  private items: Int32Array;
  private values: Float32Array;
  /** Source line per entry; only materialized once lines stop being line0 + k (a skipped or blank line). */
  private lines: Int32Array | undefined;
  private line0 = 0;
  private times: Float64Array | undefined;
  private n = 0;
  private hinted = false;
  private rowsSeen = 0;
  private readonly report: ParseReport;
  private readonly opts: Required<Pick<RatingsOptions, "duplicates" | "onInvalid">> & RatingsOptions;

  constructor(opts: RatingsOptions = {}) {
    // Explicit undefined (e.g. an unset CLI flag) must not override the defaults.
    this.opts = { ...opts, duplicates: opts.duplicates ?? "last", onInvalid: opts.onInvalid ?? "error" };
    this.userIndex = opts.userIndex ?? new IdIndex();
    this.itemIndex = opts.itemIndex ?? new IdIndex();
    const hint = opts.expectedRows;
    if (hint !== undefined && !(Number.isSafeInteger(hint) && hint >= 0)) {
      throw new MfrecError("E_CONFIG", "expectedRows must be a non-negative integer", { value: hint, expected: "an integer >= 0 (a capacity hint)" });
    }
    this.users = new Int32Array(INITIAL_CAPACITY);
    this.items = new Int32Array(INITIAL_CAPACITY);
    this.values = new Float32Array(INITIAL_CAPACITY);
    if (hint !== undefined) this.reserve(hint);
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

  /** A row read with more fields than the first line had (the parsers call this; the row itself is kept). */
  extraFields(line: number, fields: number, expected: number): void {
    const x = this.report.extraFields;
    if (x) x.rows++;
    else this.report.extraFields = { rows: 1, firstLine: line, fields, expected };
  }

  /** Number of ratings accepted so far (before duplicate resolution). */
  get count(): number {
    return this.n;
  }

  /** Rows the columns hold before the next grow. */
  get capacity(): number {
    return this.users.length;
  }

  /**
   * Capacity hint: make room for `rows` ratings in all now (one allocation instead of repeated
   * growth) and grow by 1.25x beyond it from then on. Never shrinks; never changes the result. When
   * the memory cannot be had, the hint is ignored and growth continues as without it.
   */
  reserve(rows: number): void {
    this.hinted = true;
    if (!(rows > this.users.length)) return;
    try {
      this.grow(Math.ceil(rows));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }

  /** Move the columns into arrays of `cap` rows; allocates all before replacing any, so a RangeError leaves the builder intact. */
  private grow(cap: number): void {
    const n = this.n;
    const users = new Int32Array(cap);
    const items = new Int32Array(cap);
    const values = new Float32Array(cap);
    const lines = this.lines ? new Int32Array(cap) : undefined;
    const times = this.times ? new Float64Array(cap) : undefined;
    users.set(this.users.subarray(0, n));
    items.set(this.items.subarray(0, n));
    values.set(this.values.subarray(0, n));
    if (lines) lines.set(this.lines!.subarray(0, n));
    if (times) times.set(this.times!.subarray(0, n));
    this.users = users;
    this.items = items;
    this.values = values;
    this.lines = lines;
    this.times = times;
  }

  /** Next capacity when full: 1.25x past a hint; else 2x up to DOUBLING_LIMIT rows, then 1.5x. */
  private nextCapacity(): number {
    const cap = this.users.length;
    if (this.hinted) return Math.max(cap + INITIAL_CAPACITY, Math.ceil(cap * 1.25));
    return cap < DOUBLING_LIMIT ? Math.max(cap * 2, INITIAL_CAPACITY) : Math.ceil(cap * 1.5);
  }

  /** Store lines explicitly from entry k on, the first whose line is not line0 + k. */
  private materializeLines(k: number, line: number): void {
    const lines = new Int32Array(this.users.length);
    for (let j = 0; j < k; j++) lines[j] = this.line0 + j;
    lines[k] = line;
    this.lines = lines;
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
    if (!this.idLengthOk(uKey, "user", line) || !this.idLengthOk(iKey, "item", line)) return false;
    const v = this.checkValue(value, line);
    if (v === undefined) return false;
    if (timestamp !== undefined && !Number.isFinite(timestamp)) {
      this.invalid("E_NOT_FINITE", "timestamp is not a finite number", line, { value: timestamp, column: "timestamp", expected: "a finite number" });
      return false;
    }
    this.push(this.userIndex.add(uKey), this.itemIndex.add(iKey), v, line, timestamp);
    return true;
  }

  /** False (after recording E_ID_TOO_LONG) when a string id is longer than MAX_ID_LENGTH. */
  idLengthOk(id: RawId, column: "user" | "item", line: number): boolean {
    if (typeof id !== "string" || id.length <= MAX_ID_LENGTH) return true;
    this.invalid("E_ID_TOO_LONG", `${column} id has ${id.length.toLocaleString("en-US")} characters`, line, { column, value: `${id.slice(0, 40)}…`, expected: `an id of at most ${MAX_ID_LENGTH} characters (is the delimiter or the column right?)` });
    return false;
  }

  /**
   * Add one rating whose ids the caller already resolved to dense indices of `userIndex`/`itemIndex`
   * and whose value it already checked (see {@link checkValue}); the fast path of the text parsers.
   */
  addIndexed(u: number, i: number, v: number, line: number, timestamp?: number): void {
    this.push(u, i, v, line, timestamp);
  }

  private push(u: number, i: number, v: number, line: number, timestamp: number | undefined): void {
    if (this.n === this.users.length) this.grow(this.nextCapacity());
    const k = this.n++;
    this.rowsSeen++;
    this.users[k] = u;
    this.items[k] = i;
    this.values[k] = v;
    if (this.lines) this.lines[k] = line;
    else if (line !== this.line0 + k) {
      if (k === 0) this.line0 = line;
      else this.materializeLines(k, line);
    }
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
    if (!this.opts.scale) {
      // Negative ratings are legal (Jester's -10..10), but more often a sign of a wrong column or a
      // missing --scale: count them so the reader can say so.
      const vals = this.values;
      let count = 0;
      let min = 0;
      for (let k = 0; k < n; k++) {
        const v = vals[k]!;
        if (v < 0) {
          count++;
          if (v < min) min = v;
        }
      }
      if (count > 0) report.negativeRatings = { count, min };
    }
    const lines = this.lines;
    const line0 = this.line0;
    const marks = markDuplicates({
      n,
      users: this.users,
      items: this.items,
      values: this.values,
      lineAt: lines ? (k) => lines[k]! : (k) => line0 + k,
      userIndex: this.userIndex,
      itemIndex: this.itemIndex,
      policy: this.opts.duplicates,
      source: this.opts.source,
    });
    // Line numbers are only needed for E_DUPLICATE: release them before anything else is allocated.
    this.lines = undefined;
    const keep = n - marks.count;
    report.duplicates = marks.count;
    report.ratings = keep;
    const dropped = marks.dropped;
    if (dropped) {
      // Compact in place (w <= k), keeping the order of the kept entries.
      const { users, items, values, times } = this;
      let w = 0;
      for (let k = 0; k < n; k++) {
        if (dropped[k] === 1) continue;
        users[w] = users[k]!;
        items[w] = items[k]!;
        values[w] = values[k]!;
        if (times) times[w] = times[k]!;
        w++;
      }
    }
    // Views when the unused tail is small (no copy, no second set of columns at the peak); copies
    // otherwise, so a generous hint or a last grow does not pin unused memory.
    const view = this.users.length - keep <= this.users.length * MAX_VIEW_SLACK;
    const take = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => (view ? a.subarray(0, keep) : a.slice(0, keep)) as T;
    const users = take(this.users);
    this.users = new Int32Array(0);
    const items = take(this.items);
    this.items = new Int32Array(0);
    const values = take(this.values);
    this.values = new Float32Array(0);
    const times = this.times ? take(this.times) : undefined;
    // The builder is single-use: drop its buffers.
    this.times = undefined;
    this.n = 0;
    return { length: keep, users, items, values, timestamps: times, userIndex: this.userIndex, itemIndex: this.itemIndex, report };
  }
}

/** Ratings from an array of {user, item, rating} objects. */
export function ratingsFromArray(
  rows: ReadonlyArray<{ user: RawId; item: RawId; rating?: number; value?: number; timestamp?: number }>,
  opts: RatingsOptions = {},
): Ratings {
  const b = new RatingsBuilder({ source: "array", ...opts, expectedRows: opts.expectedRows ?? rows.length });
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
  const b = new RatingsBuilder({ source: "columns", ...opts, expectedRows: opts.expectedRows ?? users.length });
  for (let k = 0; k < users.length; k++) b.add(users[k]!, items[k]!, values ? values[k]! : 1, k + 1, timestamps?.[k]);
  return b.finish({ format: "columns" });
}
