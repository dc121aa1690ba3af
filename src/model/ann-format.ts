/**
 * The mfrec ANN index file, version 1 (bytes in, bytes out; browser-safe), saved beside its model
 * (CLI: m.mfr → m.mfr.ann). The container of the model file (core/container.ts):
 *
 *   0   6  magic "MFANN\0"      6  uint16 version (1)     8  uint32 header length H
 *   12  H  UTF-8 JSON header: items, factors, itemBias, modelChecksum (itemSideChecksum), M,
 *          efConstruction, seed, efSearch, entry, maxLevel, upperSlots, sections
 *   then 8-aligned int32 sections: levels [n], deg0 [n], links0 [n, 2M], upperDeg [slots/M], upper [slots]
 *   and a trailing CRC-32 of every byte before it.
 *
 * The factors themselves are not stored: the index reads them from the model, so loading checks
 * that the model is the one it was built from (item count, factor count, bias or not, checksum).
 */
import { type ContainerKind, type Fail, failer, isCount, readContainer, readSection, writeContainer } from "../core/container.js";
import { MfrecError } from "../core/errors.js";
import type { HnswGraph } from "../kernels/hnsw.js";
import { upperOffsets } from "../kernels/hnsw.js";
import { type AnnIndex, annParams, attachAnnIndex, bindGraph, itemSideChecksum } from "./ann-index.js";
import type { FactorModel } from "./factor-model.js";

/** "MFANN\0". */
export const ANN_MAGIC: readonly number[] = [0x4d, 0x46, 0x41, 0x4e, 0x4e, 0x00];
export const ANN_FORMAT_VERSION = 1;

const KIND: ContainerKind = {
  magic: ANN_MAGIC,
  version: ANN_FORMAT_VERSION,
  format: "mfrec-ann",
  label: "mfrec ANN index file",
  noun: "ANN index",
  code: "E_MODEL_FORMAT",
  sections: new Set(["levels", "deg0", "links0", "upperDeg", "upper"]),
};

/** The JSON header of an index file. */
export interface AnnFileHeader {
  format: "mfrec-ann";
  formatVersion: number;
  kind: "hnsw-mips";
  items: number;
  factors: number;
  itemBias: boolean;
  modelChecksum: string;
  M: number;
  efConstruction: number;
  seed: number;
  efSearch: number;
  entry: number;
  maxLevel: number;
  upperSlots: number;
}

/** Serialise an index (the graph and its header; not the factors). */
export function saveAnnIndex(index: AnnIndex): Uint8Array {
  const g = index.graph;
  const m = index.model;
  const header: Omit<AnnFileHeader, "format" | "formatVersion"> = {
    kind: "hnsw-mips",
    items: m.numItems,
    factors: m.factors,
    itemBias: m.itemBias !== undefined,
    modelChecksum: index.checksum,
    ...index.params,
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
  return readContainer(KIND, bytes).header as unknown as AnnFileHeader;
}

/**
 * Load an index for `model`: validates the container and every link, then refuses an index built
 * from another model with E_INDEX_MISMATCH (item count, factor count, biases or checksum differ).
 * The loaded index is attached to the model (`ann: true` uses it).
 */
export function loadAnnIndex(bytes: Uint8Array, model: FactorModel, file?: string, kernels?: "auto" | "wasm" | "ts"): AnnIndex {
  model = model.ranker; // an index covers the factors top-N lists rank by
  const fail: Fail = failer(KIND);
  const c = readContainer(KIND, bytes);
  const h = c.header;
  if (h.kind !== "hnsw-mips") fail('header field "kind" is not "hnsw-mips"', h.kind, '"hnsw-mips"');
  for (const f of ["items", "factors", "M", "efConstruction", "efSearch", "entry", "maxLevel", "upperSlots"] as const) {
    if (!isCount(h[f])) fail(`header field "${f}" is not a non-negative integer`, h[f], "an integer ≥ 0");
  }
  if (typeof h.itemBias !== "boolean") fail('header field "itemBias" is not a boolean', h.itemBias);
  if (typeof h.modelChecksum !== "string" || !/^[0-9a-f]{8}$/.test(h.modelChecksum)) fail('header field "modelChecksum" is not 8 hex digits', h.modelChecksum);
  const items = h.items as number;
  const factors = h.factors as number;
  const mismatch = (what: string, found: unknown, expected: unknown) => {
    throw new MfrecError("E_INDEX_MISMATCH", `the ANN index does not belong to this model: ${what} differs (rebuild it: mfrec index build <model>)`, { file, value: found, expected: String(expected) });
  };
  if (items !== model.numItems) mismatch("the item count", items, model.numItems);
  if (factors !== model.factors) mismatch("the factor count k", factors, model.factors);
  if (h.itemBias !== (model.itemBias !== undefined)) mismatch("item biases (present or not)", h.itemBias, model.itemBias !== undefined);
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
  const sum = itemSideChecksum(model);
  if (sum !== h.modelChecksum) mismatch("the model checksum (factors or biases changed)", h.modelChecksum, sum);
  const graph: HnswGraph = { n: items, M, levels, entry, maxLevel, links0, deg0, upper, upperDeg };
  const index = bindGraph(model, graph, params, sum, kernels);
  attachAnnIndex(index);
  return index;
}
