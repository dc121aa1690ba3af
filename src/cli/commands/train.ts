import type { Command } from "commander";
import { type EpochReport, type FactorModel, fit, getAlgorithm, type Ratings } from "../../index.js";
import { withoutRankingKeys } from "../../internal.js";
import { readRatingsFile, writeModelFile } from "../../node.js";
import type { CommonFlags } from "../args.js";
import { addInputOptions, type InputFlags, printParseReport, readOptionsFrom } from "../input.js";
import { addModelOptions, fitOptionsFrom, keepsImplicitStrength, type ModelFlags, modelConfigFrom } from "../model-options.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";
import { collectGarbage } from "../collect-garbage.js";
import { Progress } from "../progress.js";
import { memTrace } from "../../core/mem-trace.js";
import { noteFitWarnings, readFeatureFlags } from "../features.js";

interface TrainFlags extends CommonFlags, InputFlags, ModelFlags {
  output: string;
  quiet?: boolean;
}

/** `mfrec train <ratings> -o model.mfr`: read, fit with progress, save. */
export function registerTrainCommand(program: Command): void {
  const cmd = program
    .command("train")
    .description("train a model on a ratings file (CSV, TSV, MovieLens u.data/ratings.dat/ratings.csv)")
    .argument("<ratings>", "ratings file")
    .requiredOption("-o, --output <file>", "where to write the model (.mfr)")
  addInputOptions(addModelOptions(cmd))
    .option("-q, --quiet", "no progress on stderr")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: TrainFlags) => {
      const t0 = performance.now();
      // A holder, emptied once training has started: sgd then keeps no reference to the ratings, so their
      // columns (12 bytes a rating) are freed while the epochs run.
      const input: { ratings?: Ratings } = { ratings: await readRatingsFile(file, keepsImplicitStrength(f) ? { ...readOptionsFrom(f), implicit: undefined } : readOptionsFrom(f)) };
      memTrace("read");
      const { length: ratingCount, report } = input.ratings!;
      printParseReport(report);
      const features = readFeatureFlags(f, f.quiet);
      const config = modelConfigFrom(f, f.implicit === true || report.layout?.columns.rating === undefined);
      const algo = getAlgorithm(config.algorithm);
      const epochs = algo.epochs(algo.resolveConfig(withoutRankingKeys(config)));
      const progress = new Progress({ label: `train ${config.algorithm}`, total: epochs, unit: "epochs", quiet: f.quiet });
      let model: FactorModel;
      try {
        // zeroCopy: the model is written and the process ends, so it may keep the fit's memory instead of a copy.
        const training = fit(input.ratings!, config, {
          ...fitOptionsFrom(f),
          zeroCopy: true,
          ...features,
          collect: collectGarbage,
          onEpoch: (r: EpochReport) => progress.update(r.epoch, r.trainRmse !== undefined ? `train RMSE ${fmt(r.trainRmse, 4)}` : `loss ${fmt(r.loss, 4)}`),
        });
        memTrace("fit started");
        input.ratings = undefined;
        // After this frame has suspended at the await below: a collection now would still see the ratings in its registers.
        queueMicrotask(collectGarbage);
        model = await training;
      } catch (e) {
        progress.abandon();
        throw e;
      }
      memTrace("trained");
      // How the feature files met the ratings, as the fit counted it (ids without ratings, rated ids without features).
      noteFitWarnings(model.provenance?.warnings, f.quiet || f.json);
      await writeModelFile(f.output, model);
      memTrace("written");
      const last = model.training[model.training.length - 1];
      const stats = model.stats();
      const rmse = last?.trainRmse !== undefined ? `final train RMSE ${fmt(last.trainRmse, 4)}` : `final loss ${fmt(last?.loss ?? Number.NaN, 4)}`;
      progress.finish(
        `trained ${model.algorithm} k=${model.factors}${model.ranking ? ` + ranking part ${model.ranking.algorithm} k=${model.ranking.factors} (what recommend ranks by)` : ""}: ${fmtInt(ratingCount)} ratings, ${fmtInt(stats.users)} users, ${fmtInt(stats.items)} items, ${model.training.length} epochs, ${rmse}, ${fmt(progress.seconds, 2)} s`,
      );
      if (f.json) {
        printJson({ command: "train", model: f.output, algorithm: model.algorithm, config: model.config, threads: f.threads ?? 0, stats, training: model.training, report, warnings: model.provenance?.warnings ?? [], seconds: (performance.now() - t0) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
      } else {
        say(`${out.green("saved")} ${f.output}`);
      }
    });
}
