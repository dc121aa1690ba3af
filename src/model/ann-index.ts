/**
 * An approximate top-N index over a model's items, over the MIPS transform of [q_i, b_i] (b_i only when
 * the model has item biases), so it ranks by p_u·q_i + b_i, which is recommend()'s score up to the
 * per-user constant μ + b_u. Two methods:
 *  - "hnsw": the HNSW graph of kernels/hnsw.ts (graph + the n MIPS coordinates a_i; TS or WASM);
 *  - "ivf": the inverted file of kernels/ivf.ts (k-means lists; rows scanned with WASM SIMD, or by the
 *    bit-identical TS reference of kernels/ivf-ts.ts where SIMD is missing or the index exceeds 4 GiB).
 * `method: "auto"` (the default) picks "ivf" from {@link IVF_AUTO_MIN_ITEMS} items, else "hnsw".
 *
 * The file holds no copy of the factors (it is rebuilt from the model's rows). An index belongs to one
 * model, identified by {@link itemSideChecksum}; loading it against another model is refused (format in ann-format.ts).
 */
import { crc32 } from "../core/crc32.js";
import { MfrecError } from "../core/errors.js";
import { buildHnsw, type HnswGraph, HnswSearcher, type IpVectors, mipsAugment } from "../kernels/hnsw.js";
import { buildHnswWasm, hnswWasmFits, WasmHnsw } from "../kernels/hnsw-wasm.js";
import { type IvfLists, ivfDim, ivfWasmFits, WasmIvf } from "../kernels/ivf.js";
import { TsIvf } from "../kernels/ivf-ts.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import { rowNorms } from "../kernels/score.js";
import { InlinePool } from "../parallel/inline-pool.js";
import { defaultPoolFactory, type KernelPoolFactory } from "../parallel/pool-factory.js";
import type { FactorModel } from "./factor-model.js";

/** Build options of {@link buildAnnIndex}. */
export interface AnnBuildOptions {
  /** "auto" (default): "ivf" from {@link IVF_AUTO_MIN_ITEMS} items, else "hnsw". */
  method?: "auto" | "hnsw" | "ivf";
  /** IVF: lists (k-means centroids); default round(√items), at least 1. */
  nlist?: number;
  /** IVF: lists a query scans (default {@link defaultNprobe}); can be changed per query. */
  nprobe?: number;
  /** IVF: items k-means is trained on (a seeded sample), default 64 × nlist. */
  kmeansSample?: number;
  /** IVF: Lloyd iterations (default 10). */
  kmeansIters?: number;
  /** IVF: threads of the build's assignment kernel (default 0 = the pool factory's default; never changes the index). */
  threads?: number;
  /** IVF: worker pool factory for threads > 1 (default: the registered one — mfrec/node registers worker_threads). */
  pool?: KernelPoolFactory;
  /** HNSW links per node on the upper layers; layer 0 keeps 2M (default 16). */
  M?: number;
  /** Candidate list size while inserting (default 128). */
  efConstruction?: number;
  /** Seed of the level draw (default 42): one seed, one graph. */
  seed?: number;
  /** Candidate list size of a query (default {@link DEFAULT_EF_SEARCH}); can be changed per query. */
  efSearch?: number;
  /** "auto" (default): WebAssembly SIMD when the runtime has it and the index fits in 4 GiB, else TS; "wasm" fails without; "ts": the reference (same index, same answers). */
  kernels?: "auto" | "wasm" | "ts";
  /**
   * Build progress: HNSW every 65536 insertions (`done` of `total` items, stage "insert"); IVF after each
   * k-means iteration and once the lists are built (`done` of `total` = iterations + 1 steps).
   */
  onProgress?: (done: number, total: number, stage: "insert" | "k-means" | "lists") => void;
}

/** Default query candidate list size: recall@10 0.945 on the 1M × 64 bench catalogue, 0.99 at 100k (docs/performance.md). */
export const DEFAULT_EF_SEARCH = 512;

/** From this many items `method: "auto"` builds an IVF index (below it, HNSW). */
export const IVF_AUTO_MIN_ITEMS = 100_000;

/**
 * From this many items `ann: "auto"` answers through the model's attached index (below it, exactly): at
 * 100k items × k 64 an exact query costs about 9 ms on one core (TS) and an IVF query 0.2 ms at recall
 * 0.998 (docs/performance.md), while at 20k items exact scoring is about 2 ms and needs no index.
 */
export const ANN_AUTO_MIN_ITEMS = 100_000;

/** Default IVF lists probed per query: max(8, round(nlist / 64)) — recall@10 0.995 on the 1M × 64 bench catalogue (docs/performance.md). */
export function defaultNprobe(nlist: number): number {
  return Math.max(1, Math.min(nlist, Math.max(8, Math.round(nlist / 64))));
}

/** The parameters an index was built with (stored in its file). HNSW fields are kept (with their defaults) for an IVF index and the reverse. */
export interface AnnParams {
  method: "hnsw" | "ivf";
  M: number;
  efConstruction: number;
  seed: number;
  efSearch: number;
  nlist: number;
  nprobe: number;
  kmeansSample: number;
  kmeansIters: number;
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * CRC-32 of what an index depends on: the item factor bytes, then the item bias bytes when there
 * are biases, then the item count and factor count (little-endian uint32). Hex, 8 digits.
 */
export function itemSideChecksum(model: FactorModel): string {
  model = model.ranker; // the factors top-N lists rank by (the ranking part when the model has one)
  let c = crc32(bytesOf(model.itemFactors.data));
  if (model.itemBias) c = crc32(bytesOf(model.itemBias), 0, model.itemBias.byteLength, c);
  const tail = new Uint8Array(8);
  const v = new DataView(tail.buffer);
  v.setUint32(0, model.numItems, true);
  v.setUint32(4, model.factors, true);
  c = crc32(tail, 0, 8, c);
  return (c >>> 0).toString(16).padStart(8, "0");
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new MfrecError("E_CONFIG", `${name} must be an integer from ${min} to ${max}`, { column: name, value: v, expected: `${min}..${max}` });
  return v;
}

const registry = new WeakMap<FactorModel, AnnIndex>();

/** Which kernels run an index: "wasm" (the graph lives in wasm memory with a copy of the item rows) or "ts". */
export type AnnKernels = "wasm" | "ts";

/** Resolve a kernels choice for a graph of this shape. */
export function annKernels(choice: "auto" | "wasm" | "ts" | undefined, n: number, k: number, M: number, upperSlots: number, efC: number): AnnKernels {
  const c = choice ?? "auto";
  if (c !== "auto" && c !== "wasm" && c !== "ts") throw new MfrecError("E_CONFIG", "kernels must be auto, wasm or ts", { column: "kernels", value: c, expected: "auto | wasm | ts" });
  if (c === "ts") return "ts";
  const fits = hnswWasmFits(n, k, M, upperSlots, efC);
  if (c === "wasm" && !fits) throw new MfrecError("E_UNSUPPORTED", "the WASM ANN kernels need WebAssembly SIMD and a graph within 4 GiB", { hint: 'use kernels: "ts" or "auto"' });
  return fits ? "wasm" : "ts";
}

/** An HNSW or IVF index bound to one model's items. */
export class AnnIndex {
  readonly model: FactorModel;
  /** The HNSW graph (null for an IVF index). */
  readonly graph: HnswGraph | null;
  /** The IVF lists (null for an HNSW index). */
  readonly ivf: IvfLists | null;
  readonly params: AnnParams;
  /** {@link itemSideChecksum} of the model it was built from. */
  readonly checksum: string;
  readonly vectors: IpVectors;
  readonly kernels: AnnKernels;
  private readonly wasm: WasmHnsw | null;
  private readonly ivfEngine: WasmIvf | TsIvf | null;
  private ts?: HnswSearcher;
  private norms?: Float32Array;
  private readonly scales = new Map<number, Float32Array>();
  private outId = new Int32Array(0);
  private outSim = new Float64Array(0);

  /**
   * Bind a graph to a model (checks shapes; callers check the checksum). With a WasmHnsw the graph is
   * its (wasm memory) graph; else `graph` is searched by the TS kernel.
   */
  constructor(model: FactorModel, graph: HnswGraph | WasmHnsw | WasmIvf | TsIvf, params: AnnParams, checksum: string, vectors?: IpVectors) {
    const ivf = graph instanceof WasmIvf || graph instanceof TsIvf ? graph : null;
    const g = ivf ? null : graph instanceof WasmHnsw ? graph.graph : (graph as HnswGraph);
    const n = ivf ? ivf.lists.n : g!.n;
    if (n !== model.numItems) throw new MfrecError("E_SHAPE", "the ANN index and the model have different item counts", { value: n, expected: String(model.numItems) });
    this.model = model;
    this.graph = g;
    this.ivf = ivf ? ivf.lists : null;
    this.params = { ...params, method: ivf ? "ivf" : "hnsw" };
    this.checksum = checksum;
    this.wasm = graph instanceof WasmHnsw ? graph : null;
    this.ivfEngine = ivf;
    this.kernels = this.wasm || ivf instanceof WasmIvf ? "wasm" : "ts";
    this.vectors = vectors ?? ipVectors(model);
  }

  /** ‖q_i‖₂ per item (the rowNorms kernel, as similarItems computes them), computed once. */
  itemNorms(): Float32Array {
    if (!this.norms) {
      this.norms = new Float32Array(this.model.numItems);
      rowNorms(this.model.itemFactors.data, this.model.factors, this.norms, 0, this.model.numItems);
    }
    return this.norms;
  }

  /** ‖q_j‖^(α−1) per item (0 for a zero vector), cached per α. */
  private itemScale(alpha: number): Float32Array {
    let s = this.scales.get(alpha);
    if (!s) {
      const norms = this.itemNorms();
      s = new Float32Array(norms.length);
      for (let j = 0; j < s.length; j++) s[j] = norms[j]! > 0 ? norms[j]! ** (alpha - 1) : 0;
      this.scales.set(alpha, s);
    }
    return s;
  }

  /**
   * The approximate top-ef items for query y: by y·q_j + yb·b_j, or with `alpha` ≠ 1 by
   * (y·q_j)·‖q_j‖^(α−1) (item-to-item search; yb ignored), skipping skip[j] ≠ 0. Returns views of
   * reused buffers (valid until the next query): ids best first and their search similarities.
   */
  query(y: ArrayLike<number>, yb: number, alpha: number, ef: number, skip: Uint8Array | null, nprobe?: number): { count: number; ids: Int32Array; sims: Float64Array } {
    if (this.outId.length < ef) {
      this.outId = new Int32Array(ef);
      this.outSim = new Float64Array(ef);
    }
    const scale = alpha === 1 ? null : this.itemScale(alpha);
    let count: number;
    if (this.ivfEngine) count = this.ivfEngine.search(y, scale ? 0 : yb, scale, alpha, nprobe ?? this.params.nprobe, ef, skip, this.outId, this.outSim);
    else if (this.wasm) count = this.wasm.search(y, scale ? 0 : yb, scale, alpha, ef, skip, this.outId, this.outSim);
    else {
      this.ts ??= new HnswSearcher(this.vectors, this.graph!);
      this.ts.setQuery(y, scale ? 0 : yb);
      this.ts.scale = scale;
      count = this.ts.search(ef, this.outId, this.outSim, skip);
    }
    return { count, ids: this.outId, sims: this.outSim };
  }

  /** Bytes of memory the index adds to its model: the wasm memory (graph or lists, a copy of the item rows, scratch), or the TS graph arrays and a_i, or the TS lists. */
  get byteLength(): number {
    if (this.ivfEngine) return this.ivfEngine.byteLength;
    if (this.wasm) return this.wasm.byteLength;
    const g = this.graph!;
    return g.levels.byteLength + g.links0.byteLength + g.deg0.byteLength + g.upper.byteLength + g.upperDeg.byteLength + this.vectors.aug.byteLength;
  }
}

/** The model's item side as the graph sees it: rows, biases and the MIPS coordinate a_i. */
export function ipVectors(model: FactorModel): IpVectors {
  model = model.ranker; // the factors top-N lists rank by (the ranking part when the model has one)
  const Q = model.itemFactors.data;
  const bias = model.itemBias ?? null;
  return { Q, k: model.factors, n: model.numItems, bias, aug: mipsAugment(Q, model.factors, model.numItems, bias).aug };
}

/** Put a graph read from a file on the chosen kernels. */
export function bindGraph(model: FactorModel, graph: HnswGraph, params: AnnParams, checksum: string, kernels?: "auto" | "wasm" | "ts"): AnnIndex {
  model = model.ranker; // the factors top-N lists rank by (the ranking part when the model has one)
  const v = ipVectors(model);
  const efC = Math.max(params.efConstruction, 2 * params.M);
  const which = annKernels(kernels, graph.n, model.factors, graph.M, graph.upper.length, efC);
  if (which === "ts") return new AnnIndex(model, graph, params, checksum, v);
  return new AnnIndex(model, new WasmHnsw(v, graph.M, graph.levels, efC, graph), params, checksum, v);
}

/** Put stored IVF lists on the kernels (rows rebuilt from the model). */
export function bindIvf(model: FactorModel, lists: Omit<IvfLists, "d">, params: AnnParams, checksum: string, kernels?: "auto" | "wasm" | "ts"): AnnIndex {
  model = model.ranker;
  const v = ipVectors(model);
  const which = ivfKernels(kernels, lists.n, ivfDim(v.k, v.bias !== null), lists.nlist, 0);
  return new AnnIndex(model, which === "wasm" ? WasmIvf.fromLists(v, lists) : TsIvf.fromLists(v, lists), params, checksum, v);
}

/** Resolve a kernels choice for an IVF index of this shape (as {@link annKernels} does for HNSW). */
export function ivfKernels(choice: "auto" | "wasm" | "ts" | undefined, n: number, d: number, nlist: number, sample: number): AnnKernels {
  const c = choice ?? "auto";
  if (c !== "auto" && c !== "wasm" && c !== "ts") throw new MfrecError("E_CONFIG", "kernels must be auto, wasm or ts", { column: "kernels", value: c, expected: "auto | wasm | ts" });
  if (c === "ts") return "ts";
  const fits = ivfWasmFits(n, d, nlist, sample);
  if (c === "wasm" && !fits) throw new MfrecError("E_UNSUPPORTED", "the WASM IVF kernels need WebAssembly SIMD and an index within 4 GiB", { hint: 'use kernels: "ts" or "auto"' });
  return fits ? "wasm" : "ts";
}

/** The method `auto` resolves to for n items at k factors. */
export function annMethod(choice: AnnBuildOptions["method"], n: number): "hnsw" | "ivf" {
  const c = choice ?? "auto";
  if (c !== "auto" && c !== "hnsw" && c !== "ivf") throw new MfrecError("E_CONFIG", "method must be auto, hnsw or ivf", { column: "method", value: c, expected: "auto | hnsw | ivf" });
  if (c !== "auto") return c;
  return n >= IVF_AUTO_MIN_ITEMS ? "ivf" : "hnsw";
}

/** Resolve and validate build options (n: the item count, for the IVF defaults). */
export function annParams(o: AnnBuildOptions = {}, n = 0): AnnParams {
  const nlist = checkInt("nlist", o.nlist ?? Math.max(1, Math.round(Math.sqrt(n))), 1, 1 << 20);
  return {
    method: o.method === "ivf" ? "ivf" : "hnsw",
    M: checkInt("M", o.M ?? 16, 2, 64),
    efConstruction: checkInt("efConstruction", o.efConstruction ?? 128, 1, 4096),
    seed: checkInt("seed", o.seed ?? 42, -(2 ** 31), 2 ** 32 - 1),
    efSearch: checkInt("efSearch", o.efSearch ?? DEFAULT_EF_SEARCH, 1, 1 << 20),
    nlist,
    nprobe: checkInt("nprobe", o.nprobe ?? defaultNprobe(nlist), 1, 1 << 20),
    kmeansSample: checkInt("kmeansSample", o.kmeansSample ?? 64 * nlist, 1, 2 ** 31 - 1),
    kmeansIters: checkInt("kmeansIters", o.kmeansIters ?? 10, 0, 1000),
  };
}

/**
 * Build the ANN index of a model's items (over the factors recommend ranks by: the ranking part when there is one) (deterministic for a seed) and register it for the model,
 * so `ann: true` in recommend / recommendAll / similarItems finds it.
 */
export function buildAnnIndex(model: FactorModel, opts: AnnBuildOptions = {}): AnnIndex {
  model = model.ranker; // the factors top-N lists rank by (the ranking part when the model has one)
  const total = model.numItems;
  const params = annParams(opts, total);
  params.method = annMethod(opts.method, total);
  const v = ipVectors(model);
  if (params.method === "ivf") {
    const factory = opts.pool ?? defaultPoolFactory();
    const t = opts.threads ?? 0;
    if (!Number.isInteger(t) || t < 0 || t > 1024) throw new MfrecError("E_CONFIG", "threads must be an integer from 0 (auto) to 1024", { column: "threads", value: t, expected: "0..1024" });
    const threads = t > 0 ? t : Math.max(1, factory.defaultThreads);
    const open = (arena: KernelArena, th: number) => (th > 1 ? factory.create(arena, { threads: th, scratchBytes: 64 }) : new InlinePool(arena, 64));
    const ivfParams = { nlist: params.nlist, sample: params.kmeansSample, iters: params.kmeansIters, seed: params.seed };
    const nl = Math.min(params.nlist, total);
    const which = ivfKernels(opts.kernels, total, ivfDim(model.factors, model.itemBias !== undefined), nl, Math.min(total, Math.max(params.kmeansSample, nl)));
    const w = which === "wasm" ? WasmIvf.build(v, ivfParams, threads, open, opts.onProgress) : TsIvf.build(v, ivfParams, opts.onProgress);
    params.nlist = w.lists.nlist;
    params.nprobe = Math.min(params.nprobe, Math.max(1, w.lists.nlist));
    const index = new AnnIndex(model, w, params, itemSideChecksum(model), v);
    registry.set(model, index);
    return index;
  }
  const progress = opts.onProgress ? (d: number) => opts.onProgress!(d, total, "insert") : undefined;
  const efC = Math.max(params.efConstruction, 2 * params.M);
  // upper layers hold about n/(M−1) blocks of M slots: budget 2n slots for the fit check
  const which = annKernels(opts.kernels, total, model.factors, params.M, 2 * total, efC);
  const graph = which === "wasm" ? buildHnswWasm(v, params, progress) : buildHnsw(v, params, progress);
  const index = new AnnIndex(model, graph, params, itemSideChecksum(model), v);
  registry.set(model, index);
  return index;
}

/** Make `index` the one `ann: true` uses for its model (loading does this too). */
export function attachAnnIndex(index: AnnIndex): void {
  registry.set(index.model, index);
}

/**
 * The index to use for an `ann` option: the given index (which must belong to this model), the
 * registered one for `true`, the registered one for `"auto"` when the catalogue has at least
 * {@link ANN_AUTO_MIN_ITEMS} items (else, or when none is attached, null: exact), or null for
 * false/undefined. E_CONFIG when `true` finds none.
 */
export function resolveAnnIndex(model: FactorModel, ann: AnnIndex | boolean | "auto" | undefined): AnnIndex | null {
  model = model.ranker; // the factors top-N lists rank by (the ranking part when the model has one)
  if (ann === undefined || ann === false) return null;
  if (ann === "auto") return model.numItems >= ANN_AUTO_MIN_ITEMS ? (registry.get(model) ?? null) : null;
  if (ann === true) {
    const found = registry.get(model);
    if (!found) throw new MfrecError("E_CONFIG", "ann: true but no ANN index is attached to this model", { hint: "build one with buildAnnIndex(model) or load it with readAnnIndexFile(path, model) (CLI: mfrec index build <model>)" });
    return found;
  }
  if (!(ann instanceof AnnIndex)) throw new MfrecError("E_CONFIG", 'ann must be true, false, "auto" or an AnnIndex', { value: typeof ann === "string" ? ann : typeof ann, expected: 'true | false | "auto" | AnnIndex' });
  if (ann.model !== model) throw new MfrecError("E_CONFIG", "this ANN index was built for another model object", { hint: "load the index against the model it is used with" });
  return ann;
}
