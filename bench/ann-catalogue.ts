/**
 * The ANN benchmark catalogue: a model of `items` items at k factors, generated (never written to the
 * repository) with the seeded RNG. Item and user vectors follow the hidden world of
 * src/data/synthetic.ts — 8 taste clusters, h = m_c + N(0, 0.6²/r) in a rank r = 16 space with unit
 * centroids — mapped to k dimensions by a fixed random r × k matrix, plus isotropic noise of norm ≈ 0.3
 * (what a k = 64 model trained on rank-16 data carries beyond the signal), times a log-normal item
 * scale exp(0.3·N(0, 1)) (popular items have longer vectors). Item biases N(0, 0.3²), user biases
 * N(0, 0.2²); each user has a history of 20 random items (so "exclude rated" is exercised).
 *
 * `structure: false` gives i.i.d. N(0, 0.3²) factors instead: the worst case for any index (no
 * low-dimensional structure; reported beside the main figures).
 */
import { rngFor } from "../src/core/rng.js";
import { IdIndex } from "../src/data/id-index.js";
import { buildCsr } from "../src/matrix/csr.js";
import { FactorModel } from "../src/model/factor-model.js";

export interface CatalogueSpec {
  items: number;
  users: number;
  factors: number;
  seed: number;
  structure?: boolean;
}

export function annCatalogue(s: CatalogueSpec): FactorModel {
  const { items, users, factors: k, seed } = s;
  const R = 16;
  const C = 8;
  const rng = rngFor(seed, "ann-catalogue");
  const E = new Float64Array(R * k);
  for (let i = 0; i < E.length; i++) E[i] = rng.normal() / Math.sqrt(R);
  const cent = new Float64Array(C * R);
  for (let c = 0; c < C; c++) {
    let n2 = 0;
    for (let r = 0; r < R; r++) {
      const x = rng.normal();
      cent[c * R + r] = x;
      n2 += x * x;
    }
    for (let r = 0; r < R; r++) cent[c * R + r]! /= Math.sqrt(n2);
  }
  const h = new Float64Array(R);
  const vec = (out: Float32Array, o: number, scale: number) => {
    if (s.structure === false) {
      for (let f = 0; f < k; f++) out[o + f] = 0.3 * rng.normal();
      return;
    }
    const c = rng.int(C);
    for (let r = 0; r < R; r++) h[r] = cent[c * R + r]! + (rng.normal() * 0.6) / Math.sqrt(R);
    for (let f = 0; f < k; f++) {
      let a = 0;
      for (let r = 0; r < R; r++) a += h[r]! * E[r * k + f]!;
      out[o + f] = scale * (a + (rng.normal() * 0.3) / Math.sqrt(k));
    }
  };
  const Q = new Float32Array(items * k);
  for (let i = 0; i < items; i++) vec(Q, i * k, Math.exp(0.3 * rng.normal()));
  const P = new Float32Array(users * k);
  for (let u = 0; u < users; u++) vec(P, u * k, 1);
  const bi = Float32Array.from({ length: items }, () => 0.3 * rng.normal());
  const bu = Float32Array.from({ length: users }, () => 0.2 * rng.normal());
  const per = Math.min(20, items);
  const rows = new Int32Array(users * per);
  const cols = new Int32Array(users * per);
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    while (seen.size < per) seen.add(rng.int(items));
    let t = 0;
    for (const i of [...seen].sort((a, b) => a - b)) {
      rows[u * per + t] = u;
      cols[u * per + t] = i;
      t++;
    }
  }
  const history = buildCsr(rows, cols, new Float32Array(rows.length).fill(1), users, items);
  return new FactorModel({
    config: { algorithm: "generated", factors: k, seed },
    userFactors: { rows: users, cols: k, data: P },
    itemFactors: { rows: items, cols: k, data: Q },
    userIndex: IdIndex.from(Array.from({ length: users }, (_, u) => `u${u}`)),
    itemIndex: IdIndex.from(Array.from({ length: items }, (_, i) => `i${i}`)),
    globalMean: 0,
    userBias: bu,
    itemBias: bi,
    history,
    implicit: true,
    training: [],
  });
}
