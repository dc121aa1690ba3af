import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray, type Ratings } from "../../../src/data/ratings.js";
import { isMfrecError } from "../../../src/core/errors.js";
import { alsExplicitHalfSweep } from "../../../src/kernels/als-explicit.js";
import { alsExplicitCgHalfSweep } from "../../../src/train/als/cg-kernel.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { heapAllocator, planSgdBlocks } from "../../../src/parallel/sgd-blocks.js";
import { fit, fitSync, trainingData } from "../../../src/train/fit.js";
import { bytes } from "./explicit-fixtures.js";

/** A seeded random rating set large enough for many shards and blocks: 300 users × 120 items. */
function mediumRatings(seed: number, users = 300, items = 120, density = 0.15): Ratings {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) if (rnd() < density) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + Math.floor(rnd() * 5) });
  return ratingsFromArray(rows);
}

const ratings = mediumRatings(5);

function modelBytes(m: FactorModel): Buffer {
  return Buffer.concat([bytes(m.userFactors.data), bytes(m.itemFactors.data), bytes(m.userBias), bytes(m.itemBias)]);
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

const configs = {
  sgd: { algorithm: "sgd", factors: 8, epochs: 4, grid: 4, seed: 3 },
  "als (Cholesky)": { algorithm: "als", factors: 6, epochs: 3, seed: 3 },
  "als (CG, 3 steps)": { algorithm: "als", factors: 8, epochs: 3, cgSteps: 3, seed: 3 },
  "als (CG, no biases, unweighted)": { algorithm: "als", factors: 8, epochs: 3, cgSteps: 2, biases: false, weightedRegularization: false, seed: 3 },
};

describe("explicit trainers: thread count never changes the bytes", () => {
  for (const [name, cfg] of Object.entries(configs)) {
    it(`${name}: threads 1, 2 and 3 give identical factors and biases`, () => {
      const one = fitSync(ratings, { ...cfg, threads: 1 }, { pool: nodePoolFactory, kernels: "wasm" });
      const two = fitSync(ratings, { ...cfg, threads: 2 }, { pool: nodePoolFactory, kernels: "wasm" });
      const three = fitSync(ratings, { ...cfg, threads: 3 }, { pool: nodePoolFactory, kernels: "wasm" });
      assert.ok(modelBytes(one).equals(modelBytes(two)), "1 vs 2 threads");
      assert.ok(modelBytes(one).equals(modelBytes(three)), "1 vs 3 threads");
      assert.deepEqual(
        one.training.map((r) => r.loss),
        two.training.map((r) => r.loss),
      );
    });
  }
});

describe("explicit trainers: WASM kernels agree with the TypeScript reference", () => {
  for (const [name, cfg] of Object.entries(configs)) {
    it(`${name}: factors and losses within float tolerance`, () => {
      const ts = fitSync(ratings, cfg, { kernels: "ts" });
      const wasm = fitSync(ratings, cfg, { kernels: "wasm" });
      const tol = name === "sgd" ? 2e-3 : 1e-3;
      assert.ok(maxRelDiff(wasm.userFactors.data, ts.userFactors.data) < tol, `P: ${maxRelDiff(wasm.userFactors.data, ts.userFactors.data)}`);
      assert.ok(maxRelDiff(wasm.itemFactors.data, ts.itemFactors.data) < tol, `Q: ${maxRelDiff(wasm.itemFactors.data, ts.itemFactors.data)}`);
      if (ts.userBias) assert.ok(maxRelDiff(wasm.userBias!, ts.userBias) < tol, "user biases");
      for (let e = 0; e < ts.training.length; e++) {
        const a = ts.training[e]!.loss;
        const b = wasm.training[e]!.loss;
        assert.ok(Math.abs(a - b) < 1e-4 * a, `epoch ${e + 1} loss ${b} vs ${a}`);
      }
      // and both actually train: the loss falls
      assert.ok(ts.training.at(-1)!.loss < ts.training[0]!.loss);
    });
  }
});

describe("explicit ALS by CG", () => {
  it("with enough steps reaches the exact (Cholesky) ridge solution of every row", () => {
    const { byUser } = trainingData(ratings);
    const k = 5;
    let s = 7;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296 - 0.5;
    };
    const Y = Float32Array.from({ length: byUser.cols * k }, rnd);
    const by = Float32Array.from({ length: byUser.cols }, rnd);
    for (const bias of [true, false]) {
      for (const weighted of [true, false]) {
        const xe = new Float32Array(byUser.rows * k);
        const be = bias ? new Float32Array(byUser.rows) : new Float32Array(0);
        alsExplicitHalfSweep(byUser.indptr, byUser.indices, byUser.values, xe, be, Y, bias ? by : new Float32Array(0), k, 3, 0.1, 0.05, weighted, 0, byUser.rows);
        const xc = Float32Array.from({ length: byUser.rows * k }, rnd); // any warm start
        const bc = bias ? new Float32Array(byUser.rows) : new Float32Array(0);
        alsExplicitCgHalfSweep(byUser.indptr, byUser.indices, byUser.values, xc, bc, Y, bias ? by : new Float32Array(0), k, 3, 0.1, 0.05, weighted, 30, 0, byUser.rows);
        assert.ok(maxRelDiff(xc, xe) < 1e-4, `x (bias ${bias}, weighted ${weighted}): ${maxRelDiff(xc, xe)}`);
        if (bias) assert.ok(maxRelDiff(bc, be) < 1e-4, `b: ${maxRelDiff(bc, be)}`);
      }
    }
  });

  it("fits about as well as the exact solves after a few iterations", () => {
    const exact = fitSync(ratings, { algorithm: "als", factors: 8, epochs: 8, seed: 1 });
    const cg = fitSync(ratings, { algorithm: "als", factors: 8, epochs: 8, cgSteps: 3, seed: 1 });
    const a = exact.training.at(-1)!.trainRmse!;
    const b = cg.training.at(-1)!.trainRmse!;
    assert.ok(b < a * 1.05, `CG train RMSE ${b} vs exact ${a}`);
  });
});

describe("SGD block plan", () => {
  it("holds every rating once, grouped by block, each block sorted by user", () => {
    const r = mediumRatings(9, 50, 40, 0.3);
    const g = 3;
    const plan = planSgdBlocks(heapAllocator, r.users, r.items, r.values, r.length, r.userIndex.size, r.itemIndex.size, g);
    assert.equal(plan.blockStart[g * g], r.length);
    const seen = new Map<string, number>();
    for (let t = 0; t < r.length; t++) seen.set(`${r.users[t]},${r.items[t]}`, r.values[t]!);
    for (let b = 0; b < g * g; b++) {
      const itemsOfBlock = new Set<number>();
      for (let t = plan.blockStart[b]!; t < plan.blockStart[b + 1]!; t++) {
        const key = `${plan.users[t]},${plan.items[t]}`;
        assert.equal(seen.get(key), plan.values[t]);
        seen.delete(key);
        if (t > plan.blockStart[b]!) assert.ok(plan.users[t]! >= plan.users[t - 1]!, "sorted by user");
        itemsOfBlock.add(plan.items[t]!);
      }
    }
    assert.equal(seen.size, 0);
  });

  it("grid is configuration: it changes the result", () => {
    const a = fitSync(ratings, { ...configs.sgd, grid: 4 });
    const b = fitSync(ratings, { ...configs.sgd, grid: 5 });
    assert.ok(!modelBytes(a).equals(modelBytes(b)));
  });
});

describe("thread selection", () => {
  it("threads 0 (auto, the default) gives the same bytes as 1 and 2, sync and async; the model's config does not record threads", async () => {
    const cfg = { algorithm: "sgd", factors: 6, epochs: 3, grid: 4, seed: 9 };
    const auto = fitSync(ratings, cfg, { pool: nodePoolFactory });
    assert.equal("threads" in auto.config, false);
    const one = fitSync(ratings, cfg, { threads: 1 });
    const two = await fit(ratings, cfg, { pool: nodePoolFactory, threads: 2 });
    assert.ok(modelBytes(auto).equals(modelBytes(one)));
    assert.ok(modelBytes(two).equals(modelBytes(one)));
    // A config written before threads moved to FitOptions still runs on that many threads and gives the same bytes.
    const legacy = await fit(ratings, { ...cfg, threads: 2 }, { pool: nodePoolFactory });
    assert.equal("threads" in legacy.config, false);
    assert.ok(modelBytes(legacy).equals(modelBytes(one)));
  });

  it("kernels: \"ts\" needs no WebAssembly and still trains; unknown thread counts are rejected", () => {
    const m = fitSync(ratings, { algorithm: "als", factors: 4, epochs: 2, cgSteps: 2, threads: 4 }, { kernels: "ts" });
    assert.ok(m.training[1]!.loss < m.training[0]!.loss);
    assert.throws(() => fitSync(ratings, { algorithm: "sgd", threads: -1 }), /threads/);
    assert.throws(() => fitSync(ratings, { algorithm: "sgd" }, { threads: 1.5 }), (e) => isMfrecError(e, "E_CONFIG") && /threads/.test(e.message));
    assert.throws(() => fitSync(ratings, { algorithm: "als", cgSteps: 1.5 }), /cgSteps/);
  });
});
