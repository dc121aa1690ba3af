/**
 * hybrid (train/hybrid) and the cold-start layer around it: the trainer on a two-taste toy set where the
 * features decide everything, cold items and users from features, the model file v3, fold-in with
 * features, the cold-start protocol on hand-checkable scorers, the baselines, and bad input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 } from "../../../src/core/crc32.js";
import { isMfrecError } from "../../../src/core/errors.js";
import { toFeatureTable } from "../../../src/data/features.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { baselineScorer } from "../../../src/evaluate/cold-start-baselines.js";
import { type CandidateScorer, evaluateColdStart, evaluateColdStartScores } from "../../../src/evaluate/cold-start.js";
import { addItems, addUsers, featureVector } from "../../../src/model/cold-start.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { foldInUser } from "../../../src/train/fold-in.js";
import { loadModel, readModelHeader, saveModel } from "../../../src/model/format.js";
import { recommend } from "../../../src/recommend/recommend.js";
import { fitSync } from "../../../src/train/fit.js";
import { tune } from "../../../src/evaluate/tune.js";
import { autoPositiveThreshold, resolveHybridConfig } from "../../../src/train/hybrid/config.js";

/** Users a0..a9 like items A0..A9 (feature taste:A), users b0..b9 like B0..B9 (taste:B); every user also rated two of the other kind low. */
function toy() {
  const rows: { user: string; item: string; rating: number }[] = [];
  for (const g of ["a", "b"]) {
    const other = g === "a" ? "B" : "A";
    for (let u = 0; u < 10; u++) {
      for (let i = 0; i < 10; i++) if ((i + u) % 3 !== 0) rows.push({ user: `${g}${u}`, item: `${g.toUpperCase()}${i}`, rating: 5 });
      rows.push({ user: `${g}${u}`, item: `${other}${u}`, rating: 1 });
    }
  }
  const itemFeatures: Record<string, string[]> = {};
  for (let i = 0; i < 10; i++) {
    itemFeatures[`A${i}`] = ["taste:A", `shade:${i % 2}`];
    itemFeatures[`B${i}`] = ["taste:B", `shade:${i % 2}`];
  }
  // Cold items: features only, no rating.
  itemFeatures.newA = ["taste:A", "shade:0"];
  itemFeatures.newB = ["taste:B", "shade:0"];
  const userFeatures: Record<string, string[]> = {};
  for (let u = 0; u < 10; u++) {
    userFeatures[`a${u}`] = ["group:a"];
    userFeatures[`b${u}`] = ["group:b"];
  }
  userFeatures.freshA = ["group:a"];
  userFeatures.freshB = ["group:b"];
  return { ratings: ratingsFromArray(rows), itemFeatures, userFeatures };
}

const CFG = { algorithm: "hybrid", factors: 8, epochs: 30, seed: 3 } as const;
let cached: FactorModel | undefined;
function model(): FactorModel {
  const t = toy();
  cached ??= fitSync(t.ratings, CFG, { itemFeatures: t.itemFeatures, userFeatures: t.userFeatures });
  return cached;
}

function score(m: FactorModel, user: string, item: string): number {
  return m.scoreIndex(m.userIndex.indexOf(user), m.itemIndex.indexOf(item));
}

function mfrecError(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(isMfrecError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message + (e.hint ?? "") + String(e.expected ?? ""), re);
    return true;
  };
}

describe("hybrid trainer", () => {
  test("cold items and users from features get vectors; a user of taste A ranks the cold A item above the cold B item, and the reverse", () => {
    const m = model();
    assert.equal(m.algorithm, "hybrid");
    assert.equal(m.numItems, 22, "20 rated + 2 cold items");
    assert.equal(m.numUsers, 22, "20 rated + 2 cold users");
    for (let u = 0; u < 10; u++) {
      assert.ok(score(m, `a${u}`, "newA") > score(m, `a${u}`, "newB"), `a${u}`);
      assert.ok(score(m, `b${u}`, "newB") > score(m, `b${u}`, "newA"), `b${u}`);
    }
    assert.ok(score(m, "freshA", "A1") > score(m, "freshA", "B1"));
    assert.ok(score(m, "freshB", "B1") > score(m, "freshB", "A1"));
    assert.equal(m.history?.cols, 22);
    assert.equal(m.history?.rows, 22);
  });

  test("recommend treats cold items as candidates; a cold user gets a list from features alone", () => {
    const m = model();
    const recs = recommend(m, "a0", { n: 3, items: ["newA", "newB", "B5"] }).map((r) => r.item);
    assert.equal(recs[0], "newA");
    const fresh = recommend(m, "freshB", { n: 5 }).map((r) => String(r.item));
    assert.ok(fresh.every((i) => i.startsWith("B") || i === "newB"), fresh.join(","));
  });

  test("deterministic for a seed: same config, same factors", () => {
    const t = toy();
    const a = fitSync(t.ratings, { ...CFG, epochs: 3 }, { itemFeatures: t.itemFeatures });
    const b = fitSync(t.ratings, { ...CFG, epochs: 3 }, { itemFeatures: t.itemFeatures });
    assert.deepEqual(a.itemFactors.data, b.itemFactors.data);
    assert.deepEqual(a.userFactors.data, b.userFactors.data);
  });

  test("a warm item's vector is its id vector plus its feature vectors", () => {
    const m = model();
    const f = m.features!.items!;
    const k = m.factors;
    // Without normalize, newA = v(taste:A) + v(shade:0) exactly.
    const v = featureVector(m, "item", ["taste:A", "shade:0"]);
    const i = m.itemIndex.indexOf("newA");
    for (let c = 0; c < k; c++) assert.ok(Math.abs(m.itemFactors.data[i * k + c]! - v.factors[c]!) < 1e-6);
    assert.ok(Math.abs(m.itemBias![i]! - v.bias) < 1e-6);
    assert.equal(f.vocabulary.size, 4);
  });

  test('normalize "features": a cold item\'s vector is the mean of its feature vectors (the id of a warm one keeps weight 1)', () => {
    const t = toy();
    const m = fitSync(t.ratings, { ...CFG, epochs: 3, normalize: "features" }, { itemFeatures: t.itemFeatures });
    assert.equal(m.config.normalize, "features");
    assert.equal(m.features!.items!.normalize, true);
    const k = m.factors;
    const V = m.features!.items!.factors.data;
    const voc = m.features!.items!.vocabulary;
    const a = voc.indexOf("taste:A");
    const s0 = voc.indexOf("shade:0");
    const i = m.itemIndex.indexOf("newA");
    for (let c = 0; c < k; c++) assert.ok(Math.abs(m.itemFactors.data[i * k + c]! - (V[a * k + c]! + V[s0 * k + c]!) / 2) < 1e-6);
    const v = featureVector(m, "item", ["taste:A", "shade:0"]).factors;
    for (let c = 0; c < k; c++) assert.ok(Math.abs(v[c]! - m.itemFactors.data[i * k + c]!) < 1e-6);
  });

  test("itemWeightCap: warm items' weights are scaled down to the cap, cold items keep theirs; under the cap nothing changes", () => {
    const t = toy();
    const opts = { itemFeatures: t.itemFeatures };
    // Every toy item has id + 2 features = 3 <= 4: the default cap and no cap give the same model.
    const capped = fitSync(t.ratings, { ...CFG, epochs: 3 }, opts);
    const none = fitSync(t.ratings, { ...CFG, epochs: 3, itemWeightCap: "none" }, opts);
    assert.equal(capped.config.itemWeightCap, 4);
    assert.equal(none.config.itemWeightCap, "none");
    assert.deepEqual(capped.itemFactors.data, none.itemFactors.data);
    // Cap 1.5: a warm item's weights become ½ each; the cold newA is still the plain sum of its feature vectors.
    const half = fitSync(t.ratings, { ...CFG, epochs: 0, itemWeightCap: 1.5 }, opts);
    const full = fitSync(t.ratings, { ...CFG, epochs: 0, itemWeightCap: "none" }, opts);
    const k = half.factors;
    const w = half.itemIndex.indexOf("A1");
    for (let c = 0; c < k; c++) assert.ok(Math.abs(half.itemFactors.data[w * k + c]! - 0.5 * full.itemFactors.data[w * k + c]!) < 1e-6);
    const i = half.itemIndex.indexOf("newA");
    const v = featureVector(half, "item", ["taste:A", "shade:0"]).factors;
    for (let c = 0; c < k; c++) assert.ok(Math.abs(half.itemFactors.data[i * k + c]! - v[c]!) < 1e-6);
    // Without item features the cap cannot act and is not kept.
    assert.equal(fitSync(t.ratings, { ...CFG, epochs: 1 }).config.itemWeightCap, undefined);
    assert.throws(() => resolveHybridConfig({ itemWeightCap: 0 }), mfrecError("E_CONFIG", /itemWeightCap/));
    assert.throws(() => resolveHybridConfig({ itemWeightCap: "big" }), mfrecError("E_CONFIG", /itemWeightCap/));
  });

  test("idDropout 1: the id rows of items are never stepped (only features learn); featureRegularization acts on feature rows", () => {
    const t = toy();
    const opts = { itemFeatures: t.itemFeatures };
    const cfg = { ...CFG, epochs: 3, itemWeightCap: "none" };
    const start = fitSync(t.ratings, { ...cfg, epochs: 0 }, opts);
    const dropped = fitSync(t.ratings, { ...cfg, idDropout: 1 }, opts);
    const k = start.factors;
    const w = start.itemIndex.indexOf("A1");
    const idPart = (m: FactorModel): number[] => {
      const f = featureVector(m, "item", t.itemFeatures.A1!).factors;
      return Array.from({ length: k }, (_, c) => m.itemFactors.data[w * k + c]! - f[c]!);
    };
    const a = idPart(start);
    const b = idPart(dropped);
    for (let c = 0; c < k; c++) assert.ok(Math.abs(a[c]! - b[c]!) < 1e-6, `id part moved at ${c}: ${a[c]} -> ${b[c]}`);
    // The features did learn.
    assert.notDeepEqual(dropped.features!.items!.factors.data, start.features!.items!.factors.data);
    // A strong λ on the feature rows shrinks them against the same fit with the default λ.
    const norm = (m: FactorModel): number => m.features!.items!.factors.data.reduce((s, x) => s + x * x, 0);
    const plain = fitSync(t.ratings, cfg, opts);
    const shrunk = fitSync(t.ratings, { ...cfg, featureRegularization: 5 }, opts);
    assert.ok(norm(shrunk) < norm(plain), `${norm(shrunk)} < ${norm(plain)}`);
    assert.throws(() => resolveHybridConfig({ idDropout: 1.5 }), mfrecError("E_CONFIG", /idDropout/));
    assert.throws(() => resolveHybridConfig({ featureRegularization: -1 }), mfrecError("E_CONFIG", /featureRegularization/));
  });

  test("positiveThreshold auto: 4 on 1-5 and 0.5-5 stars, every interaction for counts or one value", () => {
    assert.equal(autoPositiveThreshold([1, 2, 3, 4, 5]), 4);
    assert.equal(autoPositiveThreshold([0.5, 3, 5]), 4);
    assert.equal(autoPositiveThreshold([1, 1, 1]), null);
    assert.equal(autoPositiveThreshold([1, 20, 300]), null);
    assert.equal(resolveHybridConfig({}).positiveThreshold, "auto");
    assert.equal(resolveHybridConfig({ positiveThreshold: null }).positiveThreshold, null);
    assert.equal(resolveHybridConfig({ positiveThreshold: "3" }).positiveThreshold, 3);
    assert.throws(() => resolveHybridConfig({ loss: "hinge" }), mfrecError("E_CONFIG", /loss/));
    assert.throws(() => resolveHybridConfig({ factorz: 3 }), mfrecError("E_CONFIG", /factorz/));
  });

  test("bpr loss trains as well on the toy set", () => {
    const t = toy();
    const m = fitSync(t.ratings, { ...CFG, loss: "bpr", epochs: 40 }, { itemFeatures: t.itemFeatures });
    let right = 0;
    for (let u = 0; u < 10; u++) if (score(m, `a${u}`, "newA") > score(m, `a${u}`, "newB")) right++;
    assert.ok(right >= 9, `${right} of 10`);
  });
});

describe("cold start without features: clear reasons, never NaN", () => {
  test("features given to an algorithm that does not read them", () => {
    const t = toy();
    assert.throws(() => fitSync(t.ratings, { algorithm: "als", factors: 2, epochs: 1 }, { itemFeatures: t.itemFeatures }), mfrecError("E_CONFIG", /does not use side features/));
  });
  test("a model trained without features asked for a cold item or a new user's features", () => {
    const t = toy();
    const m = fitSync(t.ratings, { algorithm: "hybrid", factors: 4, epochs: 2 });
    assert.equal(m.features, undefined);
    assert.throws(() => addItems(m, { x: ["taste:A"] }), mfrecError("E_UNSUPPORTED", /trained without item features/));
    assert.throws(() => featureVector(m, "user", ["group:a"]), mfrecError("E_UNSUPPORTED", /--user-features/));
    assert.throws(() => foldInUser(m, [], { features: ["group:a"] }), mfrecError("E_UNSUPPORTED"));
    const als = fitSync(t.ratings, { algorithm: "als", factors: 2, epochs: 1, ranking: "none" });
    assert.throws(() => addItems(als, { x: ["taste:A"] }), mfrecError("E_UNSUPPORTED", /algorithm als/));
  });
  test("unknown features are ignored and counted; none known is an error", () => {
    const m = model();
    const v = featureVector(m, "item", { "taste:A": 1, "colour:red": 2 });
    assert.deepEqual(v.unknown, ["colour:red"]);
    assert.equal(v.known, 1);
    assert.throws(() => featureVector(m, "item", ["colour:red"]), mfrecError("E_CONFIG", /none of the 1 features/));
    assert.throws(() => featureVector(m, "item", { "taste:A": Number.NaN }), mfrecError("E_NOT_FINITE"));
  });
});

describe("adding items and users, fold-in with features", () => {
  test("addItems: the new item is recommendable at once, scored like its features; known ids are left alone", () => {
    const m = model();
    const r = addItems(m, { laterA: ["taste:A", "shade:1"], A1: ["taste:B"] });
    assert.deepEqual(r.added, ["laterA"]);
    assert.deepEqual(r.known, ["A1"]);
    const m2 = r.model;
    assert.equal(m2.numItems, m.numItems + 1);
    assert.ok(score(m2, "a3", "laterA") > score(m2, "a3", "newB"));
    const recs = recommend(m2, "a3", { n: 1, items: ["laterA", "B2", "B3"] });
    assert.equal(recs[0]!.item, "laterA");
    assert.equal(score(m2, "a3", "A1"), score(m, "a3", "A1"));
  });
  test("addUsers: a new user from features alone ranks by them", () => {
    const r = addUsers(model(), { newcomer: ["group:b"] });
    assert.deepEqual(r.added, ["newcomer"]);
    const list = recommend(r.model, "newcomer", { n: 3 }).map((x) => String(x.item));
    assert.ok(list.every((i) => i.startsWith("B") || i === "newB"), list.join(","));
  });
  test("foldInUser: features alone = the feature vector; features + ratings move it toward the rated items", () => {
    const m = model();
    const onlyFeatures = foldInUser(m, [], { features: ["group:a"] });
    assert.deepEqual(onlyFeatures, featureVector(m, "user", ["group:a"]).factors);
    const k = m.factors;
    const q = (id: string) => m.itemFactors.data.subarray(m.itemIndex.indexOf(id) * k, (m.itemIndex.indexOf(id) + 1) * k);
    const dot = (p: Float32Array, v: Float32Array) => p.reduce((s, x, c) => s + x * v[c]!, 0);
    // A user with the features of group a who loves B items.
    const mixed = foldInUser(m, [{ item: "B0", value: 5 }, { item: "B1", value: 5 }, { item: "B2", value: 5 }, { item: "B3", value: 5 }], { features: ["group:a"], steps: 100 });
    assert.ok(dot(mixed, q("B5")) - dot(mixed, q("A5")) > dot(onlyFeatures, q("B5")) - dot(onlyFeatures, q("A5")));
    // Ratings alone (no features) work too, and low ratings are not positives.
    const ratingsOnly = foldInUser(m, [{ item: "B0", value: 5 }, { item: "B1", value: 5 }, { item: "A0", value: 1 }]);
    assert.ok(dot(ratingsOnly, q("B5")) > dot(ratingsOnly, q("A5")));
  });
});

describe("model file version 3", () => {
  test("round trip keeps the feature vocabularies and vectors; a model without features is still version 1", () => {
    const m = model();
    const bytes = saveModel(m);
    assert.equal(bytes[6], 3);
    const h = readModelHeader(bytes);
    assert.deepEqual(h.features?.items?.vocabulary, m.features!.items!.vocabulary.ids());
    assert.equal(h.features?.users?.bias, false);
    const back = loadModel(bytes);
    assert.deepEqual(back.features!.items!.factors.data, m.features!.items!.factors.data);
    assert.deepEqual(back.features!.items!.bias, m.features!.items!.bias);
    assert.deepEqual(back.features!.users!.factors.data, m.features!.users!.factors.data);
    assert.deepEqual(featureVector(back, "item", ["taste:B"]).factors, featureVector(m, "item", ["taste:B"]).factors);
    const plain = fitSync(toy().ratings, { algorithm: "hybrid", factors: 2, epochs: 1 });
    assert.equal(saveModel(plain)[6], 1);
  });
  test("a corrupt vocabulary (repeated name, wrong length) is refused with the reason", () => {
    const bytes = saveModel(model());
    const dup = withHeader(bytes, (h) => {
      const f = h.features as { items: { vocabulary: string[] } };
      f.items.vocabulary[1] = f.items.vocabulary[0]!;
    });
    assert.throws(() => loadModel(dup), mfrecError("E_MODEL_FORMAT", /repeats the feature/));
    const short = withHeader(bytes, (h) => {
      (h.features as { items: { vocabulary: string[] } }).items.vocabulary.pop();
    });
    assert.throws(() => loadModel(short), mfrecError("E_MODEL_FORMAT", /itemFeatureFactors/));
    const m = model();
    assert.throws(() => m.with({ features: { items: { ...m.features!.items!, factors: { rows: 1, cols: m.factors, data: new Float32Array(m.factors) } } } }), mfrecError("E_SHAPE"));
  });
});

describe("cold-start protocol", () => {
  const train = ratingsFromArray([
    { user: "u1", item: "w1", rating: 5 },
    { user: "u2", item: "w1", rating: 3 },
  ]);
  test("hand-checked NDCG@2 and AUC for a fixed scorer; users not in training are skipped for cold items", () => {
    const test1 = ratingsFromArray([
      { user: "u1", item: "c1", rating: 5 },
      { user: "u1", item: "c2", rating: 2 },
      { user: "u1", item: "c3", rating: 4 },
      { user: "u2", item: "c2", rating: 4 },
      { user: "stranger", item: "c1", rating: 5 },
    ]);
    // u1 ranks c2 (1.0) > c1 (0.5) > c3 (0.1): relevant c1 and c3 at ranks 2 and 3.
    const fixed: Record<string, number> = { c1: 0.5, c2: 1, c3: 0.1 };
    const scorer: CandidateScorer = (_u, candidates, out) => {
      candidates.forEach((c, i) => {
        out[i] = fixed[c]!;
      });
      return true;
    };
    const r = evaluateColdStartScores(train, test1, scorer, { cold: "items", metrics: "ndcg@2,auc", relevanceThreshold: 4 });
    // u1: DCG@2 = 1/log2(3); IDCG@2 = 1 + 1/log2(3). AUC: positives {c1, c3} vs negative {c2}: 0.
    // u2: relevant c2 at rank 1: NDCG 1; AUC 1.
    const u1 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
    assert.ok(Math.abs(r.metrics["ndcg@2"]! - (u1 + 1) / 2) < 1e-12);
    assert.ok(Math.abs(r.metrics.auc! - 0.5) < 1e-12);
    assert.equal(r.users, 2);
    assert.equal(r.unknownUsers, 1);
    assert.equal(r.candidates, 3);
  });
  test("ties are not broken by id order: a constant score gets random-order NDCG and AUC exactly ½", () => {
    const rows: { user: string; item: string; rating: number }[] = [];
    const trainRows: { user: string; item: string; rating: number }[] = [];
    for (let u = 0; u < 200; u++) {
      trainRows.push({ user: `u${u}`, item: "w", rating: 5 });
      for (let i = 0; i < 50; i++) rows.push({ user: `u${u}`, item: `c${i}`, rating: i === 0 ? 5 : 1 });
    }
    const constant: CandidateScorer = (_u, _c, out) => {
      out.fill(0);
      return true;
    };
    const r = evaluateColdStartScores(ratingsFromArray(trainRows), ratingsFromArray(rows), constant, { cold: "items", relevanceThreshold: 4 });
    // By id order c0 would be first every time (NDCG 1). In random order: E = Σ_{r≤10} 1/log2(r+1) / 50 ≈ 0.09.
    assert.ok(r.metrics["ndcg@10"]! < 0.16 && r.metrics["ndcg@10"]! > 0.04, String(r.metrics["ndcg@10"]));
    assert.equal(r.metrics.auc, 0.5);
  });
  test("a model without the cold items cannot run the protocol, and says why", () => {
    const t = toy();
    const m = fitSync(t.ratings, { algorithm: "hybrid", factors: 2, epochs: 1 });
    const cold = ratingsFromArray([{ user: "a0", item: "newA", rating: 5 }, { user: "a0", item: "newB", rating: 1 }]);
    assert.throws(() => evaluateColdStart(m, t.ratings, cold, { cold: "items" }), mfrecError("E_UNSUPPORTED", /--item-features/));
    const good = evaluateColdStart(model(), t.ratings, cold, { cold: "items", relevanceThreshold: 4 });
    assert.equal(good.metrics.auc, 1);
  });
  test("baselines: feature-count, popular and feature-mean score as documented; bad names and missing features are refused", () => {
    const r = ratingsFromArray([
      { user: "u", item: "x", rating: 5 },
      { user: "v", item: "x", rating: 3 },
      { user: "v", item: "y", rating: 1 },
    ]);
    const table = toFeatureTable({ x: ["a", "b", "c"], y: ["a"], z: ["b", "q"] });
    const out = new Float64Array(3);
    baselineScorer("feature-count", r, table)("u", ["x", "y", "z"], out);
    assert.deepEqual([...out], [3, 1, 2]);
    baselineScorer("popular", r)("u", ["x", "y", "z"], out);
    assert.deepEqual([...out], [2, 1, 0]);
    // m_a = mean(5, 3, 1) = 3, m_b = mean(5, 3) = 4, m_c = 4, q unseen: z = m_b = 4.
    baselineScorer("feature-mean", r, table)("u", ["x", "y", "z"], out);
    assert.deepEqual([...out], [(3 + 4 + 4) / 3, 3, 4]);
    assert.throws(() => baselineScorer("feature-count", r), mfrecError("E_CONFIG", /needs item features/));
    assert.throws(() => baselineScorer("oracle", r), mfrecError("E_CONFIG", /feature-count/));
  });
});

function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const hlen = v.getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  const oldStart = Math.ceil((12 + hlen) / 8) * 8;
  const data = bytes.subarray(oldStart, bytes.length - 4);
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(start + data.length + 4);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, start);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

describe("tune on a cold cut (cold: items | users)", () => {
  test("items: the held-out items have no training rating, trials are scored by the cold protocol, the trained config beats the untrained one", () => {
    const t = toy();
    const r = tune(t.ratings, { algorithm: "hybrid", factors: 8, seed: 3 }, { epochs: [0, 30] }, { cold: "items", metric: "auc", fit: { itemFeatures: t.itemFeatures, userFeatures: t.userFeatures } });
    assert.equal(r.validation.unseenTestItems, 4, "20% of the 20 rated items held out");
    assert.equal(r.validation.unseenTestRatings, r.validation.testRatings, "every held-out rating is of a held-out item");
    assert.equal(r.validation.trainRatings + r.validation.testRatings, t.ratings.length);
    assert.equal(r.validation.unseenTestUsers, 0);
    assert.equal(r.trials.length, 2);
    assert.ok(r.trials[1]!.score! > r.trials[0]!.score!, JSON.stringify(r.trials));
    assert.ok(r.trials[1]!.score! > 0.7, `cold AUC from features ${r.trials[1]!.score}`);
    assert.equal(r.best.params.epochs, 30);
  });

  test("users: held-out users are new to the fit part and placed by their features; bad combinations are refused", () => {
    const t = toy();
    const r = tune(t.ratings, { algorithm: "hybrid", factors: 8, seed: 3 }, { epochs: [30] }, { cold: "users", metric: "ndcg@5", fit: { itemFeatures: t.itemFeatures, userFeatures: t.userFeatures } });
    assert.equal(r.validation.unseenTestUsers, 4, "20% of the 20 users held out");
    assert.equal(r.validation.unseenTestRatings, r.validation.testRatings);
    assert.ok(r.trials[0]!.score! > 0.5, `cold-user NDCG@5 ${r.trials[0]!.score}`);
    const base = { algorithm: "hybrid", factors: 8, epochs: 2 };
    assert.throws(() => tune(t.ratings, base, { seed: [1] }, { cold: "users", metric: "auc", fit: { itemFeatures: t.itemFeatures } }), mfrecError("E_CONFIG", /user features/));
    assert.throws(() => tune(t.ratings, base, { seed: [1] }, { cold: "items", metric: "rmse", fit: { itemFeatures: t.itemFeatures } }), mfrecError("E_CONFIG", /ranking metrics/));
    assert.throws(() => tune(t.ratings, base, { seed: [1] }, { cold: "items", metric: "auc", earlyStopping: { patience: 2 }, fit: { itemFeatures: t.itemFeatures } }), mfrecError("E_CONFIG", /early stopping/));
    assert.throws(() => tune(t.ratings, base, { seed: [1] }, { cold: "items", metric: "auc", validationFraction: 0.01, fit: { itemFeatures: t.itemFeatures } }), mfrecError("E_CONFIG", /empty/));
  });
});
