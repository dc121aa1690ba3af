import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { balancedRowShards, type KernelPool, kernelScratchBytes, rowShards } from "../../../src/parallel/pool.js";
import { createNodePool } from "../../../src/parallel/pool-node.js";
import { planSgdBlocks, runSgdEpoch, sgdEpochSchedule } from "../../../src/parallel/sgd-blocks.js";
import { randomFloats, randomProblem } from "../kernels/wasm-fixtures.js";
import { kernelCall } from "../../../src/kernels/kernel-calls.js";

const pools: KernelPool[] = [];
after(async () => {
  for (const p of pools) await p.close();
});

function poolOf(threads: number, k: number): KernelPool {
  const arena = KernelArena.create(8 << 20, { shared: threads > 1 });
  const pool = threads === 1 ? new InlinePool(arena, kernelScratchBytes(k)) : createNodePool(arena, { threads, scratchBytes: kernelScratchBytes(k) });
  pools.push(pool);
  return pool;
}

/** Train a few SGD epochs with the block schedule on a pool; return the factors. */
function sgdRun(threads: number, grid: number): Float32Array[] {
  const k = 12;
  const pr = randomProblem(3, 120, 70, 2500);
  const pool = poolOf(threads, k);
  const a = pool.arena;
  const plan = planSgdBlocks(a, pr.users, pr.items, pr.values, pr.users.length, pr.nUsers, pr.nItems, grid);
  const p = {
    P: a.copyF32(randomFloats(1, pr.nUsers * k)),
    Q: a.copyF32(randomFloats(2, pr.nItems * k)),
    userBias: a.f32(pr.nUsers),
    itemBias: a.f32(pr.nItems),
    factors: k,
    globalMean: 3,
    learningRate: 0.01,
    regularization: 0.05,
    biasRegularization: 0.02,
    useBias: true,
  };
  const losses: number[] = [];
  for (let e = 0; e < 4; e++) losses.push(runSgdEpoch(pool, plan, p, 42, e));
  assert.ok(losses[3]! < losses[0]!, `SGD loss should fall: ${losses}`);
  return [p.P.slice(), p.Q.slice(), p.userBias.slice(), p.itemBias.slice(), Float32Array.from(losses)];
}

describe("kernel pools: fixed shards give the same bits for any thread count", () => {
  it("the SGD block schedule covers every rating once per epoch, diagonals conflict-free", () => {
    const pr = randomProblem(9, 60, 40, 800);
    const arena = KernelArena.create(1 << 20);
    const plan = planSgdBlocks(arena, pr.users, pr.items, pr.values, pr.users.length, pr.nUsers, pr.nItems, 5);
    const seen = new Set<number>();
    for (const shards of sgdEpochSchedule(plan, 7, 3)) {
      const us = new Set<number>();
      const is = new Set<number>();
      for (let s = 0; s < shards.length; s += 2) {
        const blockUsers = new Set<number>();
        const blockItems = new Set<number>();
        for (let t = shards[s]!; t < shards[s + 1]!; t++) {
          assert.ok(!seen.has(t), `position ${t} twice`);
          seen.add(t);
          blockUsers.add(plan.users[t]!);
          blockItems.add(plan.items[t]!);
        }
        for (const u of blockUsers) assert.ok(!us.has(u), "two blocks of one diagonal share a user");
        for (const i of blockItems) assert.ok(!is.has(i), "two blocks of one diagonal share an item");
        for (const u of blockUsers) us.add(u);
        for (const i of blockItems) is.add(i);
      }
    }
    assert.equal(seen.size, pr.users.length);
    // the regrouped ratings are the input ratings
    const key = (u: number, i: number, v: number) => `${u},${i},${v}`;
    const want = new Set(Array.from(pr.users, (u, t) => key(u, pr.items[t]!, pr.values[t]!)));
    for (let t = 0; t < plan.users.length; t++) assert.ok(want.has(key(plan.users[t]!, plan.items[t]!, plan.values[t]!)));
  });

  it("SGD epochs: 2 and 3 threads equal 1 thread bitwise", () => {
    const one = sgdRun(1, 6);
    for (const threads of [2, 3]) {
      const many = sgdRun(threads, 6);
      for (let a = 0; a < one.length; a++) assert.deepEqual(many[a], one[a], `threads=${threads}, array ${a}`);
    }
  });

  it("ALS (Cholesky) and iALS (CG) half-sweeps and scoring: 2 threads equal inline bitwise", () => {
    const k = 8;
    const pr = randomProblem(4, 150, 60, 2000);
    const run = (threads: number): Float32Array[] => {
      const pool = poolOf(threads, k);
      const a = pool.arena;
      const m = pr.byUser;
      const ip = a.copyI32(m.indptr);
      const ix = a.copyI32(m.indices);
      const iv = a.copyF32(m.values);
      const X = a.copyF32(randomFloats(5, pr.nUsers * k));
      const Y = a.copyF32(randomFloats(6, pr.nItems * k, 0.5));
      const bx = a.f32(pr.nUsers);
      const by = a.copyF32(randomFloats(7, pr.nItems));
      const shards = balancedRowShards(m.indptr, pr.nUsers, 13);
      pool.run({ ...kernelCall.alsCholeskyRange({ indptr: ip, indices: ix, values: iv, table: null, X, Y, bx, by, k, mu: 3, reg: 0.1, regBias: 0.1, scaleByCount: 1, useBias: 1 }), shards });
      const chol = X.slice();
      const G = a.f32(k * k);
      pool.run({ ...kernelCall.gramRange({ Y, k, G }), shards: Int32Array.of(0, pr.nItems) });
      pool.run({ ...kernelCall.cgRange({ indptr: ip, indices: ix, extra: iv, target: null, table: null, X, Y, G, k, w0: 1, lambda: 0.1, nu: 0, nCols: pr.nItems, steps: 3, lossOut: null }), shards });
      const out = a.f32(pr.nUsers * pr.nItems);
      pool.run({ ...kernelCall.scoreRange({ U: X, V: Y, k, nItems: pr.nItems, mu: 0, userBias: null, itemBias: null, out, first: 0 }), shards: rowShards(pr.nUsers, 10) });
      return [chol, bx.slice(), X.slice(), out.slice()];
    };
    const one = run(1);
    const two = run(2);
    for (let a = 0; a < one.length; a++) assert.deepEqual(two[a], one[a], `array ${a}`);
  });

  it("balancedRowShards covers [0, rows) contiguously, independent of threads", () => {
    const pr = randomProblem(8, 90, 30, 700);
    const s = balancedRowShards(pr.byUser.indptr, 90, 7);
    assert.equal(s[0], 0);
    assert.equal(s[s.length - 1], 90);
    for (let i = 2; i < s.length; i += 2) assert.equal(s[i], s[i - 1]);
    assert.deepEqual(rowShards(10, 4), Int32Array.of(0, 4, 4, 8, 8, 10));
  });

  it("a worker pool refuses a non-shared arena; threads must be a positive integer", () => {
    const arena = KernelArena.create(1 << 16);
    assert.throws(() => createNodePool(arena, { threads: 2, scratchBytes: 64 }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => createNodePool(arena, { threads: 0, scratchBytes: 64 }), (e) => isMfrecError(e, "E_CONFIG"));
  });

  it("runAsync gives the same result as run", async () => {
    const pool = poolOf(2, 4);
    const a = pool.arena;
    const U = a.copyF32(randomFloats(1, 9 * 4, 1));
    const out1 = a.f32(81);
    const out2 = a.f32(81);
    pool.run({ ...kernelCall.scoreRange({ U, V: U, k: 4, nItems: 9, mu: 0, userBias: null, itemBias: null, out: out1, first: 0 }), shards: rowShards(9, 2) });
    await pool.runAsync({ ...kernelCall.scoreRange({ U, V: U, k: 4, nItems: 9, mu: 0, userBias: null, itemBias: null, out: out2, first: 0 }), shards: rowShards(9, 2) });
    assert.deepEqual(out2, out1);
  });
});
