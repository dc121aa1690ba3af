/**
 * `hybrid`: a factorization over ids and side features (LightFM's form). An item's vector is its id
 * vector plus the weighted sum of its feature vectors, and likewise a user's; an item or user with
 * features but no training rating (a cold one) gets a vector from its features alone, so it is scored,
 * ranked and recommended like any other. Trained for ranking (WARP by default, or BPR) on the positives
 * (ratings ≥ positiveThreshold; every interaction without one) by the TS kernel in ./kernel.ts.
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
import { resolveHybridConfig } from "./config.js";
import { hybridFoldInRow } from "./fold-in.js";
import { type EntityRows, type HybridState, hybridEpoch, type ParamTable, Scratch } from "./kernel.js";

export const hybrid: Algorithm = {
  name: "hybrid",
  description: "hybrid factorization over ids and side features (LightFM-style, WARP or BPR): cold items and users from their features",
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
  private readonly state: HybridState;
  private readonly users: Side;
  private readonly items: Side;
  private readonly history: CsrMatrix;
  private readonly order: Int32Array;
  private readonly scratch: Scratch;
  private readonly seed: number;
  private readonly k: number;
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
    this.users = buildSide(r.userIndex, data.userFeatures, k, identity, normalize, undefined, false, this.seed, "hybrid-users");
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
    const nPos = posSorted.length;
    if (nPos === 0)
      throw new MfrecError("E_EMPTY_INPUT", `no training rating is a positive (value >= ${t})`, { column: "positiveThreshold", value: t, expected: "a threshold at or below some training values" });
    const posUser = new Int32Array(nPos);
    for (let u = 0; u < nU; u++) posUser.fill(u, posIndptr[u]!, posIndptr[u + 1]!);
    const pool = cfg.negatives === "all" ? nI : this.items.warm;
    this.state = {
      k,
      users: this.users.rows,
      items: this.items.rows,
      U: this.users.params,
      V: this.items.params,
      posUser,
      posItem: Int32Array.from(posSorted),
      posIndptr,
      posSorted: Int32Array.from(posSorted),
      negativePool: Int32Array.from({ length: pool }, (_, i) => i),
      loss: cfg.loss as "warp" | "bpr",
      learningRate: cfg.learningRate as number,
      regularization: cfg.regularization as number,
      featureRegularization: (cfg.featureRegularization as number | undefined) ?? (cfg.regularization as number),
      idDropout: (cfg.idDropout as number | undefined) ?? 0,
      maxSampled: (cfg.maxSampled as number | undefined) ?? 1,
    };
    this.order = Int32Array.from({ length: nPos }, (_, i) => i);
    this.scratch = new Scratch(k);
  }

  epoch(e: number): EpochResult {
    const rng = rngFor(this.seed, "hybrid-epoch", e);
    rng.shuffle(this.order);
    return { loss: hybridEpoch(this.state, this.order, rng, this.scratch) };
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
    return new FactorModel({
      config: this.cfg,
      userFactors: { rows: this.users.index.size, cols: k, data: u.factors },
      itemFactors: { rows: this.items.index.size, cols: k, data: i.factors },
      userIndex: this.users.index.clone(),
      itemIndex: this.items.index.clone(),
      itemBias: i.bias,
      history: this.history,
      implicit: true,
      features: itemF || userF ? { items: itemF, users: userF } : undefined,
    });
  }
}
