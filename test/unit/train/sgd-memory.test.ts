import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Ratings } from "../../../src/data/ratings.js";
import { openArena, reserve } from "../../../src/kernels/arena-plan.js";
import { buildCsr, type CsrMatrix } from "../../../src/matrix/csr.js";
import { heapAllocator, planHistory, planSgdBlocks, type SgdPacking, sgdPlanShapes, sgdPlanTemporary } from "../../../src/parallel/sgd-blocks.js";
import { fit } from "../../../src/train/fit.js";
import { seededRatings as seeded } from "../../helpers/seeded-ratings.js";

/** Each row as "item:value" strings, sorted: a CSR's content whatever the order inside a row. */
function rowsOf(m: CsrMatrix): string[][] {
  const out: string[][] = [];
  for (let r = 0; r < m.rows; r++) {
    const row: string[] = [];
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) row.push(`${m.indices[p]}:${m.values[p]}`);
    out.push(row.sort());
  }
  return out;
}

describe("sgdPlanSizes: the arena bytes the SGD block plan takes, decided before it is built", () => {
  const packings: SgdPacking[] = ["none", "offsets", "offsets+values", "offsets+byte-values"];
  for (const distinct of [1, 5, 200, 4000]) {
    for (const grid of [1, 3, 8]) {
      it(`${distinct} distinct values, grid ${grid}: an arena of exactly those bytes holds the plan, and the plan uses them all`, () => {
        const r = seeded(distinct * 3 + grid, 61, 47, 0.25, distinct);
        const nu = r.userIndex.size;
        const ni = r.itemIndex.size;
        for (const pack of packings) {
          const reserved = reserve(...sgdPlanShapes(r.users, r.items, r.values, r.length, nu, ni, grid, pack));
          const bytes = reserved.bytes;
          const { arena } = openArena([reserved]);
          const plan = planSgdBlocks(arena, r.users, r.items, r.values, r.length, nu, ni, grid, pack);
          // the temporary table is given back: what stays is the plan, the rest fits below the reservation
          assert.ok(arena.used <= bytes, `${pack}: ${arena.used} bytes used, ${bytes} reserved`);
          const tempBytes = reserve(sgdPlanTemporary(nu, grid)).bytes;
          const slack = bytes - tempBytes - arena.used;
          assert.ok(slack >= 0 && slack < 64, `${pack}: the reservation is the plan plus its temporary table (slack ${slack} B, the last array's alignment)`);
          const perRating = (bytes - tempBytes) / r.length;
          if (pack === "none") assert.ok(perRating >= 12);
          if (pack === "offsets+values" && distinct <= 5) assert.ok(perRating < 4.5, `${perRating} B/rating when offsets and value index share a u32`);
          assert.equal(plan.blockStart[grid * grid], r.length);
        }
      });
    }
  }
});

describe("planHistory: the model's history decoded from the SGD block plan", () => {
  const packings: SgdPacking[] = ["none", "offsets", "offsets+values", "offsets+byte-values"];
  for (const distinct of [1, 5, 200, 4000]) {
    for (const grid of [1, 3, 8]) {
      it(`${distinct} distinct values, grid ${grid}: every packing gives the ratings' user × item matrix, rows in block order`, () => {
        const r = seeded(distinct + grid, 61, 47, 0.25, distinct);
        const nu = r.userIndex.size;
        const ni = r.itemIndex.size;
        const want = buildCsr(r.users, r.items, r.values, nu, ni, r.length);
        for (const pack of packings) {
          const plan = planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, nu, ni, grid, pack);
          const h = planHistory(plan, nu, ni);
          assert.deepEqual(h.indptr, want.indptr, `${pack}: row lengths`);
          assert.deepEqual(rowsOf(h), rowsOf(want), `${pack}: row contents`);
          // inside a row, items come item block by item block (the block order the plan stores)
          const none = planHistory(planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, nu, ni, grid, "none"), nu, ni);
          assert.deepEqual(h.indices, none.indices, `${pack}: same order as the unpacked plan`);
        }
      });
    }
  }
});

describe("sgd keeps no reference to the ratings while it trains", () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;

  for (const kernels of ["wasm", "ts"] as const) {
    it(`${kernels} kernels: once the caller drops its Ratings, their columns are collected during the epochs; the model still has the history`, async () => {
      const input: { ratings?: Ratings } = { ratings: seeded(3, 80, 60, 0.3, 5) };
      const users = new WeakRef(input.ratings!.users);
      const values = new WeakRef(input.ratings!.values);
      const want = rowsOf(buildCsr(input.ratings!.users, input.ratings!.items, input.ratings!.values, 80, 60));
      const alive: boolean[] = [];
      const training = fit(input.ratings!, { algorithm: "sgd", factors: 4, epochs: 3, seed: 5, threads: 1 }, {
        kernels,
        onEpoch: () => {
          gc();
          alive.push(users.deref() !== undefined || values.deref() !== undefined);
        },
      });
      input.ratings = undefined;
      const model = await training;
      assert.deepEqual(alive.slice(1), [false, false], "collected after the first epoch");
      assert.deepEqual(rowsOf(model.history!), want);
      assert.equal(model.provenance?.ratings, want.flat().length);
    });
  }

  it("a caller that keeps its Ratings keeps them usable (fit never empties them)", async () => {
    const r = seeded(4, 30, 20, 0.4, 5);
    const copy = r.values.slice();
    await fit(r, { algorithm: "sgd", factors: 3, epochs: 2 });
    assert.deepEqual(r.values, copy);
  });
});

describe("zeroCopy: the model keeps the fit's own arrays", () => {
  for (const kernels of ["wasm", "ts"] as const) {
    it(`${kernels} kernels: same factors, biases and history as the copying finish; snapshots for validate stay copies`, async () => {
      const r = seeded(6, 90, 70, 0.3, 5);
      const cfg = { algorithm: "sgd", factors: 5, epochs: 3, seed: 8, threads: 2, ranking: "none" };
      const copied = await fit(r, cfg, { kernels });
      const snapshots: Float32Array[] = [];
      const own = await fit(r, cfg, {
        kernels,
        zeroCopy: true,
        validate: (m) => {
          snapshots.push(m.userFactors.data);
          return {};
        },
      });
      assert.deepEqual(own.userFactors.data, copied.userFactors.data);
      assert.deepEqual(own.itemFactors.data, copied.itemFactors.data);
      assert.deepEqual(own.userBias, copied.userBias);
      assert.deepEqual(own.itemBias, copied.itemBias);
      assert.deepEqual(own.history, copied.history);
      // a snapshot taken after epoch 1 is a copy: later epochs did not change it
      assert.notDeepEqual(snapshots[0], own.userFactors.data);
      assert.ok(!(copied.history!.indices.buffer instanceof SharedArrayBuffer), "without zeroCopy the history is an ordinary array");
      if (kernels === "wasm") {
        assert.ok(own.userFactors.data.buffer instanceof SharedArrayBuffer, "2 threads: the arena's shared memory");
        // without validate snapshots (which build the history on the heap once), it is decoded into the memory reserved for it
        const direct = await fit(r, cfg, { kernels, zeroCopy: true });
        assert.ok(direct.history!.indices.buffer instanceof SharedArrayBuffer);
        assert.deepEqual(direct.history, copied.history);
        // with a ranking part to train after it, the rating part takes copies (its kernel memory is freed first); the
        // history is the ranking part's zero-copy one (its kernel memory), the same CSR, the rating model's copy gone
        const rcfg = { ...cfg, ranking: "ials", rankingFactors: 4, rankingEpochs: 1 };
        const ranked = await fit(r, rcfg, { kernels, zeroCopy: true });
        assert.ok(!(ranked.userFactors.data.buffer instanceof SharedArrayBuffer));
        assert.ok(ranked.history!.indices.buffer instanceof SharedArrayBuffer);
        assert.equal(ranked.ranking!.history, ranked.history);
        assert.deepEqual(ranked.userFactors.data, copied.userFactors.data);
        assert.deepEqual(ranked.history, (await fit(r, rcfg, { kernels })).history);
      }
    });
  }
});
