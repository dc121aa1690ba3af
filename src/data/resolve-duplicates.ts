import { MfrecError } from "../core/errors.js";
import type { IdIndex } from "./id-index.js";

/** What to do when the same (user, item) pair occurs more than once. */
export type DuplicatePolicy = "last" | "mean" | "error";

/** The builder's columns as {@link markDuplicates} reads them (entries [0, n)). */
export interface DuplicateScan {
  n: number;
  users: Int32Array;
  items: Int32Array;
  /** Updated in place under "mean": the kept (latest) entry of a pair gets the mean of its group. */
  values: Float32Array;
  /** 1-based source line of entry k, for E_DUPLICATE. */
  lineAt: (k: number) => number;
  userIndex: IdIndex;
  itemIndex: IdIndex;
  policy: DuplicatePolicy;
  source?: string;
}

/** Which entries a later duplicate replaced (`dropped[k] === 1`; undefined when none did) and how many. */
export interface DuplicateMarks {
  dropped: Uint8Array | undefined;
  count: number;
}

/** Whether some (user, item) pair repeats: items bucketed by user (`start` = bucket offsets), then a stamp per item. Needs ni <= 65536. */
function hasDuplicate(users: Int32Array, items: Int32Array, n: number, start: Int32Array, ni: number): boolean {
  const nu = start.length - 1;
  const next = start.slice(0, nu);
  const byUser = new Uint16Array(n);
  for (let k = 0; k < n; k++) byUser[next[users[k]!]!++] = items[k]!;
  const stamp = new Int32Array(ni).fill(-1);
  for (let u = 0; u < nu; u++) {
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const i = byUser[p]!;
      if (stamp[i] === u) return true;
      stamp[i] = u;
    }
  }
  return false;
}

/**
 * Mark repeated (user, item) pairs per the policy in O(nnz): visit entries grouped by user (a stable
 * counting sort, skipped when users[] is already non-decreasing, as in user-sorted files) and detect
 * a repeated item within the group with a stamp array.
 * "last": the later entry wins and keeps its position; "mean": the later entry's value becomes the
 * running mean (v_prev·c + v) / (c + 1); "error": E_DUPLICATE at the first repeat, naming both lines.
 * Scratch: 2 int32 per item; when the users are not grouped, n uint16 for a first duplicate-free check
 * (up to 65536 items) and, only if that finds one, n int32; n bytes at the first duplicate.
 */
export function markDuplicates(s: DuplicateScan): DuplicateMarks {
  const { n, users, items, values } = s;
  const ni = s.itemIndex.size;
  let grouped = true;
  for (let k = 1; k < n; k++) {
    if (users[k]! < users[k - 1]!) {
      grouped = false;
      break;
    }
  }
  let order: Int32Array | undefined;
  if (!grouped) {
    const nu = s.userIndex.size;
    const start = new Int32Array(nu + 1);
    for (let k = 0; k < n; k++) start[users[k]! + 1]!++;
    for (let u = 0; u < nu; u++) start[u + 1]! += start[u]!;
    // Most inputs have no duplicates: a check over 16-bit item ids needs half the scratch of `order`.
    if (ni <= 0x10000 && !hasDuplicate(users, items, n, start, ni)) return { dropped: undefined, count: 0 };
    const next = start.subarray(0, nu);
    order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[next[users[k]!]!++] = k;
  }
  const lastPos = new Int32Array(ni); // position k of the current user's latest entry for item i
  const stamp = new Int32Array(ni).fill(-1);
  const counts = s.policy === "mean" ? new Map<number, number>() : undefined;
  let dropped: Uint8Array | undefined;
  let count = 0;
  for (let p = 0; p < n; p++) {
    const k = order ? order[p]! : p;
    const u = users[k]!;
    const i = items[k]!;
    if (stamp[i] === u) {
      const prev = lastPos[i]!;
      if (s.policy === "error") {
        throw new MfrecError("E_DUPLICATE", `duplicate rating for user ${JSON.stringify(s.userIndex.idAt(u))} and item ${JSON.stringify(s.itemIndex.idAt(i))} (first at line ${s.lineAt(prev)})`, {
          file: s.source,
          line: s.lineAt(k),
          expected: 'each (user, item) pair once, or duplicates: "last" | "mean"',
        });
      }
      if (counts) {
        const c = counts.get(prev) ?? 1;
        values[k] = (values[prev]! * c + values[k]!) / (c + 1);
        counts.delete(prev);
        counts.set(k, c + 1);
      }
      dropped ??= new Uint8Array(n);
      dropped[prev] = 1;
      count++;
    }
    stamp[i] = u;
    lastPos[i] = k;
  }
  return { dropped, count };
}
