import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import type { Ratings } from "../data/ratings.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { FactorModel } from "../model/factor-model.js";
import { topNForRow, userRow } from "../recommend/top-n.js";
import { isRatingMetric, parseMetrics } from "./metric-spec.js";
import { auc, averagePrecisionAtK, hitAtK, ndcgAtK, recallAtK, reciprocalRankAtK } from "./ranking-metrics.js";
import { groupByUser } from "./splits.js";
import { mapIndex } from "./subset.js";

/** Options of {@link evaluateRanking}. */
export interface RankingOptions {
  /** Metric names ("ndcg@10", "precision@5", "auc", …; default precision, recall, ndcg, map at k). */
  metrics?: string | readonly string[];
  /** Cut-off for metric names given without "@k" (default 10). */
  k?: number;
  /** Leave each user's training items (model.history) out of the ranking (default true). */
  excludeTrain?: boolean;
  /** Rank only these items (raw ids); default every item of the model. */
  candidates?: readonly RawId[];
  /** A test rating is relevant when its value ≥ this (default: every test rating is relevant). */
  relevanceThreshold?: number;
  /**
   * Relevant items the model cannot rank (unknown to it, in the user's training history while
   * excludeTrain, or outside the candidates): "miss" (default) keeps them in |R_u| as misses,
   * "drop" removes them from R_u. Either way they are counted in the report.
   */
  unrankable?: "miss" | "drop";
  /** The user × item training matrix to exclude, in the model's dense indices (default model.history). */
  history?: CsrMatrix;
}

/** Means over the evaluated users (precision pooled, as implicit does) and what was skipped. */
export interface RankingEvaluation {
  /** Metric name → value, e.g. { "ndcg@10": 0.31, auc: 0.9 }. */
  metrics: Record<string, number>;
  /** Users whose metrics were averaged. */
  users: number;
  /** Test users with no relevant test rating (skipped). */
  usersWithoutRelevant: number;
  /** Test users unknown to the model (skipped: it has no factor row to rank with). */
  unknownUsers: number;
  /** Users whose relevant items were all unrankable under unrankable: "drop" (skipped). */
  usersWithoutRankable: number;
  /** Relevant (user, item) test pairs of the known test users, before any drop. */
  relevant: number;
  /** Relevant test items unknown to the model (cannot be ranked). */
  unknownItems: number;
  /** Relevant test items already in the user's training history (excluded from ranking when excludeTrain). */
  inTraining: number;
  /** Relevant test items outside the candidate set. */
  notCandidates: number;
  /** Size of the ranked catalogue (the candidates). */
  catalogue: number;
}

/**
 * A relevance threshold must be able to mark something relevant: inside the model's rating scale
 * (explicit models with one) and at most the largest test value (E_CONFIG otherwise, saying which),
 * instead of a later "no test user could be evaluated".
 */
export function checkThreshold(model: FactorModel, test: Ratings, threshold: number): void {
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new MfrecError("E_CONFIG", "the relevance threshold must be a finite number", { column: "relevanceThreshold", value: threshold, expected: "a rating value, e.g. 4" });
  }
  const sc = model.ratingScale;
  if (sc && !model.implicit && (threshold < sc[0] || threshold > sc[1])) {
    throw new MfrecError("E_CONFIG", `relevance threshold ${threshold} lies outside the rating scale ${sc[0]}..${sc[1]}`, {
      column: "relevanceThreshold",
      value: threshold,
      expected: `a rating in ${sc[0]}..${sc[1]}`,
    });
  }
  if (test.length === 0) return;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < test.length; t++) {
    const v = test.values[t]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (threshold > hi) {
    const implicit = lo === hi;
    throw new MfrecError("E_CONFIG", `relevance threshold ${threshold} leaves no relevant test item: the test values run from ${lo} to ${hi}`, {
      file: test.report.file,
      column: "relevanceThreshold",
      value: threshold,
      expected: `a threshold <= ${hi}`,
      hint: implicit ? `every test value is ${hi} (implicit input counts each interaction as ${hi}): drop the relevance threshold, every test item is then relevant` : undefined,
    });
  }
}

/**
 * Rank every candidate item for each test user by the score recommend() ranks by (the model's ranker:
 * its ranking part when it has one, else μ + b_u + b_i + p_u·q_i;
 * one reused Float32Array, heap top-k) and average the ranking metrics over users. Users with
 * no relevant test item, and users unknown to the model, are skipped and counted. AUC is exact
 * over all candidates (relevant vs. every non-relevant candidate; unrankable relevant items under
 * "miss" count as ranked below every candidate).
 */
export function evaluateRanking(full: FactorModel, test: Ratings, opts: RankingOptions = {}): RankingEvaluation {
  // Lists are ranked as recommend() ranks them: by the ranking part when the model has one.
  const model = full.ranker;
  const specs = parseMetrics(opts.metrics ?? ["precision", "recall", "ndcg", "map"], opts.k ?? 10).filter((m) => !isRatingMetric(m));
  if (specs.length === 0) throw new MfrecError("E_CONFIG", "no ranking metric named", { column: "metrics", value: opts.metrics, expected: "e.g. ndcg@10" });
  const excludeTrain = opts.excludeTrain ?? true;
  const policy = opts.unrankable ?? "miss";
  const threshold = opts.relevanceThreshold;
  if (threshold !== undefined) checkThreshold(full, test, threshold);
  const kMax = specs.reduce((m, s) => Math.max(m, "k" in s && s.k !== undefined ? s.k : 0), 0);
  const wantAuc = specs.some((s) => s.kind === "auc");
  const nItems = model.numItems;

  // base[i] = 1 marks items never ranked (non-candidates); per-user training items are added and removed.
  const base = new Uint8Array(nItems);
  let catalogue = nItems;
  if (opts.candidates) {
    base.fill(1);
    catalogue = 0;
    for (const id of opts.candidates) {
      const i = model.itemIndex.indexOf(id);
      if (i >= 0 && base[i] === 1) {
        base[i] = 0;
        catalogue++;
      }
    }
    if (catalogue === 0) throw new MfrecError("E_CONFIG", "no candidate item is known to the model", { column: "candidates", expected: "raw ids of the model's items" });
  }
  const mask = base.slice();
  const scores = new Float32Array(nItems);
  const relStamp = new Int32Array(nItems).fill(-1);
  const hits = new Uint8Array(Math.max(kMax, 1));
  const wantCoverage = specs.some((s) => s.kind === "coverage");
  // bestRank[i] = the best 0-based rank item i reached for any user, so coverage@k for every k comes from one pass.
  const bestRank = new Int32Array(wantCoverage ? nItems : 0).fill(0x7fffffff);
  const uMap = mapIndex(test.userIndex, model.userIndex);
  const iMap = mapIndex(test.itemIndex, model.itemIndex);
  const { start, order } = groupByUser(test);
  const h = opts.history ?? model.history;
  if (excludeTrain && !h) {
    throw new MfrecError("E_UNSUPPORTED", "this model has no training history to exclude", { expected: "a model with history, or excludeTrain: false" });
  }

  const sums = new Map<string, number>();
  for (const s of specs) sums.set(s.name, 0);
  const precisionNum = new Map<number, number>();
  const precisionDen = new Map<number, number>();
  let users = 0;
  let aucUsers = 0;
  let usersWithoutRelevant = 0;
  let unknownUsers = 0;
  let usersWithoutRankable = 0;
  let relevantTotal = 0;
  let unknownItems = 0;
  let inTraining = 0;
  let notCandidates = 0;
  const positives: number[] = [];

  for (let tu = 0; tu < test.userIndex.size; tu++) {
    const s0 = start[tu]!;
    const s1 = start[tu + 1]!;
    let nRel = 0;
    for (let p = s0; p < s1; p++) if (threshold === undefined || test.values[order[p]!]! >= threshold) nRel++;
    if (nRel === 0) {
      if (s1 > s0) usersWithoutRelevant++;
      continue;
    }
    const u = uMap[tu]!;
    if (u < 0) {
      unknownUsers++;
      continue;
    }
    if (excludeTrain) for (let q = h!.indptr[u]!; q < h!.indptr[u + 1]!; q++) mask[h!.indices[q]!] = 1;
    let rankable = 0;
    let unrankable = 0;
    for (let p = s0; p < s1; p++) {
      const k = order[p]!;
      if (threshold !== undefined && test.values[k]! < threshold) continue;
      const i = iMap[test.items[k]!]!;
      if (i < 0) {
        unknownItems++;
        unrankable++;
      } else if (mask[i] === 1) {
        if (base[i] === 1) notCandidates++;
        else inTraining++;
        unrankable++;
      } else if (relStamp[i] !== tu) {
        relStamp[i] = tu;
        rankable++;
      }
    }
    relevantTotal += nRel;
    const nRelevant = policy === "miss" ? rankable + unrankable : rankable;
    if (nRelevant === 0) {
      usersWithoutRankable++;
      if (excludeTrain) for (let q = h!.indptr[u]!; q < h!.indptr[u + 1]!; q++) mask[h!.indices[q]!] = base[h!.indices[q]!]!;
      continue;
    }
    // The one top-N path recommend() takes (exact: every item scored into `scores`, which AUC reads next).
    const top = topNForRow(model, userRow(model, u), { n: kMax, mask, scores });
    hits.fill(0);
    for (let r = 0; r < top.length; r++) {
      const i = top[r]!;
      if (relStamp[i] === tu) hits[r] = 1;
    }
    users++;
    for (const s of specs) {
      const k = "k" in s && s.k !== undefined ? s.k : kMax;
      let v = 0;
      switch (s.kind) {
        case "precision": {
          let c = 0;
          for (let r = 0; r < Math.min(k, top.length); r++) c += hits[r]!;
          precisionNum.set(k, (precisionNum.get(k) ?? 0) + c);
          precisionDen.set(k, (precisionDen.get(k) ?? 0) + Math.min(k, nRelevant));
          continue;
        }
        case "recall":
          v = recallAtK(hits.subarray(0, top.length), k, nRelevant);
          break;
        case "ndcg":
          v = ndcgAtK(hits.subarray(0, top.length), k, nRelevant);
          break;
        case "map":
          v = averagePrecisionAtK(hits.subarray(0, top.length), k, nRelevant);
          break;
        case "mrr":
          v = reciprocalRankAtK(hits.subarray(0, top.length), k);
          break;
        case "hitrate":
          v = hitAtK(hits.subarray(0, top.length), k);
          break;
        case "coverage":
        case "auc":
          continue;
      }
      sums.set(s.name, sums.get(s.name)! + v);
    }
    if (wantCoverage) for (let r = 0; r < top.length; r++) if (bestRank[top[r]!]! > r) bestRank[top[r]!] = r;
    if (wantAuc) {
      positives.length = 0;
      const negatives: number[] = [];
      for (let i = 0; i < nItems; i++) {
        if (mask[i] === 1) continue;
        if (relStamp[i] === tu) positives.push(scores[i]!);
        else negatives.push(scores[i]!);
      }
      if (positives.length > 0 && negatives.length > 0) {
        const a = auc(positives, negatives);
        // Unrankable relevant items under "miss" rank below every negative: their pairs add 0.
        const scale = policy === "miss" ? rankable / (rankable + unrankable) : 1;
        sums.set("auc", sums.get("auc")! + a * scale);
        aucUsers++;
      }
    }
    if (excludeTrain) for (let q = h!.indptr[u]!; q < h!.indptr[u + 1]!; q++) mask[h!.indices[q]!] = base[h!.indices[q]!]!;
  }
  if (users === 0) {
    throw new MfrecError("E_EMPTY_INPUT", "no test user could be evaluated", {
      file: test.report.file,
      value: { usersWithoutRelevant, unknownUsers, usersWithoutRankable },
      expected: "at least one known test user with a relevant, rankable test item",
    });
  }
  const metrics: Record<string, number> = {};
  for (const s of specs) {
    if (s.kind === "precision") metrics[s.name] = precisionNum.get(s.k!)! / precisionDen.get(s.k!)!;
    else if (s.kind === "coverage") {
      let c = 0;
      for (let i = 0; i < nItems; i++) if (bestRank[i]! < s.k!) c++;
      metrics[s.name] = c / catalogue;
    }
    else if (s.kind === "auc") metrics[s.name] = aucUsers === 0 ? 0 : sums.get("auc")! / aucUsers;
    else metrics[s.name] = sums.get(s.name)! / users;
  }
  return { metrics, users, usersWithoutRelevant, unknownUsers, usersWithoutRankable, relevant: relevantTotal, unknownItems, inTraining, notCandidates, catalogue };
}
