/** Ratings back to text (CSV, TSV, MovieLens `::`), streamed in blocks so 10M rows never form one string. */
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { MfrecError } from "../core/errors.js";
import type { Ratings } from "./ratings.js";

/** Text layouts `mfrec convert` writes. */
export type TextLayout = "csv" | "tsv" | "ml-dat";

const BLOCK = 65536;

/** Quote a field for CSV when it holds the delimiter, a quote or a line break (RFC 4180). */
function field(s: string, delimiter: string): string {
  return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Write ratings as text: header `user,item,rating[,timestamp]` for csv/tsv, none for ml-dat
 * (`user::item::rating::timestamp`, as MovieLens ratings.dat). Atomic (temporary file, rename).
 */
export function writeRatingsText(path: string, r: Ratings, layout: TextLayout = "csv"): void {
  const delimiter = layout === "csv" ? "," : layout === "tsv" ? "\t" : "::";
  if (layout === "ml-dat") {
    for (const index of [r.userIndex, r.itemIndex]) {
      for (const id of index.ids()) if (id.includes("::") || /[\r\n]/.test(id)) throw new MfrecError("E_CONFIG", "this id cannot be written in the :: layout", { value: id, expected: "ids without :: or line breaks (use csv)" });
    }
  }
  const users = r.userIndex.ids().map((id) => field(id, delimiter));
  const items = r.itemIndex.ids().map((id) => field(id, delimiter));
  const ts = r.timestamps;
  const tmp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    if (layout !== "ml-dat") writeSync(fd, `${["user", "item", "rating", ...(ts ? ["timestamp"] : [])].join(delimiter)}\n`);
    for (let start = 0; start < r.length; start += BLOCK) {
      const end = Math.min(r.length, start + BLOCK);
      const lines: string[] = new Array(end - start);
      for (let k = start; k < end; k++) {
        const base = `${users[r.users[k]!]}${delimiter}${items[r.items[k]!]}${delimiter}${r.values[k]}`;
        lines[k - start] = ts ? `${base}${delimiter}${ts[k]}` : base;
      }
      writeSync(fd, `${lines.join("\n")}\n`);
    }
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (e instanceof MfrecError) throw e;
    throw new MfrecError("E_IO", "cannot write the ratings file", { file: path, cause: e });
  }
}
