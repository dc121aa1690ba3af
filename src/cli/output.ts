/**
 * Terminal output for the CLI: colour only on a TTY (and never with NO_COLOR), aligned tables,
 * one JSON document for `--json`, numbers formatted for people.
 */
import pc from "picocolors";

/** The colour functions in use: real on a colour TTY, identity otherwise. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Colours for a stream: on when it is a TTY and NO_COLOR is unset, or when FORCE_COLOR is set (not "0"). */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const on = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb");
  return pc.createColors(on);
}

/** Colours for stdout. */
export const out: Colors = colorsFor(process.stdout);

/** The length of a string as shown (ANSI escapes removed). */
export function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour escapes is the point
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}

function pad(s: string, width: number, align: "l" | "r"): string {
  const fill = " ".repeat(Math.max(0, width - visibleLength(s)));
  return align === "r" ? fill + s : s + fill;
}

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Per column; default "l" for the first column and "r" for the others. */
  align?: ReadonlyArray<"l" | "r">;
  /** Indent every line by this many spaces (default 2). */
  indent?: number;
}

/** An aligned text table: a header line, a rule, then the rows. Cells may already hold colour. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, opts: TableOptions = {}): string {
  const cols = header.length;
  const widths = header.map((h, c) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[c] ?? ""))));
  const align = (c: number): "l" | "r" => opts.align?.[c] ?? (c === 0 ? "l" : "r");
  const ind = " ".repeat(opts.indent ?? 2);
  const line = (cells: readonly string[]) =>
    ind +
    Array.from({ length: cols }, (_, c) => pad(cells[c] ?? "", widths[c]!, align(c)))
      .join("  ")
      .trimEnd();
  const rule = ind + widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header.map((h) => out.bold(h))), rule, ...rows.map(line)].join("\n");
}

/** A score for people: fixed decimals, "-0.00" shown as "0.00". */
export function fmt(x: number, digits = 2): string {
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** An integer with thousands separators (1,234,567). */
export function fmtInt(n: number): string {
  // The digits grouped by hand, as toLocaleString("en-US") groups them: that call loads the ICU locale data, ~5 MiB
  // of resident memory at the end of `mfrec train` (where sgd's and als's peaks are), for a summary line.
  const r = Math.round(n);
  if (!Number.isFinite(r) || Math.abs(r) >= 1e21) return r.toLocaleString("en-US");
  const digits = String(Math.abs(r));
  let s = "";
  for (let end = digits.length; end > 0; end -= 3) s = (end > 3 ? "," : "") + digits.slice(Math.max(0, end - 3), end) + s;
  return r < 0 || Object.is(r, -0) ? `-${s}` : s;
}

/** Write exactly one JSON document (and a newline) to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, jsonReplacer, 2)}\n`);
}

/** Typed arrays become plain arrays; non-finite numbers become null (JSON has no NaN). */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/** Print a line to stdout. */
export function say(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Print a line to stderr (notes, reports, progress summaries: never part of stdout's data). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
