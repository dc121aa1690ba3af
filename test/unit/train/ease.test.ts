import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { invertSpdInPlace } from "../../../src/kernels/linalg.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { fitSync } from "../../../src/train/fit.js";

// The seed's 3 × 5 ratings: who rated what (values are ignored by ease).
const rows = [
  { user: "u1", item: "a", rating: 5 },
  { user: "u1", item: "b", rating: 3 },
  { user: "u1", item: "d", rating: 2 },
  { user: "u2", item: "a", rating: 4 },
  { user: "u2", item: "d", rating: 1 },
  { user: "u2", item: "e", rating: 5 },
  { user: "u3", item: "b", rating: 1 },
  { user: "u3", item: "c", rating: 4 },
  { user: "u3", item: "d", rating: 5 },
  { user: "u3", item: "e", rating: 4 },
];

describe("ease (Steck 2019)", () => {
  it("invertSpdInPlace: A·A⁻¹ = I on a 3 × 3 SPD matrix; a non-SPD matrix is refused", () => {
    const A = Float64Array.of(4, 1, 2, 1, 3, 0, 2, 0, 5);
    const inv = A.slice();
    assert.ok(invertSpdInPlace(inv, 3));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let t = 0; t < 3; t++) s += A[i * 3 + t]! * inv[t * 3 + j]!;
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12, `${i},${j}: ${s}`);
      }
    assert.equal(invertSpdInPlace(Float64Array.of(0, 1, 1, 0), 2), false);
  });

  it("scores are x_u·B with B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, diag B = 0 (worked by hand in doubles)", () => {
    const r = ratingsFromArray(rows);
    const lambda = 2;
    const m = fitSync(r, { algorithm: "ease", regularization: lambda });
    const n = r.itemIndex.size;
    // Reference: G by counting co-occurrences, P by the same inverse, B column by column.
    const X = Array.from({ length: r.userIndex.size }, () => new Array<number>(n).fill(0));
    for (let t = 0; t < r.length; t++) X[r.users[t]!]![r.items[t]!] = 1;
    const G = new Float64Array(n * n);
    for (const x of X) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j]! += x[i]! * x[j]!;
    for (let i = 0; i < n; i++) G[i * n + i]! += lambda;
    assert.ok(invertSpdInPlace(G, n));
    for (let u = 0; u < X.length; u++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += X[u]![j]! * (j === i ? 0 : -G[j * n + i]! / G[i * n + i]!);
        assert.ok(Math.abs(m.scoreIndex(u, i) - s) < 1e-5, `(${u}, ${i}): ${m.scoreIndex(u, i)} vs ${s}`);
      }
    // An item never scores itself: q_i's own entry is 0.
    for (let i = 0; i < n; i++) assert.equal(m.itemFactors.data[i * n + i], 0);
    assert.ok(m.implicit);
    // recommend ranks the unrated items: u1 rated a, b, d; c and e remain.
    assert.deepEqual(recommend(m, "u1", { n: 5 }).map((x) => x.item).sort(), ["c", "e"]);
  });

  it("above maxItems it answers E_TOO_LARGE naming the limit", () => {
    assert.throws(
      () => fitSync(ratingsFromArray(rows), { algorithm: "ease", maxItems: 4 }),
      (e: unknown) => isMfrecError(e, "E_TOO_LARGE") && /limit of 4 items/.test((e as Error).message),
    );
    assert.throws(() => fitSync(ratingsFromArray(rows), { algorithm: "ease", regularization: 0 }), (e: unknown) => isMfrecError(e, "E_CONFIG"));
  });
});
