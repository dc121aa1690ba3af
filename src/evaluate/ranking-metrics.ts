import { MfrecError } from "../core/errors.js";

/**
 * Ranking metrics for one user, as pure functions of the binary relevance of a ranked list.
 * `hits[i]` is 1 when the item at rank i+1 is relevant (0 otherwise), `k` is the cut-off and
 * `nRelevant` = |R_u| the number of relevant items of the user, including any the model could not
 * rank (those count as misses). Conventions follow implicit's ranking_metrics_at_k; see docs/metrics.md.
 */

function check(k: number, nRelevant: number): void {
  if (!(Number.isInteger(k) && k >= 1)) throw new MfrecError("E_CONFIG", "k must be an integer >= 1", { column: "k", value: k, expected: "an integer >= 1" });
  if (!(Number.isInteger(nRelevant) && nRelevant >= 1)) {
    throw new MfrecError("E_CONFIG", "a ranking metric needs at least one relevant item", { column: "nRelevant", value: nRelevant, expected: "an integer >= 1 (skip users with no relevant test items)" });
  }
}

function hitCount(hits: ArrayLike<number>, k: number): number {
  let h = 0;
  const n = Math.min(k, hits.length);
  for (let i = 0; i < n; i++) if (hits[i]) h++;
  return h;
}

/** Precision@k = |top-k ∩ R| / min(k, |R|) (implicit's denominator, so a perfect list scores 1 even when |R| < k). */
export function precisionAtK(hits: ArrayLike<number>, k: number, nRelevant: number): number {
  check(k, nRelevant);
  return hitCount(hits, k) / Math.min(k, nRelevant);
}

/** Recall@k = |top-k ∩ R| / |R|. */
export function recallAtK(hits: ArrayLike<number>, k: number, nRelevant: number): number {
  check(k, nRelevant);
  return hitCount(hits, k) / nRelevant;
}

/** Discount of rank i+1 (0-based i): 1 / log2(i + 2). */
export function discount(i: number): number {
  return 1 / Math.log2(i + 2);
}

/** NDCG@k = DCG / IDCG with binary gains: DCG = Σ_{i<k} hits_i / log2(i+2), IDCG = Σ_{i<min(k,|R|)} 1 / log2(i+2). */
export function ndcgAtK(hits: ArrayLike<number>, k: number, nRelevant: number): number {
  check(k, nRelevant);
  let dcg = 0;
  const n = Math.min(k, hits.length);
  for (let i = 0; i < n; i++) if (hits[i]) dcg += discount(i);
  let idcg = 0;
  const m = Math.min(k, nRelevant);
  for (let i = 0; i < m; i++) idcg += discount(i);
  return dcg / idcg;
}

/** AP@k = Σ_{i<k} hits_i · P@(i+1) / min(k, |R|), where P@(i+1) = (hits among the first i+1) / (i+1). MAP@k is its mean over users. */
export function averagePrecisionAtK(hits: ArrayLike<number>, k: number, nRelevant: number): number {
  check(k, nRelevant);
  let h = 0;
  let ap = 0;
  const n = Math.min(k, hits.length);
  for (let i = 0; i < n; i++) {
    if (hits[i]) {
      h++;
      ap += h / (i + 1);
    }
  }
  return ap / Math.min(k, nRelevant);
}

/** RR@k = 1 / (rank of the first relevant item) when it is within the top k, else 0. MRR@k is its mean over users. */
export function reciprocalRankAtK(hits: ArrayLike<number>, k: number): number {
  check(k, 1);
  const n = Math.min(k, hits.length);
  for (let i = 0; i < n; i++) if (hits[i]) return 1 / (i + 1);
  return 0;
}

/** Hit@k = 1 when at least one relevant item is in the top k, else 0. Hit rate is its mean over users. */
export function hitAtK(hits: ArrayLike<number>, k: number): number {
  check(k, 1);
  return hitCount(hits, k) > 0 ? 1 : 0;
}

/**
 * AUC = P(score of a relevant item > score of a non-relevant one), over all |P|·|N| pairs, a tie
 * counting 1/2: AUC = Σ_{p∈P} (#{n : s_n < s_p} + ½ #{n : s_n = s_p}) / (|P|·|N|).
 * O((|P| + |N|) log |N|). Throws when either side is empty (AUC is undefined there, never NaN).
 */
export function auc(positiveScores: ArrayLike<number>, negativeScores: ArrayLike<number>): number {
  const np = positiveScores.length;
  const nn = negativeScores.length;
  if (np === 0 || nn === 0) {
    throw new MfrecError("E_CONFIG", "AUC needs at least one relevant and one non-relevant item", { value: { positives: np, negatives: nn }, expected: "both counts >= 1" });
  }
  const neg = Float64Array.from(negativeScores).sort();
  let s = 0;
  for (let p = 0; p < np; p++) {
    const v = positiveScores[p]!;
    const below = lowerBound(neg, v);
    const notAbove = upperBound(neg, v);
    s += below + (notAbove - below) / 2;
  }
  return s / (np * nn);
}

/** First position with a[pos] >= v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position with a[pos] > v. */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Catalogue coverage = |⋃_u top-k(u)| / |catalogue|: the share of the catalogue recommended to at least one user. */
export function catalogueCoverage(lists: Iterable<ArrayLike<number>>, catalogueSize: number): number {
  if (!(Number.isInteger(catalogueSize) && catalogueSize >= 1)) {
    throw new MfrecError("E_CONFIG", "catalogue size must be an integer >= 1", { value: catalogueSize, expected: "an integer >= 1" });
  }
  const seen = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) seen.add(l[i]!);
  return seen.size / catalogueSize;
}
