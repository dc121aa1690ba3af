import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { choleskyFactor, choleskySolve, dot, symmetrizeLower } from "../../../src/kernels/linalg.js";

describe("linalg", () => {
  it("dot multiplies matching slices", () => {
    const a = Float32Array.of(9, 1, 2, 3);
    const b = Float32Array.of(4, 5, 6, 9);
    assert.equal(dot(a, 1, b, 0, 3), 1 * 4 + 2 * 5 + 3 * 6);
    assert.equal(dot(a, 0, b, 0, 0), 0);
  });

  it("factors [[4, 2], [2, 3]] into L = [[2, 0], [1, √2]] by hand", () => {
    const a = Float64Array.of(4, 0, 2, 3);
    assert.equal(choleskyFactor(a, 2), true);
    assert.equal(a[0], 2);
    assert.equal(a[2], 1);
    assert.ok(Math.abs(a[3]! - Math.SQRT2) < 1e-15);
    assert.equal(a[1], 0, "the upper triangle is left alone");
    // Solve [[4, 2], [2, 3]] x = [8, 7] → x = [1.25, 1.5].
    const b = Float64Array.of(8, 7);
    choleskySolve(a, 2, b);
    assert.ok(Math.abs(b[0]! - 1.25) < 1e-12 && Math.abs(b[1]! - 1.5) < 1e-12, `x = ${b}`);
  });

  it("reports a matrix that is not positive definite", () => {
    assert.equal(choleskyFactor(Float64Array.of(1, 0, 2, 1), 2), false); // eigenvalues 1 ± 2
    assert.equal(choleskyFactor(Float64Array.of(0), 1), false);
    assert.equal(choleskyFactor(Float64Array.of(Number.NaN), 1), false);
  });

  it("symmetrizeLower mirrors the lower triangle", () => {
    const a = Float64Array.of(1, 0, 0, 2, 3, 0, 4, 5, 6);
    symmetrizeLower(a, 3);
    assert.deepEqual(Array.from(a), [1, 2, 4, 2, 3, 5, 4, 5, 6]);
  });
});
