import { MfrecError } from "../core/errors.js";
import type { InputLayout, RatingsOptions } from "./ratings.js";

/** A column by header name (matched case-insensitively) or 0-based position; null = "no such column". */
export type ColumnRef = string | number | null;

/** Known input formats; "auto" detects delimiter, header and columns from the first non-blank line. */
export type InputFormat = "auto" | "csv" | "tsv" | "ml-100k" | "ml-dat" | "ml-csv" | "hetrec";

/** Options of the delimited-text readers (parseRatingsText, readRatingsFile, DelimitedParser). */
export interface ReadOptions extends RatingsOptions {
  /** A preset; explicit delimiter/header/columns below override it. Default "auto". */
  format?: InputFormat;
  /** "," "\t" ";" "|" "::", "whitespace" (runs of spaces/tabs; " " means the same), or "auto" (default). */
  delimiter?: string;
  /** Whether line 1 is a header; "auto" (default): a header when a field is a known column name or the rating field is not a number. */
  header?: boolean | "auto";
  /** Which fields hold user, item, rating, timestamp. Defaults: header names by alias, else positions 0, 1, 2 (and 3 for 4-field headerless lines). */
  columns?: { user?: ColumnRef; item?: ColumnRef; rating?: ColumnRef; timestamp?: ColumnRef };
  /** Ignore any rating column: every (user, item) pair gets value 1. Two-field inputs are implicit anyway. */
  implicit?: boolean;
}

/** Header names per role, compared after lower-casing and dropping "_", "-", " ". */
export const COLUMN_ALIASES = {
  user: ["user", "userid", "uid", "users", "customer", "customerid"],
  item: ["item", "itemid", "iid", "movie", "movieid", "artist", "artistid", "product", "productid", "track", "trackid", "book", "bookid", "isbn"],
  rating: ["rating", "ratings", "score", "value", "weight", "count", "plays", "playcount", "preference", "stars"],
  timestamp: ["timestamp", "time", "ts", "unixtime"],
} as const;

type Role = keyof typeof COLUMN_ALIASES;
const ROLES: readonly Role[] = ["user", "item", "rating", "timestamp"];

const PRESETS: Record<Exclude<InputFormat, "auto">, { delimiter: string; header?: boolean; columns?: ReadOptions["columns"] }> = {
  csv: { delimiter: "," },
  tsv: { delimiter: "\t" },
  "ml-100k": { delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 } },
  "ml-dat": { delimiter: "::", header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 } },
  "ml-csv": { delimiter: ",", header: true },
  hetrec: { delimiter: "\t", header: true },
};

const DELIMITERS = new Set([",", "\t", ";", "|", "::", "whitespace"]);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const norm = (s: string): string => s.trim().toLowerCase().replace(/[_\- ]/g, "");

/** Validate reader options up front (E_CONFIG) and fold the format preset in. */
export function resolveOptions(opts: ReadOptions): ReadOptions & { delimiter: string; header: boolean | "auto" } {
  const format = opts.format ?? "auto";
  if (format !== "auto" && !(format in PRESETS)) {
    throw new MfrecError("E_CONFIG", "unknown input format", { value: format, expected: `one of auto, ${Object.keys(PRESETS).join(", ")}` });
  }
  const preset = format === "auto" ? undefined : PRESETS[format];
  let delimiter = opts.delimiter ?? preset?.delimiter ?? "auto";
  if (delimiter === " ") delimiter = "whitespace";
  if (delimiter !== "auto" && !DELIMITERS.has(delimiter) && !(delimiter.length === 1 && !/["\r\n0-9.+-]/.test(delimiter))) {
    throw new MfrecError("E_CONFIG", "unsupported delimiter", { value: delimiter, expected: 'auto, ",", "\\t", ";", "|", "::", "whitespace" or another single character' });
  }
  const header = opts.header ?? preset?.header ?? "auto";
  if (header !== true && header !== false && header !== "auto") {
    throw new MfrecError("E_CONFIG", "header must be true, false or \"auto\"", { value: header, expected: 'true | false | "auto"' });
  }
  const columns = { ...preset?.columns, ...opts.columns };
  for (const role of ROLES) {
    const c = columns[role];
    if (c === undefined || c === null || typeof c === "string") continue;
    if (!Number.isInteger(c) || c < 0) throw new MfrecError("E_CONFIG", `column ${role} must be a name or a 0-based position`, { value: c, column: role, expected: "an integer >= 0 or a header name" });
  }
  if (opts.scale !== undefined) {
    const s = opts.scale;
    if (!Array.isArray(s) || s.length !== 2 || !Number.isFinite(s[0]) || !Number.isFinite(s[1]) || s[0] > s[1]) {
      throw new MfrecError("E_CONFIG", "scale must be [lo, hi] with finite lo <= hi", { value: s, expected: "[lo, hi]" });
    }
  }
  if (opts.duplicates !== undefined && !["last", "mean", "error"].includes(opts.duplicates)) {
    throw new MfrecError("E_CONFIG", "unknown duplicates policy", { value: opts.duplicates, expected: '"last" | "mean" | "error"' });
  }
  if (opts.onInvalid !== undefined && !["error", "skip"].includes(opts.onInvalid)) {
    throw new MfrecError("E_CONFIG", "unknown onInvalid policy", { value: opts.onInvalid, expected: '"error" | "skip"' });
  }
  return { ...opts, format, delimiter, header, columns };
}

/** The delimiter of a first line: "::" if present, else the most frequent of tab , ; | outside quotes, else whitespace. */
export function detectDelimiter(line: string): string | undefined {
  if (line.includes("::")) return "::";
  const counts = new Map<string, number>([["\t", 0], [",", 0], [";", 0], ["|", 0]]);
  let inQuote = false;
  for (const ch of line) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  if (best !== undefined) return best;
  return /\S[ \t]+\S/.test(line.trim()) ? "whitespace" : undefined;
}

/** Split one line (no newline) into trimmed fields, honouring RFC 4180 quotes. For detection only; data rows use the byte parser. */
export function splitLine(line: string, delimiter: string): string[] {
  const ws = delimiter === "whitespace";
  if (ws) line = line.trim();
  const out: string[] = [];
  let cur = "";
  let inQuote = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (inQuote) {
      if (ch === '"' && line[k + 1] === '"') {
        cur += '"';
        k++;
      } else if (ch === '"') inQuote = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === "") {
      inQuote = true;
      cur = "";
    } else if (ws ? ch === " " || ch === "\t" : line.startsWith(delimiter, k)) {
      out.push(cur.trim());
      cur = "";
      if (ws) while (line[k + 1] === " " || line[k + 1] === "\t") k++;
      else k += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}


/**
 * Decide header and columns from the first non-blank line (already split into fields).
 * Rules: a header when `header` is true, or under "auto" when a field is a known column name or the
 * rating field is not a number. Columns: options first (names need a header: E_UNKNOWN_COLUMN), then
 * header aliases, then positions 0, 1, 2 (3 = timestamp only for 4-field headerless lines).
 */
export function detectLayout(fields: string[], opts: ReturnType<typeof resolveOptions>, line: number, file?: string): InputLayout {
  const cols = opts.columns ?? {};
  const names = fields.map(norm);
  const aliasOf = (role: Role): number => names.findIndex((n) => (COLUMN_ALIASES[role] as readonly string[]).includes(n));
  let header: boolean;
  if (opts.header !== "auto") header = opts.header;
  else if (ROLES.some((r) => typeof cols[r] === "string" && !/^\d+$/.test(cols[r] as string))) header = true;
  else if (ROLES.some((r) => aliasOf(r) >= 0)) header = true;
  else {
    const rc = cols.rating;
    const pos = typeof rc === "number" ? rc : rc === undefined && fields.length >= 3 ? 2 : -1;
    header = pos >= 0 && pos < fields.length && !DECIMAL.test(fields[pos]!);
  }

  const used = new Set<number>();
  const resolved: Partial<Record<Role, number>> = {};
  for (const role of ROLES) {
    const c = cols[role];
    if (c === undefined || c === null) continue;
    let k: number;
    if (typeof c === "number") k = c;
    else {
      k = header ? names.indexOf(norm(c)) : -1;
      if (k < 0 && /^\d+$/.test(c.trim())) k = Number(c);
      if (k < 0) {
        throw new MfrecError("E_UNKNOWN_COLUMN", `no column named ${JSON.stringify(c)} for the ${role}`, {
          file,
          line,
          column: role,
          value: c,
          expected: header ? `one of ${fields.map((f) => JSON.stringify(f)).join(", ")}` : "a 0-based position (the input has no header)",
        });
      }
    }
    resolved[role] = k;
  }
  for (const role of ROLES) {
    if (role in resolved || cols[role] === null) continue;
    const k = header ? aliasOf(role) : -1;
    if (k >= 0 && !Object.values(resolved).includes(k)) resolved[role] = k;
  }
  // Positional fallback for what names did not settle.
  const fallback: Record<Role, boolean> = {
    user: true,
    item: true,
    rating: fields.length >= 3,
    timestamp: !header && fields.length === 4,
  };
  for (const role of ROLES) {
    if (role in resolved || cols[role] === null || !fallback[role]) continue;
    const k = ROLES.indexOf(role);
    if (!Object.values(resolved).includes(k)) resolved[role] = k;
  }
  if (opts.implicit) delete resolved.rating;
  for (const role of ROLES) {
    const k = resolved[role];
    if (k === undefined) continue;
    if (used.has(k)) throw new MfrecError("E_CONFIG", `column ${k} is used for two roles`, { column: role, value: k, expected: "distinct columns for user, item, rating, timestamp" });
    used.add(k);
  }
  if (resolved.user === undefined || resolved.item === undefined) {
    throw new MfrecError("E_CONFIG", "user and item columns are required", { value: cols, expected: "columns.user and columns.item" });
  }
  const layout: InputLayout = {
    delimiter: opts.delimiter,
    header,
    fields: fields.length,
    columns: { user: resolved.user, item: resolved.item },
  };
  if (resolved.rating !== undefined) layout.columns.rating = resolved.rating;
  if (resolved.timestamp !== undefined) layout.columns.timestamp = resolved.timestamp;
  if (header) layout.names = fields;
  return layout;
}

/** The name of a recognised format for the report: ml-dat, ml-100k, ml-csv, hetrec, else csv/tsv/delimited. */
export function formatName(layout: InputLayout, requested: InputFormat | undefined): string {
  if (requested !== undefined && requested !== "auto") return requested;
  const n = layout.names?.map(norm).join(",");
  if (layout.delimiter === "::") return "ml-dat";
  if (layout.delimiter === "\t" && !layout.header && layout.fields === 4) return "ml-100k";
  if (layout.delimiter === "," && n === "userid,movieid,rating,timestamp") return "ml-csv";
  if (layout.delimiter === "\t" && n === "userid,artistid,weight") return "hetrec";
  if (layout.delimiter === ",") return "csv";
  if (layout.delimiter === "\t") return "tsv";
  return "delimited";
}
