import type { Ratings } from "../data/ratings.js";
import type { FactorModel } from "../model/factor-model.js";
import { type RankingEvaluation, type RankingOptions, evaluateRanking } from "./evaluate-ranking.js";
import { isRatingMetric, parseMetrics } from "./metric-spec.js";
import { type RatingEvaluation, evaluateRatings } from "./rating-metrics.js";

/** Options of {@link evaluateModel}: the metric list plus ranking and fallback options. */
export interface EvaluateOptions extends Omit<RankingOptions, "metrics"> {
  /** "rmse,mae,ndcg@10" or an array (default rmse, mae). */
  metrics?: string | readonly string[];
  /** Constant replacing the fallback base for unknown users/items in rating metrics. */
  fallback?: number;
}

/** Every asked metric by name, with the rating and ranking details that explain the counts. */
export interface ModelEvaluation {
  metrics: Record<string, number>;
  rating?: RatingEvaluation;
  ranking?: RankingEvaluation;
}

/** Evaluate rating metrics (all test ratings, fallbacks counted) and ranking metrics (per user) in one call. */
export function evaluateModel(model: FactorModel, test: Ratings, opts: EvaluateOptions = {}): ModelEvaluation {
  const specs = parseMetrics(opts.metrics ?? ["rmse", "mae"], opts.k ?? 10);
  const metrics: Record<string, number> = {};
  const out: ModelEvaluation = { metrics };
  const rating = specs.filter(isRatingMetric);
  const ranking = specs.filter((s) => !isRatingMetric(s));
  if (rating.length > 0) out.rating = evaluateRatings(model, test, { fallback: opts.fallback });
  if (ranking.length > 0) out.ranking = evaluateRanking(model, test, { ...opts, metrics: ranking.map((s) => s.name) });
  for (const s of specs) metrics[s.name] = isRatingMetric(s) ? out.rating![s.kind] : out.ranking!.metrics[s.name]!;
  return out;
}
