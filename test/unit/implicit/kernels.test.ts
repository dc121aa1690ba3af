import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../../src/core/rng.js";
import { fullGramian, type WeightedAlsArgs, weightedAlsHalfSweep, weightedAlsLoss } from "../../../src/kernels/implicit-als.js";

/** A small random weighted problem: rows × cols with ~30% observed cells. */
function problem(seed: number, rows = 6, cols = 9, k = 3) {
  const rng = new Rng(seed);
  const indptr = [0];
  const indices: number[] = [];
  const extra: number[] = [];
  const target: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (rng.next() < 0.3) {
        indices.push(c);
        extra.push(rng.next() * 3);
        target.push(rng.next() < 0.8 ? 1 : 0.5);
      }
    }
    indptr.push(indices.length);
  }
  const Y = new Float32Array(cols * k);
  rng.fillNormal(Y, 0, 1);
  const X = new Float32Array(rows * k);
  rng.fillNormal(X, 0, 0.1);
  return { rows, cols, k, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), extra: Float32Array.from(extra), target: Float32Array.from(target), X, Y };
}

/** The slow, obvious reference: the dense weight matrix, normal equations, Gaussian elimination. */
function denseSolve(p: ReturnType<typeof problem>, w0: number, lambda: number, nu: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < p.rows; r++) {
    const W = new Array(p.cols).fill(w0);
    const T = new Array(p.cols).fill(0);
    for (let q = p.indptr[r]!; q < p.indptr[r + 1]!; q++) {
      W[p.indices[q]!] = w0 + p.extra[q]!;
      T[p.indices[q]!] = p.target[q]!;
    }
    const n = p.indptr[r + 1]! - p.indptr[r]!;
    const reg = nu === 0 ? lambda : lambda * (n + w0 * p.cols) ** nu;
    const A = Array.from({ length: p.k }, (_, a) => Array.from({ length: p.k + 1 }, (_, b) => (a === b ? reg : 0)));
    for (let c = 0; c < p.cols; c++) {
      for (let a = 0; a < p.k; a++) {
        for (let b = 0; b < p.k; b++) A[a]![b]! += W[c] * p.Y[c * p.k + a]! * p.Y[c * p.k + b]!;
        A[a]![p.k]! += W[c] * T[c] * p.Y[c * p.k + a]!;
      }
    }
    for (let i = 0; i < p.k; i++) {
      for (let j = i + 1; j < p.k; j++) {
        const f = A[j]![i]! / A[i]![i]!;
        for (let c = i; c <= p.k; c++) A[j]![c]! -= f * A[i]![c]!;
      }
    }
    const x = new Array(p.k).fill(0);
    for (let i = p.k - 1; i >= 0; i--) {
      let s = A[i]![p.k]!;
      for (let j = i + 1; j < p.k; j++) s -= A[i]![j]! * x[j];
      x[i] = s / A[i]![i]!;
    }
    out.push(x);
  }
  return out;
}

function args(p: ReturnType<typeof problem>, w0: number, lambda: number, nu: number, solver: 0 | 1, cgSteps: number): WeightedAlsArgs {
  return { indptr: p.indptr, indices: p.indices, extra: p.extra, target: p.target, X: p.X, Y: p.Y, k: p.k, gram: fullGramian(p.Y, p.cols, p.k), w0, lambda, nu, nCols: p.cols, solver, cgSteps };
}

for (const [w0, lambda, nu] of [
  [1, 0.1, 0],
  [0.3, 0.01, 1],
  [0.05, 0.5, 0.5],
] as const) {
  test(`Cholesky and converged CG equal the dense normal equations (w0=${w0}, λ=${lambda}, ν=${nu})`, () => {
    const ref = denseSolve(problem(1), w0, lambda, nu);
    for (const [solver, steps] of [
      [1, 0],
      [0, 50],
    ] as const) {
      const p = problem(1);
      weightedAlsHalfSweep(args(p, w0, lambda, nu, solver, steps), 0, p.rows);
      for (let r = 0; r < p.rows; r++) for (let f = 0; f < p.k; f++) assert.ok(Math.abs(p.X[r * p.k + f]! - ref[r]![f]!) < 1e-4, `solver ${solver} row ${r}: ${p.X[r * p.k + f]} vs ${ref[r]![f]}`);
    }
  });
}

test("three CG steps lower the loss from the warm start and approach the exact solve", () => {
  const p = problem(2, 8, 12, 4);
  const a = args(p, 1, 0.1, 0, 0, 3);
  const before = weightedAlsLoss(a, 0, p.rows);
  weightedAlsHalfSweep(a, 0, p.rows);
  const afterCg = weightedAlsLoss(a, 0, p.rows);
  weightedAlsHalfSweep({ ...a, solver: 1 }, 0, p.rows);
  const exact = weightedAlsLoss(a, 0, p.rows);
  assert.ok(afterCg < before, `${afterCg} < ${before}`);
  assert.ok(exact <= afterCg + 1e-9 && afterCg - exact < 0.1 * (before - exact), `cg ${afterCg}, exact ${exact}, start ${before}`);
});

test("the loss without unobserved cells equals the dense sum over every cell", () => {
  const p = problem(3);
  const w0 = 0.4;
  const lambda = 0.2;
  const a = args(p, w0, lambda, 0, 1, 0);
  let dense = 0;
  for (let r = 0; r < p.rows; r++) {
    const W = new Array(p.cols).fill(w0);
    const T = new Array(p.cols).fill(0);
    for (let q = p.indptr[r]!; q < p.indptr[r + 1]!; q++) {
      W[p.indices[q]!] = w0 + p.extra[q]!;
      T[p.indices[q]!] = p.target[q]!;
    }
    let norm = 0;
    for (let f = 0; f < p.k; f++) norm += p.X[r * p.k + f]! ** 2;
    dense += lambda * norm;
    for (let c = 0; c < p.cols; c++) {
      let s = 0;
      for (let f = 0; f < p.k; f++) s += p.X[r * p.k + f]! * p.Y[c * p.k + f]!;
      dense += W[c] * (T[c] - s) ** 2;
    }
  }
  assert.ok(Math.abs(weightedAlsLoss(a, 0, p.rows) - dense) < 1e-6 * Math.max(1, dense));
});

test("a row range touches only its rows (shards compose)", () => {
  const whole = problem(4);
  weightedAlsHalfSweep(args(whole, 1, 0.1, 0, 0, 3), 0, whole.rows);
  const parts = problem(4);
  const a = args(parts, 1, 0.1, 0, 0, 3);
  weightedAlsHalfSweep(a, 0, 2);
  weightedAlsHalfSweep(a, 2, parts.rows);
  assert.deepEqual(parts.X, whole.X);
});
