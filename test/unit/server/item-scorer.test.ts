import assert from "node:assert/strict";
import { test } from "node:test";
import { rngFor } from "../../../src/core/rng.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { topK } from "../../../src/kernels/topk.js";
import { wasmSimdSupported } from "../../../src/kernels/wasm.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import { ItemScorer } from "mfrec-server/internal/item-scorer.js";

function model(users: number, items: number, k: number, biases: boolean): FactorModel {
  const r = rngFor(5, "item-scorer-test");
  const P = Float32Array.from({ length: users * k }, () => r.normal());
  const Q = Float32Array.from({ length: items * k }, () => r.normal());
  return new FactorModel({
    config: { algorithm: "given", factors: k },
    userFactors: { rows: users, cols: k, data: P },
    itemFactors: { rows: items, cols: k, data: Q },
    userIndex: IdIndex.from(Array.from({ length: users }, (_, u) => `u${u}`)),
    itemIndex: IdIndex.from(Array.from({ length: items }, (_, i) => `i${i}`)),
    globalMean: biases ? 3.5 : 0,
    userBias: biases ? Float32Array.from({ length: users }, () => r.normal() * 0.1) : undefined,
    itemBias: biases ? Float32Array.from({ length: items }, () => r.normal() * 0.1) : undefined,
  });
}

for (const [k, biases] of [
  [64, true],
  [7, false],
] as const) {
  test(`SIMD and plain scorers agree with scoreIndex (k=${k}, biases=${biases})`, { skip: !wasmSimdSupported() && "no WebAssembly SIMD" }, () => {
    const m = model(5, 3000, k, biases);
    const simd = new ItemScorer(m, true);
    const plain = new ItemScorer(m, false);
    assert.equal(simd.simd, true);
    assert.equal(plain.simd, false);
    for (let u = 0; u < 5; u++) {
      const base = m.globalMean + (m.userBias ? m.userBias[u]! : 0);
      const a = Float32Array.from(simd.score(m.userFactors.data, u * k, base));
      const b = plain.score(m.userFactors.data, u * k, base);
      for (let i = 0; i < m.numItems; i++) {
        const exact = m.scoreIndex(u, i);
        assert.ok(Math.abs(a[i]! - exact) < 1e-3 * (1 + Math.abs(exact)), `simd u${u} i${i}: ${a[i]} vs ${exact}`);
        assert.ok(Math.abs(b[i]! - exact) < 1e-4 * (1 + Math.abs(exact)), `plain u${u} i${i}`);
      }
      // The top 10 by either scorer are the same items (scores here are far from ties).
      assert.deepEqual([...topK(a, 10)].sort(), [...topK(b, 10)].sort());
    }
  });
}

test("the item-major SIMD scoring is bit-identical to the kernel's one-user path (k = 64 and k = 7, with a tail of 1–3 items)", { skip: !wasmSimdSupported() && "no WebAssembly SIMD" }, () => {
  for (const [k, biases, items] of [
    [64, true, 3001],
    [7, false, 2050],
  ] as const) {
    const m = model(3, items, k, biases);
    const simd = new ItemScorer(m, true);
    // The one-user orientation: the user row as the kernel's only "user", every item as an "item".
    const arena = KernelArena.create(1 << 20);
    const Q = arena.copyF32(m.itemFactors.data);
    const bias = m.itemBias ? arena.copyF32(m.itemBias).byteOffset : 0;
    const row = arena.f32(k);
    const out = arena.f32(items);
    for (let u = 0; u < 3; u++) {
      const base = m.globalMean + (m.userBias ? m.userBias[u]! : 0);
      row.set(m.userFactors.data.subarray(u * k, (u + 1) * k));
      arena.kernels.scoreRange(row.byteOffset, Q.byteOffset, k, items, base, 0, bias, out.byteOffset, 0, 0, 1, 0, 0);
      const got = simd.score(m.userFactors.data, u * k, base);
      for (let i = 0; i < items; i++) assert.ok(Object.is(got[i], out[i]), `k=${k} u${u} i${i}: ${got[i]} vs ${out[i]}`);
    }
  }
});
