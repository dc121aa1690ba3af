import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alsExplicitHalfSweep } from "../../../src/kernels/als-explicit.js";
import { explicitSquaredError, weightedSquaredNorms } from "../../../src/kernels/explicit-loss.js";
import { buildCsr } from "../../../src/matrix/csr.js";

const NONE = new Float32Array(0);

describe("explicit ALS kernel", () => {
  it("solves a k = 1 row by hand: x = Σ v y / (Σ y² + λ)", () => {
    // Row 0 rated items 0 and 1 with 3 and 4; y = [1, 2]; λ = 1 → x = (3 + 8) / (1 + 4 + 1) = 11/6.
    const csr = buildCsr(Int32Array.of(0, 0), Int32Array.of(0, 1), Float32Array.of(3, 4), 1, 2);
    const x = new Float32Array(1);
    alsExplicitHalfSweep(csr.indptr, csr.indices, csr.values, x, NONE, Float32Array.of(1, 2), NONE, 1, 0, 1, 1, false, 0, 1);
    assert.equal(x[0], Math.fround(11 / 6));
    // ALS-WR: λ·n = 2 → 11/7.
    alsExplicitHalfSweep(csr.indptr, csr.indices, csr.values, x, NONE, Float32Array.of(1, 2), NONE, 1, 0, 1, 1, true, 0, 1);
    assert.equal(x[0], Math.fround(11 / 7));
  });

  it("with biases and Y = 0 the bias is the damped mean residual: b = Σ(v − μ − c) / (n + λ_b)", () => {
    const csr = buildCsr(Int32Array.of(0, 0, 0), Int32Array.of(0, 1, 2), Float32Array.of(5, 4, 3), 1, 3);
    const x = new Float32Array(2);
    const xb = new Float32Array(1);
    const yb = Float32Array.of(0.5, 0, -0.5);
    alsExplicitHalfSweep(csr.indptr, csr.indices, csr.values, x, xb, new Float32Array(6), yb, 2, 3, 10, 0.5, false, 0, 1);
    // residuals: 5−3−0.5 = 1.5, 4−3−0 = 1, 3−3+0.5 = 0.5 → 3 / 3.5
    assert.ok(Math.abs(xb[0]! - 3 / 3.5) < 1e-6, `bias ${xb[0]}`);
    assert.deepEqual(Array.from(x), [0, 0]);
  });

  it("handles rows longer than one gather block", () => {
    // 300 ratings of one row (> 128 per block) with y_j = 1: x = Σv / (n + λ).
    const n = 300;
    const cols = Int32Array.from({ length: n }, (_, j) => j);
    const vals = Float32Array.from({ length: n }, (_, j) => 1 + (j % 5));
    const csr = buildCsr(new Int32Array(n), cols, vals, 1, n);
    const x = new Float32Array(1);
    alsExplicitHalfSweep(csr.indptr, csr.indices, csr.values, x, NONE, new Float32Array(n).fill(1), NONE, 1, 0, 2, 2, false, 0, 1);
    const sum = vals.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(x[0]! - sum / (n + 2)) < 1e-5, `${x[0]} vs ${sum / (n + 2)}`);
  });

  it("explicitSquaredError and weightedSquaredNorms by hand", () => {
    const csr = buildCsr(Int32Array.of(0, 1), Int32Array.of(0, 0), Float32Array.of(4, 2), 2, 1);
    const x = Float32Array.of(1, 2); // k = 1
    const y = Float32Array.of(3);
    // predictions 3 and 6 → errors 1, −4 → 17
    assert.equal(explicitSquaredError(csr.indptr, csr.indices, csr.values, x, NONE, y, NONE, 1, 0, 0, 2), 17);
    // with μ = 1, b = [0, −1], c = [0.5]: predictions 4.5 and 6.5 → 0.25 + 20.25
    assert.equal(explicitSquaredError(csr.indptr, csr.indices, csr.values, x, Float32Array.of(0, -1), y, Float32Array.of(0.5), 1, 1, 0, 2), 20.5);
    assert.equal(weightedSquaredNorms(Float32Array.of(1, 2, 3, 4), 2, Int32Array.of(0, 3, 4), true, 0, 2), 5 * 3 + 25 * 1);
    assert.equal(weightedSquaredNorms(Float32Array.of(1, 2, 3, 4), 2, Int32Array.of(0, 3, 4), false, 0, 2), 30);
  });
});
