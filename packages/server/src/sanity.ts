/**
 * The sanity check a retrained model must pass before it may serve, chosen by what the algorithm
 * models. Explicit models predict ratings: their hold-out RMSE must not be worse than predicting
 * the training mean (times 1 + tolerance). Implicit models (ials, wals, bpr) rank items and their
 * scores are not ratings, so an RMSE bound fails them always; they are checked on the ranking of
 * the held-out interactions instead: NDCG@10 over the test users must beat (1 + tolerance) × the
 * expected NDCG@10 of a random ranking of the same candidates (exact, not sampled), the ranking that
 * knows nothing, as the training mean is the prediction that knows nothing. Popularity's NDCG@10 is
 * reported beside it but is no gate: where which items a user picks carries no signal beyond
 * popularity (uniformly sampled synthetic pairs), a sound implicit model cannot beat it.
 */
import { type FactorModel, ndcgAtK, type Ratings } from "mfrec";
import { groupByUser, rngFor, topK } from "mfrec/internal";

/** Cut-off of the ranking check. */
export const RANKING_K = 10;

/** NDCG@k of the model and of the popularity ranker on the same test users. */
export interface HeldOutRanking {
  metric: string;
  model: number;
  popularity: number;
  /** Expected NDCG of a uniformly random ranking of each user's candidates. */
  random: number;
  /** Test users ranked (known to the model, at least one held-out item). */
  users: number;
  /** Test users skipped because the trial model has no row for them. */
  unknownUsers: number;
}

/**
 * Rank every item for each test user (at most `maxUsers`, a seeded sample when there are more),
 * leaving out the user's training items, by the model's score and by training popularity (ties by
 * lower item index in both); average NDCG@k with every held-out item relevant. A held-out item the
 * model does not know counts as a miss for both rankers.
 */
export function heldOutRanking(model: FactorModel, train: Ratings, test: Ratings, opts: { k?: number; maxUsers?: number; seed?: number } = {}): HeldOutRanking {
  const k = opts.k ?? RANKING_K;
  const n = model.numItems;
  // Dense item of the split -> the model's item (−1 when the model lacks it), by raw id.
  const itemMap = (r: Ratings): Int32Array => Int32Array.from({ length: r.itemIndex.size }, (_, j) => model.itemIndex.indexOf(r.itemIndex.idAt(j)));
  const trainItem = itemMap(train);
  const testItem = itemMap(test);
  const pop = new Float32Array(n);
  for (let p = 0; p < train.length; p++) {
    const i = trainItem[train.items[p]!]!;
    if (i >= 0) pop[i]!++;
  }
  const tr = groupByUser(train);
  const te = groupByUser(test);
  const trainRowOf = new Map<string, number>();
  for (let u = 0; u < train.userIndex.size; u++) if (tr.start[u + 1]! > tr.start[u]!) trainRowOf.set(train.userIndex.idAt(u), u);
  let users: number[] = [];
  for (let u = 0; u < test.userIndex.size; u++) if (te.start[u + 1]! > te.start[u]!) users.push(u);
  const maxUsers = opts.maxUsers ?? 2000;
  if (users.length > maxUsers) {
    const order = Int32Array.from(users);
    rngFor(opts.seed ?? 0, "sanity-users").shuffle(order);
    users = Array.from(order.subarray(0, maxUsers)).sort((a, b) => a - b);
  }
  const scores = new Float32Array(n);
  const mask = new Uint8Array(n);
  const relevant = new Uint8Array(n);
  const hits = new Uint8Array(k);
  let sumModel = 0;
  let sumPop = 0;
  let sumRandom = 0;
  let ranked = 0;
  let unknownUsers = 0;
  for (const tu of users) {
    const raw = test.userIndex.idAt(tu);
    const mu = model.userIndex.indexOf(raw);
    if (mu < 0) {
      unknownUsers++;
      continue;
    }
    mask.fill(0);
    let masked = 0;
    const trow = trainRowOf.get(raw);
    if (trow !== undefined) {
      for (let p = tr.start[trow]!; p < tr.start[trow + 1]!; p++) {
        const i = trainItem[train.items[tr.order[p]!]!]!;
        if (i >= 0 && mask[i] === 0) {
          mask[i] = 1;
          masked++;
        }
      }
    }
    let nRelevant = 0;
    const rel: number[] = [];
    for (let p = te.start[tu]!; p < te.start[tu + 1]!; p++) {
      nRelevant++;
      const i = testItem[test.items[te.order[p]!]!]!;
      if (i >= 0 && relevant[i] === 0) {
        relevant[i] = 1;
        rel.push(i);
      }
    }
    for (let i = 0; i < n; i++) scores[i] = model.scoreIndex(mu, i);
    sumModel += ndcgOf(topK(scores, k, mask), relevant, hits, k, nRelevant);
    sumPop += ndcgOf(topK(pop, k, mask), relevant, hits, k, nRelevant);
    sumRandom += randomNdcg(n - masked, rel.length, k, nRelevant);
    for (const i of rel) relevant[i] = 0;
    ranked++;
  }
  const mean = (x: number): number => (ranked > 0 ? x / ranked : 0);
  return { metric: `ndcg@${k}`, model: mean(sumModel), popularity: mean(sumPop), random: mean(sumRandom), users: ranked, unknownUsers };
}

/**
 * E[NDCG@k] of a uniformly random order of `candidates` items of which `rankable` are relevant:
 * each position holds a relevant item with probability rankable / candidates, so
 * E[DCG] = Σ_{r<min(k,candidates)} (rankable / candidates) / log2(r + 2), over the IDCG of `nRelevant`.
 */
export function randomNdcg(candidates: number, rankable: number, k: number, nRelevant: number): number {
  if (candidates <= 0 || nRelevant <= 0) return 0;
  const p = rankable / candidates;
  let dcg = 0;
  for (let r = 0; r < Math.min(k, candidates); r++) dcg += p / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(k, nRelevant); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

function ndcgOf(top: Int32Array, relevant: Uint8Array, hits: Uint8Array, k: number, nRelevant: number): number {
  hits.fill(0);
  for (let r = 0; r < top.length; r++) hits[r] = relevant[top[r]!]!;
  return ndcgAtK(hits, k, nRelevant);
}

/** Hold-out RMSE of predicting the training mean for every test rating (the explicit check's trivial bound). */
export function meanPredictorRmse(train: Ratings, test: Ratings): number {
  let mean = 0;
  for (let p = 0; p < train.length; p++) mean += train.values[p]!;
  mean /= Math.max(1, train.length);
  let se = 0;
  for (let p = 0; p < test.length; p++) se += (test.values[p]! - mean) ** 2;
  return Math.sqrt(se / Math.max(1, test.length));
}
