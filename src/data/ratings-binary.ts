/**
 * The binary ratings file (".mfrb"): Ratings as they sit in memory, for reloads far faster than
 * re-parsing text. It uses the shared container of core/container.ts (docs/ratings-format.md):
 * magic "MFRAT\0", version 1, a JSON header with the counts, the raw ids of users and items (in
 * dense-index order) and the parse report of the original text, then the sections
 *   users int32 [n], items int32 [n], values float32 [n], timestamps float64 [n] (optional).
 */
import { type ContainerKind, type Crc32, type Fail, failer, isCount, type ParsedContainer, readContainer, readSection, type SectionData, writeContainer } from "../core/container.js";
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
  sections: new Set(["users", "items", "values", "timestamps", "userIdInts", "itemIdInts"]),
};
const fail: Fail = failer(KIND);

/** True when the bytes start with the binary ratings magic (for format detection). */
export function isRatingsBinary(head: Uint8Array): boolean {
  return head.length >= 6 && RATINGS_MAGIC.every((b, i) => head[i] === b);
}

/** The ids as int32 when every one is a canonical integer (`"196"`, not `"0196"`), else undefined. */
function intIds(index: IdIndex): Int32Array | undefined {
  const ids = index.ids();
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const n = Number(ids[i]);
    if (!(n >= 0 && n <= 0x7fffffff && Number.isInteger(n)) || String(n) !== ids[i]) return undefined;
    out[i] = n;
  }
  return out;
}

/** Serialise Ratings. Integer ids (as in MovieLens) are stored as int32 sections, others as JSON strings. */
export function saveRatings(r: Ratings): Uint8Array {
  const n = r.length;
  const userInts = intIds(r.userIndex);
  const itemInts = intIds(r.itemIndex);
  const sections: SectionData[] = [
    { name: "users", dtype: "int32", data: r.users.subarray(0, n), shape: [n] },
    { name: "items", dtype: "int32", data: r.items.subarray(0, n), shape: [n] },
    { name: "values", dtype: "float32", data: r.values.subarray(0, n), shape: [n] },
  ];
  if (r.timestamps) sections.push({ name: "timestamps", dtype: "float64", data: r.timestamps.subarray(0, n), shape: [n] });
  if (userInts) sections.push({ name: "userIdInts", dtype: "int32", data: userInts, shape: [userInts.length] });
  if (itemInts) sections.push({ name: "itemIdInts", dtype: "int32", data: itemInts, shape: [itemInts.length] });
  const header = {
    length: n,
    users: r.userIndex.size,
    items: r.itemIndex.size,
    userIds: userInts ? null : r.userIndex.ids(),
    itemIds: itemInts ? null : r.itemIndex.ids(),
    report: r.report,
  };
  return writeContainer(KIND, header, sections);
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

/** The id index of one side: from the int32 section when the header's list is null, else from the JSON strings. */
function readIds(c: ParsedContainer, bytes: Uint8Array, side: "user" | "item"): IdIndex {
  const h = c.header;
  const count = h[`${side}s`];
  if (!isCount(count)) fail(`header field "${side}s" is not a non-negative integer`, count);
  const list = h[`${side}Ids`];
  let index: IdIndex;
  if (list === null) index = IdIndex.fromInts(readSection(KIND, c, bytes, `${side}IdInts`, "int32", [count]));
  else {
    if (!Array.isArray(list) || list.length !== count || !list.every((x) => typeof x === "string")) fail(`header field "${side}Ids" is not an array of ${count} strings`);
    index = IdIndex.from(list as string[]);
  }
  if (index.size !== count) fail(`the ${side} ids repeat an id`);
  return index;
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
  const userIndex = readIds(c, bytes, "user");
  const itemIndex = readIds(c, bytes, "item");
  const view = opts.zeroCopy === true;
  const users = readSection(KIND, c, bytes, "users", "int32", [n], view);
  const items = readSection(KIND, c, bytes, "items", "int32", [n], view);
  const values = readSection(KIND, c, bytes, "values", "float32", [n], view);
  const timestamps = c.sections.has("timestamps") ? readSection(KIND, c, bytes, "timestamps", "float64", [n], view) : undefined;
  const nu = userIndex.size;
  const ni = itemIndex.size;
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
