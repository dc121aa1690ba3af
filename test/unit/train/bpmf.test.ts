import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../../src/core/rng.js";
import { bpmfSampleRows } from "../../../src/train/bpmf/kernel.js";
import { choleskyFactor } from "../../../src/kernels/linalg.js";
import { sampleChiSquare, sampleGamma, sampleWishart } from "../../../src/train/bpmf/wishart.js";
import { buildCsr } from "../../../src/matrix/csr.js";
import { bpmfKeptSamples, resolveBpmfConfig, widen } from "../../../src/train/bpmf/bpmf.js";
import { fitSync } from "../../../src/train/fit.js";
import { smallRatings } from "./explicit-fixtures.js";

describe("bpmf samplers", () => {
  it("Gamma(a) has mean a and variance a (shapes below and above 1); χ²(d) has mean d", () => {
    const rng = new Rng(1);
    for (const a of [0.4, 1, 2.5, 7]) {
      const n = 40000;
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < n; t++) {
        const x = sampleGamma(rng, a);
        assert.ok(x >= 0);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const v = s2 / n - mean * mean;
      assert.ok(Math.abs(mean - a) < 0.03 * a + 0.01, `Gamma(${a}) mean ${mean}`);
      assert.ok(Math.abs(v - a) < 0.08 * a + 0.02, `Gamma(${a}) variance ${v}`);
    }
    let c = 0;
    for (let t = 0; t < 20000; t++) c += sampleChiSquare(rng, 5);
    assert.ok(Math.abs(c / 20000 - 5) < 0.1);
  });

  it("Wishart(W, ν) draws average ν·W and are symmetric positive definite", () => {
    const k = 3;
    const W = new Float64Array([2, 0.5, -0.3, 0.5, 1, 0.2, -0.3, 0.2, 0.5]);
    const L = W.slice();
    assert.ok(choleskyFactor(L, k));
    const nu = 6;
    const rng = new Rng(2);
    const out = new Float64Array(k * k);
    const scratch = new Float64Array(k * k);
    const sum = new Float64Array(k * k);
    const n = 6000;
    for (let t = 0; t < n; t++) {
      sampleWishart(rng, L, k, nu, out, scratch);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) assert.equal(out[i * k + j], out[j * k + i]);
      assert.ok(choleskyFactor(out.slice(), k));
      for (let c = 0; c < k * k; c++) sum[c]! += out[c]! / n;
    }
    // Var(Λ_ij) = ν(W_ij² + W_ii W_jj); the tolerance is ~5 standard errors of the mean.
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const sd = Math.sqrt((nu * (W[i * k + j]! ** 2 + W[i * k + i]! * W[j * k + j]!)) / n);
        assert.ok(Math.abs(sum[i * k + j]! - nu * W[i * k + j]!) < 5 * sd, `E[Λ](${i},${j}) = ${sum[i * k + j]} vs ${nu * W[i * k + j]!}`);
      }
    }
    assert.throws(() => sampleWishart(rng, L, k, 1.5, out, scratch), RangeError);
  });

  it("with zero noise a row draw is the posterior mean (Λ + αΣvvᵀ)⁻¹(αΣ(r − μ)v + Λμ)", () => {
    // One user, two items, k = 2, Λ = I, Λμ = (0.5, 0): solve the 2×2 system by hand.
    const csr = buildCsr(new Int32Array([0, 0]), new Int32Array([0, 1]), new Float32Array([4, 2]), 1, 2);
    const V = new Float32Array([1, 0, 1, 1]);
    const target = new Float32Array(2);
    const alpha = 2;
    const mu = 3;
    bpmfSampleRows(csr.indptr, csr.indices, csr.values, target, V, 2, -1, mu, alpha, new Float64Array([1, 0, 0, 1]), new Float64Array([0.5, 0]), new Float64Array(2), 0, 1);
    // A = I + 2(v1v1ᵀ + v2v2ᵀ) = [[5, 2], [2, 3]]; b = 2(1·(1,0) + (−1)·(1,1)) + (0.5, 0) = (0.5, −2).
    const det = 5 * 3 - 2 * 2;
    const want = [(3 * 0.5 - 2 * -2) / det, (-2 * 0.5 + 5 * -2) / det];
    assert.ok(Math.abs(target[0]! - want[0]!) < 1e-6 && Math.abs(target[1]! - want[1]!) < 1e-6, `${Array.from(target)} vs ${want}`);
  });

  it("with a bias column the fixed column stays 1 and the other side's bias is subtracted", () => {
    // users [u, b_u, 1] (w = 3, fixed column 2), items [v, 1, b_i]: the draw sees r − μ − b_i.
    const csr = buildCsr(new Int32Array([0]), new Int32Array([0]), new Float32Array([4]), 1, 1);
    const items = new Float32Array([1, 1, 0.5]);
    const a = new Float32Array([9, 9, 9]);
    const b = new Float32Array(3);
    const lam = new Float64Array([1, 0, 0, 1]);
    bpmfSampleRows(csr.indptr, csr.indices, csr.values, a, items, 3, 2, 3, 2, lam, new Float64Array(2), new Float64Array(2), 0, 1);
    // Same as a plain k = 2 draw with design (1, 1) against r − μ − b_i = 0.5.
    const plain = buildCsr(new Int32Array([0]), new Int32Array([0]), new Float32Array([3.5]), 1, 1);
    bpmfSampleRows(plain.indptr, plain.indices, plain.values, b, new Float32Array([1, 1]), 2, -1, 3, 2, lam, new Float64Array(2), new Float64Array(2), 0, 1);
    assert.equal(a[2], 1);
    assert.ok(Math.abs(a[0]! - b[0]!) < 1e-6 && Math.abs(a[1]! - b[1]!) < 1e-6);
  });
});

describe("bpmf model", () => {
  it("the wide factor matrix scores the average of the samples' dot products", () => {
    const k = 2;
    const us = [new Float32Array([1, 2, 3, 4]), new Float32Array([0.5, -1, 2, 0])];
    const vs = [new Float32Array([1, 1, -1, 2]), new Float32Array([3, 0, 1, 1])];
    const U = widen(us, 2, k, k);
    const V = widen(vs, 2, k, k);
    assert.equal(U.cols, 4);
    for (let u = 0; u < 2; u++) {
      for (let i = 0; i < 2; i++) {
        let want = 0;
        for (let s = 0; s < 2; s++) for (let f = 0; f < k; f++) want += (us[s]![u * k + f]! * vs[s]![i * k + f]!) / 2;
        let got = 0;
        for (let f = 0; f < 4; f++) got += U.data[u * 4 + f]! * V.data[i * 4 + f]!;
        assert.ok(Math.abs(got - want) < 1e-5);
      }
    }
  });

  it("keeps ⌈(epochs − burnIn)/thin⌉ samples: the model is k·S wide; burnIn ≥ epochs is an error", () => {
    const r = smallRatings(7);
    const m = fitSync(r, { algorithm: "bpmf", factors: 3, epochs: 9, burnIn: 4, thin: 2, seed: 5 });
    assert.equal(bpmfKeptSamples({ epochs: 9, burnIn: 4, thin: 2 }), 3);
    assert.equal(m.factors, 9);
    assert.ok(m.userBias && m.itemBias);
    const plain = fitSync(r, { algorithm: "bpmf", factors: 3, epochs: 9, burnIn: 4, thin: 2, biases: false, seed: 5 });
    assert.equal(plain.userBias, undefined);
    assert.throws(() => resolveBpmfConfig({ epochs: 10, burnIn: 10 }), { code: "E_CONFIG" });
    assert.throws(() => resolveBpmfConfig({ precision: 0 }), { code: "E_CONFIG" });
  });

  it("the chain moves from its start to a better fit and every reported loss is finite", () => {
    const r = smallRatings(8);
    const m = fitSync(r, { algorithm: "bpmf", factors: 3, epochs: 30, burnIn: 5, seed: 1 });
    const first = m.training[0]!.trainRmse!;
    const last = m.training.at(-1)!.trainRmse!;
    assert.ok(last < first, `${first} -> ${last}`);
    assert.ok(m.training.every((t) => Number.isFinite(t.loss)));
  });
});
