/**
 * `mfrec eval`: train on a training part and score a test part (a train/test file pair, a random,
 * per-user or temporal split of one file, k folds of one file, or predefined folds such as
 * MovieLens 100k u1..u5), printing rating metrics (fallbacks counted) and ranking metrics.
 * The data flags are shared with `mfrec tune` through {@link addDataOptions} and {@link loadEvalData}.
 */
import type { Command } from "commander";
import { type ColdStartEvaluation, type CrossValidation, crossValidate, evaluateColdStart, type FactorModel, fitSync, getAlgorithm, kFoldSplit, type ModelConfig, parseMetrics, randomSplit, type Ratings, type Split, temporalSplit, userSplit } from "../../index.js";
import { baselineScorer, COLD_START_BASELINES, type ColdSide, evaluateColdStartScores, type FoldResult, withoutRankingKeys, RATING_METRICS } from "../../internal.js";
import { readPredefinedFolds, readRatingsFile, readTrainTest } from "../../node.js";
import { MfrecError } from "../../core/errors.js";
import { type CommonFlags, choiceArg, intArg, listArg, numberArg } from "../args.js";
import { fmt, fmtInt, formatTable, note, printJson, say } from "../output.js";
import { Progress } from "../progress.js";
import { addInputOptions, type InputFlags, printParseReport, readOptionsFrom } from "../input.js";
import { addModelOptions, fitOptionsFrom, keepsImplicitStrength, type ModelFlags, modelConfigFrom } from "../model-options.js";
import { type FeatureFlagsRead, noteFeatureCoverage, noteFitWarnings, readFeatureFlags } from "../features.js";

/** Flags shared by `mfrec eval` and `mfrec tune`. */
export interface EvalDataFlags extends CommonFlags, InputFlags, ModelFlags {
  train?: string;
  test?: string;
  folds?: number;
  foldsFrom?: string;
  split?: number;
  splitBy?: "random" | "user" | "time";
  metrics?: string[];
  cutoff?: number;
  relevanceThreshold?: number;
  includeTrain?: boolean;
  csv?: boolean;
  quiet?: boolean;
}

/** The data, algorithm and output flags of `eval` and `tune`. */
export function addDataOptions(cmd: Command): Command {
  return addModelOptions(addInputOptions(cmd))
    .argument("[ratings]", "ratings file (with --folds or --split, or alone for tune)")
    .option("--train <file>", "training ratings file")
    .option("--test <file>", "test ratings file (ids indexed like --train)")
    .option("--folds <n>", "k-fold cross-validation of [ratings], stratified by user", intArg(2))
    .option("--folds-from <dir>", "predefined folds: <dir>/u1.base + u1.test … (MovieLens 100k layout)")
    .option("--split <fraction>", "hold out this fraction of [ratings] as the test set", numberArg)
    .option("--split-by <how>", "random (default), user (per-user holdout) or time (the latest ratings)", choiceArg(["random", "user", "time"] as const))
    .option("--metrics <list>", "rmse,mae,ndcg@10,precision@10,recall@10,map@10,mrr@10,hitrate@10,auc,coverage@10", listArg)
    .option("--cutoff <k>", "cut-off for ranking metrics given without @k (default 10)", intArg(1))
    .option("--relevance-threshold <r>", "a test rating is relevant for ranking metrics when >= r", numberArg)
    .option("--include-train", "rank the user's training items too (default: excluded)")
    .option("-q, --quiet", "no progress on stderr")
    .option("--json", "print one JSON document")
    .option("--csv", "print CSV")
    .option("--debug", "show stack traces");
}

/** What the data flags describe: train/test parts (one or several), or one ratings set to tune on. */
export type EvalData = { kind: "folds"; folds: Split[]; source: string } | { kind: "whole"; ratings: Ratings; source: string };

/** Read the data the flags name; exactly one way must be chosen (E_CONFIG otherwise). */
export async function loadEvalData(file: string | undefined, f: EvalDataFlags, allowWhole = false): Promise<EvalData> {
  // --implicit with ials keeps a value column as interaction strength (keepsImplicitStrength).
  const read = keepsImplicitStrength(f) ? { ...readOptionsFrom(f), implicit: undefined } : readOptionsFrom(f);
  const ways = [f.train !== undefined, f.folds !== undefined, f.foldsFrom !== undefined, f.split !== undefined].filter(Boolean).length;
  const expected = "one of --train F --test F, --folds N <ratings>, --folds-from DIR, --split FRACTION <ratings>";
  if (ways > 1) throw new MfrecError("E_CONFIG", "choose one way to get test data", { expected });
  if (f.test !== undefined && f.train === undefined) throw new MfrecError("E_CONFIG", "--test needs --train", { expected: "--train F --test F" });
  if (f.train !== undefined) {
    if (file !== undefined) throw new MfrecError("E_CONFIG", "give either a ratings file or --train, not both", { value: file, expected });
    if (f.test === undefined) {
      if (!allowWhole) throw new MfrecError("E_CONFIG", "--train needs --test", { expected: "--train F --test F" });
      const ratings = await readRatingsFile(f.train, read);
      printParseReport(ratings.report);
      return { kind: "whole", ratings, source: f.train };
    }
    const split = await readTrainTest(f.train, f.test, read);
    printParseReport(split.train.report);
    printParseReport(split.test.report);
    return { kind: "folds", folds: [split], source: `${f.train} / ${f.test}` };
  }
  if (f.foldsFrom !== undefined) {
    if (file !== undefined) throw new MfrecError("E_CONFIG", "give either a ratings file or --folds-from, not both", { value: file, expected });
    const folds = await readPredefinedFolds(f.foldsFrom, { ...read, format: read.format ?? ("ml-100k" as never) });
    return { kind: "folds", folds, source: f.foldsFrom };
  }
  if (file === undefined) throw new MfrecError("E_CONFIG", "no ratings given", { expected });
  const ratings = await readRatingsFile(file, read);
  printParseReport(ratings.report);
  const seed = f.seed ?? 0;
  if (f.folds !== undefined) return { kind: "folds", folds: kFoldSplit(ratings, { folds: f.folds, seed }), source: file };
  if (f.split !== undefined) {
    const by = f.splitBy ?? "random";
    let split: Split;
    if (by === "user") split = userSplit(ratings, { testFraction: f.split, seed });
    else if (by === "time") split = temporalSplit(ratings, { cutoff: timeCutoff(ratings, f.split) });
    else split = randomSplit(ratings, { testFraction: f.split, seed });
    return { kind: "folds", folds: [split], source: file };
  }
  if (allowWhole) return { kind: "whole", ratings, source: file };
  throw new MfrecError("E_CONFIG", "a ratings file alone gives no test data", { value: file, expected });
}

/** The timestamp above which the latest `fraction` of ratings lie. */
function timeCutoff(r: Ratings, fraction: number): number {
  if (!r.timestamps) throw new MfrecError("E_CONFIG", "--split-by time needs a timestamp column", { file: r.report.file, expected: "ratings with timestamps (e.g. --columns user,item,rating,timestamp)" });
  if (!(fraction > 0 && fraction < 1)) throw new MfrecError("E_CONFIG", "--split must lie strictly between 0 and 1", { value: fraction, expected: "a number in (0, 1)" });
  const sorted = Float64Array.from(r.timestamps).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((1 - fraction) * sorted.length))]!;
}

/** The model config from the preset and hyper-parameter flags (only those given). */
export const configFromFlags = (f: EvalDataFlags): Partial<ModelConfig> & { algorithm: string } => modelConfigFrom(f, f.implicit === true);

/**
 * Default metrics: ranking quality for implicit algorithms; for explicit ones the rating errors and the
 * quality of the lists recommend makes (NDCG@10 and precision@10 at {@link defaultRelevanceThreshold}).
 */
export function defaultMetrics(algorithm: string): string[] {
  return getAlgorithm(algorithm).implicit ? ["precision@10", "recall@10", "ndcg@10", "map@10"] : ["rmse", "mae", "ndcg@10", "precision@10"];
}

/**
 * The relevance threshold of explicit ranking metrics when none is given: three quarters up the training
 * ratings' range, rounded to a half star (4 on 1–5 stars and on 0.5–5), the "liked it" of the literature.
 * Undefined for implicit data (one value: every test interaction is relevant).
 */
export function defaultRelevanceThreshold(train: Ratings): number | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < train.length; t++) {
    const v = train.values[t]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return undefined;
  return Math.round((lo + 0.75 * (hi - lo)) * 2) / 2;
}

/** The ranking/fallback options from the flags. */
export function evaluateOptionsFrom(f: EvalDataFlags) {
  return { k: f.cutoff, relevanceThreshold: f.relevanceThreshold, excludeTrain: !f.includeTrain, fit: fitOptionsFrom(f) };
}

/** One fold as a flat JSON row: the metrics, then the counts. */
function foldRow(r: FoldResult): Record<string, number> {
  const row: Record<string, number> = { ...r.metrics };
  const rating = r.evaluation.rating;
  const ranking = r.evaluation.ranking;
  if (rating) {
    row.n = rating.n;
    row.unknownUsers = rating.unknownUsers;
    row.unknownItems = rating.unknownItems;
  }
  if (ranking) {
    row.rankedUsers = ranking.users;
    row.skippedUsers = ranking.unknownUsers + ranking.usersWithoutRelevant + ranking.usersWithoutRankable;
    row.unrankableRelevant = ranking.unknownItems + ranking.inTraining + ranking.notCandidates;
  }
  row.trainRatings = r.trainRatings;
  row.testRatings = r.testRatings;
  row.fitSeconds = r.fitSeconds;
  return row;
}

function csvLine(cells: ReadonlyArray<string | number>): string {
  return cells.map((c) => (typeof c === "number" ? String(c) : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
}

/** Print a cross-validation (or a single train/test run) as JSON, CSV or a table. */
export function printEvaluation(cv: CrossValidation, metricNames: readonly string[], f: EvalDataFlags, extra: Record<string, unknown> = {}): void {
  const rows = cv.folds.map(foldRow);
  const single = rows.length === 1;
  // What the fits counted and skipped (feature ids without ratings, …; FitWarning), per fold.
  const warned = cv.folds.some((x) => x.warnings.length > 0);
  if (f.json) {
    const warnings = warned ? { warnings: single ? cv.folds[0]!.warnings : cv.folds.map((x) => x.warnings) } : {};
    if (single) printJson({ ...rows[0], ...warnings, ...extra });
    else printJson({ folds: rows, mean: cv.mean, std: cv.std, ...warnings, ...extra });
    return;
  }
  if (warned && !f.quiet) noteFitWarnings(cv.folds[0]!.warnings, false, single ? "" : "fold 1: ");
  const cols = [...metricNames, "fitSeconds"];
  if (f.csv) {
    say(csvLine(["fold", ...cols, "testRatings"]));
    rows.forEach((r, i) => {
      say(csvLine([String(i + 1), ...cols.map((c) => r[c]!), r.testRatings!]));
    });
    if (!single) {
      say(csvLine(["mean", ...cols.map((c) => cv.mean[c]!), ""]));
      say(csvLine(["std", ...cols.map((c) => cv.std[c]!), ""]));
    }
    return;
  }
  const body = rows.map((r, i) => [single ? "test" : `fold ${i + 1}`, ...cols.map((c) => fmt(r[c]!, c === "fitSeconds" ? 2 : 4)), fmtInt(r.testRatings!)]);
  if (!single) {
    body.push(["mean", ...cols.map((c) => fmt(cv.mean[c]!, c === "fitSeconds" ? 2 : 4)), ""]);
    body.push(["std", ...cols.map((c) => fmt(cv.std[c]!, c === "fitSeconds" ? 2 : 4)), ""]);
  }
  say(formatTable(["", ...cols, "test ratings"], body));
  const first = cv.folds[0]!.evaluation;
  if (first.rating && first.rating.fallbacks > 0) {
    const u = cv.folds.reduce((s, x) => s + (x.evaluation.rating?.unknownUsers ?? 0), 0);
    const it = cv.folds.reduce((s, x) => s + (x.evaluation.rating?.unknownItems ?? 0), 0);
    note(`rating metrics include fallback predictions for test ratings of users/items unseen in training (${fmtInt(u)} user, ${fmtInt(it)} item)`);
  }
  if (first.ranking) {
    const skipped = cv.folds.reduce((s, x) => s + (x.evaluation.ranking ? x.evaluation.ranking.unknownUsers + x.evaluation.ranking.usersWithoutRelevant + x.evaluation.ranking.usersWithoutRankable : 0), 0);
    const unr = cv.folds.reduce((s, x) => s + (x.evaluation.ranking ? x.evaluation.ranking.unknownItems + x.evaluation.ranking.inTraining + x.evaluation.ranking.notCandidates : 0), 0);
    if (skipped > 0 || unr > 0) note(`ranking metrics: ${fmtInt(skipped)} test users skipped (unknown or no relevant item); ${fmtInt(unr)} relevant items unrankable, counted as misses`);
  }
}

/** Fit and evaluate every fold with a progress bar over all epochs. */
export function runFolds(folds: readonly Split[], config: Partial<ModelConfig> & { algorithm: string }, metricNames: readonly string[], f: EvalDataFlags, features: FeatureFlagsRead = {}): CrossValidation {
  const algo = getAlgorithm(config.algorithm);
  const epochs = algo.epochs(algo.resolveConfig(withoutRankingKeys(config)));
  const progress = new Progress({ label: `eval ${config.algorithm}`, total: epochs * folds.length, unit: "epochs", quiet: f.quiet });
  let done = 0;
  try {
    const cv = crossValidate(config, folds, {
      ...evaluateOptionsFrom(f),
      metrics: metricNames,
      fit: { ...fitOptionsFrom(f), ...features, onEpoch: () => progress.update(++done) },
      onFold: (i, r) => {
        done = (i + 1) * epochs;
        progress.update(done, metricNames.map((m) => `${m} ${fmt(r.metrics[m]!, 4)}`).join(" "));
      },
    });
    progress.finish(`evaluated ${config.algorithm} on ${folds.length} ${folds.length === 1 ? "split" : "folds"} in ${fmt(progress.seconds, 2)} s`);
    return cv;
  } catch (e) {
    progress.abandon();
    throw e;
  }
}

/** `mfrec eval`: see the file header. */
export function registerEvalCommand(program: Command): void {
  addDataOptions(program.command("eval").description("train and evaluate: RMSE/MAE and ranking metrics on a test set, a split or cross-validation folds"))
    .option("--cold <side>", "cold-start protocol (docs/cold-start.md) on --train/--test: items (rank only the test file's items) or users (new users rank every item)", choiceArg(["items", "users"] as const))
    .option("--baseline <name>", `with --cold: score by a baseline instead of a model: ${COLD_START_BASELINES.join(", ")}`)
    .action(async (file: string | undefined, f: EvalDataFlags & ColdFlags) => {
      if (f.cold !== undefined || f.baseline !== undefined) return runColdStart(file, f);
      const features = readFeatureFlags(f, f.quiet || f.json);
      const config = configFromFlags(f);
      getAlgorithm(config.algorithm);
      const metricNames = parseMetrics(f.metrics ?? defaultMetrics(config.algorithm), f.cutoff ?? 10).map((m) => m.name);
      const data = await loadEvalData(file, f);
      if (data.kind !== "folds") throw new MfrecError("E_CONFIG", "no test data", { expected: "--train/--test, --folds, --folds-from or --split" });
      for (const s of data.folds) {
        if (s.report.unseenTestUsers > 0 || s.report.unseenTestItems > 0) {
          note(`test set: ${fmtInt(s.report.unseenTestUsers)} users and ${fmtInt(s.report.unseenTestItems)} items unseen in training (${fmtInt(s.report.unseenTestRatings)} ratings)`);
        }
      }
      // How the feature files meet the training folds is the fits' report: printEvaluation notes it (fit warnings).
      const ranks = metricNames.some((m) => !RATING_METRICS.includes(m as never));
      if (ranks && f.relevanceThreshold === undefined && f.metrics === undefined && !getAlgorithm(config.algorithm).implicit) {
        f.relevanceThreshold = defaultRelevanceThreshold(data.folds[0]!.train);
      }
      if (ranks && !f.json && !f.csv) {
        note(
          f.relevanceThreshold === undefined
            ? "ranking metrics: every test item is relevant (no --relevance-threshold)"
            : `ranking metrics: relevant = test rating >= ${f.relevanceThreshold}${f.metrics === undefined ? " (default; --relevance-threshold R to change)" : ""}; candidates = every training item the user has not rated`,
        );
      }
      const cv = runFolds(data.folds, config, metricNames, f, features);
      printEvaluation(cv, metricNames, f, { algorithm: config.algorithm, config, source: data.source, ...(ranks ? { relevanceThreshold: f.relevanceThreshold ?? null } : {}) });
    });
}

/** The flags only `mfrec eval` has. */
interface ColdFlags {
  cold?: ColdSide;
  baseline?: string;
}

const TIES = "NDCG and the cut-off metrics order tied scores by a seeded random permutation per user; AUC counts a tied pair as 1/2";

/** `mfrec eval --cold items|users`: the cold-start protocol of evaluate/cold-start.ts, for a model or a baseline. */
async function runColdStart(file: string | undefined, f: EvalDataFlags & ColdFlags): Promise<void> {
  if (f.cold === undefined) throw new MfrecError("E_CONFIG", "--baseline needs --cold items|users", { value: f.baseline, expected: "--cold items or --cold users" });
  if (f.train === undefined || f.test === undefined || file !== undefined) throw new MfrecError("E_CONFIG", "--cold needs --train FILE --test FILE (a cold-start split)", { expected: "--train T --test S" });
  const quiet = f.quiet || f.json;
  const features = readFeatureFlags(f, quiet);
  const data = await loadEvalData(undefined, f);
  if (data.kind !== "folds") throw new MfrecError("E_CONFIG", "no test data", { expected: "--train/--test" });
  const { train, test } = data.folds[0]!;
  noteFeatureCoverage(features, train, quiet);
  const metrics = parseMetrics(f.metrics ?? ["ndcg@10", "auc"], f.cutoff ?? 10).map((m) => m.name);
  const opts = { cold: f.cold, metrics, relevanceThreshold: f.relevanceThreshold, tieSeed: f.seed ?? 1 };
  let result: ColdStartEvaluation;
  let about: Record<string, unknown>;
  if (f.baseline !== undefined) {
    result = evaluateColdStartScores(train, test, baselineScorer(f.baseline, train, features.itemFeatures, f.seed ?? 1), opts);
    about = { baseline: f.baseline };
  } else {
    const config = configFromFlags(f);
    if (f.cold === "users" && !features.userFeatures)
      throw new MfrecError("E_CONFIG", "--cold users needs --user-features: a new user has no rating, so the model can only place them by their features", { expected: "--user-features FILE, or --baseline popular" });
    if (f.cold === "items" && !features.itemFeatures)
      throw new MfrecError("E_CONFIG", "--cold items needs --item-features: a new item has no rating, so the model can only place it by its features", { expected: "--item-features FILE, or --baseline NAME" });
    const algo = getAlgorithm(config.algorithm);
    const epochs = algo.epochs(algo.resolveConfig(withoutRankingKeys(config)));
    const progress = new Progress({ label: `eval ${config.algorithm} (cold ${f.cold})`, total: epochs, unit: "epochs", quiet: f.quiet });
    const t0 = performance.now();
    let model: FactorModel;
    try {
      model = fitSync(train, config, { ...features, onEpoch: (r) => progress.update(r.epoch, `loss ${fmt(r.loss, 4)}`) });
      progress.finish(`trained ${config.algorithm} in ${fmt(progress.seconds, 2)} s`);
    } catch (e) {
      progress.abandon();
      throw e;
    }
    result = evaluateColdStart(model, train, test, opts);
    about = { algorithm: model.algorithm, config: model.config, fitSeconds: (performance.now() - t0) / 1000 };
  }
  const doc = { ...result.metrics, cold: f.cold, users: result.users, usersWithoutRelevant: result.usersWithoutRelevant, unknownUsers: result.unknownUsers, candidates: result.candidates, relevanceThreshold: f.relevanceThreshold ?? null, ties: TIES, ...about, source: data.source };
  if (f.json) return printJson(doc);
  say(formatTable(["", ...metrics, "users", "candidates"], [[f.baseline ?? String(about.algorithm), ...metrics.map((m) => fmt(result.metrics[m]!, 4)), fmtInt(result.users), fmtInt(result.candidates)]]));
  note(`cold ${f.cold}: relevant = test rating >= ${f.relevanceThreshold ?? "(any)"}; ${fmtInt(result.usersWithoutRelevant)} users without a relevant item and ${fmtInt(result.unknownUsers)} unknown users skipped; ties: ${TIES}`);
}
