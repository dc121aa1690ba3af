/**
 * recommendAll on the WebAssembly SIMD path against the TS reference path and an exact f64 full sort.
 *
 * Contract checked: every WASM list is a valid top-n of the exact scores up to float rounding — the
 * t-th item's exact score is within TOL·scale of the t-th best exact score, its reported score within
 * TOL·scale of the exact one, history excluded — and where the exact scores have no near tie
 * (two candidates within 2·TOL·scale) in the top n + 1 the lists equal the TS lists item for item.
 * scale(u) = 1 + |μ| + |b_u| + max_i(|b_i| + Σ_f |p_uf q_if|): the magnitude of what the kernel sums.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { rngFor } from "../../../src/core/rng.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { wasmSimdSupported, wasmThreadsSupported } from "../../../src/kernels/wasm.js";
import { buildCsr } from "../../../src/matrix/csr.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { recommendAll, recommendAllAsync, recommendAllPlan, type UserRecommendations } from "../../../src/recommend/recommend-all.js";

/** Relative tolerance of the WASM path's f32 sums (for k ≤ 256). */
const TOL = 1e-5;

interface ModelSpec {
  users: number;
  items: number;
  k: number;
  biases: boolean;
  seed: number;
  /** History rows (default: users); fewer rows leave the last users without history. */
  historyRows?: number;
  /** Copy item 0's factors and bias onto these items (exact ties). */
  duplicatesOf0?: number[];
  ratingScale?: [number, number];
}

function randomModel(s: ModelSpec): FactorModel {
  const r = rngFor(s.seed, "recommend-all-wasm-test");
  const P = Float32Array.from({ length: s.users * s.k }, () => r.normal() * 0.5);
  const Q = Float32Array.from({ length: s.items * s.k }, () => r.normal() * 0.5);
  const bi = s.biases ? Float32Array.from({ length: s.items }, () => r.normal() * 0.3) : undefined;
  for (const j of s.duplicatesOf0 ?? []) {
    Q.copyWithin(j * s.k, 0, s.k);
    if (bi) bi[j] = bi[0]!;
  }
  const hr = s.historyRows ?? s.users;
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < hr; u++) {
    const c = r.int(4) === 0 ? 0 : r.int(Math.min(40, s.items));
    const seen = new Set<number>();
    for (let t = 0; t < c; t++) seen.add(r.int(s.items));
    for (const i of [...seen].sort((a, b) => a - b)) {
      us.push(u);
      is.push(i);
    }
  }
  return new FactorModel({
    config: { algorithm: "given", factors: s.k },
    userFactors: { rows: s.users, cols: s.k, data: P },
    itemFactors: { rows: s.items, cols: s.k, data: Q },
    userIndex: IdIndex.from(Array.from({ length: s.users }, (_, u) => `u${u}`)),
    itemIndex: IdIndex.from(Array.from({ length: s.items }, (_, i) => `i${i}`)),
    globalMean: s.biases ? 3.5 : 0,
    userBias: s.biases ? Float32Array.from({ length: s.users }, () => r.normal() * 0.3) : undefined,
    itemBias: bi,
    history: buildCsr(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), hr, s.items),
    ratingScale: s.ratingScale,
  });
}

function historyOf(m: FactorModel, u: number): Set<number> {
  const h = m.history!;
  const out = new Set<number>();
  if (u < h.rows) for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) out.add(h.indices[p]!);
  return out;
}

function scaleOf(m: FactorModel, u: number): number {
  const k = m.factors;
  let best = 0;
  for (let i = 0; i < m.numItems; i++) {
    let a = m.itemBias ? Math.abs(m.itemBias[i]!) : 0;
    for (let f = 0; f < k; f++) a += Math.abs(m.userFactors.data[u * k + f]! * m.itemFactors.data[i * k + f]!);
    if (a > best) best = a;
  }
  return 1 + Math.abs(m.globalMean) + (m.userBias ? Math.abs(m.userBias[u]!) : 0) + best;
}

/** Check one WASM list against the exact scores and the TS list; returns true when a near tie allowed a difference. */
function checkList(m: FactorModel, w: UserRecommendations, ts: UserRecommendations, n: number, exclude: boolean): boolean {
  assert.equal(w.user, ts.user);
  const u = m.userIndex.indexOf(w.user);
  const hist = exclude ? historyOf(m, u) : new Set<number>();
  const cand: Array<{ i: number; s: number }> = [];
  for (let i = 0; i < m.numItems; i++) if (!hist.has(i)) cand.push({ i, s: m.scoreIndex(u, i) });
  cand.sort((a, b) => b.s - a.s || a.i - b.i);
  const want = Math.min(n, cand.length);
  assert.equal(w.items.length, want, `${w.user}: list length`);
  assert.equal(w.scores.length, want);
  const tol = TOL * scaleOf(m, u);
  const seen = new Set<string>();
  for (let t = 0; t < want; t++) {
    const i = m.itemIndex.indexOf(w.items[t]!);
    assert.ok(i >= 0 && !hist.has(i), `${w.user}: item ${w.items[t]} is in the history`);
    assert.ok(!seen.has(w.items[t]!), `${w.user}: ${w.items[t]} twice`);
    seen.add(w.items[t]!);
    const exact = m.scoreIndex(u, i);
    assert.ok(Math.abs(exact - cand[t]!.s) <= tol, `${w.user} rank ${t}: ${w.items[t]} scores ${exact}, the ${t}-th best is ${cand[t]!.s}`);
    assert.ok(Math.abs(w.scores[t]! - m.clip(exact)) <= tol, `${w.user} rank ${t}: reported ${w.scores[t]} vs exact ${exact}`);
  }
  let nearTie = false;
  for (let t = 0; t + 1 < Math.min(n + 1, cand.length); t++) if (cand[t]!.s - cand[t + 1]!.s <= 2 * tol && cand[t]!.i !== cand[t + 1]!.i) nearTie = true;
  if (!nearTie) assert.deepEqual(w.items, ts.items, `${w.user}: no near tie, yet the lists differ`);
  return nearTie;
}

const noSimd = !wasmSimdSupported() && "no WebAssembly SIMD";
const noThreads = !wasmThreadsSupported() && "no shared WebAssembly memory";

describe("recommendAll on WASM SIMD vs the TS reference", { skip: noSimd }, () => {
  for (const spec of [
    { users: 150, items: 2500, k: 16, biases: true, seed: 1, ratingScale: [1, 5] as [number, number] },
    { users: 90, items: 700, k: 7, biases: false, seed: 2 },
    { users: 60, items: 300, k: 64, biases: true, seed: 3, historyRows: 50 },
    { users: 40, items: 129, k: 1, biases: true, seed: 4 },
    { users: 30, items: 50, k: 5, biases: false, seed: 5, duplicatesOf0: [7, 20, 33] },
  ] satisfies ModelSpec[]) {
    test(`lists are a top-n of the exact scores to ${TOL}·scale and equal TS's away from near ties (${JSON.stringify(spec)})`, () => {
      const m = randomModel(spec);
      for (const [n, exclude, batchSize] of [
        [10, true, 64],
        [3, false, 7],
        [spec.items + 5, true, 1000],
      ] as const) {
        const w = [...recommendAll(m, { n, excludeRated: exclude, batchSize, kernels: "wasm" })];
        const ts = [...recommendAll(m, { n, excludeRated: exclude, batchSize, kernels: "ts" })];
        assert.equal(w.length, m.numUsers);
        let ties = 0;
        for (let b = 0; b < w.length; b++) if (checkList(m, w[b]!, ts[b]!, n, exclude)) ties++;
        // Random continuous scores rarely come that close at the top: most short lists must have been compared item for item.
        if (n <= 10 && !spec.duplicatesOf0) assert.ok(ties <= w.length / 10, `${ties} of ${w.length} lists had near ties`);
      }
    });
  }

  test("exact ties (duplicated items) rank the lower index first, as in recommend()", () => {
    const m = randomModel({ users: 20, items: 60, k: 4, biases: false, seed: 9, duplicatesOf0: [10, 30, 59] });
    for (const r of recommendAll(m, { n: 60, excludeRated: false, kernels: "wasm" })) {
      const pos = ["i0", "i10", "i30", "i59"].map((id) => r.items.indexOf(id));
      assert.deepEqual(pos, [...pos].sort((a, b) => a - b), `${r.user}: ${pos}`);
      assert.equal(pos[3]! - pos[0]!, 3, `${r.user}: the four copies are adjacent`);
    }
  });

  test("users order is respected (duplicates too), unknown ids throw E_UNKNOWN_USER, n = 0 gives empty lists", () => {
    const m = randomModel({ users: 50, items: 300, k: 8, biases: true, seed: 6 });
    const ids = ["u42", "u3", "u17", "u3", "u0"];
    const w = [...recommendAll(m, { users: ids, n: 5, batchSize: 2, kernels: "wasm" })];
    assert.deepEqual(w.map((r) => r.user), ids);
    const all = [...recommendAll(m, { n: 5, kernels: "wasm" })];
    for (const r of w) assert.deepEqual(r, all[m.userIndex.indexOf(r.user)]);
    assert.throws(() => [...recommendAll(m, { users: ["u1", "nobody"], kernels: "wasm" })], (e) => isMfrecError(e, "E_UNKNOWN_USER"));
    assert.deepEqual([...recommendAll(m, { users: ["u1"], n: 0, kernels: "wasm" })], [{ user: "u1", items: [], scores: [] }]);
    assert.deepEqual([...recommendAll(m, { users: [], kernels: "wasm" })], []);
  });

  test("threads 1 and 2 and every block size give bitwise identical lists; async equals sync", { skip: noThreads }, async () => {
    const m = randomModel({ users: 300, items: 2100, k: 24, biases: true, seed: 7 });
    const one = [...recommendAll(m, { n: 12, kernels: "wasm", threads: 1, pool: nodePoolFactory })];
    const two = [...recommendAll(m, { n: 12, kernels: "wasm", threads: 2, pool: nodePoolFactory, batchSize: 100 })];
    const odd = [...recommendAll(m, { n: 12, kernels: "wasm", threads: 2, pool: nodePoolFactory, batchSize: 1 })];
    assert.deepEqual(two, one);
    assert.deepEqual(odd, one);
    const asyncTwo: UserRecommendations[] = [];
    for await (const r of recommendAllAsync(m, { n: 12, kernels: "wasm", threads: 2, pool: nodePoolFactory })) asyncTwo.push(r);
    assert.deepEqual(asyncTwo, one);
    assert.deepEqual(recommendAllPlan(m, { kernels: "wasm", threads: 2, pool: nodePoolFactory }), { kernels: "wasm", threads: 2 });
  });

  test("stopping early frees the pool; the next run works", () => {
    const m = randomModel({ users: 100, items: 2100, k: 8, biases: false, seed: 8 });
    let seen = 0;
    for (const _ of recommendAll(m, { n: 3, kernels: "wasm", threads: 2, pool: nodePoolFactory, batchSize: 16 })) if (++seen === 5) break;
    assert.equal(seen, 5);
    assert.equal([...recommendAll(m, { n: 3, kernels: "wasm", threads: 2, pool: nodePoolFactory })].length, 100);
  });
});

describe("recommendAll kernel choice", () => {
  test("auto takes WASM for catalogues of 2048+ items (where SIMD exists) and TS below; ts equals recommend() exactly", () => {
    const big = randomModel({ users: 10, items: 2048, k: 4, biases: true, seed: 10 });
    const small = randomModel({ users: 10, items: 2047, k: 4, biases: true, seed: 10 });
    assert.equal(recommendAllPlan(big).kernels, wasmSimdSupported() ? "wasm" : "ts");
    assert.equal(recommendAllPlan(small).kernels, "ts");
    assert.deepEqual(recommendAllPlan(big, { kernels: "ts", threads: 4 }), { kernels: "ts", threads: 1 });
    // small work with threads 0 (auto) stays on one thread
    if (wasmSimdSupported()) assert.equal(recommendAllPlan(big, { threads: 0, pool: nodePoolFactory }).threads, 1);
    for (const r of recommendAll(big, { n: 4, kernels: "ts" })) {
      const one = recommend(big, r.user, { n: 4 });
      assert.deepEqual(r.items, one.map((x) => x.item));
      assert.deepEqual(r.scores, one.map((x) => x.score));
    }
  });

  test("bad kernels or threads are E_CONFIG; the errors come at the first step", () => {
    const m = randomModel({ users: 5, items: 20, k: 2, biases: false, seed: 11 });
    assert.throws(() => recommendAllPlan(m, { kernels: "gpu" as "ts" }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => [...recommendAll(m, { threads: -1 })], (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => [...recommendAll(m, { threads: 1.5, kernels: "ts" })], (e) => isMfrecError(e, "E_CONFIG"));
  });
});
