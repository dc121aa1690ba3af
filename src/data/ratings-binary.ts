/**
 * The binary ratings file (".mfrb"): Ratings as they sit in memory, for reloads far faster than
 * re-parsing text. It uses the shared container of core/container.ts (docs/ratings-format.md):
 * magic "MFRAT\0", version 1, a JSON header with the counts, the raw ids of users and items (in
 * dense-index order) and the parse report of the original text, then the sections
 *   users int32 [n], items int32 [n], values float32 [n], timestamps float64 [n] (optional).
 */
import { type ContainerKind, type Crc32, type Fail, failer, isCount, readContainer, readSection, type SectionData, writeContainer } from "../core/container.js";
import { crc32 } from "../core/crc32.js";
import { IdIndex } from "./id-index.js";
import type { ParseReport, Ratings } from "./ratings.js";

/** "MFRAT\0": the first six bytes of a binary ratings file. */
export const RATINGS_MAGIC: readonly number[] = [0x4d, 0x46, 0x52, 0x41, 0x54, 0x00];
export const RATINGS_FORMAT_VERSION = 1;

const KIND: ContainerKind = {
  magic: RATINGS_MAGIC,
  version: RATINGS_FORMAT_VERSION,
  format: "mfrec-ratings",
  label: "mfrec binary ratings file",
  noun: "ratings",
  code: "E_RATINGS_FORMAT",
  sections: new Set(["users", "items", "values", "timestamps"]),
};
const fail: Fail = failer(KIND);

/** True when the bytes start with the binary ratings magic (for format detection). */
export function isRatingsBinary(head: Uint8Array): boolean {
  return head.length >= 6 && RATINGS_MAGIC.every((b, i) => head[i] === b);
}

/** Serialise Ratings. */
export function saveRatings(r: Ratings): Uint8Array {
  const n = r.length;
  const sections: SectionData[] = [
    { name: "users", dtype: "int32", data: r.users.subarray(0, n), shape: [n] },
    { name: "items", dtype: "int32", data: r.items.subarray(0, n), shape: [n] },
    { name: "values", dtype: "float32", data: r.values.subarray(0, n), shape: [n] },
  ];
  if (r.timestamps) sections.push({ name: "timestamps", dtype: "float64", data: r.timestamps.subarray(0, n), shape: [n] });
  return writeContainer(KIND, { length: n, userIds: r.userIndex.ids(), itemIds: r.itemIndex.ids(), report: r.report }, sections);
}

/** Options of {@link loadRatings}. */
export interface LoadRatingsOptions {
  /** Name used in the report (the file path). */
  source?: string;
  /** Return views on `bytes` instead of copies where aligned (the caller must not reuse `bytes`). */
  zeroCopy?: boolean;
  /** CRC-32 implementation (Node passes zlib's). */
  crc32?: Crc32;
}

function checkIds(h: Record<string, unknown>, key: "userIds" | "itemIds"): string[] {
  const ids = h[key];
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) fail(`header field "${key}" is not an array of strings`);
  return ids as string[];
}

/**
 * Parse and validate a binary ratings file: container checks (magic, version, length,
 * checksum, sections), then index bounds. Throws E_RATINGS_FORMAT saying what is wrong.
 */
export function loadRatings(bytes: Uint8Array, opts: LoadRatingsOptions = {}): Ratings {
  const c = readContainer(KIND, bytes, opts.crc32 ?? crc32);
  const h = c.header;
  const n = h.length;
  if (!isCount(n)) fail('header field "length" is not a non-negative integer', n);
  const userIds = checkIds(h, "userIds");
  const itemIds = checkIds(h, "itemIds");
  const userIndex = IdIndex.from(userIds);
  const itemIndex = IdIndex.from(itemIds);
  if (userIndex.size !== userIds.length || itemIndex.size !== itemIds.length) fail("the id lists repeat an id");
  const view = opts.zeroCopy === true;
  const users = readSection(KIND, c, bytes, "users", "int32", [n], view);
  const items = readSection(KIND, c, bytes, "items", "int32", [n], view);
  const values = readSection(KIND, c, bytes, "values", "float32", [n], view);
  const timestamps = c.sections.has("timestamps") ? readSection(KIND, c, bytes, "timestamps", "float64", [n], view) : undefined;
  const nu = userIds.length;
  const ni = itemIds.length;
  for (let k = 0; k < n; k++) {
    const u = users[k]!;
    const i = items[k]!;
    if (u < 0 || u >= nu || i < 0 || i >= ni) fail(`rating ${k} has an index out of range`, [u, i], `users 0..${nu - 1}, items 0..${ni - 1}`);
    if (!Number.isFinite(values[k]!)) fail(`values[${k}] is not finite`, String(values[k]));
  }
  const stored = (h.report ?? {}) as Partial<ParseReport>;
  const report: ParseReport = {
    file: opts.source ?? stored.file,
    format: "mfrec-ratings",
    rows: n,
    ratings: n,
    skipped: 0,
    skippedByReason: {},
    examples: [],
    duplicates: 0,
    duplicatePolicy: stored.duplicatePolicy ?? "last",
  };
  return { length: n, users, items, values, timestamps, userIndex, itemIndex, report };
}
