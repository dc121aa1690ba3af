/**
 * The cold-start protocol (docs/cold-start.md), for a model or for a baseline scorer.
 *
 * - `cold: "items"`: the candidates are the test file's items (those with no training rating, on a
 *   cold-item split); each test user known in training ranks only them.
 * - `cold: "users"`: the candidates are every item of training and test; each test user (new, on a
 *   cold-user split) ranks all of them.
 *
 * A test rating is relevant when its value ≥ relevanceThreshold (every test rating without one); users
 * with no relevant test item are skipped and counted. Items in the user's training history are never
 * candidates. Ties: NDCG@k (and the other cut-off metrics) rank tied scores in a seeded random order,
 * one permutation per user (`tieSeed`), never by id; AUC counts a tied pair as ½ (mean rank).
 */
import { MfrecError } from "../core/errors.js";
import { rngFor } from "../core/rng.js";
import type { RawId } from "../core/types.js";
import type { Ratings } from "../data/ratings.js";
import type { FactorModel } from "../model/factor-model.js";
import { isRatingMetric, parseMetrics } from "./metric-spec.js";
import { auc, averagePrecisionAtK, hitAtK, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from "./ranking-metrics.js";
import { groupByUser } from "./splits.js";

/** Which side is cold in the split. */
export type ColdSide = "items" | "users";

/** Options of {@link evaluateColdStart} and {@link evaluateColdStartScores}. */
export interface ColdStartOptions {
  cold: ColdSide;
  /** Ranking metrics ("ndcg@10", "auc", "precision@5", …; default ndcg@10 and auc). */
  metrics?: string | readonly string[];
  /** A test rating is relevant when its value ≥ this (default: every test rating). */
  relevanceThreshold?: number;
  /** Seed of the per-user random order among tied scores (default 1). */
  tieSeed?: number;
}

/** What the protocol measured. */
export interface ColdStartEvaluation {
  metrics: Record<string, number>;
  cold: ColdSide;
  /** Users whose metrics were averaged. */
  users: number;
  /** Test users with no relevant test rating (skipped). */
  usersWithoutRelevant: number;
  /** Test users the scorer has no vector for (skipped; e.g. unknown to the model, or, for cold items, absent from training). */
  unknownUsers: number;
  /** Candidate items. */
  candidates: number;
  /** Candidates the model cannot score (unknown to it: scored below every known item). */
  unscorableCandidates: number;
}

/**
 * A scorer of the protocol: for test user `user` (raw id), write a score for each candidate into `out`
 * (same order as `candidates`) and return true, or return false when it cannot score this user.
 */
export type CandidateScorer = (user: string, candidates: readonly string[], out: Float64Array) => boolean;

/** The candidate items of the protocol (raw ids in order of first appearance: the test rows' items for "items", the training rows' then the test rows' for "users"). */
export function coldCandidates(train: Ratings, test: Ratings, cold: ColdSide): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (id: string): void => {
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  // From the rows, not the id indexes: a test file read against the training file's indexes holds every training id too.
  if (cold === "users") for (let t = 0; t < train.length; t++) add(String(train.itemIndex.idAt(train.items[t]!)));
  for (let t = 0; t < test.length; t++) add(String(test.itemIndex.idAt(test.items[t]!)));
  return out;
}

/**
 * Run the protocol with an arbitrary scorer (a model, or a baseline of evaluate/cold-start-baselines.ts).
 * For `cold: "items"` only test users present in `train` are evaluated; for `cold: "users"` every test user.
 */
export function evaluateColdStartScores(train: Ratings, test: Ratings, scorer: CandidateScorer, opts: ColdStartOptions): ColdStartEvaluation {
  if (opts.cold !== "items" && opts.cold !== "users") {
    throw new MfrecError("E_CONFIG", "cold must be items or users", { column: "cold", value: opts.cold, expected: "items or users" });
  }
  const specs = parseMetrics(opts.metrics ?? ["ndcg@10", "auc"]);
  for (const s of specs) if (isRatingMetric(s) || s.kind === "coverage") throw new MfrecError("E_CONFIG", `metric ${s.name} is not part of the cold-start protocol`, { column: "metrics", value: s.name, expected: "ndcg@k, precision@k, recall@k, map@k, mrr@k, hitrate@k, auc" });
  const threshold = opts.relevanceThreshold;
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new MfrecError("E_CONFIG", "the relevance threshold must be a finite number", { column: "relevanceThreshold", value: threshold, expected: "e.g. 4" });
  const candidates = coldCandidates(train, test, opts.cold);
  const nC = candidates.length;
  if (nC < 2) throw new MfrecError("E_EMPTY_INPUT", "the cold-start protocol needs at least two candidate items", { file: test.report.file, value: nC });
  const candidateOf = new Map<string, number>();
  for (let c = 0; c < nC; c++) candidateOf.set(candidates[c]!, c);
  const trainItemsOf = groupByUser(train);
  const { start, order } = groupByUser(test);
  const scores = new Float64Array(nC);
  const tie = new Float64Array(nC);
  const rel = new Uint8Array(nC);
  const excluded = new Uint8Array(nC);
  const idx = new Int32Array(nC);
  const kMax = specs.reduce((m, s) => Math.max(m, "k" in s && s.k !== undefined ? s.k : 1), 1);
  const hits = new Uint8Array(kMax);
  const sums = new Map<string, number>(specs.map((s) => [s.name, 0]));
  let users = 0;
  let aucUsers = 0;
  let usersWithoutRelevant = 0;
  let unknownUsers = 0;
  const tieSeed = opts.tieSeed ?? 1;
  for (let tu = 0; tu < test.userIndex.size; tu++) {
    const s0 = start[tu]!;
    const s1 = start[tu + 1]!;
    if (s1 === s0) continue;
    const user = String(test.userIndex.idAt(tu));
    const ru = train.userIndex.indexOf(user);
    if (opts.cold === "items" && ru < 0) {
      unknownUsers++;
      continue;
    }
    rel.fill(0);
    let nRel = 0;
    for (let p = s0; p < s1; p++) {
      const t = order[p]!;
      if (threshold !== undefined && test.values[t]! < threshold) continue;
      const c = candidateOf.get(String(test.itemIndex.idAt(test.items[t]!)))!;
      if (rel[c] === 0) {
        rel[c] = 1;
        nRel++;
      }
    }
    excluded.fill(0);
    if (ru >= 0) {
      for (let p = trainItemsOf.start[ru]!; p < trainItemsOf.start[ru + 1]!; p++) {
        const c = candidateOf.get(String(train.itemIndex.idAt(train.items[trainItemsOf.order[p]!]!)));
        if (c !== undefined && rel[c] === 0) excluded[c] = 1;
      }
    }
    if (nRel === 0) {
      usersWithoutRelevant++;
      continue;
    }
    if (!scorer(user, candidates, scores)) {
      unknownUsers++;
      continue;
    }
    const rng = rngFor(tieSeed, "cold-start-ties", tu);
    let n = 0;
    for (let c = 0; c < nC; c++) {
      if (excluded[c]) continue;
      if (!Number.isFinite(scores[c]!)) throw new MfrecError("E_NOT_FINITE", `the score of item ${candidates[c]} for user ${user} is ${scores[c]}`, { value: String(scores[c]), expected: "finite scores" });
      tie[c] = rng.next();
      idx[n++] = c;
    }
    const ranked = idx.subarray(0, n).sort((a, b) => scores[b]! - scores[a]! || tie[a]! - tie[b]!);
    hits.fill(0);
    const top = Math.min(kMax, n);
    for (let r = 0; r < top; r++) hits[r] = rel[ranked[r]!]!;
    users++;
    for (const s of specs) {
      if (s.kind === "auc") continue;
      const k = "k" in s && s.k !== undefined ? s.k : 10;
      const h = hits.subarray(0, top);
      const v =
        s.kind === "ndcg" ? ndcgAtK(h, k, nRel)
        : s.kind === "precision" ? precisionAtK(h, k, nRel)
        : s.kind === "recall" ? recallAtK(h, k, nRel)
        : s.kind === "map" ? averagePrecisionAtK(h, k, nRel)
        : s.kind === "mrr" ? reciprocalRankAtK(h, k)
        : hitAtK(h, k);
      sums.set(s.name, sums.get(s.name)! + v);
    }
    if (sums.has("auc") && nRel < n) {
      const pos: number[] = [];
      const neg: number[] = [];
      for (let r = 0; r < n; r++) (rel[ranked[r]!] ? pos : neg).push(scores[ranked[r]!]!);
      sums.set("auc", sums.get("auc")! + auc(pos, neg));
      aucUsers++;
    }
  }
  if (users === 0) {
    throw new MfrecError("E_EMPTY_INPUT", "no test user could be evaluated", {
      file: test.report.file,
      value: { usersWithoutRelevant, unknownUsers },
      expected: opts.cold === "items" ? "test users who are in the training file, with a relevant test rating" : "test users the model can score (trained with their features), with a relevant test rating",
    });
  }
  const metrics: Record<string, number> = {};
  for (const s of specs) metrics[s.name] = s.kind === "auc" ? (aucUsers === 0 ? 0 : sums.get("auc")! / aucUsers) : sums.get(s.name)! / users;
  return { metrics, cold: opts.cold, users, usersWithoutRelevant, unknownUsers, candidates: nC, unscorableCandidates: 0 };
}

/**
 * The protocol for a model: scores are what recommend ranks by (the model's ranker, μ + b_u + b_i + p_u·q_i).
 * A candidate the model does not know scores below every known one (counted in unscorableCandidates);
 * a test user it does not know is skipped and counted (for cold users: train with their features).
 */
export function evaluateColdStart(full: FactorModel, train: Ratings, test: Ratings, opts: ColdStartOptions): ColdStartEvaluation {
  const model = full.ranker;
  const k = model.factors;
  const P = model.userFactors.data;
  const Q = model.itemFactors.data;
  const candidates = coldCandidates(train, test, opts.cold);
  const dense = candidates.map((id) => model.itemIndex.indexOf(id as RawId));
  const unscorable = dense.filter((i) => i < 0).length;
  if (unscorable === dense.length) {
    throw new MfrecError("E_UNSUPPORTED", `the model knows none of the ${dense.length} candidate items`, {
      value: model.algorithm,
      expected: opts.cold === "items" ? "a model trained with the cold items' features (algorithm hybrid, --item-features)" : "a model of these items",
    });
  }
  let lowest = Number.POSITIVE_INFINITY;
  const scorer: CandidateScorer = (user, _c, out) => {
    const u = model.userIndex.indexOf(user);
    if (u < 0) return false;
    const base = model.globalMean + (model.userBias ? model.userBias[u]! : 0);
    lowest = Number.POSITIVE_INFINITY;
    for (let c = 0; c < dense.length; c++) {
      const i = dense[c]!;
      if (i < 0) continue;
      let s = base + (model.itemBias ? model.itemBias[i]! : 0);
      for (let f = 0; f < k; f++) s += P[u * k + f]! * Q[i * k + f]!;
      out[c] = s;
      if (s < lowest) lowest = s;
    }
    for (let c = 0; c < dense.length; c++) if (dense[c]! < 0) out[c] = lowest - 1;
    return true;
  };
  const r = evaluateColdStartScores(train, test, scorer, opts);
  return { ...r, unscorableCandidates: unscorable };
}
