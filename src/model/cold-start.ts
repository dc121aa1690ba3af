/**
 * Cold start on a hybrid model (train/hybrid): vectors of items and users from their features alone,
 * new items and users added to a model so that they are ranked and recommended at once, and the fold-in
 * of a new user from features plus a few ratings. A model trained without features answers these with
 * E_UNSUPPORTED saying why (it has no feature vectors), never with a made-up vector.
 */
import { MfrecError } from "../core/errors.js";
import { deriveSeed, Rng } from "../core/rng.js";
import { type FeatureInput, toFeatureTable } from "../data/features.js";
import type { FactorModel, FeatureFactors } from "./factor-model.js";

/** One entity's features: names (weight 1 each) or name → weight. */
export type EntityFeatures = readonly string[] | Readonly<Record<string, number>>;

/** A vector from features, and what of them the model knew. */
export interface FeatureVector {
  factors: Float32Array;
  /** The bias Σ w·b_f (0 when the side has no feature biases: the users of a hybrid ranking model). */
  bias: number;
  /** Features the model has a vector for / does not know (ignored). */
  known: number;
  unknown: string[];
}

function sideOf(model: FactorModel, side: "item" | "user"): FeatureFactors {
  const f = side === "item" ? model.features?.items : model.features?.users;
  if (!f) {
    const flag = side === "item" ? "--item-features" : "--user-features";
    throw new MfrecError("E_UNSUPPORTED", `this model (algorithm ${model.algorithm}) was trained without ${side} features, so it cannot give a new ${side} a vector from features`, {
      value: model.algorithm,
      expected: `a model of algorithm hybrid or bayes-fm trained with ${side} features`,
      hint: `train with --algorithm hybrid ${flag} FILE (or bayes-fm; library: fit(..., { algorithm: "hybrid" }, { ${side}Features }))`,
    });
  }
  return f;
}

/** The factor in front of every weight of an entity under `normalize` (weights = all it was given, known or not). */
export function normalizerOf(normalize: FeatureFactors["normalize"], weights: Iterable<number>): number {
  if (normalize === false) return 1;
  let sum = 0;
  for (const w of weights) sum += normalize === "l2" ? w * w : Math.abs(w);
  if (!(sum > 0)) return 1;
  return normalize === "l2" ? 1 / Math.sqrt(sum) : 1 / sum;
}

/**
 * Add Σ scale·w·v_r over (row r, weight w) of `f` into `out` (length = the vectors' width); returns Σ scale·w·b_r
 * (0 without biases). Rows outside the vocabulary are skipped. The one weighted sum of feature vectors that
 * {@link featureVector} and a bayes-fm fold-in (its implicit-feedback vectors, train/bayes-fm) both take.
 */
export function addFeatureRows(f: FeatureFactors, rows: ArrayLike<number>, weights: ArrayLike<number> | null, scale: number, out: Float32Array): number {
  const k = f.factors.cols;
  const V = f.factors.data;
  const n = f.factors.rows;
  let bias = 0;
  for (let t = 0; t < rows.length; t++) {
    const r = rows[t]!;
    if (r < 0 || r >= n) continue;
    const w = (weights ? weights[t]! : 1) * scale;
    for (let c = 0; c < k; c++) out[c]! += w * V[r * k + c]!;
    if (f.bias) bias += w * f.bias[r]!;
  }
  return bias;
}

function pairsOf(features: EntityFeatures): [string, number][] {
  const pairs: [string, number][] = Array.isArray(features) ? (features as readonly string[]).map((f) => [f, 1]) : Object.entries(features as Record<string, number>);
  for (const [name, w] of pairs) {
    if (typeof name !== "string" || name === "") throw new MfrecError("E_EMPTY_ID", "a feature name is empty", { value: name, expected: "a non-empty feature name" });
    if (typeof w !== "number" || !Number.isFinite(w)) throw new MfrecError("E_NOT_FINITE", `feature ${JSON.stringify(name)} has a weight that is not a finite number`, { value: w, expected: "a finite number" });
  }
  return pairs;
}

/**
 * The vector of a new item or user from its features: Σ w_f·v_f over the features the model knows
 * (weights scaled first as the model's `normalize` says: to sum 1 in absolute value, or to unit length).
 * Unknown feature names are ignored and listed; when none is known, E_CONFIG (a vector of
 * zeros would rank the entity by nothing).
 */
export function featureVector(model: FactorModel, side: "item" | "user", features: EntityFeatures): FeatureVector {
  const f = sideOf(model, side);
  const k = f.factors.cols;
  const out = new Float32Array(k);
  const pairs = pairsOf(features);
  const unknown: string[] = [];
  const rows: [number, number][] = [];
  for (const [name, w] of pairs) {
    const r = f.vocabulary.indexOf(name);
    if (r < 0) unknown.push(name);
    else rows.push([r, w]);
  }
  if (rows.length === 0) {
    throw new MfrecError("E_CONFIG", `none of the ${pairs.length} features of this ${side} is known to the model`, {
      value: pairs.slice(0, 5).map((p) => p[0]),
      expected: `feature names of the model's vocabulary (${f.vocabulary.size} names, e.g. ${JSON.stringify(f.vocabulary.size > 0 ? String(f.vocabulary.idAt(0)) : "")})`,
    });
  }
  // Normalization is over all given features, known or not, as in training (where every feature had a row).
  const scale = normalizerOf(f.normalize, pairs.map((p) => p[1]));
  const bias = addFeatureRows(f, rows.map((r) => r[0]), rows.map((r) => r[1]), scale, out);
  return { factors: out, bias, known: rows.length, unknown };
}

/** What {@link addItems} / {@link addUsers} did. */
export interface AddedEntities {
  model: FactorModel;
  /** Ids added, in order. */
  added: string[];
  /** Ids already in the model (left as they are). */
  known: string[];
  /** Features ignored because the model has no vector for them (name → how many entities had it). */
  unknownFeatures: Record<string, number>;
}

function collect(model: FactorModel, side: "item" | "user", input: FeatureInput): { ids: string[]; vectors: FeatureVector[]; known: string[]; unknownFeatures: Record<string, number> } {
  sideOf(model, side);
  const table = toFeatureTable(input);
  const index = side === "item" ? model.itemIndex : model.userIndex;
  const ids: string[] = [];
  const vectors: FeatureVector[] = [];
  const known: string[] = [];
  const unknownFeatures: Record<string, number> = {};
  for (let r = 0; r < table.ids.size; r++) {
    const id = String(table.ids.idAt(r));
    if (index.indexOf(id) >= 0) {
      known.push(id);
      continue;
    }
    const feats: Record<string, number> = {};
    for (let p = table.indptr[r]!; p < table.indptr[r + 1]!; p++) feats[String(table.vocabulary.idAt(table.indices[p]!))] = table.values[p]!;
    if (Object.keys(feats).length === 0) throw new MfrecError("E_CONFIG", `${side} ${JSON.stringify(id)} has no features`, { value: id, expected: "at least one feature" });
    const v = featureVector(model, side, feats);
    for (const name of v.unknown) unknownFeatures[name] = (unknownFeatures[name] ?? 0) + 1;
    ids.push(id);
    vectors.push(v);
  }
  return { ids, vectors, known, unknownFeatures };
}

function appendRows(data: Float32Array, k: number, rows: Float32Array[]): Float32Array {
  const out = new Float32Array(data.length + rows.length * k);
  out.set(data);
  for (let n = 0; n < rows.length; n++) out.set(rows[n]!, data.length + n * k);
  return out;
}

/**
 * A model with new items added from their features (ids already in the model are left as they are):
 * they are candidates of recommend, similar and evaluation at once, with no rating. The ranking part,
 * if any, is not extended (a hybrid model has none).
 */
export function addItems(model: FactorModel, items: FeatureInput): AddedEntities {
  if (model.ranking) throw new MfrecError("E_UNSUPPORTED", "items cannot be added to a model with a ranking part", { value: model.algorithm });
  const { ids, vectors, known, unknownFeatures } = collect(model, "item", items);
  if (ids.length === 0) return { model, added: [], known, unknownFeatures };
  const k = model.factors;
  const itemIndex = model.itemIndex.clone();
  for (const id of ids) itemIndex.add(id);
  const n = itemIndex.size;
  const itemBias = model.itemBias ? Float32Array.from({ length: n }, (_, i) => (i < model.numItems ? model.itemBias![i]! : vectors[i - model.numItems]!.bias)) : undefined;
  const h = model.history;
  const next = model.with({
    itemIndex,
    itemFactors: { rows: n, cols: k, data: appendRows(model.itemFactors.data, k, vectors.map((v) => v.factors)) },
    itemBias,
    history: h ? { ...h, cols: n } : undefined,
  });
  return { model: next, added: ids, known, unknownFeatures };
}

/** A model with new users added from their features (no history): recommend then ranks for them. */
export function addUsers(model: FactorModel, users: FeatureInput): AddedEntities {
  if (model.ranking) throw new MfrecError("E_UNSUPPORTED", "users cannot be added to a model with a ranking part", { value: model.algorithm });
  // A rating model (hybrid loss "squared") gives a new user the bias of their features; biases not learnt over features cannot be filled.
  if (model.userBias && !model.features?.users?.bias) throw new MfrecError("E_UNSUPPORTED", "users cannot be added to a model with user biases but no user feature biases", { value: model.algorithm });
  const { ids, vectors, known, unknownFeatures } = collect(model, "user", users);
  if (ids.length === 0) return { model, added: [], known, unknownFeatures };
  const k = model.factors;
  const userIndex = model.userIndex.clone();
  for (const id of ids) userIndex.add(id);
  const n = userIndex.size;
  const h = model.history;
  let history = h;
  if (h) {
    const indptr = new Int32Array(n + 1);
    indptr.set(h.indptr.subarray(0, h.rows + 1));
    indptr.fill(h.indptr[h.rows]!, h.rows + 1);
    history = { ...h, rows: n, indptr };
  }
  const userBias = model.userBias ? Float32Array.from({ length: n }, (_, u) => (u < model.numUsers ? model.userBias![u]! : vectors[u - model.numUsers]!.bias)) : undefined;
  const next = model.with({ userIndex, userFactors: { rows: n, cols: k, data: appendRows(model.userFactors.data, k, vectors.map((v) => v.factors)) }, userBias, history });
  return { model: next, added: ids, known, unknownFeatures };
}

/** Options of {@link foldInHybridRow}. */
export interface HybridFoldInOptions {
  /** Averaged gradient passes (default 50), negatives per positive (10), step size (1), seed (the model's). */
  steps?: number;
  negatives?: number;
  learningRate?: number;
  seed?: number;
}

/**
 * A new user's vector on a hybrid model: `base` (the user's feature vector, or zeros) plus an own
 * part x fitted to the positives `items` (dense, sorted) by averaged gradient ascent on the BPR
 * objective Σ ln σ((base + x)·(q_i − q_j) + b_i − b_j) − λ‖x‖², from x = 0. With no positives the
 * result is `base`.
 */
export function foldInHybridRow(model: FactorModel, items: Int32Array, base: Float32Array, opts: HybridFoldInOptions = {}): Float32Array {
  const k = model.factors;
  const Q = model.itemFactors.data;
  const nItems = model.numItems;
  const bias = model.itemBias ?? null;
  const x = new Float64Array(k);
  const grad = new Float64Array(k);
  const n = items.length;
  const lambda = typeof model.config.regularization === "number" ? Math.max(model.config.regularization, 0.01) : 0.01;
  const steps = opts.steps ?? 50;
  const negatives = opts.negatives ?? 10;
  const lr = opts.learningRate ?? 1;
  const seed = opts.seed ?? (typeof model.config.seed === "number" ? model.config.seed : 42);
  if (n > 0 && n < nItems) {
    const rng = new Rng(deriveSeed(seed, "hybrid-fold-in"));
    const contains = (j: number): boolean => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const m = (lo + hi) >>> 1;
        if (items[m]! === j) return true;
        if (items[m]! < j) lo = m + 1;
        else hi = m;
      }
      return false;
    };
    for (let s = 0; s < steps; s++) {
      grad.fill(0);
      let count = 0;
      for (let t = 0; t < n; t++) {
        const i = items[t]!;
        for (let m = 0; m < negatives; m++) {
          const j = rng.int(nItems);
          if (contains(j)) continue;
          let d = bias ? bias[i]! - bias[j]! : 0;
          for (let f = 0; f < k; f++) d += (base[f]! + x[f]!) * (Q[i * k + f]! - Q[j * k + f]!);
          const z = d >= 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
          for (let f = 0; f < k; f++) grad[f]! += z * (Q[i * k + f]! - Q[j * k + f]!);
          count++;
        }
      }
      if (count === 0) break;
      for (let f = 0; f < k; f++) x[f]! += lr * (grad[f]! / count - lambda * x[f]!);
    }
  }
  const out = new Float32Array(k);
  for (let f = 0; f < k; f++) out[f] = base[f]! + x[f]!;
  return out;
}
