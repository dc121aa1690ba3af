import { MfrecError } from "../core/errors.js";
import type { EpochReport, FitWarning, RawId } from "../core/types.js";
import { IdIndex } from "../data/id-index.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { DenseMatrix } from "../matrix/dense.js";

/** Plain-JSON configuration (round-trips through the model file, CLI and server). */
export type ModelConfig = { algorithm: string } & Record<string, string | number | boolean | null | number[] | string[]>;

/** Where a model came from. */
export interface Provenance {
  createdAt: string;
  mfrecVersion: string;
  /** Ratings the model was trained on. */
  ratings?: number;
  source?: string;
  fitSeconds?: number;
  /** What the fit counted and skipped, with reasons (absent: nothing). */
  warnings?: FitWarning[];
}

/** Everything a FactorModel holds. All arrays are owned by the model afterwards (do not mutate). */
export interface FactorModelParts {
  config: ModelConfig;
  /** users × k, row-major. */
  userFactors: DenseMatrix;
  /** items × k, row-major (the transpose of the seed's k × items item matrix). */
  itemFactors: DenseMatrix;
  userIndex: IdIndex;
  itemIndex: IdIndex;
  /** Global mean μ for explicit models with biases (0 otherwise). */
  globalMean?: number;
  userBias?: Float32Array;
  itemBias?: Float32Array;
  /** Each user's training items (and values), user × item CSR: used to exclude rated items, explain and refresh. */
  history?: CsrMatrix;
  /** Inclusive rating scale for clipping predictions (explicit models). */
  ratingScale?: [number, number];
  /** True for models of implicit feedback (scores rank, they are not ratings). */
  implicit?: boolean;
  training?: EpochReport[];
  provenance?: Provenance;
  /**
   * The ranking part of an explicit model: a second factorization over the same users and items
   * (by default iALS on "who rated what", train/ranking.ts) that top-N lists, similar items/users and
   * explain rank by, while predict keeps this model's rating part. Absent = the lists rank by the
   * rating prediction. It shares this model's id indexes and history.
   */
  ranking?: FactorModel;
  /** The feature vectors of a hybrid model: what gives an item or user added later its vector from features alone. */
  features?: ModelFeatures;
  /** Per-rating time effects (bayes-fm's time and user-day groups): used when a prediction is given the rating's timestamp. */
  time?: TimeEffects;
}

/**
 * Time effects of a rating at timestamp t (seconds), added to the score of a known (u, i) when t is given
 * (see {@link FactorModel.timeEffect}); a bin or user-day absent from training adds nothing (the prior mean,
 * taken as 0).
 */
export interface TimeEffects {
  /** The rating's time bin ⌊t / seconds⌋: + w_b + v_b·(p_u + q_i). */
  bins?: TimeBins;
  /** The rating's (user, day ⌊t / 86 400⌋): + b_{u,day}. */
  userDay?: UserDayBiases;
}

/** Time-bin vectors and biases, one row per bin seen in training. */
export interface TimeBins {
  unit: "day" | "week";
  /** Seconds per bin (86 400 for days, 604 800 for weeks). */
  seconds: number;
  /** The bins' numbers ⌊t / seconds⌋, increasing; row r is bin keys[r]. */
  keys: Int32Array;
  /** keys.length × the model's factor width (stacked like the factor rows). */
  factors: DenseMatrix;
  bias: Float32Array;
}

/** Biases of (user, day) pairs: user u's days are days[indptr[u]..indptr[u+1]), increasing, with bias[…] at the same positions. */
export interface UserDayBiases {
  indptr: Int32Array;
  days: Int32Array;
  bias: Float32Array;
}

/** Position of `key` in the increasing a[lo..hi), or −1. */
function findSorted(a: Int32Array, lo: number, hi: number, key: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/**
 * The feature vectors of one side of a model trained with features (train/hybrid, train/bayes-fm): an
 * entity's vector is the weighted sum of its features' vectors (weights scaled first as `normalize` says),
 * plus its id vector when it was in the training ratings; its bias likewise. A bayes-fm model's vectors are
 * its kept samples' vectors stacked as its factor rows are ([v⁽¹⁾ … v⁽ˢ⁾]/√S, width k·S), the biases their
 * mean, so a sum of them is that sum in every sample at once.
 */
export interface FeatureFactors {
  /** Feature names, row f of `factors` is feature `vocabulary.idAt(f)`. */
  vocabulary: IdIndex;
  /** features × k, row-major. */
  factors: DenseMatrix;
  /** One bias per feature (hybrid: items only; bayes-fm: both sides, the features' linear terms). */
  bias?: Float32Array;
  /**
   * How an entity's weights are scaled before the sum: false, none; true, to sum 1 in absolute value
   * (hybrid, LightFM's); "l2", to unit Euclidean length, x/√Σx² (bayes-fm, libFM's normalized groups;
   * an implicit-feedback set of n ids, weight 1 each, then weighs 1/√n each).
   */
  normalize: boolean | "l2";
}

/** Feature vectors of a model trained with features, per side. */
export interface ModelFeatures {
  items?: FeatureFactors;
  users?: FeatureFactors;
  /**
   * bayes-fm's implicit-feedback group of the user side: one vector y_j (and linear term) per item, a user
   * being described by the items they rated, |N(u)|^-½ each (normalize "l2"); vocabulary = the model's
   * item ids at training. What a folded-in user's row adds for the items of their history.
   */
  ratedItems?: FeatureFactors;
  /** The "flipped" group of the item side: one vector z_v per user, an item described by its raters (vocabulary = the user ids). */
  raters?: FeatureFactors;
}

/** Compactness of the factorization: the seed's "significantly more compact" as numbers. */
export interface ModelStats {
  users: number;
  items: number;
  factors: number;
  /** users·k + items·k (+ biases): numbers the model stores. */
  parameters: number;
  /** users·items: cells of the full rating matrix. */
  matrixCells: number;
  /** parameters / matrixCells. */
  compression: number;
  /** Known ratings the model was trained on, if recorded. */
  ratings?: number;
  /** ratings / matrixCells. */
  density?: number;
  algorithm: string;
}

/**
 * An immutable trained factorization: r̂(u,i) = μ + b_u + b_i + p_u · q_i (biases optional).
 * Every algorithm produces this one type; queries (predict, recommend, similar, explain) are
 * written once against it in recommend/. Loading a model needs no training code.
 */
export class FactorModel {
  readonly config: ModelConfig;
  readonly userFactors: DenseMatrix;
  readonly itemFactors: DenseMatrix;
  readonly userIndex: IdIndex;
  readonly itemIndex: IdIndex;
  readonly globalMean: number;
  readonly userBias?: Float32Array;
  readonly itemBias?: Float32Array;
  readonly history?: CsrMatrix;
  readonly ratingScale?: [number, number];
  readonly implicit: boolean;
  readonly training: readonly EpochReport[];
  readonly provenance?: Provenance;
  readonly ranking?: FactorModel;
  readonly features?: ModelFeatures;
  readonly time?: TimeEffects;

  constructor(parts: FactorModelParts) {
    const { userFactors: P, itemFactors: Q } = parts;
    if (P.cols !== Q.cols) {
      throw new MfrecError("E_SHAPE", "user and item factors have different widths", { value: [P.cols, Q.cols], expected: "the same k" });
    }
    if (P.rows !== parts.userIndex.size || Q.rows !== parts.itemIndex.size) {
      throw new MfrecError("E_SHAPE", "factor rows do not match the id indexes", {
        value: { userRows: P.rows, users: parts.userIndex.size, itemRows: Q.rows, items: parts.itemIndex.size },
        expected: "one factor row per id",
      });
    }
    if (parts.userBias && parts.userBias.length !== P.rows) throw new MfrecError("E_SHAPE", "user bias length", { value: parts.userBias.length, expected: String(P.rows) });
    if (parts.itemBias && parts.itemBias.length !== Q.rows) throw new MfrecError("E_SHAPE", "item bias length", { value: parts.itemBias.length, expected: String(Q.rows) });
    this.config = parts.config;
    this.userFactors = P;
    this.itemFactors = Q;
    this.userIndex = parts.userIndex;
    this.itemIndex = parts.itemIndex;
    this.globalMean = parts.globalMean ?? 0;
    this.userBias = parts.userBias;
    this.itemBias = parts.itemBias;
    this.history = parts.history;
    this.ratingScale = parts.ratingScale;
    this.implicit = parts.implicit ?? false;
    this.training = parts.training ?? [];
    this.provenance = parts.provenance;
    const r = parts.ranking;
    if (r) {
      if (r.numUsers !== P.rows || r.numItems !== Q.rows) {
        throw new MfrecError("E_SHAPE", "the ranking part does not match the model", { value: [r.numUsers, r.numItems], expected: `${P.rows} × ${Q.rows}` });
      }
      if (r.ranking) throw new MfrecError("E_SHAPE", "a ranking part cannot have a ranking part of its own");
    }
    this.ranking = r;
    const f = parts.features;
    if (f) {
      for (const side of [f.items, f.users, f.ratedItems, f.raters]) {
        if (!side) continue;
        if (side.factors.cols !== P.cols || side.factors.rows !== side.vocabulary.size || (side.bias && side.bias.length !== side.factors.rows)) {
          throw new MfrecError("E_SHAPE", "the feature vectors do not match the model", { value: [side.factors.rows, side.factors.cols], expected: `${side.vocabulary.size} × ${P.cols}` });
        }
      }
    }
    this.features = f;
    const t = parts.time;
    if (t?.bins) {
      const b = t.bins;
      if (b.factors.cols !== P.cols || b.factors.rows !== b.keys.length || b.bias.length !== b.keys.length || !(b.seconds > 0)) {
        throw new MfrecError("E_SHAPE", "the time bins do not match the model", { value: [b.factors.rows, b.factors.cols, b.bias.length], expected: `${b.keys.length} × ${P.cols}, ${b.keys.length} biases` });
      }
    }
    if (t?.userDay) {
      const d = t.userDay;
      if (d.indptr.length !== P.rows + 1 || d.indptr[P.rows] !== d.days.length || d.bias.length !== d.days.length) {
        throw new MfrecError("E_SHAPE", "the user-day biases do not match the model", { value: [d.indptr.length, d.days.length, d.bias.length], expected: `${P.rows + 1} row pointers ending at the day count` });
      }
    }
    this.time = t;
  }

  /**
   * The model that top-N lists, similar and explain use: the ranking part when there is one, else this
   * model. Its scores rank items; they are not ratings.
   */
  get ranker(): FactorModel {
    return this.ranking ?? this;
  }

  /**
   * A model from given matrices, as in the seed: `userMatrix` is users × k and `itemMatrix` is
   * k × items (the seed's orientation). No biases, no clipping unless `ratingScale` is given.
   */
  static fromMatrices(spec: {
    userMatrix: ReadonlyArray<ReadonlyArray<number>>;
    itemMatrix: ReadonlyArray<ReadonlyArray<number>>;
    users?: readonly RawId[];
    items?: readonly RawId[];
    ratingScale?: [number, number];
  }): FactorModel {
    const k = spec.itemMatrix.length;
    const nItems = k === 0 ? 0 : spec.itemMatrix[0]!.length;
    const nUsers = spec.userMatrix.length;
    const P = new Float32Array(nUsers * k);
    spec.userMatrix.forEach((row, u) => {
      if (row.length !== k) throw new MfrecError("E_SHAPE", `user row ${u + 1} has ${row.length} factors`, { expected: `${k} (rows of the item matrix)` });
      row.forEach((v, f) => {
        P[u * k + f] = v;
      });
    });
    const Q = new Float32Array(nItems * k);
    spec.itemMatrix.forEach((row, f) => {
      if (row.length !== nItems) throw new MfrecError("E_SHAPE", `item matrix row ${f + 1} has ${row.length} values`, { expected: `${nItems}` });
      row.forEach((v, i) => {
        Q[i * k + f] = v;
      });
    });
    const users = spec.users ?? Array.from({ length: nUsers }, (_, i) => `User ${i + 1}`);
    const items = spec.items ?? Array.from({ length: nItems }, (_, i) => `Item ${i + 1}`);
    return new FactorModel({
      config: { algorithm: "given", factors: k },
      userFactors: { rows: nUsers, cols: k, data: P },
      itemFactors: { rows: nItems, cols: k, data: Q },
      userIndex: IdIndex.from(users),
      itemIndex: IdIndex.from(items),
      ratingScale: spec.ratingScale,
    });
  }

  /** Everything the model holds, as constructor parts (arrays shared, not copied). */
  parts(): FactorModelParts {
    return {
      config: this.config,
      userFactors: this.userFactors,
      itemFactors: this.itemFactors,
      userIndex: this.userIndex,
      itemIndex: this.itemIndex,
      globalMean: this.globalMean,
      userBias: this.userBias,
      itemBias: this.itemBias,
      history: this.history,
      ratingScale: this.ratingScale,
      implicit: this.implicit,
      training: [...this.training],
      provenance: this.provenance,
      ranking: this.ranking,
      features: this.features,
      time: this.time,
    };
  }

  /** A new model with some parts replaced (the model itself is immutable). */
  with(changes: Partial<FactorModelParts>): FactorModel {
    return new FactorModel({ ...this.parts(), ...changes });
  }

  /** Number of latent factors k. */
  get factors(): number {
    return this.userFactors.cols;
  }

  get numUsers(): number {
    return this.userFactors.rows;
  }

  get numItems(): number {
    return this.itemFactors.rows;
  }

  get algorithm(): string {
    return this.config.algorithm;
  }

  /**
   * The unclipped score of dense (u, i): μ + b_u + b_i + p_u·q_i, plus {@link timeEffect} when `timestamp`
   * is given (no timestamp: no time effect).
   */
  scoreIndex(u: number, i: number, timestamp?: number): number {
    if (timestamp !== undefined && this.time) return this.scoreIndex(u, i) + this.timeEffect(u, i, timestamp);
    const k = this.userFactors.cols;
    const P = this.userFactors.data;
    const Q = this.itemFactors.data;
    let s = this.globalMean;
    if (this.userBias) s += this.userBias[u]!;
    if (this.itemBias) s += this.itemBias[i]!;
    const pu = u * k;
    const qi = i * k;
    for (let f = 0; f < k; f++) s += P[pu + f]! * Q[qi + f]!;
    return s;
  }

  /**
   * The time part of the score of known (u, i) at `timestamp` (seconds): w_b + v_b·(p_u + q_i) for the bin
   * b = ⌊t / bin seconds⌋, plus b_{u,d} for the day d = ⌊t / 86 400⌋. A bin or (user, day) the training
   * ratings did not have (a later day) adds 0, the prior mean; a model without time effects, or a
   * timestamp that is not finite, gives 0.
   */
  timeEffect(u: number, i: number, timestamp: number): number {
    const t = this.time;
    if (!t || !Number.isFinite(timestamp)) return 0;
    let s = 0;
    const b = t.bins;
    if (b) {
      const r = findSorted(b.keys, 0, b.keys.length, Math.floor(timestamp / b.seconds));
      if (r >= 0) {
        const k = this.userFactors.cols;
        const P = this.userFactors.data;
        const Q = this.itemFactors.data;
        const T = b.factors.data;
        let d = 0;
        for (let f = 0; f < k; f++) d += T[r * k + f]! * (P[u * k + f]! + Q[i * k + f]!);
        s += b.bias[r]! + d;
      }
    }
    const ud = t.userDay;
    if (ud) {
      const r = findSorted(ud.days, ud.indptr[u]!, ud.indptr[u + 1]!, Math.floor(timestamp / 86400));
      if (r >= 0) s += ud.bias[r]!;
    }
    return s;
  }

  /** Clip to the rating scale, if the model has one. */
  clip(score: number): number {
    const s = this.ratingScale;
    if (!s) return score;
    return Math.min(Math.max(score, s[0]), s[1]);
  }

  /** Sizes and compactness. */
  stats(): ModelStats {
    const users = this.numUsers;
    const items = this.numItems;
    const k = this.factors;
    const tb = this.time?.bins;
    const parameters =
      (users + items) * k + (this.userBias ? users : 0) + (this.itemBias ? items : 0) + (this.userBias || this.itemBias ? 1 : 0) + (tb ? tb.keys.length * (k + 1) : 0) + (this.time?.userDay?.days.length ?? 0);
    const matrixCells = users * items;
    const ratings = this.provenance?.ratings ?? (this.history ? this.history.indptr[this.history.rows] : undefined);
    return {
      algorithm: this.algorithm,
      users,
      items,
      factors: k,
      parameters,
      matrixCells,
      compression: matrixCells === 0 ? 0 : parameters / matrixCells,
      ratings,
      density: ratings === undefined || matrixCells === 0 ? undefined : ratings / matrixCells,
    };
  }
}
