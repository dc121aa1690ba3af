/**
 * The mfrec ANN index file, version 2 (bytes in, bytes out; browser-safe), saved beside its model
 * (CLI: m.mfr → m.mfr.ann). The container of the model file (core/container.ts):
 *
 *   0   6  magic "MFANN\0"      6  uint16 version (2; 1 is still read)     8  uint32 header length H
 *   12  H  UTF-8 JSON header: kind ("hnsw-mips" or, from version 2, "ivf-mips"), items, factors,
 *          itemBias, modelChecksum (itemSideChecksum), the build parameters (M, efConstruction, seed,
 *          efSearch; version 2 adds method, nlist, nprobe, kmeansSample, kmeansIters), sections, and
 *          hnsw-mips: entry, maxLevel, upperSlots; ivf-mips: rowWidth (k + bias + 1 rounded up to 4)
 *   then 8-aligned sections and a trailing CRC-32 of every byte before it:
 *     hnsw-mips: int32 levels [n], deg0 [n], links0 [n, 2M], upperDeg [slots/M], upper [slots]
 *     ivf-mips:  float32 centroids [nlist, rowWidth], int32 offsets [nlist + 1], int32 ids [n]
 *                (list c holds ids[offsets[c] .. offsets[c+1]); ids a permutation of 0..n−1)
 *
 * Version 1 (HNSW only, no method/IVF fields) is still read; newer versions are refused (E_MODEL_FORMAT).
 * The factors themselves are not stored: the index reads them from the model, so loading checks
 * that the model is the one it was built from (item count, factor count, bias or not, checksum).
 */
import { type ContainerKind, type Fail, failer, isCount, readContainer, readSection, writeContainer } from "../core/container.js";
import { MfrecError } from "../core/errors.js";
import type { HnswGraph } from "../kernels/hnsw.js";
import { upperOffsets } from "../kernels/hnsw.js";
import { ivfDim } from "../kernels/ivf.js";
import { type AnnIndex, annParams, attachAnnIndex, bindGraph, bindIvf, itemSideChecksum } from "./ann-index.js";
import type { FactorModel } from "./factor-model.js";

/** "MFANN\0". */
export const ANN_MAGIC: readonly number[] = [0x4d, 0x46, 0x41, 0x4e, 0x4e, 0x00];
export const ANN_FORMAT_VERSION = 2;

const KIND: ContainerKind = {
  magic: ANN_MAGIC,
  version: ANN_FORMAT_VERSION,
  format: "mfrec-ann",
  label: "mfrec ANN index file",
  noun: "ANN index",
  code: "E_MODEL_FORMAT",
  sections: new Set(["levels", "deg0", "links0", "upperDeg", "upper", "centroids", "offsets", "ids"]),
};

/** Version 1 files (HNSW only) are still read. */
const KIND_V1: ContainerKind = { ...KIND, version: 1, sections: new Set(["levels", "deg0", "links0", "upperDeg", "upper"]) };

/** The container kind of these bytes' version (v1 or the current one; others fail in readContainer). */
function kindOf(bytes: Uint8Array): ContainerKind {
  if (bytes.length >= 8 && ANN_MAGIC.every((b, i) => bytes[i] === b) && (bytes[6]! | (bytes[7]! << 8)) === 1) return KIND_V1;
  return KIND;
}

/** The JSON header of an index file. */
export interface AnnFileHeader {
  format: "mfrec-ann";
  formatVersion: number;
  kind: "hnsw-mips" | "ivf-mips";
  items: number;
  factors: number;
  itemBias: boolean;
  modelChecksum: string;
  seed: number;
  /** hnsw-mips */
  M?: number;
  efConstruction?: number;
  efSearch?: number;
  entry?: number;
  maxLevel?: number;
  upperSlots?: number;
  /** version 2 */
  method?: "hnsw" | "ivf";
  nlist?: number;
  nprobe?: number;
  kmeansSample?: number;
  kmeansIters?: number;
  /** ivf-mips: padded row width of the centroids */
  rowWidth?: number;
}

/** Serialise an index (the graph and its header; not the factors). */
export function saveAnnIndex(index: AnnIndex): Uint8Array {
  const m = index.model;
  const L = index.ivf;
  if (L) {
    const header: Omit<AnnFileHeader, "format" | "formatVersion"> = {
      kind: "ivf-mips",
      items: m.numItems,
      factors: m.factors,
      itemBias: m.itemBias !== undefined,
      modelChecksum: index.checksum,
      method: "ivf",
      seed: index.params.seed,
      nlist: index.params.nlist,
      nprobe: index.params.nprobe,
      kmeansSample: index.params.kmeansSample,
      kmeansIters: index.params.kmeansIters,
      rowWidth: L.d,
    };
    return writeContainer(KIND, header as unknown as Record<string, unknown>, [
      { name: "centroids", dtype: "float32", data: L.centroids, shape: [L.nlist, L.d] },
      { name: "offsets", dtype: "int32", data: L.offsets, shape: [L.nlist + 1] },
      { name: "ids", dtype: "int32", data: L.ids, shape: [L.n] },
    ]);
  }
  const g = index.graph!;
  const header: Omit<AnnFileHeader, "format" | "formatVersion"> = {
    kind: "hnsw-mips",
    items: m.numItems,
    factors: m.factors,
    itemBias: m.itemBias !== undefined,
    modelChecksum: index.checksum,
    method: "hnsw",
    M: index.params.M,
    efConstruction: index.params.efConstruction,
    seed: index.params.seed,
    efSearch: index.params.efSearch,
    entry: g.entry,
    maxLevel: g.maxLevel,
    upperSlots: g.upper.length,
  };
  return writeContainer(KIND, header as unknown as Record<string, unknown>, [
    { name: "levels", dtype: "int32", data: g.levels, shape: [g.n] },
    { name: "deg0", dtype: "int32", data: g.deg0, shape: [g.n] },
    { name: "links0", dtype: "int32", data: g.links0, shape: [g.n, 2 * g.M] },
    { name: "upperDeg", dtype: "int32", data: g.upperDeg, shape: [g.upperDeg.length] },
    { name: "upper", dtype: "int32", data: g.upper, shape: [g.upper.length] },
  ]);
}

/** Read an index file's header (validated container, no model needed). */
export function readAnnHeader(bytes: Uint8Array): AnnFileHeader {
  return readContainer(kindOf(bytes), bytes).header as unknown as AnnFileHeader;
}

/**
 * Load an index for `model`: validates the container and every link, then refuses an index built
 * from another model with E_INDEX_MISMATCH (item count, factor count, biases or checksum differ).
 * The loaded index is attached to the model (`ann: true` uses it).
 */
export function loadAnnIndex(bytes: Uint8Array, model: FactorModel, file?: string, kernels?: "auto" | "wasm" | "ts"): AnnIndex {
  model = model.ranker; // an index covers the factors top-N lists rank by
  const KIND = kindOf(bytes);
  const fail: Fail = failer(KIND);
  const c = readContainer(KIND, bytes);
  const h = c.header;
  if (KIND.version >= 2 && h.kind === "ivf-mips") return loadIvf(KIND, c, bytes, model, file, kernels);
  if (h.kind !== "hnsw-mips") fail(`header field "kind" is not ${KIND.version >= 2 ? '"hnsw-mips" or "ivf-mips"' : '"hnsw-mips"'}`, h.kind, KIND.version >= 2 ? '"hnsw-mips" | "ivf-mips"' : '"hnsw-mips"');
  for (const f of ["items", "factors", "M", "efConstruction", "efSearch", "entry", "maxLevel", "upperSlots"] as const) {
    if (!isCount(h[f])) fail(`header field "${f}" is not a non-negative integer`, h[f], "an integer ≥ 0");
  }
  if (typeof h.itemBias !== "boolean") fail('header field "itemBias" is not a boolean', h.itemBias);
  if (typeof h.modelChecksum !== "string" || !/^[0-9a-f]{8}$/.test(h.modelChecksum)) fail('header field "modelChecksum" is not 8 hex digits', h.modelChecksum);
  const items = h.items as number;
  checkShape(h, model, file);
  const params = annParams({ M: h.M as number, efConstruction: h.efConstruction as number, seed: h.seed as number, efSearch: h.efSearch as number });
  const M = params.M;
  const levels = readSection(KIND, c, bytes, "levels", "int32", [items]);
  const deg0 = readSection(KIND, c, bytes, "deg0", "int32", [items]);
  const links0 = readSection(KIND, c, bytes, "links0", "int32", [items, 2 * M]);
  const { slots } = upperOffsets(levels, M);
  if (slots !== h.upperSlots) fail("the levels disagree with upperSlots", slots, String(h.upperSlots));
  const upperDeg = readSection(KIND, c, bytes, "upperDeg", "int32", [slots / M]);
  const upper = readSection(KIND, c, bytes, "upper", "int32", [slots]);
  let maxLevel = 0;
  for (let i = 0; i < items; i++) {
    const l = levels[i]!;
    if (l < 0 || l > 16) fail(`levels[${i}] is out of range`, l, "0..16");
    if (l > maxLevel) maxLevel = l;
    const d = deg0[i]!;
    if (d < 0 || d > 2 * M) fail(`deg0[${i}] is out of range`, d, `0..${2 * M}`);
    for (let t = 0; t < d; t++) {
      const j = links0[i * 2 * M + t]!;
      if (j < 0 || j >= items) fail(`links0[${i}][${t}] is not an item index`, j, `0..${items - 1}`);
    }
  }
  for (let s = 0; s < upperDeg.length; s++) {
    const d = upperDeg[s]!;
    if (d < 0 || d > M) fail(`upperDeg[${s}] is out of range`, d, `0..${M}`);
    for (let t = 0; t < d; t++) {
      const j = upper[s * M + t]!;
      if (j < 0 || j >= items) fail(`upper[${s}][${t}] is not an item index`, j, `0..${items - 1}`);
    }
  }
  const entry = h.entry as number;
  if (items > 0 && (entry >= items || levels[entry] !== maxLevel || h.maxLevel !== maxLevel)) fail("the entry point is not a node of the top layer", { entry, maxLevel: h.maxLevel }, `a node of level ${maxLevel}`);
  const sum = checkSum(h, model, file);
  const graph: HnswGraph = { n: items, M, levels, entry, maxLevel, links0, deg0, upper, upperDeg };
  const index = bindGraph(model, graph, params, sum, kernels);
  attachAnnIndex(index);
  return index;
}

function mismatch(file: string | undefined, what: string, found: unknown, expected: unknown): never {
  throw new MfrecError("E_INDEX_MISMATCH", `the ANN index does not belong to this model: ${what} differs (rebuild it: mfrec index build <model>)`, { file, value: found, expected: String(expected) });
}

/** E_INDEX_MISMATCH when the header's item count, k or bias flag is not the model's. */
function checkShape(h: Record<string, unknown>, model: FactorModel, file: string | undefined): void {
  if (h.items !== model.numItems) mismatch(file, "the item count", h.items, model.numItems);
  if (h.factors !== model.factors) mismatch(file, "the factor count k", h.factors, model.factors);
  if (h.itemBias !== (model.itemBias !== undefined)) mismatch(file, "item biases (present or not)", h.itemBias, model.itemBias !== undefined);
}

/** The model's checksum; E_INDEX_MISMATCH when it is not the header's. */
function checkSum(h: Record<string, unknown>, model: FactorModel, file: string | undefined): string {
  const sum = itemSideChecksum(model);
  if (sum !== h.modelChecksum) mismatch(file, "the model checksum (factors or biases changed)", h.modelChecksum, sum);
  return sum;
}

/** An ivf-mips index (version 2): header fields, then the lists validated (offsets monotone, ids a permutation, centroids finite). */
function loadIvf(KIND: ContainerKind, c: ReturnType<typeof readContainer>, bytes: Uint8Array, model: FactorModel, file: string | undefined, kernels?: "auto" | "wasm" | "ts"): AnnIndex {
  const fail: Fail = failer(KIND);
  const h = c.header;
  for (const f of ["items", "factors", "nlist", "nprobe", "kmeansSample", "kmeansIters", "rowWidth"] as const) {
    if (!isCount(h[f])) fail(`header field "${f}" is not a non-negative integer`, h[f], "an integer ≥ 0");
  }
  if (typeof h.itemBias !== "boolean") fail('header field "itemBias" is not a boolean', h.itemBias);
  if (typeof h.modelChecksum !== "string" || !/^[0-9a-f]{8}$/.test(h.modelChecksum)) fail('header field "modelChecksum" is not 8 hex digits', h.modelChecksum);
  checkShape(h, model, file);
  const items = h.items as number;
  const d = ivfDim(h.factors as number, h.itemBias as boolean);
  if (h.rowWidth !== d) fail('header field "rowWidth" is not k + bias + 1 rounded up to 4', h.rowWidth, String(d));
  const nlist = h.nlist as number;
  if ((items === 0) !== (nlist === 0) || nlist > items) fail('header field "nlist" is out of range', nlist, items === 0 ? "0" : `1..${items}`);
  const params = annParams({ method: "ivf", nlist: Math.max(1, nlist), nprobe: Math.max(1, h.nprobe as number), kmeansSample: Math.max(1, h.kmeansSample as number), kmeansIters: h.kmeansIters as number, seed: h.seed as number });
  params.method = "ivf";
  params.nlist = nlist;
  const centroids = readSection(KIND, c, bytes, "centroids", "float32", [nlist, d]);
  const offsets = readSection(KIND, c, bytes, "offsets", "int32", [nlist + 1]);
  const ids = readSection(KIND, c, bytes, "ids", "int32", [items]);
  for (let t = 0; t < centroids.length; t++) if (!Number.isFinite(centroids[t]!)) fail(`centroids[${Math.floor(t / d)}] is not finite`, centroids[t]);
  if (offsets[0] !== 0 || offsets[nlist] !== items) fail("the list offsets do not cover the items", { first: offsets[0], last: offsets[nlist] }, `0 .. ${items}`);
  for (let l = 0; l < nlist; l++) if (offsets[l + 1]! < offsets[l]!) fail(`offsets[${l + 1}] is below offsets[${l}]`, offsets[l + 1], `≥ ${offsets[l]}`);
  const seen = new Uint8Array(items);
  for (let p = 0; p < items; p++) {
    const i = ids[p]!;
    if (i < 0 || i >= items || seen[i]) fail(`ids[${p}] is not a new item index (the ids must be a permutation)`, i, `0..${items - 1}, each once`);
    seen[i] = 1;
  }
  const sum = checkSum(h, model, file);
  const index = bindIvf(model, { n: items, nlist, centroids, offsets, ids }, params, sum, kernels);
  attachAnnIndex(index);
  return index;
}
