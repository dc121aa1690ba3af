/** `mfrec convert`: between CSV/TSV/MovieLens text and the binary ratings file (.mfrb) used for fast reloads. */
import { extname } from "node:path";
import type { Command } from "commander";
import { readRatingsFile, writeRatingsBinaryFile, writeRatingsText } from "../../node.js";
import { type CommonFlags, choiceArg } from "../args.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";
import { writeOutputFile } from "../output-file.js";
import { addInputOptions, type InputFlags, printParseReport, readOptionsFrom } from "../input.js";

type Target = "mfrb" | "csv" | "tsv" | "ml-dat";

interface ConvertFlags extends CommonFlags, InputFlags {
  output: string;
  to?: Target;
}

const BY_EXTENSION: Record<string, Target> = { ".mfrb": "mfrb", ".csv": "csv", ".tsv": "tsv", ".dat": "ml-dat" };

/** Register convert. */
export function registerConvertCommand(program: Command): void {
  const cmd = program.command("convert <input>");
  addInputOptions(cmd)
    .description("convert ratings between CSV, TSV, MovieLens (::) and the binary .mfrb file (docs/ratings-format.md)")
    .requiredOption("-o, --output <file>", "file to write; the format follows its extension (.mfrb .csv .tsv .dat) unless --to is given")
    .option("--to <format>", "mfrb, csv, tsv or ml-dat", choiceArg(["mfrb", "csv", "tsv", "ml-dat"] as const))
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (input: string, f: ConvertFlags) => {
      const to = f.to ?? BY_EXTENSION[extname(f.output).toLowerCase()] ?? "csv";
      const t0 = performance.now();
      const ratings = await readRatingsFile(input, readOptionsFrom(f));
      const readSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      await writeOutputFile(f.output, (tmp) => (to === "mfrb" ? writeRatingsBinaryFile(tmp, ratings) : writeRatingsText(tmp, ratings, to)));
      const writeSeconds = (performance.now() - t1) / 1000;
      if (!f.json) printParseReport(ratings.report);
      const doc = { command: "convert", input, output: f.output, to, ratings: ratings.length, users: ratings.userIndex.size, items: ratings.itemIndex.size, readSeconds, writeSeconds, report: ratings.report };
      if (f.json) return printJson(doc);
      say(`${out.green("wrote")} ${f.output} (${to}): ${fmtInt(doc.ratings)} ratings, ${fmtInt(doc.users)} users, ${fmtInt(doc.items)} items; read ${fmt(readSeconds, 2)} s, write ${fmt(writeSeconds, 2)} s`);
    });
}
