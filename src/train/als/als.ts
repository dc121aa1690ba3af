import { rngFor } from "../../core/rng.js";
import { alsExplicitHalfSweep } from "../../kernels/als-explicit.js";
import { alsExplicitCgHalfSweep } from "./cg-kernel.js";
import { explicitSquaredError, weightedSquaredNorms } from "../../kernels/explicit-loss.js";
import { f32, f64, heapAllocator, i32, memoryPlan, reserve, u8 } from "../../kernels/arena-plan.js";
import { kernelCall } from "../../kernels/kernel-calls.js";
import type { KernelArena } from "../../kernels/wasm-arena.js";
import type { IdIndex } from "../../data/id-index.js";
import type { CsrMatrix } from "../../matrix/csr.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { byteCodesOf, codeTableOf, type ColumnSegments, columnSegments, segmentShardCount } from "../../parallel/column-segments.js";
import { balancedRowShards } from "../../parallel/pool.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { explicitModel, historyOf } from "../finish.js";
import { meanOf, rangeOf } from "../init.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import type { Algorithm, EpochResult, FinishOptions, Trainer, TrainingData } from "../trainer.js";

/** Resolved configuration of explicit ALS (every key present: plain JSON that round-trips). */
export type AlsConfig = ModelConfig & AlsSettings & { algorithm: "als" };

/** The keys of {@link AlsConfig} besides `algorithm`. */
export interface AlsSettings {
  /** Latent dimensions k. */
  factors: number;
  /** Iterations; each is a user half-sweep then an item half-sweep. */
  epochs: number;
  /** λ of the ridge penalty on every row's factors (and bias). */
  regularization: number;
  /** λ of the bias terms (defaults to `regularization` when that is given). */
  regBias: number;
  /** Learn μ + b_u + b_i jointly with the factors (one more column in each row's solve). */
  biases: boolean;
  /** ALS-WR: scale λ by each row's rating count n_r (Zhou et al. 2008). */
  weightedRegularization: boolean;
  /** Standard deviation of the N(0, σ²) start of the item factors (the user half-sweep comes first). */
  initStd: number;
  seed: number;
  /**
   * 0: solve every row exactly (Cholesky, O(n_r·k²) per row). s > 0: at most s conjugate-gradient steps
   * per row, warm-started from the previous iteration (O(s·n_r·k) per row; implicit's ALS uses 3) —
   * the fast choice for large data and many factors.
   */
  cgSteps: number;
}

/** Defaults of `als`, chosen on MovieLens 100k u1 (docs/algorithms.md has the figures). */
export const ALS_DEFAULTS: AlsSettings = {
  factors: 40,
  epochs: 10,
  regularization: 0.13,
  regBias: 0.05,
  biases: true,
  weightedRegularization: true,
  initStd: 0.1,
  seed: 42,
  cgSteps: 0,
};

const KEYS = Object.keys(ALS_DEFAULTS);

/** Fill defaults and validate (MfrecError E_CONFIG naming the key). */
export function resolveAlsConfig(config: Partial<ModelConfig>): AlsConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "als");
  const d = ALS_DEFAULTS;
  // λ > 0 keeps every row's system positive definite (a row with fewer ratings than factors needs it).
  const given = c.regularization !== undefined && c.regularization !== null;
  const regularization = numberOption(c, "regularization", d.regularization, { above: 0 });
  return {
    algorithm: "als",
    factors: numberOption(c, "factors", d.factors, RULES.factors),
    epochs: numberOption(c, "epochs", d.epochs, RULES.epochs),
    regularization,
    regBias: numberOption(c, "regBias", given ? regularization : d.regBias, { min: 0 }),
    biases: booleanOption(c, "biases", d.biases),
    weightedRegularization: booleanOption(c, "weightedRegularization", d.weightedRegularization),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
    cgSteps: numberOption(c, "cgSteps", d.cgSteps, { min: 0, max: 1000, integer: true }),
  };
}

const EMPTY = new Float32Array(0);

/** One side of the problem: its CSR (arena copy when WASM), factors, biases and fixed row shards. */
interface Side {
  csr: CsrMatrix;
  X: Float32Array;
  bias: Float32Array;
  shards: Int32Array;
}

/** alsCgShardRange's per-item state: residual, direction, A·p (k each), four scalars and the active flag. */
function alsCgStatePlan(ni: number, k: number) {
  return memoryPlan({ R: f32(ni * k), Pv: f32(ni * k), AP: f32(ni * k), sc: f32(ni * 4), active: i32(ni) });
}

/**
 * The items' layout and CG state for alsCgShardRange (WASM and cgSteps > 0): each item shard's ratings
 * grouped by user, so a pass streams the users' factors in order (see parallel/column-segments.ts).
 */
interface ShardState {
  seg: ColumnSegments;
  R: Float32Array;
  Pv: Float32Array;
  AP: Float32Array;
  /** [r_b, p_b, Ap_b, rᵀr] per item. */
  sc: Float32Array;
  active: Int32Array;
}


/** The item side's row pointer (rating counts) from the user × item CSR, with no column lists: all the sharded CG solve keeps of the items' view. */
function countsView(byUser: CsrMatrix): CsrMatrix {
  const n = byUser.indptr[byUser.rows]!;
  const indptr = new Int32Array(byUser.cols + 1);
  for (let p = 0; p < n; p++) indptr[byUser.indices[p]! + 1]!++;
  for (let c = 0; c < byUser.cols; c++) indptr[c + 1]! += indptr[c]!;
  return { rows: byUser.cols, cols: byUser.rows, indptr, indices: new Int32Array(0), values: new Float32Array(0) };
}

/**
 * The transpose of `m` (as transpose() in matrix/csr.ts: rows ascending within each column) built in the arena; with
 * `codes` (m's ratings as byte codes, m then without values) the codes are transposed instead, into `codesOut`.
 */
function transposeInto(a: KernelArena, m: CsrMatrix, codes?: Uint8Array, codesOut?: (c: Uint8Array) => void): CsrMatrix {
  const n = m.indptr[m.rows]!;
  const indptr = a.i32(m.cols + 1);
  for (let p = 0; p < n; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = a.i32(n);
  const values = codes ? a.u8(n) : a.f32(n);
  const from = codes ?? m.values;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const q = next[m.indices[p]!]!++;
      indices[q] = r;
      values[q] = from[p]!;
    }
  }
  if (codes) {
    codesOut?.(values as Uint8Array);
    return { rows: m.cols, cols: m.rows, indptr, indices, values: EMPTY };
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values: values as Float32Array };
}

/** The mutable state of one ALS fit (arrays in a KernelArena when the WASM kernels run). */
class AlsTrainer implements Trainer {
  private users!: Side;
  private items!: Side;
  private readonly mu: number;
  private readonly wasm: WasmRuntime | undefined;
  private loss!: Float64Array;
  private itemShards: ShardState | undefined;
  /** The rest of the layout, built from kernel memory alone at the first epoch (see the constructor). */
  private pending: (() => void) | undefined;
  private readonly count: number;
  private readonly userIndex: IdIndex;
  private readonly itemIndex: IdIndex;
  /** The users' CSR as given; undefined when the history is the kernel memory's copy of it (zero-copy fits, see the constructor). */
  private readonly history: CsrMatrix | undefined;
  private readonly ratingScale: [number, number];
  /**
   * WASM and at most 256 distinct ratings: the users' ratings as byte codes (`codes`, the users' CSR then has no
   * values) and the ratings by code (`table`, in kernel memory); the item side (CG: its segments; exact: the
   * transpose, `itemCodes`) carries the codes too. The kernels read table[code], the same f32 as the rating: 1 B a
   * rating on each side instead of 4.
   */
  private readonly coded: { codes: Uint8Array; table: Float32Array; itemCodes?: Uint8Array } | undefined;

  constructor(
    data: TrainingData,
    private readonly cfg: AlsConfig,
  ) {
    // No reference to `data` is kept: what the model needs is copied out here, so the caller's Ratings can go.
    const { byUser, ratings } = data;
    const k = cfg.factors;
    const n = ratings.length;
    this.count = n;
    this.userIndex = ratings.userIndex;
    this.itemIndex = ratings.itemIndex;
    this.ratingScale = rangeOf(ratings.values, n);
    const nu = byUser.rows;
    const ni = byUser.cols;
    // Kernel memory: the users' CSR copied in, the items' (the transpose, or with CG the column segments of the
    // users' CSR and the items' row pointer), each side's factors and biases, the CG state and the loss parts.
    const vt = data.runtime?.kernels !== "ts" ? codeTableOf(byUser.values, n) : undefined;
    const csr = (rows: number) => [i32(rows + 1), i32(n), vt ? u8(n) : f32(n)];
    const factors = (rows: number) => (cfg.biases ? [f32(rows * k), f32(rows)] : [f32(rows * k)]);
    const cgState = alsCgStatePlan(ni, k);
    const segPtr = cfg.cgSteps > 0 ? [i32(segmentShardCount(ni, k) * nu + 1)] : [];
    const sides = reserve(...csr(nu), ...csr(ni), ...segPtr, ...factors(nu), ...factors(ni), f64(SHARDS), ...(vt ? [f32(256)] : []));
    this.wasm = openWasmRuntime(data.runtime, cfg.cgSteps > 0 ? [sides, cgState] : [sides], k, n);
    const alloc = this.wasm?.arena ?? heapAllocator;
    const a = this.wasm?.arena;
    const side = (csr: CsrMatrix): Side => ({ csr, X: alloc.f32(csr.rows * k), bias: cfg.biases ? alloc.f32(csr.rows) : EMPTY, shards: balancedRowShards(csr.indptr, csr.rows, SHARDS) });
    // The WASM kernels: the users' CSR is copied into kernel memory here and the rest of the layout (item side,
    // factors, drawn Q) is built from that copy alone at the first epoch, in the same order at the same addresses,
    // so the given CSR can be collected in between (fit() with `collect` does: the peak then holds one copy, not two).
    const coded: { codes: Uint8Array; table: Float32Array; itemCodes?: Uint8Array } | undefined = a && vt ? { codes: byteCodesOf(a, byUser.values, n, vt).codes, table: a.copyF32(vt.table) } : undefined;
    this.coded = coded;
    const usersCsr: CsrMatrix = a
      ? { ...byUser, indptr: a.copyI32(byUser.indptr.subarray(0, nu + 1)), indices: a.copyI32(byUser.indices.subarray(0, n)), values: coded ? EMPTY : a.copyF32(byUser.values.subarray(0, n)) }
      : byUser;
    // A zero-copy fit (FitOptions.zeroCopy: `mfrec train`) takes the model's history from the kernel memory's copy of
    // the users' CSR, the same bytes, so the given CSR (8 B a rating, views of the parsed columns when the input is
    // sorted by user) is not kept through the epochs; any other fit keeps it as before.
    this.history = a && data.runtime?.zeroCopy === true ? undefined : byUser;
    const byItem = a ? undefined : data.byItem;
    this.pending = () => {
      this.users = side(usersCsr);
      // With CG on the WASM kernels the items are solved from the users' CSR regrouped by item shard: no item
      // CSR at all (its row pointer, the item counts, is all that is kept of it), else the transpose, built
      // straight into kernel memory when the WASM kernels run (no heap transpose beside the copy).
      const sharded = a !== undefined && cfg.cgSteps > 0;
      this.items = side(a ? (sharded ? countsView(usersCsr) : transposeInto(a, usersCsr, coded?.codes, (c) => (coded!.itemCodes = c))) : byItem!);
      if (sharded) {
        const u = usersCsr;
        const seg = columnSegments(a, u.indptr, u.indices, coded ? coded.codes : u.values, null, a.copyI32(this.items.csr.indptr), segmentShardCount(ni, k));
        this.itemShards = { seg, ...cgState.place(a) };
      }
      this.loss = alloc.f64(SHARDS);
      // P is overwritten by the first user half-sweep (from zero when CG); only Q's start matters.
      if (cfg.initStd === 0) this.items.X.fill(0);
      else rngFor(cfg.seed, "init-items").fillNormal(this.items.X, 0, cfg.initStd);
    };
    if (!a) this.ready();
    this.mu = cfg.biases ? meanOf(ratings.values, n) : 0;
  }

  /** Build what the constructor left for the first epoch (once). */
  private ready(): void {
    const p = this.pending;
    this.pending = undefined;
    p?.();
  }

  private half(x: Side, y: Side): void {
    const c = this.cfg;
    const k = c.factors;
    const w = c.weightedRegularization;
    const m = x.csr;
    const sh = this.itemShards;
    if (this.wasm && sh && x === this.items) {
      const s = sh.seg;
      const call = (phase: number) =>
        kernelCall.alsCgShardRange({
          segPtr: s.segPtr, rows: s.entries, values: s.extra, table: this.coded?.table ?? null, nOther: y.csr.rows, Y: y.X, by: y.bias, X: x.X, bx: x.bias,
          R: sh.R, Pv: sh.Pv, AP: sh.AP, sc: sh.sc, active: sh.active, counts: s.indptr,
          k, mu: this.mu, reg: c.regularization, regBias: c.regBias, scaleByCount: w, useBias: c.biases, phase,
        });
      this.wasm.pool.run({ ...call(0), shards: s.shards });
      const step1 = call(1);
      for (let step = 0; step < c.cgSteps; step++) this.wasm.pool.run({ ...step1, shards: s.shards });
    } else if (this.wasm) {
      const a = { indptr: m.indptr, indices: m.indices, values: m.values, X: x.X, Y: y.X, bx: x.bias, by: y.bias, k, mu: this.mu, reg: c.regularization, regBias: c.regBias, scaleByCount: w, useBias: c.biases };
      // byte codes: the users' side's, or the transposed ones (exact solves; with CG the items are sharded)
      const cd = this.coded;
      const xc = cd ? (x === this.users ? cd.codes : cd.itemCodes) : undefined;
      const codes = cd && xc ? { values: xc, table: cd.table } : { table: null };
      if (c.cgSteps > 0) this.wasm.pool.run({ ...kernelCall.alsCgRange({ ...a, ...codes, steps: c.cgSteps }), shards: x.shards });
      else this.wasm.pool.run({ ...kernelCall.alsCholeskyRange({ ...a, ...codes }), shards: x.shards });
    } else if (c.cgSteps > 0) {
      alsExplicitCgHalfSweep(m.indptr, m.indices, m.values, x.X, x.bias, y.X, y.bias, k, this.mu, c.regularization, c.regBias, w, c.cgSteps, 0, m.rows);
    } else {
      alsExplicitHalfSweep(m.indptr, m.indices, m.values, x.X, x.bias, y.X, y.bias, k, this.mu, c.regularization, c.regBias, w, 0, m.rows);
    }
  }

  private squaredError(): number {
    const u = this.users;
    const m = u.csr;
    const k = this.cfg.factors;
    if (!this.wasm) return explicitSquaredError(m.indptr, m.indices, m.values, u.X, u.bias, this.items.X, this.items.bias, k, this.mu, 0, m.rows);
    const values = this.coded ? { values: this.coded.codes, table: this.coded.table } : { values: m.values, table: null };
    const call = kernelCall.sseRange({ indptr: m.indptr, indices: m.indices, ...values, X: u.X, Y: this.items.X, bx: u.bias, by: this.items.bias, k, mu: this.mu, useBias: this.cfg.biases, lossOut: this.loss });
    this.wasm.pool.run({ ...call, shards: u.shards });
    let sse = 0;
    for (let s = 0; s < u.shards.length >> 1; s++) sse += this.loss[s]!;
    return sse;
  }

  epoch(): EpochResult {
    this.ready();
    const { factors: k, regularization: reg, weightedRegularization: w } = this.cfg;
    const U = this.users;
    const I = this.items;
    this.half(U, I);
    this.half(I, U);
    const sse = this.squaredError();
    let penalty = reg * (weightedSquaredNorms(U.X, k, U.csr.indptr, w, 0, U.csr.rows) + weightedSquaredNorms(I.X, k, I.csr.indptr, w, 0, I.csr.rows));
    if (this.cfg.biases) {
      penalty += this.cfg.regBias * (weightedSquaredNorms(U.bias, 1, U.csr.indptr, w, 0, U.csr.rows) + weightedSquaredNorms(I.bias, 1, I.csr.indptr, w, 0, I.csr.rows));
    }
    return { loss: sse + penalty, trainRmse: Math.sqrt(sse / this.count) };
  }

  finish(opts: FinishOptions = {}): FactorModel {
    this.ready();
    const b = this.cfg.biases;
    // The final zero-copy call keeps the trainer's own arrays (kernel memory): no second copy of the factors.
    return explicitModel({
      config: this.cfg,
      width: this.cfg.factors,
      P: this.users.X,
      Q: this.items.X,
      userIndex: this.userIndex,
      itemIndex: this.itemIndex,
      globalMean: this.mu,
      userBias: b ? this.users.bias : undefined,
      itemBias: b ? this.items.bias : undefined,
      history: this.history ?? (this.coded ? this.codedHistory(opts.zeroCopy === true) : historyOf(this.users.csr, opts.zeroCopy === true)),
      ratingScale: this.ratingScale,
      own: opts.zeroCopy === true,
    });
  }

  /**
   * The model's history from the users' CSR and its byte codes (as historyOf would give it from per-entry ratings): the
   * ratings decoded, with `own` (the final zero-copy finish) into the item side's row indices, kernel memory not read
   * after the last epoch (n ints, so n floats), the structure kept; else into a new array, the structure copied.
   */
  private codedHistory(own: boolean): CsrMatrix {
    const m = this.users.csr;
    const c = this.coded!;
    const n = m.indptr[m.rows]!;
    // the item side's row indices (segments or transpose): n ints no longer read
    const e = this.itemShards ? this.itemShards.seg.entries : this.items.csr.indices;
    const values = own ? new Float32Array(e.buffer, e.byteOffset, n) : new Float32Array(n);
    for (let p = 0; p < n; p++) values[p] = c.table[c.codes[p]!]!;
    const indptr = m.indptr.subarray(0, m.rows + 1);
    const indices = m.indices.subarray(0, n);
    return { rows: m.rows, cols: m.cols, indptr: own ? indptr : indptr.slice(), indices: own ? indices : indices.slice(), values };
  }

  close(): Promise<void> | undefined {
    return this.wasm?.pool.close();
  }
}

/** Row shards per half-sweep: fixed by the data (balanced by ratings), never by the thread count. */
const SHARDS = 256;

/**
 * `als`: explicit alternating least squares, r̂ = μ + b_u + b_i + p_u·q_i (biases optional). Each
 * iteration solves every user row with the items fixed (exactly, or by cgSteps CG steps), then every
 * item row with the users fixed, minimising Σ (r − r̂)² + λ Σ_u w_u(‖p_u‖² + b_u²) + λ Σ_i w_i(‖q_i‖² + b_i²), w = n_r (ALS-WR) or 1.
 */
export const als: Algorithm<AlsConfig> = {
  name: "als",
  description: "explicit alternating least squares with optional biases and ALS-WR regularization (exact Cholesky solves, or conjugate gradient with cgSteps)",
  implicit: false,
  resolveConfig: (config) => resolveAlsConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => new AlsTrainer(data, config),
  capabilities: {
    explains: true,
    trainsFromCsr: true,
    exampleConfig: (factors) => ({ algorithm: "als", factors, epochs: 50, regularization: 0.05, biases: false, seed: 42 }),
    spark: { implicitPrefs: false },
  },
};
