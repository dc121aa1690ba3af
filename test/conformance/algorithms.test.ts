/**
 * The one conformance suite every registered algorithm passes (ARCHITECTURE lesson 6):
 * learns a block structure (checkerboard with withheld cells), batch == single, save -> load
 * gives identical scores, unknown ids and empty histories behave as documented, same seed ->
 * identical factors, and every hyper-parameter changes the result.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../src/core/errors.js";
import { Rng } from "../../src/core/rng.js";
import { type Ratings, ratingsFromArray } from "../../src/data/ratings.js";
import type { FactorModel, ModelConfig } from "../../src/model/factor-model.js";
import { loadModel, saveModel } from "../../src/model/format.js";
import { predict, predictBatch } from "../../src/recommend/predict.js";
import { recommend } from "../../src/recommend/recommend.js";
import { fitSync } from "../../src/train/fit.js";
import { getAlgorithm, listAlgorithms } from "../../src/train/registry.js";

const USERS = 40;
const ITEMS = 30;
const group = (x: number, n: number): number => (x < n / 2 ? 0 : 1);

/** Two taste groups: users of group g like items of group g. Cells on a "diagonal" are withheld for checking. */
function checkerboard(implicit: boolean): { ratings: Ratings; withheld: Array<[string, string, boolean]> } {
  const rng = new Rng(7);
  const rows: Array<{ user: string; item: string; rating: number }> = [];
  const withheld: Array<[string, string, boolean]> = [];
  for (let u = 0; u < USERS; u++) {
    for (let i = 0; i < ITEMS; i++) {
      const liked = group(u, USERS) === group(i, ITEMS);
      if ((u + i) % 7 === 0) {
        withheld.push([`u${u}`, `i${i}`, liked]);
        continue;
      }
      if (rng.next() > 0.6) continue;
      if (implicit) {
        if (liked) rows.push({ user: `u${u}`, item: `i${i}`, rating: 1 + rng.int(3) });
      } else rows.push({ user: `u${u}`, item: `i${i}`, rating: liked ? 4 + rng.int(2) : 1 + rng.int(2) });
    }
  }
  return { ratings: ratingsFromArray(rows), withheld };
}

const data = { explicit: checkerboard(false), implicit: checkerboard(true) };

/** Small, fast settings shared by the suite, for the keys the algorithm has; its defaults fill the rest. */
function smallConfig(name: string): ModelConfig {
  const defaults = getAlgorithm(name).resolveConfig({ algorithm: name });
  const small: ModelConfig = { algorithm: name };
  for (const [key, value] of [["factors", 4], ["epochs", 12], ["seed", 11]] as const) if (key in defaults) small[key] = value;
  return small;
}

function bytesOf(m: FactorModel): Uint8Array[] {
  const out = [new Uint8Array(m.userFactors.data.buffer.slice(0)), new Uint8Array(m.itemFactors.data.buffer.slice(0))];
  if (m.userBias) out.push(new Uint8Array(m.userBias.slice().buffer));
  if (m.itemBias) out.push(new Uint8Array(m.itemBias.slice().buffer));
  // What a model stores for cold start and fold-in (hybrid, bayes-fm: FactorModel.features) is part of it too.
  for (const f of [m.features?.users, m.features?.items, m.features?.ratedItems, m.features?.raters]) {
    if (!f) continue;
    out.push(new Uint8Array(f.factors.data.slice().buffer));
    if (f.bias) out.push(new Uint8Array(f.bias.slice().buffer));
  }
  // And its time effects (bayes-fm time / userDay: FactorModel.time).
  for (const a of [m.time?.bins?.factors.data, m.time?.bins?.bias, m.time?.userDay?.bias]) if (a) out.push(new Uint8Array(a.slice().buffer));
  return out;
}

for (const name of listAlgorithms()) {
  const algo = getAlgorithm(name);
  const { ratings, withheld } = algo.implicit ? data.implicit : data.explicit;
  describe(`conformance: ${name}`, () => {
    const model = fitSync(ratings, smallConfig(name));
    const seeded = "seed" in model.config;
    // A biases-only model (baseline) has no interaction terms by design: it cannot learn a checkerboard.
    const factorised = model.factors > 0;

    test("learns the block structure: withheld liked cells score above withheld disliked ones", { skip: factorised ? false : "no latent factors (biases only)" }, () => {
      let liked = 0;
      let disliked = 0;
      let nl = 0;
      let nd = 0;
      for (const [u, i, like] of withheld) {
        const s = predict(model, u, i).raw;
        assert.ok(Number.isFinite(s));
        if (like) {
          liked += s;
          nl++;
        } else {
          disliked += s;
          nd++;
        }
      }
      assert.ok(liked / nl > disliked / nd + (algo.implicit ? 0.05 : 1), `mean liked ${liked / nl} vs disliked ${disliked / nd}`);
    });

    test("predictBatch equals predict pair by pair", () => {
      const us = new Int32Array(withheld.map(([u]) => model.userIndex.indexOf(u)));
      const is = new Int32Array(withheld.map(([, i]) => model.itemIndex.indexOf(i)));
      const batch = predictBatch(model, us, is);
      withheld.forEach(([u, i], k) => {
        assert.equal(batch[k], Math.fround(predict(model, u, i).score));
      });
    });

    test("save -> load gives identical factors and recommendations", () => {
      const back = loadModel(saveModel(model));
      assert.deepEqual(bytesOf(back), bytesOf(model));
      for (const u of ["u0", "u21", "u39"]) assert.deepEqual(recommend(back, u, { n: 5 }), recommend(model, u, { n: 5 }));
      assert.deepEqual(back.config, model.config);
    });

    test("unknown user or item: a documented fallback with a reason, never NaN", () => {
      const p = predict(model, "nobody", "i1");
      assert.equal(p.known, false);
      assert.equal(p.reason, "unknown-user");
      assert.ok(Number.isFinite(p.score));
      const q = predict(model, "u1", "nothing");
      assert.equal(q.reason, "unknown-item");
      assert.ok(Number.isFinite(q.score));
      const recs = recommend(model, "nobody", { n: 3 });
      assert.ok(recs.every((r) => Number.isFinite(r.score)));
    });

    test("recommendations exclude the user's rated items by default", () => {
      const rated = new Set<string>();
      const u = model.userIndex.indexOf("u3");
      const h = model.history!;
      for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) rated.add(model.itemIndex.idAt(h.indices[p]!));
      const recs = recommend(model, "u3", { n: ITEMS });
      assert.equal(recs.length, ITEMS - rated.size);
      for (const r of recs) assert.ok(!rated.has(r.item));
    });

    test("same config -> identical model; another seed -> different factors", () => {
      const again = fitSync(ratings, smallConfig(name));
      assert.deepEqual(bytesOf(again), bytesOf(model));
      if (!seeded) return; // deterministic algorithms (baseline) take no seed
      const other = fitSync(ratings, { ...smallConfig(name), seed: 12 });
      assert.notDeepEqual(bytesOf(other), bytesOf(model));
    });

    test("the shared vocabulary is validated the same way: seed -1 and factors 0 refused, threads 0 (auto) accepted", () => {
      const base = smallConfig(name);
      const refuses = (key: string, value: number) => assert.throws(() => algo.resolveConfig({ ...base, [key]: value }), (e) => isMfrecError(e, "E_CONFIG"), `${name}: ${key} = ${value}`);
      if ("seed" in base) refuses("seed", -1);
      if ("factors" in base) refuses("factors", 0);
      if ("threads" in model.config) algo.resolveConfig({ ...base, threads: 0 });
    });

    test("every hyper-parameter changes the result", () => {
      const resolved = model.config;
      const skip = new Set(["algorithm", "seed", "threads"]);
      const changed: string[] = [];
      for (const [key, value] of Object.entries(resolved)) {
        if (skip.has(key)) continue;
        let variant: ModelConfig[string];
        if (typeof value === "boolean") variant = !value;
        else if (typeof value === "number") variant = Number.isInteger(value) && value !== 0 ? value + 1 : value === 0 ? 0.05 : value * 1.7;
        else continue; // choices are checked by their own algorithm's tests
        let other: FactorModel;
        try {
          other = fitSync(ratings, { ...resolved, [key]: variant });
        } catch {
          continue; // the variant is out of range for this key (e.g. a fraction above 1)
        }
        assert.notDeepEqual(bytesOf(other), bytesOf(model), `changing ${key} from ${String(value)} to ${String(variant)} left the model unchanged`);
        changed.push(key);
      }
      // At least two keys were varied, or every numeric key of an algorithm with fewer (ease has one: λ).
      const numeric = Object.entries(resolved).filter(([k, v]) => !skip.has(k) && (typeof v === "number" || typeof v === "boolean")).length;
      assert.ok(changed.length >= Math.min(2, numeric) && changed.length > 0, `only ${changed.join(", ")} were checked`);
    });
  });
}
