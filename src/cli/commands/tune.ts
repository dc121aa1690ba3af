/**
 * `mfrec tune --space space.json`: hyper-parameter search (grid or random) on training data only,
 * with the same data flags as `mfrec eval`. A ratings file alone (or --train without --test) is
 * tuned on a validation split carved from it; with test data (--train/--test, --split, --folds,
 * --folds-from) each training part is tuned, the best config is refitted on the whole training
 * part and scored on its test part (nested cross-validation for folds).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { MfrecError } from "../../core/errors.js";
import { crossValidate, evaluateColdStart, fitSync, type ModelConfig, parseMetrics, rankingSearchSpace, type SearchSpace, type TuneResult, tune } from "../../index.js";
import { type ColdSide, gridConfigs, higherIsBetter, modelsImplicit, parseMetric, RATING_METRICS } from "../../internal.js";
import { choiceArg, intArg, numberArg } from "../args.js";
import { PRESETS_DIR } from "../model-options.js";
import { fmt, fmtInt, formatTable, note, printJson, say } from "../output.js";
import { Progress } from "../progress.js";
import { readFeatureFlags } from "../features.js";
import { addDataOptions, configFromFlags, defaultMetrics, defaultRelevanceThreshold, type EvalDataFlags, evaluateOptionsFrom, loadEvalData } from "./eval.js";

interface TuneFlags extends EvalDataFlags {
  space?: string;
  strategy?: "grid" | "random";
  trials?: number;
  metric?: string;
  validationFraction?: number;
  patience?: number;
  minEpochs: number;
  cold?: ColdSide;
}

/** The search spaces shipped in presets/spaces/ (names without .json). */
export function spaceNames(): string[] {
  const dir = `${PRESETS_DIR}spaces/`;
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];
}

/**
 * Read and shape-check the search space file (plain JSON: name → [values] or { min, max, log?, integer?, steps? }).
 * A name that is not a file but a shipped space (presets/spaces/<name>.json: sgd, als, ials, bayes-fm) reads that one.
 */
export function readSpaceFile(nameOrPath: string): SearchSpace {
  const shipped = `${PRESETS_DIR}spaces/${nameOrPath}.json`;
  const path = !existsSync(nameOrPath) && /^[a-z0-9-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new MfrecError("E_IO", "cannot read the search space file", { file: path, expected: `a JSON file or a shipped space (${spaceNames().join(", ")})`, cause: e });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MfrecError("E_CONFIG", "the search space file is not valid JSON", { file: path, expected: '{ "factors": [10, 50], "regularization": { "min": 0.01, "max": 1, "log": true } }', cause: e });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new MfrecError("E_CONFIG", "the search space must be a JSON object", { file: path, value: doc, expected: "an object of parameter → values or range" });
  }
  return doc as SearchSpace;
}

function csvLine(cells: ReadonlyArray<string | number>): string {
  return cells.map((c) => (typeof c === "number" ? String(c) : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
}

/** `mfrec tune`: see the file header. */
export function registerTuneCommand(program: Command): void {
  addDataOptions(program.command("tune").description("search hyper-parameters (grid or random) on a validation split of the training data"))
    .option("--space <file|name>", "search space JSON ({ \"factors\": [10, 50], \"regularization\": { \"min\": 0.01, \"max\": 1, \"log\": true, \"steps\": 3 } }) or a shipped one: sgd, als, ials, bayes-fm (presets/spaces/); default for a ranking metric: λ and w0 of ials or of the ranking part")
    .option("--strategy <s>", "grid (every combination) or random", choiceArg(["grid", "random"] as const))
    .option("--trials <n>", "random: samples (default 10); grid: at most this many combinations", intArg(1))
    .option("--metric <name>", "metric to optimise (default rmse; ndcg@10 for implicit algorithms)")
    .option("--validation-fraction <f>", "share of each user's training ratings held out for validation (default 0.2)", numberArg)
    .option("--patience <n>", "early stopping: stop a trial after n epochs without improvement and keep the best epoch count", intArg(1))
    .option("--min-epochs <n>", "early stopping warm-up: no trial stops before n epochs", intArg(0), 10)
    .option("--cold <side>", "validate on a cold cut of the training data: hold out --validation-fraction of the items (items) or users (users) with all their ratings and score the cold-start protocol (needs --item-features / --user-features; a test file is scored by it too)", choiceArg(["items", "users"] as const))
    .action(async (file: string | undefined, f: TuneFlags) => {
      const base = configFromFlags(f);
      const implicit = modelsImplicit(base);
      const metric = parseMetric(f.metric ?? (implicit ? "ndcg@10" : "rmse"), f.cutoff ?? 10).name;
      const ranking = !RATING_METRICS.includes(metric as never);
      const defaultSpace = ranking ? rankingSearchSpace(base.algorithm) : undefined;
      if (f.space === undefined && !defaultSpace) {
        throw new MfrecError("E_CONFIG", `no search space: give --space FILE (there is a default only for a ranking metric with ials or an explicit algorithm)`, { value: metric, expected: "--space space.json, or --metric ndcg@10" });
      }
      const space = f.space === undefined ? defaultSpace! : readSpaceFile(f.space);
      const testMetrics = parseMetrics(f.metrics ?? [...new Set([metric, ...defaultMetrics(base)])], f.cutoff ?? 10).map((m) => m.name);
      const data = await loadEvalData(file, f, true);
      // Ranking an explicit model's lists: relevant = rating >= the default threshold unless one is given (as in eval).
      const rankedAtTest = f.metrics === undefined && testMetrics.some((m) => !RATING_METRICS.includes(m as never));
      if ((ranking || rankedAtTest) && !implicit && f.relevanceThreshold === undefined) {
        f.relevanceThreshold = defaultRelevanceThreshold(data.kind === "whole" ? data.ratings : data.folds[0]!.train);
        if (f.relevanceThreshold !== undefined) note(`ranking metrics: relevant = rating >= ${f.relevanceThreshold} (default; --relevance-threshold R to change)`);
      }
      const features = readFeatureFlags(f, f.quiet);
      const trainParts = data.kind === "whole" ? [data.ratings] : data.folds.map((s) => s.train);
      const perPart = (f.strategy ?? "grid") === "grid" ? Math.min(gridConfigs(space).length, f.trials ?? Number.POSITIVE_INFINITY) : (f.trials ?? 10);
      const progress = new Progress({ label: `tune ${base.algorithm}`, total: perPart * trainParts.length, unit: "trials", quiet: f.quiet });
      const results: TuneResult[] = [];
      let trialsDone = 0;
      try {
        trainParts.forEach((train, p) => {
          const r = tune(train, base, space, {
            ...evaluateOptionsFrom(f),
            strategy: f.strategy,
            fit: features,
            trials: f.trials,
            seed: f.seed ?? 0,
            metric,
            validationFraction: f.validationFraction,
            cold: f.cold,
            earlyStopping: f.patience === undefined ? undefined : { patience: f.patience, minEpochs: f.minEpochs },
            onTrial: (t, i, total) => {
              trialsDone = p * total + i + 1;
              progress.update(trialsDone, t.score === undefined ? `failed ${t.error}` : `${metric} ${fmt(t.score, 4)}`);
            },
          });
          results.push(r);
        });
      } catch (e) {
        progress.abandon();
        throw e;
      }
      progress.finish(`tuned ${base.algorithm}: ${trialsDone} trials in ${fmt(progress.seconds, 2)} s`);

      // With test data, refit each part's best config on the whole training part and score it.
      const coldMetrics = testMetrics.filter((m) => !RATING_METRICS.includes(m as never));
      const tested =
        data.kind === "folds" && f.cold
          ? data.folds.map((split, i) => {
              const t0 = performance.now();
              const model = fitSync(split.train, results[i]!.best.config, features);
              const fitSeconds = (performance.now() - t0) / 1000;
              const r = evaluateColdStart(model, split.train, split.test, { cold: f.cold!, metrics: coldMetrics, relevanceThreshold: f.relevanceThreshold, tieSeed: 1 });
              return { metrics: r.metrics, testRatings: split.test.length, fitSeconds };
            })
          : data.kind === "folds"
          ? data.folds.map((split, i) => crossValidate(results[i]!.best.config as Partial<ModelConfig> & { algorithm: string }, [split], { ...evaluateOptionsFrom(f), metrics: testMetrics, fit: features }).folds[0]!)
          : undefined;

      const up = higherIsBetter(metric);
      if (f.json) {
        const parts = results.map((r, i) => ({
          best: r.best,
          metric: r.metric,
          higherIsBetter: up,
          trials: r.trials,
          validation: r.validation,
          ...(tested ? { test: { ...tested[i]!.metrics, n: tested[i]!.testRatings, fitSeconds: tested[i]!.fitSeconds } } : {}),
        }));
        if (parts.length === 1) printJson({ ...parts[0], source: data.source });
        else {
          const mean: Record<string, number> = {};
          for (const m of testMetrics) mean[m] = tested!.reduce((s, t) => s + t.metrics[m]!, 0) / tested!.length;
          printJson({ folds: parts, mean, source: data.source });
        }
        return;
      }
      const keys = Object.keys(space);
      if (f.csv) {
        say(csvLine(["part", "trial", ...keys, metric, "bestEpoch", "fitSeconds", "error"]));
        results.forEach((r, p) => {
          r.trials.forEach((t, i) => {
            say(csvLine([p + 1, i + 1, ...keys.map((k) => String(t.params[k])), t.score ?? "", t.bestEpoch ?? "", t.fitSeconds, t.error ?? ""]));
          });
        });
        return;
      }
      results.forEach((r, p) => {
        if (results.length > 1) say(`part ${p + 1}:`);
        const rows = r.trials.map((t, i) => [
          `${i === r.best.trial ? "* " : "  "}${i + 1}`,
          ...keys.map((k) => (typeof t.params[k] === "number" ? fmt(t.params[k] as number, Number.isInteger(t.params[k]) ? 0 : 4) : String(t.params[k]))),
          t.score === undefined ? `failed ${t.error}` : fmt(t.score, 4),
          ...(f.patience !== undefined ? [String(t.bestEpoch ?? "")] : []),
          fmt(t.fitSeconds, 2),
        ]);
        say(formatTable(["trial", ...keys, `validation ${metric}`, ...(f.patience !== undefined ? ["best epoch"] : []), "seconds"], rows));
        say(`best (${up ? "highest" : "lowest"} validation ${metric}): ${JSON.stringify(r.best.config)}`);
        if (tested) say(`test: ${testMetrics.map((m) => `${m} ${fmt(tested[p]!.metrics[m]!, 4)}`).join(", ")} (${fmtInt(tested[p]!.testRatings)} ratings)`);
      });
      if (results.length > 0) note(`validation: ${fmtInt(results[0]!.validation.testRatings)} of ${fmtInt(results[0]!.validation.trainRatings + results[0]!.validation.testRatings)} training ratings held out per part`);
    });
}
