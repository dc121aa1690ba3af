/**
 * How a side-feature table meets the training ratings, as fit warnings (core/types.ts FitWarning): ids of the
 * table with no training rating, rated ids without features, and features only such ids have. Counted by the
 * trainers that read features (hybrid, bayes-fm), each saying what it did with them.
 */
import type { FitWarning } from "../core/types.js";
import type { FeatureTable } from "../data/features.js";
import type { IdIndex } from "../data/id-index.js";

const EXAMPLES = 5;

/**
 * The warnings of one side. `withoutRatings` says what the trainer did with ids of the table that have no
 * rating (bayes-fm: not in the model; hybrid: cold entities scored from their features).
 */
export function featureWarnings(table: FeatureTable | undefined, index: IdIndex, side: "user" | "item", withoutRatings: string): FitWarning[] {
  if (!table) return [];
  const out: FitWarning[] = [];
  const unrated: string[] = [];
  let unratedCount = 0;
  // Features some rated id has (the rest occur only on ids without ratings).
  const used = new Uint8Array(table.vocabulary.size);
  for (let r = 0; r < table.ids.size; r++) {
    const id = table.ids.idAt(r);
    if (index.indexOf(id) < 0) {
      unratedCount++;
      if (unrated.length < EXAMPLES) unrated.push(id);
    } else for (let p = table.indptr[r]!; p < table.indptr[r + 1]!; p++) used[table.indices[p]!] = 1;
  }
  const what = `${side}s`;
  if (unratedCount > 0) {
    out.push({ code: "feature-ids-without-ratings", side, count: unratedCount, message: `${unratedCount} ${what} of the ${side} feature table have no training rating: ${withoutRatings}`, examples: unrated });
  }
  const bare: string[] = [];
  let bareCount = 0;
  for (let e = 0; e < index.size; e++) {
    const r = table.ids.indexOf(index.idAt(e));
    if (r >= 0 && table.indptr[r + 1]! > table.indptr[r]!) continue;
    bareCount++;
    if (bare.length < EXAMPLES) bare.push(index.idAt(e));
  }
  if (bareCount > 0) {
    out.push({ code: "rated-without-features", side, count: bareCount, message: `${bareCount} rated ${what} have no ${side} features: their feature term is 0`, examples: bare });
  }
  const lonely: string[] = [];
  let lonelyCount = 0;
  for (let f = 0; f < used.length; f++) {
    if (used[f]) continue;
    lonelyCount++;
    if (lonely.length < EXAMPLES) lonely.push(table.vocabulary.idAt(f));
  }
  if (lonelyCount > 0) {
    out.push({
      code: "features-without-ratings",
      side,
      count: lonelyCount,
      message: `${lonelyCount} ${side} features occur only on ${what} without a training rating: no rating informs their vectors (a new ${side} with only these is scored near the prior)`,
      examples: lonely,
    });
  }
  return out;
}
