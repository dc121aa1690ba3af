/**
 * Baselines of the cold-start protocol (evaluate/cold-start.ts), as scorers; none learns factors.
 *
 * - `random`: a seeded uniform score per (user, item).
 * - `popular`: the item's number of training ratings (all 0 for cold items: ties, in random order).
 * - `feature-count`: how many features the item has (it tracks popularity: tagged items are the popular ones).
 * - `feature-mean`: the mean over the item's features of m_f, the mean training rating of the items with
 *   feature f (the training mean for an item without known features).
 * - `user-feature-mean`: the mean over the item's features of the user's own mean rating of items with
 *   that feature, shrunk towards the user's mean: (Σ r + β·μ_u) / (n + β), β = 5.
 */
import { MfrecError } from "../core/errors.js";
import { rngFor } from "../core/rng.js";
import type { FeatureTable } from "../data/features.js";
import type { Ratings } from "../data/ratings.js";
import type { CandidateScorer } from "./cold-start.js";

export const COLD_START_BASELINES = ["random", "popular", "feature-count", "feature-mean", "user-feature-mean"] as const;
export type ColdStartBaseline = (typeof COLD_START_BASELINES)[number];

const SHRINK = 5;

function needFeatures(name: string, f: FeatureTable | undefined): FeatureTable {
  if (!f) throw new MfrecError("E_CONFIG", `baseline ${name} needs item features`, { value: name, expected: "--item-features FILE (library: itemFeatures)" });
  return f;
}

/** The scorer of a baseline over `train` (and item features where it needs them). */
export function baselineScorer(name: string, train: Ratings, itemFeatures?: FeatureTable, seed = 1): CandidateScorer {
  switch (name as ColdStartBaseline) {
    case "random": {
      let call = 0;
      return (_user, _c, out) => {
        const rng = rngFor(seed, "cold-start-random", call++);
        for (let c = 0; c < out.length; c++) out[c] = rng.next();
        return true;
      };
    }
    case "popular": {
      const counts = new Map<string, number>();
      for (let t = 0; t < train.length; t++) {
        const id = String(train.itemIndex.idAt(train.items[t]!));
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return (_user, candidates, out) => {
        for (let c = 0; c < candidates.length; c++) out[c] = counts.get(candidates[c]!) ?? 0;
        return true;
      };
    }
    case "feature-count": {
      const f = needFeatures(name, itemFeatures);
      return (_user, candidates, out) => {
        for (let c = 0; c < candidates.length; c++) {
          const r = f.ids.indexOf(candidates[c]!);
          out[c] = r < 0 ? 0 : f.indptr[r + 1]! - f.indptr[r]!;
        }
        return true;
      };
    }
    case "feature-mean": {
      const f = needFeatures(name, itemFeatures);
      const sum = new Float64Array(f.vocabulary.size);
      const n = new Float64Array(f.vocabulary.size);
      let total = 0;
      for (let t = 0; t < train.length; t++) {
        const v = train.values[t]!;
        total += v;
        const r = f.ids.indexOf(train.itemIndex.idAt(train.items[t]!));
        if (r < 0) continue;
        for (let p = f.indptr[r]!; p < f.indptr[r + 1]!; p++) {
          sum[f.indices[p]!]! += v;
          n[f.indices[p]!]!++;
        }
      }
      const mu = train.length === 0 ? 0 : total / train.length;
      return (_user, candidates, out) => {
        for (let c = 0; c < candidates.length; c++) {
          const r = f.ids.indexOf(candidates[c]!);
          let s = 0;
          let m = 0;
          if (r >= 0)
            for (let p = f.indptr[r]!; p < f.indptr[r + 1]!; p++) {
              const x = f.indices[p]!;
              if (n[x]! > 0) {
                s += sum[x]! / n[x]!;
                m++;
              }
            }
          out[c] = m === 0 ? mu : s / m;
        }
        return true;
      };
    }
    case "user-feature-mean": {
      const f = needFeatures(name, itemFeatures);
      // Per user: feature → [sum, count], and the user's mean.
      const perUser = new Map<string, { sum: Map<number, number>; n: Map<number, number>; mean: number }>();
      for (let t = 0; t < train.length; t++) {
        const u = String(train.userIndex.idAt(train.users[t]!));
        let e = perUser.get(u);
        if (!e) {
          e = { sum: new Map(), n: new Map(), mean: 0 };
          perUser.set(u, e);
        }
        const v = train.values[t]!;
        e.mean += v;
        e.n.set(-1, (e.n.get(-1) ?? 0) + 1);
        const r = f.ids.indexOf(train.itemIndex.idAt(train.items[t]!));
        if (r < 0) continue;
        for (let p = f.indptr[r]!; p < f.indptr[r + 1]!; p++) {
          const x = f.indices[p]!;
          e.sum.set(x, (e.sum.get(x) ?? 0) + v);
          e.n.set(x, (e.n.get(x) ?? 0) + 1);
        }
      }
      for (const e of perUser.values()) e.mean /= e.n.get(-1)!;
      return (user, candidates, out) => {
        const e = perUser.get(user);
        if (!e) return false;
        for (let c = 0; c < candidates.length; c++) {
          const r = f.ids.indexOf(candidates[c]!);
          let s = 0;
          let m = 0;
          if (r >= 0)
            for (let p = f.indptr[r]!; p < f.indptr[r + 1]!; p++) {
              const x = f.indices[p]!;
              s += ((e.sum.get(x) ?? 0) + SHRINK * e.mean) / ((e.n.get(x) ?? 0) + SHRINK);
              m++;
            }
          out[c] = m === 0 ? e.mean : s / m;
        }
        return true;
      };
    }
    default:
      throw new MfrecError("E_CONFIG", `unknown cold-start baseline ${JSON.stringify(name)}`, { value: name, expected: `one of ${COLD_START_BASELINES.join(", ")}` });
  }
}
