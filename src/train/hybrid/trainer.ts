/**
 * `hybrid`: a factorization over ids and side features (LightFM's form). An item's vector is its id
 * vector plus the weighted sum of its feature vectors, and likewise a user's; an item or user with
 * features but no training rating (a cold one) gets a vector from its features alone, so it is scored,
 * ranked and recommended like any other. Trained for ranking (WARP by default, or BPR) on the positives
 * (ratings ≥ positiveThreshold; every interaction without one), or with loss "squared" for ratings on every
 * rating (μ + b_u + b_i + p_u·q_i, user and item biases over id and feature rows: an explicit model), by the
 * TS kernel in ./kernel.ts, or by its WASM SIMD twin (assembly/hybrid.ts, the same bytes)
 * when the runtime has WebAssembly SIMD and `kernels` is not "ts".
 *
 * The model it returns holds each entity's final vector (id + features) as its factor row, so every
 * query works unchanged, plus the feature vectors themselves (FactorModel.features) so that an entity
 * added later (model/cold-start.ts) gets its vector from its features.
 */
import { MfrecError } from "../../core/errors.js";
import type { FitWarning } from "../../core/types.js";
import { featureWarnings } from "../feature-report.js";
import { rngFor } from "../../core/rng.js";
import { alignFeatures, type FeatureTable } from "../../data/features.js";
import type { IdIndex } from "../../data/id-index.js";
import type { CsrMatrix } from "../../matrix/csr.js";
import { FactorModel, type FeatureFactors, type ModelConfig } from "../../model/factor-model.js";
import type { Algorithm, EpochResult, Trainer, TrainingData } from "../trainer.js";
import { meanOf, rangeOf } from "../init.js";
import { resolveHybridConfig } from "./config.js";
import { hybridFoldInRow } from "./fold-in.js";
import { copyOf, f32, f64, i32, memoryPlan } from "../../kernels/arena-plan.js";
import { type KernelCall, kernelCall, runRange } from "../../kernels/kernel-calls.js";
import type { WasmKernels } from "../../kernels/wasm.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import { type EntityRows, type HybridState, hybridEpoch, type ParamTable, Scratch, warpWeight } from "./kernel.js";

export const hybrid: Algorithm = {
  name: "hybrid",
  description: "hybrid factorization over ids and side features (LightFM-style, WARP or BPR; loss squared for ratings): cold items and users from their features",
  implicit: true,
  features: true,
  resolveConfig: (config, data) => resolveHybridConfig(config as Record<string, unknown>, data),
  epochs: (c) => c.epochs as number,
  create: (data, c) => new HybridTrainer(data, c),
  capabilities: {
    foldInRow: hybridFoldInRow,
    foldsInFeatures: true,
    // A new item gets its vector from its features (addItems), not from the users who rated it.
    foldsInItems: false,
  },
};

/** One side (users or items) laid out for the kernel. */
interface Side {
  index: IdIndex;
  /** Entities that have an id row (those in the ratings), the first `warm` dense indices. */
  warm: number;
  rows: EntityRows;
  params: ParamTable;
  /** Parameter rows before the feature rows (= warm with identity, else 0). */
  idRows: number;
  vocabulary: IdIndex | null;
  /** Entities with features that were not in the ratings (added, cold) / ratings entities without features. */
  cold: number;
  unmatched: number;
  withoutFeatures: number;
}

/** How entity weights are scaled: none; the whole row (id and features) to sum 1 (LightFM's); or the features alone to sum 1, the id keeping weight 1. */
export type NormalizeMode = false | true | "features";

/**
 * `warmCap`: the weights of each warm entity (its id and its features) are scaled down to sum at most
 * this (after `normalize`); cold entities keep theirs. See HYBRID_DEFAULTS.itemWeightCap.
 */
function buildSide(ratingsIndex: IdIndex, table: FeatureTable | undefined, k: number, identity: boolean, normalize: NormalizeMode, warmCap: number | undefined, withBias: boolean, seed: number, purpose: string): Side {
  const index = ratingsIndex.clone();
  const warm = index.size;
  let cold = 0;
  if (table) for (let r = 0; r < table.ids.size; r++) if (index.indexOf(table.ids.idAt(r)) < 0) {
    index.add(table.ids.idAt(r));
    cold++;
  }
  const n = index.size;
  const aligned = table ? alignFeatures(table, index) : null;
  const idRows = identity ? warm : 0;
  const nFeat = table ? table.vocabulary.size : 0;
  const indptr = new Int32Array(n + 1);
  for (let e = 0; e < n; e++) indptr[e + 1] = indptr[e]! + (identity && e < warm ? 1 : 0) + (aligned ? aligned.indptr[e + 1]! - aligned.indptr[e]! : 0);
  const rows = new Int32Array(indptr[n]!);
  const weights = new Float32Array(indptr[n]!);
  for (let e = 0; e < n; e++) {
    let p = indptr[e]!;
    if (identity && e < warm) {
      rows[p] = e;
      weights[p++] = 1;
    }
    if (aligned) for (let q = aligned.indptr[e]!; q < aligned.indptr[e + 1]!; q++) {
      rows[p] = idRows + aligned.indices[q]!;
      weights[p++] = aligned.values[q]!;
    }
    if (normalize === true) normalizeRow(weights, indptr[e]!, indptr[e + 1]!);
    if (warmCap !== undefined && e < warm) capRow(weights, indptr[e]!, indptr[e + 1]!, warmCap);
    else if (normalize === "features") normalizeRow(weights, indptr[e]! + (identity && e < warm ? 1 : 0), indptr[e + 1]!);
  }
  const nRows = idRows + nFeat;
  const vectors = new Float32Array(nRows * k);
  const rng = rngFor(seed, purpose);
  // LightFM's initialisation: uniform in [-0.5, 0.5) / k.
  for (let t = 0; t < vectors.length; t++) vectors[t] = (rng.next() - 0.5) / k;
  const params: ParamTable = {
    vectors,
    vectorAcc: new Float32Array(nRows * k).fill(1),
    bias: withBias ? new Float32Array(nRows) : null,
    biasAcc: withBias ? new Float32Array(nRows).fill(1) : null,
  };
  return {
    index,
    warm,
    rows: { indptr, rows, weights, idRows },
    params,
    idRows,
    vocabulary: table ? table.vocabulary.clone() : null,
    cold,
    unmatched: cold,
    withoutFeatures: aligned ? aligned.withoutFeatures : n,
  };
}

/** Scale weights[s..e) to sum 1 in absolute value (LightFM's normalize); an all-zero row stays. */
export function normalizeRow(weights: Float32Array, s: number, e: number): void {
  let sum = 0;
  for (let p = s; p < e; p++) sum += Math.abs(weights[p]!);
  if (sum > 0) for (let p = s; p < e; p++) weights[p] = weights[p]! / sum;
}

/** Scale weights[s..e) down so they sum at most `cap` in absolute value; a row at or under the cap stays as it is. */
export function capRow(weights: Float32Array, s: number, e: number, cap: number): void {
  let sum = 0;
  for (let p = s; p < e; p++) sum += Math.abs(weights[p]!);
  if (sum > cap) for (let p = s; p < e; p++) weights[p] = (weights[p]! * cap) / sum;
}

/** Each entity's final vector (and bias): the weighted sums the kernel scores with. */
function materialize(side: Side, k: number): { factors: Float32Array; bias: Float32Array | undefined } {
  const n = side.index.size;
  const out = new Float32Array(n * k);
  const bias = side.params.bias ? new Float32Array(n) : undefined;
  const { indptr, rows, weights } = side.rows;
  const V = side.params.vectors;
  for (let e = 0; e < n; e++) {
    const o = e * k;
    for (let p = indptr[e]!; p < indptr[e + 1]!; p++) {
      const r = rows[p]!;
      const w = weights[p]!;
      for (let f = 0; f < k; f++) out[o + f]! += w * V[r * k + f]!;
      if (bias) bias[e]! += w * side.params.bias![r]!;
    }
  }
  return { factors: out, bias };
}

function featureFactors(side: Side, k: number, normalize: boolean): FeatureFactors | undefined {
  if (!side.vocabulary) return undefined;
  const F = side.vocabulary.size;
  const o = side.idRows * k;
  return {
    vocabulary: side.vocabulary,
    factors: { rows: F, cols: k, data: side.params.vectors.slice(o, o + F * k) },
    bias: side.params.bias ? side.params.bias.slice(side.idRows, side.idRows + F) : undefined,
    normalize,
  };
}

class HybridTrainer implements Trainer {
  private state: HybridState;
  private readonly users: Side;
  private readonly items: Side;
  private readonly history: CsrMatrix;
  private order: Int32Array;
  /** The WASM kernel (every loss): its runtime, call and the views it reports through. */
  private readonly wasm: WasmRuntime | undefined;
  private wasmEpoch: { kernels: WasmKernels; call: KernelCall<"hybridEpochRange">; rng: Int32Array; lossOut: Float64Array } | undefined;
  private readonly scratch: Scratch;
  private readonly seed: number;
  private readonly k: number;
  /** Loss "squared": the training ratings' range (predictions are clipped to it) and mean μ. */
  private readonly ratingScale: [number, number] | undefined;
  private readonly globalMean: number = 0;
  private readonly fitWarnings: FitWarning[];

  constructor(
    data: TrainingData,
    private readonly cfg: ModelConfig,
  ) {
    const k = cfg.factors as number;
    this.k = k;
    this.seed = cfg.seed as number;
    const identity = cfg.identity as boolean;
    const normalize: NormalizeMode = cfg.normalize === "features" ? "features" : cfg.normalize === true;
    const itemCap = typeof cfg.itemWeightCap === "number" ? cfg.itemWeightCap : undefined;
    const r = data.ratings;
    if (!identity && !data.itemFeatures && !data.userFeatures)
      throw new MfrecError("E_CONFIG", "hybrid with identity: false needs item or user features", { column: "identity", value: false, expected: "true, or itemFeatures / userFeatures" });
    const squared = cfg.loss === "squared";
    this.users = buildSide(r.userIndex, data.userFeatures, k, identity, normalize, undefined, squared, this.seed, "hybrid-users");
    this.items = buildSide(r.itemIndex, data.itemFeatures, k, identity, normalize, itemCap, true, this.seed, "hybrid-items");
    this.fitWarnings = [
      ...featureWarnings(data.userFeatures, r.userIndex, "user", "they are added to the model as cold users, ranked from their features"),
      ...featureWarnings(data.itemFeatures, r.itemIndex, "item", "they are added to the model as cold items, scored from their features"),
    ];
    if (!identity) {
      for (const [side, what] of [[this.users, "user"], [this.items, "item"]] as const) {
        if (side.withoutFeatures > 0)
          throw new MfrecError("E_CONFIG", `with identity: false every ${what} needs features, and ${side.withoutFeatures} have none`, { column: "identity", value: false, expected: `features for every ${what}, or identity: true` });
      }
    }
    const nU = this.users.index.size;
    const nI = this.items.index.size;
    // History over the extended catalogue: cold rows and columns are empty.
    const byUser = data.byUser;
    const nnz = byUser.indptr[byUser.rows]!;
    const hIndptr = new Int32Array(nU + 1);
    hIndptr.set(byUser.indptr.subarray(0, byUser.rows + 1));
    hIndptr.fill(nnz, byUser.rows + 1);
    this.history = { rows: nU, cols: nI, indptr: hIndptr, indices: byUser.indices.subarray(0, nnz), values: byUser.values.subarray(0, nnz) };
    let nPos: number;
    if (squared) {
      // Every rating is a target: the pairs in the users' CSR order, μ the training mean.
      nPos = nnz;
      if (nPos === 0) throw new MfrecError("E_EMPTY_INPUT", "hybrid with loss \"squared\" needs at least one training rating", { expected: "a rating" });
      const pairUser = new Int32Array(nPos);
      for (let u = 0; u < byUser.rows; u++) pairUser.fill(u, byUser.indptr[u]!, byUser.indptr[u + 1]!);
      const values = byUser.values.slice(0, nnz);
      this.ratingScale = rangeOf(values, nnz);
      this.globalMean = meanOf(values, nnz);
      this.state = { ...this.commonState(cfg, k), posUser: pairUser, posItem: byUser.indices.slice(0, nnz), posIndptr: new Int32Array(nU + 1), posSorted: new Int32Array(0), negativePool: new Int32Array(0), values, globalMean: this.globalMean };
    } else {
      // Positives: per user, sorted items with value >= threshold.
      const t = typeof cfg.positiveThreshold === "number" ? cfg.positiveThreshold : null;
      const posIndptr = new Int32Array(nU + 1);
      const tmp: number[] = [];
      const posSorted: number[] = [];
      for (let u = 0; u < byUser.rows; u++) {
        tmp.length = 0;
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) if (t === null || byUser.values[p]! >= t) tmp.push(byUser.indices[p]!);
        tmp.sort((a, b) => a - b);
        for (const i of tmp) posSorted.push(i);
        posIndptr[u + 1] = posSorted.length;
      }
      posIndptr.fill(posSorted.length, byUser.rows + 1);
      nPos = posSorted.length;
      if (nPos === 0)
        throw new MfrecError("E_EMPTY_INPUT", `no training rating is a positive (value >= ${t})`, { column: "positiveThreshold", value: t, expected: "a threshold at or below some training values" });
      const posUser = new Int32Array(nPos);
      for (let u = 0; u < nU; u++) posUser.fill(u, posIndptr[u]!, posIndptr[u + 1]!);
      const pool = cfg.negatives === "all" ? nI : this.items.warm;
      this.state = {
        ...this.commonState(cfg, k),
        posUser,
        posItem: Int32Array.from(posSorted),
        posIndptr,
        posSorted: Int32Array.from(posSorted),
        negativePool: Int32Array.from({ length: pool }, (_, i) => i),
        values: null,
        globalMean: 0,
      };
    }
    this.order = Int32Array.from({ length: nPos }, (_, i) => i);
    this.scratch = new Scratch(k);
    // The WASM kernel computes the TS kernel's bytes (assembly/hybrid.ts).
    this.wasm = this.openWasm(data);
  }

  /**
   * Move every array the epoch touches into kernel memory (copies: the same values), point the sides and
   * the state at the copies, and build the kernel call once (its pointers and settings do not change).
   */
  private openWasm(data: TrainingData): WasmRuntime | undefined {
    const s = this.state;
    const k = s.k;
    const U = this.users;
    const I = this.items;
    const maxSampled = s.loss === "warp" ? s.maxSampled : 0;
    const lossCode = s.loss === "warp" ? 0 : s.loss === "bpr" ? 1 : 2;
    const plan = memoryPlan({
      uIndptr: copyOf(U.rows.indptr),
      uRows: copyOf(U.rows.rows),
      uWeights: copyOf(U.rows.weights),
      uVec: copyOf(U.params.vectors),
      uAcc: copyOf(U.params.vectorAcc),
      uBias: U.params.bias ? copyOf(U.params.bias) : null,
      uBiasAcc: U.params.biasAcc ? copyOf(U.params.biasAcc) : null,
      iIndptr: copyOf(I.rows.indptr),
      iRows: copyOf(I.rows.rows),
      iWeights: copyOf(I.rows.weights),
      iVec: copyOf(I.params.vectors),
      iAcc: copyOf(I.params.vectorAcc),
      iBias: I.params.bias ? copyOf(I.params.bias) : null,
      iBiasAcc: I.params.biasAcc ? copyOf(I.params.biasAcc) : null,
      posUser: copyOf(s.posUser),
      posItem: copyOf(s.posItem),
      posIndptr: copyOf(s.posIndptr),
      posSorted: copyOf(s.posSorted),
      pool: copyOf(s.negativePool),
      values: s.values ? copyOf(s.values) : null,
      order: copyOf(this.order),
      rng: i32(4),
      warpWeights: f64(maxSampled + 1),
      work: f32(5 * k + 16),
      lossOut: f64(1),
    });
    const wasm = openWasmRuntime({ ...data.runtime, threads: 1 }, [plan], k, this.order.length);
    if (!wasm) return undefined;
    const v = plan.place(wasm.arena);
    for (let d = 1; d <= maxSampled; d++) v.warpWeights[d] = warpWeight(s.negativePool.length, d);
    U.rows = { indptr: v.uIndptr, rows: v.uRows, weights: v.uWeights, idRows: U.rows.idRows };
    U.params = { vectors: v.uVec, vectorAcc: v.uAcc, bias: v.uBias, biasAcc: v.uBiasAcc };
    I.rows = { indptr: v.iIndptr, rows: v.iRows, weights: v.iWeights, idRows: I.rows.idRows };
    I.params = { vectors: v.iVec, vectorAcc: v.iAcc, bias: v.iBias, biasAcc: v.iBiasAcc };
    this.order = v.order;
    this.state = { ...s, users: U.rows, items: I.rows, U: U.params, V: I.params, posUser: v.posUser, posItem: v.posItem, posIndptr: v.posIndptr, posSorted: v.posSorted, negativePool: v.pool, values: v.values };
    const call = kernelCall.hybridEpochRange({
      uIndptr: v.uIndptr,
      uRows: v.uRows,
      uWeights: v.uWeights,
      uVec: v.uVec,
      uAcc: v.uAcc,
      uBias: v.uBias,
      uBiasAcc: v.uBiasAcc,
      iIndptr: v.iIndptr,
      iRows: v.iRows,
      iWeights: v.iWeights,
      iVec: v.iVec,
      iAcc: v.iAcc,
      iBias: v.iBias,
      iBiasAcc: v.iBiasAcc,
      posUser: v.posUser,
      posItem: v.posItem,
      posIndptr: v.posIndptr,
      posSorted: v.posSorted,
      pool: v.pool,
      values: v.values,
      order: v.order,
      rng: v.rng,
      warpWeights: v.warpWeights,
      work: v.work,
      lossOut: v.lossOut,
      k,
      uIdRows: U.rows.idRows,
      iIdRows: I.rows.idRows,
      nPool: s.negativePool.length,
      loss: lossCode,
      maxSampled,
      lr: s.learningRate,
      lambda: s.regularization,
      lambdaF: s.featureRegularization,
      idDropout: s.idDropout,
      mu: s.globalMean,
    });
    this.wasmEpoch = { kernels: wasm.arena.kernels, call, rng: v.rng, lossOut: v.lossOut };
    return wasm;
  }

  /** One epoch in the WASM kernel: the TS kernel's early exits, then one call over the whole order. */
  private epochWasm(w: NonNullable<HybridTrainer["wasmEpoch"]>, rng: ReturnType<typeof rngFor>): number {
    const n = this.order.length;
    if (n === 0 || (this.state.loss !== "squared" && this.state.negativePool.length < 2)) return 0;
    rng.saveState(w.rng);
    runRange(w.kernels, w.call, 0, n);
    return w.lossOut[0]! / n;
  }

  close(): Promise<void> | undefined {
    return this.wasm?.pool.close();
  }

  /** The parts of the kernel's state every loss shares. */
  private commonState(cfg: ModelConfig, k: number) {
    return {
      k,
      users: this.users.rows,
      items: this.items.rows,
      U: this.users.params,
      V: this.items.params,
      loss: cfg.loss as HybridState["loss"],
      learningRate: cfg.learningRate as number,
      regularization: cfg.regularization as number,
      featureRegularization: (cfg.featureRegularization as number | undefined) ?? (cfg.regularization as number),
      idDropout: (cfg.idDropout as number | undefined) ?? 0,
      maxSampled: (cfg.maxSampled as number | undefined) ?? 1,
    };
  }

  epoch(e: number): EpochResult {
    const rng = rngFor(this.seed, "hybrid-epoch", e);
    rng.shuffle(this.order);
    const loss = this.wasmEpoch ? this.epochWasm(this.wasmEpoch, rng) : hybridEpoch(this.state, this.order, rng, this.scratch);
    return this.state.loss === "squared" ? { loss, trainRmse: Math.sqrt(loss) } : { loss };
  }

  /** How the feature tables met the ratings (counted once, at the start). */
  warnings(): FitWarning[] {
    return this.fitWarnings.map((w) => ({ ...w, examples: [...w.examples] }));
  }

  finish(): FactorModel {
    const k = this.k;
    // A new entity has no id row: both modes scale its feature weights to sum 1.
    const normalize = this.cfg.normalize === true || this.cfg.normalize === "features";
    const u = materialize(this.users, k);
    const i = materialize(this.items, k);
    const itemF = featureFactors(this.items, k, normalize);
    const userF = featureFactors(this.users, k, normalize);
    const squared = this.state.loss === "squared";
    return new FactorModel({
      config: this.cfg,
      userFactors: { rows: this.users.index.size, cols: k, data: u.factors },
      itemFactors: { rows: this.items.index.size, cols: k, data: i.factors },
      userIndex: this.users.index.clone(),
      itemIndex: this.items.index.clone(),
      itemBias: i.bias,
      // Loss "squared" predicts ratings: μ + b_u + b_i + p_u·q_i, clipped to the training range.
      userBias: squared ? u.bias : undefined,
      globalMean: squared ? this.globalMean : undefined,
      ratingScale: squared ? this.ratingScale : undefined,
      history: this.history,
      implicit: !squared,
      features: itemF || userF ? { items: itemF, users: userF } : undefined,
    });
  }
}
