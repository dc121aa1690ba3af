import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray, type Ratings } from "../../../src/data/ratings.js";
import { fullGramian, weightedAlsHalfSweep, weightedAlsLoss } from "../../../src/kernels/implicit-als.js";
import { wasmSimdSupported } from "../../../src/kernels/wasm.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import type { FactorModel, ModelConfig } from "../../../src/model/factor-model.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { kernelScratchBytes } from "../../../src/parallel/pool.js";
import { fitSync } from "../../../src/train/fit.js";
import { maxRelDiff, randomFloats, randomProblem } from "../kernels/wasm-fixtures.js";
import { bytes } from "./explicit-fixtures.js";
import { kernelCall } from "../../../src/kernels/kernel-calls.js";

const skip = !wasmSimdSupported();

/**
 * Agreement of the kernel (Σ e·y yᵀ in f32, the rest in f64) with the f64 reference, max |a − b| / (1 + |b|).
 * Measured on these problems, one half-sweep: ≤ 5.1e-7 ials-like (w0 = 1, the Gramian keeps the system well
 * conditioned), ≤ 1.2e-5 explicit-like (w0 = 0, fewer entries than k: only λ regularizes); whole fits
 * ≤ 2.9e-6. Wrong terms (reg, w0·G, a dropped entry) move x by more than 1e-2.
 */
const KERNEL_TOL: Record<Mode, number> = { ials: 2e-6, "ials-zeros": 2e-6, explicit: 5e-5 };
const FIT_TOL = 2e-5;

type Mode = "ials" | "explicit" | "ials-zeros";

describe("wcholRange = weightedAlsHalfSweep solver 1 (one half-sweep, random problems)", { skip }, () => {
  for (const mode of ["ials", "explicit", "ials-zeros"] as const satisfies readonly Mode[]) {
    for (const nu of [0, 1]) {
      for (const k of [7, 16]) {
        it(`${mode}, ν = ${nu}, k = ${k}: factors, empty rows zero, fused loss + w0·tr(G·G_X) = weightedAlsLoss`, () => {
          const pr = randomProblem(60 + k + nu, 45, 33, 420);
          const m = pr.byUser;
          const nnz = m.indices.length;
          // ials: w0 = 1, e = α·r, t = 1 (or t = 0, e = 0 for a few entries); explicit: w0 = 0, e = 1, t = r
          const zero = (p: number) => mode === "ials-zeros" && p % 7 === 3;
          const extra = Float32Array.from({ length: nnz }, (_, p) => (mode === "explicit" ? 1 : zero(p) ? 0 : 1.5 * m.values[p]!));
          const target = mode === "explicit" ? m.values : mode === "ials-zeros" ? Float32Array.from({ length: nnz }, (_, p) => (zero(p) ? 0 : 1)) : null;
          const w0 = mode === "explicit" ? 0 : 1;
          const lambda = nu === 0 ? 0.08 : 0.004;
          const Y = randomFloats(70 + k, pr.nItems * k, 0.4);
          const X0 = randomFloats(71 + k, pr.nUsers * k);
          const gram = fullGramian(Y, pr.nItems, k);
          const ref = { indptr: m.indptr, indices: m.indices, extra, target, X: X0.slice(), Y, k, gram, w0, lambda, nu, nCols: pr.nItems, solver: 1 as const, cgSteps: 0 };
          weightedAlsHalfSweep(ref, 0, pr.nUsers);

          const arena = KernelArena.create(1 << 21);
          const pool = new InlinePool(arena, kernelScratchBytes(k));
          const [ip, ix, ex] = [arena.copyI32(m.indptr), arena.copyI32(m.indices), arena.copyF32(extra)];
          const tg = target ? arena.copyF32(target) : null;
          const X = arena.copyF32(X0);
          const aY = arena.copyF32(Y);
          const G = arena.copyF32(gram);
          const loss = arena.f64(4);
          const shards = Int32Array.of(0, 1, 1, 17, 17, 30, 30, pr.nUsers);
          pool.run({ ...kernelCall.wcholRange({ indptr: ip, indices: ix, extra: ex, target: tg, table: null, X, Y: aY, G, k, w0, lambda, nu, nCols: pr.nItems, lossOut: loss }), shards });
          const d = maxRelDiff(X, ref.X);
          assert.ok(d < KERNEL_TOL[mode], `X differs by ${d}`);
          // user 0 has no entries: x = 0 in both (b = 0), whatever it was before
          for (let f = 0; f < k; f++) assert.equal(X[f], 0);
          assert.ok(X0.subarray(0, k).some((v) => v !== 0));
          const gx = fullGramian(X, pr.nUsers, k);
          let trace = 0;
          for (let q = 0; q < k * k; q++) trace += G[q]! * gx[q]!;
          const fused = loss[0]! + loss[1]! + loss[2]! + loss[3]! + w0 * trace;
          const want = weightedAlsLoss({ ...ref, X }, 0, pr.nUsers);
          assert.ok(Math.abs(fused - want) < 1e-5 * Math.abs(want), `loss ${fused} vs ${want}`);
          // a stale factor is not a solution: the reference moved the rows (the test can fail)
          assert.ok(maxRelDiff(X0, ref.X) > 1e-2);
        });
      }
    }
  }

  it("k not a multiple of 4 and a row with more entries than k: still the exact solve", () => {
    const k = 5;
    const pr = randomProblem(91, 6, 40, 150);
    const m = pr.byUser;
    const extra = Float32Array.from(m.values, (v) => 0.5 * v);
    const Y = randomFloats(92, pr.nItems * k, 0.5);
    const gram = fullGramian(Y, pr.nItems, k);
    const ref = { indptr: m.indptr, indices: m.indices, extra, target: null, X: new Float32Array(pr.nUsers * k), Y, k, gram, w0: 0.3, lambda: 0.01, nu: 0, nCols: pr.nItems, solver: 1 as const, cgSteps: 0 };
    weightedAlsHalfSweep(ref, 0, pr.nUsers);
    const arena = KernelArena.create(1 << 20);
    const pool = new InlinePool(arena, kernelScratchBytes(k));
    const X = arena.f32(pr.nUsers * k);
    const call = kernelCall.wcholRange({
      indptr: arena.copyI32(m.indptr), indices: arena.copyI32(m.indices), extra: arena.copyF32(extra), target: null, table: null, X,
      Y: arena.copyF32(Y), G: arena.copyF32(gram), k, w0: 0.3, lambda: 0.01, nu: 0, nCols: pr.nItems, lossOut: null,
    });
    pool.run({ ...call, shards: Int32Array.of(0, pr.nUsers) });
    assert.ok(maxRelDiff(X, ref.X) < KERNEL_TOL.ials, `X differs by ${maxRelDiff(X, ref.X)}`);
  });
});

/** Seeded implicit counts (some zeros: ials targets 0). */
function counts(seed: number, users = 260, items = 110, density = 0.15): Ratings {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rnd() < density) rows.push({ user: `u${u}`, item: `i${i}`, rating: rnd() < 0.04 ? 0 : 1 + Math.floor(rnd() * 20) });
    }
  }
  return ratingsFromArray(rows);
}

const data = counts(17);

function modelBytes(m: FactorModel): Buffer {
  return Buffer.concat([bytes(m.userFactors.data), bytes(m.itemFactors.data)]);
}

const configs: Record<string, Partial<ModelConfig> & { algorithm: string }> = {
  "wals (defaults: cholesky)": { algorithm: "wals", factors: 8, epochs: 4, seed: 3 },
  "wals observedWeight value": { algorithm: "wals", factors: 6, epochs: 3, observedWeight: "value", unobservedWeight: 0.2, seed: 4 },
  "ials cholesky (linear)": { algorithm: "ials", solver: "cholesky", factors: 8, epochs: 4, alpha: 0.5, regularization: 0.1, seed: 3 },
  "ials cholesky (log, ν = 1)": { algorithm: "ials", solver: "cholesky", factors: 12, epochs: 3, confidence: "log", unobservedWeight: 0.3, regularization: 0.01, regularizationExponent: 1, seed: 5 },
};

describe("ials/wals with solver cholesky on the WASM kernels", { skip }, () => {
  for (const [name, cfg] of Object.entries(configs)) {
    it(`${name}: WASM factors and losses match the TS reference; kernels "ts" is the reference`, () => {
      const ts = fitSync(data, cfg, { kernels: "ts" });
      const wasm = fitSync(data, cfg, { kernels: "wasm" });
      const dx = maxRelDiff(wasm.userFactors.data, ts.userFactors.data);
      const dy = maxRelDiff(wasm.itemFactors.data, ts.itemFactors.data);
      assert.ok(dx < FIT_TOL && dy < FIT_TOL, `X ${dx}, Y ${dy}`);
      for (let e = 0; e < ts.training.length; e++) {
        const a = ts.training[e]!.loss;
        const b = wasm.training[e]!.loss;
        assert.ok(Math.abs(a - b) < 1e-5 * Math.abs(a), `epoch ${e + 1} loss ${b} vs ${a}`);
      }
      assert.ok(ts.training.at(-1)!.loss < ts.training[0]!.loss, "the loss falls");
      // f32 Gram vs f64: equal only up to rounding, so the WASM kernel really ran; "ts" is reproducible
      assert.ok(!modelBytes(wasm).equals(modelBytes(ts)), "the WASM kernels ran");
      assert.ok(modelBytes(fitSync(data, cfg, { kernels: "ts" })).equals(modelBytes(ts)));
    });

    it(`${name}: threads 1, 2 and 3 give identical factors and losses`, () => {
      const run = (threads: number) => fitSync(data, { ...cfg, threads }, { pool: nodePoolFactory, kernels: "wasm" });
      const one = run(1);
      for (const t of [2, 3]) {
        const other = run(t);
        assert.ok(modelBytes(one).equals(modelBytes(other)), `1 vs ${t} threads`);
        assert.deepEqual(
          one.training.map((r) => r.loss),
          other.training.map((r) => r.loss),
        );
      }
    });
  }
});
