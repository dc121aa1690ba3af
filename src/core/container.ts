/**
 * The binary container shared by mfrec's files (the model file, the binary ratings file):
 * a fixed prefix, a JSON header, 8-byte-aligned little-endian typed sections and a CRC-32.
 *
 *   0        6  magic (six bytes naming the file kind, e.g. "MFREC\0")
 *   6        2  uint16 format version
 *   8        4  uint32 header byte length H
 *   12       H  header: UTF-8 JSON; always has "format", "formatVersion", "sections", "dataLength"
 *   D = align8(12 + H)  data area: sections at header-given offsets from D, each 8-byte aligned,
 *                       zero padding between, `dataLength` bytes in all (a multiple of 8)
 *   D + dataLength   4  uint32 CRC-32 (IEEE) of every byte before it
 *
 * Readers validate every bound and never evaluate anything (JSON.parse only).
 */
import { crc32 } from "./crc32.js";
import { type ErrorCode, MfrecError } from "./errors.js";

/** A CRC-32 implementation (Node passes zlib's native one; the portable one is the default). */
export type Crc32 = (bytes: Uint8Array, start: number, end: number) => number;

/** Element type of a section. */
export type SectionDtype = "float32" | "int32" | "float64";

/** One entry of the header's section table. `offset` counts from the start of the data area. */
export interface SectionEntry {
  name: string;
  dtype: SectionDtype;
  /** Byte offset from the data area's start; a multiple of 8. */
  offset: number;
  /** Byte length (elements × element size). */
  length: number;
  /** Logical shape, row-major: [rows, cols] for matrices, [n] for vectors. */
  shape: number[];
}

/** A section to write. */
export interface SectionData {
  name: string;
  dtype: SectionDtype;
  data: Float32Array | Int32Array | Float64Array;
  shape: number[];
}

/** What identifies one kind of container file, and how its errors are reported. */
export interface ContainerKind {
  /** Six magic bytes. */
  magic: readonly number[];
  version: number;
  /** The header's "format" value, e.g. "mfrec-model". */
  format: string;
  /** Words for messages: "mfrec model file". */
  label: string;
  /** One word for the version message: "model" gives "unsupported model format version 2". */
  noun: string;
  /** The error code for a malformed file. */
  code: ErrorCode;
  /** Section names this kind knows; any other is rejected. */
  sections: ReadonlySet<string>;
}

export const CONTAINER_PREFIX = 12;
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const SIZE: Record<SectionDtype, number> = { float32: 4, int32: 4, float64: 8 };

/** Round up to a multiple of 8. */
export const align8 = (n: number): number => Math.ceil(n / 8) * 8;
/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A safe non-negative integer. */
export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Throws the kind's error (declared with this explicit type so control-flow narrowing sees `never`). */
export type Fail = (message: string, value?: unknown, expected?: string) => never;

/** A thrower bound to one kind's error code. */
export function failer(kind: Pick<ContainerKind, "code">): Fail {
  return (message, value, expected) => {
    throw new MfrecError(kind.code, message, { value, expected });
  };
}

/** Serialise `header` (any JSON fields) and `sections` into one container. */
export function writeContainer(kind: ContainerKind, header: Record<string, unknown>, sections: readonly SectionData[]): Uint8Array {
  return joinChunks(containerChunks(kind, header, sections));
}

/** The chunks joined into one array of `byteLength` bytes. */
export function joinChunks(c: ContainerChunks): Uint8Array {
  const out = new Uint8Array(c.byteLength);
  let at = 0;
  for (const chunk of c.chunks()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** A container as a sequence of byte chunks: its total size, and the chunks in file order. */
export interface ContainerChunks {
  readonly byteLength: number;
  /**
   * The file's bytes piece by piece (prefix and header, each section as a view of its array on
   * little-endian hosts, padding, checksum), so a writer never holds the whole file: writing a model
   * with a 10M-rating history costs no second copy of its arrays. Each call starts over.
   */
  chunks(): Generator<Uint8Array>;
}

/** The same bytes as {@link writeContainer}, as chunks with a running CRC-32. */
export function containerChunks(kind: ContainerKind, header: Record<string, unknown>, sections: readonly SectionData[]): ContainerChunks {
  let offset = 0;
  const table: SectionEntry[] = sections.map((s) => {
    const e: SectionEntry = { name: s.name, dtype: s.dtype, offset, length: s.data.byteLength, shape: s.shape };
    offset = align8(offset + s.data.byteLength);
    return e;
  });
  const full = { format: kind.format, formatVersion: kind.version, ...header, sections: table, dataLength: offset };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const dataStart = align8(CONTAINER_PREFIX + json.length);
  const dataLength = offset;
  return {
    byteLength: dataStart + dataLength + 4,
    *chunks() {
      const head = new Uint8Array(dataStart);
      const view = new DataView(head.buffer);
      head.set(kind.magic, 0);
      view.setUint16(6, kind.version, true);
      view.setUint32(8, json.length, true);
      head.set(json, CONTAINER_PREFIX);
      let crc = crc32(head);
      yield head;
      let at = 0;
      const zeros = new Uint8Array(8);
      for (let n = 0; n < sections.length; n++) {
        const bytes = littleEndianBytes(sections[n]!.data);
        crc = crc32(bytes, 0, bytes.length, crc);
        yield bytes;
        at += bytes.length;
        const pad = (n + 1 < sections.length ? table[n + 1]!.offset : dataLength) - at;
        if (pad > 0) {
          crc = crc32(zeros, 0, pad, crc);
          yield zeros.subarray(0, pad);
          at += pad;
        }
      }
      const tail = new Uint8Array(4);
      new DataView(tail.buffer).setUint32(0, crc, true);
      yield tail;
    },
  };
}

/** The array's bytes in little-endian order: a view on little-endian hosts, a converted copy elsewhere. */
function littleEndianBytes(a: Float32Array | Int32Array | Float64Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) view.setFloat32(4 * i, a[i]!, true);
    else if (a instanceof Float64Array) view.setFloat64(8 * i, a[i]!, true);
    else view.setInt32(4 * i, a[i]!, true);
  }
  return out;
}

/** A parsed container: its header (kind-specific fields still unchecked), the data area's start and the section table. */
export interface ParsedContainer {
  header: Record<string, unknown>;
  dataStart: number;
  sections: Map<string, SectionEntry>;
}

/**
 * Check the prefix (magic, version), parse the JSON header, check the length, the checksum and
 * the section table (known names, dtypes, alignment, bounds, no overlap).
 */
export function readContainer(kind: ContainerKind, bytes: Uint8Array, checksum: Crc32 = crc32): ParsedContainer {
  const fail: Fail = failer(kind);
  if (!(bytes instanceof Uint8Array)) fail(`an ${kind.label} must be given as bytes (Uint8Array)`, typeof bytes);
  if (bytes.length < CONTAINER_PREFIX) fail(`the file is ${bytes.length} bytes, shorter than the 12-byte prefix (truncated or not an ${kind.label})`);
  for (let i = 0; i < kind.magic.length; i++) {
    if (bytes[i] !== kind.magic[i]) {
      const want = kind.magic.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      fail(`not an ${kind.label}: wrong magic bytes`, Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" "), want);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(6, true);
  if (version !== kind.version) fail(`unsupported ${kind.noun} format version ${version}`, version, `${kind.version} (upgrade mfrec to read newer files)`);
  const hlen = view.getUint32(8, true);
  if (CONTAINER_PREFIX + hlen > bytes.length) fail(`the header (${hlen} bytes) runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(CONTAINER_PREFIX, CONTAINER_PREFIX + hlen)));
  } catch (e) {
    throw new MfrecError(kind.code, `the header is not valid UTF-8 JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObject(parsed)) fail("the header is not a JSON object", Array.isArray(parsed) ? "array" : typeof parsed);
  if (parsed.format !== kind.format) fail(`the header's "format" is not "${kind.format}"`, parsed.format, `"${kind.format}"`);
  if (parsed.formatVersion !== version) fail("the header's formatVersion disagrees with the prefix", parsed.formatVersion, String(version));
  const dataLength = parsed.dataLength;
  if (!isCount(dataLength)) fail('header field "dataLength" is not a non-negative integer', dataLength, "an integer ≥ 0");
  if (dataLength % 8 !== 0) fail("dataLength is not a multiple of 8", dataLength);
  const dataStart = align8(CONTAINER_PREFIX + hlen);
  const expected = dataStart + dataLength + 4;
  if (bytes.length < expected) fail(`the file is truncated: ${bytes.length} bytes, the header says ${expected}`, bytes.length, String(expected));
  if (bytes.length > expected) fail(`the file has ${bytes.length - expected} unexpected bytes after the checksum`, bytes.length, String(expected));
  const stored = view.getUint32(expected - 4, true);
  const actual = checksum(bytes, 0, expected - 4);
  if (stored !== actual) fail("checksum mismatch: the file is corrupted", `crc32 ${actual.toString(16).padStart(8, "0")}`, `crc32 ${stored.toString(16).padStart(8, "0")} (stored)`);
  return { header: parsed, dataStart, sections: checkSections(kind, parsed.sections, dataLength) };
}

function checkSections(kind: ContainerKind, v: unknown, dataLength: number): Map<string, SectionEntry> {
  const fail: Fail = failer(kind);
  if (!Array.isArray(v)) fail('header field "sections" is not an array', typeof v);
  const byName = new Map<string, SectionEntry>();
  for (const [n, e] of v.entries()) {
    if (!isObject(e)) fail(`sections[${n}] is not an object`, e);
    const name = e.name;
    if (typeof name !== "string" || !kind.sections.has(name)) fail(`sections[${n}] has an unknown name`, name, [...kind.sections].join(", "));
    if (byName.has(name)) fail(`section "${name}" occurs twice`, name);
    const dtype = e.dtype;
    if (dtype !== "float32" && dtype !== "int32" && dtype !== "float64") fail(`section "${name}" has an unknown dtype`, dtype, '"float32", "int32" or "float64"');
    const { offset, length } = e;
    if (!isCount(offset) || !isCount(length)) fail(`section "${name}" has a bad offset or length`, { offset, length }, "non-negative integers");
    if (offset % 8 !== 0) fail(`section "${name}" is not 8-byte aligned`, offset, "a multiple of 8");
    if (length % SIZE[dtype] !== 0) fail(`section "${name}" length is not a whole number of ${SIZE[dtype]}-byte elements`, length);
    if (offset + length > dataLength) fail(`section "${name}" runs past the data area`, { offset, length }, `offset + length ≤ ${dataLength}`);
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) fail(`section "${name}" has a bad shape`, e.shape);
    byName.set(name, e as unknown as SectionEntry);
  }
  const sorted = [...byName.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    if (p.offset + p.length > sorted[i]!.offset) fail(`sections "${p.name}" and "${sorted[i]!.name}" overlap`);
  }
  return byName;
}

/**
 * Read a required section of the given dtype and shape. A copy by default (the caller's buffer
 * may be unaligned or reused); `view: true` returns a view on `bytes` when the section is aligned
 * for its element type on a little-endian host (zero-copy reload of large files).
 */
export function readSection(kind: ContainerKind, c: ParsedContainer, bytes: Uint8Array, name: string, dtype: "float32", shape: number[], view?: boolean): Float32Array;
export function readSection(kind: ContainerKind, c: ParsedContainer, bytes: Uint8Array, name: string, dtype: "int32", shape: number[], view?: boolean): Int32Array;
export function readSection(kind: ContainerKind, c: ParsedContainer, bytes: Uint8Array, name: string, dtype: "float64", shape: number[], view?: boolean): Float64Array;
export function readSection(kind: ContainerKind, c: ParsedContainer, bytes: Uint8Array, name: string, dtype: SectionDtype, shape: number[], view = false): Float32Array | Int32Array | Float64Array {
  const fail: Fail = failer(kind);
  const e = c.sections.get(name);
  if (!e) fail(`the required section "${name}" is missing`);
  if (e.dtype !== dtype) fail(`section "${name}" has dtype ${e.dtype}`, e.dtype, dtype);
  const size = SIZE[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  if (e.length !== count * size || e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
    fail(`section "${name}" has shape [${e.shape}] and ${e.length} bytes`, e.shape, `shape [${shape}], ${count * size} bytes`);
  }
  const at = c.dataStart + e.offset;
  const n = e.length / size;
  if (view && LITTLE_ENDIAN_HOST && (bytes.byteOffset + at) % size === 0) {
    const buf = bytes.buffer as ArrayBuffer;
    const off = bytes.byteOffset + at;
    return dtype === "float32" ? new Float32Array(buf, off, n) : dtype === "int32" ? new Int32Array(buf, off, n) : new Float64Array(buf, off, n);
  }
  const copy = new Uint8Array(e.length);
  copy.set(bytes.subarray(at, at + e.length));
  if (LITTLE_ENDIAN_HOST) return dtype === "float32" ? new Float32Array(copy.buffer) : dtype === "int32" ? new Int32Array(copy.buffer) : new Float64Array(copy.buffer);
  const v = new DataView(copy.buffer);
  const a = dtype === "float32" ? new Float32Array(n) : dtype === "int32" ? new Int32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = dtype === "float32" ? v.getFloat32(4 * i, true) : dtype === "int32" ? v.getInt32(4 * i, true) : v.getFloat64(8 * i, true);
  return a;
}

/** Throw when any value is NaN or infinite, naming the first one. */
export function checkFiniteArray(kind: Pick<ContainerKind, "code">, name: string, a: Float32Array | Float64Array): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) (failer(kind) as Fail)(`${name}[${i}] is not finite`, String(a[i]), "a finite number");
}
