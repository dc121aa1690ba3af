import { IdIndex } from "../../../src/data/id-index.js";
import { buildCsr, type CsrMatrix } from "../../../src/matrix/csr.js";
import { FactorModel } from "../../../src/model/factor-model.js";

export const SEED_ITEMS = ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"];
export const SEED_USERS = ["User 1", "User 2", "User 3"];
export const SEED_USER_MATRIX = [
  [1.1, 2.3],
  [0.6, 2.0],
  [2.5, 0.5],
];
/** k × items, the seed's orientation. */
export const SEED_ITEM_MATRIX = [
  [0.9, 0.2, 1.4, 2.0, 1.2],
  [1.7, 1.2, 1.2, -0.1, 2.1],
];
/** The seed's recommendation matrix, rounded to 2 places. */
export const SEED_PRODUCT = [
  [4.9, 2.98, 4.3, 1.97, 6.15],
  [3.94, 2.52, 3.24, 1.0, 4.92],
  [3.1, 1.1, 4.1, 4.95, 4.05],
];
/** The seed's known ratings (user, item, value). */
export const SEED_RATINGS: Array<[number, number, number]> = [
  [0, 0, 5],
  [0, 1, 3],
  [0, 3, 2],
  [1, 0, 4],
  [1, 3, 1],
  [1, 4, 5],
  [2, 1, 1],
  [2, 2, 4],
  [2, 3, 5],
  [2, 4, 4],
];

/** The seed's given-factor model (no biases, no scale, no history). */
export function seedModel(): FactorModel {
  return FactorModel.fromMatrices({ userMatrix: SEED_USER_MATRIX, itemMatrix: SEED_ITEM_MATRIX, users: SEED_USERS, items: SEED_ITEMS });
}

/** The seed model with its ratings as history, the 1–5 scale, and optional biases. */
export function seedModelWithHistory(opts: { biases?: boolean } = {}): FactorModel {
  const m = seedModel();
  const r = SEED_RATINGS;
  const history = buildCsr(Int32Array.from(r, (x) => x[0]), Int32Array.from(r, (x) => x[1]), Float32Array.from(r, (x) => x[2]), 3, 5);
  return new FactorModel({
    config: { algorithm: "given", factors: 2 },
    userFactors: m.userFactors,
    itemFactors: m.itemFactors,
    userIndex: m.userIndex,
    itemIndex: m.itemIndex,
    history,
    ratingScale: [1, 5],
    ...(opts.biases ? { globalMean: 3.4, userBias: Float32Array.of(0.1, -0.2, 0.3), itemBias: Float32Array.of(0.5, -0.7, 0.2, -0.1, 0.4) } : {}),
  });
}

/** mulberry32: a tiny seeded generator for fixtures. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomModelSpec {
  users: number;
  items: number;
  factors: number;
  biases: boolean;
  history: boolean;
  implicit: boolean;
  seed: number;
  userIds?: string[];
  itemIds?: string[];
}

/** A random model of the given shape (values in [-2, 2)), with optional biases and history. */
export function randomModel(s: RandomModelSpec): FactorModel {
  const rnd = mulberry32(s.seed);
  const vals = (n: number) => Float32Array.from({ length: n }, () => rnd() * 4 - 2);
  let history: CsrMatrix | undefined;
  if (s.history) {
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < s.users; u++) {
      for (let i = 0; i < s.items; i++) {
        if (rnd() < 0.3) {
          rows.push(u);
          cols.push(i);
        }
      }
    }
    history = buildCsr(Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(rows, () => 1 + Math.floor(rnd() * 5)), s.users, s.items);
  }
  return new FactorModel({
    config: { algorithm: "random", factors: s.factors, seed: s.seed, regularization: 0.1, tags: ["a", "b"] },
    userFactors: { rows: s.users, cols: s.factors, data: vals(s.users * s.factors) },
    itemFactors: { rows: s.items, cols: s.factors, data: vals(s.items * s.factors) },
    userIndex: IdIndex.from(s.userIds ?? Array.from({ length: s.users }, (_, i) => `u${i}`)),
    itemIndex: IdIndex.from(s.itemIds ?? Array.from({ length: s.items }, (_, i) => `i${i}`)),
    globalMean: s.biases ? 3.5 : 0,
    userBias: s.biases ? vals(s.users) : undefined,
    itemBias: s.biases ? vals(s.items) : undefined,
    history,
    ratingScale: s.implicit ? undefined : [1, 5],
    implicit: s.implicit,
    training: [{ epoch: 1, loss: 12.5, trainRmse: 0.9, seconds: 0.01 }],
    provenance: { createdAt: "2024-01-01T00:00:00.000Z", mfrecVersion: "0.1.0", ratings: 10, source: "test" },
  });
}
