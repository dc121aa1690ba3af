/** `mfrec info <model>` and `mfrec export <model> --out dir/`. */
import type { Command } from "commander";
import { join } from "node:path";
import { exportModelCsv, readModelFile } from "../../node.js";
import type { CommonFlags } from "../args.js";
import { fmt, fmtInt, formatTable, out, printJson, say } from "../output.js";
import { writeOutputDir } from "../output-file.js";

/** Register info and export. */
export function registerInfoCommands(program: Command): void {
  program
    .command("info")
    .description("what a model file holds: sizes, compactness, algorithm, config, training report")
    .argument("<model>", "model file (.mfr)")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: CommonFlags) => {
      const model = await readModelFile(file);
      const stats = model.stats();
      if (f.json) {
        printJson({
          command: "info",
          file,
          stats,
          config: model.config,
          ratingScale: model.ratingScale ?? null,
          implicit: model.implicit,
          biases: model.userBias !== undefined || model.itemBias !== undefined,
          provenance: model.provenance ?? null,
          training: model.training,
          ranking: model.ranking ? { algorithm: model.ranking.algorithm, factors: model.ranking.factors, parameters: model.ranking.stats().parameters, config: model.ranking.config, epochs: model.ranking.training.length } : null,
        });
        return;
      }
      say(`${out.bold(file)}: ${model.algorithm} model`);
      const rows: [string, string][] = [
        ["users", fmtInt(stats.users)],
        ["items", fmtInt(stats.items)],
        ["factors k", String(stats.factors)],
        ["parameters", `${fmtInt(stats.parameters)}  (${fmt(stats.compression * 100, 2)}% of the ${fmtInt(stats.matrixCells)} matrix cells)`],
      ];
      if (stats.ratings !== undefined) rows.push(["trained on", `${fmtInt(stats.ratings)} ratings (density ${fmt((stats.density ?? 0) * 100, 2)}%)`]);
      rows.push(["kind", model.implicit ? "implicit feedback (scores rank items)" : `explicit ratings${model.ratingScale ? `, clipped to ${model.ratingScale[0]}..${model.ratingScale[1]}` : ""}`]);
      if (model.provenance) rows.push(["created", `${model.provenance.createdAt} by mfrec ${model.provenance.mfrecVersion}${model.provenance.source ? ` from ${model.provenance.source}` : ""}`]);
      say(formatTable(["", ""], rows, { align: ["l", "l"] }).split("\n").slice(2).join("\n"));
      const cfg = Object.entries(model.config)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(" ");
      say(`  config: ${cfg}`);
      const r = model.ranking;
      if (r) {
        const rcfg = Object.entries(r.config)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(" ");
        say(`  ranking part: ${r.algorithm}, k ${r.factors}, ${fmtInt(r.stats().parameters)} parameters, ${r.training.length} epochs — ranks recommend, similar and explain; predict uses the rating part`);
        say(`    config: ${rcfg}`);
      }
      const t = model.training;
      if (t.length > 0) {
        const shown = t.length <= 10 ? t : [...t.slice(0, 3), ...t.slice(-3)];
        say(`  training (${t.length} epochs, ${fmt(t.reduce((s, r) => s + r.seconds, 0), 2)} s):`);
        say(
          formatTable(
            ["epoch", "loss", "train RMSE", "seconds"],
            shown.map((r) => [String(r.epoch), fmt(r.loss, 4), r.trainRmse === undefined ? "" : fmt(r.trainRmse, 4), fmt(r.seconds, 3)]),
            { indent: 4, align: ["r", "r", "r", "r"] },
          ),
        );
      }
    });

  program
    .command("export")
    .description("write the factors, biases and ids as CSV files into a folder")
    .argument("<model>", "model file (.mfr)")
    .requiredOption("--out <dir>", "output folder (created if missing)")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: CommonFlags & { out: string }) => {
      const model = await readModelFile(file);
      await writeOutputDir(f.out, (tmp) => exportModelCsv(model, tmp));
      const files = { users: join(f.out, "users.csv"), items: join(f.out, "items.csv") };
      if (f.json) {
        printJson({ command: "export", model: file, dir: f.out, files });
        return;
      }
      say(`${out.green("wrote")} ${files.users} and ${files.items}`);
    });
}
