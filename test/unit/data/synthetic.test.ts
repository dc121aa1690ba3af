import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { generateRatingChunks, generateRatings, type SyntheticChunk, type SyntheticOptions, syntheticCatalogue } from "../../../src/data/synthetic.js";

function collect(o: SyntheticOptions): { users: number[]; items: number[]; values: number[]; chunks: SyntheticChunk[] } {
  const users: number[] = [];
  const items: number[] = [];
  const values: number[] = [];
  const chunks: SyntheticChunk[] = [];
  for (const c of generateRatingChunks(o)) {
    chunks.push(c);
    users.push(...c.users);
    items.push(...c.items);
    values.push(...c.values);
  }
  return { users, items, values, chunks };
}

const SMALL: SyntheticOptions = { users: 400, items: 300, ratings: 12_000, rank: 8, seed: 7 };

describe("synthetic ratings", () => {
  it("makes exactly the asked number of ratings, unique per user, sorted by (user, item), integer 1..5", () => {
    const { users, items, values } = collect(SMALL);
    assert.equal(users.length, SMALL.ratings);
    const seen = new Set<number>();
    for (let k = 0; k < users.length; k++) {
      const key = users[k]! * SMALL.items + items[k]!;
      assert.ok(!seen.has(key), `duplicate pair at row ${k}`);
      seen.add(key);
      if (k > 0) assert.ok(users[k - 1]! < users[k]! || (users[k - 1] === users[k] && items[k - 1]! < items[k]!), `rows out of order at ${k}`);
      assert.ok(Number.isInteger(values[k]) && values[k]! >= 1 && values[k]! <= 5, `rating ${values[k]} at row ${k}`);
      assert.ok(users[k]! >= 0 && users[k]! < SMALL.users && items[k]! >= 0 && items[k]! < SMALL.items);
    }
  });

  it("is deterministic per seed and independent of the chunk size", () => {
    const a = collect(SMALL);
    const b = collect({ ...SMALL, chunkSize: 500 });
    assert.ok(b.chunks.length > 5, "small chunks really were used");
    assert.deepEqual(a.users, b.users);
    assert.deepEqual(a.items, b.items);
    assert.deepEqual(a.values, b.values);
    const c = collect({ ...SMALL, seed: 8 });
    assert.notDeepEqual(a.items, c.items);
  });

  it("gives every user at least one rating and a long-tail item popularity not aligned with id order", () => {
    const o = { users: 2000, items: 1000, ratings: 60_000, seed: 3 };
    const { users, items } = collect(o);
    const act = new Int32Array(o.users);
    const pop = new Int32Array(o.items);
    for (let k = 0; k < users.length; k++) {
      act[users[k]!]!++;
      pop[items[k]!]!++;
    }
    assert.ok(act.every((n) => n >= 1), "every user rated something");
    const sorted = Array.from(pop).sort((x, y) => y - x);
    const top = sorted.slice(0, o.items / 10).reduce((s, n) => s + n, 0);
    assert.ok(top / users.length > 0.3, `top 10% of items hold ${top / users.length} of ratings`);
    // A uniform generator gives ~0.1; ids aligned with popularity would make the first tenth the most popular.
    const firstTenth = Array.from(pop.subarray(0, o.items / 10)).reduce((s, n) => s + n, 0);
    assert.ok(firstTenth / users.length < 0.25, `ids 0..99 hold ${firstTenth / users.length}: popularity follows id order`);
    const sortedAct = Array.from(act).sort((x, y) => y - x);
    assert.ok(sortedAct[0]! > 8 * sortedAct[o.users >> 1]!, "user activity is heavy-tailed");
  });

  it("rates within-cluster items higher: the taste clusters are in the data", () => {
    const o = { ...SMALL, ratings: 20_000, clusters: 6 };
    const cat = syntheticCatalogue(o);
    const { users, items, values } = collect(o);
    let inS = 0;
    let inN = 0;
    let outS = 0;
    let outN = 0;
    for (let k = 0; k < users.length; k++) {
      if (cat.userCluster[users[k]!] === cat.itemCluster[items[k]!]) {
        inS += values[k]!;
        inN++;
      } else {
        outS += values[k]!;
        outN++;
      }
    }
    assert.ok(inN > users.length * 0.3, "about half the ratings come from the favourite cluster");
    assert.ok(inS / inN - outS / outN > 0.5, `in-cluster mean ${inS / inN} vs out ${outS / outN}`);
    const mean = (inS + outS) / users.length;
    assert.ok(mean > 3 && mean < 4.3, `mean rating ${mean}`);
  });

  it("fills the whole matrix when asked for every pair", () => {
    const { users, items } = collect({ users: 12, items: 7, ratings: 84, seed: 1 });
    assert.equal(new Set(users.map((u, k) => u * 7 + items[k]!)).size, 84);
  });

  it("makes implicit counts >= 1 that grow with affinity", () => {
    const o = { ...SMALL, implicit: true };
    const cat = syntheticCatalogue(o);
    const { users, items, values } = collect(o);
    assert.ok(values.every((v) => Number.isInteger(v) && v >= 1));
    assert.ok(new Set(values).size > 5, "counts vary");
    const sums = [0, 0, 0, 0];
    users.forEach((u, k) => {
      const same = cat.userCluster[u] === cat.itemCluster[items[k]!] ? 0 : 2;
      sums[same] += values[k]!;
      sums[same + 1]++;
    });
    assert.ok(sums[0]! / sums[1]! > 1.3 * (sums[2]! / sums[3]!), `in-cluster mean count ${sums[0]! / sums[1]!} vs ${sums[2]! / sums[3]!}`);
  });

  it("returns Ratings indexed as reading the CSV would, with optional genre names", () => {
    const r = generateRatings(SMALL);
    const { users, items, values } = collect(SMALL);
    assert.equal(r.length, SMALL.ratings);
    for (const k of [0, 1, 500, r.length - 1]) {
      assert.equal(r.userIndex.idAt(r.users[k]!), String(users[k]));
      assert.equal(r.itemIndex.idAt(r.items[k]!), String(items[k]));
      assert.equal(r.values[k], values[k]);
    }
    assert.equal(r.userIndex.idAt(0), String(users[0]));
    const named = generateRatings({ ...SMALL, names: true });
    const cat = syntheticCatalogue(SMALL);
    assert.equal(named.itemIndex.idAt(named.items[0]!), cat.itemNames[items[0]!]);
    assert.match(cat.itemNames[0]!, /^[A-Za-z-]+ #\d+$/);
    assert.equal(new Set(cat.itemNames).size, SMALL.items, "names are unique");
  });

  it("rejects impossible or malformed options with E_CONFIG", () => {
    const bad: SyntheticOptions[] = [
      { users: 3, items: 3, ratings: 10 },
      { users: 0, items: 3, ratings: 1 },
      { users: 3, items: 3, ratings: 2.5 },
      { users: 3, items: 3, ratings: 2, noise: -1 },
      { users: 3, items: 3, ratings: 2, rank: 0 },
    ];
    for (const o of bad) assert.throws(() => generateRatingChunks(o).next(), (e) => isMfrecError(e, "E_CONFIG"), JSON.stringify(o));
  });
});
