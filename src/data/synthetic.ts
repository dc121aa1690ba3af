/**
 * Seeded synthetic ratings of a realistic shape, browser-safe (no node:*), streamed in columnar
 * chunks so 10M ratings never become one big array of objects.
 *
 * The model (the rank-16-plus-noise generator the peer benchmarks use, with taste clusters added):
 *  - user activity w_u ∝ (rank_u + 10)^-0.6 and item popularity w_i ∝ (rank_i + 5)^-0.9, where the
 *    ranks are random permutations of the ids (popularity is not aligned with id order);
 *  - each user rates exactly n_u distinct items, n_u ∝ w_u (at least 1 when ratings ≥ users, at most
 *    every item), Σ n_u = ratings exactly; items are drawn by popularity, half of them (on average)
 *    from the user's favourite cluster (what people rate follows their taste);
 *  - items belong to `clusters` taste clusters ("genres"); q_i = m_c + N(0, 0.6²/rank) and
 *    p_u = m_g + N(0, 0.6²/rank), with random unit-length cluster centroids m (so a user's affinity
 *    to their favourite cluster is ≈ 1 for every cluster, and ≈ 0 ± 1/√rank to the others);
 *  - a = b_u + b_i + 1.3·p_u·q_i + e with b_u ~ N(0, 0.3²), b_i ~ N(0, 0.4²), e ~ N(0, noise²);
 *    explicit: rating = round(clip(3 + a, 1, 5)); implicit: count = 1 + Poisson(1.5·exp(1.2·a)).
 * Every user's rows come from its own stream rngFor(seed, "synthetic-user", u), so the output does
 * not depend on the chunk size.
 */
import { MfrecError } from "../core/errors.js";
import { type Rng, rngFor } from "../core/rng.js";
import { IdIndex } from "./id-index.js";
import type { Ratings } from "./ratings.js";

/** What to generate. */
export interface SyntheticOptions {
  users: number;
  items: number;
  ratings: number;
  /** Rank of the hidden factor model (default 16). */
  rank?: number;
  /** Default 42. */
  seed?: number;
  /** Counts (≥ 1) instead of 1..5 ratings. */
  implicit?: boolean;
  /** Standard deviation of the rating noise e (default 0.5). */
  noise?: number;
  /** Number of taste clusters / genres (default 8). */
  clusters?: number;
  /** Ratings per chunk, approximately (whole users per chunk; default 65536). */
  chunkSize?: number;
}

/** One chunk of rows: rating k is (users[k], items[k]) → values[k], with 0-based generator ids. Rows are sorted by (user, item). */
export interface SyntheticChunk {
  length: number;
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

/** The hidden structure behind a generated catalogue: each item's cluster and display name. */
export interface SyntheticCatalogue {
  /** Cluster (genre) index of each item. */
  itemCluster: Int32Array;
  /** Favourite cluster of each user. */
  userCluster: Int32Array;
  /** Genre names, one per cluster. */
  genres: string[];
  /** "Sci-fi #12": the genre and the item's 1-based number within it. */
  itemNames: string[];
}

const GENRES = ["Sci-fi", "Drama", "Comedy", "Thriller", "Romance", "Documentary", "Animation", "Horror", "Western", "Musical", "Crime", "Fantasy"];

interface Resolved {
  users: number;
  items: number;
  ratings: number;
  rank: number;
  seed: number;
  implicit: boolean;
  noise: number;
  clusters: number;
  chunkSize: number;
}

function positiveInt(name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new MfrecError("E_CONFIG", `option ${name} must be an integer >= ${min}`, { column: name, value: v, expected: `an integer >= ${min}` });
  }
  return v;
}

function resolve(o: SyntheticOptions): Resolved {
  const users = positiveInt("users", o.users, 1);
  const items = positiveInt("items", o.items, 1);
  const ratings = positiveInt("ratings", o.ratings, 1);
  if (ratings > users * items) {
    throw new MfrecError("E_CONFIG", "more ratings than (user, item) pairs", { column: "ratings", value: ratings, expected: `at most users × items = ${users * items}` });
  }
  const noise = o.noise ?? 0.5;
  if (typeof noise !== "number" || !Number.isFinite(noise) || noise < 0) {
    throw new MfrecError("E_CONFIG", "option noise must be a number >= 0", { column: "noise", value: noise, expected: "a number >= 0" });
  }
  const seed = o.seed ?? 42;
  if (!Number.isInteger(seed)) throw new MfrecError("E_CONFIG", "option seed must be an integer", { column: "seed", value: seed, expected: "an integer" });
  return {
    users,
    items,
    ratings,
    rank: positiveInt("rank", o.rank ?? 16, 1),
    seed,
    implicit: o.implicit ?? false,
    noise,
    clusters: Math.min(positiveInt("clusters", o.clusters ?? 8, 1), items),
    chunkSize: positiveInt("chunkSize", o.chunkSize ?? 65536, 1),
  };
}

/** Zipf-like weights (rank + offset)^-exponent over a random permutation of the ids. */
function zipfWeights(n: number, offset: number, exponent: number, rng: Rng): Float64Array {
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = i;
  rng.shuffle(rank);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (rank[i]! + offset) ** -exponent;
  return w;
}

/**
 * Ratings per user: n_u = 1 + share of (R − U) ∝ w_u (when R ≥ U), capped at `items` by water-filling,
 * rounded by systematic rounding of the cumulative sum so Σ n_u = R exactly (a share above cap − 1 is
 * capped, so rounding up never passes the cap).
 */
function allocate(w: Float64Array, total: number, items: number): Int32Array {
  const n = w.length;
  const base = total >= n ? 1 : 0;
  const cap = items - base;
  let remaining = total - base * n;
  const capped = new Uint8Array(n);
  for (;;) {
    let W = 0;
    for (let u = 0; u < n; u++) if (!capped[u]) W += w[u]!;
    let any = false;
    for (let u = 0; u < n; u++) {
      if (!capped[u] && (remaining * w[u]!) / W > cap - 1) {
        capped[u] = 1;
        remaining -= cap;
        any = true;
      }
    }
    if (!any) {
      const out = new Int32Array(n);
      let cum = 0;
      let prev = 0;
      for (let u = 0; u < n; u++) {
        cum += capped[u] ? cap : W > 0 ? (remaining * w[u]!) / W : 0;
        const r = Math.min(Math.round(cum), total - base * n);
        out[u] = base + r - prev;
        prev = r;
      }
      return out;
    }
  }
}

/** Index of the first cdf entry > x in cdf[lo, hi) (cdf ascending). */
function search(cdf: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Poisson(λ): Knuth's product method for small λ, a rounded normal approximation above 30. */
function poisson(rng: Rng, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const L = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > L) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** The hidden world: parameters drawn once from the seed. */
class World {
  readonly o: Resolved;
  readonly perUser: Int32Array;
  readonly P: Float32Array;
  readonly Q: Float32Array;
  readonly bu: Float32Array;
  readonly bi: Float32Array;
  readonly itemCluster: Int32Array;
  readonly userCluster: Int32Array;
  /** Cumulative popularity over all items. */
  readonly cdf: Float64Array;
  /** Items grouped by cluster with a cumulative popularity per cluster segment. */
  readonly clusterItems: Int32Array;
  readonly clusterStart: Int32Array;
  readonly clusterCdf: Float64Array;
  readonly itemWeight: Float64Array;

  constructor(o: Resolved) {
    this.o = o;
    const { users, items, rank, clusters, seed } = o;
    const wu = zipfWeights(users, 10, 0.6, rngFor(seed, "synthetic-user-rank"));
    this.itemWeight = zipfWeights(items, 5, 0.9, rngFor(seed, "synthetic-item-rank"));
    this.perUser = allocate(wu, o.ratings, items);
    const cr = rngFor(seed, "synthetic-clusters");
    const centroids = new Float32Array(clusters * rank);
    cr.fillNormal(centroids, 0, 1);
    for (let c = 0; c < clusters; c++) {
      let norm = 0;
      for (let f = 0; f < rank; f++) norm += centroids[c * rank + f]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let f = 0; f < rank; f++) centroids[c * rank + f]! /= norm;
    }
    this.itemCluster = new Int32Array(items);
    for (let i = 0; i < items; i++) this.itemCluster[i] = i < clusters ? i : cr.int(clusters); // every cluster non-empty
    this.userCluster = new Int32Array(users);
    for (let u = 0; u < users; u++) this.userCluster[u] = cr.int(clusters);
    const spread = 0.6 / Math.sqrt(rank);
    const fr = rngFor(seed, "synthetic-factors");
    this.P = new Float32Array(users * rank);
    for (let u = 0; u < users; u++) {
      const c = this.userCluster[u]! * rank;
      for (let f = 0; f < rank; f++) this.P[u * rank + f] = centroids[c + f]! + spread * fr.normal();
    }
    this.Q = new Float32Array(items * rank);
    for (let i = 0; i < items; i++) {
      const c = this.itemCluster[i]! * rank;
      for (let f = 0; f < rank; f++) this.Q[i * rank + f] = centroids[c + f]! + spread * fr.normal();
    }
    const br = rngFor(seed, "synthetic-biases");
    this.bu = new Float32Array(users);
    br.fillNormal(this.bu, 0, 0.3);
    this.bi = new Float32Array(items);
    br.fillNormal(this.bi, 0, 0.4);
    this.cdf = new Float64Array(items);
    let s = 0;
    for (let i = 0; i < items; i++) this.cdf[i] = s += this.itemWeight[i]!;
    this.clusterStart = new Int32Array(clusters + 1);
    for (let i = 0; i < items; i++) this.clusterStart[this.itemCluster[i]! + 1]!++;
    for (let c = 0; c < clusters; c++) this.clusterStart[c + 1]! += this.clusterStart[c]!;
    const next = this.clusterStart.slice(0, clusters);
    this.clusterItems = new Int32Array(items);
    for (let i = 0; i < items; i++) this.clusterItems[next[this.itemCluster[i]!]!++] = i;
    this.clusterCdf = new Float64Array(items);
    for (let c = 0; c < clusters; c++) {
      let t = 0;
      for (let p = this.clusterStart[c]!; p < this.clusterStart[c + 1]!; p++) this.clusterCdf[p] = t += this.itemWeight[this.clusterItems[p]!]!;
    }
  }

  /** Fill out[0, n) with n distinct items for user u, drawn by popularity (half from the favourite cluster). */
  sampleItems(u: number, n: number, rng: Rng, out: Int32Array, stamp: Int32Array, scratch: { keys: Float64Array; order: Int32Array }): void {
    const items = this.o.items;
    if (n * 3 > items) {
      // Heavy user: weighted sampling without replacement (Efraimidis–Spirakis keys), O(items log items).
      const { keys, order } = scratch;
      for (let i = 0; i < items; i++) {
        keys[i] = Math.log(1 - rng.next()) / this.itemWeight[i]!;
        order[i] = i;
      }
      order.sort((a, b) => keys[b]! - keys[a]! || a - b);
      out.set(order.subarray(0, n));
      return;
    }
    const c = this.userCluster[u]!;
    const lo = this.clusterStart[c]!;
    const hi = this.clusterStart[c + 1]!;
    const cTotal = this.clusterCdf[hi - 1]!;
    const total = this.cdf[items - 1]!;
    let got = 0;
    while (got < n) {
      let i: number;
      if (rng.next() < 0.5) i = this.clusterItems[Math.min(search(this.clusterCdf, lo, hi, rng.next() * cTotal), hi - 1)]!;
      else i = Math.min(search(this.cdf, 0, items, rng.next() * total), items - 1);
      if (stamp[i] === u) continue;
      stamp[i] = u;
      out[got++] = i;
    }
  }

  /** The value of (u, i): an explicit rating 1..5 or an implicit count ≥ 1. */
  value(u: number, i: number, rng: Rng): number {
    const k = this.o.rank;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += this.P[u * k + f]! * this.Q[i * k + f]!;
    const z = this.bu[u]! + this.bi[i]! + 1.3 * dot + this.o.noise * rng.normal();
    if (this.o.implicit) return 1 + Math.min(poisson(rng, 1.5 * Math.exp(1.2 * z)), 999);
    const r = Math.round(3 + z);
    return Math.max(1, Math.min(5, r));
  }
}

/**
 * Generate the ratings chunk by chunk (whole users per chunk, rows sorted by (user, item)).
 * Each chunk owns fresh arrays, so keeping one is safe.
 */
export function* generateRatingChunks(options: SyntheticOptions): Generator<SyntheticChunk, void, undefined> {
  const o = resolve(options);
  const world = new World(o);
  let maxPerUser = 0;
  for (let u = 0; u < o.users; u++) maxPerUser = Math.max(maxPerUser, world.perUser[u]!);
  const cap = Math.max(o.chunkSize, maxPerUser);
  const stamp = new Int32Array(o.items).fill(-1);
  const picked = new Int32Array(maxPerUser);
  const scratch = maxPerUser * 3 > o.items ? { keys: new Float64Array(o.items), order: new Int32Array(o.items) } : { keys: new Float64Array(0), order: new Int32Array(0) };
  let users = new Int32Array(cap);
  let items = new Int32Array(cap);
  let values = new Float32Array(cap);
  let n = 0;
  for (let u = 0; u < o.users; u++) {
    const m = world.perUser[u]!;
    if (m === 0) continue;
    if (n + m > cap) {
      yield { length: n, users: users.slice(0, n), items: items.slice(0, n), values: values.slice(0, n) };
      users = new Int32Array(cap);
      items = new Int32Array(cap);
      values = new Float32Array(cap);
      n = 0;
    }
    const rng = rngFor(o.seed, "synthetic-user", u);
    const mine = picked.subarray(0, m);
    world.sampleItems(u, m, rng, mine, stamp, scratch);
    mine.sort();
    for (let p = 0; p < m; p++) {
      const i = mine[p]!;
      users[n] = u;
      items[n] = i;
      values[n] = world.value(u, i, rng);
      n++;
    }
  }
  if (n > 0) yield { length: n, users: users.slice(0, n), items: items.slice(0, n), values: values.slice(0, n) };
}

/** Genres, item clusters and display names ("Sci-fi #12") of the catalogue a seed generates. */
export function syntheticCatalogue(options: SyntheticOptions): SyntheticCatalogue {
  const o = resolve(options);
  const world = new World(o);
  const genres = Array.from({ length: o.clusters }, (_, c) => GENRES[c] ?? `Genre ${c + 1}`);
  const seen = new Int32Array(o.clusters);
  const itemNames = Array.from(world.itemCluster, (c) => `${genres[c]} #${++seen[c]!}`);
  return { itemCluster: world.itemCluster, userCluster: world.userCluster, genres, itemNames };
}

/**
 * Small sizes: the generated ratings as {@link Ratings}, ids "0", "1", … (or the item names with
 * `names: true`), indexed in order of first appearance exactly as reading the generated CSV would.
 */
export function generateRatings(options: SyntheticOptions & { names?: boolean }): Ratings {
  const names = options.names ? syntheticCatalogue(options).itemNames : undefined;
  const userIndex = new IdIndex();
  const itemIndex = new IdIndex();
  const parts: SyntheticChunk[] = [];
  let total = 0;
  for (const chunk of generateRatingChunks(options)) {
    parts.push(chunk);
    total += chunk.length;
  }
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  const values = new Float32Array(total);
  let k = 0;
  for (const c of parts) {
    for (let p = 0; p < c.length; p++, k++) {
      users[k] = userIndex.add(String(c.users[p]!));
      const i = c.items[p]!;
      items[k] = itemIndex.add(names ? names[i]! : String(i));
    }
    values.set(c.values, k - c.length);
  }
  return {
    length: total,
    users,
    items,
    values,
    userIndex,
    itemIndex,
    report: { file: "synthetic", format: "synthetic", rows: total, ratings: total, skipped: 0, skippedByReason: {}, examples: [], duplicates: 0, duplicatePolicy: "last" },
  };
}
