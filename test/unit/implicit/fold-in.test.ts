import assert from "node:assert/strict";
import { test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { foldInItem, foldInUser } from "../../../src/train/fold-in.js";
import { partialFit, withUser } from "../../../src/train/partial-fit.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { fitSync } from "../../../src/train/fit.js";
import { blocks } from "./blocks.js";

const data = blocks();

function historyOf(m: FactorModel, u: number): Array<{ item: string; value: number }> {
  const h = m.history!;
  const out: Array<{ item: string; value: number }> = [];
  for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) out.push({ item: m.itemIndex.idAt(h.indices[p]!), value: h.values[p]! });
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let f = 0; f < a.length; f++) {
    d = Math.max(d, Math.abs(a[f]! - b[f]!));
    n = Math.max(n, Math.abs(b[f]!));
  }
  return d / Math.max(n, 1e-12);
}

const cases: Array<[string, { algorithm: string } & Record<string, string | number>, number]> = [
  ["ials cholesky", { algorithm: "ials", solver: "cholesky", alpha: 2, regularization: 0.1 }, 1e-4],
  ["ials cg (3 steps)", { algorithm: "ials", alpha: 2, regularization: 0.1, epochs: 25 }, 0.02],
  ["ials log confidence, Rendle regularization", { algorithm: "ials", solver: "cholesky", confidence: "log", unobservedWeight: 0.3, regularization: 0.01, regularizationExponent: 1 }, 1e-4],
  ["wals", { algorithm: "wals", unobservedWeight: 0.2 }, 1e-4],
  ["wals observedWeight value", { algorithm: "wals", unobservedWeight: 0.5, observedWeight: "value" }, 1e-4],
];

for (const [name, config, tol] of cases) {
  test(`fold-in of a training user from their own history reproduces the trained row: ${name}`, () => {
    const m = fitSync(data, { factors: 6, epochs: 15, seed: 3, ...config });
    for (const u of [0, 5, 17, 42]) {
      const row = foldInUser(m, historyOf(m, u));
      const trained = m.userFactors.data.subarray(u * 6, u * 6 + 6);
      assert.ok(maxRelDiff(row, trained) < tol, `user ${u}: ${Array.from(row)} vs ${Array.from(trained)}`);
    }
  });
}

test("explicit als fold-in is close to the trained row after convergence", () => {
  const m = fitSync(data, { algorithm: "als", factors: 4, epochs: 40, seed: 3 });
  for (const u of [1, 9]) {
    const row = foldInUser(m, historyOf(m, u));
    assert.ok(maxRelDiff(row, m.userFactors.data.subarray(u * 4, u * 4 + 4)) < 0.05);
  }
});

test("foldInItem reproduces the item rows of a Cholesky-trained model closely", () => {
  const m = fitSync(data, { algorithm: "wals", factors: 5, epochs: 30, seed: 3 });
  const h = m.history!;
  const i = 3;
  const users: Array<{ item: string; value: number }> = [];
  for (let u = 0; u < h.rows; u++) for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) if (h.indices[p] === i) users.push({ item: m.userIndex.idAt(u), value: h.values[p]! });
  const row = foldInItem(m, users);
  assert.ok(maxRelDiff(row, m.itemFactors.data.subarray(i * 5, i * 5 + 5)) < 0.01);
});

test("unknown items throw E_UNKNOWN_ITEM unless skipped; an empty history gives a zero row", () => {
  const m = fitSync(data, { algorithm: "ials", factors: 4, epochs: 3 });
  assert.throws(() => foldInUser(m, [{ item: "nope" }]), (e) => isMfrecError(e, "E_UNKNOWN_ITEM"));
  const row = foldInUser(m, [{ item: "nope" }, { item: "i1" }], { unknown: "skip" });
  assert.deepEqual(row, foldInUser(m, new Map([["i1", 1]])));
  assert.deepEqual(Array.from(foldInUser(m, [])), [0, 0, 0, 0]);
  assert.throws(() => foldInUser(m, [{ item: "i1", value: Number.NaN }]), (e) => isMfrecError(e, "E_NOT_FINITE"));
});

test("bpr fold-in is deterministic and ranks the user's group above others", () => {
  const m = fitSync(data, { algorithm: "bpr", factors: 8, epochs: 30, seed: 5 });
  const liked = ["i0", "i4", "i8"];
  const a = foldInUser(m, liked.map((item) => ({ item })));
  assert.deepEqual(a, foldInUser(m, liked.map((item) => ({ item }))));
  const score = (i: number): number => {
    let s = m.itemBias![i]!;
    for (let f = 0; f < 8; f++) s += a[f]! * m.itemFactors.data[i * 8 + f]!;
    return s;
  };
  let same = 0;
  let other = 0;
  for (let i = 0; i < 40; i++) {
    if (liked.includes(`i${i}`)) continue;
    const j = m.itemIndex.indexOf(`i${i}`);
    if (i % 4 === 0) same += score(j) / 7;
    else other += score(j) / 30;
  }
  assert.ok(same > other, `${same} > ${other}`);
});

test("withUser adds a new user (and refreshes an existing one) without changing the input model", () => {
  const m = fitSync(data, { algorithm: "ials", factors: 4, epochs: 5, solver: "cholesky" });
  const added = withUser(m, "new", [{ item: "i1" }, { item: "i5", value: 3 }]);
  assert.equal(added.numUsers, m.numUsers + 1);
  assert.equal(m.userIndex.indexOf("new"), -1);
  const u = added.userIndex.indexOf("new");
  assert.deepEqual(added.userFactors.data.subarray(u * 4, u * 4 + 4), foldInUser(m, [{ item: "i1" }, { item: "i5", value: 3 }]));
  assert.deepEqual(added.userFactors.data.subarray(0, u * 4), m.userFactors.data);
  const h = added.history!;
  assert.deepEqual(Array.from(h.indices.subarray(h.indptr[u]!, h.indptr[u + 1]!)).map((i) => added.itemIndex.idAt(i)), ["i1", "i5"]);
  const refreshed = withUser(added, "u0", [{ item: "i2" }]);
  assert.equal(refreshed.numUsers, added.numUsers);
  assert.equal(refreshed.history!.indptr[1]! - refreshed.history!.indptr[0]!, 1);
});

test("partialFit adds new users and items, keeps untouched rows, and learns the new item's group", () => {
  const m = fitSync(data, { algorithm: "ials", factors: 6, epochs: 10, solver: "cholesky", alpha: 2, regularization: 0.1 });
  // A new item liked by many group-0 users, and a new user of group 1.
  const rows: Array<{ user: string; item: string; value: number }> = [];
  for (let u = 0; u < 60; u += 4) rows.push({ user: `u${u}`, item: "fresh", value: 3 });
  rows.push({ user: "newbie", item: "i1", value: 2 }, { user: "newbie", item: "i5", value: 2 }, { user: "newbie", item: "i9", value: 2 });
  const p = partialFit(m, ratingsFromArray(rows), { epochs: 2 });
  assert.equal(p.numItems, m.numItems + 1);
  assert.equal(p.numUsers, m.numUsers + 1);
  const u1 = m.userIndex.indexOf("u1");
  assert.deepEqual(p.userFactors.data.subarray(u1 * 6, u1 * 6 + 6), m.userFactors.data.subarray(u1 * 6, u1 * 6 + 6));
  const fresh = p.itemIndex.indexOf("fresh");
  const u4 = p.userIndex.indexOf("u4");
  const u5 = p.userIndex.indexOf("u5");
  assert.ok(p.scoreIndex(u4, fresh) > p.scoreIndex(u5, fresh) + 0.1, `${p.scoreIndex(u4, fresh)} vs ${p.scoreIndex(u5, fresh)}`);
  const nb = p.userIndex.indexOf("newbie");
  assert.ok(p.scoreIndex(nb, p.itemIndex.indexOf("i13")) > p.scoreIndex(nb, p.itemIndex.indexOf("i12")));
  assert.ok(p.history!.indptr[p.numUsers] === m.history!.indptr[m.numUsers]! + rows.length);
});
