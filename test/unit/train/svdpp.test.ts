import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { svdppEpoch, svdppFoldUsers } from "../../../src/train/svdpp/kernel.js";
import { buildCsr } from "../../../src/matrix/csr.js";
import { fitSync, trainingData } from "../../../src/train/fit.js";
import { normalFactors } from "../../../src/train/init.js";
import { resolveSvdppConfig } from "../../../src/train/svdpp/svdpp.js";
import { smallRatings } from "./explicit-fixtures.js";

interface State {
  P: Float64Array;
  Q: Float64Array;
  Y: Float64Array;
  bu: Float64Array;
  bi: Float64Array;
}

/** Surprise's SVDpp.sgd, literally: every y_j of the user is touched at every rating (O(|N(u)|·k) each). */
function surpriseEpoch(indptr: Int32Array, indices: Int32Array, values: Float32Array, s: State, k: number, mu: number, lr: number, regB: number, regF: number, regY: number): void {
  for (let u = 0; u + 1 < indptr.length; u++) {
    const p0 = indptr[u]!;
    const p1 = indptr[u + 1]!;
    const sq = Math.sqrt(p1 - p0);
    for (let p = p0; p < p1; p++) {
      const i = indices[p]!;
      const impl = new Float64Array(k);
      for (let q = p0; q < p1; q++) for (let f = 0; f < k; f++) impl[f]! += s.Y[indices[q]! * k + f]! / sq;
      let est = mu + s.bu[u]! + s.bi[i]!;
      for (let f = 0; f < k; f++) est += s.Q[i * k + f]! * (s.P[u * k + f]! + impl[f]!);
      const err = values[p]! - est;
      s.bu[u]! += lr * (err - regB * s.bu[u]!);
      s.bi[i]! += lr * (err - regB * s.bi[i]!);
      for (let f = 0; f < k; f++) {
        const puf = s.P[u * k + f]!;
        const qif = s.Q[i * k + f]!;
        s.P[u * k + f] = puf + lr * (err * qif - regF * puf);
        s.Q[i * k + f] = qif + lr * (err * (puf + impl[f]!) - regF * qif);
        for (let q = p0; q < p1; q++) {
          const j = indices[q]! * k + f;
          s.Y[j] = s.Y[j]! + lr * ((err * qif) / sq - regY * s.Y[j]!);
        }
      }
    }
  }
}

/** ½[e² + λ_b(b_u² + b_i²) + λ_f(‖p‖² + ‖q‖²) + λ_y Σ_j‖y_j‖²] of one rating. */
function ratingLoss(s: State, u: number, i: number, r: number, items: number[], k: number, mu: number, regB: number, regF: number, regY: number): number {
  const sq = Math.sqrt(items.length);
  let est = mu + s.bu[u]! + s.bi[i]!;
  for (let f = 0; f < k; f++) {
    let z = 0;
    for (const j of items) z += s.Y[j * k + f]! / sq;
    est += s.Q[i * k + f]! * (s.P[u * k + f]! + z);
  }
  const e = r - est;
  let reg = regB * (s.bu[u]! ** 2 + s.bi[i]! ** 2);
  for (let f = 0; f < k; f++) reg += regF * (s.P[u * k + f]! ** 2 + s.Q[i * k + f]! ** 2);
  for (const j of items) for (let f = 0; f < k; f++) reg += regY * s.Y[j * k + f]! ** 2;
  return 0.5 * (e * e + reg);
}

const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);

describe("svdpp kernel", () => {
  const r = smallRatings(5);
  const { byUser } = trainingData(r);
  const k = 3;

  it("equals Surprise's per-rating loop (the O(nnz·k) pass keeps the y_j and their sum exactly)", () => {
    const init = (n: number, seed: number) => Float64Array.from(normalFactors(n, k, seed, "t", 0, 0.1).data);
    const ref: State = { P: init(byUser.rows, 1), Q: init(byUser.cols, 2), Y: init(byUser.cols, 3), bu: new Float64Array(byUser.rows), bi: new Float64Array(byUser.cols) };
    const P = f32(ref.P);
    const Q = f32(ref.Q);
    const Y = f32(ref.Y);
    const bu = new Float32Array(byUser.rows);
    const bi = new Float32Array(byUser.cols);
    for (let e = 0; e < 3; e++) {
      surpriseEpoch(byUser.indptr, byUser.indices, byUser.values, ref, k, 3, 0.02, 0.02, 0.05, 0.07);
      svdppEpoch(byUser.indptr, byUser.indices, byUser.values, 0, byUser.rows, P, Q, Y, bu, bi, k, 3, 0.02, 0.02, 0.05, 0.07);
    }
    const close = (a: Float32Array, b: Float64Array, what: string) => {
      b.forEach((v, n) => {
        assert.ok(Math.abs(a[n]! - v) < 1e-4, `${what}[${n}] ${a[n]} vs ${v}`);
      });
    };
    close(P, ref.P, "P");
    close(Q, ref.Q, "Q");
    close(Y, ref.Y, "Y");
    close(bu, ref.bu, "b_u");
    close(bi, ref.bi, "b_i");
  });

  it("one step is −γ times the gradient of the rating's loss (central finite differences)", () => {
    // One user (0) with two rated items; the pass takes two steps, so check the first by a user with one rating.
    const csr = buildCsr(new Int32Array([0]), new Int32Array([1]), new Float32Array([4]), 1, 3);
    const s: State = {
      P: Float64Array.from([0.3, -0.2, 0.5]),
      Q: Float64Array.from([0.1, 0.2, 0.3, -0.4, 0.25, 0.6, 0.7, -0.1, 0.2]),
      Y: Float64Array.from([0.05, 0.1, -0.2, 0.3, -0.15, 0.2, 0.1, 0.1, 0.1]),
      bu: Float64Array.from([0.1]),
      bi: Float64Array.from([0.2, -0.3, 0.05]),
    };
    const [regB, regF, regY, mu, lr] = [0.1, 0.2, 0.3, 3, 1e-3];
    const P = f32(s.P);
    const Q = f32(s.Q);
    const Y = f32(s.Y);
    const bu = f32(s.bu);
    const bi = f32(s.bi);
    svdppEpoch(csr.indptr, csr.indices, csr.values, 0, 1, P, Q, Y, bu, bi, k, mu, lr, regB, regF, regY);
    const loss = () => ratingLoss(s, 0, 1, 4, [1], k, mu, regB, regF, regY);
    const check = (name: string, arr: Float64Array, after: Float32Array, n: number) => {
      const h = 1e-6;
      const v = arr[n]!;
      arr[n] = v + h;
      const up = loss();
      arr[n] = v - h;
      const down = loss();
      arr[n] = v;
      const grad = (up - down) / (2 * h);
      const step = (after[n]! - v) / -lr;
      assert.ok(Math.abs(step - grad) < 2e-3 * Math.max(1, Math.abs(grad)), `${name}[${n}]: step/−γ ${step} vs gradient ${grad}`);
    };
    for (let f = 0; f < k; f++) {
      check("p", s.P, P, f);
      check("q", s.Q, Q, k + f);
      check("y", s.Y, Y, k + f);
    }
    check("b_u", s.bu, bu, 0);
    check("b_i", s.bi, bi, 1);
    // Items the user did not rate are untouched.
    assert.equal(Q[0], Math.fround(s.Q[0]!));
    assert.equal(Y[0], Math.fround(s.Y[0]!));
  });

  it("folds |N(u)|^(−½) Σ y_j into the user row", () => {
    const csr = buildCsr(new Int32Array([0, 0, 1]), new Int32Array([0, 2, 1]), new Float32Array([1, 2, 3]), 3, 3);
    const P = new Float32Array([1, 1, 2, 2, 3, 3]);
    const Y = new Float32Array([1, 0, 5, 5, 0, 1]);
    const out = new Float32Array(6);
    svdppFoldUsers(csr.indptr, csr.indices, P, Y, 2, out, 0, 3);
    const s = 1 / Math.SQRT2;
    assert.deepEqual(Array.from(out), [1 + s, 1 + s, 7, 7, 3, 3].map(Math.fround));
  });
});

describe("svdpp trainer", () => {
  it("the model scores known users exactly as μ + b_u + b_i + q_i·(p_u + |N(u)|^(−½) Σ y_j) of a reference fit", () => {
    const r = ratingsFromArray([
      { user: "a", item: "x", rating: 5 },
      { user: "a", item: "y", rating: 3 },
      { user: "b", item: "y", rating: 4 },
      { user: "b", item: "z", rating: 1 },
      { user: "c", item: "x", rating: 2 },
    ]);
    const cfg = resolveSvdppConfig({ factors: 2, epochs: 2, seed: 9 });
    const m = fitSync(r, cfg);
    const { byUser } = trainingData(r);
    const k = 2;
    const s: State = {
      P: Float64Array.from(normalFactors(3, k, 9, "init-users", 0, cfg.initStd).data),
      Q: Float64Array.from(normalFactors(3, k, 9, "init-items", 0, cfg.initStd).data),
      Y: Float64Array.from(normalFactors(3, k, 9, "init-implicit", 0, cfg.initStd).data),
      bu: new Float64Array(3),
      bi: new Float64Array(3),
    };
    const mu = 3;
    for (let e = 0; e < 2; e++) surpriseEpoch(byUser.indptr, byUser.indices, byUser.values, s, k, mu, cfg.learningRate * cfg.learningRateDecay ** e, cfg.regBias, cfg.regFactors, cfg.regImplicit);
    for (let u = 0; u < 3; u++) {
      const items = Array.from(byUser.indices.subarray(byUser.indptr[u]!, byUser.indptr[u + 1]!));
      for (let i = 0; i < 3; i++) {
        let want = mu + s.bu[u]! + s.bi[i]!;
        for (let f = 0; f < k; f++) {
          let z = 0;
          for (const j of items) z += s.Y[j * k + f]! / Math.sqrt(items.length);
          want += s.Q[i * k + f]! * (s.P[u * k + f]! + z);
        }
        assert.ok(Math.abs(m.scoreIndex(u, i) - want) < 1e-5, `(${u}, ${i}) ${m.scoreIndex(u, i)} vs ${want}`);
      }
    }
  });

  it("presets: surprise gives Surprise's SVDpp defaults; regularization is an input shorthand", () => {
    const c = resolveSvdppConfig({ preset: "surprise" });
    assert.equal(c.factors, 20);
    assert.equal(c.epochs, 20);
    assert.equal(c.learningRate, 0.007);
    assert.equal(c.regFactors, 0.02);
    const g = resolveSvdppConfig({ regularization: 0.3, regBias: 0.1 });
    assert.equal(g.regFactors, 0.3);
    assert.equal(g.regImplicit, 0.3);
    assert.equal(g.regBias, 0.1);
    assert.equal("regularization" in g, false);
    assert.throws(() => resolveSvdppConfig({ factor: 3 } as never), { code: "E_CONFIG" });
  });
});
