/**
 * Side features of users or items ("metadata"): which features each id has, with a weight.
 *
 * Text form is the long CSV `id,feature[,value]` with a header (comma or tab separated, RFC 4180
 * quotes), e.g. `item,feature` / `1,genre:Comedy`. In memory a {@link FeatureTable} is a CSR over
 * entity rows (in order of first appearance) whose columns are a feature vocabulary. Ids are raw ids,
 * as everywhere outside the kernels; {@link alignFeatures} maps a table onto a model's or a ratings
 * set's dense indices and counts the ids on either side that have no partner.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { detectDelimiter, splitLine } from "./detect-layout.js";
import { IdIndex } from "./id-index.js";

/** Features of a set of entities (users or items): row r is entity `ids.idAt(r)`. */
export interface FeatureTable {
  /** Raw entity ids, dense row r = first appearance order. */
  readonly ids: IdIndex;
  /** Feature names, dense column c = first appearance order. */
  readonly vocabulary: IdIndex;
  /** CSR row pointers, length ids.size + 1. */
  readonly indptr: Int32Array;
  /** Feature column of each entry, sorted within a row. */
  readonly indices: Int32Array;
  /** Weight of each entry (1 when the text gives none). */
  readonly values: Float32Array;
}

/** What a features file held, for the report a person reads. */
export interface FeatureReadReport {
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  /** Distinct entity ids. */
  entities: number;
  /** Distinct feature names. */
  features: number;
}

/**
 * Features given in memory: per raw id, either a list of feature names (weight 1 each) or a
 * record of feature name → weight. A {@link FeatureTable} passes through unchanged.
 */
export type FeatureInput =
  | FeatureTable
  | ReadonlyMap<RawId, readonly string[] | Readonly<Record<string, number>>>
  | Readonly<Record<string, readonly string[] | Readonly<Record<string, number>>>>;

/** Options of {@link parseFeaturesText}. */
export interface FeatureParseOptions {
  /** File name for error messages. */
  file?: string;
}

const VALUE_COLUMNS = new Set(["value", "weight", "score"]);
/** Longest id or feature name accepted: a longer field is almost surely a broken file, not a name. */
export const MAX_FEATURE_NAME = 4096;

class FeatureTableBuilder {
  readonly ids = new IdIndex();
  readonly vocabulary = new IdIndex();
  private rows: { feature: number; value: number; line: number }[][] = [];

  add(id: string, feature: string, value: number, line: number, file: string | undefined): void {
    const r = this.entity(id);
    const c = this.vocabulary.add(feature);
    const row = this.rows[r]!;
    const dup = row.find((e) => e.feature === c);
    if (dup)
      throw new MfrecError("E_DUPLICATE", `feature ${JSON.stringify(feature)} of id ${JSON.stringify(id)} is given twice (first on line ${dup.line})`, {
        file,
        line,
        value: feature,
        expected: "each (id, feature) pair once",
      });
    row.push({ feature: c, value, line });
  }

  /** The dense row of `id`, added (empty) if new. */
  entity(id: string): number {
    const r = this.ids.add(id);
    if (r === this.rows.length) this.rows.push([]);
    return r;
  }

  build(): FeatureTable {
    const n = this.rows.length;
    const indptr = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + this.rows[r]!.length;
    const indices = new Int32Array(indptr[n]!);
    const values = new Float32Array(indptr[n]!);
    for (let r = 0; r < n; r++) {
      const row = this.rows[r]!.sort((a, b) => a.feature - b.feature);
      let p = indptr[r]!;
      for (const e of row) {
        indices[p] = e.feature;
        values[p++] = e.value;
      }
    }
    return { ids: this.ids, vocabulary: this.vocabulary, indptr, indices, values };
  }
}

function checkName(s: string, what: string, file: string | undefined, line: number): void {
  if (s === "") throw new MfrecError("E_EMPTY_ID", `empty ${what}`, { file, line, value: s, expected: `a non-empty ${what}` });
  if (s.length > MAX_FEATURE_NAME)
    throw new MfrecError("E_CONFIG", `${what} is ${s.length} characters long`, {
      file,
      line,
      value: `${s.slice(0, 40)}…`,
      expected: `at most ${MAX_FEATURE_NAME} characters`,
    });
}

/**
 * Parse the long text form `id,feature[,value]` (header required; its first column names the
 * entity, e.g. `item`, `user` or `id`; the second must be `feature`; an optional third is
 * `value`/`weight`). Errors name the file, the line and the value: unknown columns, a row with the
 * wrong number of fields, empty or over-long names, non-finite weights, a pair given twice.
 */
export function parseFeaturesText(text: string, opts: FeatureParseOptions = {}): { table: FeatureTable; report: FeatureReadReport } {
  const file = opts.file;
  const lines = text.split("\n");
  let k = 0;
  while (k < lines.length && lines[k]!.trim() === "") k++;
  if (k === lines.length) throw new MfrecError("E_EMPTY_INPUT", "the features file is empty", { file, expected: "a header `id,feature[,value]` and rows" });
  const headerLine = lines[k]!.replace(/\r$/, "").replace(/^\uFEFF/, "");
  const delimiter = detectDelimiter(headerLine) ?? ",";
  if (delimiter !== "," && delimiter !== "\t")
    throw new MfrecError("E_CONFIG", "a features file is comma- or tab-separated", { file, line: k + 1, value: headerLine, expected: "id,feature[,value]" });
  const header = splitLine(headerLine, delimiter).map((h) => h.toLowerCase());
  const hasValue = header.length === 3;
  if (header.length < 2 || header.length > 3 || header[1] !== "feature" || (hasValue && !VALUE_COLUMNS.has(header[2]!)) || header[0] === "")
    throw new MfrecError("E_UNKNOWN_COLUMN", "the features header must be `id,feature` or `id,feature,value`", {
      file,
      line: k + 1,
      value: headerLine,
      expected: "columns <id>,feature[,value|weight] (the first names the entity: user, item or id)",
    });
  const b = new FeatureTableBuilder();
  let rows = 0;
  for (let n = k + 1; n < lines.length; n++) {
    const raw = lines[n]!.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    const line = n + 1;
    if ((raw.split('"').length - 1) % 2 === 1) throw new MfrecError("E_BAD_QUOTE", "a quoted field is not closed on this line", { file, line, value: raw });
    const f = splitLine(raw, delimiter);
    if (f.length !== header.length)
      throw new MfrecError(f.length < header.length ? "E_MISSING_COLUMN" : "E_CONFIG", `a row has ${f.length} fields, the header ${header.length}`, {
        file,
        line,
        value: raw.length > 80 ? `${raw.slice(0, 80)}…` : raw,
        expected: header.join(delimiter === "," ? "," : "\\t"),
      });
    checkName(f[0]!, "id", file, line);
    checkName(f[1]!, "feature name", file, line);
    let value = 1;
    if (hasValue) {
      const t = f[2]!;
      value = t === "" ? Number.NaN : Number(t);
      if (!Number.isFinite(value))
        throw new MfrecError(t === "" || Number.isNaN(value) ? "E_NOT_NUMBER" : "E_NOT_FINITE", "a feature weight is not a finite number", {
          file,
          line,
          column: header[2],
          value: t,
          expected: "a finite number",
        });
    }
    b.add(f[0]!, f[1]!, value, line, file);
    rows++;
  }
  if (rows === 0) throw new MfrecError("E_EMPTY_INPUT", "the features file has a header but no rows", { file, expected: "rows id,feature[,value]" });
  const table = b.build();
  return { table, report: { rows, entities: table.ids.size, features: table.vocabulary.size } };
}

function isFeatureTable(x: FeatureInput): x is FeatureTable {
  return (x as FeatureTable).indptr instanceof Int32Array && (x as FeatureTable).ids instanceof IdIndex;
}

/** A {@link FeatureTable} from any {@link FeatureInput} (weights must be finite; names non-empty). */
export function toFeatureTable(input: FeatureInput): FeatureTable {
  if (isFeatureTable(input)) return input;
  const b = new FeatureTableBuilder();
  const entries: Iterable<[RawId, readonly string[] | Readonly<Record<string, number>>]> =
    input instanceof Map ? input.entries() : Object.entries(input as Record<string, readonly string[] | Readonly<Record<string, number>>>);
  let n = 0;
  for (const [id, feats] of entries) {
    n++;
    const sid = String(id);
    checkName(sid, "id", undefined, n);
    const pairs: [string, number][] = Array.isArray(feats) ? (feats as readonly string[]).map((f) => [f, 1]) : Object.entries(feats);
    for (const [f, v] of pairs) {
      checkName(f, "feature name", undefined, n);
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new MfrecError("E_NOT_FINITE", `feature ${JSON.stringify(f)} of id ${JSON.stringify(sid)} has a weight that is not a finite number`, {
          value: v,
          expected: "a finite number",
        });
      b.add(sid, f, v, n, undefined);
    }
    if (pairs.length === 0) b.entity(sid);
  }
  return b.build();
}

/** A feature table re-indexed onto dense entity indices of `index` (a model's or ratings' users or items). */
export interface AlignedFeatures {
  /** CSR over index's dense rows (rows without features are empty), columns = `vocabulary`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly vocabulary: IdIndex;
  /** Ids of the table that are not in `index` (fine: e.g. catalogue items nobody rated yet). */
  readonly unmatched: number;
  /** Entities of `index` that have no features in the table. */
  readonly withoutFeatures: number;
}

/** Re-index `table` onto the dense rows of `index`; counts what has no partner on either side. */
export function alignFeatures(table: FeatureTable, index: IdIndex): AlignedFeatures {
  const n = index.size;
  const rowOf = new Int32Array(n).fill(-1);
  let unmatched = 0;
  for (let r = 0; r < table.ids.size; r++) {
    const d = index.indexOf(table.ids.idAt(r));
    if (d < 0) unmatched++;
    else rowOf[d] = r;
  }
  const indptr = new Int32Array(n + 1);
  let withoutFeatures = 0;
  for (let d = 0; d < n; d++) {
    const r = rowOf[d]!;
    const len = r < 0 ? 0 : table.indptr[r + 1]! - table.indptr[r]!;
    if (len === 0) withoutFeatures++;
    indptr[d + 1] = indptr[d]! + len;
  }
  const indices = new Int32Array(indptr[n]!);
  const values = new Float32Array(indptr[n]!);
  for (let d = 0; d < n; d++) {
    const r = rowOf[d]!;
    if (r < 0) continue;
    const s = table.indptr[r]!;
    const e = table.indptr[r + 1]!;
    indices.set(table.indices.subarray(s, e), indptr[d]!);
    values.set(table.values.subarray(s, e), indptr[d]!);
  }
  return { indptr, indices, values, vocabulary: table.vocabulary, unmatched, withoutFeatures };
}

/** The features of one raw id as name → weight (empty when the id has none). */
export function featuresOf(table: FeatureTable, id: RawId): Record<string, number> {
  const r = table.ids.indexOf(id);
  const out: Record<string, number> = {};
  if (r < 0) return out;
  for (let p = table.indptr[r]!; p < table.indptr[r + 1]!; p++) out[table.vocabulary.idAt(table.indices[p]!)] = table.values[p]!;
  return out;
}
