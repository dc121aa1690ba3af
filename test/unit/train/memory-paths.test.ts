/**
 * The memory-reduction paths of issue 19 give the same model bytes as the paths they replace, for fixed seeds:
 * sgd's plan from the users' CSR row pointer (sorted input), its in-place history decode, the ALS family's
 * history from kernel memory and its byte value index, the deferred layout build, and the CLI's fmtInt.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fmtInt } from "../../../src/cli/output.js";
import { wasmSimdSupported } from "../../../src/kernels/wasm.js";
import { buildCsr } from "../../../src/matrix/csr.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { codeTableOf, entryCoding } from "../../../src/parallel/column-segments.js";
import { byteValueIndex, heapAllocator, planHistory, planHistoryInPlace, planSgdBlocks, type SgdPacking } from "../../../src/parallel/sgd-blocks.js";
import { fit, fitSync } from "../../../src/train/fit.js";
import { seededRatings as seeded } from "../../helpers/seeded-ratings.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const bytes = (a: ArrayBufferView | undefined): number[] => (a ? Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) : []);

/** Every array of two models (and their ranking parts) equal byte for byte, ids and mean too. */
function assertSameModel(a: FactorModel, b: FactorModel, what: string): void {
  assert.deepEqual(bytes(a.userFactors.data), bytes(b.userFactors.data), `${what}: user factors`);
  assert.deepEqual(bytes(a.itemFactors.data), bytes(b.itemFactors.data), `${what}: item factors`);
  assert.deepEqual(bytes(a.userBias), bytes(b.userBias), `${what}: user biases`);
  assert.deepEqual(bytes(a.itemBias), bytes(b.itemBias), `${what}: item biases`);
  assert.equal(a.globalMean, b.globalMean, `${what}: mean`);
  assert.ok(a.history && b.history, `${what}: both keep a history`);
  assert.deepEqual(bytes(a.history.indptr.subarray(0, a.history.rows + 1)), bytes(b.history.indptr.subarray(0, b.history.rows + 1)), `${what}: history rows`);
  const n = a.history.indptr[a.history.rows]!;
  assert.deepEqual(bytes(a.history.indices.subarray(0, n)), bytes(b.history.indices.subarray(0, n)), `${what}: history items`);
  assert.deepEqual(bytes(a.history.values.subarray(0, n)), bytes(b.history.values.subarray(0, n)), `${what}: history values`);
  assert.deepEqual([...a.userIndex.ids()], [...b.userIndex.ids()], `${what}: user ids`);
  assert.deepEqual([...a.itemIndex.ids()], [...b.itemIndex.ids()], `${what}: item ids`);
  assert.equal(Boolean(a.ranking), Boolean(b.ranking), `${what}: ranking part`);
  if (a.ranking && b.ranking) assertSameModel(a.ranking, b.ranking, `${what} (ranking part)`);
}

describe("planSgdBlocks from the users' CSR row pointer (ratings sorted by user)", () => {
  const packings: SgdPacking[] = ["none", "offsets", "offsets+values", "offsets+byte-values"];
  for (const distinct of [1, 5, 300]) {
    for (const grid of [1, 3, 8]) {
      it(`${distinct} distinct values, grid ${grid}: the same plan, entry for entry, as from the users column`, () => {
        const r = seeded(distinct * 5 + grid, 53, 41, 0.3, distinct);
        const nu = r.userIndex.size;
        const ni = r.itemIndex.size;
        const csr = buildCsr(r.users, r.items, r.values, nu, ni, r.length);
        assert.equal(csr.indices.buffer, r.items.buffer, "sorted input: the CSR is views of the columns");
        for (const pack of packings) {
          const a = planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, nu, ni, grid, pack);
          const b = planSgdBlocks(heapAllocator, { indptr: csr.indptr }, csr.indices, csr.values, r.length, nu, ni, grid, pack);
          assert.deepEqual(b.blockStart, a.blockStart, `${pack}: blocks`);
          assert.deepEqual(bytes(b.users), bytes(a.users), `${pack}: users`);
          assert.deepEqual(bytes(b.items), bytes(a.items), `${pack}: items`);
          assert.deepEqual(bytes(b.values), bytes(a.values), `${pack}: values`);
          assert.deepEqual(bytes(b.packed?.codes), bytes(a.packed?.codes), `${pack}: codes`);
          assert.deepEqual(bytes(b.packed?.valueIndex), bytes(a.packed?.valueIndex), `${pack}: value indices`);
          assert.deepEqual(bytes(b.packed?.table), bytes(a.packed?.table), `${pack}: value table`);
        }
      });
    }
  }
});

describe("planHistoryInPlace: the history decoded over the plan's own entries", () => {
  const packings: SgdPacking[] = ["none", "offsets", "offsets+values", "offsets+byte-values"];
  for (const distinct of [1, 5, 300, 4000]) {
    for (const grid of [1, 3, 8]) {
      it(`${distinct} distinct values, grid ${grid}: the same CSR as planHistory, in every packing`, () => {
        const r = seeded(distinct + 7 * grid, 59, 43, 0.25, distinct, grid !== 3);
        const nu = r.userIndex.size;
        const ni = r.itemIndex.size;
        for (const pack of packings) {
          const want = planHistory(planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, nu, ni, grid, pack), nu, ni);
          const plan = planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, nu, ni, grid, pack);
          const got = planHistoryInPlace(plan, nu, ni);
          assert.deepEqual(got.indptr, want.indptr, `${pack}: rows`);
          assert.deepEqual(bytes(got.indices), bytes(want.indices), `${pack}: items`);
          assert.deepEqual(bytes(got.values), bytes(want.values), `${pack}: values`);
          // it reuses the plan's entries: no second index array
          const entries = plan.packed ? plan.packed.codes : plan.items;
          assert.equal(got.indices.buffer, entries.buffer, `${pack}: the indices are the plan's entries`);
        }
      });
    }
  }
});

describe("byteValueIndex", () => {
  it("indexes at most 256 distinct values exactly (by bit pattern: -0, NaN payloads kept) and refuses more", () => {
    const v = Float32Array.from([3, 1, -0, 0, 3, 2.5, Number.NaN, 1]);
    const x = byteValueIndex(v, v.length);
    assert.ok(x);
    assert.deepEqual(bytes(Float32Array.from(x.index, (i) => x.table[i]!)), bytes(v));
    assert.equal(x.table.length, 6);
    const many = Float32Array.from({ length: 1000 }, (_, t) => t % 257);
    assert.equal(byteValueIndex(many, many.length), undefined);
    assert.ok(byteValueIndex(many, 256));
  });
});

describe("zero-copy fits (mfrec train's path) give the same model bytes as copying fits", { skip: !wasmSimdSupported() && "no WebAssembly SIMD" }, () => {
  const cases: Array<{ name: string; config: Record<string, unknown>; distinct: number; sorted: boolean }> = [
    { name: "sgd, sorted input (plan from the CSR row pointer, history in place)", config: { algorithm: "sgd", factors: 8, epochs: 3, ranking: "none" }, distinct: 5, sorted: true },
    { name: "sgd, unsorted input (plan from the columns, history in place)", config: { algorithm: "sgd", factors: 8, epochs: 3, ranking: "none" }, distinct: 5, sorted: false },
    { name: "sgd, many distinct values (f32 values in the plan)", config: { algorithm: "sgd", factors: 8, epochs: 2, ranking: "none" }, distinct: 3000, sorted: true },
    { name: "sgd with its ranking part", config: { algorithm: "sgd", factors: 8, epochs: 2, rankingEpochs: 2, rankingFactors: 4 }, distinct: 5, sorted: true },
    { name: "als CG (history from kernel memory, layout built after the CSR is gone)", config: { algorithm: "als", factors: 8, epochs: 3, cgSteps: 3, ranking: "none" }, distinct: 5, sorted: true },
    { name: "als exact, unsorted input", config: { algorithm: "als", factors: 8, epochs: 2, ranking: "none" }, distinct: 5, sorted: false },
    { name: "als with its ranking part", config: { algorithm: "als", factors: 8, epochs: 2, cgSteps: 3, rankingEpochs: 2, rankingFactors: 4 }, distinct: 5, sorted: true },
    { name: "ials CG, few distinct values (byte value index)", config: { algorithm: "ials", factors: 8, epochs: 3 }, distinct: 5, sorted: true },
    { name: "ials CG, many distinct values (f32 values kept)", config: { algorithm: "ials", factors: 8, epochs: 2 }, distinct: 3000, sorted: false },
    { name: "ials exact (Cholesky)", config: { algorithm: "ials", factors: 8, epochs: 2, solver: "cholesky" }, distinct: 5, sorted: true },
    { name: "wals", config: { algorithm: "wals", factors: 8, epochs: 2 }, distinct: 5, sorted: true },
  ];
  for (const c of cases) {
    for (const threads of [1, 2]) {
      it(`${c.name}, ${threads} thread(s)`, async () => {
        const r = seeded(c.distinct + (c.sorted ? 1 : 2), 90, 60, 0.2, c.distinct, c.sorted);
        const want = fitSync(r, c.config as { algorithm: string }, { threads });
        const got = await fit(r, c.config as { algorithm: string }, { threads, zeroCopy: true, collect: gc });
        assertSameModel(got, want, c.name);
      });
    }
  }
});

describe("byte-coded entries in the ALS kernels give the same model bytes as per-entry f32", { skip: !wasmSimdSupported() && "no WebAssembly SIMD" }, () => {
  const cases: Array<{ name: string; config: Record<string, unknown>; distinct: number; sorted: boolean }> = [
    { name: "als CG (ratings as codes on both sides, the loss too)", config: { algorithm: "als", factors: 8, epochs: 3, cgSteps: 3, ranking: "none" }, distinct: 5, sorted: true },
    { name: "als CG without biases, unsorted input", config: { algorithm: "als", factors: 7, epochs: 2, cgSteps: 2, biases: false, ranking: "none" }, distinct: 9, sorted: false },
    { name: "als CG with its ranking part", config: { algorithm: "als", factors: 8, epochs: 2, cgSteps: 3, rankingEpochs: 2, rankingFactors: 4 }, distinct: 5, sorted: true },
    { name: "als exact (codes transposed with the ratings)", config: { algorithm: "als", factors: 8, epochs: 3, ranking: "none" }, distinct: 5, sorted: false },
    { name: "als exact without biases, not ALS-WR", config: { algorithm: "als", factors: 6, epochs: 2, biases: false, weightedRegularization: false, ranking: "none" }, distinct: 11, sorted: true },
    { name: "als exact with its ranking part (the default)", config: { algorithm: "als", factors: 8, epochs: 2, rankingEpochs: 2, rankingFactors: 4 }, distinct: 5, sorted: true },
    { name: "ials CG (weights as codes on both sides)", config: { algorithm: "ials", factors: 8, epochs: 3 }, distinct: 5, sorted: true },
    { name: "ials CG, 256 distinct values", config: { algorithm: "ials", factors: 6, epochs: 2 }, distinct: 256, sorted: false },
    { name: "ials CG with a confidence offset (targets 0 and 1 by code)", config: { algorithm: "ials", factors: 8, epochs: 2, confidenceOffset: 1.5 }, distinct: 5, sorted: true },
    { name: "wals CG, weights by value", config: { algorithm: "wals", factors: 8, epochs: 2, solver: "cg", observedWeight: "value" }, distinct: 5, sorted: true },
    { name: "ials exact (Cholesky, weights by code, both sides)", config: { algorithm: "ials", factors: 8, epochs: 2, solver: "cholesky" }, distinct: 5, sorted: false },
    { name: "ials exact with a confidence offset (targets by code: the explicit models' ranking part)", config: { algorithm: "ials", factors: 8, epochs: 2, solver: "cholesky", confidenceOffset: 2 }, distinct: 7, sorted: true },
    { name: "wals exact (default solver)", config: { algorithm: "wals", factors: 8, epochs: 2 }, distinct: 5, sorted: true },
    { name: "sgd with its ranking part (ials exact by code)", config: { algorithm: "sgd", factors: 8, epochs: 2, rankingEpochs: 2, rankingFactors: 4 }, distinct: 5, sorted: true },
  ];
  for (const c of cases) {
    for (const zeroCopy of [false, true]) {
      it(`${c.name}, ${zeroCopy ? "zero-copy" : "copying"} fit, 2 threads`, async () => {
        const r = seeded(c.distinct + (c.sorted ? 3 : 4), 80, 50, 0.25, c.distinct, c.sorted);
        const cfg = c.config as { algorithm: string };
        assert.ok(codeTableOf(r.values, r.length), "the values allow byte codes (the path under test runs)");
        entryCoding.bytes = false;
        let want: FactorModel;
        try {
          want = fitSync(r, cfg, { threads: 2 });
        } finally {
          entryCoding.bytes = true;
        }
        const got = zeroCopy ? await fit(r, cfg, { threads: 2, zeroCopy: true, collect: gc }) : fitSync(r, cfg, { threads: 2 });
        assertSameModel(got, want, c.name);
      });
    }
  }
});

describe("fmtInt", () => {
  it("groups digits as toLocaleString('en-US') does (without loading the locale data)", () => {
    const values = [0, -0, 0.4, -0.4, 0.5, -0.5, 1, -1, 999, 1000, -1000, 999.5, 1234567, 10_000_000, -9876543210, 2 ** 53, 1e20, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    let s = 7;
    for (let t = 0; t < 5000; t++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      values.push((s / 4294967296 - 0.5) * 10 ** (t % 19));
    }
    for (const v of values) assert.equal(fmtInt(v), Math.round(v).toLocaleString("en-US"), String(v));
  });
});
