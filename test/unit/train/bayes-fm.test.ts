import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { foldInRow, foldInUser } from "../../../src/train/fold-in.js";
import { explain } from "../../../src/recommend/explain.js";
import { rawScoreIndex } from "../../../src/recommend/predict.js";
import { bayesFmKeptSamples, resolveBayesFmConfig } from "../../../src/train/bayes-fm/config.js";
import { bayesFmChainSeed } from "../../../src/train/bayes-fm/trainer.js";
import { nodePoolFactory } from "../../../src/parallel/pool-node.js";
import { fmRowCaches, fmSampleGroup, fmUpdateResiduals } from "../../../src/train/bayes-fm/kernel.js";
import { fitSync } from "../../../src/train/fit.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { smallRatings } from "./explicit-fixtures.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import type { EntityFeatures } from "../../../src/model/cold-start.js";
import { loadModel, readModelHeader, saveModel } from "../../../src/model/format.js";

/** A row's unclipped score of item i: μ + b + b_i + row·q_i. */
function rowScore(model: FactorModel, row: { factors: Float32Array; bias: number }, i: number): number {
  let s = model.globalMean + row.bias + model.itemBias![i]!;
  for (let f = 0; f < model.factors; f++) s += row.factors[f]! * model.itemFactors.data[i * model.factors + f]!;
  return s;
}

/** RMS over users × items of (folded-in user's score − trained user's score), folding each user in from their own history (and features). */
function foldInGap(model: FactorModel, users: number[], features: (u: number) => EntityFeatures | undefined): { rms: number; spread: number } {
  const h = model.history!;
  let sse = 0;
  let spread = 0;
  let n = 0;
  for (const u of users) {
    const lo = h.indptr[u]!;
    const hi = h.indptr[u + 1]!;
    const f = features(u);
    const row = foldInRow(model, h.indices.subarray(lo, hi), h.values.subarray(lo, hi), "user", f === undefined ? {} : { features: f });
    assert.equal(row.factors.length, model.factors);
    for (let i = 0; i < model.numItems; i++) {
      const trained = rawScoreIndex(model, u, i);
      sse += (rowScore(model, row, i) - trained) ** 2;
      spread += (trained - model.globalMean) ** 2;
      n++;
    }
  }
  return { rms: Math.sqrt(sse / n), spread: Math.sqrt(spread / n) };
}

describe("bayes-fm kernel", () => {
  it("with zero noise an id-group draw is the conditional mean (α(G + θA) + λμ)/(λ + αA)", () => {
    // One user, two ratings, other side rows (w = 2, column 0): o = 1 and o = 2.
    const indptr = Int32Array.of(0, 2);
    const indices = Int32Array.of(0, 1);
    const other = Float32Array.of(1, 0, 2, 0);
    const resid = Float32Array.of(0.5, -1);
    const a = new Float64Array(1);
    const g = new Float64Array(1);
    fmRowCaches(indptr, indices, resid, other, 2, 0, a, g, 1);
    assert.deepEqual([a[0], g[0]], [1 + 4, 0.5 - 2]); // A = Σo², G = Σeo
    const theta = Float32Array.of(0.25, 0);
    const sums = Float32Array.of(0.25, 0);
    const alpha = 2;
    const mu = 0.1;
    const lambda = 3;
    fmSampleGroup(null, null, null, theta, 2, 0, sums, a, g, alpha, mu, lambda, new Float64Array(1), 1);
    const want = (alpha * (-1.5 + 0.25 * 5) + lambda * mu) / (lambda + alpha * 5); // = −0.2/13
    assert.ok(Math.abs(theta[0]! - want) < 1e-7, `${theta[0]} vs ${want}`);
    assert.ok(Math.abs(sums[0]! - want) < 1e-7, "the side sum follows the parameter");
    const before = Float32Array.of(0.25);
    fmUpdateResiduals(indptr, indices, resid, other, 2, 0, sums, before, 1);
    const d = want - 0.25;
    assert.ok(Math.abs(resid[0]! - (0.5 - d)) < 1e-6 && Math.abs(resid[1]! - (-1 - 2 * d)) < 1e-6, `residuals ${Array.from(resid)}`);
    // The cached G after the draw is Σ e'·o with the new residuals.
    assert.ok(Math.abs(g[0]! - (resid[0]! * 1 + resid[1]! * 2)) < 1e-6);
  });

  it("the noise scales by the posterior standard deviation 1/√(λ + αA)", () => {
    const a = Float64Array.of(4);
    const g = Float64Array.of(0);
    const theta = Float32Array.of(0);
    fmSampleGroup(null, null, null, theta, 1, 0, new Float32Array(1), a, g, 3, 0, 4, Float64Array.of(2), 1);
    assert.ok(Math.abs(theta[0]! - 2 / Math.sqrt(4 + 12)) < 1e-7);
  });
});

describe("bayes-fm config", () => {
  it("fills defaults, derives the burn-in from the sweeps when unset, and names a bad key", () => {
    const c = resolveBayesFmConfig({ algorithm: "bayes-fm" });
    assert.deepEqual([c.factors, c.epochs, c.burnIn, c.thin, c.implicitUser, c.implicitItem], [8, 120, 20, 2, true, true]);
    assert.equal(resolveBayesFmConfig({ algorithm: "bayes-fm", epochs: 12 }).burnIn, 2);
    assert.equal(bayesFmKeptSamples(c), 50);
    for (const bad of [{ burnIn: 120 }, { factors: 0 }, { thin: 0 }, { implicitItem: "yes" }, { learningRate: 0.1 }]) {
      assert.throws(
        () => resolveBayesFmConfig({ algorithm: "bayes-fm", ...bad } as never),
        (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG",
        JSON.stringify(bad),
      );
    }
  });
});

describe("bayes-fm model", () => {
  const data = smallRatings(3);
  const base = { algorithm: "bayes-fm", factors: 3, burnIn: 3, thin: 2, seed: 5 };

  it("predicts exactly the average of the kept samples' predictions", () => {
    // Sweeps draw from (seed, purpose, sweep) streams, so a shorter fit is a prefix of the longer chain:
    // the single-sample fits ending at sweeps 4, 6, 8 (1-based) are the full fit's kept samples.
    const full = fitSync(data, { ...base, epochs: 8 });
    assert.equal(full.factors, 3 * 3);
    const singles = [4, 6, 8].map((e) => fitSync(data, { ...base, epochs: e, burnIn: e - 1, thin: 1 }));
    for (const [u, i] of [
      [0, 0],
      [3, 7],
      [12, 19],
      [29, 2],
    ] as const) {
      const avg = singles.reduce((s, m) => s + rawScoreIndex(m, u, i), 0) / singles.length;
      assert.ok(Math.abs(rawScoreIndex(full, u, i) - avg) < 1e-5, `(${u}, ${i}): ${rawScoreIndex(full, u, i)} vs ${avg}`);
    }
  });

  it("the WASM SIMD kernels give the same bytes as the TypeScript reference", () => {
    const ts = fitSync(data, { ...base, epochs: 6 }, { kernels: "ts" });
    const wasm = fitSync(data, { ...base, epochs: 6 }, { kernels: "wasm" });
    assert.deepEqual(Buffer.from(wasm.userFactors.data.buffer), Buffer.from(ts.userFactors.data.buffer));
    assert.deepEqual(Buffer.from(wasm.itemFactors.data.buffer), Buffer.from(ts.itemFactors.data.buffer));
    assert.deepEqual(wasm.config, ts.config);
  });

  it("every group changes the result, and the same seed gives the same bytes", () => {
    const a = fitSync(data, { ...base, epochs: 6 });
    const b = fitSync(data, { ...base, epochs: 6 });
    assert.deepEqual(Buffer.from(a.userFactors.data.buffer), Buffer.from(b.userFactors.data.buffer));
    for (const off of [{ implicitUser: false }, { implicitItem: false }]) {
      const c = fitSync(data, { ...base, epochs: 6, ...off });
      assert.notDeepEqual(Buffer.from(c.itemFactors.data.buffer), Buffer.from(a.itemFactors.data.buffer), JSON.stringify(off));
    }
  });

  it("chains: the model averages the predictions of independent chains (chain 0 the fit's seed), on any thread count", () => {
    const two = fitSync(data, { ...base, epochs: 8, chains: 2 });
    assert.equal(two.factors, 3 * 3 * 2, "chains × kept samples, side by side");
    assert.equal(two.config.chains, 2);
    // The stored implicit vectors stack every chain's samples the same way (k · chains · S wide).
    assert.equal(two.features?.ratedItems?.factors.cols, 3 * 3 * 2);
    const folded = foldInUser(two, [{ item: "i0", value: 5 }, { item: "i3", value: 1 }]);
    assert.equal(folded.length, two.factors);
    assert.ok(folded.every(Number.isFinite), "fold-in reads the chains' priors and vectors");
    const one = fitSync(data, { ...base, epochs: 8 });
    const other = fitSync(data, { ...base, epochs: 8, seed: bayesFmChainSeed(base.seed, 1) });
    assert.notEqual(bayesFmChainSeed(base.seed, 1), base.seed);
    for (const [u, i] of [
      [0, 0],
      [3, 7],
      [12, 19],
      [29, 2],
    ] as const) {
      const avg = (rawScoreIndex(one, u, i) + rawScoreIndex(other, u, i)) / 2;
      assert.ok(Math.abs(rawScoreIndex(two, u, i) - avg) < 1e-5, `(${u}, ${i}): ${rawScoreIndex(two, u, i)} vs ${avg}`);
    }
    // The fold-in prior holds one entry per kept sample of every chain.
    assert.equal((two.config.foldInNoisePrecision as number[]).length, 2 * bayesFmKeptSamples({ epochs: 8, burnIn: 3, thin: 2 }));
    for (const threads of [2, 3]) {
      const t = fitSync(data, { ...base, epochs: 8, chains: 2 }, { kernels: "wasm", threads, pool: nodePoolFactory });
      assert.deepEqual(Buffer.from(t.userFactors.data.buffer), Buffer.from(two.userFactors.data.buffer), `threads ${threads}`);
      assert.deepEqual(Buffer.from(t.itemFactors.data.buffer), Buffer.from(two.itemFactors.data.buffer), `threads ${threads}`);
    }
    assert.throws(() => resolveBayesFmConfig({ algorithm: "bayes-fm", chains: 0 }), (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG");
  });

  it("chains: a snapshot between sweeps leaves every chain sampling as before", () => {
    const snaps: number[] = [];
    const cfg = { ...base, epochs: 8, chains: 2 };
    const plain = fitSync(data, cfg);
    const snapped = fitSync(data, cfg, {
      validate: (m) => {
        snaps.push(m.factors);
        return {};
      },
    });
    // During the burn-in a snapshot is chain 0's current draw (k wide), then both chains' kept samples so far.
    assert.deepEqual(snaps, [3, 3, 3, 6, 6, 12, 12, 18]);
    assert.deepEqual(Buffer.from(snapped.userFactors.data.buffer), Buffer.from(plain.userFactors.data.buffer));
  });

  it("folds in a user from their ratings without resampling: close to the trained user's predictions, closer with the implicit vectors", () => {
    const model = fitSync(data, { ...base, epochs: 40, burnIn: 10, thin: 3 });
    assert.equal(model.features?.ratedItems?.factors.rows, model.numItems);
    assert.equal(model.features?.raters?.factors.cols, model.factors);
    const gap = foldInGap(model, Array.from({ length: model.numUsers }, (_, u) => u), () => undefined);
    // The same model without the stored y_j: the folded rows then lack the implicit-feedback term.
    const bare = foldInGap(model.with({ features: undefined }), Array.from({ length: model.numUsers }, (_, u) => u), () => undefined);
    assert.ok(gap.rms < 0.5 * gap.spread, `fold-in RMS gap ${gap.rms} vs spread ${gap.spread}`);
    assert.ok(gap.rms < 0.8 * bare.rms, `with the implicit vectors ${gap.rms} vs without ${bare.rms}`);
    const fresh = foldInUser(model, [{ item: "i0", value: 5 }, { item: "i3", value: 1 }]);
    assert.ok(fresh.every(Number.isFinite));
  });

  it("folds in an item from its raters with the flipped group's vectors: closer than without", () => {
    const model = fitSync(data, { ...base, epochs: 40, burnIn: 10, thin: 3 });
    const h = model.history!;
    let sse = 0;
    let bareSse = 0;
    const bareModel = model.with({ features: undefined });
    for (let i = 0; i < model.numItems; i++) {
      const users: number[] = [];
      const values: number[] = [];
      for (let u = 0; u < model.numUsers; u++) {
        for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) {
          if (h.indices[p] !== i) continue;
          users.push(u);
          values.push(h.values[p]!);
        }
      }
      for (const [m, add] of [[model, (x: number) => (sse += x)], [bareModel, (x: number) => (bareSse += x)]] as const) {
        const row = foldInRow(m, Int32Array.from(users), Float32Array.from(values), "item");
        for (let u = 0; u < model.numUsers; u++) {
          let s = model.globalMean + row.bias + model.userBias![u]!;
          for (let f = 0; f < model.factors; f++) s += row.factors[f]! * model.userFactors.data[u * model.factors + f]!;
          add((s - rawScoreIndex(model, u, i)) ** 2);
        }
      }
    }
    assert.ok(sse < 0.8 * bareSse, `item fold-in gap² ${sse} with the raters' vectors vs ${bareSse} without`);
  });

  it("implicitVectors: false keeps the implicit vectors out of the model and changes no trained row", () => {
    const a = fitSync(data, { ...base, epochs: 6 });
    const b = fitSync(data, { ...base, epochs: 6, implicitVectors: false });
    assert.equal(b.features, undefined);
    assert.deepEqual(Buffer.from(b.userFactors.data.buffer), Buffer.from(a.userFactors.data.buffer));
    assert.deepEqual(Buffer.from(b.itemFactors.data.buffer), Buffer.from(a.itemFactors.data.buffer));
    assert.ok(saveModel(b).length < saveModel(a).length - (a.numUsers + a.numItems) * a.factors * 4);
  });

  it("explain: the ranking part's score is explained; the rating part alone is E_UNSUPPORTED (a sample average, not one ridge solve)", () => {
    const ranked = fitSync(data, { ...base, epochs: 6 });
    assert.ok(ranked.ranking, "explicit models get the iALS ranking part by default");
    assert.ok(explain(ranked, "u1", "i2").contributions.length > 0);
    const plain = fitSync(data, { ...base, epochs: 6, ranking: "none" });
    assert.throws(() => explain(plain, "u1", "i2"), (e: unknown) => isMfrecError(e) && e.code === "E_UNSUPPORTED");
  });

  it("a sweep whose residuals overflow stops the fit with E_DIVERGED, never a NaN model", () => {
    const rows: Array<{ user: string; item: string; rating: number }> = [];
    for (let u = 0; u < 10; u++) for (let i = 0; i < 8; i++) if ((u + i) % 3) rows.push({ user: `u${u}`, item: `i${i}`, rating: (u * i) % 2 ? 3e38 : -3e38 });
    for (const kernels of ["ts", "wasm"] as const) {
      assert.throws(
        () => fitSync(ratingsFromArray(rows), { algorithm: "bayes-fm", factors: 2, epochs: 5, ranking: "none" }, { kernels }),
        (e: unknown) => isMfrecError(e) && e.code === "E_DIVERGED" && /sweep 0/.test(e.message),
        kernels,
      );
    }
  });

  it("fold-in names the missing config key of a model saved without its samples' priors", () => {
    const model = fitSync(data, { ...base, epochs: 6 });
    const { foldInUserPriorMean: _, ...config } = model.config;
    const stripped = Object.assign(Object.create(Object.getPrototypeOf(model)), model, { config });
    assert.throws(
      () => foldInUser(stripped, [{ item: "i0", value: 4 }]),
      (e: unknown) => isMfrecError(e) && e.code === "E_MODEL_FORMAT" && /foldInUserPriorMean/.test(e.message),
    );
  });
});

describe("bayes-fm side-feature groups", () => {
  // 40 users × 30 items; item i is "good" (rated 4.5 by everyone) or "bad" (1.5), by the parity of i.
  // Items 20..29 have a single training rating each, so their id term alone is weakly determined; the
  // item feature "good"/"bad", shared by all items, explains the ratings.
  const rows: { user: string; item: string; rating: number }[] = [];
  const test: [number, number, number][] = [];
  const truth = (i: number): number => (i % 2 === 0 ? 4.5 : 1.5);
  const noise = (u: number, i: number): number => (((u * 31 + i * 17) % 7) - 3) * 0.1;
  for (let u = 0; u < 40; u++) {
    for (let i = 0; i < 30; i++) {
      const r = truth(i) + noise(u, i);
      if (i < 20 ? (u + i) % 3 !== 0 : u === i - 20) rows.push({ user: `u${u}`, item: `i${i}`, rating: r });
      else if (i >= 20) test.push([u, i, r]);
    }
  }
  const train = ratingsFromArray(rows);
  const itemFeatures = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`i${i}`, [i % 2 === 0 ? "good" : "bad"]]));
  const cfg = { algorithm: "bayes-fm", factors: 2, epochs: 40, burnIn: 10, thin: 2, seed: 3 };
  const rmse = (m: ReturnType<typeof fitSync>): number => {
    let s = 0;
    for (const [u, i, r] of test) {
      const e = rawScoreIndex(m, train.userIndex.indexOf(`u${u}`), train.itemIndex.indexOf(`i${i}`)) - r;
      s += e * e;
    }
    return Math.sqrt(s / test.length);
  };

  it("a feature that explains the ratings is learned and lowers the RMSE of thinly rated items", () => {
    const without = fitSync(train, cfg);
    const withF = fitSync(train, cfg, { itemFeatures });
    const a = rmse(without);
    const b = rmse(withF);
    assert.ok(b < a - 0.05, `RMSE with the item feature ${b} vs without ${a}`);
  });

  it("normalizes each row to unit length and counts ids without a partner", async () => {
    const { sideFeatures } = await import("../../../src/train/bayes-fm/trainer.js");
    const { toFeatureTable } = await import("../../../src/data/features.js");
    const table = toFeatureTable({ i0: { a: 3, b: 4 }, i1: ["a"], zz: ["b"] });
    const sf = sideFeatures(table, train.itemIndex)!;
    assert.equal(sf.features, 2);
    // feature a occurs in i1 (1; dense row 0, u0 rated it first) and i0 (3/5); feature b in i0 (4/5); zz is not rated.
    assert.deepEqual(Array.from(sf.ptr), [0, 2, 3]);
    assert.deepEqual(Array.from(sf.weights).map((x) => Math.round(x * 1e6) / 1e6), [1, 0.6, 0.8]);
    assert.deepEqual(sf.report, { features: 2, unmatched: 1, withoutFeatures: 28 });
  });

  it("the WASM kernels give the same bytes as the TypeScript reference with features", () => {
    const ts = fitSync(train, { ...cfg, epochs: 6, burnIn: 2 }, { kernels: "ts", itemFeatures });
    const wasm = fitSync(train, { ...cfg, epochs: 6, burnIn: 2 }, { kernels: "wasm", itemFeatures });
    assert.deepEqual(Buffer.from(wasm.itemFactors.data.buffer), Buffer.from(ts.itemFactors.data.buffer));
  });

  it("a model fitted with features predicts the same after save and load", async () => {
    const m = fitSync(train, { ...cfg, epochs: 12, burnIn: 4 }, { itemFeatures, userFeatures: { u0: ["x"], u1: ["x", "y"] } });
    const back = loadModel(saveModel(m));
    for (const [u, i] of test.slice(0, 20)) {
      const uu = train.userIndex.indexOf(`u${u}`);
      const ii = train.itemIndex.indexOf(`i${i}`);
      assert.equal(rawScoreIndex(back, uu, ii), rawScoreIndex(m, uu, ii));
    }
  });

  it("a feature file with the wrong columns is refused with its file, line and value", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { readFeaturesFile } = await import("../../../src/data/features-node.js");
    const dir = mkdtempSync(join(tmpdir(), "mfrec-bfm-"));
    const bad = join(dir, "users.csv");
    writeFileSync(bad, "user,feature\nu0,x\nu1,x,0.5\n");
    assert.throws(
      () => fitSync(train, cfg, { userFeatures: readFeaturesFile(bad).table }),
      (e: unknown) => isMfrecError(e) && e.file === bad && e.line === 3 && e.value === "u1,x,0.5",
    );
    const header = join(dir, "items.csv");
    writeFileSync(header, "item,genre\ni0,x\n");
    assert.throws(
      () => readFeaturesFile(header),
      (e: unknown) => isMfrecError(e) && e.code === "E_UNKNOWN_COLUMN" && e.file === header && e.line === 1 && e.value === "item,genre",
    );
  });

  it("ids with features but no rating are fine: the fit ignores them", () => {
    const extra = { ...itemFeatures, nobody: ["good"], other: ["new-feature"] };
    const a = fitSync(train, { ...cfg, epochs: 6, burnIn: 2 }, { itemFeatures });
    const b = fitSync(train, { ...cfg, epochs: 6, burnIn: 2 }, { itemFeatures: extra });
    assert.equal(b.itemIndex.size, a.itemIndex.size);
    assert.ok(Number.isFinite(rawScoreIndex(b, 0, 0)));
    assert.equal(a.provenance?.warnings, undefined, "every item has features and every feature a rated item: nothing to report");
  });

  it("the fit reports feature ids without ratings, rated ids without features and features no rating informs, with reasons; the file keeps them", () => {
    const users = { u0: ["x"], u1: ["x", "y"], ghost: ["y"], phantom: ["only-ghosts"] };
    const extra = { ...itemFeatures, nobody: ["good"] };
    const m = fitSync(train, { ...cfg, epochs: 6, burnIn: 2 }, { itemFeatures: extra, userFeatures: users });
    const w = m.provenance?.warnings ?? [];
    const by = (side: string, code: string) => w.find((x) => x.side === side && x.code === code);
    assert.deepEqual(
      w.map((x) => [x.side, x.code, x.count]),
      [
        ["user", "feature-ids-without-ratings", 2],
        ["user", "rated-without-features", 38],
        ["user", "features-without-ratings", 1],
        ["item", "feature-ids-without-ratings", 1],
      ],
    );
    assert.deepEqual(by("user", "feature-ids-without-ratings")!.examples, ["ghost", "phantom"]);
    assert.deepEqual(by("user", "features-without-ratings")!.examples, ["only-ghosts"]);
    assert.equal(by("user", "rated-without-features")!.examples.length, 5);
    assert.match(by("item", "feature-ids-without-ratings")!.message, /1 items of the item feature table have no training rating: they are not in the model/);
    assert.deepEqual(loadModel(saveModel(m)).provenance?.warnings, w);
  });

  it("a model fitted with item features folds in a new user from ratings, and a new item from its features", () => {
    const m = fitSync(train, { ...cfg, epochs: 20, burnIn: 6 }, { itemFeatures });
    // A new user who liked two thinly rated good items and disliked a bad one: other good items score above bad ones.
    const idx = Int32Array.from(["i20", "i22", "i21"], (id) => m.itemIndex.indexOf(id));
    const row = foldInRow(m, idx, Float32Array.of(4.5, 4.5, 1.5), "user");
    assert.ok(row.factors.every(Number.isFinite) && Number.isFinite(row.bias));
    const at = (id: string): number => rowScore(m, row, m.itemIndex.indexOf(id));
    assert.ok(at("i24") > at("i25") + 1, `good i24 ${at("i24")} vs bad i25 ${at("i25")}`);
    // A new item known by its feature alone (no rater): the users' mean prediction follows the feature.
    const meanOver = (f: string): number => {
      const r = foldInRow(m, new Int32Array(0), new Float32Array(0), "item", { features: [f] });
      let s = 0;
      for (let u = 0; u < m.numUsers; u++) {
        s += m.globalMean + m.userBias![u]! + r.bias;
        for (let c = 0; c < m.factors; c++) s += r.factors[c]! * m.userFactors.data[u * m.factors + c]!;
      }
      return s / m.numUsers;
    };
    assert.ok(meanOver("good") > meanOver("bad") + 1, `a new good item ${meanOver("good")} vs a bad one ${meanOver("bad")}`);
  });
});

describe("bayes-fm fold-in with user features and the stored vectors", () => {
  // 60 users × 40 items: "even" users like even items and dislike odd ones, "odd" users the reverse; a second
  // feature z0..z2 carries nothing. A quarter of the cells is held out.
  const rows: { user: string; item: string; rating: number }[] = [];
  for (let u = 0; u < 60; u++) {
    for (let i = 0; i < 40; i++) {
      const likes = (u % 2 === 0) === (i % 2 === 0);
      if ((u * 7 + i * 3) % 4 !== 0) rows.push({ user: `u${u}`, item: `i${i}`, rating: (likes ? 4.5 : 1.5) + (((u * 31 + i * 17) % 7) - 3) * 0.1 });
    }
  }
  const train = ratingsFromArray(rows);
  const userFeatures = Object.fromEntries(Array.from({ length: 60 }, (_, u) => [`u${u}`, [u % 2 === 0 ? "even" : "odd", `z${u % 3}`]]));
  const cfg = { algorithm: "bayes-fm", factors: 3, epochs: 40, burnIn: 10, thin: 3, seed: 5, ranking: "none" };
  const model = fitSync(train, cfg, { userFeatures });
  const everyone = Array.from({ length: model.numUsers }, (_, u) => u);
  const featuresOf = (u: number): EntityFeatures => userFeatures[model.userIndex.idAt(u)]!;

  it("stores the features' and the rated items' vectors stacked like the rows, biases averaged", () => {
    const f = model.features!;
    assert.equal(f.users!.factors.rows, 5);
    assert.equal(f.users!.factors.cols, model.factors);
    assert.equal(f.users!.bias!.length, 5);
    assert.equal(f.users!.normalize, "l2");
    assert.equal(f.ratedItems!.vocabulary, model.itemIndex);
    assert.equal(f.items, undefined);
  });

  it("folding in a trained user's own ratings and features reproduces its predictions closely; each stored part helps", () => {
    const full = foldInGap(model, everyone, featuresOf);
    const noFeatures = foldInGap(model, everyone, () => undefined);
    const bare = foldInGap(model.with({ features: { users: model.features!.users } }), everyone, featuresOf);
    const old = foldInGap(model.with({ features: undefined }), everyone, () => undefined);
    assert.ok(full.rms < 0.05 * full.spread, `gap ${full.rms} vs spread ${full.spread}`);
    for (const [what, g] of [["without the features", noFeatures], ["without the implicit vectors", bare], ["with ratings only", old]] as const) {
      assert.ok(full.rms < g.rms, `gap ${full.rms} with features and implicit vectors vs ${g.rms} ${what}`);
    }
  });

  it("a new user with features alone gets a finite row that depends on the features", () => {
    const none = new Int32Array(0);
    const cold = (f: EntityFeatures) => foldInRow(model, none, new Float32Array(0), "user", { features: f });
    const mean = (row: { factors: Float32Array; bias: number }, parity: number): number => {
      let s = 0;
      for (let i = 0; i < model.numItems; i++) if (Number(model.itemIndex.idAt(i).slice(1)) % 2 === parity) s += rowScore(model, row, i);
      return s / (model.numItems / 2);
    };
    const even = cold(["even"]);
    const odd = cold(["odd", "z1"]);
    assert.ok(even.factors.every(Number.isFinite) && Number.isFinite(even.bias));
    assert.ok(mean(even, 0) > mean(even, 1) + 1, `an "even" user: even items ${mean(even, 0)}, odd ${mean(even, 1)}`);
    assert.ok(mean(odd, 1) > mean(odd, 0) + 0.5, `an "odd" user: odd items ${mean(odd, 1)}, even ${mean(odd, 0)}`);
    // Unknown features are ignored (normalized with the known ones); none known is E_CONFIG.
    assert.ok(cold(["even", "nobody-has-this"]).factors.every(Number.isFinite));
    assert.throws(() => cold(["nobody-has-this"]), (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG");
    // Features of the item side were not given in training: E_UNSUPPORTED naming the side.
    assert.throws(() => foldInRow(model, none, new Float32Array(0), "item", { features: ["x"] }), (e: unknown) => isMfrecError(e) && e.code === "E_UNSUPPORTED" && /item features/.test(e.message));
  });

  it("model file version 4 keeps every stored vector; the folded rows are the same after load", () => {
    const bytes = saveModel(model);
    assert.equal(bytes[6], 4);
    const h = readModelHeader(bytes);
    assert.deepEqual(h.features?.users, { vocabulary: ["even", "z0", "odd", "z1", "z2"], normalize: "l2", bias: true });
    assert.deepEqual(h.features?.ratedItems, { rows: model.numItems, normalize: "l2", bias: true });
    const back = loadModel(bytes);
    const h0 = model.history!;
    for (const u of [0, 5, 17]) {
      const args = [h0.indices.subarray(h0.indptr[u]!, h0.indptr[u + 1]!), h0.values.subarray(h0.indptr[u]!, h0.indptr[u + 1]!), "user", { features: featuresOf(u) }] as const;
      assert.deepEqual(foldInRow(back, ...args), foldInRow(model, ...args));
    }
    assert.deepEqual(foldInRow(back, new Int32Array(0), new Float32Array(0), "user", { features: ["odd"] }), foldInRow(model, new Int32Array(0), new Float32Array(0), "user", { features: ["odd"] }));
  });

  it("a bayes-fm file written before version 4 (no stored vectors) still loads, predicts and folds in from ratings", () => {
    const old = saveModel(model.with({ features: undefined }));
    assert.equal(old[6], 1);
    const back = loadModel(old);
    assert.equal(back.features, undefined);
    assert.equal(rawScoreIndex(back, 3, 4), rawScoreIndex(model, 3, 4));
    const row = foldInRow(back, Int32Array.of(0, 2), Float32Array.of(5, 4), "user");
    assert.ok(row.factors.every(Number.isFinite));
    assert.throws(() => foldInRow(back, Int32Array.of(0), Float32Array.of(5), "user", { features: ["even"] }), (e: unknown) => isMfrecError(e) && e.code === "E_UNSUPPORTED");
  });
});
