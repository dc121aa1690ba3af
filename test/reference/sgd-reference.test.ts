import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sgdEpoch } from "../../src/train/sgd/kernel.js";
import { testRandom } from "./dense-reference.js";

/** The textbook per-rating loop (Surprise's SVD.sgd) over plain number arrays in double precision. */
function naiveEpoch(
  ratings: Array<[number, number, number]>,
  order: number[],
  p: number[][],
  q: number[][],
  bu: number[],
  bi: number[],
  mu: number,
  lr: number,
  regB: number,
  regF: number,
  biases: boolean,
): number {
  let sse = 0;
  for (const n of order) {
    const [u, i, r] = ratings[n]!;
    let dot = 0;
    for (let f = 0; f < p[u]!.length; f++) dot += q[i]![f]! * p[u]![f]!;
    const est = biases ? mu + bu[u]! + bi[i]! + dot : dot;
    const err = r - est;
    sse += err * err;
    if (biases) {
      bu[u]! += lr * (err - regB * bu[u]!);
      bi[i]! += lr * (err - regB * bi[i]!);
    }
    for (let f = 0; f < p[u]!.length; f++) {
      const puf = p[u]![f]!;
      const qif = q[i]![f]!;
      p[u]![f]! += lr * (err * qif - regF * puf);
      q[i]![f]! += lr * (err * puf - regF * qif);
    }
  }
  return sse;
}

describe("SGD epoch vs a naive per-rating loop", () => {
  for (const biases of [true, false]) {
    it(`matches on tiny data (biases ${biases})`, () => {
      const rnd = testRandom(biases ? 21 : 22);
      const nu = 4;
      const ni = 5;
      const k = 3;
      const ratings: Array<[number, number, number]> = [];
      for (let u = 0; u < nu; u++) for (let i = 0; i < ni; i++) if (rnd() < 0.6) ratings.push([u, i, 1 + Math.floor(rnd() * 5)]);
      const order = ratings.map((_, n) => n).reverse(); // a non-identity order
      const p = Array.from({ length: nu }, () => Array.from({ length: k }, () => Math.fround(rnd() * 0.2 - 0.1)));
      const q = Array.from({ length: ni }, () => Array.from({ length: k }, () => Math.fround(rnd() * 0.2 - 0.1)));
      const bu = new Array<number>(nu).fill(0);
      const bi = new Array<number>(ni).fill(0);
      const mu = biases ? ratings.reduce((s, r) => s + r[2], 0) / ratings.length : 0;
      const P = Float32Array.from(p.flat());
      const Q = Float32Array.from(q.flat());
      const BU = biases ? new Float32Array(nu) : new Float32Array(0);
      const BI = biases ? new Float32Array(ni) : new Float32Array(0);
      const users = Int32Array.from(ratings.map((r) => r[0]));
      const items = Int32Array.from(ratings.map((r) => r[1]));
      const values = Float32Array.from(ratings.map((r) => r[2]));
      let sseRef = 0;
      let sse = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        sseRef = naiveEpoch(ratings, order, p, q, bu, bi, mu, 0.05, 0.02, 0.04, biases);
        sse = sgdEpoch(users, items, values, Int32Array.from(order), 0, order.length, P, Q, BU, BI, k, mu, 0.05, 0.02, 0.04);
      }
      assert.ok(Math.abs(sse - sseRef) < 1e-4 * sseRef, `sse ${sse} vs ${sseRef}`);
      for (let u = 0; u < nu; u++) for (let f = 0; f < k; f++) assert.ok(Math.abs(P[u * k + f]! - p[u]![f]!) < 1e-5, `p[${u}][${f}]`);
      for (let i = 0; i < ni; i++) for (let f = 0; f < k; f++) assert.ok(Math.abs(Q[i * k + f]! - q[i]![f]!) < 1e-5, `q[${i}][${f}]`);
      if (biases) {
        for (let u = 0; u < nu; u++) assert.ok(Math.abs(BU[u]! - bu[u]!) < 1e-5, `bu[${u}]`);
        for (let i = 0; i < ni; i++) assert.ok(Math.abs(BI[i]! - bi[i]!) < 1e-5, `bi[${i}]`);
      }
    });
  }

  it("visits only positions [start, end) of the order", () => {
    const users = Int32Array.of(0, 1);
    const items = Int32Array.of(0, 1);
    const values = Float32Array.of(5, 5);
    const P = Float32Array.of(0.1, 0.1);
    const Q = Float32Array.of(0.1, 0.1);
    sgdEpoch(users, items, values, Int32Array.of(1, 0), 0, 1, P, Q, new Float32Array(0), new Float32Array(0), 1, 0, 0.1, 0, 0);
    assert.equal(P[0], Math.fround(0.1));
    assert.notEqual(P[1], Math.fround(0.1));
  });
});
