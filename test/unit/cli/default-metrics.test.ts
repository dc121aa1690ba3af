import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultMetrics } from "../../../src/cli/commands/eval.js";
import { modelsImplicit } from "../../../src/internal.js";

test("default metrics follow what the config trains: hybrid ranks by default and predicts ratings with loss squared", () => {
  assert.equal(modelsImplicit({ algorithm: "hybrid" }), true);
  assert.equal(modelsImplicit({ algorithm: "hybrid", loss: "warp" }), true);
  assert.equal(modelsImplicit({ algorithm: "hybrid", loss: "squared" }), false);
  assert.deepEqual(defaultMetrics({ algorithm: "hybrid" }), ["precision@10", "recall@10", "ndcg@10", "map@10"]);
  assert.deepEqual(defaultMetrics({ algorithm: "hybrid", loss: "squared" }), ["rmse", "mae", "ndcg@10", "precision@10"]);
});

test("algorithms without a config-dependent kind keep their registry kind", () => {
  assert.equal(modelsImplicit({ algorithm: "ials" }), true);
  assert.equal(modelsImplicit({ algorithm: "sgd" }), false);
  assert.equal(modelsImplicit({ algorithm: "bayes-fm", loss: "squared" }), false);
  assert.deepEqual(defaultMetrics({ algorithm: "sgd" }), ["rmse", "mae", "ndcg@10", "precision@10"]);
});
