import type { Command } from "commander";
import { type EpochReport, type FactorModel, fit, getAlgorithm, type ModelConfig } from "../../index.js";
import { readRatingsFile, writeModelFile } from "../../node.js";
import { type CommonFlags, intArg, numberArg } from "../args.js";
import { addInputOptions, printParseReport, readOptionsFrom } from "../input.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";
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

/** `mfrec train <ratings> -o model.mfr`: read, fit with progress, save. */
export function registerTrainCommand(program: Command): void {
  const cmd = program
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
    .option("--seed <n>", "random seed", intArg());
  addInputOptions(cmd)
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
