/**
 * The WASM kernel of hybrid (assembly/hybrid.ts, losses warp, bpr and squared) against the TS reference
 * (src/train/hybrid/kernel.ts): the hand-checked single step run directly in kernel memory, and whole fits
 * with kernels "ts" and "wasm" on settings that reach every branch (odd k for the scalar tail, id dropout,
 * a feature λ, normalized and capped weights, cold items and users): the same bytes, loss history included.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rngFor } from "../../../src/core/rng.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { copyOf, f32, f64, i32, memoryPlan, openArena } from "../../../src/kernels/arena-plan.js";
import { kernelCall, runRange } from "../../../src/kernels/kernel-calls.js";
import { wasmSimdSupported } from "../../../src/kernels/wasm.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { fitSync } from "../../../src/train/fit.js";
import { hybridEpoch } from "../../../src/train/hybrid/kernel.js";
import { tinySquaredState } from "../../helpers/hybrid-tiny.js";

const skip = !wasmSimdSupported() && "no WebAssembly SIMD";

describe("hybrid WASM kernel", () => {
  test("one squared step in kernel memory: the hand-checked values, the TS kernel's bytes", { skip }, () => {
    const s = tinySquaredState();
    const plan = memoryPlan({
      uIndptr: copyOf(s.users.indptr),
      uRows: copyOf(s.users.rows),
      uWeights: copyOf(s.users.weights),
      uVec: copyOf(s.U.vectors),
      uAcc: copyOf(s.U.vectorAcc),
      uBias: copyOf(s.U.bias!),
      uBiasAcc: copyOf(s.U.biasAcc!),
      iIndptr: copyOf(s.items.indptr),
      iRows: copyOf(s.items.rows),
      iWeights: copyOf(s.items.weights),
      iVec: copyOf(s.V.vectors),
      iAcc: copyOf(s.V.vectorAcc),
      iBias: copyOf(s.V.bias!),
      iBiasAcc: copyOf(s.V.biasAcc!),
      posUser: copyOf(s.posUser),
      posItem: copyOf(s.posItem),
      posIndptr: copyOf(s.posIndptr),
      values: copyOf(s.values!),
      order: i32(1),
      rng: i32(4),
      work: f32(5 + 16),
      lossOut: f64(1),
    });
    const { arena } = openArena([plan]);
    const v = plan.place(arena);
    const call = kernelCall.hybridEpochRange({
      ...v,
      posSorted: null,
      pool: null,
      warpWeights: null,
      k: 1,
      uIdRows: 1,
      iIdRows: 1,
      nPool: 0,
      loss: 2,
      maxSampled: 0,
      lr: s.learningRate,
      lambda: s.regularization,
      lambdaF: s.featureRegularization,
      idDropout: 0,
      mu: s.globalMean,
    });
    runRange(arena.kernels, call, 0, 1);
    const ts = tinySquaredState();
    const mse = hybridEpoch(ts, Int32Array.of(0), rngFor(1, "unused"));
    assert.ok(Math.abs(v.lossOut[0]! - 0.36) < 1e-6, String(v.lossOut[0]));
    assert.equal(v.lossOut[0], mse);
    assert.ok(Math.abs(v.iVec[0]! - 0.23) < 1e-6 && Math.abs(v.iVec[1]! - 0.395) < 1e-6, String(v.iVec));
    assert.ok(Math.abs(v.uVec[0]! - 0.524) < 1e-6 && Math.abs(v.uBias[0]! - 0.16) < 1e-6);
    for (const [a, b] of [
      [v.iVec, ts.V.vectors],
      [v.iAcc, ts.V.vectorAcc],
      [v.iBias, ts.V.bias],
      [v.iBiasAcc, ts.V.biasAcc],
      [v.uVec, ts.U.vectors],
      [v.uAcc, ts.U.vectorAcc],
      [v.uBias, ts.U.bias],
      [v.uBiasAcc, ts.U.biasAcc],
    ] as const)
      assert.deepEqual(a, b);
  });

  /** Ratings 1–5 by taste, items with 2–3 features (some over the cap), cold items and users. */
  function data() {
    const rows: { user: string; item: string; rating: number }[] = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 40; i++) if ((u * 7 + i * 3) % 5 < 2) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + ((u % 3) + (i % 4) + ((u * i) % 3)) % 5 });
    const itemFeatures: Record<string, string[]> = {};
    for (let i = 0; i < 45; i++) itemFeatures[`i${i}`] = [`g:${i % 4}`, `d:${i % 3}`, ...(i % 6 === 0 ? ["t:a", "t:b", "t:c", "t:d"] : [])];
    const userFeatures: Record<string, string[]> = {};
    for (let u = 0; u < 34; u++) userFeatures[`u${u}`] = [`age:${u % 3}`];
    return { ratings: ratingsFromArray(rows), opts: { itemFeatures, userFeatures } };
  }

  function bytes(m: FactorModel): unknown[] {
    const f = m.features;
    return [m.userFactors.data, m.itemFactors.data, m.userBias, m.itemBias, m.globalMean, f?.items?.factors.data, f?.items?.bias, f?.users?.factors.data, f?.users?.bias, m.training.map((e) => [e.loss, e.trainRmse])];
  }

  for (const loss of ["warp", "bpr", "squared"] as const) {
    for (const extra of [{}, { idDropout: 0.3, featureRegularization: 0.01, normalize: "features", itemWeightCap: 2.5 }, { identity: false }]) {
      test(`fit ${loss} ${JSON.stringify(extra)}: kernels ts and wasm give the same bytes (k = 5: the scalar tail too)`, { skip }, () => {
        const d = data();
        const cfg = { algorithm: "hybrid", loss, factors: 5, epochs: 4, seed: 9, ...extra };
        const ts = fitSync(d.ratings, cfg, { ...d.opts, kernels: "ts" });
        const wasm = fitSync(d.ratings, cfg, { ...d.opts, kernels: "wasm" });
        assert.deepEqual(bytes(wasm), bytes(ts));
        // It trained: the epochs moved the factors and the losses are finite.
        assert.ok(ts.training.every((e) => Number.isFinite(e.loss)));
        assert.notDeepEqual(ts.itemFactors.data, fitSync(d.ratings, { ...cfg, epochs: 0 }, { ...d.opts, kernels: "ts" }).itemFactors.data);
      });
    }
  }
});
