/**
 * A tiny MovieLens 100k reader and explicit-rating evaluator for the accuracy tests, kept local until
 * the data/ parser and recommend/predict land. Files are tab-separated `user item rating timestamp`.
 */
import { readFileSync } from "node:fs";
import { type Ratings, RatingsBuilder } from "../../src/data/ratings.js";
import type { FactorModel } from "../../src/model/factor-model.js";

/** All ratings of a u*.base / u*.test file. */
export function readMl100k(path: string): Ratings {
  const b = new RatingsBuilder({ source: path, duplicates: "error" });
  const lines = readFileSync(path, "utf8").split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === "") continue;
    const [u, i, r, t] = line.split("\t");
    b.add(Number(u), Number(i), Number(r), n + 1, Number(t));
  }
  return b.finish({ format: "ml-100k" });
}

/**
 * The clipped prediction for raw ids: μ + b_u + b_i + p_u·q_i, where a user or item unseen in
 * training contributes no bias and no factor term (so an unknown pair gets the global mean).
 */
export function predictRaw(model: FactorModel, user: string, item: string): number {
  const u = model.userIndex.indexOf(user);
  const i = model.itemIndex.indexOf(item);
  if (u >= 0 && i >= 0) return model.clip(model.scoreIndex(u, i));
  let s = model.globalMean;
  if (u >= 0 && model.userBias) s += model.userBias[u]!;
  if (i >= 0 && model.itemBias) s += model.itemBias[i]!;
  return model.clip(s);
}

/** RMSE of {@link predictRaw} over the test ratings. */
export function testRmse(model: FactorModel, test: Ratings): number {
  let sse = 0;
  for (let n = 0; n < test.length; n++) {
    const e = test.values[n]! - predictRaw(model, test.userIndex.idAt(test.users[n]!), test.itemIndex.idAt(test.items[n]!));
    sse += e * e;
  }
  return Math.sqrt(sse / test.length);
}
