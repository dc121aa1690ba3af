/**
 * bayes-fm fold-in and model size on ml-100k u1 (docs/accuracy.md, "How a bayes-fm model stores the sample
 * average, and fold-in"). The users whose id is a multiple of 10 are taken out of u1.base, bayes-fm (its
 * defaults, ranking: "none") is fitted on the rest with the user and item features, and each taken-out user is
 * folded in from their u1.base ratings (with their features, without, with no stored vectors as before format
 * version 4, or from features alone) and scored on their u1.test ratings, next to the same users' trained rows
 * in a fit on the whole of u1.base. Then the floats each part of the model file holds.
 *   node dist/bench/bayes-fm-fold-in.js [seed] [--data DIR]   (default seed 42, $MFREC_DATA_DIR or ../shared/data)
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { featuresOf } from "../src/data/features.js";
import { readFeaturesFile } from "../src/data/features-node.js";
import { ratingsFromArray } from "../src/data/ratings.js";
import { readRatingsFileSync } from "../src/data/read-file-node.js";
import type { FactorModel } from "../src/model/factor-model.js";
import { readModelHeader, saveModel } from "../src/model/format.js";
import { fitSync } from "../src/train/fit.js";
import { type FoldedRow, foldInRow, resolveHistory } from "../src/train/fold-in.js";

const args = process.argv.slice(2);
const di = args.indexOf("--data");
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const data = di >= 0 ? args.splice(di, 2)[1]! : (process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data"));
if (!existsSync(data)) throw new Error(`no shared data at ${data}`);
const seed = Number(args[0] ?? 42);
const base = readRatingsFileSync(join(data, "ml-100k/u1.base"));
const test = readRatingsFileSync(join(data, "ml-100k/u1.test"));
const userFeatures = readFeaturesFile(join(data, "features/ml100k-users.csv")).table;
const itemFeatures = readFeaturesFile(join(data, "features/ml100k-items.csv")).table;

const isNew = (id: string): boolean => Number(id) % 10 === 0;
const rows: { user: string; item: string; rating: number }[] = [];
const held = new Map<string, { item: string; value: number }[]>();
for (let t = 0; t < base.length; t++) {
  const user = base.userIndex.idAt(base.users[t]!);
  const item = base.itemIndex.idAt(base.items[t]!);
  const rating = base.values[t]!;
  if (!isNew(user)) rows.push({ user, item, rating });
  else {
    if (!held.has(user)) held.set(user, []);
    held.get(user)!.push({ item, value: rating });
  }
}
const config = { algorithm: "bayes-fm", ranking: "none", seed };
const t0 = process.cpuUsage();
const model = fitSync(ratingsFromArray(rows), config, { userFeatures, itemFeatures });
const cpu = process.cpuUsage(t0);
const full = fitSync(base, config, { userFeatures, itemFeatures });

const clip = (x: number): number => Math.min(5, Math.max(1, x));
const score = (m: FactorModel, r: FoldedRow, i: number): number => {
  let s = m.globalMean + r.bias + m.itemBias![i]!;
  for (let f = 0; f < m.factors; f++) s += r.factors[f]! * m.itemFactors.data[i * m.factors + f]!;
  return s;
};
const none: { indices: Int32Array; values: Float32Array } = { indices: new Int32Array(0), values: new Float32Array(0) };
const bare = model.with({ features: undefined });
const variants: Record<string, (h: typeof none, f: Record<string, number>) => FoldedRow> = {
  "ratings + features (+ implicit term)": (h, f) => foldInRow(model, h.indices, h.values, "user", { features: f }),
  "ratings (+ implicit term)": (h) => foldInRow(model, h.indices, h.values, "user"),
  "ratings, no stored vectors (as before format 4)": (h) => foldInRow(bare, h.indices, h.values, "user"),
  "features alone (cold)": (_h, f) => foldInRow(model, none.indices, none.values, "user", { features: f }),
  "nothing (mu + b_i)": () => ({ factors: new Float32Array(model.factors), bias: 0 }),
};
const testOf = new Map<string, number[]>();
for (let t = 0; t < test.length; t++) {
  const user = test.userIndex.idAt(test.users[t]!);
  if (!held.has(user)) continue;
  if (!testOf.has(user)) testOf.set(user, []);
  testOf.get(user)!.push(t);
}
const rmse: Record<string, number> = {};
let n = 0;
for (const [name, make] of Object.entries(variants)) {
  let sse = 0;
  n = 0;
  for (const [user, hist] of held) {
    const row = make(resolveHistory(model.itemIndex, hist, "item", "skip"), featuresOf(userFeatures, user));
    for (const t of testOf.get(user) ?? []) {
      const i = model.itemIndex.indexOf(test.itemIndex.idAt(test.items[t]!));
      if (i < 0) continue;
      sse += (clip(score(model, row, i)) - test.values[t]!) ** 2;
      n++;
    }
  }
  rmse[name] = Math.sqrt(sse / n);
}
let sse = 0;
let nFull = 0;
for (const [user, ts] of testOf) {
  const u = full.userIndex.indexOf(user);
  for (const t of ts) {
    const i = full.itemIndex.indexOf(test.itemIndex.idAt(test.items[t]!));
    if (i < 0) continue;
    const row = { factors: full.userFactors.data.subarray(u * full.factors, (u + 1) * full.factors), bias: full.userBias![u]! };
    sse += (clip(score(full, row, i)) - test.values[t]!) ** 2;
    nFull++;
  }
}
rmse["trained rows (fit on all of u1.base)"] = Math.sqrt(sse / nFull);

const bytes = saveModel(full);
const floats: Record<string, number> = {};
for (const s of readModelHeader(bytes).sections) floats[s.name] = s.shape.reduce((a, b) => a * b, 1);
const f = full.features!;
const sizes = {
  formatVersion: bytes[6],
  width: full.factors,
  fileBytes: bytes.length,
  withoutImplicitVectors: saveModel(full.with({ features: { users: f.users, items: f.items } })).length,
  withoutAnyVectors: saveModel(full.with({ features: undefined })).length,
  floats,
};
const out = { seed, newUsers: held.size, testRatings: n, rmse, fitCpuSeconds: (cpu.user + cpu.system) / 1e6, sizes };
console.log(JSON.stringify(out, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v), 1));
