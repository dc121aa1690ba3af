import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alsExplicitHalfSweep } from "../../../src/kernels/als-explicit.js";
import { fullGramian, weightedAlsHalfSweep } from "../../../src/kernels/implicit-als.js";
import { scoreRow } from "../../../src/kernels/score.js";
import { sgdEpoch } from "../../../src/train/sgd/kernel.js";
import { wasmSimdSupported } from "../../../src/kernels/wasm.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import { transpose } from "../../../src/matrix/csr.js";
import { columnSegments } from "../../../src/parallel/column-segments.js";
import { InlinePool } from "../../../src/parallel/inline-pool.js";
import { kernelScratchBytes, rowShards } from "../../../src/parallel/pool.js";
import { maxRelDiff, randomFloats, randomProblem } from "./wasm-fixtures.js";
import { kernelCall } from "../../../src/kernels/kernel-calls.js";

describe("WASM SIMD kernels against the TypeScript kernels", () => {
  it("the runtime supports WebAssembly SIMD", () => assert.equal(wasmSimdSupported(), true));

  for (const k of [7, 8, 13]) {
    it(`sgdRange = sgdEpoch (biased MF, k=${k}, 3 passes)`, () => {
      const pr = randomProblem(11 + k, 25, 18, 160);
      const arena = KernelArena.create(1 << 20);
      const u = arena.copyI32(pr.users);
      const i = arena.copyI32(pr.items);
      const v = arena.copyF32(pr.values);
      const P = arena.copyF32(randomFloats(1, pr.nUsers * k));
      const Q = arena.copyF32(randomFloats(2, pr.nItems * k));
      const bu = arena.copyF32(randomFloats(3, pr.nUsers));
      const bi = arena.copyF32(randomFloats(4, pr.nItems));
      const loss = arena.f64(1);
      const [P2, Q2, bu2, bi2] = [P.slice(), Q.slice(), bu.slice(), bi.slice()];
      const order = Int32Array.from({ length: pr.users.length }, (_, t) => t);
      for (let pass = 0; pass < 3; pass++) {
        arena.kernels.sgdRange(u.byteOffset, i.byteOffset, v.byteOffset, P.byteOffset, Q.byteOffset, bu.byteOffset, bi.byteOffset, k, 3.1, 0.02, 0.05, 0.01, 1, loss.byteOffset, 0, u.length, 0, 0);
        const sse = sgdEpoch(pr.users, pr.items, pr.values, order, 0, order.length, P2, Q2, bu2, bi2, k, 3.1, 0.02, 0.01, 0.05);
        assert.ok(Math.abs(loss[0]! - sse) / sse < 1e-4, `loss ${loss[0]} vs ${sse}`);
      }
      assert.ok(maxRelDiff(P, P2) < 1e-4, `P differs by ${maxRelDiff(P, P2)}`);
      assert.ok(maxRelDiff(Q, Q2) < 1e-4);
      assert.ok(maxRelDiff(bu, bu2) < 1e-4);
      assert.ok(maxRelDiff(bi, bi2) < 1e-4);
    });
  }

  for (const bias of [false, true]) {
    for (const weighted of [false, true]) {
      it(`alsCholeskyRange = alsExplicitHalfSweep (bias=${bias}, weighted λ=${weighted})`, () => {
        const k = 6;
        const pr = randomProblem(5, 30, 22, 240);
        const arena = KernelArena.create(1 << 20);
        const indptr = arena.copyI32(pr.byUser.indptr);
        const indices = arena.copyI32(pr.byUser.indices);
        const values = arena.copyF32(pr.byUser.values);
        const X = arena.copyF32(randomFloats(7, pr.nUsers * k));
        const Y = arena.copyF32(randomFloats(8, pr.nItems * k, 0.5));
        const bx = arena.f32(pr.nUsers);
        const by = arena.copyF32(randomFloats(9, pr.nItems, 0.3));
        const scratch = arena.f32(kernelScratchBytes(k) / 4);
        const X2 = X.slice();
        const bx2 = bias ? new Float32Array(pr.nUsers) : new Float32Array(0);
        arena.kernels.alsCholeskyRange(indptr.byteOffset, indices.byteOffset, values.byteOffset, 0, X.byteOffset, Y.byteOffset, bx.byteOffset, by.byteOffset, k, 3.5, 0.1, 0.05, weighted ? 1 : 0, bias ? 1 : 0, 0, pr.nUsers, 0, scratch.byteOffset);
        alsExplicitHalfSweep(pr.byUser.indptr, pr.byUser.indices, pr.byUser.values, X2, bx2, Y.slice(), bias ? by.slice() : new Float32Array(0), k, 3.5, 0.1, 0.05, weighted, 0, pr.nUsers);
        assert.ok(maxRelDiff(X, X2) < 2e-4, `X differs by ${maxRelDiff(X, X2)}`);
        if (bias) assert.ok(maxRelDiff(bx, bx2) < 2e-4);
        // user 0 has no ratings: zeros
        for (let f = 0; f < k; f++) assert.equal(X[f], 0);
      });
    }
  }

  for (const mode of ["ials", "explicit"] as const) {
    it(`cgRange = weightedAlsHalfSweep solver 0 (${mode}, 3 CG steps)`, () => {
      const k = 10;
      const pr = randomProblem(21, 40, 30, 300);
      const arena = KernelArena.create(1 << 20);
      const m = pr.byUser;
      const nnz = m.indices.length;
      const extra = new Float32Array(nnz);
      for (let p = 0; p < nnz; p++) extra[p] = mode === "ials" ? 2 * m.values[p]! : 1;
      const w0 = mode === "ials" ? 1 : 0;
      const target = mode === "ials" ? null : m.values;
      const X = arena.copyF32(randomFloats(31, pr.nUsers * k));
      const Y = arena.copyF32(randomFloats(32, pr.nItems * k, 0.4));
      const G64 = fullGramian(Y, pr.nItems, k);
      const G = arena.copyF32(G64);
      const X2 = X.slice();
      const scratch = arena.f32(kernelScratchBytes(k) / 4);
      const [ip, ix, ex] = [arena.copyI32(m.indptr), arena.copyI32(m.indices), arena.copyF32(extra)];
      const tg = target ? arena.copyF32(target).byteOffset : 0;
      const nu = mode === "ials" ? 0 : 1;
      arena.kernels.cgRange(ip.byteOffset, ix.byteOffset, ex.byteOffset, tg, 0, X.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, nu, pr.nItems, 3, 0, 0, pr.nUsers, 0, scratch.byteOffset);
      weightedAlsHalfSweep(
        { indptr: m.indptr, indices: m.indices, extra, target, X: X2, Y: Y.slice(), k, gram: G64, w0, lambda: 0.05, nu, nCols: pr.nItems, solver: 0, cgSteps: 3 },
        0,
        pr.nUsers,
      );
      assert.ok(maxRelDiff(X, X2) < 1e-3, `X differs by ${maxRelDiff(X, X2)}`);
    });
  }

  for (const mode of ["ials", "explicit"] as const) {
    for (const count of [1, 3, 8]) {
      it(`cgShardRange = cgRange on the transposed side, bitwise (${mode}, ${count} row shards, 0 and 3 CG steps)`, () => {
        const k = 10;
        const pr = randomProblem(40 + count, 35, 28, 260);
        const arena = KernelArena.create(1 << 21);
        const byUser = pr.byUser;
        const nnz = byUser.indices.length;
        const extra = Float32Array.from({ length: nnz }, (_, p) => (mode === "ials" ? 2 * byUser.values[p]! : 1));
        const target = mode === "ials" ? null : byUser.values;
        const w0 = mode === "ials" ? 1 : 0;
        const nu = mode === "ials" ? 0 : 1;
        // the row-by-row kernel reads the item × user CSR (users ascending in each row)
        const exI = transpose({ ...byUser, values: extra }).values;
        const tgI = target ? transpose(byUser).values : null;
        const Y = arena.copyF32(randomFloats(51, pr.nUsers * k, 0.4));
        const G = arena.copyF32(fullGramian(Y, pr.nUsers, k));
        const X0 = randomFloats(52, pr.nItems * k);
        const scratch = arena.f32(kernelScratchBytes(k) / 4);
        const ip = arena.copyI32(pr.byItem.indptr);
        const ix = arena.copyI32(pr.byItem.indices);
        const ex = arena.copyF32(exI);
        const tg = tgI ? arena.copyF32(tgI).byteOffset : 0;
        const seg = columnSegments(arena, byUser.indptr, byUser.indices, extra, target, ip, count);
        const [R, Pv, AP] = [arena.f32(pr.nItems * k), arena.f32(pr.nItems * k), arena.f32(pr.nItems * k)];
        const rs = arena.f32(pr.nItems);
        const active = arena.i32(pr.nItems);
        for (const steps of [0, 3]) {
          const Xa = arena.copyF32(X0);
          arena.kernels.cgRange(ip.byteOffset, ix.byteOffset, ex.byteOffset, tg, 0, Xa.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, nu, pr.nUsers, steps, 0, 0, pr.nItems, 0, scratch.byteOffset);
          const Xb = arena.copyF32(X0);
          for (let phase = 0; phase <= steps; phase++) {
            for (let s = 0; s < seg.shards.length >> 1; s++) {
              arena.kernels.cgShardRange(
                seg.segPtr.byteOffset, seg.entries.byteOffset, seg.extra.byteOffset, seg.target ? seg.target.byteOffset : 0, 0, pr.nUsers, Y.byteOffset,
                Xb.byteOffset, R.byteOffset, Pv.byteOffset, AP.byteOffset, rs.byteOffset, active.byteOffset, ip.byteOffset, G.byteOffset,
                k, w0, 0.05, nu, pr.nUsers, phase === 0 ? 0 : 1, seg.shards[2 * s]!, seg.shards[2 * s + 1]!, s, scratch.byteOffset,
              );
            }
          }
          assert.deepEqual(Xb, Xa, `${steps} steps: same bytes`);
          if (steps > 0) assert.ok(maxRelDiff(Xa, X0) > 1e-3, "the solve moved x");
        }
      });
    }
  }

  for (const bias of [true, false]) {
    for (const count of [1, 5]) {
      it(`alsCgShardRange = alsCgRange on the transposed side, bitwise (biases ${bias}, ${count} row shards, 0 and 3 CG steps)`, () => {
        const k = 9;
        const pr = randomProblem(60 + count, 33, 26, 240);
        const arena = KernelArena.create(1 << 21);
        const byUser = pr.byUser;
        const Y = arena.copyF32(randomFloats(61, pr.nUsers * k, 0.4));
        const by = arena.copyF32(randomFloats(62, pr.nUsers, 0.3));
        const X0 = randomFloats(63, pr.nItems * k);
        const b0 = randomFloats(64, pr.nItems, 0.3);
        const scratch = arena.f32(kernelScratchBytes(k) / 4);
        const ip = arena.copyI32(pr.byItem.indptr);
        const ix = arena.copyI32(pr.byItem.indices);
        const iv = arena.copyF32(pr.byItem.values);
        const seg = columnSegments(arena, byUser.indptr, byUser.indices, byUser.values, null, ip, count);
        const [R, Pv, AP] = [arena.f32(pr.nItems * k), arena.f32(pr.nItems * k), arena.f32(pr.nItems * k)];
        const sc = arena.f32(pr.nItems * 4);
        const active = arena.i32(pr.nItems);
        for (const scaleByCount of [0, 1]) {
          for (const steps of [0, 3]) {
            const [Xa, ba] = [arena.copyF32(X0), arena.copyF32(b0)];
            arena.kernels.alsCgRange(ip.byteOffset, ix.byteOffset, iv.byteOffset, 0, Xa.byteOffset, Y.byteOffset, ba.byteOffset, by.byteOffset, k, 3.2, 0.08, 0.03, scaleByCount, bias ? 1 : 0, steps, 0, pr.nItems, 0, scratch.byteOffset);
            const [Xb, bb] = [arena.copyF32(X0), arena.copyF32(b0)];
            for (let phase = 0; phase <= steps; phase++) {
              for (let s = 0; s < seg.shards.length >> 1; s++) {
                arena.kernels.alsCgShardRange(
                  seg.segPtr.byteOffset, seg.entries.byteOffset, seg.extra.byteOffset, 0, pr.nUsers, Y.byteOffset, by.byteOffset,
                  Xb.byteOffset, bb.byteOffset, R.byteOffset, Pv.byteOffset, AP.byteOffset, sc.byteOffset, active.byteOffset, ip.byteOffset,
                  k, 3.2, 0.08, 0.03, scaleByCount, bias ? 1 : 0, phase === 0 ? 0 : 1, seg.shards[2 * s]!, seg.shards[2 * s + 1]!, s, scratch.byteOffset,
                );
              }
            }
            assert.deepEqual(Xb, Xa, `scaleByCount ${scaleByCount}, ${steps} steps: same x`);
            assert.deepEqual(bb, ba, `scaleByCount ${scaleByCount}, ${steps} steps: same b_x`);
            // item 0 has no ratings: zeroed like alsCgRange does
            for (let f = 0; f < k; f++) assert.equal(Xb[f], 0);
            if (steps > 0) assert.ok(maxRelDiff(Xa, X0) > 1e-3, "the solve moved x");
          }
        }
      });
    }
  }

  it("byte-coded entries (table ≠ 0) = per-entry f32, bitwise: cgRange and wcholRange (targets, loss), cgShardRange, alsCgRange, alsCgShardRange, sseRange", () => {
    const k = 9;
    const pr = randomProblem(77, 31, 27, 250);
    const arena = KernelArena.create(1 << 22);
    const m = pr.byUser;
    const n = m.indices.length;
    // 13 distinct weights and targets; entry p has code c(p)
    const eTab = arena.copyF32(randomFloats(80, 13, 1).map(Math.abs));
    const tTab = arena.copyF32(randomFloats(81, 13, 1));
    const codesH = Uint8Array.from({ length: n }, (_, p) => (p * 7 + (m.values[p]! | 0)) % 13);
    const codes = arena.u8(n);
    codes.set(codesH);
    const exF = arena.copyF32(Float32Array.from(codesH, (c) => eTab[c]!));
    const tgF = arena.copyF32(Float32Array.from(codesH, (c) => tTab[c]!));
    const [ip, ix] = [arena.copyI32(m.indptr), arena.copyI32(m.indices)];
    const Y = arena.copyF32(randomFloats(82, pr.nItems * k, 0.4));
    const G = arena.copyF32(fullGramian(Y, pr.nItems, k));
    const X0 = randomFloats(83, pr.nUsers * k);
    const scratch = arena.f32(kernelScratchBytes(k) / 4);
    const loss = arena.f64(2);
    for (const withTarget of [false, true]) {
      const [Xa, Xb] = [arena.copyF32(X0), arena.copyF32(X0)];
      const w0 = withTarget ? 0.5 : 1;
      arena.kernels.cgRange(ip.byteOffset, ix.byteOffset, exF.byteOffset, withTarget ? tgF.byteOffset : 0, 0, Xa.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, 0.5, pr.nItems, 3, loss.byteOffset, 0, pr.nUsers, 0, scratch.byteOffset);
      arena.kernels.cgRange(ip.byteOffset, ix.byteOffset, codes.byteOffset, withTarget ? tTab.byteOffset : 0, eTab.byteOffset, Xb.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, 0.5, pr.nItems, 3, loss.byteOffset, 0, pr.nUsers, 1, scratch.byteOffset);
      assert.deepEqual(Xb, Xa, `cgRange (target ${withTarget}): same x`);
      assert.equal(loss[1], loss[0], `cgRange (target ${withTarget}): same loss`);
      assert.ok(maxRelDiff(Xa, X0) > 1e-3, "the solve moved x");
      const [Wa, Wb] = [arena.copyF32(X0), arena.copyF32(X0)];
      const wscratch = arena.f32(kernelScratchBytes(k) / 4);
      arena.kernels.wcholRange(ip.byteOffset, ix.byteOffset, exF.byteOffset, withTarget ? tgF.byteOffset : 0, 0, Wa.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, 0.5, pr.nItems, loss.byteOffset, 0, pr.nUsers, 0, wscratch.byteOffset);
      arena.kernels.wcholRange(ip.byteOffset, ix.byteOffset, codes.byteOffset, withTarget ? tTab.byteOffset : 0, eTab.byteOffset, Wb.byteOffset, Y.byteOffset, G.byteOffset, k, w0, 0.05, 0.5, pr.nItems, loss.byteOffset, 0, pr.nUsers, 1, wscratch.byteOffset);
      assert.deepEqual(Wb, Wa, `wcholRange (target ${withTarget}): same x`);
      assert.equal(loss[1], loss[0], `wcholRange (target ${withTarget}): same loss`);
    }
    // the item side by shards: segments of the codes against segments of the f32 weights and targets
    const cnt = arena.copyI32(pr.byItem.indptr);
    const segF = columnSegments(arena, m.indptr, m.indices, exF, tgF, cnt, 3);
    const segC = columnSegments(arena, m.indptr, m.indices, codes, null, cnt, 3);
    assert.ok(segC.extra instanceof Uint8Array && segC.target === null, "codes move with their entries as bytes");
    const Yu = arena.copyF32(randomFloats(84, pr.nUsers * k, 0.4));
    const Gu = arena.copyF32(fullGramian(Yu, pr.nUsers, k));
    const I0 = randomFloats(85, pr.nItems * k);
    const state = () => ({ R: arena.f32(pr.nItems * k), Pv: arena.f32(pr.nItems * k), AP: arena.f32(pr.nItems * k), rs: arena.f32(pr.nItems * 4), active: arena.i32(pr.nItems) });
    const runShards = (seg: typeof segF, tg: number, table: number, X: Float32Array, st: ReturnType<typeof state>, als: boolean, bx: Float32Array, by: Float32Array) => {
      for (let phase = 0; phase <= 3; phase++) {
        for (let q = 0; q < seg.shards.length >> 1; q++) {
          const [lo, hi] = [seg.shards[2 * q]!, seg.shards[2 * q + 1]!];
          if (als)
            arena.kernels.alsCgShardRange(seg.segPtr.byteOffset, seg.entries.byteOffset, seg.extra.byteOffset, table, pr.nUsers, Yu.byteOffset, by.byteOffset, X.byteOffset, bx.byteOffset, st.R.byteOffset, st.Pv.byteOffset, st.AP.byteOffset, st.rs.byteOffset, st.active.byteOffset, cnt.byteOffset, k, 0.4, 0.08, 0.03, 1, 1, phase === 0 ? 0 : 1, lo, hi, q, scratch.byteOffset);
          else
            arena.kernels.cgShardRange(seg.segPtr.byteOffset, seg.entries.byteOffset, seg.extra.byteOffset, tg, table, pr.nUsers, Yu.byteOffset, X.byteOffset, st.R.byteOffset, st.Pv.byteOffset, st.AP.byteOffset, st.rs.byteOffset, st.active.byteOffset, cnt.byteOffset, Gu.byteOffset, k, 0.5, 0.05, 0.5, pr.nUsers, phase === 0 ? 0 : 1, lo, hi, q, scratch.byteOffset);
        }
      }
    };
    const by = arena.copyF32(randomFloats(86, pr.nUsers, 0.3));
    for (const als of [false, true]) {
      const [Xa, Xb] = [arena.copyF32(I0), arena.copyF32(I0)];
      const [ba, bb] = [arena.f32(pr.nItems), arena.f32(pr.nItems)];
      runShards(segF, segF.target!.byteOffset, 0, Xa, state(), als, ba, by);
      runShards(segC, tTab.byteOffset, eTab.byteOffset, Xb, state(), als, bb, by);
      assert.deepEqual(Xb, Xa, `${als ? "alsCgShardRange" : "cgShardRange"}: same x`);
      assert.deepEqual(bb, ba, `${als ? "alsCgShardRange" : "cgShardRange"}: same b_x`);
      assert.ok(maxRelDiff(Xa, I0) > 1e-3, "the solve moved x");
    }
    // explicit ALS by rows and its squared error, the ratings by code (eTab as the ratings)
    const bu = arena.copyF32(randomFloats(87, pr.nUsers, 0.3));
    const bi = arena.copyF32(randomFloats(88, pr.nItems, 0.3));
    const [Xa, Xb] = [arena.copyF32(X0), arena.copyF32(X0)];
    const [ba, bb] = [arena.copyF32(bu), arena.copyF32(bu)];
    arena.kernels.alsCgRange(ip.byteOffset, ix.byteOffset, exF.byteOffset, 0, Xa.byteOffset, Y.byteOffset, ba.byteOffset, bi.byteOffset, k, 0.4, 0.08, 0.03, 1, 1, 3, 0, pr.nUsers, 0, scratch.byteOffset);
    arena.kernels.alsCgRange(ip.byteOffset, ix.byteOffset, codes.byteOffset, eTab.byteOffset, Xb.byteOffset, Y.byteOffset, bb.byteOffset, bi.byteOffset, k, 0.4, 0.08, 0.03, 1, 1, 3, 0, pr.nUsers, 0, scratch.byteOffset);
    assert.deepEqual(Xb, Xa, "alsCgRange: same x");
    assert.deepEqual(bb, ba, "alsCgRange: same b_x");
    arena.kernels.sseRange(ip.byteOffset, ix.byteOffset, exF.byteOffset, 0, Xa.byteOffset, Y.byteOffset, ba.byteOffset, bi.byteOffset, k, 0.4, 1, loss.byteOffset, 0, pr.nUsers, 0, scratch.byteOffset);
    arena.kernels.sseRange(ip.byteOffset, ix.byteOffset, codes.byteOffset, eTab.byteOffset, Xa.byteOffset, Y.byteOffset, ba.byteOffset, bi.byteOffset, k, 0.4, 1, loss.byteOffset, 0, pr.nUsers, 1, scratch.byteOffset);
    assert.equal(loss[1], loss[0], "sseRange: same squared error");
    assert.ok(loss[0]! > 0);
  });

  it("gramRange = fullGramian", () => {
    const k = 9;
    const arena = KernelArena.create(1 << 16);
    const Y = arena.copyF32(randomFloats(3, 50 * k, 1));
    const G = arena.f32(k * k);
    arena.kernels.gramRange(Y.byteOffset, k, G.byteOffset, 0, 50, 0, 0);
    assert.ok(maxRelDiff(G, fullGramian(Y, 50, k)) < 1e-5);
  });

  for (const k of [5, 16]) {
    it(`scoreRange = scoreRow for every user (k=${k}, blocks of 4 and a tail)`, () => {
      const nU = 11;
      const nI = 17;
      const arena = KernelArena.create(1 << 16);
      const U = arena.copyF32(randomFloats(1, nU * k, 1));
      const V = arena.copyF32(randomFloats(2, nI * k, 1));
      const bu = arena.copyF32(randomFloats(3, nU, 1));
      const bi = arena.copyF32(randomFloats(4, nI, 1));
      const out = arena.f32(nU * nI);
      const pool = new InlinePool(arena, 64);
      pool.run({ ...kernelCall.scoreRange({ U, V, k, nItems: nI, mu: 2.5, userBias: bu, itemBias: bi, out, first: 0 }), shards: rowShards(nU, 6) });
      const ref = new Float32Array(nI);
      for (let u = 0; u < nU; u++) {
        scoreRow(U, u * k, V, k, 2.5 + bu[u]!, bi, ref, 0, nI);
        assert.ok(maxRelDiff(out.subarray(u * nI, (u + 1) * nI), ref) < 1e-5, `user ${u}`);
      }
    });
  }
});
