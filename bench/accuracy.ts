/**
 * `npm run bench:accuracy` — rating accuracy of the explicit algorithms, laid out like Surprise's
 * README table: algorithms × datasets with RMSE, MAE and fit seconds.
 *   MovieLens 100k: the predefined folds u1..u5 (mean over folds; each fold's figures in --json);
 *   MovieLens latest-small: the fixed split splits/ml-latest-small-{train,test}.csv.
 * Test pairs with an id unseen in training get the model's documented fallback (μ + the known bias;
 * src/evaluate/rating-metrics.ts) and count in the RMSE. Options: --json, --quick (fewer algorithms),
 * --only a,b (labels), --folds 1,2 (a subset of u1..u5), --data DIR (default $MFREC_DATA_DIR or
 * ../shared/data beside the checkout). Configs come from presets/*.json where one is named.
 *
 * Then a top-N table (NDCG@10 and precision@10 of the lists recommend makes; relevant = test rating >= 4
 * on the explicit sets, every test item on the implicit ones; candidates = every training item the user has
 * not rated), with the reference rows computed by mfrec itself: most popular (training rating counts) and
 * EASE (`ease`, λ = 400). EASE's dense inverse takes ~8 s at ml-100k's 1.7k items but ~25 min at
 * ml-latest-small's 9k, so there it runs only with --ease-large (lastfm's 17.6k items: hours, never).
 * --table rating|topn picks one table (default both).
 */
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readTrainTest } from "../src/evaluate/folds-node.js";
import { evaluateRanking } from "../src/evaluate/evaluate-ranking.js";
import { evaluateRatings } from "../src/evaluate/rating-metrics.js";
import { FactorModel } from "../src/model/factor-model.js";
import type { Split } from "../src/evaluate/subset.js";
import type { ModelConfig } from "../src/model/factor-model.js";
import { fitSync, trainingData } from "../src/train/fit.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function preset(name: string): ModelConfig {
  return JSON.parse(readFileSync(join(root, "presets", `${name}.json`), "utf8")) as ModelConfig;
}

/** The rows of the table: a label, the config and whether --quick keeps it. */
const ALGORITHMS: Array<{ label: string; config: () => ModelConfig; quick: boolean }> = [
  { label: "baseline (Surprise BaselineOnly)", config: () => preset("baseline-surprise"), quick: true },
  { label: "sgd (Surprise SVD preset)", config: () => preset("sgd-surprise"), quick: false },
  { label: "sgd (mfrec defaults)", config: () => ({ algorithm: "sgd" }), quick: true },
  { label: "als (mfrec defaults)", config: () => ({ algorithm: "als" }), quick: false },
  { label: "nmf (Surprise NMF preset)", config: () => preset("nmf-surprise"), quick: false },
  { label: "svdpp (Surprise SVDpp preset)", config: () => preset("svdpp-surprise"), quick: false },
  { label: "svdpp (mfrec defaults)", config: () => ({ algorithm: "svdpp" }), quick: false },
  { label: "bpmf (preset bpmf-ml100k)", config: () => preset("bpmf-ml100k"), quick: true },
  { label: "bayes-fm (preset bayes-fm-ml100k)", config: () => preset("bayes-fm-ml100k"), quick: false },
];

/** Peers' published figures (RMSE) on the same protocol, printed beside ours. */
const PEERS: Record<string, Record<string, number>> = {
  "ml-100k u1..u5": { "LIBMF tuned": 0.913, "Surprise SVD++": 0.922, "Surprise SVD": 0.938, "Surprise NMF": 0.968, "Surprise BaselineOnly": 0.946 },
  "ml-latest-small": { "LIBMF tuned": 0.868, "Surprise SVD++": 0.869, "Surprise BaselineOnly": 0.872, "Surprise SVD": 0.879 },
};

interface Cell {
  rmse: number;
  mae: number;
  fitSeconds: number;
  /** Per split (fold) figures. */
  splits: Array<{ name: string; rmse: number; mae: number; fitSeconds: number; fallbacks: number }>;
}

interface Options {
  table: "both" | "rating" | "topn";
  easeLarge: boolean;
  json: boolean;
  quick: boolean;
  only?: string[];
  folds: number[];
  data?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { table: "both", easeLarge: false, json: false, quick: false, folds: [1, 2, 3, 4, 5] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === "--json") o.json = true;
    else if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = v().split(",");
    else if (a === "--folds") o.folds = v().split(",").map(Number);
    else if (a === "--data") o.data = v();
    else if (a === "--ease-large") o.easeLarge = true;
    else if (a === "--table") {
      const t = v();
      if (t !== "both" && t !== "rating" && t !== "topn") throw new Error("--table takes both, rating or topn");
      o.table = t;
    }
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function dataDir(given?: string): string {
  const dir = given ?? process.env.MFREC_DATA_DIR ?? join(root, "..", "shared", "data");
  if (!existsSync(dir)) throw new Error(`datasets not found at ${dir}: pass --data DIR or set MFREC_DATA_DIR`);
  return dir;
}

const now = (): number => performance.now();

function run(config: ModelConfig, splits: Array<{ name: string; split: Split }>): Cell {
  const cell: Cell = { rmse: 0, mae: 0, fitSeconds: 0, splits: [] };
  for (const { name, split } of splits) {
    const t = now();
    const model = fitSync(split.train, config);
    const fitSeconds = (now() - t) / 1000;
    const e = evaluateRatings(model, split.test);
    cell.splits.push({ name, rmse: e.rmse, mae: e.mae, fitSeconds, fallbacks: split.report.unseenTestRatings });
  }
  const n = cell.splits.length;
  for (const s of cell.splits) {
    cell.rmse += s.rmse / n;
    cell.mae += s.mae / n;
    cell.fitSeconds += s.fitSeconds / n;
  }
  return cell;
}

/** The most-popular baseline as a model mfrec ranks with: score(u, i) = 1 · count_i, the user's rated items excluded. */
function popularityModel(train: Split["train"]): FactorModel {
  const nU = train.userIndex.size;
  const nI = train.itemIndex.size;
  const count = new Float32Array(nI);
  for (let t = 0; t < train.length; t++) count[train.items[t]!]!++;
  return new FactorModel({ config: { algorithm: "popular" }, userFactors: { rows: nU, cols: 1, data: new Float32Array(nU).fill(1) }, itemFactors: { rows: nI, cols: 1, data: count }, userIndex: train.userIndex, itemIndex: train.itemIndex, history: trainingData(train).byUser, implicit: true });
}

interface TopNCell {
  ndcg: number;
  precision: number;
  fitSeconds: number;
  splits: Array<{ name: string; ndcg: number; precision: number; fitSeconds: number }>;
}

function runTopN(make: (train: Split["train"]) => FactorModel, splits: Array<{ name: string; split: Split }>, threshold: number | undefined): TopNCell {
  const cell: TopNCell = { ndcg: 0, precision: 0, fitSeconds: 0, splits: [] };
  for (const { name, split } of splits) {
    const t = now();
    const model = make(split.train);
    const fitSeconds = (now() - t) / 1000;
    const e = evaluateRanking(model, split.test, { metrics: ["ndcg@10", "precision@10"], relevanceThreshold: threshold });
    cell.splits.push({ name, ndcg: e.metrics["ndcg@10"]!, precision: e.metrics["precision@10"]!, fitSeconds });
  }
  const n = cell.splits.length;
  for (const x of cell.splits) {
    cell.ndcg += x.ndcg / n;
    cell.precision += x.precision / n;
    cell.fitSeconds += x.fitSeconds / n;
  }
  return cell;
}

async function topN(opts: Options, dir: string, ml100k: Array<{ name: string; split: Split }>, mls: Array<{ name: string; split: Split }>): Promise<unknown> {
  const implicit = async (name: string) => [{ name: "fixed", split: await readTrainTest(join(dir, "splits", `${name}-train.csv`), join(dir, "splits", `${name}-test.csv`)) }];
  const sets = [
    { name: "ml-100k u1..u5", splits: ml100k, threshold: 4 as number | undefined, explicit: true, easeOk: true },
    { name: "ml-latest-small", splits: mls, threshold: 4, explicit: true, easeOk: opts.easeLarge },
    { name: "implicit-ml100k", splits: await implicit("implicit-ml100k"), threshold: undefined, explicit: false, easeOk: true },
    { name: "lastfm", splits: await implicit("lastfm"), threshold: undefined, explicit: false, easeOk: false },
  ];
  const fit = (config: ModelConfig) => (train: Split["train"]) => fitSync(train, config);
  const rows: Array<{ label: string; make: (t: Split["train"]) => FactorModel; on: (s: (typeof sets)[number]) => boolean }> = [
    { label: "most popular (rating count)", make: popularityModel, on: () => true },
    { label: "ease λ=400 (Steck 2019)", make: fit({ algorithm: "ease" }), on: (s) => s.easeOk },
    { label: "als, ranked by its predictions (ranking none)", make: fit({ algorithm: "als", ranking: "none" }), on: (s) => s.explicit },
    { label: "mfrec default (als + ranking part)", make: fit({ algorithm: "als" }), on: (s) => s.explicit },
    { label: "mfrec default implicit (ials)", make: fit({ algorithm: "ials" }), on: (s) => !s.explicit },
    { label: "ials preset ials-ml100k", make: fit(preset("ials-ml100k")), on: () => true },
    { label: "ials preset ials-lastfm", make: fit(preset("ials-lastfm")), on: (s) => !s.explicit },
  ];
  const results: Array<{ label: string; cells: Record<string, TopNCell | null> }> = [];
  for (const r of rows) {
    const cells: Record<string, TopNCell | null> = {};
    for (const s of sets) {
      cells[s.name] = r.on(s) ? runTopN(r.make, s.splits, s.threshold) : null;
      if (!opts.json && cells[s.name]) process.stderr.write(`${r.label} on ${s.name}: NDCG@10 ${cells[s.name]!.ndcg.toFixed(4)}\n`);
    }
    results.push({ label: r.label, cells });
  }
  if (opts.json) return results;
  const header = ["top-N", ...sets.flatMap((s) => [`${s.name} NDCG@10`, "P@10"])];
  const body = results.map((r) => [r.label, ...sets.flatMap((s) => (r.cells[s.name] ? [r.cells[s.name]!.ndcg.toFixed(4), r.cells[s.name]!.precision.toFixed(4)] : ["–", "–"]))]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const b of body) console.log(line(b));
  console.log("\nrelevant = test rating >= 4 (explicit sets), every test item (implicit sets); candidates = every training item the user has not rated.");
  console.log(`– = not run (EASE on ml-latest-small needs --ease-large, ~25 min; on lastfm's 17.6k items it would take hours).`);
  return results;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dir = dataDir(opts.data);
  const datasets: Array<{ name: string; splits: Array<{ name: string; split: Split }> }> = [
    {
      name: "ml-100k u1..u5",
      splits: await Promise.all(opts.folds.map(async (f) => ({ name: `u${f}`, split: await readTrainTest(join(dir, "ml-100k", `u${f}.base`), join(dir, "ml-100k", `u${f}.test`)) }))),
    },
    {
      name: "ml-latest-small",
      splits: [{ name: "fixed 80/20", split: await readTrainTest(join(dir, "splits", "ml-latest-small-train.csv"), join(dir, "splits", "ml-latest-small-test.csv")) }],
    },
  ];
  if (opts.table === "topn") {
    const t = await topN(opts, dir, datasets[0]!.splits, datasets[1]!.splits);
    if (opts.json) process.stdout.write(`${JSON.stringify({ topN: t }, null, 2)}\n`);
    return;
  }
  const chosen = ALGORITHMS.filter((a) => (opts.only ? opts.only.some((o) => a.label.startsWith(o)) : !opts.quick || a.quick));
  const results: Array<{ algorithm: string; config: ModelConfig; datasets: Record<string, Cell> }> = [];
  for (const a of chosen) {
    const config = a.config();
    const row: Record<string, Cell> = {};
    for (const d of datasets) {
      row[d.name] = run(config, d.splits);
      if (!opts.json) process.stderr.write(`${a.label} on ${d.name}: RMSE ${row[d.name]!.rmse.toFixed(4)}\n`);
    }
    results.push({ algorithm: a.label, config, datasets: row });
  }
  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version };
  if (opts.json) {
    const t = opts.table === "both" ? await topN(opts, dir, datasets[0]!.splits, datasets[1]!.splits) : undefined;
    process.stdout.write(`${JSON.stringify({ machine, folds: opts.folds, results, peers: PEERS, topN: t }, null, 2)}\n`);
    return;
  }
  const names = datasets.map((d) => d.name);
  const header = ["algorithm", ...names.flatMap((n) => [`${n} RMSE`, "MAE", "fit s"])];
  const rows = results.map((r) => [r.algorithm, ...names.flatMap((n) => [r.datasets[n]!.rmse.toFixed(4), r.datasets[n]!.mae.toFixed(4), r.datasets[n]!.fitSeconds.toFixed(1)])]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\nfit s = mean seconds per fit (one thread); ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}. ml-100k: mean over folds ${opts.folds.map((f) => `u${f}`).join(",")}.`);
  console.log("Peers (RMSE, same protocol):");
  for (const [d, peers] of Object.entries(PEERS)) console.log(`  ${d}: ${Object.entries(peers).map(([p, v]) => `${p} ${v}`).join(", ")}`);
  if (opts.table === "both") {
    console.log("");
    await topN(opts, dir, datasets[0]!.splits, datasets[1]!.splits);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
