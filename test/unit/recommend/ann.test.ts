import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isMfrecError } from "../../../src/core/errors.js";
import { buildHnsw, HnswSearcher, mipsAugment } from "../../../src/kernels/hnsw.js";
import { loadAnnIndex, readAnnHeader, saveAnnIndex } from "../../../src/model/ann-format.js";
import { AnnIndex, buildAnnIndex, itemSideChecksum } from "../../../src/model/ann-index.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { recommendAll } from "../../../src/recommend/recommend-all.js";
import { similarItems, similarUsers } from "../../../src/recommend/similar.js";
import { randomModel } from "../model/fixtures.js";

const recallAt = (approx: string[], exact: string[]): number => {
  const want = new Set(exact);
  return approx.filter((x) => want.has(x)).length / Math.max(1, exact.length);
};

describe("HNSW kernel", () => {
  test("a 1-item and a 0-item graph answer without error", () => {
    for (const n of [0, 1]) {
      const Q = new Float32Array(n * 3).fill(1);
      const v = { Q, k: 3, n, bias: null, aug: mipsAugment(Q, 3, n, null).aug };
      const g = buildHnsw(v, { M: 4, efConstruction: 8, seed: 1 });
      const s = new HnswSearcher(v, g);
      s.setQuery([1, 0, 0], 0);
      const id = new Int32Array(4);
      assert.equal(s.search(4, id, new Float64Array(4)), n);
    }
  });

  test("MIPS transform: every transformed item has the norm of the longest", () => {
    const Q = Float32Array.of(3, 4, 1, 0, 0, 0);
    const bias = Float32Array.of(0, 2, 0);
    const { aug, maxNorm } = mipsAugment(Q, 2, 3, bias);
    assert.equal(maxNorm, 5);
    for (let i = 0; i < 3; i++) {
      const sq = Q[2 * i]! ** 2 + Q[2 * i + 1]! ** 2 + bias[i]! ** 2 + aug[i]! ** 2;
      assert.ok(Math.abs(sq - 25) < 1e-5, `item ${i}: ${sq}`);
    }
  });

  test("property: with efSearch ≥ n the search is exhaustive, so ANN equals the exact ranking (TS and WASM kernels)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (items, factors, seed, biases) => {
        const m = randomModel({ users: 3, items, factors, biases, history: false, implicit: !biases, seed });
        for (const kernels of ["ts", "wasm"] as const) {
          const ix = buildAnnIndex(m, { seed, M: 4, efConstruction: 8, kernels });
          for (let u = 0; u < 3; u++) {
            const id = m.userIndex.idAt(u);
            const exact = recommend(m, id, { n: 5 }).map((r) => r.item);
            assert.deepEqual(recommend(m, id, { n: 5, ann: ix, efSearch: items }).map((r) => r.item), exact);
          }
        }
      }),
      { numRuns: 40, seed: 19 },
    );
  });

  test("same seed, same graph; another seed, another graph", () => {
    const m = randomModel({ users: 5, items: 600, factors: 6, biases: false, history: false, implicit: true, seed: 3 });
    const a = saveAnnIndex(buildAnnIndex(m, { seed: 7, M: 8 }));
    const b = saveAnnIndex(buildAnnIndex(m, { seed: 7, M: 8 }));
    const c = saveAnnIndex(buildAnnIndex(m, { seed: 8, M: 8 }));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });
});

describe("ANN recommend / recommendAll / similarItems", () => {
  const m = randomModel({ users: 60, items: 3000, factors: 8, biases: true, history: true, implicit: false, seed: 11 });
  const index = buildAnnIndex(m, { seed: 1 });

  test("recall@10 against exact ≥ 0.95 on a 3000-item catalogue (with biases and history excluded)", () => {
    let sum = 0;
    for (let u = 0; u < m.numUsers; u++) {
      const id = m.userIndex.idAt(u);
      const exact = recommend(m, id, { n: 10 }).map((r) => r.item);
      const approx = recommend(m, id, { n: 10, ann: index }).map((r) => r.item);
      sum += recallAt(approx, exact);
    }
    assert.ok(sum / m.numUsers >= 0.95, `recall ${sum / m.numUsers}`);
  });

  test("the TS reference kernels and the WASM kernels both reach recall@10 ≥ 0.95; each is deterministic", () => {
    for (const kernels of ["ts", "wasm"] as const) {
      const ix = buildAnnIndex(m, { seed: 1, kernels });
      assert.equal(ix.kernels, kernels);
      assert.deepEqual(saveAnnIndex(ix), saveAnnIndex(buildAnnIndex(m, { seed: 1, kernels })));
      let sum = 0;
      for (let u = 0; u < m.numUsers; u++) {
        const id = m.userIndex.idAt(u);
        sum += recallAt(recommend(m, id, { n: 10, ann: ix }).map((r) => r.item), recommend(m, id, { n: 10 }).map((r) => r.item));
      }
      assert.ok(sum / m.numUsers >= 0.95, `${kernels}: recall ${sum / m.numUsers}`);
    }
    buildAnnIndex(m, { seed: 1 }); // re-attach the default one for the tests below
  });

  test("a poor search (efSearch 1 on a sparse graph) loses recall: the recall test can fail", () => {
    const weak = buildAnnIndex(m, { seed: 1, M: 2, efConstruction: 2 });
    let sum = 0;
    for (let u = 0; u < m.numUsers; u++) {
      const id = m.userIndex.idAt(u);
      sum += recallAt(recommend(m, id, { n: 10, ann: weak, efSearch: 1 }).map((r) => r.item), recommend(m, id, { n: 10 }).map((r) => r.item));
    }
    assert.ok(sum / m.numUsers < 0.95, `recall ${sum / m.numUsers}`);
    buildAnnIndex(m, { seed: 1 });
  });

  test("an exact hit has the exact score, and the list is ordered like exact", () => {
    const id = m.userIndex.idAt(4);
    const exact = new Map(recommend(m, id, { n: 50 }).map((r) => [r.item, r.score]));
    const approx = recommend(m, id, { n: 10, ann: true });
    for (const r of approx) if (exact.has(r.item)) assert.equal(r.score, exact.get(r.item));
    for (let t = 1; t < approx.length; t++) assert.ok(approx[t - 1]!.score >= approx[t]!.score);
  });

  test("filters hold exactly: no rated, excluded or non-allowed item is returned (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: m.numUsers - 1 }),
        fc.array(fc.integer({ min: 0, max: m.numItems - 1 }), { maxLength: 200 }),
        fc.option(fc.array(fc.integer({ min: 0, max: m.numItems - 1 }), { minLength: 1, maxLength: 400 })),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (u, ex, only, n, excludeRated) => {
          const user = m.userIndex.idAt(u);
          const exclude = ex.map((i) => m.itemIndex.idAt(i));
          const items = only?.map((i) => m.itemIndex.idAt(i));
          const recs = recommend(m, user, { n, exclude, items, excludeRated, ann: index });
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

  test("a short allow-list is answered exactly", () => {
    const items = Array.from({ length: 100 }, (_, t) => m.itemIndex.idAt(t * 7));
    const id = m.userIndex.idAt(9);
    assert.deepEqual(recommend(m, id, { n: 10, items, ann: index }), recommend(m, id, { n: 10, items }));
  });

  test("filters removing nearly everything fall back to exact (full lists)", () => {
    const id = m.userIndex.idAt(2);
    const keep = new Set(Array.from({ length: 12 }, (_, t) => m.itemIndex.idAt(100 + t)));
    const exclude = [];
    for (let i = 0; i < m.numItems; i++) if (!keep.has(m.itemIndex.idAt(i))) exclude.push(m.itemIndex.idAt(i));
    const exact = recommend(m, id, { n: 10, exclude, excludeRated: false });
    assert.equal(exact.length, 10);
    assert.deepEqual(recommend(m, id, { n: 10, exclude, excludeRated: false, ann: index, efSearch: 16 }), exact);
  });

  test("recommendAll with ann equals per-user recommend with ann", () => {
    const users = [0, 5, 17, 33].map((u) => m.userIndex.idAt(u));
    const all = [...recommendAll(m, { n: 10, users, ann: index })];
    assert.equal(all.length, users.length);
    all.forEach((l, t) => {
      const one = recommend(m, users[t]!, { n: 10, ann: index });
      assert.deepEqual(l.items, one.map((r) => r.item));
      assert.deepEqual(l.scores, one.map((r) => r.score));
    });
  });

  test("similarItems with ann: recall@10 ≥ 0.9 for cosine, dot and balanced; item itself never returned", () => {
    for (const metric of ["cosine", "dot", "balanced"] as const) {
      let sum = 0;
      const Q = 40;
      for (let t = 0; t < Q; t++) {
        const item = m.itemIndex.idAt(t * 61);
        const exact = similarItems(m, item, { n: 10, metric });
        const approx = similarItems(m, item, { n: 10, metric, ann: index });
        assert.ok(!approx.some((r) => r.item === item));
        const es = new Map(exact.map((r) => [r.item, r.score]));
        for (const r of approx) if (es.has(r.item)) assert.equal(r.score, es.get(r.item));
        sum += recallAt(approx.map((r) => r.item), exact.map((r) => r.item));
      }
      assert.ok(sum / Q >= 0.9, `${metric}: recall ${sum / Q}`);
    }
  });

  test("similarUsers refuses ann (items only)", () => {
    assert.throws(() => similarUsers(m, m.userIndex.idAt(0), { ann: index }), (e) => isMfrecError(e, "E_UNSUPPORTED"));
  });

  test("ann: true without an attached index is E_CONFIG; an index of another model object is E_CONFIG", () => {
    const other = randomModel({ users: 5, items: 50, factors: 8, biases: true, history: false, implicit: false, seed: 12 });
    assert.throws(() => recommend(other, other.userIndex.idAt(0), { ann: true }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => recommend(other, other.userIndex.idAt(0), { ann: index }), (e) => isMfrecError(e, "E_CONFIG"));
    assert.throws(() => recommend(m, m.userIndex.idAt(0), { ann: index, efSearch: 0 }), (e) => isMfrecError(e, "E_CONFIG"));
  });
});

describe("ANN index file", () => {
  const m = randomModel({ users: 10, items: 800, factors: 6, biases: true, history: true, implicit: false, seed: 4 });
  const index = buildAnnIndex(m, { seed: 3, M: 8 });
  const bytes = saveAnnIndex(index);

  test("round trip: same graph, same answers; header names items, k and checksum", () => {
    const h = readAnnHeader(bytes);
    assert.equal(h.items, 800);
    assert.equal(h.factors, 6);
    assert.equal(h.modelChecksum, itemSideChecksum(m));
    const back = loadAnnIndex(bytes, m);
    assert.deepEqual(saveAnnIndex(loadAnnIndex(bytes, m, undefined, "ts")), bytes);
    assert.ok(back instanceof AnnIndex);
    assert.deepEqual(saveAnnIndex(back), bytes);
    for (let u = 0; u < m.numUsers; u++) {
      const id = m.userIndex.idAt(u);
      assert.deepEqual(recommend(m, id, { ann: back }), recommend(m, id, { ann: index }));
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

  test("corrupted or truncated bytes are E_MODEL_FORMAT", () => {
    const bad = bytes.slice();
    bad[bad.length - 10]! ^= 0xff;
    assert.throws(() => loadAnnIndex(bad, m), (e) => isMfrecError(e, "E_MODEL_FORMAT") && /checksum/.test(e.message));
    assert.throws(() => loadAnnIndex(bytes.subarray(0, 100), m), (e) => isMfrecError(e, "E_MODEL_FORMAT"));
  });
});
