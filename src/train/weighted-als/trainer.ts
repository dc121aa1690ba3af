import { rngFor } from "../../core/rng.js";
import { MfrecError } from "../../core/errors.js";
import { byteValueIndex } from "../../parallel/sgd-blocks.js";
import { entryWeights, fullGramian, regularizationLoss, type WeightedAlsArgs, type WeightedAlsSpec, weightedAlsHalfSweep, weightedAlsLoss } from "../../kernels/implicit-als.js";
import { f32, f64, i32, memoryPlan, reserve, type Shape, u8 } from "../../kernels/arena-plan.js";
import { kernelCall } from "../../kernels/kernel-calls.js";
import type { KernelArena } from "../../kernels/wasm-arena.js";
import type { IdIndex } from "../../data/id-index.js";
import type { CsrMatrix } from "../../matrix/csr.js";
import { FactorModel, type ModelConfig } from "../../model/factor-model.js";
import { byteCodesOf, codeTableOf, type ColumnSegments, columnSegments, segmentShardCount } from "../../parallel/column-segments.js";
import type { valueTable } from "../../parallel/sgd-blocks.js";
import { balancedRowShards, rowShards } from "../../parallel/pool.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import type { EpochResult, FinishOptions, Trainer, TrainingData } from "../trainer.js";

/** Row shards per CG half-sweep and loss: fixed by the data (balanced by entries), never by the thread count. */
const SHARDS = 256;
/** At most this many partial Gramians (each k×k f32), and at most this many f32 in all of them. */
const GRAM_SHARDS = 64;
const GRAM_PART_FLOATS = 1 << 24;

/** The distinct values of a CSR when its entries are kept as byte codes (at most 256), else undefined. */
type CodeTable = ReturnType<typeof valueTable>;

/** The user side in kernel memory: CSR structure, per-entry weights and targets, factors, fixed shards. */
interface WasmSide {
  rows: number;
  indptr: Int32Array;
  indices: Int32Array;
  /** Per-entry weights (f32), or their byte codes when `table` is set (the weight is table[code]). */
  extra: Float32Array | Uint8Array;
  /** null: every target is 1 (kernel pointer 0). With byte codes, the targets by code (target[code]). */
  target: Float32Array | null;
  /** The weights by byte code (the extra per distinct value), or null when `extra` is f32. */
  table: Float32Array | null;
  X: Float32Array;
  shards: Int32Array;
  gramShards: Int32Array;
}

/**
 * The item side in kernel memory, solved by cgShardRange: item shards (fixed by the data), each shard's entries
 * grouped by user (segPtr), the per-item CG state, and `indptr` = the items' row pointer (counts only).
 */
interface ShardSide extends ColumnSegments {
  rows: number;
  /** As WasmSide.table: the weights by byte code, or null. */
  table: Float32Array | null;
  X: Float32Array;
  R: Float32Array;
  Pv: Float32Array;
  AP: Float32Array;
  rs: Float32Array;
  active: Int32Array;
  gramShards: Int32Array;
}


/**
 * The trainer shared by `ials` and `wals`: alternating exact (Cholesky) or CG solves of the
 * weighted objective in kernels/implicit-als.ts, one half-sweep kernel for both sides on the CSR
 * and its transpose. Each epoch solves items, then users, so the final user rows are solves
 * against the final item matrix (fold-in of a training user reproduces its row).
 * Factors start N(0, (0.1/√k)²) from rngFor(seed, "init-users" | "init-items").
 *
 * The CG solver runs on the WebAssembly SIMD kernels over fixed row shards on the fit's pool when the runtime
 * allows: gramPartRange for the Gramians, cgShardRange for the items (all items of a shard in lockstep, the
 * users' factors streamed in order: 1.7× faster than row by row at 10M ratings, where the user matrix is
 * larger than the cache), cgRange for the users with the loss fused. f32 arithmetic: equal to the TS reference
 * up to float rounding, bitwise the same for any thread count. The Cholesky solver runs on wcholRange over
 * fixed shards of the users' CSR and of its transpose (built in kernel memory), the loss fused the same way.
 */
export function createWeightedAlsTrainer(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): Trainer {
  const t = spec.solver === 0 ? WasmWeightedAls.open(data, config, spec, k, seed) : WasmCholeskyWeightedAls.open(data, config, spec, k, seed);
  return t ?? tsWeightedAls(data, config, spec, k, seed);
}

function initFactors(X: Float32Array, Y: Float32Array, k: number, seed: number): void {
  const std = 0.1 / Math.sqrt(k);
  rngFor(seed, "init-users").fillNormal(X, 0, std);
  rngFor(seed, "init-items").fillNormal(Y, 0, std);
}

/** What a model needs from the training data: kept instead of the TrainingData, so the Ratings can go. */
interface ModelSource {
  history: CsrMatrix;
  userIndex: IdIndex;
  itemIndex: IdIndex;
}

const sourceOf = (data: TrainingData): ModelSource => ({ history: data.byUser, userIndex: data.ratings.userIndex, itemIndex: data.ratings.itemIndex });

/**
 * The WASM trainers' model source: in a zero-copy fit (FitOptions.zeroCopy: `mfrec train`) only the users' CSR values
 * are kept from the given CSR, the history's row pointer and column indices being the kernel memory's copies (the
 * same bytes), so the given indices (4 B a rating) go with the Ratings; any other fit keeps the given CSR as before.
 */
interface KernelModelSource {
  userIndex: IdIndex;
  itemIndex: IdIndex;
  rows: number;
  cols: number;
  /** The given CSR (not a zero-copy fit), else undefined. */
  history: CsrMatrix | undefined;
  /** Entries of the history. */
  nnz: number;
  /** The given CSR's values (a zero-copy fit with more than 256 distinct values), else empty. */
  values: Float32Array;
  /** A zero-copy fit's values as a byte index into their distinct values (at most 256, e.g. counts or stars): 1 B a rating kept instead of 4. */
  valueIndex: { table: Float32Array; index: Uint8Array } | undefined;
}

/** `coded`: the trainer keeps the users' values as byte codes in kernel memory, which become the value index (set by it). */
function kernelSourceOf(data: TrainingData, coded: boolean): KernelModelSource {
  const m = data.byUser;
  const zeroCopy = data.runtime?.zeroCopy === true;
  const n = m.indptr[m.rows]!;
  const valueIndex = zeroCopy && !coded ? byteValueIndex(m.values, n) : undefined;
  const values = zeroCopy && !coded && !valueIndex ? m.values.subarray(0, n) : new Float32Array(0);
  return { userIndex: data.ratings.userIndex, itemIndex: data.ratings.itemIndex, rows: m.rows, cols: m.cols, history: zeroCopy ? undefined : m, nnz: n, values, valueIndex };
}

/**
 * The ModelSource of a finish: the given CSR, or the kernel memory's structure with the kept values (heap copies
 * unless `own`). Values kept as a byte index are decoded into `spare` when `own` (kernel memory the fit no longer
 * needs: its last call), else into a new array.
 */
function finishSource(src: KernelModelSource, users: { indptr: Int32Array; indices: Int32Array }, own: boolean, spare: Float32Array): ModelSource {
  if (src.history) return { history: src.history, userIndex: src.userIndex, itemIndex: src.itemIndex };
  const n = src.nnz;
  const indptr = users.indptr.subarray(0, src.rows + 1);
  const indices = users.indices.subarray(0, n);
  let values = src.values;
  if (src.valueIndex) {
    const { table, index } = src.valueIndex;
    values = own ? spare.subarray(0, n) : new Float32Array(n);
    for (let p = 0; p < n; p++) values[p] = table[index[p]!]!;
  }
  const history: CsrMatrix = { rows: src.rows, cols: src.cols, indptr: own ? indptr : indptr.slice(), indices: own ? indices : indices.slice(), values };
  return { history, userIndex: src.userIndex, itemIndex: src.itemIndex };
}

/** `own`: the final zero-copy finish (FinishOptions.zeroCopy) keeps the trainer's factor arrays (kernel memory) instead of copies. */
function model(src: ModelSource, config: ModelConfig, k: number, X: Float32Array, Y: Float32Array, own = false): FactorModel {
  return new FactorModel({
    config,
    userFactors: { rows: src.history.rows, cols: k, data: own ? X : X.slice() },
    itemFactors: { rows: src.history.cols, cols: k, data: own ? Y : Y.slice() },
    // copies that can grow apart from the ratings' (fold-in adds ids); a zero-copy finish shares them, as sgd and als do
    userIndex: own ? src.userIndex : src.userIndex.clone(),
    itemIndex: own ? src.itemIndex : src.itemIndex.clone(),
    history: src.history,
    implicit: true,
  });
}

/** The TypeScript reference trainer (Float64 accumulation). */
function tsWeightedAls(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): Trainer {
  const { byUser, byItem } = data;
  const nU = byUser.rows;
  const nI = byItem.rows;
  const X = new Float32Array(nU * k);
  const Y = new Float32Array(nI * k);
  initFactors(X, Y, k, seed);
  const wu = entryWeights(byUser.values, spec);
  const wi = entryWeights(byItem.values, spec);
  const common = { k, w0: spec.w0, lambda: spec.lambda, nu: spec.nu, solver: spec.solver, cgSteps: spec.cgSteps };
  const userArgs = (gram: Float64Array): WeightedAlsArgs => ({ ...common, indptr: byUser.indptr, indices: byUser.indices, extra: wu.extra, target: wu.target, X, Y, gram, nCols: nI });
  const itemArgs = (gram: Float64Array): WeightedAlsArgs => ({ ...common, indptr: byItem.indptr, indices: byItem.indices, extra: wi.extra, target: wi.target, X: Y, Y: X, gram, nCols: nU });
  return {
    epoch() {
      weightedAlsHalfSweep(itemArgs(fullGramian(X, nU, k)), 0, nI);
      const ua = userArgs(fullGramian(Y, nI, k));
      weightedAlsHalfSweep(ua, 0, nU);
      const loss = weightedAlsLoss(ua, 0, nU) + regularizationLoss(byItem.indptr, Y, k, spec.lambda, spec.nu, spec.w0, nU, 0, nI);
      return { loss };
    },
    finish: () => model(sourceOf(data), config, k, X, Y),
  };
}

/** Shards of the Gramian: contiguous rows, at most GRAM_SHARDS parts and GRAM_PART_FLOATS floats. */
function gramShardsFor(rows: number, k: number): Int32Array {
  const parts = Math.max(1, Math.min(GRAM_SHARDS, Math.floor(GRAM_PART_FLOATS / (k * k))));
  return rowShards(rows, Math.max(1, Math.ceil(rows / parts)));
}

/** True when some value maps to a target other than 1 (ials: values ≤ 0), as entryWeights decides. */
function anyTarget(m: CsrMatrix, spec: WeightedAlsSpec): boolean {
  const n = m.indptr[m.rows]!;
  for (let p = 0; p < n; p++) if (spec.target(m.values[p]!) !== 1) return true;
  return false;
}

/** G = XᵀX of a side: partial Gramians on the pool (into `parts`), summed in shard order in f64. */
function gramInto(wasm: WasmRuntime, parts: Float32Array, s: { X: Float32Array; gramShards: Int32Array }, G: Float32Array, k: number): void {
  const kk = k * k;
  wasm.pool.run({ ...kernelCall.gramPartRange({ Y: s.X, k, parts }), shards: s.gramShards });
  const n = s.gramShards.length >> 1;
  for (let q = 0; q < kk; q++) {
    let t = 0;
    for (let p = 0; p < n; p++) t += parts[p * kk + q]!;
    G[q] = t;
  }
}

/** What {@link usersInArena} allocates (with byte codes: a byte an entry and the tables by code). */
function usersInArenaShapes(nU: number, nI: number, n: number, hasTarget: boolean, coded = false): Shape[] {
  const weights = coded ? [u8(n), f32(256), ...(hasTarget ? [f32(256)] : [])] : [f32(n), ...(hasTarget ? [f32(n)] : [])];
  return [...weights, i32(nU + 1), i32(n), i32(nI + 1)];
}

/** True when some value maps to a target other than 1: from the distinct values when coded, else from every entry. */
function hasTargets(m: CsrMatrix, spec: WeightedAlsSpec, vt: CodeTable): boolean {
  return vt ? vt.table.some((v) => spec.target(v) !== 1) : anyTarget(m, spec);
}

/** cgShardRange's per-item state: the item factors X, residual R, direction Pv, A·p, r·r and the active flag. */
function itemCgStatePlan(nI: number, k: number) {
  return memoryPlan({ X: f32(nI * k), R: f32(nI * k), Pv: f32(nI * k), AP: f32(nI * k), rs: f32(nI), active: i32(nI) });
}

/**
 * The users' CSR in kernel memory with the per-entry weights (extra, and target when some value maps to a
 * target other than 1) computed straight into it, and the items' row pointer (rating counts): what both WASM
 * trainers start from. With `vt` (the CG trainer, at most 256 distinct values) the entries are byte codes of their
 * values and the weights (and targets) tables by code: the same f32 for every entry, 1 B an entry instead of 4 (or 8).
 */
function usersInArena(
  a: KernelArena,
  byUser: CsrMatrix,
  spec: WeightedAlsSpec,
  vt: CodeTable = undefined,
): { indptr: Int32Array; indices: Int32Array; extra: Float32Array | Uint8Array; target: Float32Array | null; table: Float32Array | null; itemPtr: Int32Array } {
  const nU = byUser.rows;
  const nI = byUser.cols;
  const n = byUser.indptr[nU]!;
  let extra: Float32Array | Uint8Array;
  let target: Float32Array | null;
  let table: Float32Array | null = null;
  if (vt) {
    extra = byteCodesOf(a, byUser.values, n, vt).codes;
    const d = vt.table.length;
    table = a.f32(d);
    target = hasTargets(byUser, spec, vt) ? a.f32(d) : null;
    for (let c = 0; c < d; c++) {
      table[c] = spec.extra(vt.table[c]!);
      if (target) target[c] = spec.target(vt.table[c]!);
    }
  } else {
    const ex = a.f32(n);
    target = anyTarget(byUser, spec) ? a.f32(n) : null;
    for (let p = 0; p < n; p++) {
      const v = byUser.values[p]!;
      ex[p] = spec.extra(v);
      if (target) target[p] = spec.target(v);
    }
    extra = ex;
  }
  const indptr = a.copyI32(byUser.indptr.subarray(0, nU + 1));
  const indices = a.copyI32(byUser.indices.subarray(0, n));
  const itemPtr = a.i32(nI + 1);
  for (let p = 0; p < n; p++) itemPtr[indices[p]! + 1]!++;
  for (let c = 0; c < nI; c++) itemPtr[c + 1]! += itemPtr[c]!;
  return { indptr, indices, extra, target, table, itemPtr };
}

/**
 * What both WASM trainers share: the users' side and both Gramians in the fit's KernelArena, one pool per
 * fit, and the epoch: items against the users' Gramian, then users against the items', the loss fused into
 * the user solve. Σ_u w0·x_uᵀ G_Y x_u = w0·tr(G_Y·G_X), so the users' Gramian of the end of the epoch gives
 * that term and is the next epoch's item-side Gramian (X does not change in between): one Gramian per side
 * per epoch. A subclass is the solver: how the item side is laid out and how each side's rows are solved.
 */
abstract class WasmWeightedAlsBase implements Trainer {
  /** XᵀX of the users (valid from the end of an epoch: the loss uses it, the next epoch's item solve too). */
  protected readonly GU: Float32Array;
  /** YᵀY of the items. */
  protected readonly GI: Float32Array;
  private userGramFresh = false;
  protected readonly source: KernelModelSource;
  private readonly parts: Float32Array;
  protected readonly loss: Float64Array;
  protected abstract readonly users: WasmSide;
  protected abstract readonly items: { rows: number; X: Float32Array; indptr: Int32Array; gramShards: Int32Array };
  /** n floats of kernel memory the fit no longer reads after its last epoch (where a zero-copy finish decodes the history's values). */
  protected abstract spare(): Float32Array;

  protected constructor(
    data: TrainingData,
    private readonly config: ModelConfig,
    protected readonly spec: WeightedAlsSpec,
    protected readonly k: number,
    protected readonly wasm: WasmRuntime,
    coded = false,
  ) {
    const a = wasm.arena;
    this.source = kernelSourceOf(data, coded);
    const { rows: nU, cols: nI } = data.byUser;
    const v = WasmWeightedAlsBase.basePlan(nU, nI, k).place(a);
    this.GU = v.GU;
    this.GI = v.GI;
    this.parts = v.parts;
    this.loss = v.loss;
  }

  /** What the base allocates: the Gramians, their partial sums (one k×k part per Gramian shard), the loss parts. */
  protected static basePlan(nU: number, nI: number, k: number) {
    const parts = Math.max(gramShardsFor(nU, k).length, gramShardsFor(nI, k).length) >> 1;
    return memoryPlan({ GU: f32(k * k), GI: f32(k * k), parts: f32(parts * k * k), loss: f64(SHARDS) });
  }

  /** The items against the users (Gramian GU). */
  protected abstract solveItems(): void;
  /** The users against the items (Gramian GI), the loss of the result into this.loss per shard. */
  protected abstract solveUsers(): void;

  /** The rest of a subclass's layout, built from kernel memory alone at the first epoch (see WasmWeightedAls). */
  protected pending: (() => void) | undefined;

  /** Build what the constructor left for the first epoch (once). */
  protected ready(): void {
    const p = this.pending;
    this.pending = undefined;
    p?.();
  }

  epoch(): EpochResult {
    this.ready();
    if (this.consumed) throw new MfrecError("E_UNSUPPORTED", "internal: a trainer was used after its zero-copy finish");
    const { users: U, items: I, spec: s, k } = this;
    if (!this.userGramFresh) gramInto(this.wasm, this.parts, U, this.GU, k);
    this.solveItems();
    gramInto(this.wasm, this.parts, I, this.GI, k);
    this.solveUsers();
    gramInto(this.wasm, this.parts, U, this.GU, k);
    this.userGramFresh = true;
    let loss = 0;
    for (let p = 0; p < U.shards.length >> 1; p++) loss += this.loss[p]!;
    if (s.w0 !== 0) {
      let trace = 0;
      for (let q = 0; q < k * k; q++) trace += this.GI[q]! * this.GU[q]!;
      loss += s.w0 * trace;
    }
    loss += regularizationLoss(I.indptr, I.X, k, s.lambda, s.nu, s.w0, U.rows, 0, I.rows);
    return { loss };
  }

  /** Set by a zero-copy finish, which may decode the history's values over the item side's weights: no more epochs. */
  private consumed = false;

  finish(opts: FinishOptions = {}): FactorModel {
    this.ready();
    if (this.consumed) throw new MfrecError("E_UNSUPPORTED", "internal: a trainer was used after its zero-copy finish");
    const own = opts.zeroCopy === true;
    // The item side's per-entry weights or rows (n floats or ints in kernel memory) are not read again after the last epoch.
    const m = model(finishSource(this.source, this.users, own, own ? this.spare() : new Float32Array(0)), this.config, this.k, this.users.X, this.items.X, own);
    this.consumed = own;
    return m;
  }

  close(): void {
    void this.wasm.pool.close();
  }
}

/**
 * The CG solver: users on their CSR, items as column segments of the users' CSR (no item CSR at all), the
 * per-entry weights computed straight into kernel memory without heap copies.
 */
class WasmWeightedAls extends WasmWeightedAlsBase {
  protected users!: WasmSide;
  protected items!: ShardSide;

  private constructor(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number, wasm: WasmRuntime, vt: CodeTable) {
    super(data, config, spec, k, wasm, vt !== undefined);
    const a = wasm.arena;
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const { indptr: uIndptr, indices: uIndices, extra: uExtra, target: uTarget, table, itemPtr: iIndptr } = usersInArena(a, byUser, spec, vt);
    // byte codes: the users' codes are the history's value index too (a zero-copy finish decodes them)
    if (vt && data.runtime?.zeroCopy === true) this.source.valueIndex = { table: vt.table, index: uExtra as Uint8Array };
    // The rest from kernel memory alone at the first epoch (same order, same addresses), so the given CSR can be
    // collected in between (fit() with `collect` does): the peak then holds the kernel copy, not both.
    this.pending = () => {
      this.users = {
        rows: nU,
        indptr: uIndptr,
        indices: uIndices,
        extra: uExtra,
        target: uTarget,
        table,
        X: a.f32(nU * k),
        shards: balancedRowShards(uIndptr, nU, SHARDS),
        gramShards: gramShardsFor(nU, k),
      };
      const state = { ...itemCgStatePlan(nI, k).place(a), gramShards: gramShardsFor(nI, k) };
      // with byte codes the codes move with their entries and the targets stay a table by code
      const seg = columnSegments(a, uIndptr, uIndices, uExtra, table ? null : uTarget, iIndptr, segmentShardCount(nI, k));
      this.items = { rows: nI, ...seg, target: table ? uTarget : seg.target, table, ...state };
      initFactors(this.users.X, this.items.X, k, seed);
    };
  }

  /** The trainer, or undefined when the TS kernels are to run (kernels "ts", or no WebAssembly SIMD). */
  static open(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): WasmWeightedAls | undefined {
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const n = byUser.indptr[nU]!;
    // at most 256 distinct values (counts, stars): every per-entry weight as a byte code, on both sides
    const vt = data.runtime?.kernels === "ts" ? undefined : codeTableOf(byUser.values, n);
    const hasTarget = hasTargets(byUser, spec, vt);
    // the users' CSR and weights (usersInArena) and factors, the items' column segments and CG state, the base's
    const users = reserve(...usersInArenaShapes(nU, nI, n, hasTarget, vt !== undefined), f32(nU * k));
    const segWeights = vt ? [u8(n)] : [f32(n), ...(hasTarget ? [f32(n)] : [])];
    const segments = reserve(i32(segmentShardCount(nI, k) * nU + 1), i32(n), ...segWeights);
    const plans = [users, segments, itemCgStatePlan(nI, k), WasmWeightedAlsBase.basePlan(nU, nI, k)];
    const wasm = openWasmRuntime(data.runtime, plans, k, n);
    return wasm ? new WasmWeightedAls(data, config, spec, k, seed, wasm, vt) : undefined;
  }

  protected spare(): Float32Array {
    const I = this.items;
    return I.table ? new Float32Array(I.entries.buffer, I.entries.byteOffset, I.entries.length) : (I.extra as Float32Array);
  }

  /** cgShardRange's residual pass, then one pass per CG step. */
  protected solveItems(): void {
    const { items: I, users: U, spec: s } = this;
    const call = (phase: number) =>
      kernelCall.cgShardRange({
        segPtr: I.segPtr, rows: I.entries, extra: I.extra, target: I.target, table: I.table, nOther: U.rows, Y: U.X,
        X: I.X, R: I.R, Pv: I.Pv, AP: I.AP, rs: I.rs, active: I.active, counts: I.indptr, G: this.GU,
        k: this.k, w0: s.w0, lambda: s.lambda, nu: s.nu, nCols: U.rows, phase,
      });
    const pool = this.wasm.pool;
    pool.run({ ...call(0), shards: I.shards });
    const step1 = call(1);
    for (let step = 0; step < s.cgSteps; step++) pool.run({ ...step1, shards: I.shards });
  }

  protected solveUsers(): void {
    const { users: U, items: I, spec: s } = this;
    const call = kernelCall.cgRange({
      indptr: U.indptr, indices: U.indices, extra: U.extra, target: U.target, table: U.table, X: U.X, Y: I.X, G: this.GI,
      k: this.k, w0: s.w0, lambda: s.lambda, nu: s.nu, nCols: I.rows, steps: s.cgSteps, lossOut: this.loss,
    });
    this.wasm.pool.run({ ...call, shards: U.shards });
  }
}

/**
 * The Cholesky solver: wcholRange solves every row exactly (Σ e·y yᵀ in f32 SIMD, the factorization in f64),
 * users on the users' CSR, items on its transpose built straight into kernel memory, both over fixed shards
 * balanced by entries plus the k³/6 of each factorization.
 */
class WasmCholeskyWeightedAls extends WasmWeightedAlsBase {
  protected users!: WasmSide;
  protected items!: WasmSide;

  private constructor(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number, wasm: WasmRuntime, vt: CodeTable) {
    super(data, config, spec, k, wasm, vt !== undefined);
    const a = wasm.arena;
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const n = byUser.indptr[nU]!;
    const { indptr: uIndptr, indices: uIndices, extra: uExtra, target: uTarget, table, itemPtr: iIndptr } = usersInArena(a, byUser, spec, vt);
    if (vt && data.runtime?.zeroCopy === true) this.source.valueIndex = { table: vt.table, index: uExtra as Uint8Array };
    // the rest from kernel memory alone at the first epoch, as in WasmWeightedAls
    this.pending = () => this.build(a, nU, nI, n, k, seed, uIndptr, uIndices, uExtra, uTarget, table, iIndptr);
  }

  private build(
    a: KernelArena, nU: number, nI: number, n: number, k: number, seed: number,
    uIndptr: Int32Array, uIndices: Int32Array, uExtra: Float32Array | Uint8Array, uTarget: Float32Array | null, table: Float32Array | null, iIndptr: Int32Array,
  ): void {
    // the transpose in the order of transpose() in matrix/csr.ts: users ascending within each item; byte codes
    // move with their entries, the targets stay a table by code
    const next = iIndptr.slice(0, nI);
    const iIndices = a.i32(n);
    const iExtra = table ? a.u8(n) : a.f32(n);
    const iTarget = uTarget && !table ? a.f32(n) : null;
    for (let r = 0; r < nU; r++) {
      for (let p = uIndptr[r]!; p < uIndptr[r + 1]!; p++) {
        const q = next[uIndices[p]!]!++;
        iIndices[q] = r;
        iExtra[q] = uExtra[p]!;
        if (iTarget) iTarget[q] = uTarget![p]!;
      }
    }
    // a row costs its entries (k²/2 each) plus its factorization (k³/6): k/3 entries' worth
    const rowCost = 8 + Math.ceil(k / 3);
    const side = (rows: number, indptr: Int32Array, indices: Int32Array, extra: Float32Array | Uint8Array, target: Float32Array | null): WasmSide => ({
      rows,
      indptr,
      indices,
      extra,
      target,
      table,
      X: a.f32(rows * k),
      shards: balancedRowShards(indptr, rows, SHARDS, rowCost),
      gramShards: gramShardsFor(rows, k),
    });
    this.users = side(nU, uIndptr, uIndices, uExtra, uTarget);
    this.items = side(nI, iIndptr, iIndices, iExtra, table ? uTarget : iTarget);
    initFactors(this.users.X, this.items.X, k, seed);
  }

  /** The trainer, or undefined when the TS kernels are to run (kernels "ts", or no WebAssembly SIMD). */
  static open(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): WasmCholeskyWeightedAls | undefined {
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const n = byUser.indptr[nU]!;
    // at most 256 distinct values: weights (and targets) as byte codes on both sides, as the CG trainer does
    const vt = data.runtime?.kernels === "ts" ? undefined : codeTableOf(byUser.values, n);
    const hasTarget = hasTargets(byUser, spec, vt);
    // the users' CSR and weights (usersInArena), the items' transpose, both sides' factors, the base's
    const transpose = reserve(i32(n), ...(vt ? [u8(n)] : [f32(n), ...(hasTarget ? [f32(n)] : [])]));
    const factors = reserve(f32(nU * k), f32(nI * k));
    const plans = [reserve(...usersInArenaShapes(nU, nI, n, hasTarget, vt !== undefined)), transpose, factors, WasmWeightedAlsBase.basePlan(nU, nI, k)];
    const wasm = openWasmRuntime(data.runtime, plans, k, n);
    return wasm ? new WasmCholeskyWeightedAls(data, config, spec, k, seed, wasm, vt) : undefined;
  }

  protected spare(): Float32Array {
    // the items' f32 weights, or with byte codes their row indices (n ints): neither is read after the last epoch
    const I = this.items;
    return I.table ? new Float32Array(I.indices.buffer, I.indices.byteOffset, I.indptr[I.rows]!) : (I.extra as Float32Array);
  }

  /** Rows of side x solved against side y (Gramian G of y), the loss into this.loss when `loss`. */
  private solve(x: WasmSide, y: WasmSide, G: Float32Array, loss: boolean): void {
    const s = this.spec;
    const call = kernelCall.wcholRange({
      indptr: x.indptr, indices: x.indices, extra: x.extra, target: x.target, table: x.table, X: x.X, Y: y.X, G,
      k: this.k, w0: s.w0, lambda: s.lambda, nu: s.nu, nCols: y.rows, lossOut: loss ? this.loss : null,
    });
    this.wasm.pool.run({ ...call, shards: x.shards });
  }

  protected solveItems(): void {
    this.solve(this.items, this.users, this.GU, false);
  }

  protected solveUsers(): void {
    this.solve(this.users, this.items, this.GI, true);
  }
}
