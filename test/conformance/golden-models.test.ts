/**
 * Bit-for-bit regression guard: every algorithm, with a fully spelled-out config (so a change of
 * defaults does not move it) on a seeded synthetic set, must keep producing exactly the same factors
 * and biases, with the TypeScript and the WASM kernels, inline and on 2 worker threads. Refactors of
 * the engine (kernel layout, memory planning, trainer shape) must leave these digests unchanged; a
 * deliberate change of the arithmetic updates them in the same commit and says why.
 *
 * Regenerate: MFREC_PRINT_GOLDEN=1 node --test dist/test/conformance/golden-models.test.js
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { generateRatings } from "../../src/data/synthetic.js";
import type { FactorModel, ModelConfig } from "../../src/model/factor-model.js";
import { nodePoolFactory } from "../../src/parallel/pool-node.js";
import { fit, fitSync, trainingData } from "../../src/train/fit.js";
import { getAlgorithm } from "../../src/train/registry.js";

const explicit = generateRatings({ users: 300, items: 200, ratings: 9000, seed: 5 });
const implicit = generateRatings({ users: 300, items: 200, ratings: 9000, seed: 6, implicit: true });

/** Configs as resolved by the defaults of the day, with small k and epochs; every key spelled out. */
const CONFIGS: ModelConfig[] = [
  { algorithm: "als", factors: 8, epochs: 4, regularization: 0.13, regBias: 0.05, biases: true, weightedRegularization: true, initStd: 0.1, seed: 3, cgSteps: 0 },
  { algorithm: "als", factors: 8, epochs: 4, regularization: 0.13, regBias: 0.05, biases: true, weightedRegularization: true, initStd: 0.1, seed: 3, cgSteps: 3 },
  { algorithm: "baseline", method: "als", epochs: 10, regUser: 15, regItem: 10 },
  { algorithm: "bayes-fm", factors: 6, epochs: 8, burnIn: 3, thin: 2, implicitUser: true, implicitItem: true, time: false, userDay: false, initStd: 0.1, chains: 1, seed: 3 },
  { algorithm: "bpmf", factors: 6, epochs: 12, burnIn: 4, thin: 1, precision: 1.5, priorStrength: 2, priorDof: 0, priorScale: 1, biases: true, initStd: 0.1, seed: 3 },
  { algorithm: "bpr", factors: 8, epochs: 5, learningRate: 0.05, regularization: 0.01, itemBias: true, seed: 3 },
  { algorithm: "ials", factors: 8, epochs: 4, regularization: 0.05, alpha: 2, confidence: "linear", unobservedWeight: 1, regularizationExponent: 0, solver: "cg", seed: 3, cgSteps: 3 },
  { algorithm: "ials", factors: 8, epochs: 4, regularization: 0.05, alpha: 2, confidence: "linear", unobservedWeight: 1, regularizationExponent: 0, solver: "cholesky", seed: 3, cgSteps: 3 },
  { algorithm: "nmf", factors: 6, epochs: 10, regularization: 0.06, biases: false, initLow: 0, initHigh: 1, seed: 3 },
  { algorithm: "sgd", factors: 8, epochs: 5, learningRate: 0.02, learningRateDecay: 0.95, regularization: 0.1, regBias: 0.02, biases: true, initMean: 0, initStd: 0.1, seed: 3, grid: 16 },
  { algorithm: "svdpp", factors: 6, epochs: 4, learningRate: 0.02, learningRateDecay: 0.92, regBias: 0.02, regFactors: 0.05, regImplicit: 0.05, biases: true, initMean: 0, initStd: 0.1, seed: 3 },
  { algorithm: "wals", factors: 8, epochs: 4, regularization: 0.1, unobservedWeight: 0.1, observedWeight: "one", solver: "cholesky", seed: 3 },
];

const IMPLICIT = new Set(["bpr", "ials", "wals"]);

function digest(m: FactorModel): string {
  const h = createHash("sha256");
  for (const a of [m.userFactors.data, m.itemFactors.data, m.userBias, m.itemBias]) {
    if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    h.update("|");
  }
  h.update(String(m.globalMean));
  return h.digest("hex").slice(0, 16);
}

/** Digests as of commit 4f77e1d (identical with the single-file kernels.ts before it). */
const GOLDEN: Record<string, string> = {
  "als/cg0 ts": "652c2e3ad54c6282",
  "als/cg0 wasm": "4c255ba4452a4e7f",
  "als/cg3 ts": "cad18a4ad58f04a6",
  "als/cg3 wasm": "0b1e483087e2e25f",
  "baseline ts": "b378e4611233f762",
  "baseline wasm": "b378e4611233f762",
  "bayes-fm ts": "9a22cc1cb6eb7f97",
  "bayes-fm wasm": "9a22cc1cb6eb7f97",
  "bpmf ts": "67d974140b98abb5",
  "bpmf wasm": "67d974140b98abb5",
  "bpr ts": "9c90e96beeeef7b3",
  "bpr wasm": "dd345ccff7c8efe0",
  "ials/cg ts": "3e5da9d44a14e62c",
  "ials/cg wasm": "8fd5f208946f3994",
  "ials/cholesky ts": "62ff87059dc54ca0",
  "ials/cholesky wasm": "56dec96263c656bc",
  "nmf ts": "424c80cd865bdc01",
  "nmf wasm": "424c80cd865bdc01",
  "sgd ts": "31910adf6b926e28",
  "sgd wasm": "eb7cba19098c9e82",
  "svdpp ts": "2b923c0af3c65c42",
  "svdpp wasm": "2b923c0af3c65c42",
  "wals/cholesky ts": "03ca35a36d5461e5",
  "wals/cholesky wasm": "7434dd6a44156598",
};

const print = process.env.MFREC_PRINT_GOLDEN === "1";
const printed: Record<string, string> = {};

for (const config of CONFIGS) {
  const name = `${config.algorithm}${config.solver ? `/${config.solver}` : ""}${config.cgSteps !== undefined && config.algorithm === "als" ? `/cg${config.cgSteps}` : ""}`;
  const ratings = IMPLICIT.has(config.algorithm) ? implicit : explicit;
  const data = trainingData(ratings);
  for (const kernels of ["ts", "wasm"] as const) {
    // Algorithms with a `threads` option run inline and on 2 workers: the count must never change the bytes.
    const threaded = "threads" in getAlgorithm(config.algorithm).resolveConfig({ algorithm: config.algorithm });
    for (const threads of threaded ? [1, 2] : [0]) {
      const key = `${name} ${kernels}${threaded ? ` threads=${threads}` : ""}`;
      test(`golden model: ${key}`, () => {
        const model = fitSync(ratings, threaded ? { ...config, threads } : config, { data, kernels, pool: nodePoolFactory });
        const d = digest(model);
        if (print) {
          printed[`${name} ${kernels}`] = d;
          return;
        }
        const want = GOLDEN[`${name} ${kernels}`];
        assert.ok(want, `no golden digest for ${name} ${kernels}: regenerate (see the file header)`);
        assert.equal(d, want, `${key}: the model's bytes changed`);
      });
    }
  }
}

// The memory-saving paths of `fit` (issue 19) must train the same bytes: no prebuilt `data` (als, ials and wals
// then build their kernel memory at the first epoch, after the caller could drop the Ratings), the async driver,
// zeroCopy (the model keeps the trainer's arrays) and a garbage-collection hook; on 2 worker threads.
for (const config of CONFIGS.filter((c) => ["als", "ials", "sgd", "wals"].includes(c.algorithm))) {
  const name = `${config.algorithm}${config.solver ? `/${config.solver}` : ""}${config.cgSteps !== undefined && config.algorithm === "als" ? `/cg${config.cgSteps}` : ""}`;
  for (const kernels of ["ts", "wasm"] as const) {
    test(`golden model through fit (deferred layout, zeroCopy, 2 threads): ${name} ${kernels}`, { skip: print }, async () => {
      const ratings = IMPLICIT.has(config.algorithm) ? implicit : explicit;
      let collected = 0;
      const model = await fit(ratings, { ...config, threads: 2, ranking: "none" }, { kernels, pool: nodePoolFactory, zeroCopy: true, collect: () => collected++ });
      assert.equal(digest(model), GOLDEN[`${name} ${kernels}`], `${name} ${kernels}: the model's bytes changed`);
      // (sgd is deferred too: these ratings are sorted by user, so it trains from the users' CSR)
      assert.equal(collected, 1, "collect runs once, when the deferred trainer has copied what it needs (no ranking part)");
    });
  }
}

// bayes-fm runs its row-parallel kernels (caches, the id groups' draws, residual updates, residuals) over fixed
// shards on the pool and draws the implicit groups on the calling thread: 1, 2 and 3 threads give the bytes of the
// inline sampler (the noise is drawn in row order on the caller; Σe² is summed in rating order, not per shard).
for (const config of CONFIGS.filter((c) => c.algorithm === "bayes-fm")) {
  for (const threads of [1, 2, 3]) {
    test(`golden model: bayes-fm wasm threads=${threads} (fitSync and fit)`, { skip: print }, async () => {
      const a = fitSync(explicit, config, { kernels: "wasm", threads, pool: nodePoolFactory });
      assert.equal(digest(a), GOLDEN["bayes-fm wasm"], `threads=${threads}: the model's bytes changed`);
      const b = await fit(explicit, config, { kernels: "wasm", threads, pool: nodePoolFactory });
      assert.equal(digest(b), GOLDEN["bayes-fm wasm"], `fit, threads=${threads}: the model's bytes changed`);
    });
  }
}

// The ranking part of an explicit model (train/ranking.ts) after the rating part: digests as of commit adbbce5,
// through fitSync (rating part copied) and through fit with zeroCopy and the collect hook (the rating part's
// kernel memory freed before the ranking part fills its own).
const RANKING_GOLDEN: Record<string, string> = { als: "9dc1b20821648864", sgd: "a18d49280d9a3437" };
for (const config of CONFIGS.filter((c) => c.algorithm === "sgd" || (c.algorithm === "als" && c.cgSteps === 3))) {
  const cfg = { ...config, threads: 2, rankingFactors: 8, rankingEpochs: 3 };
  test(`golden ranking part after ${config.algorithm}: fitSync and fit (zeroCopy, collect) alike`, { skip: print }, async () => {
    const a = fitSync(explicit, cfg, { pool: nodePoolFactory });
    let collected = 0;
    const b = await fit(explicit, cfg, { pool: nodePoolFactory, zeroCopy: true, collect: () => collected++ });
    assert.ok(a.ranking && b.ranking);
    assert.equal(digest(a.ranking), RANKING_GOLDEN[config.algorithm]);
    assert.equal(digest(b.ranking), RANKING_GOLDEN[config.algorithm]);
    assert.equal(digest(b), digest(a), "the rating part alike too");
    assert.equal(collected, 3, "collect ran three times: once the deferred rating trainer was created, between the parts, and once the ranking part was created (the rating model's history dropped)");
  });
}

// hybrid (LightFM-style; TS kernel and its WASM twin assembly/hybrid.ts) with item and user features on the explicit set: every 10th item has
// 12 tags (above itemWeightCap), 20 feature-only (cold) items and 15 feature-only users; the feature vectors
// are in the digest. Digests of warp and bpr as of the commit that added itemWeightCap (unchanged by the WASM kernel); the same bytes with kernels "wasm".
function hybridFeatures(): { itemFeatures: Record<string, string[]>; userFeatures: Record<string, string[]> } {
  const itemFeatures: Record<string, string[]> = {};
  const userFeatures: Record<string, string[]> = {};
  const items = [...explicit.itemIndex.ids()].map(String);
  for (let c = 0; c < 20; c++) items.push(`cold-item-${c}`);
  items.forEach((id, i) => {
    const f = [`genre:${i % 7}`, `decade:${i % 3}`];
    if (i % 10 === 0) for (let t = 0; t < 12; t++) f.push(`tag:${(i + t) % 17}`);
    itemFeatures[id] = f;
  });
  const users = [...explicit.userIndex.ids()].map(String);
  for (let c = 0; c < 15; c++) users.push(`cold-user-${c}`);
  users.forEach((id, u) => {
    userFeatures[id] = [`age:${u % 4}`, `job:${u % 5}`];
  });
  return { itemFeatures, userFeatures };
}
const HYBRID_CONFIGS: ModelConfig[] = [
  { algorithm: "hybrid", factors: 8, epochs: 4, learningRate: 0.05, regularization: 1e-6, loss: "warp", maxSampled: 10, positiveThreshold: 4, negatives: "rated", normalize: false, itemWeightCap: 4, identity: true, seed: 3 },
  { algorithm: "hybrid", factors: 8, epochs: 4, learningRate: 0.05, regularization: 1e-6, loss: "bpr", positiveThreshold: 4, negatives: "rated", normalize: false, itemWeightCap: 4, identity: true, seed: 3 },
  // Rating prediction (loss "squared": μ, user and item biases over id and feature rows); digest as of the commit that added it.
  { algorithm: "hybrid", factors: 8, epochs: 4, learningRate: 0.03, regularization: 0.05, loss: "squared", normalize: false, itemWeightCap: 4, identity: true, seed: 3 },
];
const HYBRID_GOLDEN: Record<string, string> = {
  "hybrid/warp": "a540b7ff43458e21",
  "hybrid/bpr": "885cbab8e72235ca",
  "hybrid/squared": "628237c7464a1fd1",
};
function hybridDigest(m: FactorModel): string {
  const h = createHash("sha256");
  h.update(digest(m));
  for (const side of [m.features?.items, m.features?.users]) {
    for (const a of [side?.factors.data, side?.bias]) {
      if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      h.update("|");
    }
    h.update(side ? side.vocabulary.ids().join(",") : "-");
  }
  return h.digest("hex").slice(0, 16);
}
for (const config of HYBRID_CONFIGS) {
  const name = `hybrid/${config.loss}`;
  test(`golden model: ${name} (item + user features, cold items and users; ts and wasm alike)`, () => {
    const features = hybridFeatures();
    const resolved = getAlgorithm("hybrid").resolveConfig(config);
    assert.deepEqual(Object.keys(resolved).sort(), Object.keys(config).sort(), "every key of the resolved config is spelled out");
    const digests = (["ts", "wasm"] as const).map((kernels) => hybridDigest(fitSync(explicit, config, { ...features, kernels })));
    assert.equal(digests[1], digests[0], "the kernels option does not change hybrid's bytes");
    if (print) {
      printed[name] = digests[0]!;
      return;
    }
    assert.equal(digests[0], HYBRID_GOLDEN[name], `${name}: the model's bytes changed`);
  });
}

// bayes-fm's per-rating groups (issue 17): day bins and user-day biases on the explicit set with made-up timestamps
// (rating j on day j·7919 mod 30 of January 2000, at a second that varies with j). The digest adds the time rows
// and biases and the user-day biases; the TS and WASM kernels must agree. With time off the bayes-fm digest above
// must not move (the per-rating path is a separate branch of every kernel).
const timed = { ...explicit, timestamps: Float64Array.from({ length: explicit.length }, (_, j) => 946684800 + ((j * 7919) % 30) * 86400 + ((j * 104729) % 86400)) };
const TIME_CONFIG: ModelConfig = { ...CONFIGS.find((c) => c.algorithm === "bayes-fm")!, implicitVectors: true, time: "day", userDay: true };
const TIME_GOLDEN = "6f3ae35c37212420";
function timeDigest(m: FactorModel): string {
  const h = createHash("sha256");
  h.update(digest(m));
  const t = m.time;
  for (const a of [t?.bins?.keys, t?.bins?.factors.data, t?.bins?.bias, t?.userDay?.indptr, t?.userDay?.days, t?.userDay?.bias]) {
    if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    h.update("|");
  }
  return h.digest("hex").slice(0, 16);
}
test("golden model: bayes-fm time=day userDay (ts and wasm alike)", () => {
  const resolved = getAlgorithm("bayes-fm").resolveConfig(TIME_CONFIG);
  assert.deepEqual(Object.keys(resolved).sort(), Object.keys(TIME_CONFIG).sort(), "every key of the resolved config is spelled out");
  const digests = (["ts", "wasm"] as const).map((kernels) => timeDigest(fitSync(timed, TIME_CONFIG, { kernels })));
  assert.equal(digests[1], digests[0], "WASM and TS give the same bytes with the time groups");
  assert.equal(timeDigest(fitSync(timed, TIME_CONFIG, { kernels: "wasm", threads: 2, pool: nodePoolFactory })), digests[0], "2 threads: the same bytes with the time groups");
  if (print) {
    printed["bayes-fm time"] = digests[0]!;
    return;
  }
  assert.equal(digests[0], TIME_GOLDEN, "bayes-fm time: the model's bytes changed");
});

test("print golden digests", { skip: !print }, () => {
  console.log(JSON.stringify(printed, null, 2));
});
