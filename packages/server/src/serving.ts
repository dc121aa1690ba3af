/**
 * The model the server answers with, and what it knows beyond it: users who rated since the
 * model's ratings snapshot ("dirty" users) get their row folded in from the store's history
 * against the current item matrix, cached until their next rating. Swapping models replaces one
 * immutable state object, so a request sees either the old model or the new one, never a mix.
 */
import { addItems, type EntityFeatures, type FactorModel, featureVector, MfrecError, predict, type RawId, type Scored, similarItems, type SimilarityMetric, similarUsers } from "mfrec";
import { finalScore, maskRated, popularityScores, rawScoreIndex, topK, topNForRow, unknownReason } from "mfrec/internal";
import { explainServed, oneUserModel, type ServedExplanation } from "./explain-user.js";
import { foldInRow } from "./fold-in-adapter.js";
import { httpError } from "./http-errors.js";
import { servingAnn } from "./ann-hook.js";
import { ItemScorer } from "./item-scorer.js";
import type { ModelRecord, Store } from "./store.js";

/** A user's row folded in from the store (not part of the model's user matrix). */
export interface FoldedUser {
  factors: Float32Array;
  bias: number;
  /** Dense item indices of the user's stored ratings (for exclusion). */
  rated: Int32Array;
  /** Their stored values, aligned with `rated` (for explain). */
  values: Float32Array;
  /** Stored ratings whose item the model does not know (they cannot inform the row). */
  unknownItems: number;
  /** The row folded into the model's ranking part (models with one): what recommend and explain use. */
  rank?: Float32Array;
  /** True when the row started from the user's features (PUT /users/{user}/features): usable with no rated item. */
  fromFeatures?: boolean;
}

/** Where a recommendation list came from. */
export type RecommendSource = "model" | "fold-in" | "popular";

export interface RecommendResult {
  user: string;
  modelVersion: number | null;
  source: RecommendSource;
  /** Why the list is a fallback (only with source "popular"). */
  reason?: "unknown-user" | "no-known-items";
  items: Scored[];
}

export interface RecommendQuery {
  n: number;
  excludeRated: boolean;
  items?: readonly string[];
  exclude?: readonly string[];
  /** Approximate top-n through the ANN index attached to the model (ann-hook.ts): true, "auto" (from ANN_AUTO_MIN_ITEMS items) or false; exact when none. */
  ann?: boolean | "auto";
}

/** Bound on cached folded-in rows; the oldest entry goes first when full. */
const MAX_FOLDED = 100_000;

/** One immutable model plus its fold-in bookkeeping. */
class ServingState {
  /** user -> store clock of their latest change after the snapshot. */
  readonly dirty: Map<string, number>;
  /** user -> folded row, or null when the user has no history the model can use. */
  readonly folded = new Map<string, FoldedUser | null>();
  readonly scorer: ItemScorer;
  constructor(
    readonly model: FactorModel,
    readonly record: ModelRecord | null,
    dirty: Map<string, number>,
  ) {
    this.dirty = dirty;
    // Lists rank by the model's ranker (its ranking part when it has one), as the library's recommend does.
    this.scorer = new ItemScorer(model.ranker);
  }
}

type Resolved = { kind: "model"; u: number } | { kind: "fold-in"; f: FoldedUser } | { kind: "unknown"; reason: "unknown-user" | "no-known-items"; rated: Int32Array | null };

/** Serves queries against the active model with per-user fold-in. */
export class Serving {
  private state: ServingState | null = null;
  /** One scratch score buffer and one skip mask, reused by every request (single-threaded). */
  private scores = new Float32Array(0);
  private mask = new Uint8Array(0);
  /**
   * Features given through PUT /items/{item} and PUT /users/{user}/features: stored in the SQLite store
   * (table entity_features), read back at start-up, and re-applied to every model swapped in.
   */
  private readonly itemFeatures: Map<string, EntityFeatures>;
  private readonly userFeatures: Map<string, EntityFeatures>;

  constructor(private readonly store: Store) {
    this.itemFeatures = store.allFeatures("item");
    this.userFeatures = store.allFeatures("user");
  }

  get model(): FactorModel | null {
    return this.state?.model ?? null;
  }

  get record(): ModelRecord | null {
    return this.state?.record ?? null;
  }

  get foldedCount(): number {
    let n = 0;
    for (const f of this.state?.folded.values() ?? []) if (f) n++;
    return n;
  }

  /**
   * Serve `model` from now on. Users whose stored ratings changed after `snapshotAt` (the store
   * clock when the model's training ratings were read; 0 = unknown) are folded in on demand.
   */
  swap(loaded: FactorModel, record: ModelRecord | null, snapshotAt: number): void {
    const model = this.withStoredItems(loaded);
    const n = model.numItems;
    if (this.scores.length < n) {
      this.scores = new Float32Array(n);
      this.mask = new Uint8Array(n);
    }
    this.state = new ServingState(model, record, this.store.usersChangedAfter(snapshotAt));
    for (const user of this.userFeatures.keys()) if (!model.userIndex.has(user)) this.state.dirty.set(user, this.state.dirty.get(user) ?? 0);
  }

  /** `model` plus the items given features here that it does not know (those whose features it cannot use are left out). */
  private withStoredItems(model: FactorModel): FactorModel {
    // addItems cannot extend a ranking part (a bayes-fm model's default): such a model serves its own items only.
    if (!model.features?.items || model.ranking || this.itemFeatures.size === 0) return model;
    const usable: Record<string, EntityFeatures> = {};
    for (const [item, f] of this.itemFeatures) {
      if (model.itemIndex.has(item)) continue;
      try {
        featureVector(model, "item", f);
        usable[item] = f;
      } catch {
        // none of its features is known to this model: it stays out until a model that knows them.
      }
    }
    return Object.keys(usable).length === 0 ? model : addItems(model, usable).model;
  }

  /** Make a new item recommendable from its features (PUT /items/{item} with features). */
  putItemFeatures(item: string, features: EntityFeatures): { known: number; unknown: string[]; inModel: boolean } {
    const st = this.active();
    const m = st.model;
    const v = featureVector(m, "item", features);
    this.store.putFeatures("item", item, features);
    this.itemFeatures.set(item, features);
    if (!m.itemIndex.has(item)) {
      const next = new ServingState(addItems(m, { [item]: features }).model, st.record, st.dirty);
      // Folded rows stay valid: the new item is appended, earlier dense indices do not move.
      for (const [u, f] of st.folded) next.folded.set(u, f);
      if (this.scores.length < next.model.numItems) {
        this.scores = new Float32Array(next.model.numItems * 2);
        this.mask = new Uint8Array(next.model.numItems * 2);
      }
      this.state = next;
    }
    return { known: v.known, unknown: v.unknown, inModel: true };
  }

  /** Give a user features (PUT /users/{user}/features): a user the model does not know is then folded in from them. */
  putUserFeatures(user: string, features: EntityFeatures): { known: number; unknown: string[]; inModel: boolean } {
    const st = this.active();
    const v = featureVector(st.model, "user", features);
    this.store.putFeatures("user", user, features);
    this.userFeatures.set(user, features);
    const inModel = st.model.userIndex.has(user);
    if (!inModel) {
      st.dirty.set(user, st.dirty.get(user) ?? 0);
      st.folded.delete(user);
    }
    return { known: v.known, unknown: v.unknown, inModel };
  }

  /** A user's ratings changed at store clock `ts`: drop their cached row so the next query folds in again. */
  noteWrite(user: string, ts: number): void {
    const st = this.state;
    if (!st) return;
    st.dirty.set(user, ts);
    st.folded.delete(user);
  }

  private active(): ServingState {
    const st = this.state;
    if (!st) throw new MfrecError("E_NO_MODEL", "no model is active yet", { hint: "start with --model, or POST /train" });
    return st;
  }

  private resolve(st: ServingState, user: string): Resolved {
    const m = st.model;
    if (!st.dirty.has(user)) {
      const u = m.userIndex.indexOf(user);
      return u >= 0 ? { kind: "model", u } : { kind: "unknown", reason: "unknown-user", rated: null };
    }
    let f = st.folded.get(user);
    if (f === undefined) {
      f = this.foldIn(m, user);
      if (st.folded.size >= MAX_FOLDED) st.folded.delete(st.folded.keys().next().value as string);
      st.folded.set(user, f);
    }
    if (f === null) return { kind: "unknown", reason: "unknown-user", rated: null };
    if (f.rated.length === 0 && !f.fromFeatures) return { kind: "unknown", reason: "no-known-items", rated: null };
    return { kind: "fold-in", f };
  }

  private foldIn(m: FactorModel, user: string): FoldedUser | null {
    const history = this.store.userRatings(user);
    const features = m.userIndex.has(user) ? undefined : this.userFeatures.get(user);
    if (features && m.features?.users) return this.foldInFromFeatures(m, features, history);
    if (history.length === 0) return null;
    const idx: number[] = [];
    const vals: number[] = [];
    for (const r of history) {
      const i = m.itemIndex.indexOf(r.item);
      if (i < 0) continue;
      idx.push(i);
      vals.push(r.rating);
    }
    const rated = Int32Array.from(idx);
    const values = Float32Array.from(vals);
    if (rated.length === 0) return { factors: new Float32Array(m.factors), bias: 0, rated, values, unknownItems: history.length };
    const row = foldInRow(m, rated, values);
    const out: FoldedUser = { ...row, rated, values, unknownItems: history.length - rated.length };
    if (m.ranking) out.rank = foldInRow(m.ranking, rated, values).factors;
    return out;
  }

  /**
   * A new user's row on a model trained with user features: the library's fold-in with the features (hybrid:
   * their feature vector plus what their stored ratings add, model/cold-start.ts; bayes-fm: the features' and
   * the rated items' stored vectors plus the solved id part). A ranking part, when there is one, folds the
   * ratings in too; with no known rated item it cannot place the user, so the lists rank by the rating part.
   */
  private foldInFromFeatures(m: FactorModel, features: EntityFeatures, history: ReadonlyArray<{ item: string; rating: number }>): FoldedUser {
    const pairs = history.map((r) => [m.itemIndex.indexOf(r.item), r.rating] as const).filter(([i]) => i >= 0).sort((a, b) => a[0] - b[0]);
    const rated = Int32Array.from(pairs, (p) => p[0]);
    const values = Float32Array.from(pairs, (p) => p[1]);
    const row = foldInRow(m, rated, values, features);
    const out: FoldedUser = { factors: row.factors, bias: row.bias, rated, values, unknownItems: history.length - rated.length, fromFeatures: true };
    if (m.ranking && rated.length > 0) out.rank = foldInRow(m.ranking, rated, values).factors;
    return out;
  }

  /** Top-n items for a raw user id, with the source of the list. */
  recommend(user: string, q: RecommendQuery): RecommendResult {
    const st = this.active();
    const m = st.model;
    const r = this.resolve(st, user);
    const mask = this.mask;
    const nItems = m.numItems;
    let candidates: Int32Array | undefined;
    if (q.items) {
      mask.fill(1, 0, nItems);
      const c: number[] = [];
      for (const id of q.items) {
        const i = m.itemIndex.indexOf(id);
        if (i >= 0 && mask[i] === 1) {
          mask[i] = 0;
          c.push(i);
        }
      }
      candidates = Int32Array.from(c);
    } else mask.fill(0, 0, nItems);
    if (q.exclude) {
      for (const id of q.exclude) {
        const i = m.itemIndex.indexOf(id);
        if (i >= 0) mask[i] = 1;
      }
    }
    const base0 = { user, modelVersion: st.record?.version ?? null };
    const ids = m.itemIndex;
    if (r.kind === "model" || r.kind === "fold-in") {
      // A user folded in from features alone on a model with a ranking part has no ranking row: the rating part ranks.
      const byRating = r.kind === "fold-in" && m.ranking !== undefined && r.f.rank === undefined;
      const rk = byRating ? m : m.ranker;
      const k = rk.factors;
      let P: Float32Array;
      let pOff: number;
      let base: number;
      if (r.kind === "model") {
        if (q.excludeRated) maskRated(m, r.u, mask);
        P = rk.userFactors.data;
        pOff = r.u * k;
        base = rk.globalMean + (rk.userBias ? rk.userBias[r.u]! : 0);
      } else {
        if (q.excludeRated) for (const i of r.f.rated) mask[i] = 1;
        P = r.f.rank ?? r.f.factors;
        pOff = 0;
        base = r.f.rank ? 0 : m.globalMean + r.f.bias;
      }
      // The library's one top-N path; the attached ANN index when asked, the per-model SIMD scorer for full scans.
      const top = topNForRow(rk, { P, offset: pOff, base }, {
        n: q.n,
        mask,
        candidates,
        ann: byRating ? null : servingAnn(rk, q.ann ?? false),
        scores: this.scores,
        scoreAll: byRating ? undefined : (row) => st.scorer.score(row.P, row.offset, row.base),
      });
      const folded = r.kind === "fold-in" ? (r.f.rank ? { ...r.f, factors: r.f.rank, bias: 0 } : r.f) : null;
      const exact = r.kind === "model" ? (i: number) => rk.scoreIndex(r.u, i) : (i: number) => foldedScore(rk, folded!, i);
      return { ...base0, source: r.kind, items: Array.from(top, (i) => ({ item: ids.idAt(i), score: finalScore(rk, exact(i)) })) };
    }
    const pop = popularityScores(m);
    if (!pop) return { ...base0, source: "popular", reason: r.reason, items: [] };
    const top = topK(pop, q.n, mask);
    const fromBias = m.history === undefined;
    return {
      ...base0,
      source: "popular",
      reason: r.reason,
      items: Array.from(top, (i) => ({ item: ids.idAt(i), score: fromBias ? finalScore(m, m.globalMean + m.itemBias![i]!) : pop[i]! })),
    };
  }

  /** One prediction; a folded-in user is scored with their folded row; unknown ids get the library's documented fallback. */
  predict(user: string, item: string): { user: string; item: string; score: number; known: boolean; source: RecommendSource | "fallback"; reason?: string; modelVersion: number | null } {
    const st = this.active();
    const m = st.model;
    const r = this.resolve(st, user);
    const modelVersion = st.record?.version ?? null;
    const i = m.itemIndex.indexOf(item);
    if (r.kind === "fold-in") {
      if (i >= 0) return { user, item, score: finalScore(m, foldedScore(m, r.f, i)), known: true, source: "fold-in", modelVersion };
      // The user is known (folded in), the item is not: μ + b_u of the folded row, as rawScoreIndex gives a model user.
      const raw = m.implicit ? 0 : m.globalMean + (m.userBias ? r.f.bias : 0);
      return { user, item, score: finalScore(m, raw), known: false, source: "fallback", reason: "unknown-item", modelVersion };
    }
    if (r.kind === "model") {
      const p = predict(m, user, item);
      const out: ReturnType<Serving["predict"]> = { user, item, score: p.score, known: p.known, source: p.known ? "model" : "fallback", modelVersion };
      if (p.reason) out.reason = p.reason;
      return out;
    }
    // Unknown (or a dirty user with no usable history): the library's fallback for an unknown user.
    return { user, item, score: finalScore(m, rawScoreIndex(m, -1, i)), known: false, source: "fallback", reason: unknownReason(-1, i)!, modelVersion };
  }

  /**
   * The score of `item` for `user` split into their rated items' parts (recommend/explain.ts): a
   * model user against their training history, a folded-in user against their stored ratings.
   * E_UNKNOWN_ITEM for an item the model lacks, E_UNKNOWN_USER for a user with no usable history,
   * E_UNSUPPORTED for a model explain does not cover (only the ALS family and biased SGD).
   */
  explain(user: string, item: string, n: number): ServedExplanation {
    const st = this.active();
    const m = st.model;
    if (!m.itemIndex.has(item)) throw httpError("E_UNKNOWN_ITEM", `item ${JSON.stringify(item)} is not known to the model`, "item", { value: item });
    const r = this.resolve(st, user);
    const modelVersion = st.record?.version ?? null;
    if (r.kind === "model") return explainServed(m, user, item, n, { modelVersion, source: "model" });
    if (r.kind === "fold-in") {
      // A model with a ranking part is explained by it (the score recommend shows): the one-user model is built from it.
      const one = m.ranking && r.f.rank ? oneUserModel(m.ranking, user, r.f.rank, 0, r.f.rated, r.f.values) : oneUserModel(m, user, r.f.factors, r.f.bias, r.f.rated, r.f.values);
      return explainServed(one, user, item, n, { modelVersion, source: "fold-in" });
    }
    throw httpError("E_UNKNOWN_USER", `user ${JSON.stringify(user)} has no history the model can use (their recommendations are the popular items)`, "user", {
      value: user,
      expected: "a user of the model, or one with stored ratings of the model's items",
    });
  }

  /** Items most similar to `item` by the model's item factors (E_UNKNOWN_ITEM when unknown). */
  similarItems(item: string, n: number, metric: SimilarityMetric, ann: boolean | "auto" = false): Scored[] {
    const model = this.active().model;
    return similarItems(model, item, { n, metric, ann: servingAnn(model, ann) ?? false });
  }

  /** Users most similar to `user` among the model's users (E_UNKNOWN_USER when the model has no row for them). */
  similarUsers(user: string, n: number, metric: SimilarityMetric): Array<{ user: string; score: number }> {
    return similarUsers(this.active().model, user, { n, metric });
  }

  /** Item ids the model knows (for validation and the dashboard). */
  hasItem(item: RawId): boolean {
    return this.state?.model.itemIndex.has(item) ?? false;
  }
}

/** μ + b_u + b_i + p_u·q_i for a folded-in row, accumulated in float64 like FactorModel.scoreIndex. */
function foldedScore(m: FactorModel, f: FoldedUser, i: number): number {
  const k = m.factors;
  const Q = m.itemFactors.data;
  let s = m.globalMean + f.bias + (m.itemBias ? m.itemBias[i]! : 0);
  for (let c = 0; c < k; c++) s += f.factors[c]! * Q[i * k + c]!;
  return s;
}
