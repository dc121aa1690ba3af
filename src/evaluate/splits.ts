import { MfrecError } from "../core/errors.js";
import { rngFor } from "../core/rng.js";
import type { Ratings } from "../data/ratings.js";
import { type Split, splitByRows } from "./subset.js";

/**
 * Seeded train/test splits. Every split partitions the input rows: each rating lands in exactly
 * one part (tests check this), rows keep their input order inside each part, and the same seed
 * gives byte-identical parts. Randomness comes from rngFor(seed, purpose, shard).
 */

function fraction(name: string, v: number): number {
  if (!(typeof v === "number" && v > 0 && v < 1)) {
    throw new MfrecError("E_CONFIG", `option ${name} must lie strictly between 0 and 1`, { column: name, value: v, expected: "a number in (0, 1)" });
  }
  return v;
}

function positiveInt(name: string, v: number, min = 1): number {
  if (!(Number.isInteger(v) && v >= min)) {
    throw new MfrecError("E_CONFIG", `option ${name} must be an integer >= ${min}`, { column: name, value: v, expected: `an integer >= ${min}` });
  }
  return v;
}

/** Rows marked 1 in `isTest` go to test, the rest to train, both in input order. */
function byMask(r: Ratings, isTest: Uint8Array, format: string): Split {
  let nt = 0;
  for (let k = 0; k < r.length; k++) nt += isTest[k]!;
  const trainRows = new Int32Array(r.length - nt);
  const testRows = new Int32Array(nt);
  let a = 0;
  let b = 0;
  for (let k = 0; k < r.length; k++) {
    if (isTest[k]) testRows[b++] = k;
    else trainRows[a++] = k;
  }
  return splitByRows(r, trainRows, testRows, format);
}

/** Positions of each user's ratings, grouped: rows of user u are order[start[u] .. start[u+1]) in input order. */
export function groupByUser(r: Ratings): { start: Int32Array; order: Int32Array } {
  const nu = r.userIndex.size;
  const start = new Int32Array(nu + 1);
  for (let k = 0; k < r.length; k++) start[r.users[k]! + 1]!++;
  for (let u = 0; u < nu; u++) start[u + 1]! += start[u]!;
  const next = start.slice(0, nu);
  const order = new Int32Array(r.length);
  for (let k = 0; k < r.length; k++) order[next[r.users[k]!]!++] = k;
  return { start, order };
}

/** Random holdout: exactly round(testFraction · n) ratings, chosen uniformly (Fisher–Yates), go to test. */
export function randomSplit(r: Ratings, opts: { testFraction: number; seed?: number }): Split {
  const f = fraction("testFraction", opts.testFraction);
  const perm = new Int32Array(r.length);
  for (let k = 0; k < perm.length; k++) perm[k] = k;
  rngFor(opts.seed ?? 0, "split-random").shuffle(perm);
  const nt = Math.round(f * r.length);
  const isTest = new Uint8Array(r.length);
  for (let p = 0; p < nt; p++) isTest[perm[p]!] = 1;
  return byMask(r, isTest, "random");
}

/** Options of {@link userSplit}: a fraction or a count per user, never both. */
export interface UserSplitOptions {
  /** Hold out round(testFraction · n_u) of each user's ratings (at least 1, at most n_u − 1). */
  testFraction?: number;
  /** Hold out exactly testCount of each user's ratings (users with n_u − testCount < 1 keep all in train). */
  testCount?: number;
  /** Users with fewer ratings than this keep all of them in train (default 2, so every test user is known). */
  minHistory?: number;
  seed?: number;
}

/**
 * Per-user holdout: each user with n_u ≥ minHistory gives t_u of their ratings, chosen at random
 * with the stream rngFor(seed, "split-user", u), to test, keeping at least one in train. Users
 * below the guard are kept whole in train.
 */
export function userSplit(r: Ratings, opts: UserSplitOptions): Split & { guardedUsers: number } {
  if ((opts.testFraction === undefined) === (opts.testCount === undefined)) {
    throw new MfrecError("E_CONFIG", "give exactly one of testFraction and testCount", { value: opts, expected: "{ testFraction } or { testCount }" });
  }
  const f = opts.testFraction === undefined ? undefined : fraction("testFraction", opts.testFraction);
  const c = opts.testCount === undefined ? undefined : positiveInt("testCount", opts.testCount);
  const minHistory = positiveInt("minHistory", opts.minHistory ?? 2);
  const seed = opts.seed ?? 0;
  const { start, order } = groupByUser(r);
  const isTest = new Uint8Array(r.length);
  let guardedUsers = 0;
  let rows = new Int32Array(16);
  for (let u = 0; u < r.userIndex.size; u++) {
    const n = start[u + 1]! - start[u]!;
    if (n === 0) continue;
    const t = c !== undefined ? c : Math.min(n - 1, Math.max(1, Math.round(f! * n)));
    if (n < minHistory || n - t < 1) {
      guardedUsers++;
      continue;
    }
    if (rows.length < n) rows = new Int32Array(n * 2);
    const view = rows.subarray(0, n);
    view.set(order.subarray(start[u]!, start[u + 1]!));
    rngFor(seed, "split-user", u).shuffle(view);
    for (let p = 0; p < t; p++) isTest[view[p]!] = 1;
  }
  return { ...byMask(r, isTest, "user"), guardedUsers };
}

/** Options of {@link temporalSplit}: a global cut-off time or each user's last n ratings. */
export type TemporalSplitOptions = { cutoff: number } | { lastN: number; minHistory?: number };

/**
 * Temporal split (needs timestamps). `cutoff`: ratings with timestamp ≥ cutoff go to test.
 * `lastN`: each user's n most recent ratings go to test (ties in time broken by input order, later
 * row = more recent), users with fewer than max(minHistory, lastN + 1) ratings stay whole in train.
 */
export function temporalSplit(r: Ratings, opts: TemporalSplitOptions): Split {
  const ts = r.timestamps;
  if (!ts) throw new MfrecError("E_CONFIG", "a temporal split needs timestamps, and these ratings have none", { file: r.report.file, expected: "ratings read with a timestamp column" });
  const isTest = new Uint8Array(r.length);
  if ("cutoff" in opts) {
    if (!Number.isFinite(opts.cutoff)) throw new MfrecError("E_CONFIG", "option cutoff must be a finite time", { column: "cutoff", value: opts.cutoff, expected: "a finite number" });
    for (let k = 0; k < r.length; k++) if (ts[k]! >= opts.cutoff) isTest[k] = 1;
    return byMask(r, isTest, "temporal");
  }
  const n = positiveInt("lastN", opts.lastN);
  const minHistory = Math.max(positiveInt("minHistory", opts.minHistory ?? 1), n + 1);
  const { start, order } = groupByUser(r);
  for (let u = 0; u < r.userIndex.size; u++) {
    const s = start[u]!;
    const e = start[u + 1]!;
    if (e - s < minHistory) continue;
    const rows = Array.from(order.subarray(s, e));
    rows.sort((a, b) => ts[a]! - ts[b]! || a - b);
    for (let p = rows.length - n; p < rows.length; p++) isTest[rows[p]!] = 1;
  }
  return byMask(r, isTest, "temporal");
}

/**
 * K folds stratified by user: each user's ratings are shuffled (rngFor(seed, "kfold", u)) and dealt
 * round-robin to folds starting at a random fold, so every user's ratings spread as evenly as
 * possible (fold sizes per user differ by at most 1) and each rating is in exactly one test fold.
 * Fold f's train part is every other fold.
 */
export function kFoldSplit(r: Ratings, opts: { folds: number; seed?: number }): Split[] {
  const k = positiveInt("folds", opts.folds, 2);
  const seed = opts.seed ?? 0;
  const { start, order } = groupByUser(r);
  const fold = new Uint8Array(r.length);
  if (k > 255) throw new MfrecError("E_CONFIG", "option folds is too large", { column: "folds", value: k, expected: "an integer in 2..255" });
  for (let u = 0; u < r.userIndex.size; u++) {
    const n = start[u + 1]! - start[u]!;
    if (n === 0) continue;
    const rng = rngFor(seed, "kfold", u);
    const rows = order.slice(start[u]!, start[u + 1]!);
    rng.shuffle(rows);
    const offset = rng.int(k);
    for (let p = 0; p < n; p++) fold[rows[p]!] = (offset + p) % k;
  }
  const out: Split[] = [];
  const isTest = new Uint8Array(r.length);
  for (let f = 0; f < k; f++) {
    for (let q = 0; q < r.length; q++) isTest[q] = fold[q] === f ? 1 : 0;
    out.push(byMask(r, isTest, `fold${f + 1}`));
  }
  return out;
}
