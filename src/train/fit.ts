import { MfrecError } from "../core/errors.js";
import type { EpochReport } from "../core/types.js";
import { type FeatureInput, toFeatureTable } from "../data/features.js";
import type { Ratings } from "../data/ratings.js";
import { buildCsr, type CsrMatrix, transpose } from "../matrix/csr.js";
import type { FactorModel, ModelConfig } from "../model/factor-model.js";
import type { KernelPoolFactory } from "../parallel/pool-factory.js";
import "./algorithms.js";
import { numberOption, RULES } from "./config.js";
import type { KernelChoice, TrainRuntime } from "./kernel-runtime.js";
import { rankingConfig, withoutRankingKeys } from "./ranking.js";
import { getAlgorithm } from "./registry.js";
import { memTrace } from "../core/mem-trace.js";
import type { Trainer, TrainingData } from "./trainer.js";

/** Options of a fit that are not model configuration. */
export interface FitOptions {
  /** Called after every epoch with its report; return false to stop early. */
  onEpoch?: (report: EpochReport) => unknown;
  /** Aborts between epochs with MfrecError E_ABORTED. */
  signal?: AbortSignal;
  /** Extra per-epoch evaluation (e.g. validation RMSE), merged into the report's `validation`. */
  validate?: (model: FactorModel) => Record<string, number>;
  /** Prebuilt sparse views (saves the CSR build when fitting many configs on the same data). */
  data?: TrainingData;
  /**
   * Worker pool for the WASM kernels (default: the registered one — mfrec/node registers worker_threads
   * with all cores — else one thread inline). `threads` picks the count; it never changes results.
   */
  pool?: KernelPoolFactory;
  /**
   * Worker threads for the kernels: 0 (the default) = automatic (all cores of the pool factory, one for
   * small work), 1 = inline. A runtime choice, not model configuration: the model is the same bit for bit
   * for any count and its config does not record it. (A `threads` key in the config is still read, for
   * configs written before it moved here; this option wins.)
   */
  threads?: number;
  /** "auto" (WASM SIMD where available), "wasm" or "ts" (the TypeScript reference kernels). Results agree to float rounding. */
  kernels?: KernelChoice;
  /**
   * Let the model's arrays be the trainer's own memory instead of copies (sgd: its factors and a history
   * decoded into its kernel memory). Saves a copy of the factors and the history at the end of the fit, the
   * process's memory peak for a large sgd fit, but the model then keeps all of that memory (training layout
   * included) alive, its arrays may be views of a SharedArrayBuffer, and it may share the ratings' id indexes:
   * for one-shot jobs that save the model and exit, like `mfrec train`. Same values either way. (With a ranking
   * part to follow, the rating part still takes copies, so its kernel memory can go before the ranking part's.)
   */
  zeroCopy?: boolean;
  /**
   * Train the ranking part of an explicit model (train/ranking.ts) as the config says (default true).
   * false skips it whatever the config (e.g. a tuning run that only measures RMSE); the model then ranks by predictions.
   */
  ranking?: boolean;
  /**
   * Side features of items / users, raw id → feature names (weight 1) or name → weight, or a parsed table
   * (algorithms `hybrid` and `bayes-fm` only: others refuse them; bayes-fm adds one normalized group per side). With hybrid, ids with features but no rating become cold
   * items / users of the model, scored from their features alone.
   */
  itemFeatures?: FeatureInput;
  userFeatures?: FeatureInput;
  /**
   * Called where the fit has just dropped a large layout a full garbage collection would return at once
   * (the rating part's kernel memory, before the ranking part fills its own): a one-shot job passes V8's
   * `gc` here (`mfrec train` does), since kernel memory does not itself prompt a collection. Never changes results.
   */
  collect?: () => void;
}

/**
 * The user × item and item × user views of the ratings, each built in O(nnz) on first use and kept
 * (SGD never touches byItem and builds byUser only for the model's history after training).
 */
export function trainingData(ratings: Ratings): TrainingData {
  let byUser: CsrMatrix | undefined;
  let byItem: CsrMatrix | undefined;
  const user = (): CsrMatrix => {
    byUser ??= buildCsr(ratings.users, ratings.items, ratings.values, ratings.userIndex.size, ratings.itemIndex.size, ratings.length);
    return byUser;
  };
  return {
    ratings,
    get byUser() {
      return user();
    },
    get byItem() {
      byItem ??= transpose(user());
      return byItem;
    },
  };
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** A fit whose trainer is built: what the epoch loop needs, and no reference to the ratings themselves. */
interface Started {
  /** Dropped (undefined) once closed, so its memory can go before the ranking part starts. */
  trainer: Trainer | undefined;
  epochs: number;
  ratings: number;
  source: string | undefined;
  /** The ranking part still to train after the rating part (on the rating model's history: no reference to the ratings is kept). */
  ranking?: { config: ModelConfig; epochs: number };
  /** Where the kernels run (pool, kernels, threads): the ranking part runs the same way. */
  runtime?: TrainRuntime;
}

/**
 * Resolve the config and build the trainer. The epoch loop keeps only what this returns, so a trainer
 * that copies what it needs (sgd) leaves the Ratings collectable once the caller drops them.
 */
function start(ratings: Ratings, config: Partial<ModelConfig> & { algorithm: string }, opts: FitOptions): Started {
  const algo = getAlgorithm(config.algorithm);
  const { threads: configThreads, ...modelConfig } = config;
  const given = opts.threads ?? configThreads;
  const threads = given === undefined ? undefined : numberOption({ threads: given }, "threads", 0, RULES.threads);
  const base = opts.data ?? trainingData(ratings);
  const runtime: TrainRuntime = { ...base.runtime, poolFactory: opts.pool ?? base.runtime?.poolFactory, kernels: opts.kernels ?? base.runtime?.kernels, zeroCopy: opts.zeroCopy ?? base.runtime?.zeroCopy, threads: threads ?? base.runtime?.threads };
  let data: TrainingData = opts.pool || opts.kernels || opts.zeroCopy || threads !== undefined ? withRuntime(base, runtime) : base;
  if (opts.itemFeatures || opts.userFeatures) {
    if (!algo.features)
      throw new MfrecError("E_CONFIG", `algorithm ${algo.name} does not use side features`, { column: "algorithm", value: algo.name, expected: "hybrid or bayes-fm, for item or user features" });
    data = withFeatures(data, opts.itemFeatures ? toFeatureTable(opts.itemFeatures) : undefined, opts.userFeatures ? toFeatureTable(opts.userFeatures) : undefined);
  }
  const rc = opts.ranking === false ? null : rankingConfig(modelConfig as typeof config, algo.implicit, data);
  const resolved = algo.resolveConfig(withoutRankingKeys(modelConfig as typeof config), data);
  let ranking: Started["ranking"];
  if (rc) {
    const ials = getAlgorithm(rc.algorithm);
    const r = ials.resolveConfig(rc, data);
    ranking = { config: r, epochs: ials.epochs(r) };
  }
  let trainer: Trainer;
  const caps = algo.capabilities;
  const sorted = caps?.trainsFromCsr !== true && caps?.trainsFromSortedCsr === true && opts.data === undefined && sortedByUser(ratings);
  if ((caps?.trainsFromCsr === true || sorted) && opts.data === undefined) {
    const light = detached(data, sorted);
    trainer = deferred(() => algo.create(light, resolved), opts.collect);
  } else trainer = algo.create(data, resolved);
  return { trainer, epochs: algo.epochs(resolved), ratings: ratings.length, source: ratings.report.file, ranking, runtime: data.runtime };
}

/**
 * A trainer created on first use (the same trainer, the same calls: only its memory comes later). Once created,
 * the data it was made from is dropped and `collect` runs: a trainer that copied what it needs into kernel memory
 * (als, ials, wals) builds the rest from that copy after the given CSR has gone.
 */
function deferred(create: () => Trainer, collect: (() => void) | undefined): Trainer {
  let t: Trainer | undefined;
  let make: (() => Trainer) | undefined = create;
  const get = (): Trainer => {
    if (!t) {
      t = make!();
      make = undefined;
      collect?.();
      memTrace("trainer created");
    }
    return t;
  };
  return {
    epoch: (e) => get().epoch(e),
    finish: (o) => get().finish(o),
    close: () => t?.close?.(),
    warnings: () => get().warnings?.() ?? [],
  };
}

/**
 * The views a CSR trainer reads, without the Ratings' columns it does not: the users' CSR (built now), the id
 * indexes, the values (views of the CSR's own when the input was sorted by user, else the values column) and
 * the length. `users` and `items` are not kept (reading them throws: a trainer with the trainsFromCsr capability must not).
 */
function detached(d: TrainingData, sorted = false): TrainingData {
  const byUser = d.byUser;
  const { length, values, userIndex, itemIndex, report } = d.ratings;
  const missing = (): never => {
    throw new MfrecError("E_UNSUPPORTED", "internal: a deferred trainer read a ratings column it does not keep");
  };
  const ratings = {
    length,
    values,
    userIndex,
    itemIndex,
    report,
    get users(): Int32Array {
      return missing();
    },
    get items(): Int32Array {
      return missing();
    },
  } satisfies Ratings;
  let byItem: CsrMatrix | undefined;
  return {
    ratings,
    runtime: d.runtime,
    byUser,
    get byItem() {
      byItem ??= transpose(byUser);
      return byItem;
    },
    ...(sorted ? { sortedByUser: true } : {}),
  };
}

/** Whether the users column never decreases (the users' CSR is then views of the columns). */
function sortedByUser(r: Ratings): boolean {
  const u = r.users;
  for (let t = 1; t < r.length; t++) if (u[t]! < u[t - 1]!) return false;
  return true;
}

/** One run of the epoch loop (shared by fitSync and fit); closes the trainer however it ends. */
function* runEpochs(s: Started, opts: FitOptions): Generator<Promise<void> | void, FactorModel> {
  let model: FactorModel;
  const r = s.ranking;
  let closing: Promise<void> | void;
  try {
    // With a ranking part to follow, the rating model takes copies (zeroCopy would keep the rating part's
    // whole kernel memory, training layout included, alive through the ranking fit).
    model = yield* epochLoop(s, r ? { ...opts, zeroCopy: false } : opts);
  } finally {
    closing = s.trainer?.close?.();
    s.trainer = undefined;
  }
  if (!r) return model;
  // The rating part's trainer is closed and dropped first, so the two fits never hold their memory at once
  // (`fit` waits for its workers to exit: they share its kernel memory; then `collect`); the ranking part
  // trains on the rating model's history (the same cells), so the ratings need not be kept.
  yield closing;
  opts.collect?.();
  memTrace("rating part closed");
  const zeroCopy = opts.zeroCopy === true;
  const trainer = rankingTrainer(model, r.config, s.runtime);
  // A zero-copy ranking part hands back the history from its own kernel memory at its finish, the same bytes as the
  // rating model's (it trains on that CSR, copied in when created): the rating model's copy (8 B a rating) goes now.
  let history = model.history;
  if (zeroCopy) {
    model = model.with({ history: undefined });
    history = undefined;
    opts.collect?.();
    memTrace("ranking part created");
  }
  try {
    const t0 = now();
    const reports: EpochReport[] = [];
    for (let e = 1; e <= r.epochs; e++) {
      if (opts.signal?.aborted) throw new MfrecError("E_ABORTED", `training aborted before epoch ${e} of the ranking part`, { cause: opts.signal.reason });
      const t = now();
      const res = trainer.epoch(e - 1);
      memTrace(`ranking epoch ${e}`);
      if (!Number.isFinite(res.loss)) throw new MfrecError("E_DIVERGED", `the ranking part diverged at epoch ${e}: the loss became ${res.loss}`, { value: res.loss, expected: "a finite loss" });
      reports.push({ epoch: e, loss: res.loss, seconds: (now() - t) / 1000 });
      yield;
    }
    const part = trainer.finish({ zeroCopy });
    const h = history ?? part.history;
    const ranking = part.with({ history: h, training: reports, userIndex: model.userIndex, itemIndex: model.itemIndex });
    const provenance = model.provenance ? { ...model.provenance, fitSeconds: (model.provenance.fitSeconds ?? 0) + (now() - t0) / 1000 } : undefined;
    return model.with({ ranking, provenance, history: h });
  } finally {
    trainer.close?.();
  }
}

/** The ranking part's trainer over the rating model's history (kept out of runEpochs' frame, so the history can go once it is created). */
function rankingTrainer(model: FactorModel, config: ModelConfig, runtime: TrainRuntime | undefined): Trainer {
  const h = model.history;
  if (!h) throw new MfrecError("E_UNSUPPORTED", `algorithm ${model.algorithm} keeps no history to train a ranking part on`, { hint: 'set ranking: "none"' });
  const hd = historyData(model, h);
  return getAlgorithm(config.algorithm).create(runtime ? withRuntime(hd, runtime) : hd, config);
}

/** Training data over a model's history CSR (users × items with values): what the ranking part trains on. */
function historyData(model: FactorModel, h: CsrMatrix): TrainingData {
  const nnz = h.indptr[h.rows]!;
  let users: Int32Array | undefined;
  const ratings: Ratings = {
    length: nnz,
    // Expanded from the row pointer only if asked for (ials reads the CSR, never this column: 4 bytes a rating saved).
    get users() {
      if (!users) {
        users = new Int32Array(nnz);
        for (let u = 0; u < h.rows; u++) users.fill(u, h.indptr[u]!, h.indptr[u + 1]!);
      }
      return users;
    },
    items: h.indices.subarray(0, nnz),
    values: h.values.subarray(0, nnz),
    userIndex: model.userIndex,
    itemIndex: model.itemIndex,
    report: { rows: nnz, ratings: nnz, skipped: 0, duplicates: 0, skippedByReason: {}, examples: [], duplicatePolicy: "last" },
  };
  let byItem: CsrMatrix | undefined;
  return {
    ratings,
    byUser: h,
    get byItem() {
      byItem ??= transpose(h);
      return byItem;
    },
  };
}

/** The same views (getters stay lazy) with features attached. */
function withFeatures(d: TrainingData, itemFeatures: TrainingData["itemFeatures"], userFeatures: TrainingData["userFeatures"]): TrainingData {
  return {
    ratings: d.ratings,
    runtime: d.runtime,
    itemFeatures,
    userFeatures,
    get byUser() {
      return d.byUser;
    },
    get byItem() {
      return d.byItem;
    },
  };
}

/** The same views (getters stay lazy) with a runtime attached. */
function withRuntime(d: TrainingData, runtime: TrainRuntime): TrainingData {
  return {
    ratings: d.ratings,
    runtime,
    get byUser() {
      return d.byUser;
    },
    get byItem() {
      return d.byItem;
    },
  };
}

function* epochLoop(s: Started, opts: FitOptions): Generator<void, FactorModel> {
  const { epochs, ratings, source } = s;
  const trainer = s.trainer!;
  const reports: EpochReport[] = [];
  const t0 = now();
  let firstLoss = Number.NaN;
  for (let e = 1; e <= epochs; e++) {
    if (opts.signal?.aborted) throw new MfrecError("E_ABORTED", `training aborted before epoch ${e}`, { cause: opts.signal.reason });
    const t = now();
    const r = trainer.epoch(e - 1);
    memTrace(`epoch ${e}`);
    const report: EpochReport = { epoch: e, loss: r.loss, seconds: (now() - t) / 1000 };
    if (r.trainRmse !== undefined) report.trainRmse = r.trainRmse;
    if (!Number.isFinite(r.loss) || (r.trainRmse !== undefined && !Number.isFinite(r.trainRmse))) {
      throw new MfrecError("E_DIVERGED", `training diverged at epoch ${e}: the loss became ${r.loss}`, {
        value: r.loss,
        expected: "a finite loss",
        hint: "lower the learning rate or raise the regularization",
      });
    }
    if (e === 1) firstLoss = r.loss;
    else if (r.loss > firstLoss * 1e6 + 1e6) {
      throw new MfrecError("E_DIVERGED", `training diverged at epoch ${e}: the loss grew from ${firstLoss} to ${r.loss}`, {
        value: r.loss,
        hint: "lower the learning rate or raise the regularization",
      });
    }
    if (opts.validate) report.validation = opts.validate(trainer.finish());
    reports.push(report);
    const go = opts.onEpoch?.(report);
    yield;
    if (go === false) break;
  }
  const model = trainer.finish({ zeroCopy: opts.zeroCopy === true });
  memTrace("finished");
  // What the fit counted and skipped (feature ids without ratings, …): the fit's report to the caller.
  const warnings = trainer.warnings?.() ?? [];
  return model.with({
    training: reports,
    provenance: {
      createdAt: new Date().toISOString(),
      mfrecVersion: MFREC_VERSION,
      ratings,
      source,
      fitSeconds: (now() - t0) / 1000,
      ...(warnings.length > 0 ? { warnings } : {}),
    },
  });
}

/** The package version written into model provenance. */
export const MFREC_VERSION = "0.1.0";


/** Train synchronously. `config.algorithm` names the algorithm ("als", "sgd", …). */
export function fitSync(ratings: Ratings, config: Partial<ModelConfig> & { algorithm: string }, opts: FitOptions = {}): FactorModel {
  const it = runEpochs(start(ratings, config, opts), opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * Train asynchronously, yielding to the event loop between epochs so progress and abort work. The trainer
 * is built before this returns; past that point the fit holds no reference to `ratings` (for sgd), so a
 * caller that drops its own lets their memory be reclaimed during training.
 */
export function fit(ratings: Ratings, config: Partial<ModelConfig> & { algorithm: string }, opts: FitOptions = {}): Promise<FactorModel> {
  let started: Started;
  try {
    started = start(ratings, config, opts);
  } catch (e) {
    return Promise.reject(e);
  }
  return drive(runEpochs(started, opts));
}

async function drive(it: Generator<Promise<void> | void, FactorModel>): Promise<FactorModel> {
  // The first epoch after a turn of the event loop: a caller that drops its Ratings after `fit` returns lets
  // their memory go before a (deferred) trainer fills its own.
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    // a trainer closing (its workers exiting) is waited for; a failure to stop a worker is not the fit's
    if (r.value) await r.value.catch(() => undefined);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
