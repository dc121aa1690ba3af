import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { writeContainer } from "../../../src/core/container.js";
import { isMfrecError } from "../../../src/core/errors.js";
import { ANN_MAGIC, loadAnnIndex, readAnnHeader, saveAnnIndex } from "../../../src/model/ann-format.js";
import { ANN_AUTO_MIN_ITEMS, type AnnIndex, buildAnnIndex, defaultNprobe, IVF_AUTO_MIN_ITEMS, itemSideChecksum } from "../../../src/model/ann-index.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { recommendAll } from "../../../src/recommend/recommend-all.js";
import { similarItems } from "../../../src/recommend/similar.js";
import { randomModel } from "../model/fixtures.js";

const recallAt = (approx: string[], exact: string[]): number => {
  const want = new Set(exact);
  return approx.filter((x) => want.has(x)).length / Math.max(1, exact.length);
};

function meanRecall(m: FactorModel, ann: AnnIndex, nprobe?: number): number {
  let sum = 0;
  for (let u = 0; u < m.numUsers; u++) {
    const id = m.userIndex.idAt(u);
    sum += recallAt(recommend(m, id, { n: 10, ann, nprobe }).map((r) => r.item), recommend(m, id, { n: 10 }).map((r) => r.item));
  }
  return sum / m.numUsers;
}

describe("IVF ANN index", () => {
  const m = randomModel({ users: 60, items: 3000, factors: 8, biases: true, history: true, implicit: false, seed: 11 });
  const index = buildAnnIndex(m, { method: "ivf", seed: 1 });

  test("shape: round(√n) lists, every item in exactly one list, ids ascending inside a list", () => {
    const L = index.ivf!;
    assert.equal(index.params.method, "ivf");
    assert.equal(index.graph, null);
    assert.equal(L.nlist, Math.round(Math.sqrt(3000)));
    assert.equal(index.params.nprobe, defaultNprobe(L.nlist));
    assert.equal(L.offsets[0], 0);
    assert.equal(L.offsets[L.nlist], 3000);
    const seen = new Uint8Array(3000);
    for (let c = 0; c < L.nlist; c++) {
      for (let p = L.offsets[c]!; p < L.offsets[c + 1]!; p++) {
        seen[L.ids[p]!]!++;
        if (p > L.offsets[c]!) assert.ok(L.ids[p]! > L.ids[p - 1]!);
      }
    }
    assert.ok(seen.every((x) => x === 1));
  });

  test("recall@10 against exact ≥ 0.95 on a 3000-item catalogue (biases, history excluded), and a 1-list probe fails that bar", () => {
    const r = meanRecall(m, index, 16);
    assert.ok(r >= 0.95, `recall ${r}`);
    const weak = meanRecall(m, index, 1);
    assert.ok(weak < 0.95, `recall ${weak}`);
  });

  test("property: probing every list is exhaustive, so IVF equals the exact ranking", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), fc.integer({ min: 1, max: 12 }), (items, factors, seed, biases, nlist) => {
        const mm = randomModel({ users: 3, items, factors, biases, history: biases, implicit: !biases, seed });
        const ix = buildAnnIndex(mm, { method: "ivf", seed, nlist, kmeansIters: 3 });
        for (let u = 0; u < 3; u++) {
          const id = mm.userIndex.idAt(u);
          const exact = recommend(mm, id, { n: 5 });
          assert.deepEqual(recommend(mm, id, { n: 5, ann: ix, nprobe: nlist }), exact);
        }
      }),
      { numRuns: 40, seed: 23 },
    );
  });

  test("an exact hit has the exact score; the list is ordered like exact", () => {
    const id = m.userIndex.idAt(4);
    const exact = new Map(recommend(m, id, { n: 50 }).map((r) => [r.item, r.score]));
    const approx = recommend(m, id, { n: 10, ann: index });
    for (const r of approx) if (exact.has(r.item)) assert.equal(r.score, exact.get(r.item));
    for (let t = 1; t < approx.length; t++) assert.ok(approx[t - 1]!.score >= approx[t]!.score);
  });

  test("filters hold exactly: no rated, excluded or non-allowed item is returned; lists are full (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: m.numUsers - 1 }),
        fc.array(fc.integer({ min: 0, max: m.numItems - 1 }), { maxLength: 200 }),
        fc.option(fc.array(fc.integer({ min: 0, max: m.numItems - 1 }), { minLength: 1, maxLength: 400 })),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        (u, ex, only, n, excludeRated, nprobe) => {
          const user = m.userIndex.idAt(u);
          const exclude = ex.map((i) => m.itemIndex.idAt(i));
          const items = only?.map((i) => m.itemIndex.idAt(i));
          const recs = recommend(m, user, { n, exclude, items, excludeRated, ann: index, nprobe });
          const rated = new Set<number>();
          const h = m.history!;
          for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) rated.add(h.indices[p]!);
          const ban = new Set(exclude);
          const allow = items ? new Set(items) : null;
          let available = 0;
          for (let i = 0; i < m.numItems; i++) {
            const x = m.itemIndex.idAt(i);
            if (!ban.has(x) && (!allow || allow.has(x)) && !(excludeRated && rated.has(i))) available++;
          }
          assert.equal(recs.length, Math.min(n, available));
          for (const r of recs) {
            assert.ok(!ban.has(r.item), `excluded ${r.item}`);
            if (allow) assert.ok(allow.has(r.item), `not allowed ${r.item}`);
            if (excludeRated) assert.ok(!rated.has(m.itemIndex.indexOf(r.item)), `rated ${r.item}`);
          }
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });

  test("recommendAll with an IVF index equals per-user recommend with it", () => {
    const users = [0, 5, 17, 33].map((u) => m.userIndex.idAt(u));
    const all = [...recommendAll(m, { n: 10, users, ann: index, nprobe: 4 })];
    all.forEach((l, t) => {
      const one = recommend(m, users[t]!, { n: 10, ann: index, nprobe: 4 });
      assert.deepEqual(l.items, one.map((r) => r.item));
      assert.deepEqual(l.scores, one.map((r) => r.score));
    });
  });

  test("similarItems with an IVF index: recall@10 ≥ 0.9 for cosine, dot and balanced; item itself never returned", () => {
    for (const metric of ["cosine", "dot", "balanced"] as const) {
      let sum = 0;
      const Q = 40;
      for (let t = 0; t < Q; t++) {
        const item = m.itemIndex.idAt(t * 61);
        const exact = similarItems(m, item, { n: 10, metric });
        const approx = similarItems(m, item, { n: 10, metric, ann: index, nprobe: 16 });
        assert.ok(!approx.some((r) => r.item === item));
        const es = new Map(exact.map((r) => [r.item, r.score]));
        for (const r of approx) if (es.has(r.item)) assert.equal(r.score, es.get(r.item));
        sum += recallAt(approx.map((r) => r.item), exact.map((r) => r.item));
      }
      assert.ok(sum / Q >= 0.9, `${metric}: recall ${sum / Q}`);
    }
  });

  test("bad nprobe or kernels is E_CONFIG; auto picks IVF only from IVF_AUTO_MIN_ITEMS items", () => {
    assert.throws(() => recommend(m, m.userIndex.idAt(0), { ann: index, nprobe: 0 }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => buildAnnIndex(m, { method: "ivf", kernels: "gpu" as "ts" }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => buildAnnIndex(m, { method: "annoy" as "ivf" }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.equal(buildAnnIndex(m, { seed: 1, M: 8 }).params.method, "hnsw");
    assert.ok(IVF_AUTO_MIN_ITEMS > m.numItems);
    buildAnnIndex(m, { method: "ivf", seed: 1 }); // re-attach
  });

  test("determinism: same seed → same bytes, on 1 and 2 threads; another seed → other lists", () => {
    const big = randomModel({ users: 2, items: 9000, factors: 8, biases: true, history: false, implicit: false, seed: 2 });
    const one = saveAnnIndex(buildAnnIndex(big, { method: "ivf", seed: 7, threads: 1, pool: nodePoolFactory }));
    const two = saveAnnIndex(buildAnnIndex(big, { method: "ivf", seed: 7, threads: 2, pool: nodePoolFactory }));
    const again = saveAnnIndex(buildAnnIndex(big, { method: "ivf", seed: 7, threads: 2, pool: nodePoolFactory }));
    const other = saveAnnIndex(buildAnnIndex(big, { method: "ivf", seed: 8, threads: 1 }));
    assert.deepEqual(two, one);
    assert.deepEqual(again, one);
    assert.notDeepEqual(other, one);
  });

  test("TS reference kernels: the same lists (same file bytes) as WASM SIMD, and the same answers and scores", () => {
    for (const [biases, factors] of [[true, 8], [false, 7], [true, 5], [false, 16]] as const) {
      const mm = randomModel({ users: 12, items: 2500, factors, biases, history: true, implicit: false, seed: factors });
      const wasm = buildAnnIndex(mm, { method: "ivf", seed: 5, kernels: "wasm" });
      const ts = buildAnnIndex(mm, { method: "ivf", seed: 5, kernels: "ts" });
      assert.equal(wasm.kernels, "wasm");
      assert.equal(ts.kernels, "ts");
      assert.deepEqual(saveAnnIndex(ts), saveAnnIndex(wasm));
      assert.ok(ts.byteLength < wasm.byteLength, "the TS index keeps no copy of the rows");
      for (let u = 0; u < mm.numUsers; u++) {
        const id = mm.userIndex.idAt(u);
        for (const nprobe of [1, 4]) assert.deepEqual(recommend(mm, id, { n: 20, ann: ts, nprobe }), recommend(mm, id, { n: 20, ann: wasm, nprobe }));
      }
      for (const metric of ["cosine", "dot"] as const) {
        const item = mm.itemIndex.idAt(3);
        assert.deepEqual(similarItems(mm, item, { n: 10, ann: ts, metric }), similarItems(mm, item, { n: 10, ann: wasm, metric }));
      }
      // a file written by one kernel, loaded on the other
      const back = loadAnnIndex(saveAnnIndex(wasm), mm, undefined, "ts");
      assert.equal(back.kernels, "ts");
      assert.deepEqual(recommend(mm, mm.userIndex.idAt(0), { ann: back }), recommend(mm, mm.userIndex.idAt(0), { ann: wasm }));
    }
  });

  test("TS reference kernels: probing every list equals exact, filters hold (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (items, factors, seed, biases) => {
        const mm = randomModel({ users: 3, items, factors, biases, history: true, implicit: false, seed });
        const ix = buildAnnIndex(mm, { method: "ivf", seed, kernels: "ts", nlist: Math.max(1, items >> 3) });
        for (let u = 0; u < mm.numUsers; u++) {
          const id = mm.userIndex.idAt(u);
          const exact = recommend(mm, id, { n: 5 });
          const got = recommend(mm, id, { n: 5, ann: ix, nprobe: ix.ivf!.nlist });
          assert.deepEqual(got.map((r) => r.item), exact.map((r) => r.item));
        }
      }),
      { numRuns: 40 },
    );
  });

  test("build progress: one call per k-means iteration, then the lists", () => {
    const calls: string[] = [];
    buildAnnIndex(m, { method: "ivf", seed: 1, kmeansIters: 3, onProgress: (d, t, s) => calls.push(`${s} ${d}/${t}`) });
    assert.deepEqual(calls, ["k-means 1/4", "k-means 2/4", "k-means 3/4", "lists 4/4"]);
    buildAnnIndex(m, { method: "ivf", seed: 1 }); // re-attach the default index
  });

  test("empty and 1-item catalogues", () => {
    for (const items of [0, 1]) {
      const mm = randomModel({ users: 2, items, factors: 4, biases: false, history: false, implicit: true, seed: 3 });
      const ix = buildAnnIndex(mm, { method: "ivf" });
      assert.equal(ix.ivf!.nlist, items);
      const back = loadAnnIndex(saveAnnIndex(ix), mm);
      assert.deepEqual(recommend(mm, mm.userIndex.idAt(0), { ann: back }), recommend(mm, mm.userIndex.idAt(0)));
    }
  });
});

describe('ann: "auto"', () => {
  test("below ANN_AUTO_MIN_ITEMS it is exact even with an index attached; from it, the attached index (or exact when none)", () => {
    const small = randomModel({ users: 8, items: 500, factors: 4, biases: true, history: true, implicit: false, seed: 21 });
    buildAnnIndex(small, { method: "ivf", seed: 1 });
    for (let u = 0; u < small.numUsers; u++) {
      const id = small.userIndex.idAt(u);
      assert.deepEqual(recommend(small, id, { n: 10, ann: "auto", nprobe: 1 }), recommend(small, id, { n: 10 }));
    }
    const big = randomModel({ users: 12, items: ANN_AUTO_MIN_ITEMS, factors: 4, biases: true, history: true, implicit: false, seed: 22 });
    const id0 = big.userIndex.idAt(0);
    assert.deepEqual(recommend(big, id0, { n: 10, ann: "auto" }), recommend(big, id0, { n: 10 }), "no index attached: exact, no error");
    assert.throws(() => recommend(big, id0, { ann: true }), (e) => isMfrecError(e, "E_CONFIG"));
    const ix = buildAnnIndex(big, { method: "ivf", seed: 1, nlist: 400 });
    let differing = 0;
    for (let u = 0; u < big.numUsers; u++) {
      const id = big.userIndex.idAt(u);
      const auto = recommend(big, id, { n: 10, ann: "auto", nprobe: 1 });
      assert.deepEqual(auto, recommend(big, id, { n: 10, ann: ix, nprobe: 1 }));
      if (auto.map((r) => r.item).join() !== recommend(big, id, { n: 10 }).map((r) => r.item).join()) differing++;
    }
    assert.ok(differing > 0, "a 1-list probe differs from exact for some user, so the index was used");
    const item = big.itemIndex.idAt(7);
    assert.deepEqual(similarItems(big, item, { n: 5, ann: "auto", nprobe: 1 }), similarItems(big, item, { n: 5, ann: ix, nprobe: 1 }));
    assert.throws(() => recommend(big, id0, { ann: "always" as "auto" }), (e) => isMfrecError(e, "E_CONFIG"));
  });
});

describe("IVF index file (format version 2)", () => {
  const m = randomModel({ users: 10, items: 800, factors: 6, biases: true, history: true, implicit: false, seed: 4 });
  const index = buildAnnIndex(m, { method: "ivf", seed: 3 });
  const bytes = saveAnnIndex(index);

  test("round trip: same lists, same answers; header names kind, version, items, k and checksum", () => {
    const h = readAnnHeader(bytes);
    assert.equal(h.kind, "ivf-mips");
    assert.equal(h.formatVersion, 2);
    assert.equal(h.items, 800);
    assert.equal(h.factors, 6);
    assert.equal(h.nlist, index.ivf!.nlist);
    assert.equal(h.modelChecksum, itemSideChecksum(m));
    const back = loadAnnIndex(bytes, m);
    assert.equal(back.params.method, "ivf");
    assert.deepEqual(saveAnnIndex(back), bytes);
    for (let u = 0; u < m.numUsers; u++) {
      const id = m.userIndex.idAt(u);
      assert.deepEqual(recommend(m, id, { ann: back, nprobe: 3 }), recommend(m, id, { ann: index, nprobe: 3 }));
    }
  });

  test("refused with E_INDEX_MISMATCH for another item count, k or checksum", () => {
    const moreItems = randomModel({ users: 10, items: 801, factors: 6, biases: true, history: false, implicit: false, seed: 4 });
    const otherK = randomModel({ users: 10, items: 800, factors: 5, biases: true, history: false, implicit: false, seed: 4 });
    const parts = m.parts();
    const data = parts.itemFactors.data.slice();
    data[17]! += 0.001;
    const nudged = new FactorModel({ ...parts, itemFactors: { ...parts.itemFactors, data } });
    for (const [other, what] of [
      [moreItems, /item count/],
      [otherK, /factor count/],
      [nudged, /checksum/],
    ] as const) {
      assert.throws(
        () => loadAnnIndex(bytes, other, "m.mfr.ann"),
        (e) => isMfrecError(e, "E_INDEX_MISMATCH") && what.test(e.message) && e.file === "m.mfr.ann",
      );
    }
  });

  test("a version-1 HNSW file is still read; a newer version is refused with a clear E_MODEL_FORMAT", () => {
    const hn = buildAnnIndex(m, { seed: 3, M: 8 });
    const g = hn.graph!;
    const v1 = writeContainer(
      { magic: ANN_MAGIC, version: 1, format: "mfrec-ann", label: "mfrec ANN index file", noun: "ANN index", code: "E_MODEL_FORMAT", sections: new Set(["levels", "deg0", "links0", "upperDeg", "upper"]) },
      { kind: "hnsw-mips", items: 800, factors: 6, itemBias: true, modelChecksum: hn.checksum, M: 8, efConstruction: 128, seed: 3, efSearch: 512, entry: g.entry, maxLevel: g.maxLevel, upperSlots: g.upper.length },
      [
        { name: "levels", dtype: "int32", data: g.levels, shape: [g.n] },
        { name: "deg0", dtype: "int32", data: g.deg0, shape: [g.n] },
        { name: "links0", dtype: "int32", data: g.links0, shape: [g.n, 2 * g.M] },
        { name: "upperDeg", dtype: "int32", data: g.upperDeg, shape: [g.upperDeg.length] },
        { name: "upper", dtype: "int32", data: g.upper, shape: [g.upper.length] },
      ],
    );
    assert.equal(readAnnHeader(v1).formatVersion, 1);
    const back = loadAnnIndex(v1, m);
    assert.equal(back.params.method, "hnsw");
    assert.deepEqual(saveAnnIndex(back), saveAnnIndex(hn)); // re-saved as version 2, same graph
    const v3 = bytes.slice();
    v3[6] = 3;
    assert.throws(() => loadAnnIndex(v3, m), (e) => isMfrecError(e, "E_MODEL_FORMAT") && /version 3/.test(e.message));
  });

  test("corrupted lists are E_MODEL_FORMAT (checksum), truncated bytes too", () => {
    const bad = bytes.slice();
    bad[bad.length - 10]! ^= 0xff;
    assert.throws(() => loadAnnIndex(bad, m), (e) => isMfrecError(e, "E_MODEL_FORMAT") && /checksum/.test(e.message));
    assert.throws(() => loadAnnIndex(bytes.subarray(0, 100), m), (e) => isMfrecError(e, "E_MODEL_FORMAT"));
  });
});
