/**
 * The mfrec model file, versions 1 to 4 (bytes in, bytes out; browser-safe). Version 2 is version 1
 * plus an optional ranking part (header field "ranking", sections rankingUserFactors and
 * rankingItemFactors); version 3 is version 2 plus the feature vectors of a hybrid model (header field
 * "features", sections itemFeatureFactors, itemFeatureBias, userFeatureFactors); version 4 is version 3
 * plus what a bayes-fm model keeps for fold-in: user feature biases (userFeatureBias), unit-length
 * normalization ("l2") and the implicit-feedback vectors (features.ratedItems / features.raters, sections
 * ratedItemFactors, ratedItemBias, raterFactors, raterBias), and the time effects of a bayes-fm model with time
 * groups (header field "time", sections timeBinKeys, timeBinFactors, timeBinBias, userDayIndptr, userDayDays,
 * userDayBias). A file is written with the lowest version that holds the model, and all four load. Layout, all
 * integers little-endian (docs/model-format.md describes it byte by byte):
 *
 *   0        6  magic "MFREC\0"
 *   6        2  uint16 format version (1, or 2 with a ranking part)
 *   8        4  uint32 header byte length H
 *   12       H  header: UTF-8 JSON (see {@link ModelFileHeader})
 *   D = align8(12 + H)  data area: sections at header-given offsets from D, each 8-byte aligned,
 *                       zero padding between, `dataLength` bytes in all (a multiple of 8)
 *   D + dataLength   4  uint32 CRC-32 (IEEE) of every byte before it
 *
 * The loader validates every field and bound and never evaluates anything (JSON.parse only).
 */
import { type ContainerChunks, type ContainerKind, containerChunks, type Fail, type ParsedContainer, type SectionData, type SectionEntry, checkFiniteArray, failer, isCount, isObject, joinChunks, readContainer, readSection } from "../core/container.js";
import { MfrecError } from "../core/errors.js";
import type { EpochReport } from "../core/types.js";
import { IdIndex } from "../data/id-index.js";
import type { CsrMatrix } from "../matrix/csr.js";
import { FactorModel, type FeatureFactors, type ModelConfig, type ModelFeatures, type Provenance, type TimeEffects } from "./factor-model.js";

export type { SectionDtype, SectionEntry } from "../core/container.js";

/** "MFREC\0": the first six bytes of every model file. */
export const MODEL_MAGIC: readonly number[] = [0x4d, 0x46, 0x52, 0x45, 0x43, 0x00];
/**
 * The newest format version this code writes (4: with bayes-fm's feature and implicit vectors or its time effects;
 * 3: with a hybrid model's feature vectors; 2: with a ranking part; otherwise 1) and reads (1 to 4).
 */
export const MODEL_FORMAT_VERSION = 4;

const KIND_V1: ContainerKind = {
  magic: MODEL_MAGIC,
  version: 1,
  format: "mfrec-model",
  label: "mfrec model file",
  noun: "model",
  code: "E_MODEL_FORMAT",
  sections: new Set(["userFactors", "itemFactors", "userBias", "itemBias", "historyIndptr", "historyIndices", "historyValues"]),
};
const KIND_V2: ContainerKind = { ...KIND_V1, version: 2, sections: new Set([...KIND_V1.sections, "rankingUserFactors", "rankingItemFactors"]) };
const KIND_V3: ContainerKind = { ...KIND_V2, version: 3, sections: new Set([...KIND_V2.sections, "itemFeatureFactors", "itemFeatureBias", "userFeatureFactors"]) };
const TIME_SECTIONS = ["timeBinKeys", "timeBinFactors", "timeBinBias", "userDayIndptr", "userDayDays", "userDayBias"];
const KIND_V4: ContainerKind = {
  ...KIND_V3,
  version: 4,
  sections: new Set([...KIND_V3.sections, "userFeatureBias", "ratedItemFactors", "ratedItemBias", "raterFactors", "raterBias", ...TIME_SECTIONS]),
};
const KIND = KIND_V1;

/** The container kind of a file by its version bytes (anything but 1 to 3 is checked as version 4, the newest). */
function kindOf(bytes: Uint8Array): ContainerKind {
  const ok = bytes instanceof Uint8Array && bytes.length >= 8 && bytes[7] === 0;
  return ok && bytes[6] === 1 ? KIND_V1 : ok && bytes[6] === 2 ? KIND_V2 : ok && bytes[6] === 3 ? KIND_V3 : KIND_V4;
}

/** The time effects in a version-4 header (their numbers: the time sections). */
export interface TimeHeader {
  /** The time bins (sections timeBinKeys, timeBinFactors, timeBinBias), or null. */
  bins: { unit: "day" | "week"; seconds: number; count: number } | null;
  /** The user-day biases (sections userDayIndptr, userDayDays, userDayBias), or null. */
  userDay: { count: number } | null;
}

/** One side's feature vocabulary in a version-3 header (its vectors: section itemFeatureFactors / userFeatureFactors). */
export interface FeatureSideHeader {
  vocabulary: string[];
  /** Version 4 also "l2" (unit length). */
  normalize: boolean | "l2";
  /** True when the side has per-feature biases (section itemFeatureBias; version 4 also userFeatureBias). */
  bias: boolean;
}

/**
 * Version 4: an implicit-feedback group's vectors (sections ratedItemFactors / raterFactors and their biases). Its
 * vocabulary is not repeated: row r is the model's item (ratedItems) or user (raters) r, for r < `rows`.
 */
export interface ImplicitGroupHeader {
  rows: number;
  normalize: boolean | "l2";
  bias: boolean;
}

/** The ranking part in a version-2 header (its factors are the sections rankingUserFactors / rankingItemFactors). */
export interface RankingHeader {
  algorithm: string;
  config: ModelConfig;
  factors: number;
  training: EpochReport[];
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
  /** Version 2: the ranking part (absent or null = none). */
  ranking?: RankingHeader | null;
  /** Version 3: the feature vocabularies of a hybrid model (absent or null = none); version 4 adds ratedItems / raters. */
  features?: { items: FeatureSideHeader | null; users: FeatureSideHeader | null; ratedItems?: ImplicitGroupHeader | null; raters?: ImplicitGroupHeader | null } | null;
  /** Version 4: the time effects (absent or null = none). */
  time?: TimeHeader | null;
  sections: SectionEntry[];
  /** Bytes of the data area (sections and padding), excluding the trailing checksum. */
  dataLength: number;
}

const fail: Fail = failer(KIND);

function sectionsOf(model: FactorModel): SectionData[] {
  const s: SectionData[] = [
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
  const r = model.ranking;
  if (r) {
    s.push({ name: "rankingUserFactors", dtype: "float32", data: r.userFactors.data, shape: [r.numUsers, r.factors] });
    s.push({ name: "rankingItemFactors", dtype: "float32", data: r.itemFactors.data, shape: [r.numItems, r.factors] });
  }
  const f = model.features;
  if (f?.items) {
    s.push({ name: "itemFeatureFactors", dtype: "float32", data: f.items.factors.data, shape: [f.items.factors.rows, f.items.factors.cols] });
    if (f.items.bias) s.push({ name: "itemFeatureBias", dtype: "float32", data: f.items.bias, shape: [f.items.bias.length] });
  }
  if (f?.users) {
    s.push({ name: "userFeatureFactors", dtype: "float32", data: f.users.factors.data, shape: [f.users.factors.rows, f.users.factors.cols] });
    if (f.users.bias) s.push({ name: "userFeatureBias", dtype: "float32", data: f.users.bias, shape: [f.users.bias.length] });
  }
  for (const [g, vectors, biasName] of [
    [f?.ratedItems, "ratedItemFactors", "ratedItemBias"],
    [f?.raters, "raterFactors", "raterBias"],
  ] as const) {
    if (!g) continue;
    s.push({ name: vectors, dtype: "float32", data: g.factors.data, shape: [g.factors.rows, g.factors.cols] });
    if (g.bias) s.push({ name: biasName, dtype: "float32", data: g.bias, shape: [g.bias.length] });
  }
  const t = model.time;
  if (t?.bins) {
    const b = t.bins;
    s.push({ name: "timeBinKeys", dtype: "int32", data: b.keys, shape: [b.keys.length] });
    s.push({ name: "timeBinFactors", dtype: "float32", data: b.factors.data, shape: [b.factors.rows, b.factors.cols] });
    s.push({ name: "timeBinBias", dtype: "float32", data: b.bias, shape: [b.bias.length] });
  }
  if (t?.userDay) {
    const d = t.userDay;
    s.push({ name: "userDayIndptr", dtype: "int32", data: d.indptr, shape: [d.indptr.length] });
    s.push({ name: "userDayDays", dtype: "int32", data: d.days, shape: [d.days.length] });
    s.push({ name: "userDayBias", dtype: "float32", data: d.bias, shape: [d.bias.length] });
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
  return joinChunks(modelFileChunks(model));
}

/**
 * The bytes of {@link saveModel} as chunks (views of the model's arrays, no copy), validated up front:
 * what file writers stream so that saving never holds a second copy of the model.
 */
export function modelFileChunks(model: FactorModel): ContainerChunks {
  const sections = sectionsOf(model);
  for (const s of sections) if (s.data instanceof Float32Array) assertFiniteArray(s.name, s.data);
  if (!Number.isFinite(model.globalMean)) throw new MfrecError("E_NOT_FINITE", "the global mean is not finite", { value: String(model.globalMean) });
  const h = model.history;
  if (h && (h.rows !== model.numUsers || h.cols !== model.numItems)) {
    throw new MfrecError("E_SHAPE", "the history matrix does not match the model", { value: [h.rows, h.cols], expected: `${model.numUsers} × ${model.numItems}` });
  }
  const header = {
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
  };
  const r = model.ranking;
  const f = model.features;
  const t = model.time && (model.time.bins || model.time.userDay) ? model.time : undefined;
  if (!r && !f && !t) return containerChunks(KIND_V1, header, sections);
  if (r && (r.userBias || r.itemBias || r.globalMean !== 0)) throw new MfrecError("E_UNSUPPORTED", "a ranking part with biases cannot be saved", { expected: "a ranking part of factors only (e.g. ials)" });
  const ranking: RankingHeader | null = r ? { algorithm: r.algorithm, config: r.config, factors: r.factors, training: [...r.training] } : null;
  if (!f && !t) return containerChunks(KIND_V2, { ...header, ranking }, sections);
  const side = (x: FeatureFactors | undefined): FeatureSideHeader | null => (x ? { vocabulary: x.vocabulary.ids(), normalize: x.normalize, bias: x.bias !== undefined } : null);
  const v4 = t !== undefined || (f !== undefined && (f.users?.bias !== undefined || f.ratedItems !== undefined || f.raters !== undefined || f.items?.normalize === "l2" || f.users?.normalize === "l2"));
  if (!v4) return containerChunks(KIND_V3, { ...header, ranking, features: f ? { items: side(f.items), users: side(f.users) } : null }, sections);
  const implicit = (g: FeatureFactors | undefined, index: FactorModel["itemIndex"], what: string): ImplicitGroupHeader | null => {
    if (!g) return null;
    const n = g.vocabulary.size;
    if (n > index.size) throw new MfrecError("E_SHAPE", `the ${what} vectors have more rows than the model has ids`, { value: n, expected: `at most ${index.size}` });
    for (let r = 0; r < n; r++) {
      if (g.vocabulary.idAt(r) !== index.idAt(r)) throw new MfrecError("E_SHAPE", `row ${r} of the ${what} vectors is not the model's id ${r}`, { value: String(g.vocabulary.idAt(r)), expected: String(index.idAt(r)) });
    }
    return { rows: n, normalize: g.normalize, bias: g.bias !== undefined };
  };
  const features = f ? { items: side(f.items), users: side(f.users), ratedItems: implicit(f.ratedItems, model.itemIndex, "rated-item"), raters: implicit(f.raters, model.userIndex, "rater") } : null;
  const time: TimeHeader | null = t
    ? { bins: t.bins ? { unit: t.bins.unit, seconds: t.bins.seconds, count: t.bins.keys.length } : null, userDay: t.userDay ? { count: t.userDay.days.length } : null }
    : null;
  return containerChunks(KIND_V4, { ...header, ranking, features, ...(time ? { time } : {}) }, sections);
}

function needCount(h: Record<string, unknown>, key: string): number {
  const v = h[key];
  if (!isCount(v)) fail(`header field "${key}" is not a non-negative integer`, v, "an integer ≥ 0");
  return v;
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
  if (v.warnings !== undefined) {
    if (!Array.isArray(v.warnings)) fail("provenance.warnings is not an array", typeof v.warnings);
    v.warnings.forEach((w, i) => {
      const ok = isObject(w) && typeof w.code === "string" && (w.side === "user" || w.side === "item") && isCount(w.count) && typeof w.message === "string" && Array.isArray(w.examples) && w.examples.every((x) => typeof x === "string");
      if (!ok) fail(`provenance.warnings[${i}] is not { code, side, count, message, examples }`, w);
    });
  }
  return v as unknown as Provenance;
}

const checkFinite = (name: string, a: Float32Array): void => checkFiniteArray(KIND, name, a);

/** Read only the validated header of a model file (prefix, JSON, length and checksum are checked). */
export function readModelHeader(bytes: Uint8Array): ModelFileHeader {
  return loadParts(bytes).header;
}

function loadParts(bytes: Uint8Array): { header: ModelFileHeader; container: ParsedContainer; kind: ContainerKind } {
  const kind = kindOf(bytes);
  const container = readContainer(kind, bytes);
  const h = container.header;
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
  if (kind.version >= 2 && h.ranking !== undefined && h.ranking !== null) {
    const r = h.ranking;
    if (!isObject(r) || typeof r.algorithm !== "string" || r.algorithm === "") fail('header field "ranking" is not null or { algorithm, config, factors, training }', r);
    if (!isCount(r.factors)) fail("ranking.factors is not a non-negative integer", r.factors, "an integer ≥ 0");
    checkConfig(r.config, r.algorithm);
    checkTraining(r.training);
  } else if (kind.version === 1 && h.ranking !== undefined) fail('header field "ranking" needs format version 2', h.ranking);
  const normalizeOk = (v: unknown): boolean => typeof v === "boolean" || (kind.version >= 4 && v === "l2");
  if (kind.version >= 3 && h.features !== undefined && h.features !== null) {
    const f = h.features;
    if (!isObject(f)) fail('header field "features" is not null or { items, users }', f);
    for (const [key, ids] of [
      ["ratedItems", items],
      ["raters", users],
    ] as const) {
      const x = f[key];
      if (x === null || x === undefined) continue;
      if (kind.version < 4) fail(`header field "features.${key}" needs format version 4`, x);
      if (!isObject(x) || !isCount(x.rows) || !normalizeOk(x.normalize) || typeof x.bias !== "boolean") fail(`features.${key} is not null or { rows, normalize, bias }`, x);
      if (x.rows > ids) fail(`features.${key}.rows is more than the model's ${key === "ratedItems" ? "items" : "users"}`, x.rows, `at most ${ids}`);
    }
    for (const key of ["items", "users"] as const) {
      const x = f[key];
      if (x === null || x === undefined) continue;
      if (!isObject(x) || !normalizeOk(x.normalize) || typeof x.bias !== "boolean") fail(`features.${key} is not null or { vocabulary, normalize, bias }`, x);
      if (key === "users" && x.bias && kind.version < 4) fail("features.users.bias must be false in version 3 (user feature biases are stored from version 4)", x.bias);
      const voc = x.vocabulary;
      if (!Array.isArray(voc)) fail(`features.${key}.vocabulary is not an array`, typeof voc);
      const seen = new Set<string>();
      voc.forEach((name, i) => {
        if (typeof name !== "string" || name === "") fail(`features.${key}.vocabulary[${i}] is not a non-empty string`, name);
        if (seen.has(name)) fail(`features.${key}.vocabulary[${i}] repeats the feature ${JSON.stringify(name)}`, name, "distinct names");
        seen.add(name);
      });
    }
  } else if (kind.version < 3 && h.features !== undefined) fail('header field "features" needs format version 3', h.features);
  if (kind.version >= 4 && h.time !== undefined && h.time !== null) {
    const t = h.time;
    if (!isObject(t)) fail('header field "time" is not null or { bins, userDay }', t);
    const b = t.bins;
    if (b !== null && b !== undefined) {
      if (!isObject(b) || (b.unit !== "day" && b.unit !== "week") || b.seconds !== (b.unit === "day" ? 86400 : 604800) || !isCount(b.count)) {
        fail("time.bins is not null or { unit: day | week, seconds: 86400 | 604800, count }", b);
      }
    }
    const d = t.userDay;
    if (d !== null && d !== undefined && !(isObject(d) && isCount(d.count))) fail("time.userDay is not null or { count }", d);
  } else if (kind.version < 4 && h.time !== undefined) fail('header field "time" needs format version 4', h.time);
  return { header: h as unknown as ModelFileHeader, container, kind };
}

/**
 * Parse and validate a model file. Rejects anything truncated, corrupted (CRC-32), of another
 * magic or version, with malformed header JSON, out-of-bounds or misaligned sections, shapes that
 * disagree with the ids, an inconsistent history CSR or non-finite numbers, with MfrecError
 * E_MODEL_FORMAT saying which.
 */
export function loadModel(bytes: Uint8Array): FactorModel {
  const { header: h, container, kind } = loadParts(bytes);
  const table = container.sections;
  const { users, items, factors: k } = h;
  const read = (name: string, dtype: "float32" | "int32", shape: number[]) =>
    dtype === "float32" ? readSection(kind, container, bytes, name, "float32", shape) : readSection(kind, container, bytes, name, "int32", shape);
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
  const userIndex = IdIndex.from(h.userIds);
  const itemIndex = IdIndex.from(h.itemIds);
  let ranking: FactorModel | undefined;
  const rh = h.ranking ?? null;
  if (rh === null) {
    for (const n of ["rankingUserFactors", "rankingItemFactors"]) if (table.has(n)) fail(`section "${n}" is present but the header has no ranking part`);
  } else {
    const rk = rh.factors;
    const RP = read("rankingUserFactors", "float32", [users, rk]) as Float32Array;
    const RQ = read("rankingItemFactors", "float32", [items, rk]) as Float32Array;
    checkFinite("rankingUserFactors", RP);
    checkFinite("rankingItemFactors", RQ);
    ranking = new FactorModel({
      config: rh.config,
      userFactors: { rows: users, cols: rk, data: RP },
      itemFactors: { rows: items, cols: rk, data: RQ },
      userIndex,
      itemIndex,
      history,
      implicit: true,
      training: rh.training,
    });
  }
  let features: ModelFeatures | undefined;
  const fh = h.features ?? null;
  const featureNames = ["itemFeatureFactors", "itemFeatureBias", "userFeatureFactors", "userFeatureBias", "ratedItemFactors", "ratedItemBias", "raterFactors", "raterBias"];
  if (fh === null) {
    for (const n of featureNames) if (table.has(n)) fail(`section "${n}" is present but the header has no features`);
  } else {
    const side = (x: { vocabulary: string[] | IdIndex; normalize: boolean | "l2"; bias: boolean } | null, vectors: string, biasName: string | null): FeatureFactors | undefined => {
      if (!x) {
        for (const n of [vectors, biasName]) if (n && table.has(n)) fail(`section "${n}" is present but the header has no vocabulary for it`);
        return undefined;
      }
      const F = x.vocabulary instanceof IdIndex ? x.vocabulary.size : x.vocabulary.length;
      const data = read(vectors, "float32", [F, k]) as Float32Array;
      checkFinite(vectors, data);
      let bias: Float32Array | undefined;
      if (biasName && x.bias) {
        bias = read(biasName, "float32", [F]) as Float32Array;
        checkFinite(biasName, bias);
      } else if (biasName && table.has(biasName)) fail(`section "${biasName}" is present but features say there is no bias`);
      return { vocabulary: x.vocabulary instanceof IdIndex ? x.vocabulary : IdIndex.from(x.vocabulary), factors: { rows: F, cols: k, data }, bias, normalize: x.normalize };
    };
    // An implicit group's rows are the model's first `rows` items (users): the whole index, or a prefix of it.
    const prefix = (index: IdIndex, ids: string[], rows: number): IdIndex => (rows === index.size ? index : IdIndex.from(ids.slice(0, rows)));
    const implicit = (x: ImplicitGroupHeader | null | undefined, index: IdIndex, ids: string[], vectors: string, biasName: string) =>
      side(x ? { vocabulary: prefix(index, ids, x.rows), normalize: x.normalize, bias: x.bias } : null, vectors, biasName);
    features = { items: side(fh.items, "itemFeatureFactors", "itemFeatureBias"), users: side(fh.users, "userFeatureFactors", "userFeatureBias") };
    const ratedItems = implicit(fh.ratedItems, itemIndex, h.itemIds, "ratedItemFactors", "ratedItemBias");
    const raters = implicit(fh.raters, userIndex, h.userIds, "raterFactors", "raterBias");
    if (ratedItems) features.ratedItems = ratedItems;
    if (raters) features.raters = raters;
  }
  const time = readTime(h, k, users, table, (name, dtype, shape) => read(name, dtype, shape));
  return new FactorModel({
    features,
    ranking,
    time,
    config: h.config,
    userFactors: { rows: users, cols: k, data: P },
    itemFactors: { rows: items, cols: k, data: Q },
    userIndex,
    itemIndex,
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

/** The time effects of a version-4 file (undefined: none); every section is checked against the header. */
function readTime(
  h: ModelFileHeader,
  k: number,
  users: number,
  table: { has(name: string): boolean },
  read: (name: string, dtype: "float32" | "int32", shape: number[]) => Float32Array | Int32Array,
): TimeEffects | undefined {
  const th = h.time ?? null;
  const bh = th?.bins ?? null;
  const dh = th?.userDay ?? null;
  if (!bh) for (const n of TIME_SECTIONS.slice(0, 3)) if (table.has(n)) fail(`section "${n}" is present but the header has no time bins`);
  if (!dh) for (const n of TIME_SECTIONS.slice(3)) if (table.has(n)) fail(`section "${n}" is present but the header has no user-day biases`);
  if (!bh && !dh) return undefined;
  const out: TimeEffects = {};
  if (bh) {
    const nb = bh.count;
    const keys = read("timeBinKeys", "int32", [nb]) as Int32Array;
    for (let r = 1; r < nb; r++) if (keys[r]! <= keys[r - 1]!) fail(`timeBinKeys[${r}] does not increase`, [keys[r - 1], keys[r]], "increasing bin numbers");
    const factors = read("timeBinFactors", "float32", [nb, k]) as Float32Array;
    const bias = read("timeBinBias", "float32", [nb]) as Float32Array;
    checkFinite("timeBinFactors", factors);
    checkFinite("timeBinBias", bias);
    out.bins = { unit: bh.unit, seconds: bh.seconds, keys, factors: { rows: nb, cols: k, data: factors }, bias };
  }
  if (dh) {
    const nd = dh.count;
    const indptr = read("userDayIndptr", "int32", [users + 1]) as Int32Array;
    const days = read("userDayDays", "int32", [nd]) as Int32Array;
    const bias = read("userDayBias", "float32", [nd]) as Float32Array;
    if (indptr[0] !== 0 || indptr[users] !== nd) fail("the userDayIndptr does not run from 0 to the day count", [indptr[0], indptr[users]], `[0, ${nd}]`);
    for (let u = 0; u < users; u++) {
      if (indptr[u + 1]! < indptr[u]!) fail(`the userDayIndptr decreases at row ${u}`, [indptr[u], indptr[u + 1]]);
      for (let j = indptr[u]! + 1; j < indptr[u + 1]!; j++) if (days[j]! <= days[j - 1]!) fail(`userDayDays[${j}] does not increase within user row ${u}`, [days[j - 1], days[j]], "increasing days");
    }
    checkFinite("userDayBias", bias);
    out.userDay = { indptr, days, bias };
  }
  return out;
}
