/**
 * GET /explain/:user/:item: recommend/explain.ts's decomposition of a score into the user's rated
 * items' additive parts. A user folded in live is explained against their folded-in history: a
 * one-user model holding their stored ratings (the model's items only) and their folded row, so
 * the same closed-form system that produced the folded row splits its score.
 */
import { type Contribution, explain, FactorModel, IdIndex } from "mfrec";

/** The answer of GET /explain. */
export interface ServedExplanation {
  user: string;
  item: string;
  modelVersion: number | null;
  /** Whose history: the model's training history ("model") or the stored ratings folded in ("fold-in"). */
  source: "model" | "fold-in";
  /** baseline + the contributions of every history item. */
  score: number;
  /** μ + b_i for explicit models with biases, else 0. */
  baseline: number;
  /** The model's own unclipped score of the pair as recommend ranks it (its ranking part's p_u·q_i when it has one, else μ + b_u + b_i + p_u·q_i; equal to `score` up to the solver's accuracy). */
  modelScore: number;
  /** The `n` largest parts by magnitude. */
  contributions: Contribution[];
  /** The history items beyond the `n` listed, and the sum of their parts: baseline + Σ listed + rest.contribution = score. */
  rest: { items: number; contribution: number };
  /** Items in the explained history. */
  historySize: number;
}

/** A model with one user: `factors`/`bias` as their row and (items, values) as their whole history. */
export function oneUserModel(model: FactorModel, user: string, factors: Float32Array, bias: number, items: Int32Array, values: Float32Array): FactorModel {
  const order = Array.from(items.keys()).sort((a, b) => items[a]! - items[b]!);
  const k = model.factors;
  return new FactorModel({
    config: model.config,
    userFactors: { rows: 1, cols: k, data: factors },
    itemFactors: model.itemFactors,
    userIndex: IdIndex.from([user]),
    itemIndex: model.itemIndex,
    globalMean: model.globalMean,
    userBias: model.userBias ? Float32Array.of(bias) : undefined,
    itemBias: model.itemBias,
    history: {
      rows: 1,
      cols: model.numItems,
      indptr: Int32Array.of(0, items.length),
      indices: Int32Array.from(order, (j) => items[j]!),
      values: Float32Array.from(order, (j) => values[j]!),
    },
    ratingScale: model.ratingScale,
    implicit: model.implicit,
  });
}

/**
 * Explain `item` for `user` of `model` (the model's own row, or a one-user model for a folded-in
 * user). Throws the library's E_UNKNOWN_USER / E_UNKNOWN_ITEM / E_UNSUPPORTED.
 */
export function explainServed(model: FactorModel, user: string, item: string, n: number, meta: { modelVersion: number | null; source: "model" | "fold-in" }): ServedExplanation {
  const e = explain(model, user, item, { n: Number.MAX_SAFE_INTEGER });
  const listed = e.contributions.slice(0, n);
  let rest = 0;
  for (let t = n; t < e.contributions.length; t++) rest += e.contributions[t]!.contribution;
  const u = model.userIndex.indexOf(user);
  const i = model.itemIndex.indexOf(item);
  return {
    user,
    item,
    modelVersion: meta.modelVersion,
    source: meta.source,
    score: e.score,
    baseline: e.baseline,
    modelScore: model.ranker.scoreIndex(u, i),
    contributions: listed,
    rest: { items: e.contributions.length - listed.length, contribution: rest },
    historySize: e.contributions.length,
  };
}
