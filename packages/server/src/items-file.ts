/**
 * `mfrec serve --items FILE`: item titles (and optional features) for the dashboard and GET /items,
 * from a CSV of `id,title[,features]` lines (RFC 4180 quoting, so titles may hold commas; an
 * optional header line `id,title[,features]`; features separated by `|`, stored as
 * metadata {"features": [...]}). A bad line stops the start with the file, line and value.
 */
import { readFileSync } from "node:fs";
import { MfrecError } from "mfrec";

/** One item row for Store.putItems. */
export interface ItemRow {
  item: string;
  title: string | null;
  metadata?: unknown;
}

/** Longest title accepted (as PUT /items). */
export const MAX_TITLE = 1000;

/** Split one CSV line into fields; E_BAD_QUOTE when a quoted field is not closed. */
function fields(line: string, file: string, lineNo: number): string[] {
  const out: string[] = [];
  let k = 0;
  for (;;) {
    if (line[k] === '"') {
      let v = "";
      k++;
      for (;;) {
        const q = line.indexOf('"', k);
        if (q < 0) throw new MfrecError("E_BAD_QUOTE", "a quoted field is not closed", { file, line: lineNo, value: line.slice(0, 80), expected: 'a closing " before the end of the line' });
        v += line.slice(k, q);
        if (line[q + 1] === '"') {
          v += '"';
          k = q + 2;
          continue;
        }
        k = q + 1;
        break;
      }
      out.push(v);
      if (k >= line.length) return out;
      if (line[k] !== ",") throw new MfrecError("E_BAD_QUOTE", "text after a closing quote", { file, line: lineNo, value: line.slice(0, 80), expected: 'a comma after the closing "' });
      k++;
    } else {
      const c = line.indexOf(",", k);
      if (c < 0) {
        out.push(line.slice(k));
        return out;
      }
      out.push(line.slice(k, c));
      k = c + 1;
    }
  }
}

/** Parse the items file's text; `file` names it in errors. */
export function parseItems(text: string, file: string): ItemRow[] {
  const lines = text.split(/\r?\n/);
  const rows: ItemRow[] = [];
  const seen = new Map<string, number>();
  let first = true;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    const lineNo = n + 1;
    const f = fields(line, file, lineNo);
    const header = first && f[0]?.trim().toLowerCase() === "id" && f[1]?.trim().toLowerCase() === "title";
    first = false;
    if (header) continue;
    if (f.length < 2) throw new MfrecError("E_MISSING_COLUMN", "an items line needs id,title[,features]", { file, line: lineNo, value: line.slice(0, 80), expected: "id,title[,features]" });
    if (f.length > 3) throw new MfrecError("E_MISSING_COLUMN", `an items line has ${f.length} fields`, { file, line: lineNo, value: line.slice(0, 80), expected: 'id,title[,features] (quote a title that holds commas: "Title, The")' });
    const id = f[0]!.trim();
    if (id === "") throw new MfrecError("E_EMPTY_ID", "the item id is empty", { file, line: lineNo, value: line.slice(0, 80) });
    const prev = seen.get(id);
    if (prev !== undefined) throw new MfrecError("E_DUPLICATE", `item ${JSON.stringify(id)} is listed twice (first on line ${prev})`, { file, line: lineNo, value: id });
    seen.set(id, lineNo);
    const title = f[1]!.trim();
    if (title.length > MAX_TITLE) throw new MfrecError("E_CONFIG", `the title is longer than ${MAX_TITLE} characters`, { file, line: lineNo, value: `${title.slice(0, 40)}…`, expected: `at most ${MAX_TITLE} characters` });
    const row: ItemRow = { item: id, title: title === "" ? null : title };
    if (f[2] !== undefined && f[2].trim() !== "") {
      row.metadata = {
        features: f[2]
          .split("|")
          .map((x) => x.trim())
          .filter((x) => x !== ""),
      };
    }
    rows.push(row);
  }
  return rows;
}

/** Read and parse an items file (E_IO when unreadable). */
export function readItemsFile(path: string): ItemRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new MfrecError("E_IO", "cannot read the items file", { file: path, cause: e, hint: (e as Error).message });
  }
  return parseItems(text.replace(/^\uFEFF/, ""), path);
}
