/** Seeded synthetic ratings for the memory-path tests (an LCG, so the rows do not depend on the library's Rng). */
import { type Ratings, ratingsFromArray } from "../../src/data/ratings.js";

/**
 * Ratings of `users` × `items` at `density`, with `distinct` values 1, 1 + 1/distinct, … (many distinct values force
 * sgd's f32 value column); rows by user when `sorted` (default), else shuffled.
 */
export function seededRatings(seed: number, users: number, items: number, density: number, distinct: number, sorted = true): Ratings {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) if (rnd() < density) rows.push({ user: `u${u}`, item: `i${(i * 7) % items}`, rating: 1 + Math.floor(rnd() * distinct) / distinct });
  if (!sorted) {
    for (let t = rows.length - 1; t > 0; t--) {
      const j = Math.floor(rnd() * (t + 1));
      [rows[t], rows[j]] = [rows[j]!, rows[t]!];
    }
  }
  return ratingsFromArray(rows);
}
