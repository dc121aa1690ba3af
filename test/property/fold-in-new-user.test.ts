/**
 * Property: a brand-new user folded in from 3 liked items of one taste group ranks the group's other
 * items above the other groups' items, for any seed of a block-structured dataset and any 3 items.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Rng } from "../../src/core/rng.js";
import { ratingsFromArray } from "../../src/data/ratings.js";
import { foldInUser } from "../../src/train/fold-in.js";
import { fitSync } from "../../src/train/fit.js";

const GROUPS = 3;
const USERS = 45;
const ITEMS = 30;

function blocks(seed: number) {
  const rng = new Rng(seed);
  const rows: Array<{ user: string; item: string; value: number }> = [];
  for (let u = 0; u < USERS; u++) {
    for (let i = 0; i < ITEMS; i++) {
      if (rng.next() < (u % GROUPS === i % GROUPS ? 0.5 : 0.03)) rows.push({ user: `u${u}`, item: `i${i}`, value: 1 + rng.int(4) });
    }
  }
  return ratingsFromArray(rows);
}

for (const algorithm of ["ials", "wals"] as const) {
  test(`${algorithm}: a folded-in user's own group outranks random other items`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: GROUPS - 1 }), fc.uniqueArray(fc.integer({ min: 0, max: ITEMS / GROUPS - 1 }), { minLength: 3, maxLength: 3 }), (seed, group, picks) => {
        const data = blocks(seed);
        const model = fitSync(data, { algorithm, factors: 6, epochs: 8, seed, ...(algorithm === "ials" ? { alpha: 2, regularization: 0.1 } : { unobservedWeight: 0.2 }) });
        const liked = picks.map((p) => `i${p * GROUPS + group}`).filter((id) => model.itemIndex.has(id));
        fc.pre(liked.length === 3);
        const x = foldInUser(model, liked.map((item) => ({ item })));
        const k = model.factors;
        const score = (id: string): number => {
          const i = model.itemIndex.indexOf(id);
          let s = 0;
          for (let f = 0; f < k; f++) s += x[f]! * model.itemFactors.data[i * k + f]!;
          return s;
        };
        const same: number[] = [];
        const other: number[] = [];
        for (let i = 0; i < ITEMS; i++) {
          const id = `i${i}`;
          if (!model.itemIndex.has(id) || liked.includes(id)) continue;
          (i % GROUPS === group ? same : other).push(score(id));
        }
        const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
        // Most similar items rank above a random other-group item, and on average clearly above.
        let wins = 0;
        for (const s of same) for (const o of other) if (s > o) wins++;
        assert.ok(wins / (same.length * other.length) > 0.9, `AUC ${wins / (same.length * other.length)}`);
        assert.ok(mean(same) > mean(other));
      }),
      { numRuns: 15, seed: 20240601 },
    );
  });
}
