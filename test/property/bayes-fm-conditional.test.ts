/**
 * Property: the cached per-coordinate Gibbs step of bayes-fm (kernel.ts) draws every parameter of an
 * implicit-feedback group from the same normal as the brute-force full conditional, computed from
 * scratch over all ratings: h_n = ∂r̂_n/∂θ, P = λ + αΣh², m = (αΣ(e + θh)h + λμ)/P, one parameter after
 * the other; and the residuals it leaves are r − r̂ recomputed from the side sums.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Rng } from "../../src/core/rng.js";
import { fmRowCaches, fmSampleGroup, fmUpdateResiduals } from "../../src/train/bayes-fm/kernel.js";

test("bayes-fm: cached implicit-group draws equal the brute-force conditionals", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }), (seed, rows, params, w) => {
      const rng = new Rng(seed);
      const otherRows = 4;
      // Side rows with ratings on other-side rows; each parameter t occurs in some side rows with weight x.
      const ratings: Array<[number, number, number]> = [];
      for (let r = 0; r < rows; r++) for (let j = 0; j < otherRows; j++) if (rng.next() < 0.6) ratings.push([r, j, 1 + 4 * rng.next()]);
      const indptr = new Int32Array(rows + 1);
      for (const [r] of ratings) indptr[r + 1]!++;
      for (let r = 0; r < rows; r++) indptr[r + 1]! += indptr[r]!;
      const indices = Int32Array.from(ratings, ([, j]) => j);
      const values = Float64Array.from(ratings, ([, , v]) => v);
      const occ: Array<Array<[number, number]>> = Array.from({ length: params }, () => []);
      for (let r = 0; r < rows; r++) for (let t = 0; t < params; t++) if (rng.next() < 0.5) occ[t]!.push([r, 0.2 + rng.next()]);
      const occPtr = new Int32Array(params + 1);
      for (let t = 0; t < params; t++) occPtr[t + 1] = occPtr[t]! + occ[t]!.length;
      const occIndices = Int32Array.from(occ.flat(), ([r]) => r);
      const occWeights = Float32Array.from(occ.flat(), ([, x]) => x);
      const other = Float32Array.from({ length: otherRows * w }, () => rng.normal());
      const theta = Float32Array.from({ length: params * w }, () => rng.normal());
      const base = Float32Array.from({ length: rows * w }, () => rng.normal()); // the other groups' part of the side sums
      const col = rng.int(w);
      const sideSums = (th: Float32Array): Float64Array => {
        const s = Float64Array.from(base);
        occ.forEach((o, t) => {
          for (const [r, x] of o) for (let c = 0; c < w; c++) s[r * w + c]! += x * th[t * w + c]!;
        });
        return s;
      };
      const residuals = (th: Float32Array): Float64Array => {
        const s = sideSums(th);
        return Float64Array.from(ratings, ([r, j], n) => {
          let dot = 0;
          for (let c = 0; c < w; c++) dot += s[r * w + c]! * other[j * w + c]!;
          return values[n]! - dot;
        });
      };
      const alpha = 0.5 + rng.next() * 3;
      const mu = rng.normal() * 0.3;
      const lambda = 0.5 + rng.next() * 3;
      const noise = Float64Array.from({ length: params }, () => rng.normal());
      // Brute force, one parameter after the other.
      const ref = theta.slice();
      for (let t = 0; t < params; t++) {
        const e = residuals(ref);
        let sh2 = 0;
        let seh = 0;
        ratings.forEach(([r, j], n) => {
          const x = occ[t]!.find(([rr]) => rr === r)?.[1] ?? 0;
          const h = x * other[j * w + col]!;
          sh2 += h * h;
          seh += (e[n]! + ref[t * w + col]! * h) * h;
        });
        const p = lambda + alpha * sh2;
        ref[t * w + col] = Math.fround((alpha * seh + lambda * mu) / p + noise[t]! / Math.sqrt(p));
      }
      // The kernel.
      const sums = Float32Array.from(sideSums(theta));
      const resid = Float32Array.from(residuals(theta));
      const a = new Float64Array(rows);
      const g = new Float64Array(rows);
      fmRowCaches(indptr, indices, resid, other, w, col, a, g, rows);
      const before = Float32Array.from({ length: rows }, (_, r) => sums[r * w + col]!);
      fmSampleGroup(occPtr, occIndices, occWeights, theta, w, col, sums, a, g, alpha, mu, lambda, noise, params);
      fmUpdateResiduals(indptr, indices, resid, other, w, col, sums, before, rows);
      for (let q = 0; q < theta.length; q++) assert.ok(Math.abs(theta[q]! - ref[q]!) < 1e-4 * (1 + Math.abs(ref[q]!)), `θ[${q}] ${theta[q]} vs ${ref[q]}`);
      const e = residuals(theta);
      for (let n = 0; n < e.length; n++) assert.ok(Math.abs(resid[n]! - e[n]!) < 1e-4 * (1 + Math.abs(e[n]!)), `e[${n}] ${resid[n]} vs ${e[n]}`);
    }),
    { numRuns: 200 },
  );
});
