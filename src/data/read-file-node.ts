import { createReadStream, openSync, readFileSync, readSync, closeSync } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
import { MfrecError, isMfrecError } from "../core/errors.js";
import type { ReadOptions } from "./detect-layout.js";
import { DelimitedParser } from "./parse-delimited.js";
import type { Ratings } from "./ratings.js";

/** Read size: large chunks keep the per-chunk overhead (carry line, stream events) negligible. */
const CHUNK = 1 << 20;

function ioError(path: string, e: unknown): MfrecError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === "ENOENT" ? "file not found" : err.code === "EISDIR" ? "is a directory" : err.code === "EACCES" ? "permission denied" : (err.message ?? String(e));
  return new MfrecError("E_IO", `cannot read ratings file: ${why}`, { file: path, value: err.code, expected: "a readable ratings file", cause: e });
}

/** Gzip by extension or by the magic bytes 1f 8b, so a mis-named file still reads. */
function isGzip(path: string): boolean {
  if (path.endsWith(".gz")) return true;
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a ratings file (CSV/TSV/MovieLens/hetrec, optionally gzipped) into Ratings, streaming:
 * 1 MiB chunks go straight into the byte parser, so memory is the typed arrays, not the text.
 * Errors are MfrecErrors with `file` = path and the 1-based `line`; a missing file is E_IO.
 */
export async function readRatingsFile(path: string, opts: ReadOptions = {}): Promise<Ratings> {
  const parser = new DelimitedParser({ source: path, ...opts });
  let stream: Readable;
  try {
    const gz = isGzip(path);
    const raw = createReadStream(path, { highWaterMark: CHUNK });
    stream = gz ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
    if (gz) raw.on("error", (e) => stream.destroy(e));
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    for await (const chunk of stream) parser.push(chunk as Uint8Array);
  } catch (e) {
    stream.destroy();
    if (isMfrecError(e)) throw e;
    throw ioError(path, e);
  }
  return parser.finish();
}

/**
 * Synchronous variant of {@link readRatingsFile}: reads (and gunzips) the whole file into memory
 * first, so it suits small and medium files; the result is identical.
 */
export function readRatingsFileSync(path: string, opts: ReadOptions = {}): Ratings {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
    if (path.endsWith(".gz") || (bytes[0] === 0x1f && bytes[1] === 0x8b)) bytes = gunzipSync(bytes);
  } catch (e) {
    throw ioError(path, e);
  }
  const parser = new DelimitedParser({ source: path, ...opts });
  for (let k = 0; k < bytes.length; k += CHUNK) parser.push(bytes.subarray(k, Math.min(k + CHUNK, bytes.length)));
  return parser.finish();
}
