import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sgdEpoch } from "../../../src/train/sgd/kernel.js";

describe("SGD kernel", () => {
  it("one update by hand", () => {
    // μ = 3, b = 0, p = [1], q = [0.5], r = 4: e = 4 − 3.5 = 0.5, γ = 0.1, λ_b = 0.2, λ_f = 0.4
    const P = Float32Array.of(1);
    const Q = Float32Array.of(0.5);
    const bu = Float32Array.of(0);
    const bi = Float32Array.of(0);
    const sse = sgdEpoch(Int32Array.of(0), Int32Array.of(0), Float32Array.of(4), Int32Array.of(0), 0, 1, P, Q, bu, bi, 1, 3, 0.1, 0.2, 0.4);
    assert.equal(sse, 0.25);
    assert.equal(bu[0], Math.fround(0.05)); // 0 + 0.1·(0.5 − 0)
    assert.equal(bi[0], Math.fround(0.05));
    assert.ok(Math.abs(P[0]! - (1 + 0.1 * (0.5 * 0.5 - 0.4 * 1))) < 1e-7, `p ${P[0]}`); // 0.985
    assert.ok(Math.abs(Q[0]! - (0.5 + 0.1 * (0.5 * 1 - 0.4 * 0.5))) < 1e-7, `q ${Q[0]}`); // 0.53 (from the old p)
  });

  it("reduces the training error on a consistent rank-1 problem", () => {
    const users = Int32Array.of(0, 0, 1, 1);
    const items = Int32Array.of(0, 1, 0, 1);
    const values = Float32Array.of(1, 2, 2, 4); // = [1, 2]ᵀ[1, 2]
    const P = Float32Array.of(0.5, 0.5);
    const Q = Float32Array.of(0.5, 0.5);
    const order = Int32Array.of(0, 1, 2, 3);
    let first = 0;
    let last = 0;
    for (let e = 0; e < 500; e++) {
      last = sgdEpoch(users, items, values, order, 0, 4, P, Q, new Float32Array(0), new Float32Array(0), 1, 0, 0.05, 0, 0);
      if (e === 0) first = last;
    }
    assert.ok(last < first / 100 && last < 1e-4, `sse ${first} → ${last}`);
  });
});
