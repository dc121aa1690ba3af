import type { Command } from "commander";
import { type EpochReport, type FactorModel, fit, getAlgorithm, type ModelConfig, type ParseReport } from "../../index.js";
import { readRatingsFile, writeModelFile } from "../../node.js";
import { type CommonFlags, choiceArg, intArg, listArg, numberArg, scaleArg } from "../args.js";
import { fmt, fmtInt, note, out, printJson, say } from "../output.js";
import { Progress } from "../progress.js";

interface TrainFlags extends CommonFlags {
  output: string;
  algorithm: string;
  factors?: number;
  epochs?: number;
  regularization?: number;
  learningRate?: number;
  alpha?: number;
  seed?: number;
  format?: string;
  delimiter?: string;
  header?: boolean;
  columns?: string[];
  scale?: [number, number];
  onInvalid?: "error" | "skip";
  duplicates?: "last" | "mean" | "error";
  implicit?: boolean;
  quiet?: boolean;
}

/** Delimiter names a shell can pass easily. */
const DELIMITER_NAMES: Record<string, string> = { tab: "\t", "\\t": "\t", comma: ",", space: "whitespace", semicolon: ";", pipe: "|" };

/** The options of `mfrec train` that read the ratings file (shared with eval through the same names). */
export function readOptionsFrom(f: Pick<TrainFlags, "format" | "delimiter" | "header" | "columns" | "scale" | "onInvalid" | "duplicates" | "implicit">) {
  const cols = f.columns;
  // Undefined keys are dropped: a spread of { onInvalid: undefined } would override the reader's defaults.
  return dropUndefined({
    format: f.format as never,
    delimiter: f.delimiter === undefined ? undefined : (DELIMITER_NAMES[f.delimiter] ?? f.delimiter),
    header: f.header,
    columns: cols ? { user: colRef(cols[0]), item: colRef(cols[1]), rating: cols[2] === undefined ? undefined : colRef(cols[2]), timestamp: cols[3] === undefined ? undefined : colRef(cols[3]) } : undefined,
    scale: f.scale,
    onInvalid: f.onInvalid,
    duplicates: f.duplicates,
    implicit: f.implicit,
  });
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A column given on the command line: a 0-based position when numeric, else a header name. */
function colRef(s: string | undefined): string | number | undefined {
  if (s === undefined) return undefined;
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** The parse report on stderr when anything was skipped or merged. */
export function printParseReport(report: ParseReport): void {
  if (report.skipped === 0 && report.duplicates === 0) return;
  if (report.skipped > 0) {
    const reasons = Object.entries(report.skippedByReason)
      .map(([code, n]) => `${code} ${n}`)
      .join(", ");
    note(`skipped ${fmtInt(report.skipped)} of ${fmtInt(report.rows)} rows (${reasons})`);
    for (const ex of report.examples) note(`  ${ex.message}`);
  }
  if (report.duplicates > 0) note(`merged ${fmtInt(report.duplicates)} duplicate (user, item) ratings (policy: ${report.duplicatePolicy})`);
}

/** `mfrec train <ratings> -o model.mfr`: read, fit with progress, save. */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("train a model on a ratings file (CSV, TSV, MovieLens u.data/ratings.dat/ratings.csv)")
    .argument("<ratings>", "ratings file")
    .requiredOption("-o, --output <file>", "where to write the model (.mfr)")
    .option("-a, --algorithm <name>", "als, sgd, or another registered algorithm", "als")
    .option("-k, --factors <k>", "latent factors", intArg())
    .option("--epochs <n>", "passes over the data", intArg())
    .option("--regularization <lambda>", "L2 penalty λ", numberArg)
    .option("--learning-rate <eta>", "SGD step size", numberArg)
    .option("--alpha <alpha>", "implicit confidence weight", numberArg)
    .option("--seed <n>", "random seed", intArg())
    .option("--format <name>", "auto, csv, tsv, ml-100k, ml-dat, ml-csv, hetrec")
    .option("--delimiter <d>", 'field delimiter: ",", tab, ";", "|", "::", space')
    .option("--header", "the first line is a header")
    .option("--no-header", "the first line is data")
    .option("--columns <user,item[,rating[,timestamp]]>", "columns by header name or 0-based position", listArg)
    .option("--scale <lo,hi>", "rating scale (rows outside are invalid; predictions are clipped to it)", scaleArg)
    .option("--on-invalid <policy>", "error or skip invalid rows", choiceArg(["error", "skip"] as const))
    .option("--duplicates <policy>", "last, mean or error for a repeated (user, item)", choiceArg(["last", "mean", "error"] as const))
    .option("--implicit", "treat every (user, item) as a positive interaction")
    .option("-q, --quiet", "no progress on stderr")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: TrainFlags) => {
      const t0 = performance.now();
      const ratings = await readRatingsFile(file, readOptionsFrom(f));
      printParseReport(ratings.report);
      const config: Partial<ModelConfig> & { algorithm: string } = { algorithm: f.algorithm };
      const set = (key: string, v: number | undefined) => {
        if (v !== undefined) config[key] = v;
      };
      set("factors", f.factors);
      set("epochs", f.epochs);
      set("regularization", f.regularization);
      set("learningRate", f.learningRate);
      set("alpha", f.alpha);
      set("seed", f.seed);
      const algo = getAlgorithm(f.algorithm);
      const epochs = algo.epochs(algo.resolveConfig(config));
      const progress = new Progress({ label: `train ${f.algorithm}`, total: epochs, unit: "epochs", quiet: f.quiet });
      let model: FactorModel;
      try {
        model = await fit(ratings, config, {
          onEpoch: (r: EpochReport) => progress.update(r.epoch, r.trainRmse !== undefined ? `train RMSE ${fmt(r.trainRmse, 4)}` : `loss ${fmt(r.loss, 4)}`),
        });
      } catch (e) {
        progress.abandon();
        throw e;
      }
      await writeModelFile(f.output, model);
      const last = model.training[model.training.length - 1];
      const stats = model.stats();
      const rmse = last?.trainRmse !== undefined ? `final train RMSE ${fmt(last.trainRmse, 4)}` : `final loss ${fmt(last?.loss ?? Number.NaN, 4)}`;
      progress.finish(
        `trained ${model.algorithm} k=${model.factors}: ${fmtInt(ratings.length)} ratings, ${fmtInt(stats.users)} users, ${fmtInt(stats.items)} items, ${model.training.length} epochs, ${rmse}, ${fmt(progress.seconds, 2)} s`,
      );
      if (f.json) {
        printJson({ command: "train", model: f.output, algorithm: model.algorithm, config: model.config, stats, training: model.training, report: ratings.report, seconds: (performance.now() - t0) / 1000 });
      } else {
        say(`${out.green("saved")} ${f.output}`);
      }
    });
}
