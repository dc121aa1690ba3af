import { rngFor } from "../core/rng.js";
import { fullGramian, regularizationLoss, type WeightedAlsArgs, weightedAlsHalfSweep, weightedAlsLoss } from "../kernels/implicit-als.js";
import { KernelArena } from "../kernels/wasm-arena.js";
import type { CsrMatrix } from "../matrix/csr.js";
import { FactorModel, type ModelConfig } from "../model/factor-model.js";
import { entryWeights, type WeightedAlsSpec } from "../model/implicit-weights.js";
import { balancedRowShards, rowShards } from "../parallel/pool.js";
import { openWasmRuntime, type WasmRuntime } from "./kernel-runtime.js";
import type { EpochResult, Trainer, TrainingData } from "./trainer.js";

/** Row shards per CG half-sweep and loss: fixed by the data (balanced by entries), never by the thread count. */
const SHARDS = 256;
/** At most this many partial Gramians (each k×k f32), and at most this many f32 in all of them. */
const GRAM_SHARDS = 64;
const GRAM_PART_FLOATS = 1 << 24;

/** One side in kernel memory: CSR structure, per-entry weights and targets, factors, fixed shards. */
interface WasmSide {
  rows: number;
  indptr: Int32Array;
  indices: Int32Array;
  extra: Float32Array;
  /** null: every target is 1 (kernel pointer 0). */
  target: Float32Array | null;
  X: Float32Array;
  shards: Int32Array;
  gramShards: Int32Array;
}

/**
 * The trainer shared by `ials` and `wals`: alternating exact (Cholesky) or CG solves of the
 * weighted objective in kernels/implicit-als.ts, one half-sweep kernel for both sides on the CSR
 * and its transpose. Each epoch solves items, then users, so the final user rows are solves
 * against the final item matrix (fold-in of a training user reproduces its row).
 * Factors start N(0, (0.1/√k)²) from rngFor(seed, "init-users" | "init-items").
 *
 * The CG solver runs on the WebAssembly SIMD kernels (gramPartRange, cgRange, wlossRange) over fixed
 * row shards on the fit's pool when the runtime allows (f32 arithmetic: equal to the TS reference up to
 * float rounding, bitwise the same for any thread count); the Cholesky solver stays on the TS kernels.
 */
export function createWeightedAlsTrainer(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number): Trainer {
  const threads = typeof config.threads === "number" ? config.threads : 0;
  if (spec.solver === 0) {
    const t = WasmWeightedAls.open(data, config, spec, k, seed, threads);
    if (t) return t;
  }
  return tsWeightedAls(data, config, spec, k, seed);
}

function initFactors(X: Float32Array, Y: Float32Array, k: number, seed: number): void {
  const std = 0.1 / Math.sqrt(k);
  rngFor(seed, "init-users").fillNormal(X, 0, std);
  rngFor(seed, "init-items").fillNormal(Y, 0, std);
}

function model(data: TrainingData, config: ModelConfig, k: number, X: Float32Array, Y: Float32Array): FactorModel {
  return new FactorModel({
    config,
    userFactors: { rows: data.byUser.rows, cols: k, data: X.slice() },
    itemFactors: { rows: data.byUser.cols, cols: k, data: Y.slice() },
    userIndex: data.ratings.userIndex.clone(),
    itemIndex: data.ratings.itemIndex.clone(),
    history: data.byUser,
    implicit: true,
  });
}

/** The TypeScript reference trainer (Float64 accumulation; the only one with the Cholesky solver). */
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
    finish: () => model(data, config, k, X, Y),
  };
}

/** Shards of the Gramian: contiguous rows, at most GRAM_SHARDS parts and GRAM_PART_FLOATS floats. */
function gramShardsFor(rows: number, k: number): Int32Array {
  const parts = Math.max(1, Math.min(GRAM_SHARDS, Math.floor(GRAM_PART_FLOATS / (k * k))));
  return rowShards(rows, Math.max(1, Math.ceil(rows / parts)));
}

/** The CG trainer on the WASM kernels: every array in the fit's KernelArena, one pool per fit. */
class WasmWeightedAls implements Trainer {
  private readonly users: WasmSide;
  private readonly items: WasmSide;
  private readonly G: Float32Array;
  private readonly parts: Float32Array;
  private readonly loss: Float64Array;

  private constructor(
    private readonly data: TrainingData,
    private readonly config: ModelConfig,
    private readonly spec: WeightedAlsSpec,
    private readonly k: number,
    seed: number,
    private readonly wasm: WasmRuntime,
  ) {
    // Straight into kernel memory: the per-entry weights without heap copies, and the item view transposed
    // from byUser (the order of transpose() in matrix/csr.ts) without building data.byItem at all.
    const a = wasm.arena;
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const n = byUser.indptr[nU]!;
    const hasTarget = WasmWeightedAls.hasTarget(byUser, spec);
    const uExtra = a.f32(n);
    const uTarget = hasTarget ? a.f32(n) : null;
    for (let p = 0; p < n; p++) {
      const v = byUser.values[p]!;
      uExtra[p] = spec.extra(v);
      if (uTarget) uTarget[p] = spec.target(v);
    }
    const uIndptr = a.copyI32(byUser.indptr.subarray(0, nU + 1));
    const uIndices = a.copyI32(byUser.indices.subarray(0, n));
    const iIndptr = a.i32(nI + 1);
    for (let p = 0; p < n; p++) iIndptr[uIndices[p]! + 1]!++;
    for (let c = 0; c < nI; c++) iIndptr[c + 1]! += iIndptr[c]!;
    const next = iIndptr.slice(0, nI);
    const iIndices = a.i32(n);
    const iExtra = a.f32(n);
    const iTarget = hasTarget ? a.f32(n) : null;
    for (let r = 0; r < nU; r++) {
      for (let p = uIndptr[r]!; p < uIndptr[r + 1]!; p++) {
        const q = next[uIndices[p]!]!++;
        iIndices[q] = r;
        iExtra[q] = uExtra[p]!;
        if (iTarget) iTarget[q] = uTarget![p]!;
      }
    }
    const side = (rows: number, indptr: Int32Array, indices: Int32Array, extra: Float32Array, target: Float32Array | null): WasmSide => ({
      rows,
      indptr,
      indices,
      extra,
      target,
      X: a.f32(rows * k),
      shards: balancedRowShards(indptr, rows, SHARDS),
      gramShards: gramShardsFor(rows, k),
    });
    this.users = side(nU, uIndptr, uIndices, uExtra, uTarget);
    this.items = side(nI, iIndptr, iIndices, iExtra, iTarget);
    this.G = a.f32(k * k);
    const nParts = Math.max(this.users.gramShards.length, this.items.gramShards.length) >> 1;
    this.parts = a.f32(nParts * k * k);
    this.loss = a.f64(SHARDS);
    initFactors(this.users.X, this.items.X, k, seed);
  }

  /** The trainer, or undefined when the TS kernels are to run (kernels "ts", or no WebAssembly SIMD). */
  static open(data: TrainingData, config: ModelConfig, spec: WeightedAlsSpec, k: number, seed: number, threads: number): WasmWeightedAls | undefined {
    const byUser = data.byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const n = byUser.indptr[nU]!;
    const side = (rows: number, hasTarget: boolean) => [(rows + 1) * 4, n * 4, n * 4, hasTarget ? n * 4 : 0, rows * k * 4];
    const hasTarget = WasmWeightedAls.hasTarget(byUser, spec);
    const parts = Math.max(gramShardsFor(nU, k).length, gramShardsFor(nI, k).length) >> 1;
    const bytes = KernelArena.bytesFor(...side(nU, hasTarget), ...side(nI, hasTarget), k * k * 4, parts * k * k * 4, SHARDS * 8);
    const wasm = openWasmRuntime(data.runtime, threads, bytes, k, n);
    return wasm ? new WasmWeightedAls(data, config, spec, k, seed, wasm) : undefined;
  }

  /** True when some value maps to a target other than 1 (ials: values ≤ 0), as entryWeights decides. */
  private static hasTarget(m: CsrMatrix, spec: WeightedAlsSpec): boolean {
    const n = m.indptr[m.rows]!;
    for (let p = 0; p < n; p++) if (spec.target(m.values[p]!) !== 1) return true;
    return false;
  }

  /** G = XᵀX of a side: partial Gramians on the pool, summed in shard order in f64. */
  private gram(s: WasmSide): void {
    const k = this.k;
    const kk = k * k;
    const pool = this.wasm.pool;
    pool.run({ kernel: "gramPartRange", args: [s.X.byteOffset, k, this.parts.byteOffset], shards: s.gramShards });
    const n = s.gramShards.length >> 1;
    const P = this.parts;
    for (let q = 0; q < kk; q++) {
      let t = 0;
      for (let p = 0; p < n; p++) t += P[p * kk + q]!;
      this.G[q] = t;
    }
  }

  /** Arguments shared by cgRange and wlossRange for solving side x against fixed side y. */
  private args(x: WasmSide, y: WasmSide): number[] {
    const s = this.spec;
    return [x.indptr.byteOffset, x.indices.byteOffset, x.extra.byteOffset, x.target ? x.target.byteOffset : 0, x.X.byteOffset, y.X.byteOffset, this.G.byteOffset, this.k, s.w0, s.lambda, s.nu, y.rows];
  }

  epoch(): EpochResult {
    const { users: U, items: I, spec: s, k } = this;
    const pool = this.wasm.pool;
    this.gram(U);
    pool.run({ kernel: "cgRange", args: [...this.args(I, U), s.cgSteps], shards: I.shards });
    this.gram(I);
    pool.run({ kernel: "cgRange", args: [...this.args(U, I), s.cgSteps], shards: U.shards });
    pool.run({ kernel: "wlossRange", args: [...this.args(U, I), this.loss.byteOffset], shards: U.shards });
    let loss = 0;
    for (let p = 0; p < U.shards.length >> 1; p++) loss += this.loss[p]!;
    loss += regularizationLoss(I.indptr, I.X, k, s.lambda, s.nu, s.w0, U.rows, 0, I.rows);
    return { loss };
  }

  finish(): FactorModel {
    return model(this.data, this.config, this.k, this.users.X, this.items.X);
  }

  close(): void {
    void this.wasm.pool.close();
  }
}
