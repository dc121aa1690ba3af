import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray, type Ratings } from "../../../src/data/ratings.js";
import { fullGramian, regularizationLoss, weightedAlsHalfSweep, weightedAlsLoss } from "../../../src/kernels/implicit-als.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import type { FactorModel, ModelConfig } from "../../../src/model/factor-model.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { kernelScratchBytes } from "../../../src/parallel/pool.js";
import { fit, fitSync } from "../../../src/train/fit.js";
import { bytes } from "./explicit-fixtures.js";
import { kernelCall } from "../../../src/kernels/kernel-calls.js";

/** Seeded implicit counts: 300 users × 120 items, counts 1…20 (and some zeros for the ials target path). */
function counts(seed: number, zeros: boolean, users = 300, items = 120, density = 0.15): Ratings {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rnd() < density) rows.push({ user: `u${u}`, item: `i${i}`, rating: zeros && rnd() < 0.05 ? 0 : 1 + Math.floor(rnd() * 20) });
    }
  }
  return ratingsFromArray(rows);
}

const ratings = counts(7, false);
const withZeros = counts(8, true);

function modelBytes(m: FactorModel): Buffer {
  return Buffer.concat([bytes(m.userFactors.data), bytes(m.itemFactors.data)]);
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let d = 0;
  for (let n = 0; n < a.length; n++) {
    scale = Math.max(scale, Math.abs(b[n]!));
    d = Math.max(d, Math.abs(a[n]! - b[n]!));
  }
  return d / Math.max(scale, 1e-12);
}

const configs: Record<string, { data: Ratings; cfg: Partial<ModelConfig> & { algorithm: string } }> = {
  "ials (linear)": { data: ratings, cfg: { algorithm: "ials", factors: 8, epochs: 4, alpha: 0.5, seed: 3 } },
  "ials (log, ν = 1, targets 0 for zero counts)": { data: withZeros, cfg: { algorithm: "ials", factors: 12, epochs: 3, confidence: "log", epsilon: 2, regularizationExponent: 1, regularization: 0.001, cgSteps: 4, seed: 5 } },
  "wals (CG, observed weight = value)": { data: ratings, cfg: { algorithm: "wals", factors: 8, epochs: 3, solver: "cg", observedWeight: "value", unobservedWeight: 0.2, seed: 3 } },
};

describe("implicit trainers: thread count never changes the bytes", () => {
  for (const [name, { data, cfg }] of Object.entries(configs)) {
    it(`${name}: threads 1, 2 and 3 (and auto) give identical factors and losses`, () => {
      const run = (threads: number) => fitSync(data, { ...cfg, threads }, { pool: nodePoolFactory, kernels: "wasm" });
      const one = run(1);
      for (const t of [2, 3, 0]) {
        const other = run(t);
        assert.ok(modelBytes(one).equals(modelBytes(other)), `1 vs ${t} threads`);
        assert.deepEqual(
          one.training.map((r) => r.loss),
          other.training.map((r) => r.loss),
        );
      }
    });
  }

  it("async fit on 2 threads gives the same bytes as fitSync on 1", async () => {
    const { data, cfg } = configs["ials (linear)"]!;
    const a = fitSync(data, { ...cfg, threads: 1 }, { kernels: "wasm" });
    const b = await fit(data, { ...cfg, threads: 2 }, { pool: nodePoolFactory, kernels: "wasm" });
    assert.ok(modelBytes(a).equals(modelBytes(b)));
  });
});

describe("implicit trainers: WASM kernels agree with the TypeScript reference", () => {
  for (const [name, { data, cfg }] of Object.entries(configs)) {
    it(`${name}: factors and losses within float tolerance`, () => {
      const ts = fitSync(data, cfg, { kernels: "ts" });
      const wasm = fitSync(data, cfg, { kernels: "wasm" });
      const tol = 1e-3;
      assert.ok(maxRelDiff(wasm.userFactors.data, ts.userFactors.data) < tol, `X: ${maxRelDiff(wasm.userFactors.data, ts.userFactors.data)}`);
      assert.ok(maxRelDiff(wasm.itemFactors.data, ts.itemFactors.data) < tol, `Y: ${maxRelDiff(wasm.itemFactors.data, ts.itemFactors.data)}`);
      for (let e = 0; e < ts.training.length; e++) {
        const a = ts.training[e]!.loss;
        const b = wasm.training[e]!.loss;
        assert.ok(Math.abs(a - b) < 1e-4 * Math.abs(a), `epoch ${e + 1} loss ${b} vs ${a}`);
      }
      assert.ok(ts.training.at(-1)!.loss < ts.training[0]!.loss, "the loss falls");
      // f32 kernels vs the f64 reference: equal only by rounding, so the WASM path really ran
      assert.ok(!modelBytes(wasm).equals(modelBytes(ts)), "the WASM kernels ran");
    });
  }

  // The Cholesky solver on WASM (wcholRange) is tested in weighted-cholesky.test.ts.
});

describe("weighted-ALS WASM kernels against the TS reference, one half-sweep", () => {
  it("gramPartRange parts sum to YᵀY; cgRange matches weightedAlsHalfSweep, its fused loss + w0·tr(G_Y·G_X) matches weightedAlsLoss", () => {
    const rows = 37;
    const cols = 23;
    const k = 7;
    let s = 11;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    const indptr = new Int32Array(rows + 1);
    const idx: number[] = [];
    const ex: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (rnd() < 0.3) {
          idx.push(c);
          ex.push(rnd() * 3);
        }
      }
      indptr[r + 1] = idx.length;
    }
    const X = Float32Array.from({ length: rows * k }, () => rnd() - 0.5);
    const Y = Float32Array.from({ length: cols * k }, () => rnd() - 0.5);
    const gram = fullGramian(Y, cols, k);
    const args = { indptr, indices: Int32Array.from(idx), extra: Float32Array.from(ex), target: null, X: X.slice(), Y, k, gram, w0: 0.7, lambda: 0.1, nu: 0.5, nCols: cols, solver: 0 as const, cgSteps: 3 };
    weightedAlsHalfSweep(args, 0, rows);

    const arena = KernelArena.create(1 << 20);
    const pool = new InlinePool(arena, kernelScratchBytes(k));
    const aI = arena.copyI32(indptr);
    const aJ = arena.copyI32(idx);
    const aE = arena.copyF32(ex);
    const aX = arena.copyF32(X);
    const aY = arena.copyF32(Y);
    const parts = arena.f32(3 * k * k);
    const G = arena.f32(k * k);
    const loss = arena.f64(8);
    pool.run({ ...kernelCall.gramPartRange({ Y: aY, k, parts }), shards: Int32Array.of(0, 10, 10, 11, 11, cols) });
    for (let q = 0; q < k * k; q++) {
      G[q] = parts[q]! + parts[k * k + q]! + parts[2 * k * k + q]!;
      assert.ok(Math.abs(G[q]! - gram[q]!) < 1e-5 * (1 + Math.abs(gram[q]!)), `G[${q}]`);
    }
    const shards = Int32Array.of(0, 5, 5, 20, 20, rows);
    const call = kernelCall.cgRange({ indptr: aI, indices: aJ, extra: aE, target: null, table: null, X: aX, Y: aY, G, k, w0: 0.7, lambda: 0.1, nu: 0.5, nCols: cols, steps: 3, lossOut: loss });
    pool.run({ ...call, shards });
    assert.ok(maxRelDiff(aX, args.X) < 1e-4, `x: ${maxRelDiff(aX, args.X)}`);
    // the loss at the solved rows: the kernel's per-shard parts plus the Gramian term from the two Gramians
    const gx = fullGramian(aX, rows, k);
    let trace = 0;
    for (let q = 0; q < k * k; q++) trace += G[q]! * gx[q]!;
    const fused = loss[0]! + loss[1]! + loss[2]! + 0.7 * trace;
    const want = weightedAlsLoss({ ...args, X: aX }, 0, rows);
    assert.ok(Math.abs(fused - want) < 1e-4 * Math.abs(want), `loss ${fused} vs ${want}`);
    const reg = regularizationLoss(indptr, aX, k, 0.1, 0, 0.7, cols, 0, rows);
    assert.ok(reg > 0);
  });
});
