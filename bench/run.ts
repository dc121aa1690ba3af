/**
 * `npm run bench` — speed and memory report. Each heavy case runs in a child process (peak RSS is
 * per case). Options: --json, --size 100k|1m|10m, --input FILE, --factors K[,K...], --threads N,
 * --iterations N, --ann-items N (items of the ANN catalogue, default 1000000), --cases a,b (default: ingest, the sgd, als and ials trainers through fitSync, whole `mfrec train` processes with their peak RSS (train-sgd and train-als with ranking=none, train-ials, train-sgd-default with the ranking part; train-als-default on request), scoring, recommend-all and fold-in), --trainers (add the TS-kernel trainers), --algorithms (add every other registered algorithm through fitSync: wals, bpr, baseline, svdpp, nmf, bpmf, bayes-fm, hybrid (WARP, no features; WASM kernel) and ts-hybrid (its TS kernel); any registered name also works in --cases). The 10m input is /tmp/synth10m.csv (or MFREC_BENCH_10M); when absent it is generated once by `mfrec generate --users 200000 --items 20000 --ratings 10000000 --rank 16 --seed 42`.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { generateRatingChunks } from "../src/data/synthetic.js";
import { type CaseArgs, runCase } from "./cases.js";

interface Options {
  json: boolean;
  size: string;
  input?: string;
  factors: number[];
  threads: number;
  iterations: number;
  cases?: string[];
  trainers: boolean;
  algorithms: boolean;
  grid: number;
  annItems: number;
  annMethod?: string;
}

function parseArgs(argv: string[]): Options & { child?: string } {
  const o: Options & { child?: string } = { json: false, size: "10m", factors: [64], threads: availableParallelism(), iterations: 2, trainers: false, algorithms: false, grid: 16, annItems: 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === "--json") o.json = true;
    else if (a === "--size") o.size = v();
    else if (a === "--input") o.input = v();
    else if (a === "--factors") o.factors = v().split(",").map(Number);
    else if (a === "--threads") o.threads = Number(v());
    else if (a === "--iterations") o.iterations = Number(v());
    else if (a === "--cases") o.cases = v().split(",");
    else if (a === "--trainers") o.trainers = true;
    else if (a === "--algorithms") o.algorithms = true;
    else if (a === "--grid") o.grid = Number(v());
    else if (a === "--ann-items") o.annItems = Number(v());
    else if (a === "--ann-method") o.annMethod = v();
    else if (a === "--case") o.child = v();
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const SIZES: Record<string, { users: number; items: number; ratings: number }> = {
  "100k": { users: 2000, items: 1500, ratings: 100_000 },
  "1m": { users: 20_000, items: 4000, ratings: 1_000_000 },
};

/** The benchmark CSV: --input, /tmp/synth10m.csv for 10m, or a generated file in tmpdir for smaller sizes. */
function inputFile(o: Options): string {
  if (o.input) return o.input;
  if (o.size === "10m") {
    const p = process.env.MFREC_BENCH_10M ?? "/tmp/synth10m.csv";
    if (!existsSync(p)) {
      // our own seeded generator (the peers' figures used ../shared/bench/gen_synth.py's file of the same shape)
      process.stderr.write(`bench: ${p} not found; generating it (200,000 users x 20,000 items, 10M ratings, seed 42; set MFREC_BENCH_10M or --input to use another file)\n`);
      const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
      execFileSync(process.execPath, [cli, "generate", "--users", "200000", "--items", "20000", "--ratings", "10000000", "--rank", "16", "--seed", "42", "-o", p], { stdio: ["ignore", "inherit", "inherit"] });
    }
    return p;
  }
  const spec = SIZES[o.size];
  if (!spec) throw new Error(`--size must be 100k, 1m or 10m (got ${o.size})`);
  const p = join(tmpdir(), `mfrec-bench-${o.size}.csv`);
  if (!existsSync(p)) {
    const lines = ["user,item,rating"];
    for (const c of generateRatingChunks({ ...spec, seed: 42 })) for (let t = 0; t < c.length; t++) lines.push(`${c.users[t]},${c.items[t]},${c.values[t]}`);
    writeFileSync(p, lines.join("\n") + "\n");
  }
  return p;
}

async function gzipOf(path: string): Promise<string> {
  const gz = path.endsWith(".gz") ? path : join(tmpdir(), `mfrec-bench-${basename(path)}.gz`);
  if (!existsSync(gz)) await pipeline(createReadStream(path), createGzip({ level: 1 }), createWriteStream(gz));
  return gz;
}

interface Row {
  case: string;
  factors: number;
  threads: number;
  result: Record<string, unknown>;
}

function runChild(name: string, a: CaseArgs): Record<string, unknown> {
  const self = fileURLToPath(import.meta.url);
  const args = [self, "--case", name, "--input", a.input, "--factors", String(a.factors), "--threads", String(a.threads), "--iterations", String(a.iterations), "--grid", String(a.grid)];
  if (a.gzip) args.push("--gzip-file", a.gzip);
  const out = execFileSync(process.execPath, ["--max-old-space-size=8192", "--expose-gc", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  const last = out.trim().split("\n").pop()!;
  return JSON.parse(last) as Record<string, unknown>;
}

const fmt = (x: unknown, d = 3) => (typeof x === "number" ? (Math.abs(x) >= 1e5 ? x.toExponential(2) : x.toFixed(d)) : "-");

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const gzArg = argv.indexOf("--gzip-file");
  const gzipFile = gzArg >= 0 ? argv.splice(gzArg, 2)[1] : undefined;
  const o = parseArgs(argv);
  if (o.child) {
    const r = await runCase(o.child, { input: o.input!, gzip: gzipFile, factors: o.factors[0]!, threads: o.threads, iterations: o.iterations, grid: o.grid });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const cases = o.cases ?? ["ingest", "sgd", "als", "ials", "train-sgd", "train-als", "train-ials", "train-sgd-default", "wasm-score", "wasm-topk", "serve", "ann", ...(o.trainers ? ["ts-sgd", "ts-als"] : []), ...(o.algorithms ? ["wals", "bpr", "baseline", "svdpp", "nmf", "bpmf", "bayes-fm", "hybrid", "ts-hybrid"] : [])];
  // the ANN case generates its own catalogue: no ratings input needed when it runs alone
  const input = cases.every((c) => c === "ann") ? "(generated ANN catalogue)" : inputFile(o);
  const threadsList = o.threads > 1 ? [1, o.threads] : [1];
  const rows: Row[] = [];
  for (const c of cases) {
    if (c === "ann") {
      // its own generated catalogue (bench/ann.ts), not the ratings input
      if (!o.json) process.stderr.write(`bench: ann ${o.annItems} items k=${o.factors[0]} threads=${o.threads}\n`);
      const self = fileURLToPath(new URL("./ann.js", import.meta.url));
      const out = execFileSync(process.execPath, ["--max-old-space-size=8192", self, "--json", "--items", String(o.annItems), "--factors", String(o.factors[0]), "--threads", String(o.threads), "--method", o.annMethod ?? "ivf"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
      rows.push({ case: c, factors: o.factors[0]!, threads: o.threads, result: JSON.parse(out) as Record<string, unknown> });
      continue;
    }
    if (c === "ingest") {
      const gzip = await gzipOf(input);
      rows.push({ case: c, factors: 0, threads: 1, result: runChild(c, { input, gzip, factors: 0, threads: 1, iterations: 1, grid: o.grid }) });
      continue;
    }
    for (const k of o.factors) {
      for (const t of c.startsWith("ts-") ? [1] : c === "serve" || c.startsWith("train-") ? [o.threads] : threadsList) {
        if (!o.json) process.stderr.write(`bench: ${c} k=${k} threads=${t}\n`);
        rows.push({ case: c, factors: k, threads: t, result: runChild(c, { input, factors: k, threads: t, iterations: o.iterations, grid: o.grid }) });
      }
    }
  }
  const cpu = cpus()[0]?.model ?? "unknown";
  const machine = { cpu, cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
  const pick = (name: string, threads?: number) => {
    const k = o.factors.includes(64) ? 64 : o.factors[0]!;
    const r = rows.filter((x) => x.case === name && x.factors === k && (threads === undefined || x.threads === threads)).sort((a, b) => b.threads - a.threads)[0];
    return r?.result;
  };
  const perIteration = (name: string) => {
    const all = pick(name);
    if (!all) return undefined;
    return { secondsPerIteration: all.secondsPerIteration, cpuSecondsPerIteration: all.cpuSecondsPerIteration, oneThreadSecondsPerIteration: pick(name, 1)?.secondsPerIteration, peakRssBytes: all.peakRssBytes, case: name };
  };
  const served = rows.find((r) => r.case === "serve")?.result;
  const annRow = rows.find((r) => r.case === "ann")?.result;
  const ingest = rows.find((r) => r.case === "ingest")?.result;
  const report = {
    machine,
    input,
    ingest: ingest ? { seconds: ingest.seconds, csrSeconds: ingest.csrSeconds, linesPerSecond: ingest.linesPerSecond, mbPerSecond: ingest.mbPerSecond, gzip: ingest.gzip } : undefined,
    sgd: perIteration("sgd") ?? perIteration("wasm-sgd"),
    als: perIteration("als") ?? perIteration("wasm-cg-als"),
    // the ials trainer (defaults: linear confidence α = 2, 3 CG steps) through fitSync; the kernel-level pair when not run
    ials: perIteration("ials") ?? perIteration("wasm-cg-ials"),
    recommendAll: served || pick("wasm-topk") ? { usersPerSecond: served?.recommendAllUsersPerSecond, tsUsersPerSecond: served?.recommendAllTsUsersPerSecond, wasmFusedUsersPerSecond: pick("wasm-topk")?.usersPerSecond } : undefined,
    foldIn: served ? { medianMs: served.foldInMedianMs, p95Ms: served.foldInP95Ms } : undefined,
    // the peak of training sgd (the memory bar): the whole `mfrec train` process when that case ran,
    // else the library fit's; every case's own peak is in `cases`
    peakRssBytes: Number(pick("train-sgd")?.peakRssBytes ?? pick("sgd")?.peakRssBytes ?? Math.max(0, ...rows.map((r) => Number(r.result.peakRssBytes ?? 0)))),
    // whole `mfrec train` processes (issue 19's bars): peak RSS and bytes per rating by job
    trainJobs: Object.fromEntries(rows.filter((r) => r.case.startsWith("train-")).map((r) => [r.case, { peakRssBytes: r.result.peakRssBytes, bytesPerRating: r.result.bytesPerRating, secondsPerIteration: r.result.secondsPerIteration, seconds: r.result.seconds }])),
    ann: annRow,
    loadavg: loadavg(),
    cases: rows,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  console.log(`machine: ${cpu}, ${machine.cores} cores, Node ${machine.node}; input ${input}`);
  if (ingest) {
    const g = ingest.gzip as Record<string, number> | undefined;
    console.log(`ingest: ${fmt(ingest.seconds)} s (${fmt(ingest.linesPerSecond, 0)} lines/s, ${fmt(ingest.mbPerSecond, 1)} MB/s), CSR + transpose ${fmt(ingest.csrSeconds)} s, gzip ${fmt(g?.seconds)} s (${fmt(g?.linesPerSecond, 0)} lines/s), peak RSS ${fmt(Number(ingest.peakRssBytes) / 2 ** 20, 0)} MiB (${fmt(ingest.bytesPerRating, 1)} B/rating)`);
  }
  console.log("case            k  threads  s/iter  cpu s/iter  throughput                  peak RSS MiB  B/rating  load");
  for (const r of rows) {
    if (r.case === "ingest" || r.case === "serve" || r.case === "ann") continue;
    if (r.case.startsWith("train-")) {
      console.log(`${r.case.padEnd(14)} ${String(r.factors).padStart(3)}  ${String(r.threads).padStart(7)}  ${fmt(r.result.secondsPerIteration).padStart(6)}  whole \`mfrec train\` process ${fmt(Number(r.result.seconds), 1)} s  peak RSS ${fmt(Number(r.result.peakRssBytes) / 2 ** 20, 0)} MiB (${fmt(r.result.bytesPerRating, 1)} B/rating)`);
      continue;
    }
    const x = r.result;
    const thr = x.updatesPerSecond ? `${fmt(x.updatesPerSecond)} updates/s` : x.rowsPerSecond ? `${fmt(x.rowsPerSecond)} rows/s` : x.usersPerSecond ? `${fmt(x.usersPerSecond, 0)} users/s (${fmt(x.gflops, 1)} GFLOP/s)` : "";
    const load = Array.isArray(x.loadavg) ? fmt(x.loadavg[0], 1) : "-";
    console.log(`${r.case.padEnd(14)} ${String(r.factors).padStart(3)}  ${String(r.threads).padStart(7)}  ${fmt(x.secondsPerIteration).padStart(6)}  ${fmt(x.cpuSecondsPerIteration).padStart(10)}  ${thr.padEnd(27)} ${fmt(Number(x.peakRssBytes) / 2 ** 20, 0).padStart(12)}  ${fmt(x.bytesPerRating, 1).padStart(8)}  ${load}`);
  }
  for (const r of rows.filter((x) => x.result.rssBeforeFitBytes !== undefined && x.threads === Math.max(...threadsList))) {
    const x = r.result;
    const mib = (v: unknown) => fmt(Number(v) / 2 ** 20, 0);
    console.log(`${r.case} k=${r.factors}: RSS ${mib(x.rssBeforeFitBytes)} MiB after loading, peak ${mib(x.peakRssEpochsBytes)} MiB through the epochs, ${mib(x.peakRssBytes)} MiB with the model build`);
  }
  if (served) {
    const plan = served.recommendAll as { kernels?: string; threads?: number } | undefined;
    console.log(`recommend-all (top 10, exclusions): ${fmt(served.recommendAllUsersPerSecond, 0)} users/s (${plan?.kernels ?? "?"} kernels, ${plan?.threads ?? "?"} threads), TS reference ${fmt(served.recommendAllTsUsersPerSecond, 0)} users/s, at k=${rows.find((r) => r.case === "serve")!.factors}; fold-in latency median ${fmt(served.foldInMedianMs)} ms, p95 ${fmt(served.foldInP95Ms)} ms (${fmt(served.foldInMeanRatings, 0)} ratings/user on average)`);
  }
  if (annRow) {
    const x = annRow as { catalogue: { items: number; factors: number }; params: { method?: string; nlist?: number; buildThreads?: number; M: number; efConstruction: number; kernels: string }; exact: { oneQueryMs: number; batchQpsThreads: number; threads: number }; build: { seconds: number; cpuSeconds: number; indexBytes: number; peakRssBytes: number }; ann: Array<{ efSearch?: number; nprobe?: number; recallAt10: number; qpsOneThread: number; qpsThreads: number; speedupVsExactThreads: number; cpuMsPerQuery: number; cpuSpeedupVsExact: number }>; filterViolations: number };
    const ivf = x.params.method === "ivf";
    const what = ivf ? `IVF nlist=${x.params.nlist}, build on ${x.params.buildThreads} threads` : `HNSW M=${x.params.M} efConstruction=${x.params.efConstruction}`;
    console.log(`ann (${x.catalogue.items} items, k=${x.catalogue.factors}, ${what}, ${x.params.kernels}): build ${fmt(x.build.seconds, 1)} s (${fmt(x.build.cpuSeconds, 1)} CPU s), index ${fmt(x.build.indexBytes / 2 ** 20, 0)} MiB, peak RSS ${fmt(x.build.peakRssBytes / 2 ** 20, 0)} MiB; exact: recommend() ${fmt(x.exact.oneQueryMs, 1)} ms/query, recommendAll WASM ${fmt(x.exact.batchQpsThreads, 0)} users/s on ${x.exact.threads} threads; filter violations ${x.filterViolations}`);
    for (const a of x.ann) console.log(`  ${ivf ? "nprobe" : "efSearch"} ${String(ivf ? a.nprobe : a.efSearch).padStart(4)}: recall@10 ${fmt(a.recallAt10)}, ${fmt(a.qpsOneThread, 0)} q/s on 1 thread, ${fmt(a.qpsThreads, 0)} q/s on ${x.exact.threads} threads = ${fmt(a.speedupVsExactThreads, 1)}× exact; ${fmt(a.cpuMsPerQuery)} CPU ms/query = ${fmt(a.cpuSpeedupVsExact, 0)}× less CPU than exact`);
  }
  console.log(`load average now: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.MFREC_DEBUG) console.error(e);
  process.exit(1);
});
