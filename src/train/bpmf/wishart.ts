/**
 * Samplers for Bayesian matrix factorisation (BPMF): gamma and chi-square variates (Marsaglia–Tsang),
 * Wishart matrices (Bartlett decomposition), and the Normal-Wishart posterior draw of a factor
 * matrix's hyper-parameters. Every draw comes from the caller's seeded Rng, so a fixed seed gives
 * the same bytes. Matrices are row-major k×k Float64Arrays; scratch is passed in, nothing allocates.
 */
import type { Rng } from "../../core/rng.js";
import { choleskyFactor } from "../../kernels/linalg.js";

/**
 * A Gamma(shape, 1) variate by Marsaglia & Tsang (2000): d = a − ⅓, c = 1/√(9d), v = (1 + c·x)³ with
 * x ~ N(0,1), accepted when ln u < x²/2 + d − d·v + d·ln v; shape < 1 uses Gamma(a + 1)·u^(1/a).
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.next();
    return sampleGamma(rng, shape + 1) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A χ²(dof) variate: 2·Gamma(dof/2, 1). */
export function sampleChiSquare(rng: Rng, dof: number): number {
  return 2 * sampleGamma(rng, dof / 2);
}

/**
 * Λ ~ Wishart(W, ν) (E[Λ] = ν·W) by the Bartlett decomposition: with W = L·Lᵀ (`scaleChol` holds L in
 * its lower triangle), A lower triangular with A_ii = √χ²(ν − i) (i = 0…k−1) and A_ij ~ N(0, 1) for
 * i > j, Λ = (L·A)(L·A)ᵀ. Needs ν > k − 1. `out` receives the full symmetric k×k matrix; `scratch` is k×k.
 */
export function sampleWishart(rng: Rng, scaleChol: Float64Array, k: number, dof: number, out: Float64Array, scratch: Float64Array): void {
  if (!(dof > k - 1)) throw new RangeError(`Wishart degrees of freedom must exceed k − 1 = ${k - 1}, got ${dof}`);
  const A = out; // A is built in `out`, then B = L·A goes to scratch, then Λ = B·Bᵀ back to out.
  A.fill(0, 0, k * k);
  for (let i = 0; i < k; i++) {
    A[i * k + i] = Math.sqrt(sampleChiSquare(rng, dof - i));
    for (let j = 0; j < i; j++) A[i * k + j] = rng.normal();
  }
  const B = scratch;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = j; p <= i; p++) s += scaleChol[i * k + p]! * A[p * k + j]!;
      B[i * k + j] = s;
    }
    for (let j = i + 1; j < k; j++) B[i * k + j] = 0;
  }
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p <= j; p++) s += B[i * k + p]! * B[j * k + p]!;
      out[i * k + j] = s;
      out[j * k + i] = s;
    }
  }
}

/** Solve Lᵀ·x = z in place (`z` becomes x) for the lower-triangular L of a Cholesky factor. */
export function solveUpperFromLower(l: Float64Array, n: number, z: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < n; p++) s -= l[p * n + i]! * z[p]!;
    z[i] = s / l[i * n + i]!;
  }
}

/** Scratch for {@link sampleNormalWishart}: allocate once per fit. */
export interface NormalWishartScratch {
  mean: Float64Array;
  m: Float64Array;
  inv: Float64Array;
  col: Float64Array;
  a: Float64Array;
  b: Float64Array;
}

/** Scratch buffers for k factors. */
export function normalWishartScratch(k: number): NormalWishartScratch {
  return { mean: new Float64Array(k), m: new Float64Array(k * k), inv: new Float64Array(k * k), col: new Float64Array(k), a: new Float64Array(k * k), b: new Float64Array(k * k) };
}

/**
 * One Gibbs draw of (μ, Λ) for the N rows of `x` (rows × k) under the Normal-Wishart prior with
 * μ₀ = 0, β₀, ν₀ and W₀ = w₀·I (Salakhutdinov & Mnih 2008, eq. 14):
 *   x̄ = mean row, S = Σ (x_r − x̄)(x_r − x̄)ᵀ, β* = β₀ + N, ν* = ν₀ + N, μ* = N·x̄ / β*,
 *   W*⁻¹ = W₀⁻¹ + S + (β₀N/β*)·x̄x̄ᵀ,  Λ ~ Wishart(W*, ν*),  μ ~ N(μ*, (β*Λ)⁻¹).
 * Writes Λ (full k×k) to `lambda` and Λ·μ to `lambdaMu`.
 */
export function sampleNormalWishart(
  rng: Rng,
  x: Float32Array,
  rows: number,
  k: number,
  beta0: number,
  nu0: number,
  w0: number,
  lambda: Float64Array,
  lambdaMu: Float64Array,
  s: NormalWishartScratch,
): void {
  const { mean, m, inv, col } = s;
  mean.fill(0);
  for (let r = 0; r < rows; r++) for (let f = 0; f < k; f++) mean[f]! += x[r * k + f]!;
  const n = rows;
  if (n > 0) for (let f = 0; f < k; f++) mean[f]! /= n;
  m.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const di = x[o + i]! - mean[i]!;
      for (let j = 0; j <= i; j++) m[i * k + j]! += di * (x[o + j]! - mean[j]!);
    }
  }
  const betaStar = beta0 + n;
  const shrink = (beta0 * n) / betaStar;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) m[i * k + j]! += shrink * mean[i]! * mean[j]!;
    m[i * k + i]! += 1 / w0;
  }
  // W* = M⁻¹ column by column from M's Cholesky factor, then W*'s own factor for the Bartlett draw.
  if (!choleskyFactor(m, k)) throw new RangeError("Normal-Wishart posterior scale is not positive definite");
  for (let c = 0; c < k; c++) {
    col.fill(0);
    col[c] = 1;
    for (let i = 0; i < k; i++) {
      let t = col[i]!;
      for (let p = 0; p < i; p++) t -= m[i * k + p]! * col[p]!;
      col[i] = t / m[i * k + i]!;
    }
    solveUpperFromLower(m, k, col);
    for (let i = 0; i < k; i++) inv[i * k + c] = col[i]!;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) inv[i * k + j] = inv[j * k + i] = 0.5 * (inv[i * k + j]! + inv[j * k + i]!);
  if (!choleskyFactor(inv, k)) throw new RangeError("Normal-Wishart posterior scale is not positive definite");
  sampleWishart(rng, inv, k, nu0 + n, lambda, s.b);
  // μ = μ* + (β*Λ)^(-½)·z: with Λ = L·Lᵀ, x = L⁻ᵀz/√β* has covariance (β*Λ)⁻¹.
  const a = s.a;
  a.set(lambda.subarray(0, k * k));
  if (!choleskyFactor(a, k)) throw new RangeError("sampled Wishart precision is not positive definite");
  for (let f = 0; f < k; f++) col[f] = rng.normal();
  solveUpperFromLower(a, k, col);
  const sb = 1 / Math.sqrt(betaStar);
  for (let f = 0; f < k; f++) col[f] = (n * mean[f]!) / betaStar + sb * col[f]!;
  for (let i = 0; i < k; i++) {
    let t = 0;
    for (let j = 0; j < k; j++) t += lambda[i * k + j]! * col[j]!;
    lambdaMu[i] = t;
  }
}
