import { Rng } from "../../../src/core/rng.js";
import { type Ratings, ratingsFromArray } from "../../../src/data/ratings.js";

/**
 * A block-structured implicit dataset: users and items in `groups` taste groups; a user interacts
 * with an item of its own group with probability `p` (count 1–5) and with another group's rarely.
 */
export function blocks(seed = 7, users = 60, items = 40, groups = 4, p = 0.5): Ratings {
  const rng = new Rng(seed);
  const rows: Array<{ user: string; item: string; value: number }> = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      const same = u % groups === i % groups;
      if (rng.next() < (same ? p : 0.02)) rows.push({ user: `u${u}`, item: `i${i}`, value: 1 + rng.int(5) });
    }
  }
  return ratingsFromArray(rows);
}
