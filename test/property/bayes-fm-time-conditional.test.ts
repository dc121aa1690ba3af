/**
 * Property: with bayes-fm's time group, r̂_n = U_u·I_i + v_b·(U_u + I_i) + w_b (b the rating's bin; U, I the side
 * sums, k factors then the linear columns), the cached draws of kernel.ts equal the brute-force full
 * conditionals computed from scratch over all ratings (h_n = ∂r̂_n/∂θ, P = λ + αΣh², m = (αΣ(e + θh)h + λμ)/P),
 * for a time column (fmTimeCaches, fmSampleGroup, fmTimeUpdateResiduals) and for a user-side column whose
 * ratings meet their bins (fmRowCaches / fmUpdateResiduals with bins); the residuals left behind equal r − r̂
 * recomputed, also by fmResiduals with the per-rating groups.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Rng } from "../../src/core/rng.js";
import { fmResiduals, fmRowCaches, fmSampleGroup, fmTimeCaches, fmTimeUpdateResiduals, fmUpdateResiduals } from "../../src/train/bayes-fm/kernel.js";

test("bayes-fm: cached time-group and time-aware side draws equal the brute-force conditionals", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (seed, users, nb, k) => {
      const rng = new Rng(seed);
      const items = 4;
      const w = k + 2;
      // Ratings (u, i, bin, r) in user order.
      const ratings: Array<[number, number, number, number]> = [];
      for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) if (rng.next() < 0.7) ratings.push([u, i, rng.int(nb), 1 + 4 * rng.next()]);
      const n = ratings.length;
      const indptr = new Int32Array(users + 1);
      for (const [u] of ratings) indptr[u + 1]!++;
      for (let u = 0; u < users; u++) indptr[u + 1]! += indptr[u]!;
      const indices = Int32Array.from(ratings, ([, i]) => i);
      const bins = Int32Array.from(ratings, ([, , b]) => b);
      const values = Float32Array.from(ratings, ([, , , r]) => r);
      // Side rows [U, B, 1] and [I, 1, C]; time rows [v, w_t, 0].
      const U = Float32Array.from({ length: users * w }, (_, x) => (x % w === k + 1 ? 1 : rng.normal()));
      const I = Float32Array.from({ length: items * w }, (_, x) => (x % w === k ? 1 : rng.normal()));
      const T = Float32Array.from({ length: nb * w }, (_, x) => (x % w === k + 1 ? 0 : rng.normal()));
      const predict = (Us: Float32Array, Ts: Float32Array): Float64Array =>
        Float64Array.from(ratings, ([u, i, b]) => {
          let s = 0;
          for (let c = 0; c < w; c++) s += Us[u * w + c]! * I[i * w + c]!;
          for (let f = 0; f < k; f++) s += Ts[b * w + f]! * (Us[u * w + f]! + I[i * w + f]!);
          return s + Ts[b * w + k]!;
        });
      const resid = (Us: Float32Array, Ts: Float32Array): Float64Array => {
        const p = predict(Us, Ts);
        return Float64Array.from(p, (x, j) => values[j]! - x);
      };
      const alpha = 0.5 + rng.next() * 3;
      const mu = rng.normal() * 0.3;
      const lambda = 0.5 + rng.next() * 3;
      const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string): void => {
        for (let j = 0; j < want.length; j++) assert.ok(Math.abs(got[j]! - want[j]!) < 1e-4 * (1 + Math.abs(want[j]!)), `${what}[${j}] ${got[j]} vs ${want[j]}`);
      };
      // fmResiduals with the time group equals the brute force.
      const e0 = new Float32Array(n);
      fmResiduals(indptr, indices, values, U, I, w, 0, e0, users, { bins, T, k, dayBins: null, D: null });
      close(e0, resid(U, T), "fmResiduals");

      // 1. A time column (factor or linear), parameter rows one after the other.
      const col = rng.int(k + 1);
      const noiseT = Float64Array.from({ length: nb }, () => rng.normal());
      const refT = T.slice();
      for (let b = 0; b < nb; b++) {
        const e = resid(U, refT);
        let sh2 = 0;
        let seh = 0;
        ratings.forEach(([u, i, bb], j) => {
          if (bb !== b) return;
          const h = col === k ? 1 : U[u * w + col]! + I[i * w + col]!;
          sh2 += h * h;
          seh += (e[j]! + refT[b * w + col]! * h) * h;
        });
        const p = lambda + alpha * sh2;
        refT[b * w + col] = Math.fround((alpha * seh + lambda * mu) / p + noiseT[b]! / Math.sqrt(p));
      }
      const Tk = T.slice();
      const Tsums = T.slice();
      const e1 = Float32Array.from(resid(U, T));
      const a = new Float64Array(Math.max(nb, users));
      const g = new Float64Array(Math.max(nb, users));
      fmTimeCaches(indptr, indices, bins, e1, U, I, w, col, col === k, a, g, nb, users);
      const beforeT = Float32Array.from({ length: nb }, (_, b) => Tsums[b * w + col]!);
      fmSampleGroup(null, null, null, Tk, w, col, Tsums, a, g, alpha, mu, lambda, noiseT, nb);
      fmTimeUpdateResiduals(indptr, indices, bins, e1, U, I, w, col, col === k, Tsums, beforeT, users);
      close(Tk, refT, "θ_time");
      close(e1, resid(U, Tk), "e after the time draw");

      // 2. A user-side factor column with the ratings' bins joining the other side.
      const uc = rng.int(k);
      const noiseU = Float64Array.from({ length: users }, () => rng.normal());
      const refU = U.slice();
      for (let u = 0; u < users; u++) {
        const e = resid(refU, Tk);
        let sh2 = 0;
        let seh = 0;
        ratings.forEach(([uu, i, b], j) => {
          if (uu !== u) return;
          const h = I[i * w + uc]! + Tk[b * w + uc]!;
          sh2 += h * h;
          seh += (e[j]! + refU[u * w + uc]! * h) * h;
        });
        const p = lambda + alpha * sh2;
        refU[u * w + uc] = Math.fround((alpha * seh + lambda * mu) / p + noiseU[u]! / Math.sqrt(p));
      }
      const Uk = U.slice();
      const Usums = U.slice();
      const e2 = Float32Array.from(resid(U, Tk));
      fmRowCaches(indptr, indices, e2, I, w, uc, a, g, users, bins, Tk);
      const beforeU = Float32Array.from({ length: users }, (_, u) => Usums[u * w + uc]!);
      fmSampleGroup(null, null, null, Uk, w, uc, Usums, a, g, alpha, mu, lambda, noiseU, users);
      fmUpdateResiduals(indptr, indices, e2, I, w, uc, Usums, beforeU, users, bins, Tk);
      close(Uk, refU, "θ_user");
      close(e2, resid(Uk, Tk), "e after the user draw");
    }),
    { numRuns: 200 },
  );
});
