import { ratingsFromArray, type Ratings } from "../../../src/data/ratings.js";

/** A small seeded low-rank rating set: 30 users × 20 items, ~40% observed, ratings 1..5. */
export function smallRatings(seed = 1): Ratings {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  const pu = Array.from({ length: 30 }, () => [rnd() * 2 - 1, rnd() * 2 - 1]);
  const qi = Array.from({ length: 20 }, () => [rnd() * 2 - 1, rnd() * 2 - 1]);
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 20; i++) {
      if (rnd() > 0.4) continue;
      const r = 3 + pu[u]![0]! * qi[i]![0]! * 2 + pu[u]![1]! * qi[i]![1]! * 2 + (rnd() - 0.5);
      rows.push({ user: `u${u}`, item: `i${i}`, rating: Math.min(5, Math.max(1, Math.round(r))) });
    }
  }
  return ratingsFromArray(rows);
}

/** The bytes of a Float32Array (for byte-identity checks). */
export function bytes(a: Float32Array | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}
