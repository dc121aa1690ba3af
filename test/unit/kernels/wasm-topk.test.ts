import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { rowShards } from "../../../src/parallel/pool.js";
import { randomFloats, randomProblem } from "./wasm-fixtures.js";
import { kernelCall } from "../../../src/kernels/kernel-calls.js";

/** The obvious reference: score every item in f64, drop the history, sort (score desc, item asc), keep n. */
function reference(U: Float32Array, V: Float32Array, k: number, nItems: number, mu: number, bu: Float32Array, bi: Float32Array, ptr: Int32Array, idx: Int32Array, u: number, n: number): Array<[number, number]> {
  const seen = new Set<number>();
  for (let p = ptr[u]!; p < ptr[u + 1]!; p++) seen.add(idx[p]!);
  const all: Array<[number, number]> = [];
  for (let j = 0; j < nItems; j++) {
    if (seen.has(j)) continue;
    let s = mu + bu[u]! + bi[j]!;
    for (let f = 0; f < k; f++) s += U[u * k + f]! * V[j * k + f]!;
    all.push([j, s]);
  }
  all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return all.slice(0, n);
}

describe("WASM fused scoring + top-n (scoreTopKRange)", () => {
  for (const [k, n] of [[7, 5], [16, 40]] as const) {
    it(`k = ${k}, n = ${n}: the same items and scores as full scoring and sorting, history excluded`, () => {
      const pr = randomProblem(4, 40, 60, 700);
      const nU = pr.nUsers;
      const nI = pr.nItems;
      const arena = KernelArena.create(4 << 20);
      const pool = new InlinePool(arena, nI * 4 + n * 8 + 64);
      const U = arena.copyF32(randomFloats(1, nU * k));
      const V = arena.copyF32(randomFloats(2, nI * k));
      const bu = arena.copyF32(randomFloats(3, nU));
      const bi = arena.copyF32(randomFloats(4, nI));
      const ptr = arena.copyI32(pr.byUser.indptr);
      const idx = arena.copyI32(pr.byUser.indices);
      const items = arena.i32(nU * n);
      const scores = arena.f32(nU * n);
      pool.run({ ...kernelCall.scoreTopKRange({ U, V, k, nItems: nI, mu: 3, userBias: bu, itemBias: bi, histPtr: ptr, histIdx: idx, n, outItems: items, outScores: scores, first: 0 }), shards: rowShards(nU, 7) });
      for (let u = 0; u < nU; u++) {
        const ref = reference(U, V, k, nI, 3, bu, bi, ptr, idx, u, n);
        for (let t = 0; t < n; t++) {
          if (t < ref.length) {
            assert.equal(items[u * n + t], ref[t]![0], `user ${u} rank ${t}`);
            assert.ok(Math.abs(scores[u * n + t]! - ref[t]![1]) < 1e-4, `user ${u} rank ${t} score`);
          } else {
            assert.equal(items[u * n + t], -1);
            assert.equal(scores[u * n + t], Number.NEGATIVE_INFINITY);
          }
        }
      }
    });
  }
});
