/** Small random problems for the WASM kernel tests (seeded, so failures reproduce). */
import { Rng } from "../../../src/core/rng.js";
import { buildCsr, type CsrMatrix, transpose } from "../../../src/matrix/csr.js";

export interface Problem {
  users: Int32Array;
  items: Int32Array;
  values: Float32Array;
  nUsers: number;
  nItems: number;
  byUser: CsrMatrix;
  byItem: CsrMatrix;
}

/** `n` distinct (user, item) pairs with ratings 1..5; user 0 and item 0 may end up empty on purpose. */
export function randomProblem(seed: number, nUsers: number, nItems: number, n: number): Problem {
  const rng = new Rng(seed);
  const seen = new Set<number>();
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const values = new Float32Array(n);
  let t = 0;
  while (t < n) {
    const u = 1 + rng.int(nUsers - 1);
    const i = 1 + rng.int(nItems - 1);
    if (seen.has(u * nItems + i)) continue;
    seen.add(u * nItems + i);
    users[t] = u;
    items[t] = i;
    values[t] = 1 + rng.int(5);
    t++;
  }
  const byUser = buildCsr(users, items, values, nUsers, nItems);
  return { users, items, values, nUsers, nItems, byUser, byItem: transpose(byUser) };
}

/** N(0, std²) values. */
export function randomFloats(seed: number, n: number, std = 0.1): Float32Array {
  const a = new Float32Array(n);
  new Rng(seed).fillNormal(a, 0, std);
  return a;
}

/** max |a − b| / (1 + |b|) over all elements. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return m;
}
