import { MfrecError } from "../core/errors.js";
import { IdIndex } from "../data/id-index.js";
import type { ParseReport, Ratings } from "../data/ratings.js";

/**
 * What a split did, so nothing is lost silently: sizes of both parts and the test users/items
 * that never occur in the training part (a model trained on it cannot score them).
 */
export interface SplitReport {
  trainRatings: number;
  testRatings: number;
  /** Distinct test users with no training rating. */
  unseenTestUsers: number;
  /** Distinct test items with no training rating. */
  unseenTestItems: number;
  /** Test ratings whose user or item has no training rating. */
  unseenTestRatings: number;
}

/** A training part, a test part indexed like it, and the report. */
export interface Split {
  train: Ratings;
  test: Ratings;
  report: SplitReport;
}

/** Dense index in `from` → dense index in `to` by raw id, -1 when `to` does not know the id. O(size of `from`). */
export function mapIndex(from: IdIndex, to: IdIndex): Int32Array {
  const out = new Int32Array(from.size);
  if (from === to) {
    for (let i = 0; i < out.length; i++) out[i] = i;
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = to.indexOf(from.idAt(i));
  return out;
}

function report(file: string | undefined, n: number, format: string): ParseReport {
  return { file, format, rows: n, ratings: n, skipped: 0, skippedByReason: {}, examples: [], duplicates: 0, duplicatePolicy: "last" };
}

/**
 * The ratings at positions `rows` of `src`, in that order, as a new Ratings whose id indexes hold
 * only the ids that occur (first-appearance order), or extend the given `userIndex`/`itemIndex`.
 * The given indexes are mutated: pass clones. O(rows + index sizes).
 */
export function takeRows(src: Ratings, rows: ArrayLike<number>, userIndex: IdIndex = new IdIndex(), itemIndex: IdIndex = new IdIndex(), format = "subset"): Ratings {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const values = new Float32Array(n);
  const times = src.timestamps ? new Float64Array(n) : undefined;
  const uMap = new Int32Array(src.userIndex.size).fill(-1);
  const iMap = new Int32Array(src.itemIndex.size).fill(-1);
  for (let p = 0; p < n; p++) {
    const k = rows[p]!;
    if (!(k >= 0 && k < src.length)) throw new MfrecError("E_CONFIG", `row ${k} is out of range`, { value: k, expected: `0..${src.length - 1}` });
    const su = src.users[k]!;
    const si = src.items[k]!;
    let u = uMap[su]!;
    if (u < 0) u = uMap[su] = userIndex.add(src.userIndex.idAt(su));
    let i = iMap[si]!;
    if (i < 0) i = iMap[si] = itemIndex.add(src.itemIndex.idAt(si));
    users[p] = u;
    items[p] = i;
    values[p] = src.values[k]!;
    if (times) times[p] = src.timestamps![k]!;
  }
  return { length: n, users, items, values, timestamps: times, userIndex, itemIndex, report: report(src.report.file, n, format) };
}

/**
 * Re-index `test` like `train`: known ids get the training dense indices, unseen ids are appended
 * after them (index ≥ train's size). The training indexes are cloned, never mutated.
 */
export function alignTest(train: Ratings, test: Ratings): Ratings {
  if (test.userIndex === train.userIndex && test.itemIndex === train.itemIndex) return test;
  const rows = new Int32Array(test.length);
  for (let k = 0; k < rows.length; k++) rows[k] = k;
  const out = takeRows(test, rows, train.userIndex.clone(), train.itemIndex.clone(), test.report.format ?? "test");
  out.report.file = test.report.file;
  return out;
}

/** Count test users/items/ratings unseen in training (test aligned with {@link alignTest} or built by a split). */
export function splitReport(train: Ratings, test: Ratings): SplitReport {
  const uMap = mapIndex(test.userIndex, train.userIndex);
  const iMap = mapIndex(test.itemIndex, train.itemIndex);
  // A test index may hold ids with no test rating (a clone of the training index): count only those that occur.
  const uSeen = new Uint8Array(uMap.length);
  const iSeen = new Uint8Array(iMap.length);
  let unseenTestRatings = 0;
  let unseenTestUsers = 0;
  let unseenTestItems = 0;
  for (let k = 0; k < test.length; k++) {
    const u = test.users[k]!;
    const i = test.items[k]!;
    const uu = uMap[u]! < 0;
    const ui = iMap[i]! < 0;
    if (uu || ui) unseenTestRatings++;
    if (uu && uSeen[u] === 0) unseenTestUsers++;
    if (ui && iSeen[i] === 0) unseenTestItems++;
    uSeen[u] = 1;
    iSeen[i] = 1;
  }
  return { trainRatings: train.length, testRatings: test.length, unseenTestUsers, unseenTestItems, unseenTestRatings };
}

/** Build a {@link Split} from row positions of `src`: train gets its own indexes, test extends clones of them. */
export function splitByRows(src: Ratings, trainRows: ArrayLike<number>, testRows: ArrayLike<number>, format: string): Split {
  const train = takeRows(src, trainRows, new IdIndex(), new IdIndex(), `${format}-train`);
  const test = takeRows(src, testRows, train.userIndex.clone(), train.itemIndex.clone(), `${format}-test`);
  return { train, test, report: splitReport(train, test) };
}
