/** The query commands: `predict`, `recommend`, `similar` — read a model file, ask, print. */
import type { Command } from "commander";
import { predict, recommend, similarItems } from "../../index.js";
import { readModelFile } from "../../node.js";
import { type CommonFlags, choiceArg, intArg, listArg, numberArg } from "../args.js";
import { fmt, formatTable, note, out, printJson, say } from "../output.js";
import { loadIndexFor } from "./index-build.js";

interface RecommendFlags extends CommonFlags {
  n: number;
  includeRated?: boolean;
  items?: string[];
  exclude?: string[];
  unknownUser: "popular" | "empty" | "error";
  ann?: boolean;
  index?: string;
  efSearch?: number;
  nprobe?: number;
}

interface SimilarFlags extends CommonFlags {
  n: number;
  metric: "cosine" | "dot" | "balanced";
  ann?: boolean;
  index?: string;
  efSearch?: number;
  nprobe?: number;
}

/** Register predict, recommend and similar. */
export function registerQueryCommands(program: Command): void {
  program
    .command("predict")
    .description("predict one user's rating of one item")
    .argument("<model>", "model file (.mfr)")
    .argument("<user>", "user id")
    .argument("<item>", "item id")
    .option("--timestamp <seconds>", "the rating's time (Unix seconds): a bayes-fm model with time groups adds that day's effect", numberArg)
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, user: string, item: string, f: CommonFlags & { timestamp?: number }) => {
      const model = await readModelFile(file);
      const p = predict(model, user, item, { timestamp: f.timestamp });
      if (f.json) {
        printJson({ command: "predict", ...p });
        return;
      }
      const why = p.reason ? out.dim(`  (${p.reason})`) : "";
      say(`${user} × ${item}: ${out.bold(fmt(p.score, 2))}${why}`);
    });

  program
    .command("recommend")
    .description("top-N items for a user (items the user rated are left out unless --include-rated)")
    .argument("<model>", "model file (.mfr)")
    .argument("<user>", "user id")
    .option("-n, --n <n>", "how many", intArg(1), 10)
    .option("--include-rated", "also recommend items the user already rated")
    .option("--items <ids>", "only consider these items (comma-separated)", listArg)
    .option("--exclude <ids>", "never recommend these items (comma-separated)", listArg)
    .option("--unknown-user <policy>", "for a user not in the model: popular, empty or error", choiceArg(["popular", "empty", "error"] as const), "popular")
    .option("--ann", "approximate top-N through the index saved beside the model (<model>.ann; mfrec index build)")
    .option("--index <file>", "ANN index file (implies --ann)")
    .option("--ef-search <n>", "ANN candidate list size (default: the index's)", intArg(1))
    .option("--nprobe <n>", "IVF index: lists scanned (default: the index's)", intArg(1))
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, user: string, f: RecommendFlags) => {
      const model = await readModelFile(file);
      const ann = f.ann || f.index ? loadIndexFor(file, model, f.index) : undefined;
      const recs = recommend(model, user, { n: f.n, excludeRated: !f.includeRated, items: f.items, exclude: f.exclude, unknownUser: f.unknownUser, ann, efSearch: f.efSearch, nprobe: f.nprobe });
      const known = model.userIndex.has(user);
      // A model with a ranking part ranks by that part's score, which is not a rating: show the predicted rating beside it.
      const rated = known && model.ranking !== undefined && !model.implicit;
      const items: Array<{ item: string; score: number; rating?: number }> = rated ? recs.map((r) => ({ ...r, rating: predict(model, user, r.item).score })) : recs;
      if (f.json) {
        printJson({ command: "recommend", user, known, n: f.n, items });
        return;
      }
      if (recs.length === 0) {
        say(`no items to recommend for ${user}`);
        return;
      }
      say(known ? `top ${recs.length} for user ${out.bold(user)}:` : `user ${out.bold(user)} is not in the model; the ${recs.length} most popular items:`);
      if (rated) {
        say(formatTable(["#", "item", "score", "predicted rating"], items.map((r, i) => [String(i + 1), r.item, fmt(r.score, 3), fmt(r.rating!, 2)]), { align: ["r", "l", "r", "r"] }));
        note("score: the ranking part's preference (what the list is ordered by, not a rating); predicted rating: mfrec predict");
      } else say(formatTable(["#", "item", "score"], recs.map((r, i) => [String(i + 1), r.item, fmt(r.score, 3)]), { align: ["r", "l", "r"] }));
    });

  program
    .command("similar")
    .description("items most similar to an item (by their factor vectors)")
    .argument("<model>", "model file (.mfr)")
    .argument("<item>", "item id")
    .option("-n, --n <n>", "how many", intArg(1), 10)
    .option("--metric <m>", "cosine, dot or balanced", choiceArg(["cosine", "dot", "balanced"] as const), "cosine")
    .option("--ann", "approximate top-N through the index saved beside the model (<model>.ann; mfrec index build)")
    .option("--index <file>", "ANN index file (implies --ann)")
    .option("--ef-search <n>", "ANN candidate list size (default: the index's)", intArg(1))
    .option("--nprobe <n>", "IVF index: lists scanned (default: the index's)", intArg(1))
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, item: string, f: SimilarFlags) => {
      const model = await readModelFile(file);
      const ann = f.ann || f.index ? loadIndexFor(file, model, f.index) : undefined;
      const sims = similarItems(model, item, { n: f.n, metric: f.metric, ann, efSearch: f.efSearch, nprobe: f.nprobe });
      if (f.json) {
        printJson({ command: "similar", item, metric: f.metric, n: f.n, items: sims });
        return;
      }
      say(`items most like ${out.bold(item)} (${f.metric}):`);
      say(formatTable(["#", "item", f.metric], sims.map((r, i) => [String(i + 1), r.item, fmt(r.score, 3)]), { align: ["r", "l", "r"] }));
    });
}
