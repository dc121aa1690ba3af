/** `mfrec generate`: a seeded synthetic ratings CSV, streamed chunk by chunk to the file. */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Command } from "commander";
import { MfrecError } from "../../index.js";
import { generateRatingChunks } from "../../internal.js";
import { type CommonFlags, intArg, numberArg } from "../args.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";
import { writeOutputFile } from "../output-file.js";
import { Progress } from "../progress.js";

interface GenerateFlags extends CommonFlags {
  users: number;
  items: number;
  ratings: number;
  rank: number;
  seed: number;
  clusters: number;
  noise: number;
  implicit?: boolean;
  output: string;
  quiet?: boolean;
}

/** Register generate. */
export function registerGenerateCommand(program: Command): void {
  program
    .command("generate")
    .description("write a seeded synthetic ratings CSV (user,item,rating; 0-based ids; rows sorted by user, item)")
    .requiredOption("-o, --output <file>", "CSV file to write")
    .option("--users <n>", "users", intArg(1), 10000)
    .option("--items <n>", "items", intArg(1), 2000)
    .option("--ratings <n>", "ratings (unique (user, item) pairs)", intArg(1), 500000)
    .option("--rank <k>", "rank of the hidden factor model", intArg(1), 16)
    .option("--clusters <n>", "taste clusters (genres)", intArg(1), 8)
    .option("--noise <sd>", "rating noise standard deviation", numberArg, 0.5)
    .option("--seed <n>", "random seed", intArg(0), 42)
    .option("--implicit", "counts (>= 1) instead of 1..5 ratings, in the rating column")
    .option("-q, --quiet", "no progress on stderr")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (f: GenerateFlags) => {
      const opts = { users: f.users, items: f.items, ratings: f.ratings, rank: f.rank, seed: f.seed, clusters: f.clusters, noise: f.noise, implicit: f.implicit === true };
      const chunks = generateRatingChunks(opts);
      const first = chunks.next(); // validates the options before the file is created
      const progress = new Progress({ label: "generate", total: f.ratings, unit: "ratings", quiet: f.quiet });
      const histogram: Record<string, number> = {};
      let written = 0;
      await writeOutputFile(f.output, async (tmp) => {
        const stream = createWriteStream(tmp);
        const failed = new Promise<never>((_, reject) =>
          stream.on("error", (e) => reject(new MfrecError("E_IO", `cannot write ${f.output}: ${e.message}`, { file: f.output, cause: e }))),
        );
        const write = async (s: string) => {
          if (!stream.write(s)) await Promise.race([once(stream, "drain"), failed]);
        };
        await write("user,item,rating\n");
        for (let r = first; !r.done; r = chunks.next()) {
          const c = r.value;
          const lines: string[] = new Array(c.length);
          for (let k = 0; k < c.length; k++) {
            const v = c.values[k]!;
            lines[k] = `${c.users[k]},${c.items[k]},${v}`;
            histogram[v] = (histogram[v] ?? 0) + 1;
          }
          await write(`${lines.join("\n")}\n`);
          written += c.length;
          progress.update(written);
        }
        stream.end();
        await Promise.race([once(stream, "finish"), failed]);
      });
      progress.finish(`generated ${fmtInt(written)} ratings (${fmtInt(f.users)} users, ${fmtInt(f.items)} items, rank ${f.rank}, seed ${f.seed}) in ${fmt(progress.seconds, 2)} s`);
      if (f.json) printJson({ command: "generate", file: f.output, ...opts, written, histogram, seconds: progress.seconds });
      else say(`${out.green("wrote")} ${f.output}`);
    });
}
