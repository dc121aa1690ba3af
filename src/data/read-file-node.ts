import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { crc32 as zlibCrc32, createGunzip, gunzipSync } from "node:zlib";
import { MfrecError, isMfrecError } from "../core/errors.js";
import type { ReadOptions } from "./detect-layout.js";
import { DelimitedParser } from "./parse-delimited.js";
import type { IdIndex } from "./id-index.js";
import type { Ratings } from "./ratings.js";
import { isRatingsBinary, loadRatings, saveRatings } from "./ratings-binary.js";

/** Read size: large chunks keep the per-chunk overhead (carry line, stream events) negligible. */
const CHUNK = 1 << 20;

function ioError(path: string, e: unknown): MfrecError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === "ENOENT" ? "file not found" : err.code === "EISDIR" ? "is a directory" : err.code === "EACCES" ? "permission denied" : (err.message ?? String(e));
  return new MfrecError("E_IO", `cannot read ratings file: ${why}`, { file: path, value: err.code, expected: "a readable ratings file", cause: e });
}

/** The first `n` bytes of a file (fewer when it is shorter), its size when a regular file (else 0), and the last 4 bytes (gzip's ISIZE). */
function head(path: string, n: number): { first: Uint8Array; size: number; last4: number | undefined } {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(n);
    const first = buf.subarray(0, readSync(fd, buf, 0, n, 0));
    const st = fstatSync(fd);
    const size = st.isFile() ? st.size : 0;
    const tail = new Uint8Array(4);
    const last4 = size >= 4 && readSync(fd, tail, 0, 4, size - 4) === 4 ? new DataView(tail.buffer).getUint32(0, true) : undefined;
    return { first, size, last4 };
  } finally {
    closeSync(fd);
  }
}

/** Headroom over the estimated row count: line lengths vary a little along a file. */
const HEADROOM = 1.06;
/** Windows sampled for the line density of a plain file: spread over it, so sorted ids growing longer are seen. */
const SAMPLES = 8;
const SAMPLE_BYTES = 32 << 10;
/** Largest ISIZE / compressed size taken as a size estimate (ratings text compresses about 3-8x). */
const GZIP_MAX_RATIO = 16;

function countNewlines(bytes: Uint8Array): number {
  let lines = 0;
  for (let k = bytes.indexOf(10); k >= 0; k = bytes.indexOf(10, k + 1)) lines++;
  return lines;
}

/** Rows in `total` bytes at the line density seen in a sample: total · lines / bytes · 1.06, + 16. */
function scaleRows(total: number, lines: number, bytes: number): number {
  return Math.ceil(((total * lines) / Math.max(bytes, 1)) * HEADROOM) + 16;
}

/**
 * Capacity hint for a text of `total` bytes, from SAMPLES windows spread evenly over it;
 * `read(offset, length)` returns the bytes there. Small texts are read whole (the count is then exact).
 */
function estimateRows(total: number, read: (offset: number, length: number) => Uint8Array): number {
  if (total <= SAMPLES * SAMPLE_BYTES) return countNewlines(read(0, total)) + 1;
  let lines = 0;
  let bytes = 0;
  for (let s = 0; s < SAMPLES; s++) {
    const w = read(Math.floor(((total - SAMPLE_BYTES) * s) / (SAMPLES - 1)), SAMPLE_BYTES);
    lines += countNewlines(w);
    bytes += w.length;
  }
  return scaleRows(total, lines, bytes);
}

/** {@link estimateRows} for a plain file on disk, read with positioned reads; undefined when it cannot be read. */
function estimateFileRows(path: string, size: number): number | undefined {
  try {
    const fd = openSync(path, "r");
    try {
      const buf = new Uint8Array(Math.min(size, SAMPLES * SAMPLE_BYTES));
      return estimateRows(size, (offset, length) => buf.subarray(0, readSync(fd, buf, 0, length, offset)));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // the stream that follows reports the error
  }
}

/**
 * Gzip text cannot be sampled along its length: estimate from the first decompressed chunk and the
 * trailer's ISIZE (the uncompressed size mod 2^32; trusted between 1x and 16x the compressed size, as
 * a truncated file's last bytes are arbitrary and a second member's size covers only that member), then
 * re-project count · total / bytesSeen after every chunk so an underestimate grows early, while the
 * copy is small.
 */
function gzipPlanner(parser: DelimitedParser, size: number, isize: number | undefined): (chunk: Uint8Array) => void {
  if (isize === undefined || size === 0 || isize < size || isize > size * GZIP_MAX_RATIO) return () => {};
  const total = isize;
  let seen = 0;
  return (chunk) => {
    if (seen === 0) parser.reserve(chunk.length >= total ? countNewlines(chunk) + 1 : scaleRows(total, countNewlines(chunk), chunk.length));
    else if (seen < total) {
      const projected = (parser.count * total) / seen;
      if (projected > parser.capacity) parser.reserve(Math.ceil(projected * HEADROOM));
    }
    seen += chunk.length;
  };
}

/** Gzip by extension or by the magic bytes 1f 8b, so a mis-named file still reads. */
function isGzip(path: string, first: Uint8Array): boolean {
  return path.endsWith(".gz") || (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b);
}

/** zlib's native CRC-32 (same polynomial as core/crc32.ts, several times faster on large files). */
const nativeCrc32 = (bytes: Uint8Array, start: number, end: number): number => zlibCrc32(bytes.subarray(start, end));

/**
 * Read a binary ratings file (".mfrb", detected by its magic bytes) without copying its arrays.
 * Text options do not apply; `userIndex` / `itemIndex` do (the ratings are re-indexed into them).
 */
export function readRatingsBinaryFile(path: string, opts: Pick<ReadOptions, "userIndex" | "itemIndex"> = {}): Ratings {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
  let r: Ratings;
  try {
    r = loadRatings(bytes, { source: path, zeroCopy: true, crc32: nativeCrc32 });
  } catch (e) {
    if (isMfrecError(e)) throw new MfrecError(e.code, e.message, { file: path, cause: e });
    throw e;
  }
  return reindex(r, opts.userIndex, opts.itemIndex);
}

/** Move ratings onto given id indexes (adding unknown ids), as the text readers do with these options. */
function reindex(r: Ratings, userIndex: IdIndex | undefined, itemIndex: IdIndex | undefined): Ratings {
  const remap = (from: IdIndex, to: IdIndex, column: Int32Array): Int32Array => {
    const map = new Int32Array(from.size);
    for (let i = 0; i < from.size; i++) map[i] = to.add(from.idAt(i));
    const out = new Int32Array(column.length);
    for (let k = 0; k < column.length; k++) out[k] = map[column[k]!]!;
    return out;
  };
  if (!userIndex && !itemIndex) return r;
  return {
    ...r,
    users: userIndex ? remap(r.userIndex, userIndex, r.users) : r.users,
    items: itemIndex ? remap(r.itemIndex, itemIndex, r.items) : r.items,
    userIndex: userIndex ?? r.userIndex,
    itemIndex: itemIndex ?? r.itemIndex,
  };
}

/** Write Ratings as a binary ratings file, atomically (temporary file, then rename). */
export function writeRatingsBinaryFile(path: string, ratings: Ratings): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, saveRatings(ratings));
    renameSync(tmp, path);
  } catch (e) {
    throw new MfrecError("E_IO", "cannot write the binary ratings file", { file: path, cause: e });
  }
}

/**
 * Read a ratings file (CSV/TSV/MovieLens/hetrec, optionally gzipped) into Ratings, streaming:
 * 1 MiB chunks go straight into the byte parser, so memory is the typed arrays, not the text.
 * Unless `expectedRows` is given, the row count is estimated first (plain files: from the line density
 * of 8 windows spread over the file; gzip: from the trailer's uncompressed size and the first chunk), so
 * the columns are allocated about once and returned without a copy.
 * Errors are MfrecErrors with `file` = path and the 1-based `line`; a missing file is E_IO.
 */
export async function readRatingsFile(path: string, opts: ReadOptions = {}): Promise<Ratings> {
  let h: ReturnType<typeof head>;
  try {
    h = head(path, 8);
  } catch (e) {
    throw ioError(path, e);
  }
  const first = h.first;
  if (isRatingsBinary(first)) return readRatingsBinaryFile(path, opts);
  const parser = new DelimitedParser({ source: path, ...opts });
  const gz = isGzip(path, first);
  let plan = (_chunk: Uint8Array): void => {};
  if (opts.expectedRows === undefined) {
    if (!gz && h.size > 0) {
      const rows = estimateFileRows(path, h.size);
      if (rows !== undefined) parser.reserve(rows);
    } else plan = gzipPlanner(parser, h.size, h.last4);
  }
  if (!gz) {
    await readPlain(path, parser);
    return parser.finish();
  }
  let stream: Readable;
  try {
    const raw = createReadStream(path, { highWaterMark: CHUNK });
    stream = raw.pipe(createGunzip({ chunkSize: CHUNK }));
    raw.on("error", (e) => stream.destroy(e));
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    for await (const chunk of stream) {
      plan(chunk as Uint8Array);
      parser.push(chunk as Uint8Array);
    }
  } catch (e) {
    stream.destroy();
    if (isMfrecError(e)) throw e;
    throw ioError(path, e);
  }
  return parser.finish();
}

/**
 * A plain file into the parser through one reused 1 MiB buffer (the parser copies the partial last line it
 * keeps): a stream would allocate a fresh buffer per chunk, 140 of them for a 10M-line file, and the
 * allocator keeps much of that memory after they are freed.
 */
async function readPlain(path: string, parser: DelimitedParser): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, "r");
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      parser.push(buf.subarray(0, bytesRead));
    }
  } catch (e) {
    if (isMfrecError(e)) throw e;
    throw ioError(path, e);
  } finally {
    await fh?.close();
  }
}

/**
 * Synchronous variant of {@link readRatingsFile}: reads (and gunzips) the whole file into memory
 * first, so it suits small and medium files; the result is identical.
 */
export function readRatingsFileSync(path: string, opts: ReadOptions = {}): Ratings {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (isGzip(path, bytes)) bytes = gunzipSync(bytes);
  } catch (e) {
    throw ioError(path, e);
  }
  if (isRatingsBinary(bytes)) return readRatingsBinaryFile(path, opts);
  const parser = new DelimitedParser({ source: path, ...opts });
  const text = bytes;
  if (opts.expectedRows === undefined) parser.reserve(estimateRows(text.length, (offset, length) => text.subarray(offset, offset + length)));
  for (let k = 0; k < bytes.length; k += CHUNK) parser.push(bytes.subarray(k, Math.min(k + CHUNK, bytes.length)));
  return parser.finish();
}
