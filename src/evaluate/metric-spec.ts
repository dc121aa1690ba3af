import { MfrecError } from "../core/errors.js";

/** Rating metrics (lower is better). */
export const RATING_METRICS = ["rmse", "mae"] as const;
/** Ranking metrics (higher is better); all but auc take a cut-off k ("ndcg@10"). */
export const RANKING_METRICS = ["precision", "recall", "ndcg", "map", "mrr", "hitrate", "auc", "coverage"] as const;

export type RatingMetricName = (typeof RATING_METRICS)[number];
export type RankingMetricName = (typeof RANKING_METRICS)[number];

/** One parsed metric: its kind, its cut-off (ranking metrics other than auc) and its canonical name. */
export type MetricSpec = { kind: RatingMetricName; name: string } | { kind: RankingMetricName; k?: number; name: string };

const ALIASES: Record<string, RatingMetricName | RankingMetricName> = {
  p: "precision",
  prec: "precision",
  r: "recall",
  ap: "map",
  hit: "hitrate",
  hr: "hitrate",
  "hit-rate": "hitrate",
  rr: "mrr",
  cov: "coverage",
};

/**
 * Parse "rmse", "ndcg@10", "precision@5", "auc", … (case-insensitive). A ranking metric without
 * "@k" takes `defaultK`. Throws E_CONFIG naming the bad metric and the known ones.
 */
export function parseMetric(text: string, defaultK = 10): MetricSpec {
  const t = text.trim().toLowerCase();
  const at = t.indexOf("@");
  const base = at < 0 ? t : t.slice(0, at);
  const kind = (ALIASES[base] ?? base) as RatingMetricName | RankingMetricName;
  const known = [...RATING_METRICS, ...RANKING_METRICS].join(", ");
  if ((RATING_METRICS as readonly string[]).includes(kind)) {
    if (at >= 0) throw new MfrecError("E_CONFIG", `metric ${text} takes no cut-off`, { column: "metrics", value: text, expected: kind });
    return { kind: kind as RatingMetricName, name: kind };
  }
  if (!(RANKING_METRICS as readonly string[]).includes(kind)) {
    throw new MfrecError("E_CONFIG", `unknown metric ${JSON.stringify(text)}`, { column: "metrics", value: text, expected: `one of ${known} (ranking metrics as name@k, e.g. ndcg@10)` });
  }
  if (kind === "auc") {
    if (at >= 0) throw new MfrecError("E_CONFIG", "auc is computed over the whole ranking and takes no cut-off", { column: "metrics", value: text, expected: "auc" });
    return { kind: "auc", name: "auc" };
  }
  const k = at < 0 ? defaultK : Number(t.slice(at + 1));
  if (!(Number.isInteger(k) && k >= 1)) throw new MfrecError("E_CONFIG", `metric ${text} has a bad cut-off`, { column: "metrics", value: text, expected: `${kind}@k with an integer k >= 1` });
  return { kind: kind as RankingMetricName, k, name: `${kind}@${k}` };
}

/** Parse a list ("rmse,mae,ndcg@10" or an array); duplicates are dropped, order kept. */
export function parseMetrics(list: string | readonly string[], defaultK = 10): MetricSpec[] {
  const parts = typeof list === "string" ? list.split(",") : list;
  const out: MetricSpec[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    if (p.trim() === "") continue;
    const m = parseMetric(p, defaultK);
    if (!seen.has(m.name)) {
      seen.add(m.name);
      out.push(m);
    }
  }
  if (out.length === 0) throw new MfrecError("E_CONFIG", "no metric named", { column: "metrics", value: list, expected: "e.g. rmse,mae,ndcg@10" });
  return out;
}

/** True for metrics where a larger value is better (the ranking metrics); rmse and mae are errors. */
export function higherIsBetter(metric: string): boolean {
  return parseMetric(metric).kind !== "rmse" && parseMetric(metric).kind !== "mae";
}

/** True when the spec is a rating metric. */
export function isRatingMetric(m: MetricSpec): m is { kind: RatingMetricName; name: string } {
  return m.kind === "rmse" || m.kind === "mae";
}
