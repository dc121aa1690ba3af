/**
 * The flags every command that reads a ratings file takes, defined once: format, delimiter,
 * header, columns, scale, invalid-row and duplicate policies, implicit.
 */
import type { Command } from "commander";
import type { ParseReport, ReadOptions } from "../index.js";
import { choiceArg, listArg, scaleArg } from "./args.js";
import { fmtInt, note } from "./output.js";

/** The parsed values of {@link addInputOptions}' flags. */
export interface InputFlags {
  format?: string;
  /** The input format where --format names the output (export-ratings; that command passes format: undefined). */
  inputFormat?: string;
  delimiter?: string;
  header?: boolean;
  columns?: string[];
  scale?: [number, number];
  onInvalid?: "error" | "skip";
  duplicates?: "last" | "mean" | "error";
  implicit?: boolean;
}

/** Add the ratings-input flags to a command (`formatFlag` renames --format where the command's own output format uses it). */
export function addInputOptions(cmd: Command, formatFlag = "--format"): Command {
  return cmd
    .option(`${formatFlag} <name>`, "input format: auto, csv, tsv, ml-100k, ml-dat, ml-csv, hetrec")
    .option("--delimiter <d>", 'field delimiter: ",", tab, ";", "|", "::", space')
    .option("--header", "the first line is a header")
    .option("--no-header", "the first line is data")
    .option("--columns <user,item[,rating[,timestamp]]>", "columns by header name or 0-based position", listArg)
    .option("--scale <lo,hi>", "rating scale (rows outside are invalid; predictions are clipped to it)", scaleArg)
    .option("--on-invalid <policy>", "error or skip invalid rows", choiceArg(["error", "skip"] as const))
    .option("--duplicates <policy>", "last, mean or error for a repeated (user, item)", choiceArg(["last", "mean", "error"] as const))
    .option("--implicit", "treat every (user, item) as a positive interaction (two-column files are implicit anyway); the default algorithm is then ials, which keeps a value column as the interaction's strength");
}

/** Delimiter names a shell can pass easily. */
const DELIMITER_NAMES: Record<string, string> = { tab: "\t", "\\t": "\t", comma: ",", space: "whitespace", semicolon: ";", pipe: "|" };

/** The options of `mfrec train` that read the ratings file (shared with eval through the same names). */
export function readOptionsFrom(f: InputFlags): ReadOptions {
  const cols = f.columns;
  // Undefined keys are dropped: a spread of { onInvalid: undefined } would override the reader's defaults.
  return dropUndefined({
    format: (f.inputFormat ?? f.format) as ReadOptions["format"],
    delimiter: f.delimiter === undefined ? undefined : (DELIMITER_NAMES[f.delimiter] ?? f.delimiter),
    header: f.header,
    columns: cols ? { user: colRef(cols[0]), item: colRef(cols[1]), rating: cols[2] === undefined ? undefined : colRef(cols[2]), timestamp: cols[3] === undefined ? undefined : colRef(cols[3]) } : undefined,
    scale: f.scale,
    onInvalid: f.onInvalid,
    duplicates: f.duplicates,
    implicit: f.implicit,
  });
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A column given on the command line: a 0-based position when numeric, else a header name. */
function colRef(s: string | undefined): string | number | undefined {
  if (s === undefined) return undefined;
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** The parse report on stderr when anything was skipped or merged. */
export function printParseReport(report: ParseReport): void {
  const from = report.file ? `${report.file}: ` : "";
  const x = report.extraFields;
  if (x) {
    note(`warning: ${from}${fmtInt(x.rows)} row${x.rows === 1 ? " has" : "s have"} more fields than the first line's ${x.expected} (line ${x.firstLine} has ${x.fields}); the extra fields were ignored (check the delimiter, or quote fields that hold it)`);
  }
  const neg = report.negativeRatings;
  if (neg) {
    note(`warning: ${from}${fmtInt(neg.count)} negative rating${neg.count === 1 ? "" : "s"} (lowest ${neg.min}) and no --scale: the rating scale starts at ${neg.min}; pass --scale lo,hi if that is wrong (ratings outside it are then invalid rows)`);
  }
  if (report.skipped === 0 && report.duplicates === 0) return;
  if (report.skipped > 0) {
    const reasons = Object.entries(report.skippedByReason)
      .map(([code, n]) => `${code} ${n}`)
      .join(", ");
    note(`skipped ${fmtInt(report.skipped)} of ${fmtInt(report.rows)} rows (${reasons})`);
    for (const ex of report.examples) note(`  ${ex.message}`);
  }
  if (report.duplicates > 0) note(`merged ${fmtInt(report.duplicates)} duplicate (user, item) ratings (policy: ${report.duplicatePolicy})`);
}

