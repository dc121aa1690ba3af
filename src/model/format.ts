/**
 * The mfrec model file, version 1 (bytes in, bytes out; browser-safe). Layout, all integers
 * little-endian (docs/model-format.md describes it byte by byte):
 *
 *   0        6  magic "MFREC\0"
 *   6        2  uint16 format version (1)
 *   8        4  uint32 header byte length H
 *   12       H  header: UTF-8 JSON (see {@link ModelFileHeader})
 *   D = align8(12 + H)  data area: sections at header-given offsets from D, each 8-byte aligned,
 *                       zero padding between, `dataLength` bytes in all (a multiple of 8)
 *   D + dataLength   4  uint32 CRC-32 (IEEE) of every byte before it
 *
 * The loader validates every field and bound and never evaluates anything (JSON.parse only).
 */
import { MfrecError } from "../core/errors.js";
import type { EpochReport } from "../core/types.js";
import { IdIndex } from "../data/id-index.js";
import type { CsrMatrix } from "../matrix/csr.js";
import { crc32 } from "./crc32.js";
import { FactorModel, type ModelConfig, type Provenance } from "./factor-model.js";

/** "MFREC\0": the first six bytes of every model file. */
export const MODEL_MAGIC: readonly number[] = [0x4d, 0x46, 0x52, 0x45, 0x43, 0x00];
/** The format version this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

const PREFIX = 12;
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Element type of a section. */
export type SectionDtype = "float32" | "int32";

/** One entry of the header's section table. `offset` counts from the start of the data area. */
export interface SectionEntry {
  name: string;
  dtype: SectionDtype;
  /** Byte offset from the data area's start; a multiple of 8. */
  offset: number;
  /** Byte length (elements × 4). */
  length: number;
  /** Logical shape, row-major: [rows, cols] for factors, [n] for vectors. */
  shape: number[];
}

/** The JSON header of a model file. */
export interface ModelFileHeader {
  format: "mfrec-model";
  formatVersion: number;
  algorithm: string;
  config: ModelConfig;
  users: number;
  items: number;
  factors: number;
  userIds: string[];
  itemIds: string[];
  globalMean: number;
  ratingScale: [number, number] | null;
  implicit: boolean;
  /** Stored entries of the user × item history CSR, or null when the model keeps no history. */
  history: { nnz: number } | null;
  training: EpochReport[];
  provenance: Provenance | null;
  sections: SectionEntry[];
  /** Bytes of the data area (sections and padding), excluding the trailing checksum. */
  dataLength: number;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

function fail(message: string, value?: unknown, expected?: string): never {
  throw new MfrecError("E_MODEL_FORMAT", message, { value, expected });
}

type Section = { name: string; dtype: SectionDtype; data: Float32Array | Int32Array; shape: number[] };

function sectionsOf(model: FactorModel): Section[] {
  const s: Section[] = [
    { name: "userFactors", dtype: "float32", data: model.userFactors.data, shape: [model.numUsers, model.factors] },
    { name: "itemFactors", dtype: "float32", data: model.itemFactors.data, shape: [model.numItems, model.factors] },
  ];
  if (model.userBias) s.push({ name: "userBias", dtype: "float32", data: model.userBias, shape: [model.numUsers] });
  if (model.itemBias) s.push({ name: "itemBias", dtype: "float32", data: model.itemBias, shape: [model.numItems] });
  const h = model.history;
  if (h) {
    const nnz = h.indptr[h.rows]!;
    s.push({ name: "historyIndptr", dtype: "int32", data: h.indptr.subarray(0, h.rows + 1), shape: [h.rows + 1] });
    s.push({ name: "historyIndices", dtype: "int32", data: h.indices.subarray(0, nnz), shape: [nnz] });
    s.push({ name: "historyValues", dtype: "float32", data: h.values.subarray(0, nnz), shape: [nnz] });
  }
  return s;
}

function assertFiniteArray(name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new MfrecError("E_NOT_FINITE", `${name}[${i}] is ${a[i]}: refusing to save a model with non-finite values`, { value: String(a[i]) });
  }
}

/** Serialise a model to the version-1 file format. Throws E_NOT_FINITE for NaN/Infinity in the model. */
export function saveModel(model: FactorModel): Uint8Array {
  const sections = sectionsOf(model);
  for (const s of sections) if (s.data instanceof Float32Array) assertFiniteArray(s.name, s.data);
  if (!Number.isFinite(model.globalMean)) throw new MfrecError("E_NOT_FINITE", "the global mean is not finite", { value: String(model.globalMean) });
  const h = model.history;
  if (h && (h.rows !== model.numUsers || h.cols !== model.numItems)) {
    throw new MfrecError("E_SHAPE", "the history matrix does not match the model", { value: [h.rows, h.cols], expected: `${model.numUsers} × ${model.numItems}` });
  }
  let offset = 0;
  const table: SectionEntry[] = sections.map((s) => {
    const e: SectionEntry = { name: s.name, dtype: s.dtype, offset, length: s.data.byteLength, shape: s.shape };
    offset = align8(offset + s.data.byteLength);
    return e;
  });
  const header: ModelFileHeader = {
    format: "mfrec-model",
    formatVersion: MODEL_FORMAT_VERSION,
    algorithm: model.algorithm,
    config: model.config,
    users: model.numUsers,
    items: model.numItems,
    factors: model.factors,
    userIds: model.userIndex.ids(),
    itemIds: model.itemIndex.ids(),
    globalMean: model.globalMean,
    ratingScale: model.ratingScale ? [model.ratingScale[0], model.ratingScale[1]] : null,
    implicit: model.implicit,
    history: h ? { nnz: h.indptr[h.rows]! } : null,
    training: [...model.training],
    provenance: model.provenance ?? null,
    sections: table,
    dataLength: offset,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREFIX + json.length);
  const total = dataStart + offset + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MODEL_MAGIC, 0);
  view.setUint16(6, MODEL_FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, PREFIX);
  sections.forEach((s, n) => {
    writeArray(out, view, dataStart + table[n]!.offset, s.data);
  });
  view.setUint32(total - 4, crc32(out, 0, total - 4), true);
  return out;
}

function writeArray(out: Uint8Array, view: DataView, at: number, a: Float32Array | Int32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    return;
  }
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) view.setFloat32(at + 4 * i, a[i]!, true);
    else view.setInt32(at + 4 * i, a[i]!, true);
  }
}

function readArray(bytes: Uint8Array, at: number, byteLength: number, dtype: SectionDtype): Float32Array | Int32Array {
  // Copy: the caller's buffer may be unaligned (a Node Buffer from the pool) and the model owns its arrays.
  // (Buffer#slice is a view, not a copy: copy explicitly.)
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(at, at + byteLength));
  if (LITTLE_ENDIAN_HOST) return dtype === "float32" ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  const n = byteLength / 4;
  const v = new DataView(copy.buffer);
  const a = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = dtype === "float32" ? v.getFloat32(4 * i, true) : v.getInt32(4 * i, true);
  return a;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function needCount(h: Record<string, unknown>, key: string): number {
  const v = h[key];
  if (!isCount(v)) fail(`header field "${key}" is not a non-negative integer`, v, "an integer ≥ 0");
  return v;
}

/**
 * Check the fixed prefix, parse the JSON header and check the file length and checksum.
 * Returns the header (fields beyond `dataLength` still unchecked) and the data area's start.
 */
function readEnvelope(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail("a model must be given as bytes (Uint8Array)", typeof bytes);
  if (bytes.length < PREFIX) fail(`the file is ${bytes.length} bytes, shorter than the 12-byte prefix (truncated or not a model file)`);
  for (let i = 0; i < MODEL_MAGIC.length; i++) {
    if (bytes[i] !== MODEL_MAGIC[i]) {
      fail("not an mfrec model file: wrong magic bytes", Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" "), '"MFREC\\0" (4d 46 52 45 43 00)');
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(6, true);
  if (version !== MODEL_FORMAT_VERSION) {
    fail(`unsupported model format version ${version}`, version, `${MODEL_FORMAT_VERSION} (upgrade mfrec to read newer files)`);
  }
  const hlen = view.getUint32(8, true);
  if (PREFIX + hlen > bytes.length) fail(`the header (${hlen} bytes) runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + hlen)));
  } catch (e) {
    throw new MfrecError("E_MODEL_FORMAT", `the header is not valid UTF-8 JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObject(parsed)) fail("the header is not a JSON object", Array.isArray(parsed) ? "array" : typeof parsed);
  if (parsed.format !== "mfrec-model") fail('the header\'s "format" is not "mfrec-model"', parsed.format, '"mfrec-model"');
  if (parsed.formatVersion !== version) fail("the header's formatVersion disagrees with the prefix", parsed.formatVersion, String(version));
  const dataLength = needCount(parsed, "dataLength");
  if (dataLength % 8 !== 0) fail("dataLength is not a multiple of 8", dataLength);
  const dataStart = align8(PREFIX + hlen);
  const expected = dataStart + dataLength + 4;
  if (bytes.length < expected) fail(`the file is truncated: ${bytes.length} bytes, the header says ${expected}`, bytes.length, String(expected));
  if (bytes.length > expected) fail(`the file has ${bytes.length - expected} unexpected bytes after the checksum`, bytes.length, String(expected));
  const stored = view.getUint32(expected - 4, true);
  const actual = crc32(bytes, 0, expected - 4);
  if (stored !== actual) fail("checksum mismatch: the file is corrupted", `crc32 ${actual.toString(16).padStart(8, "0")}`, `crc32 ${stored.toString(16).padStart(8, "0")} (stored)`);
  return { header: parsed, dataStart };
}

function checkIds(h: Record<string, unknown>, key: "userIds" | "itemIds", n: number): string[] {
  const ids = h[key];
  if (!Array.isArray(ids)) fail(`header field "${key}" is not an array`, typeof ids);
  if (ids.length !== n) fail(`"${key}" has ${ids.length} ids but the model has ${n} rows`, ids.length, String(n));
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (typeof id !== "string") fail(`${key}[${i}] is not a string`, id);
    if (seen.has(id)) fail(`${key}[${i}] repeats the id ${JSON.stringify(id)}`, id, "distinct ids");
    seen.add(id);
  });
  return ids as string[];
}

function checkConfig(v: unknown, algorithm: string): ModelConfig {
  if (!isObject(v)) fail('header field "config" is not an object', typeof v);
  for (const [key, x] of Object.entries(v)) {
    const ok =
      x === null ||
      typeof x === "string" ||
      typeof x === "boolean" ||
      (typeof x === "number" && Number.isFinite(x)) ||
      (Array.isArray(x) && (x.every((e) => typeof e === "number" && Number.isFinite(e)) || x.every((e) => typeof e === "string")));
    if (!ok) fail(`config.${key} is not a plain JSON value`, x, "string, finite number, boolean, null or an array of numbers or strings");
  }
  if (v.algorithm !== algorithm) fail("config.algorithm disagrees with the header's algorithm", v.algorithm, JSON.stringify(algorithm));
  return v as ModelConfig;
}

function checkTraining(v: unknown): EpochReport[] {
  if (!Array.isArray(v)) fail('header field "training" is not an array', typeof v);
  v.forEach((r, i) => {
    if (!isObject(r) || typeof r.epoch !== "number" || (typeof r.loss !== "number" && r.loss !== null) || (typeof r.seconds !== "number" && r.seconds !== null)) {
      fail(`training[${i}] is not an epoch report`, r, "{ epoch, loss, seconds, … }");
    }
  });
  return v as EpochReport[];
}

function checkProvenance(v: unknown): Provenance | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isObject(v) || typeof v.createdAt !== "string" || typeof v.mfrecVersion !== "string") {
    fail('header field "provenance" is not { createdAt, mfrecVersion, … } or null', v);
  }
  for (const key of ["ratings", "fitSeconds"] as const) {
    if (v[key] !== undefined && typeof v[key] !== "number") fail(`provenance.${key} is not a number`, v[key]);
  }
  if (v.source !== undefined && typeof v.source !== "string") fail("provenance.source is not a string", v.source);
  return v as unknown as Provenance;
}

const KNOWN_SECTIONS = new Set(["userFactors", "itemFactors", "userBias", "itemBias", "historyIndptr", "historyIndices", "historyValues"]);

/** Validate the section table against the shapes and the data area; returns entries by name. */
function checkSections(v: unknown, dataLength: number): Map<string, SectionEntry> {
  if (!Array.isArray(v)) fail('header field "sections" is not an array', typeof v);
  const byName = new Map<string, SectionEntry>();
  for (const [n, e] of v.entries()) {
    if (!isObject(e)) fail(`sections[${n}] is not an object`, e);
    const name = e.name;
    if (typeof name !== "string" || !KNOWN_SECTIONS.has(name)) fail(`sections[${n}] has an unknown name`, name, [...KNOWN_SECTIONS].join(", "));
    if (byName.has(name)) fail(`section "${name}" occurs twice`, name);
    if (e.dtype !== "float32" && e.dtype !== "int32") fail(`section "${name}" has an unknown dtype`, e.dtype, '"float32" or "int32"');
    const { offset, length } = e;
    if (!isCount(offset) || !isCount(length)) fail(`section "${name}" has a bad offset or length`, { offset, length }, "non-negative integers");
    if (offset % 8 !== 0) fail(`section "${name}" is not 8-byte aligned`, offset, "a multiple of 8");
    if (length % 4 !== 0) fail(`section "${name}" length is not a whole number of 4-byte elements`, length);
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

function expectSection(table: Map<string, SectionEntry>, name: string, dtype: SectionDtype, shape: number[]): SectionEntry {
  const e = table.get(name);
  if (!e) fail(`the required section "${name}" is missing`);
  if (e.dtype !== dtype) fail(`section "${name}" has dtype ${e.dtype}`, e.dtype, dtype);
  const count = shape.reduce((a, b) => a * b, 1);
  if (e.length !== count * 4 || e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
    fail(`section "${name}" has shape [${e.shape}] and ${e.length} bytes`, e.shape, `shape [${shape}], ${count * 4} bytes`);
  }
  return e;
}

function checkFinite(name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) fail(`${name}[${i}] is not finite`, String(a[i]), "a finite number");
}

/** Read only the validated header of a model file (prefix, JSON, length and checksum are checked). */
export function readModelHeader(bytes: Uint8Array): ModelFileHeader {
  return loadParts(bytes).header;
}

function loadParts(bytes: Uint8Array): { header: ModelFileHeader; dataStart: number; table: Map<string, SectionEntry> } {
  const { header: h, dataStart } = readEnvelope(bytes);
  if (typeof h.algorithm !== "string" || h.algorithm === "") fail('header field "algorithm" is not a non-empty string', h.algorithm);
  const users = needCount(h, "users");
  const items = needCount(h, "items");
  needCount(h, "factors");
  checkIds(h, "userIds", users);
  checkIds(h, "itemIds", items);
  checkConfig(h.config, h.algorithm);
  if (typeof h.globalMean !== "number" || !Number.isFinite(h.globalMean)) fail("globalMean is not a finite number", h.globalMean);
  const rs = h.ratingScale;
  if (rs !== null && !(Array.isArray(rs) && rs.length === 2 && rs.every((x) => typeof x === "number" && Number.isFinite(x)) && rs[0] <= rs[1])) {
    fail("ratingScale is not null or [low, high] with low ≤ high", rs);
  }
  if (typeof h.implicit !== "boolean") fail('header field "implicit" is not a boolean', h.implicit);
  if (h.history !== null && !(isObject(h.history) && isCount(h.history.nnz))) fail('header field "history" is not null or { nnz }', h.history);
  checkTraining(h.training);
  checkProvenance(h.provenance);
  const table = checkSections(h.sections, h.dataLength as number);
  return { header: h as unknown as ModelFileHeader, dataStart, table };
}

/**
 * Parse and validate a model file. Rejects anything truncated, corrupted (CRC-32), of another
 * magic or version, with malformed header JSON, out-of-bounds or misaligned sections, shapes that
 * disagree with the ids, an inconsistent history CSR or non-finite numbers, with MfrecError
 * E_MODEL_FORMAT saying which.
 */
export function loadModel(bytes: Uint8Array): FactorModel {
  const { header: h, dataStart, table } = loadParts(bytes);
  const { users, items, factors: k } = h;
  const read = (name: string, dtype: SectionDtype, shape: number[]) => {
    const e = expectSection(table, name, dtype, shape);
    return readArray(bytes, dataStart + e.offset, e.length, dtype);
  };
  const P = read("userFactors", "float32", [users, k]) as Float32Array;
  const Q = read("itemFactors", "float32", [items, k]) as Float32Array;
  checkFinite("userFactors", P);
  checkFinite("itemFactors", Q);
  const userBias = table.has("userBias") ? (read("userBias", "float32", [users]) as Float32Array) : undefined;
  const itemBias = table.has("itemBias") ? (read("itemBias", "float32", [items]) as Float32Array) : undefined;
  if (userBias) checkFinite("userBias", userBias);
  if (itemBias) checkFinite("itemBias", itemBias);
  let history: CsrMatrix | undefined;
  const historyNames = ["historyIndptr", "historyIndices", "historyValues"];
  if (h.history === null) {
    for (const n of historyNames) if (table.has(n)) fail(`section "${n}" is present but the header says the model has no history`);
  } else {
    const nnz = h.history.nnz;
    const indptr = read("historyIndptr", "int32", [users + 1]) as Int32Array;
    const indices = read("historyIndices", "int32", [nnz]) as Int32Array;
    const values = read("historyValues", "float32", [nnz]) as Float32Array;
    if (indptr[0] !== 0 || indptr[users] !== nnz) fail("the history indptr does not run from 0 to nnz", [indptr[0], indptr[users]], `[0, ${nnz}]`);
    for (let u = 0; u < users; u++) if (indptr[u + 1]! < indptr[u]!) fail(`the history indptr decreases at row ${u}`, [indptr[u], indptr[u + 1]]);
    for (let j = 0; j < nnz; j++) if (indices[j]! < 0 || indices[j]! >= items) fail(`historyIndices[${j}] is out of range`, indices[j], `0..${items - 1}`);
    checkFinite("historyValues", values);
    history = { rows: users, cols: items, indptr, indices, values };
  }
  return new FactorModel({
    config: h.config,
    userFactors: { rows: users, cols: k, data: P },
    itemFactors: { rows: items, cols: k, data: Q },
    userIndex: IdIndex.from(h.userIds),
    itemIndex: IdIndex.from(h.itemIds),
    globalMean: h.globalMean,
    userBias,
    itemBias,
    history,
    ratingScale: h.ratingScale ?? undefined,
    implicit: h.implicit,
    training: h.training,
    provenance: h.provenance ?? undefined,
  });
}
