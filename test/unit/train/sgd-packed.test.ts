import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { kernelScratchBytes } from "../../../src/parallel/pool.js";
import { createNodePool } from "../../../src/parallel/pool-node.js";
import { planSgdBlocks, runSgdEpoch, type SgdPacking, type SgdParams } from "../../../src/parallel/sgd-blocks.js";

/** Seeded ratings: users × items at the given density, values 1…5. */
function ratings(seed: number, users: number, items: number, density: number) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) if (rnd() < density) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + Math.floor(rnd() * 5) });
  return ratingsFromArray(rows);
}

/** Train 3 epochs on a fresh shared arena with the given layout and threads; return P, Q, biases and losses. */
function train(pack: SgdPacking, threads: number, grid: number, seed: number) {
  const r = ratings(seed, 170, 90, 0.2);
  const n = r.length;
  const nu = r.userIndex.size;
  const ni = r.itemIndex.size;
  const k = 12;
  const arena = KernelArena.create(4 << 20, { shared: true });
  const pool = threads === 1 ? new InlinePool(arena, kernelScratchBytes(k)) : createNodePool(arena, { threads, scratchBytes: kernelScratchBytes(k) });
  const P = arena.f32(nu * k);
  const Q = arena.f32(ni * k);
  for (let t = 0; t < P.length; t++) P[t] = Math.sin(t) * 0.1;
  for (let t = 0; t < Q.length; t++) Q[t] = Math.cos(t) * 0.1;
  const p: SgdParams = { P, Q, userBias: arena.f32(nu), itemBias: arena.f32(ni), factors: k, globalMean: 3, learningRate: 0.02, regularization: 0.05, biasRegularization: 0.02, useBias: true };
  const plan = planSgdBlocks(arena, r.users, r.items, r.values, n, nu, ni, grid, pack);
  assert.equal(plan.packed !== undefined, pack !== "none");
  if (plan.packed) assert.equal(plan.packed.valueBits, pack === "offsets+values" ? bitsOfTable(plan.packed.table.length) : pack === "offsets+byte-values" ? -2 : -1, "value layout");
  const losses: number[] = [];
  for (let e = 0; e < 3; e++) losses.push(runSgdEpoch(pool, plan, p, 9, e));
  void pool.close();
  return { bytes: Buffer.concat([P, Q, p.userBias, p.itemBias].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))), losses, plan };
}

/** Bits for indices 0 … n − 1. */
function bitsOfTable(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

/** The block holding entry t. */
function blockOf(blockStart: Int32Array, t: number): number {
  let b = 0;
  while (blockStart[b + 1]! <= t) b++;
  return b;
}

describe("sgd packed blocks (8 and 4 bytes per rating)", () => {
  for (const grid of [1, 4, 7]) {
    it(`grid ${grid}: 8-byte and 4-byte layouts give the same bytes and losses as the 12-byte one, on 1 and 2 threads`, () => {
      const plain = train("none", 1, grid, 3);
      for (const pack of ["offsets", "offsets+values", "offsets+byte-values"] as const) {
        const packed = train(pack, 1, grid, 3);
        const packed2 = train(pack, 2, grid, 3);
        assert.ok(plain.bytes.equals(packed.bytes), `${pack} vs plain`);
        assert.ok(plain.bytes.equals(packed2.bytes), `${pack}, 2 threads vs plain`);
        assert.deepEqual(packed.losses, plain.losses);
      }
      assert.ok(plain.losses[2]! < plain.losses[0]!, "it trains");
    });
  }

  it("codes decode to the plain plan's (user, item) pairs", () => {
    const { plan: plain } = train("none", 1, 5, 4);
    const { plan: packed } = train("offsets", 1, 5, 4);
    const pk = packed.packed!;
    const g = 5;
    for (let blk = 0; blk < g * g; blk++) {
      const ub = pk.userStart[Math.floor(blk / g)]!;
      const ib = pk.itemStart[blk % g]!;
      for (let t = packed.blockStart[blk]!; t < packed.blockStart[blk + 1]!; t++) {
        const c = pk.codes[t]! >>> 0;
        assert.equal(ub + (c >>> pk.itemBits), plain.users[t]);
        assert.equal(ib + (pk.itemBits === 0 ? 0 : c & (0xffffffff >>> (32 - pk.itemBits))), plain.items[t]);
        assert.equal(packed.values[t], plain.values[t]);
      }
    }
    const { plan: four } = train("offsets+values", 1, 5, 4);
    const pk4 = four.packed!;
    assert.equal(four.values.length, 0);
    assert.deepEqual([...pk4.table].sort(), [1, 2, 3, 4, 5]);
    assert.equal(pk4.valueBits, 3);
    for (let t = 0; t < plain.values.length; t++) {
      const c = pk4.codes[t]! >>> 0;
      assert.equal(pk4.table[c & 7], plain.values[t]);
      assert.equal((c >>> 3) & (0xffffffff >>> (32 - pk4.itemBits)), plain.items[t]! - pk4.itemStart[blockOf(four.blockStart, t) % 5]!);
    }
    const { plan: five } = train("offsets+byte-values", 1, 5, 4);
    const pk5 = five.packed!;
    assert.equal(pk5.valueIndex.length, plain.values.length);
    for (let t = 0; t < plain.values.length; t++) assert.equal(pk5.table[pk5.valueIndex[t]!], plain.values[t]);
  });
});
