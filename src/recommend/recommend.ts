/**
 * Top-N recommendations for one user: the one top-N path (./top-n.ts) over the model's ranker (its
 * ranking part when it has one, else the model), skipping rated / excluded / non-candidate items
 * (ties: lower dense index first), through an ANN index when asked. Raw ids in and out.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId, Scored } from "../core/types.js";
import { topK } from "../kernels/topk.js";
import type { FactorModel } from "../model/factor-model.js";
import { resolveAnnIndex } from "../model/ann-index.js";
import type { AnnOptions } from "./ann.js";
import { resultCount, skipMask } from "./candidates.js";
import { finalScore } from "./predict.js";
import { topNForRow, userRow } from "./top-n.js";

/** What {@link recommend} does for a user the model does not know. */
export type UnknownUserPolicy = "popular" | "empty" | "error";

/** Options of {@link recommend}. */
export interface RecommendOptions extends AnnOptions {
  /** How many items (default 10). */
  n?: number;
  /** Skip the items in the user's training history (default true; needs model.history). */
  excludeRated?: boolean;
  /** Rank only these raw item ids (unknown ids are ignored). */
  items?: readonly RawId[];
  /** Never return these raw item ids. */
  exclude?: readonly RawId[];
  /** Unknown user: "popular" (default), "empty" (return []) or "error" (throw E_UNKNOWN_USER). */
  unknownUser?: UnknownUserPolicy;
}

/** Mark user u's history items in `mask` (1 = skip). */
export function maskRated(model: FactorModel, u: number, mask: Uint8Array): void {
  const h = model.history;
  if (!h || u < 0 || u >= h.rows) return;
  for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) mask[h.indices[p]!] = 1;
}

/**
 * Dense core of {@link recommend}: the indices of user u's n best items, best first, skipping
 * mask[i] ≠ 0 (or everything outside `candidates` when given). `scores` is scratch of length ≥
 * numItems and holds the raw scores afterwards.
 */
export function recommendIndices(
  full: FactorModel,
  u: number,
  n: number,
  mask: Uint8Array | null,
  scores: Float32Array = new Float32Array(full.numItems),
  candidates?: Int32Array,
): Int32Array {
  const model = full.ranker;
  return topNForRow(model, userRow(model, u), { n, mask, scores, candidates });
}

const popularity = new WeakMap<object, Float32Array>();

/**
 * The "popular items" scores used for unknown users: each item's number of training ratings (users
 * in the history who rated it, whatever the value), the "most popular" list of the literature, so an
 * item with one 5-star rating sits below one with 400 ratings (ties: lower dense index first). Without
 * a history: μ + b_i when the model has item biases (the explicit fallback prediction), else null.
 */
export function popularityScores(model: FactorModel): Float32Array | null {
  const h = model.history;
  if (!h) {
    if (!model.itemBias) return null;
    const s = new Float32Array(model.numItems);
    for (let i = 0; i < s.length; i++) s[i] = model.globalMean + model.itemBias[i]!;
    return s;
  }
  let s = popularity.get(h);
  if (!s) {
    s = new Float32Array(model.numItems);
    const nnz = h.indptr[h.rows]!;
    for (let p = 0; p < nnz; p++) s[h.indices[p]!]!++;
    popularity.set(h, s);
  }
  return s;
}

let maskScratch = new Uint8Array(0);

/** recommend()'s skip mask, zeroed and reused across calls (it never escapes a call): a fresh n-byte array per call cost ≈ 1 ms at 1M items. */
function reusedMask(n: number): Uint8Array {
  if (maskScratch.length < n) maskScratch = new Uint8Array(n);
  const m = maskScratch.subarray(0, n);
  m.fill(0);
  return m;
}

/**
 * The n best items for raw `user`, best first, as { item, score }. The score is the ranker's:
 * for a model with a ranking part (every explicit model mfrec trains, unless `ranking: "none"`), the
 * ranking part's p_u·q_i, a preference score that ranks items and is not a rating (use predict for
 * the rating); for other models the score of {@link predict} (clipped for explicit models; ranking
 * uses the unclipped score). Rated items (model.history) are skipped unless `excludeRated: false`;
 * `items` restricts the candidates, `exclude` removes ids.
 *
 * Unknown user, policy "popular" (default): the items ranked by {@link popularityScores} (their
 * number of training ratings; score = that count); μ + b_i for a model without
 * a history; an empty list when the model has neither.
 */
export function recommend(model: FactorModel, user: RawId, opts: RecommendOptions = {}): Scored[] {
  const n = resultCount(opts.n);
  const policy = opts.unknownUser ?? "popular";
  if (policy !== "popular" && policy !== "empty" && policy !== "error") {
    throw new MfrecError("E_CONFIG", "unknownUser must be popular, empty or error", { value: policy });
  }
  const u = model.userIndex.indexOf(user);
  const mask = skipMask(model.itemIndex, opts.items, opts.exclude, reusedMask(model.itemIndex.size));
  const ids = model.itemIndex;
  if (u < 0) {
    if (policy === "error") throw new MfrecError("E_UNKNOWN_USER", `user ${JSON.stringify(String(user))} is not known to the model`, { value: user });
    const pop = policy === "popular" ? popularityScores(model) : null;
    if (!pop) return [];
    const top = topK(pop, n, mask);
    const fromBias = model.history === undefined;
    return Array.from(top, (i) => ({ item: ids.idAt(i), score: fromBias ? finalScore(model, model.globalMean + model.itemBias![i]!) : pop[i]! }));
  }
  if (opts.excludeRated ?? true) maskRated(model, u, mask);
  let candidates: Int32Array | undefined;
  if (opts.items) {
    const c: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i] === 0) c.push(i);
    candidates = Int32Array.from(c);
  }
  const r = model.ranker;
  const top = topNForRow(r, userRow(r, u), { n, mask, candidates, ann: resolveAnnIndex(r, opts.ann), efSearch: opts.efSearch, nprobe: opts.nprobe });
  return Array.from(top, (i) => ({ item: ids.idAt(i), score: finalScore(r, r.scoreIndex(u, i)) }));
}
