/**
 * Ratings as Parquet for distributed trainers (Spark MLlib's ALS takes integer ids only):
 *   ratings.parquet  user INT32, item INT32, rating FLOAT   (dense indices)
 *   users.parquet    id INT32, raw STRING                    (dense index ↔ raw id)
 *   items.parquet    id INT32, raw STRING
 * Written with hyparquet-writer (pure JS), read back with hyparquet.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { MfrecError } from "../core/errors.js";
import type { IdIndex } from "./id-index.js";
import type { Ratings } from "./ratings.js";

/** What {@link exportRatingsParquet} wrote. */
export interface ParquetExport {
  ratings: string;
  users: string;
  items: string;
  rows: number;
}

/** Write the id map of an index: `id` = dense index, `raw` = the raw id. */
export function writeIdMapParquet(path: string, index: IdIndex): void {
  const n = index.size;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  parquetWriteFile({
    filename: path,
    columnData: [
      { name: "id", data: ids, type: "INT32", nullable: false },
      { name: "raw", data: index.ids(), type: "STRING", nullable: false },
    ],
  });
}

/** Write ratings.parquet, users.parquet and items.parquet into `outDir`. */
export function exportRatingsParquet(ratings: Ratings, outDir: string): ParquetExport {
  mkdirSync(outDir, { recursive: true });
  const out = { ratings: join(outDir, "ratings.parquet"), users: join(outDir, "users.parquet"), items: join(outDir, "items.parquet"), rows: ratings.length };
  parquetWriteFile({
    filename: out.ratings,
    columnData: [
      { name: "user", data: ratings.users, type: "INT32", nullable: false },
      { name: "item", data: ratings.items, type: "INT32", nullable: false },
      { name: "rating", data: ratings.values, type: "FLOAT", nullable: false },
    ],
  });
  writeIdMapParquet(out.users, ratings.userIndex);
  writeIdMapParquet(out.items, ratings.itemIndex);
  return out;
}

/** Rows of a Parquet file as objects. */
export async function readParquetRows(path: string): Promise<Record<string, unknown>[]> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new MfrecError("E_IO", "cannot read the Parquet file", { file: path, cause: e });
  }
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    return (await parquetReadObjects({ file })) as Record<string, unknown>[];
  } catch (e) {
    throw new MfrecError("E_IO", `not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`, { file: path, cause: e });
  }
}

/** Read an id map written by {@link writeIdMapParquet}: raw id by integer id. */
export async function readIdMapParquet(path: string): Promise<Map<number, string>> {
  const map = new Map<number, string>();
  for (const row of await readParquetRows(path)) {
    const id = row.id;
    const raw = row.raw;
    if (typeof id !== "number" || !Number.isInteger(id) || typeof raw !== "string") {
      throw new MfrecError("E_IO", "malformed id map row", { file: path, value: row, expected: "{ id: int32, raw: string }" });
    }
    map.set(id, raw);
  }
  return map;
}
