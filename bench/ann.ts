/**
 * ANN benchmark (part of `npm run bench`, or alone: node dist/bench/ann.js [--items 1000000] [--factors 64]
 * [--users 2000] [--threads 2] [--method ivf|hnsw] [--nprobe 4,8,16,32] [--nlist N] [--ef 128,256,512]
 * [--M 16] [--ef-construction 128] [--queries 10000] [--kernels auto|wasm|ts] [--iid] [--json]). QPS runs answer --queries queries (cycling
 * over the users) after a warm-up, on one thread and on each of `threads` worker threads. --method ivf (default) sweeps nprobe, hnsw sweeps efSearch.
 *
 * On the generated catalogue of bench/ann-catalogue.ts (never written to the repository): the exact
 * baselines (recommend() one query at a time on one thread, and recommendAll's WASM SIMD kernel on
 * `threads` workers — the fastest exact path), the index build (wall and CPU seconds, bytes, peak RSS),
 * recall@10 of recommend(…, { ann }) against exact recommend() per efSearch, and ANN queries per second on
 * one thread and on `threads` worker threads (each loads the saved model and index file, as a service
 * process would). Filters: history excluded throughout; the count of lists that broke a filter is printed (must be 0).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { buildAnnIndex, recommend, recommendAll } from "../src/index.js";
import { writeAnnIndexFileSync, writeModelFileSync } from "../src/node.js";
import { annCatalogue } from "./ann-catalogue.js";

interface Opts {
  items: number;
  factors: number;
  users: number;
  threads: number;
  ef: number[];
  iid: boolean;
  json: boolean;
  M: number;
  efConstruction: number;
  method: "ivf" | "hnsw";
  nprobe: number[];
  nlist?: number;
  queries: number;
  /** The ANN kernels: auto (WASM SIMD where it fits), wasm or ts (the reference). */
  kernels: "auto" | "wasm" | "ts";
}

function parse(argv: string[]): Opts {
  const o: Opts = { items: 1_000_000, factors: 64, users: 2000, threads: Math.min(2, availableParallelism()), ef: [128, 256, 512], iid: false, json: false, M: 16, efConstruction: 128, method: "ivf", nprobe: [4, 8, 16, 32], queries: 10_000, kernels: "auto" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i]!;
    if (a === "--items") o.items = Number(v());
    else if (a === "--factors") o.factors = Number(v());
    else if (a === "--users") o.users = Number(v());
    else if (a === "--threads") o.threads = Number(v());
    else if (a === "--ef") o.ef = v().split(",").map(Number);
    else if (a === "--M") o.M = Number(v());
    else if (a === "--ef-construction") o.efConstruction = Number(v());
    else if (a === "--iid") o.iid = true;
    else if (a === "--method") o.method = v() === "hnsw" ? "hnsw" : "ivf";
    else if (a === "--nprobe") o.nprobe = v().split(",").map(Number);
    else if (a === "--nlist") o.nlist = Number(v());
    else if (a === "--queries") o.queries = Number(v());
    else if (a === "--kernels") {
      const k = v();
      if (k !== "auto" && k !== "wasm" && k !== "ts") throw new Error(`--kernels must be auto, wasm or ts (got ${k})`);
      o.kernels = k;
    }
    else if (a === "--json") o.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const rss = () => process.resourceUsage().maxRSS * 1024;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const say = (o: Opts, s: string) => {
  if (!o.json) process.stderr.write(`${s}\n`);
};

async function parallelAnn(o: Opts, modelPath: string, indexPath: string, users: string[], search: { efSearch?: number; nprobe?: number }): Promise<number> {
  const signal = new SharedArrayBuffer(8);
  const flag = new Int32Array(signal);
  const per = Math.ceil(users.length / o.threads);
  const self = fileURLToPath(new URL("./ann-worker.js", import.meta.url));
  const workers = Array.from({ length: o.threads }, (_, t) => new Worker(self, { workerData: { model: modelPath, index: indexPath, users: users.slice(t * per, (t + 1) * per), n: 10, ...search, signal, queries: o.queries, kernels: o.kernels } }));
  const done = workers.map(
    (w) =>
      new Promise<{ seconds: number; queries: number }>((res, rej) => {
        w.once("message", res);
        w.once("error", rej);
      }),
  );
  while (Atomics.load(flag, 1) < o.threads) await new Promise((r) => setTimeout(r, 20));
  const t = performance.now();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  const rs = await Promise.all(done);
  const wall = (performance.now() - t) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return rs.reduce((s, r) => s + r.queries, 0) / wall;
}

export async function annBench(argv: string[]): Promise<Record<string, unknown>> {
  const o = parse(argv);
  const t0 = performance.now();
  const model = annCatalogue({ items: o.items, users: o.users, factors: o.factors, seed: 19, structure: !o.iid });
  say(o, `ann: catalogue ${o.items} items × k=${o.factors}${o.iid ? " (i.i.d.)" : ""} generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const users = Array.from({ length: o.users }, (_, u) => model.userIndex.idAt(u));
  // exact, one query at a time (recommend, TS kernel, one thread)
  const truthUsers = users.slice(0, Math.min(200, users.length));
  let t = performance.now();
  const truth = truthUsers.map((u) => recommend(model, u, { n: 10 }).map((r) => r.item));
  const exactOneMs = (performance.now() - t) / truthUsers.length;
  say(o, `ann: exact recommend() ${exactOneMs.toFixed(1)} ms/query (one thread)`);
  // exact, batch WASM SIMD on `threads` workers
  const batchUsers = users.slice(0, Math.min(users.length, 1000));
  for (const _ of recommendAll(model, { n: 10, users: batchUsers.slice(0, 32), kernels: "wasm", threads: o.threads }));
  t = performance.now();
  let cnt = 0;
  let cx = cpu();
  for (const _ of recommendAll(model, { n: 10, users: batchUsers, kernels: "wasm", threads: o.threads })) cnt++;
  const exactBatchQps = cnt / ((performance.now() - t) / 1000);
  // CPU seconds of every thread of the process per query: the load-independent cost (the machine may be shared)
  const exactCpuMs = ((cpu() - cx) * 1000) / cnt;
  say(o, `ann: exact recommendAll WASM, ${o.threads} threads: ${exactBatchQps.toFixed(0)} users/s`);
  // build
  const rssBefore = rss();
  const c0 = cpu();
  t = performance.now();
  const loadAtBuild = loadavg();
  const index = buildAnnIndex(model, { method: o.method, M: o.M, efConstruction: o.efConstruction, nlist: o.nlist, seed: 1, threads: o.threads, kernels: o.kernels });
  const buildSeconds = (performance.now() - t) / 1000;
  const buildCpu = cpu() - c0;
  say(o, `ann: ${o.method} index built in ${buildSeconds.toFixed(1)} s (${buildCpu.toFixed(1)} CPU s, ${index.kernels} kernels${o.method === "ivf" ? `, ${o.threads} threads, nlist ${index.params.nlist}` : ", one thread"}), ${(index.byteLength / 2 ** 20).toFixed(0)} MiB; load average ${loadAtBuild.map((x) => x.toFixed(1)).join(" ")}`);
  const rows: Array<Record<string, number>> = [];
  let violations = 0;
  const settings = o.method === "ivf" ? o.nprobe : o.ef;
  const knob = o.method === "ivf" ? "nprobe" : "efSearch";
  for (const ef of settings) {
    const search = o.method === "ivf" ? { nprobe: ef } : { efSearch: ef };
    let hit = 0;
    truthUsers.forEach((u, q) => {
      const want = new Set(truth[q]);
      const got = recommend(model, u, { n: 10, ann: index, ...search });
      const h = model.history!;
      const ui = model.userIndex.indexOf(u);
      const rated = new Set(Array.from(h.indices.subarray(h.indptr[ui]!, h.indptr[ui + 1]!)));
      for (const r of got) {
        if (want.has(r.item)) hit++;
        if (rated.has(model.itemIndex.indexOf(r.item))) violations++;
      }
    });
    for (let q = 0; q < Math.min(300, users.length); q++) recommend(model, users[q]!, { n: 10, ann: index, ...search }); // warm-up (JIT)
    t = performance.now();
    cx = cpu();
    for (let q = 0; q < o.queries; q++) recommend(model, users[q % users.length]!, { n: 10, ann: index, ...search });
    const qps1 = o.queries / ((performance.now() - t) / 1000);
    const cpuMs = ((cpu() - cx) * 1000) / o.queries;
    rows.push({ [knob]: ef, recallAt10: hit / (10 * truthUsers.length), qpsOneThread: qps1, cpuMsPerQuery: cpuMs, cpuSpeedupVsExact: exactCpuMs / cpuMs });
    say(o, `ann: ${knob} ${ef}: recall@10 ${(hit / (10 * truthUsers.length)).toFixed(3)}, ${qps1.toFixed(0)} queries/s one thread, ${cpuMs.toFixed(3)} CPU ms/query (exact batch ${exactCpuMs.toFixed(2)}: ${(exactCpuMs / cpuMs).toFixed(0)}×)`);
  }
  // threads: each worker loads the saved files
  const dir = mkdtempSync(join(tmpdir(), "mfrec-ann-"));
  const modelPath = join(dir, "m.mfr");
  const indexPath = `${modelPath}.ann`;
  let parallel: Array<Record<string, number>> = [];
  try {
    writeModelFileSync(modelPath, model);
    writeAnnIndexFileSync(indexPath, index);
    const indexFileBytes = statSync(indexPath).size;
    for (const r of rows) {
      const qps = await parallelAnn(o, modelPath, indexPath, users, o.method === "ivf" ? { nprobe: r.nprobe! } : { efSearch: r.efSearch! });
      r.qpsThreads = qps;
      r.speedupVsExactThreads = qps / exactBatchQps;
      say(o, `ann: ${knob} ${r[knob]}: ${qps.toFixed(0)} queries/s on ${o.threads} threads = ${(qps / exactBatchQps).toFixed(1)}× exact (${o.threads} threads)`);
    }
    parallel = rows;
    const report = {
      machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version },
      catalogue: { items: o.items, factors: o.factors, users: o.users, structure: o.iid ? "iid" : "clustered rank-16 + noise" },
      params: { method: o.method, M: o.M, efConstruction: o.efConstruction, nlist: index.params.nlist, kmeansSample: index.params.kmeansSample, kmeansIters: index.params.kmeansIters, kernels: index.kernels, buildThreads: o.method === "ivf" ? o.threads : 1 },
      exact: { oneQueryMs: exactOneMs, oneThreadQps: 1000 / exactOneMs, batchQpsThreads: exactBatchQps, batchCpuMsPerQuery: exactCpuMs, threads: o.threads },
      build: { seconds: buildSeconds, cpuSeconds: buildCpu, loadavg: loadAtBuild, indexBytes: index.byteLength, indexFileBytes, rssBeforeBytes: rssBefore, peakRssBytes: rss() },
      ann: parallel,
      filterViolations: violations,
      loadavg: loadavg(),
    };
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  annBench(process.argv.slice(2)).then(
    (r) => {
      if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else process.stdout.write(`${JSON.stringify(r)}\n`);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
