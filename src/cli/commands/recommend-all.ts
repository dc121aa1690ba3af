/** `mfrec recommend-all`: every user's top-n, streamed to JSON Lines or CSV in bounded memory. */
import { extname } from "node:path";
import type { Command } from "commander";
import { recommendAllPlan } from "../../internal.js";
import { nodePoolFactory, readModelFile, writeRecommendationsCsv, writeRecommendationsJsonl } from "../../node.js";
import { type CommonFlags, choiceArg, intArg, listArg, threadsArg } from "../args.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";
import { writeOutputFile } from "../output-file.js";
import { loadIndexFor } from "./index-build.js";

interface RecommendAllFlags extends CommonFlags {
  out: string;
  n: number;
  batchSize: number;
  format?: "jsonl" | "csv";
  includeRated?: boolean;
  users?: string[];
  threads: number;
  kernels: "auto" | "wasm" | "ts";
  ann?: boolean;
  index?: string;
  efSearch?: number;
  nprobe?: number;
}

/** Register recommend-all. */
export function registerRecommendAllCommand(program: Command): void {
  program
    .command("recommend-all")
    .description("top-n for every user (or --users), streamed to a JSONL or CSV file; memory bounded by one block of users")
    .argument("<model>", "model file (.mfr)")
    .requiredOption("--out <file>", "output file (.jsonl: one {user, items, scores} per line; .csv: user,rank,item,score)")
    .option("-n <n>", "items per user", intArg(1), 10)
    .option("--batch-size <n>", "users scored per block", intArg(1), 256)
    .option("--format <format>", "jsonl or csv (default: from the file extension)", choiceArg(["jsonl", "csv"] as const))
    .option("--include-rated", "also recommend items the user rated in training")
    .option("--users <a,b,...>", "only these users, in this order", listArg)
    .option("--threads <n>", "scoring threads (0 = all cores; 1 for small work; at most the core count); never changes the output", threadsArg(0), 0)
    .option("--kernels <kernels>", "auto (WebAssembly SIMD for catalogues of 2048+ items), wasm or ts (the exact reference)", choiceArg(["auto", "wasm", "ts"] as const), "auto")
    .option("--ann", "approximate top-N through the index saved beside the model (<model>.ann; one thread)")
    .option("--index <file>", "ANN index file (implies --ann)")
    .option("--ef-search <n>", "ANN candidate list size (default: the index's)", intArg(1))
    .option("--nprobe <n>", "IVF index: lists scanned (default: the index's)", intArg(1))
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (modelPath: string, f: RecommendAllFlags) => {
      const model = await readModelFile(modelPath);
      const format = f.format ?? (extname(f.out).toLowerCase() === ".csv" ? "csv" : "jsonl");
      const ann = f.ann || f.index ? loadIndexFor(modelPath, model, f.index) : undefined;
      const opts = { n: f.n, batchSize: f.batchSize, excludeRated: !f.includeRated, users: f.users, threads: f.threads, kernels: f.kernels, pool: nodePoolFactory, ann, efSearch: f.efSearch, nprobe: f.nprobe };
      const plan = ann ? { kernels: `ann-${ann.kernels}`, threads: 1 } : recommendAllPlan(model, opts);
      const t0 = performance.now();
      const users = await writeOutputFile(f.out, (tmp) => (format === "csv" ? writeRecommendationsCsv(model, tmp, opts) : writeRecommendationsJsonl(model, tmp, opts)));
      const seconds = (performance.now() - t0) / 1000;
      const doc = { command: "recommend-all", model: modelPath, out: f.out, format, users, n: f.n, kernels: plan.kernels, threads: plan.threads, seconds, usersPerSecond: seconds > 0 ? users / seconds : null };
      if (f.json) return printJson(doc);
      say(`${out.green("wrote")} ${f.out}: top ${f.n} for ${fmtInt(users)} users in ${fmt(seconds, 2)} s (${fmtInt(Math.round(doc.usersPerSecond ?? 0))} users/s, ${plan.kernels}, ${plan.threads} thread${plan.threads === 1 ? "" : "s"})`);
    });
}
