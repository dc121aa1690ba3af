/** Spark MLlib round trip: `export-ratings`, `spark-job`, `import spark`. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { exportRatingsParquet, importSparkModel, readRatingsFile, writeModelFile } from "../../node.js";
import { type CommonFlags, choiceArg, intArg, numberArg } from "../args.js";
import { fmtInt, out, printJson, say } from "../output.js";
import { writeOutputDir, writeOutputFile } from "../output-file.js";
import { sparkJobOptions, sparkJobScript } from "../spark-job.js";
import { addInputOptions, type InputFlags, readOptionsFrom } from "../input.js";

interface ExportFlags extends CommonFlags, Omit<InputFlags, "format"> {
  format: "parquet";
  out: string;
}

interface JobFlags extends CommonFlags {
  algorithm: "als" | "ials";
  factors?: number;
  epochs?: number;
  regularization?: number;
  alpha?: number;
  nonnegative?: boolean;
  seed?: number;
  input?: string;
  model?: string;
  out: string;
}

interface ImportFlags extends CommonFlags {
  ids?: string;
  output: string;
}

/** Register the Spark commands. */
export function registerSparkCommands(program: Command): void {
  const exportCmd = program.command("export-ratings <ratings>");
  addInputOptions(exportCmd, "--input-format")
    .description("write ratings as Parquet with integer ids plus the id maps (users.parquet, items.parquet) for Spark's ALS")
    .option("--format <format>", "output format", choiceArg(["parquet"] as const), "parquet")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: ExportFlags) => {
      // --format names the output here; the input's format is --input-format (auto when absent).
      const ratings = await readRatingsFile(file, readOptionsFrom({ ...f, format: undefined }));
      const res = { ...(await writeOutputDir(f.out, (tmp) => exportRatingsParquet(ratings, tmp))), ratings: join(f.out, "ratings.parquet") };
      const doc = { command: "export-ratings", ...res, users: ratings.userIndex.size, items: ratings.itemIndex.size };
      if (f.json) return printJson(doc);
      say(`${out.green("wrote")} ${fmtInt(res.rows)} ratings to ${res.ratings} (+ users.parquet, items.parquet)`);
    });

  program
    .command("spark-job")
    .description("write a PySpark program that trains pyspark.ml.recommendation.ALS on exported ratings")
    .option("--algorithm <name>", "als (explicit) or ials (implicitPrefs)", choiceArg(["als", "ials"] as const), "als")
    .option("--factors <k>", "rank", intArg(1))
    .option("--epochs <n>", "maxIter", intArg(1))
    .option("--regularization <lambda>", "regParam (Spark scales it by each row's count, like ALS-WR)", numberArg)
    .option("--alpha <a>", "implicit confidence weight", numberArg)
    .option("--nonnegative", "non-negative factors")
    .option("--seed <n>", "seed", intArg(0))
    .option("--input <dir>", "default input directory (export-ratings --out)")
    .option("--model <dir>", "default model output directory")
    .requiredOption("--out <file>", "the .py file to write")
    .option("--json", "print one JSON document")
    .action(async (f: JobFlags) => {
      const o = sparkJobOptions({ algorithm: f.algorithm, factors: f.factors, epochs: f.epochs, regularization: f.regularization, alpha: f.alpha, nonnegative: f.nonnegative, seed: f.seed, input: f.input, output: f.model });
      await writeOutputFile(f.out, (tmp) => writeFileSync(tmp, sparkJobScript(o)));
      if (f.json) return printJson({ command: "spark-job", file: f.out, params: o });
      say(`${out.green("wrote")} ${f.out}: spark-submit ${f.out} ${o.input} ${o.output}`);
    });

  const imp = program.command("import").description("import a model trained elsewhere");
  imp
    .command("spark <model-dir>")
    .description("read a Spark ALSModel directory into an mfrec model file")
    .option("--ids <dir>", "directory with users.parquet / items.parquet from export-ratings (restores raw ids)")
    .requiredOption("-o, --output <file>", "model file to write")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (dir: string, f: ImportFlags) => {
      const model = await importSparkModel(dir, { ids: f.ids });
      await writeModelFile(f.output, model);
      const doc = { command: "import spark", file: f.output, algorithm: model.algorithm, users: model.numUsers, items: model.numItems, factors: model.factors };
      if (f.json) return printJson(doc);
      say(`${out.green("wrote")} ${f.output}: ${fmtInt(doc.users)} users, ${fmtInt(doc.items)} items, k=${doc.factors}`);
    });
}
