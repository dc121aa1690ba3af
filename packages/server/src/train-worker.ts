/**
 * Worker-thread entry of `POST /train`: read the store's ratings (its own read-only connection,
 * so the server keeps answering), fit on a seeded training slice, check the model on the held-out
 * slice (sanity.ts: RMSE for explicit models, NDCG@10 for implicit ones), refit on everything, check the factors are finite, write the model file atomically and
 * report its path and SHA-256. The main thread registers and activates it; this file never writes SQL.
 */
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { type EpochReport, evaluateRatings, type FactorModel, fitSync, getAlgorithm, MfrecError, type ModelConfig, randomSplit, type Ratings, ratingsFromColumns, saveModel } from "mfrec";
import { heldOutRanking, meanPredictorRmse, RANKING_K } from "./sanity.js";
import { Store } from "./store.js";
import { finiteModel, type TrainMessage, type TrainWorkerInput } from "./train-protocol.js";

const input = workerData as TrainWorkerInput;
const post = (m: TrainMessage): void => parentPort!.postMessage(m);

function run(): void {
  const store = new Store(input.dbPath, { readonly: true });
  let rows: Array<{ user: string; item: string; rating: number; ts: number }>;
  try {
    // One read transaction: a consistent snapshot even while the server keeps writing (WAL).
    rows = store.db.prepare("SELECT user, item, rating, ts FROM ratings ORDER BY user, item").all() as typeof rows;
  } finally {
    store.close();
  }
  if (rows.length === 0) throw new MfrecError("E_EMPTY_INPUT", "the store holds no ratings to train on", { expected: "POST /ratings first" });
  const ratings = ratingsFromColumns({ users: rows.map((r) => r.user), items: rows.map((r) => r.item), values: rows.map((r) => r.rating) }, { source: "store" });
  const config = input.config as Partial<ModelConfig> & { algorithm: string };
  const metrics: Record<string, unknown> = { ratings: ratings.length, users: ratings.userIndex.size, items: ratings.itemIndex.size };
  const holdout = input.holdout;
  const validate = holdout > 0 && ratings.length >= 20;
  // Two fits when validating (slice, then everything): each reports half of the progress.
  const phases = validate ? 2 : 1;
  let phase = 0;
  let epochs = 0;
  const onEpoch = (r: EpochReport): void => {
    epochs = Math.max(epochs, r.epoch);
    const total = typeof config.epochs === "number" ? config.epochs : Math.max(epochs, 1);
    const m: TrainMessage = { type: "progress", progress: Math.min(0.99, (phase + Math.min(1, r.epoch / total)) / phases), epoch: r.epoch, loss: r.loss, seconds: r.seconds, phase: phase === 0 && validate ? "validate" : "final" };
    if (r.trainRmse !== undefined) m.trainRmse = r.trainRmse;
    if (r.validation !== undefined) m.validation = r.validation;
    post(m);
  };
  if (validate) {
    const split = randomSplit(ratings, { testFraction: holdout, seed: input.seed });
    const implicit = getAlgorithm(config.algorithm).implicit;
    // The hold-out metric after every epoch of the trial fit: the live chart shows over-fitting as it happens.
    // Implicit models rank, so theirs is NDCG@10 on a sample of the test users (the final check uses more).
    const perEpoch = implicit
      ? (m: FactorModel) => ({ [`ndcg@${RANKING_K}`]: heldOutRanking(m, split.train, split.test, { maxUsers: EPOCH_USERS, seed: input.seed }).model })
      : (m: FactorModel) => ({ rmse: evaluateRatings(m, split.test).rmse });
    const trial = fitSync(split.train, config, { onEpoch, validate: perEpoch });
    if (!finiteModel(trial)) throw new MfrecError("E_REJECTED", "the trial model has non-finite factors", { expected: "finite factors" });
    if (implicit) metrics.validation = rankingCheck(trial, split.train, split.test, holdout);
    else metrics.validation = ratingCheck(trial, split.train, split.test, holdout);
    phase = 1;
  }
  const model = fitSync(ratings, config, { onEpoch });
  if (!finiteModel(model)) throw new MfrecError("E_REJECTED", "the model has non-finite factors", { expected: "finite factors" });
  const last = model.training[model.training.length - 1];
  if (last) metrics.trainLoss = last.loss;
  if (last?.trainRmse !== undefined) metrics.trainRmse = last.trainRmse;
  metrics.fitSeconds = model.provenance?.fitSeconds;
  const bytes = saveModel(model);
  const checksum = createHash("sha256").update(bytes).digest("hex");
  const path = join(input.modelsDir, `model-${input.jobId}.mfr`);
  writeFileDurable(path, bytes);
  post({ type: "done", path, checksum, algorithm: model.algorithm, config: { ...model.config }, metrics, createdAt: new Date().toISOString() });
}

/** Test users ranked after each trial epoch (the chart's points); the final check ranks up to 2000. */
const EPOCH_USERS = 300;

/** Explicit models: hold-out RMSE ≤ (1 + tolerance) × the mean predictor's, and ≤ maxRmse when given. */
function ratingCheck(trial: FactorModel, train: Ratings, test: Ratings, holdout: number): Record<string, unknown> {
  const ev = evaluateRatings(trial, test);
  const baseline = meanPredictorRmse(train, test);
  const bound = Math.min(input.maxRmse ?? Number.POSITIVE_INFINITY, baseline * (1 + input.tolerance));
  const validation = { check: "rmse", rmse: ev.rmse, mae: ev.mae, n: ev.n, baselineRmse: baseline, bound, holdout, seed: input.seed };
  if (!(ev.rmse <= bound)) {
    throw new MfrecError("E_REJECTED", `validation RMSE ${ev.rmse.toFixed(4)} is worse than the bound ${bound.toFixed(4)}`, {
      value: ev.rmse,
      expected: `RMSE <= ${bound.toFixed(4)} (the mean predictor's ${baseline.toFixed(4)} × ${1 + input.tolerance}${input.maxRmse === undefined ? "" : `, maxRmse ${input.maxRmse}`})`,
    });
  }
  return validation;
}

/** Implicit models: hold-out NDCG@10 ≥ (1 + tolerance) × a random ranking's, and ≥ minNdcg when given (sanity.ts). */
function rankingCheck(trial: FactorModel, train: Ratings, test: Ratings, holdout: number): Record<string, unknown> {
  const r = heldOutRanking(trial, train, test, { seed: input.seed });
  const bound = Math.max(input.minNdcg ?? 0, r.random * (1 + input.tolerance));
  const key = r.metric;
  const validation = { check: key, [key]: r.model, popularityNdcg: r.popularity, randomNdcg: r.random, users: r.users, unknownUsers: r.unknownUsers, bound, holdout, seed: input.seed };
  if (r.users === 0) throw new MfrecError("E_REJECTED", "no held-out user is known to the trial model, so its ranking cannot be checked", { expected: "more ratings per user, or a smaller holdout" });
  if (!(r.model >= bound)) {
    throw new MfrecError("E_REJECTED", `validation ${key} ${r.model.toFixed(4)} is below the bound ${bound.toFixed(4)}`, {
      value: r.model,
      expected: `${key} >= ${bound.toFixed(4)} (a random ranking's ${r.random.toFixed(4)} × ${1 + input.tolerance}${input.minNdcg === undefined ? "" : `, minNdcg ${input.minNdcg}`}; popularity ranks at ${r.popularity.toFixed(4)})`,
    });
  }
  return validation;
}

/** Write to a temporary name, fsync, then rename: a reader sees the old file or the whole new one. */
function writeFileDurable(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

try {
  run();
} catch (e) {
  const err = e instanceof MfrecError ? { code: e.code, message: e.message } : { code: "E_INTERNAL", message: e instanceof Error ? e.message : String(e) };
  post({ type: "error", ...err });
}
