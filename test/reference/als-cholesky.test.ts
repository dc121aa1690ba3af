import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alsExplicitHalfSweep } from "../../src/kernels/als-explicit.js";
import { choleskyFactor, choleskySolve } from "../../src/kernels/linalg.js";
import { buildCsr } from "../../src/matrix/csr.js";
import { gaussSolve, type RowProblem, ridgeGradient, ridgeSolve, testRandom } from "./dense-reference.js";

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let n = 0; n < expected.length; n++) {
    const e = expected[n]!;
    assert.ok(Math.abs(actual[n]! - e) <= tol * (1 + Math.abs(e)), `${what}[${n}]: ${actual[n]} vs reference ${e}`);
  }
}

describe("Cholesky vs Gaussian elimination", () => {
  for (const n of [1, 2, 3, 7, 16, 33]) {
    it(`solves a random SPD system of size ${n}`, () => {
      const rnd = testRandom(1000 + n);
      const m = Array.from({ length: n }, () => Array.from({ length: n }, () => rnd() * 2 - 1));
      // A = M Mᵀ + 0.5 I is symmetric positive definite.
      const a = m.map((ri, i) => m.map((rj, j) => ri.reduce((s, v, f) => s + v * rj[f]!, 0) + (i === j ? 0.5 : 0)));
      const b = Array.from({ length: n }, () => rnd() * 4 - 2);
      const flat = new Float64Array(n * n);
      // Only the lower triangle is passed; poison the upper one to prove it is never read.
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) flat[i * n + j] = j <= i ? a[i]![j]! : Number.NaN;
      assert.equal(choleskyFactor(flat, n), true);
      const x = Float64Array.from(b);
      choleskySolve(flat, n, x);
      close(x, gaussSolve(a, b), 1e-9, "x");
    });
  }
});

/** A small random CSR problem: rows × cols with ~half the cells rated, row 2 empty. */
function problem(seed: number, rows: number, cols: number, k: number) {
  const rnd = testRandom(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (i === 2) continue;
    for (let j = 0; j < cols; j++) {
      if (rnd() < 0.5 || j === i % cols) {
        r.push(i);
        c.push(j);
        v.push(1 + Math.round(rnd() * 4));
      }
    }
  }
  const csr = buildCsr(Int32Array.from(r), Int32Array.from(c), Float32Array.from(v), rows, cols);
  const y = Float32Array.from({ length: cols * k }, () => rnd() * 2 - 1);
  const yBias = Float32Array.from({ length: cols }, () => rnd() - 0.5);
  return { csr, y, yBias };
}

/** The reference row problem the kernel claims to solve for row `row`. */
function rowProblem(
  p: ReturnType<typeof problem>,
  row: number,
  k: number,
  mu: number,
  reg: number,
  regBias: number,
  weighted: boolean,
  bias: boolean,
): RowProblem {
  const { csr, y, yBias } = p;
  const design: number[][] = [];
  const targets: number[] = [];
  for (let q = csr.indptr[row]!; q < csr.indptr[row + 1]!; q++) {
    const j = csr.indices[q]!;
    const yj = Array.from(y.subarray(j * k, (j + 1) * k));
    design.push(bias ? [1, ...yj] : yj);
    targets.push(bias ? csr.values[q]! - mu - yBias[j]! : csr.values[q]!);
  }
  const s = weighted ? design.length : 1;
  const penalty = bias ? [regBias * s, ...new Array<number>(k).fill(reg * s)] : new Array<number>(k).fill(reg * s);
  return { design, targets, penalty };
}

describe("ALS half-sweep vs dense normal equations", () => {
  const k = 5;
  const rows = 9;
  const cols = 12;
  for (const bias of [false, true]) {
    for (const weighted of [false, true]) {
      it(`gives each row the exact ridge minimiser (biases ${bias}, weighted ${weighted})`, () => {
        const p = problem(bias ? 7 : 8, rows, cols, k);
        const mu = bias ? 3.2 : 0;
        const reg = 0.3;
        const regBias = 0.07;
        const x = new Float32Array(rows * k).fill(9); // stale values must be overwritten
        const xBias = bias ? new Float32Array(rows).fill(9) : new Float32Array(0);
        const yBias = bias ? p.yBias : new Float32Array(0);
        const fallbacks = alsExplicitHalfSweep(p.csr.indptr, p.csr.indices, p.csr.values, x, xBias, p.y, yBias, k, mu, reg, regBias, weighted, 0, rows);
        assert.equal(fallbacks, 0);
        for (let row = 0; row < rows; row++) {
          const rp = rowProblem(p, row, k, mu, reg, regBias, weighted, bias);
          const got = [...(bias ? [xBias[row]!] : []), ...x.subarray(row * k, (row + 1) * k)];
          if (rp.design.length === 0) {
            assert.deepEqual(got, new Array<number>(got.length).fill(0), `empty row ${row} gets zeros`);
            continue;
          }
          close(got, ridgeSolve(rp), 2e-5, `row ${row}`);
          // First-order optimality: the gradient of the row objective vanishes at the solution.
          const grad = ridgeGradient(rp, got);
          const scale = 1 + rp.targets.reduce((s, t) => s + Math.abs(t), 0);
          for (const gv of grad) assert.ok(Math.abs(gv) < 1e-4 * scale, `row ${row}: gradient ${gv} is not ≈ 0`);
        }
      });
    }
  }

  it("solves only the rows in [start, end)", () => {
    const p = problem(11, rows, cols, k);
    const x = new Float32Array(rows * k).fill(7);
    alsExplicitHalfSweep(p.csr.indptr, p.csr.indices, p.csr.values, x, new Float32Array(0), p.y, new Float32Array(0), k, 0, 0.1, 0.1, false, 3, 6);
    for (let n = 0; n < rows * k; n++) {
      const inside = n >= 3 * k && n < 6 * k;
      assert.equal(x[n] === 7, !inside, `entry ${n}`);
    }
  });

  it("falls back to a tiny ridge when λ ≈ 0 leaves a row singular, and still fits the data", () => {
    // One rating, k = 3: the Gram matrix y yᵀ has rank 1.
    const csr = buildCsr(Int32Array.of(0), Int32Array.of(0), Float32Array.of(4), 1, 1);
    const y = Float32Array.of(1, 2, 2);
    const x = new Float32Array(3);
    const fallbacks = alsExplicitHalfSweep(csr.indptr, csr.indices, csr.values, x, new Float32Array(0), y, new Float32Array(0), 3, 0, 0, 0, false, 0, 1);
    assert.equal(fallbacks, 1);
    const pred = x[0]! * 1 + x[1]! * 2 + x[2]! * 2;
    assert.ok(Math.abs(pred - 4) < 1e-3, `prediction ${pred}`);
    for (const v of x) assert.ok(Number.isFinite(v));
  });
});
