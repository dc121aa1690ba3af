/**
 * Benchmark cases, each run in its own child process by bench/run.ts so `maxRSS` is per case.
 * A case prints one JSON object on its last stdout line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rngFor } from "../src/core/rng.js";
import type { Ratings } from "../src/data/ratings.js";
import { readRatingsFile } from "../src/data/read-file-node.js";
import { f32, i32, openArena, reserve, type Shape, u8 } from "../src/kernels/arena-plan.js";
import { kernelCall } from "../src/kernels/kernel-calls.js";
import type { KernelArena } from "../src/kernels/wasm-arena.js";
import { InlinePool } from "../src/parallel/inline-pool.js";
import { balancedRowShards, type KernelPool } from "../src/parallel/pool.js";
import { createNodePool } from "../src/parallel/pool-node.js";
import { planSgdBlocks, runSgdEpoch, sgdPlanShapes } from "../src/parallel/sgd-blocks.js";
import { foldInUser } from "../src/train/fold-in.js";
import { nodePoolFactory } from "../src/parallel/pool-node.js";
import { recommendAll, recommendAllPlan } from "../src/recommend/recommend-all.js";
import { fitSync, trainingData } from "../src/train/fit.js";
import { listAlgorithms } from "../src/train/registry.js";

/** What every case receives. */
export interface CaseArgs {
  input: string;
  gzip?: string;
  factors: number;
  threads: number;
  iterations: number;
  grid: number;
}

const now = (): number => performance.now() / 1000;

function rss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Reset the kernel's peak-RSS mark (Linux: write 5 to /proc/self/clear_refs); false where unsupported. */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS since the last reset (VmHWM), or the process maximum. */
function peakRssSinceReset(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return rss();
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

async function load(path: string): Promise<{ ratings: Ratings; seconds: number }> {
  const t = now();
  const ratings = await readRatingsFile(path);
  return { ratings, seconds: now() - t };
}

/** A pool on an arena holding `shapes` plus 1 MiB of slack, with the kernels' scratch at k factors per thread. */
function makePool(shapes: Shape[], threads: number, k: number): KernelPool {
  const { arena, scratchBytes: scratch } = openArena([reserve(...shapes, u8(1 << 20))], { threads, scratch: { factors: k } });
  return threads === 1 ? new InlinePool(arena, scratch) : createNodePool(arena, { threads, scratchBytes: scratch });
}

function randomFactors(a: KernelArena, rows: number, k: number, seed: number, std: number): Float32Array {
  const v = a.f32(rows * k);
  rngFor(seed, "bench-init", rows).fillNormal(v, 0, std);
  return v;
}

/** Parse CSV (and gzip when given), then build both CSR views. */
async function ingest(a: CaseArgs): Promise<Record<string, unknown>> {
  const { ratings, seconds } = await load(a.input);
  const bytes = statSync(a.input).size;
  const t = now();
  const views = trainingData(ratings);
  void views.byItem; // builds byUser, then its transpose
  const csrSeconds = now() - t;
  const out: Record<string, unknown> = {
    ratings: ratings.length,
    seconds,
    linesPerSecond: ratings.report.rows / seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    csrSeconds,
    totalSeconds: seconds + csrSeconds,
    loadavg: loadavg(),
  };
  if (a.gzip) {
    const t2 = now();
    await readRatingsFile(a.gzip);
    const gs = now() - t2;
    out.gzip = { seconds: gs, linesPerSecond: ratings.report.rows / gs, compressedMbPerSecond: statSync(a.gzip).size / 1e6 / gs };
  }
  out.peakRssBytes = rss();
  out.bytesPerRating = (out.peakRssBytes as number) / ratings.length;
  return out;
}

/** WASM SGD epochs with the FPSGD block schedule. */
async function wasmSgd(a: CaseArgs): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  const k = a.factors;
  const n = ratings.length;
  const nu = ratings.userIndex.size;
  const ni = ratings.itemIndex.size;
  const pool = makePool([...sgdPlanShapes(ratings.users, ratings.items, ratings.values, n, nu, ni, a.grid, "none"), f32(nu * k), f32(ni * k), f32(nu), f32(ni)], a.threads, k);
  const ar = pool.arena;
  let mu = 0;
  for (let t = 0; t < n; t++) mu += ratings.values[t]!;
  mu /= n;
  const t0 = now();
  const plan = planSgdBlocks(ar, ratings.users, ratings.items, ratings.values, n, nu, ni, a.grid);
  const planSeconds = now() - t0;
  const p = {
    P: randomFactors(ar, nu, k, 1, 0.1),
    Q: randomFactors(ar, ni, k, 2, 0.1),
    userBias: ar.f32(nu),
    itemBias: ar.f32(ni),
    factors: k,
    globalMean: mu,
    learningRate: 0.005,
    regularization: 0.02,
    biasRegularization: 0.02,
    useBias: true,
  };
  const times: number[] = [];
  const rmse: number[] = [];
  for (let e = 0; e < a.iterations; e++) {
    const t = now();
    const sse = runSgdEpoch(pool, plan, p, 42, e);
    times.push(now() - t);
    rmse.push(Math.sqrt(sse / n));
  }
  await pool.close();
  const best = Math.min(...times);
  return { secondsPerIteration: best, times, updatesPerSecond: n / best, trainRmse: rmse, planSeconds, peakRssBytes: rss() };
}

/** WASM half-sweeps: "cg-ials" (iALS, 3 CG steps), "cg-als" (explicit, no biases, 3 CG steps), "chol-als" (exact, biased). */
async function wasmAls(a: CaseArgs, variant: "cg-ials" | "cg-als" | "chol-als"): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  const { byUser, byItem } = trainingData(ratings);
  const k = a.factors;
  const nu = byUser.rows;
  const ni = byItem.rows;
  const nnz = ratings.length;
  const pool = makePool([f32(nnz), i32(nu + 1), i32(nnz), f32(nnz), f32(nnz), i32(ni + 1), i32(nnz), f32(nnz), f32((nu + ni) * (k + 1)), f32(k * k)], a.threads, k);
  const ar = pool.arena;
  const side = (m: typeof byUser) => {
    const extra = ar.f32(nnz);
    const ex = variant === "cg-ials" ? 40 : 1;
    for (let q = 0; q < nnz; q++) extra[q] = variant === "cg-ials" ? ex * m.values[q]! : 1;
    return { m, ip: ar.copyI32(m.indptr), ix: ar.copyI32(m.indices), iv: ar.copyF32(m.values), extra, shards: balancedRowShards(m.indptr, m.rows, 256) };
  };
  const U = side(byUser);
  const I = side(byItem);
  const X = randomFactors(ar, nu, k, 1, 0.01);
  const Y = randomFactors(ar, ni, k, 2, 0.01);
  const bx = ar.f32(nu);
  const by = ar.f32(ni);
  const G = ar.f32(k * k);
  const half = (s: typeof U, A: Float32Array, B: Float32Array, bA: Float32Array, bB: Float32Array, nB: number) => {
    if (variant === "chol-als") {
      pool.run({ ...kernelCall.alsCholeskyRange({ indptr: s.ip, indices: s.ix, values: s.iv, table: null, X: A, Y: B, bx: bA, by: bB, k, mu: 3.6, reg: 0.05, regBias: 0.05, scaleByCount: 1, useBias: 1 }), shards: s.shards });
      return;
    }
    const w0 = variant === "cg-ials" ? 1 : 0;
    if (w0) pool.run({ ...kernelCall.gramRange({ Y: B, k, G }), shards: Int32Array.of(0, nB) });
    const target = variant === "cg-ials" ? null : s.iv;
    pool.run({ ...kernelCall.cgRange({ indptr: s.ip, indices: s.ix, extra: s.extra, target, table: null, X: A, Y: B, G, k, w0, lambda: 0.05, nu: variant === "cg-als" ? 1 : 0, nCols: nB, steps: 3, lossOut: null }), shards: s.shards });
  };
  const times: number[] = [];
  for (let e = 0; e < a.iterations; e++) {
    const t = now();
    half(U, X, Y, bx, by, ni);
    half(I, Y, X, by, bx, nu);
    times.push(now() - t);
  }
  await pool.close();
  const best = Math.min(...times);
  return { secondsPerIteration: best, times, rowsPerSecond: (nu + ni) / best, ratingsPerSecond: (2 * nnz) / best, peakRssBytes: rss() };
}

/** Score every item for a sample of users (recommend-all throughput, without the top-k selection). */
async function wasmScore(a: CaseArgs): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  const k = a.factors;
  const nu = ratings.userIndex.size;
  const ni = ratings.itemIndex.size;
  const block = 256;
  const users = Math.min(nu, 8192);
  const pool = makePool([f32((nu + ni) * k), f32(block * ni * a.threads)], a.threads, k);
  const ar = pool.arena;
  const U = randomFactors(ar, nu, k, 1, 0.1);
  const V = randomFactors(ar, ni, k, 2, 0.1);
  const out = ar.f32(block * ni);
  const t = now();
  for (let u0 = 0; u0 < users; u0 += block) {
    const u1 = Math.min(users, u0 + block);
    const shards = new Int32Array(2 * Math.ceil((u1 - u0) / 32));
    for (let s = 0; s < shards.length / 2; s++) {
      shards[2 * s] = u0 + 32 * s;
      shards[2 * s + 1] = Math.min(u1, u0 + 32 * (s + 1));
    }
    pool.run({ ...kernelCall.scoreRange({ U, V, k, nItems: ni, mu: 0, userBias: null, itemBias: null, out, first: u0 }), shards });
  }
  const s = now() - t;
  await pool.close();
  return { usersPerSecond: users / s, gflops: (2 * users * ni * k) / s / 1e9, peakRssBytes: rss() };
}

/** Fused WASM scoring + top-10 with history exclusion (scoreTopKRange) for a sample of users: the kernel alone, on random factors (the library path is in `serve`). */
async function wasmTopK(a: CaseArgs): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  const { byUser } = trainingData(ratings);
  const k = a.factors;
  const nu = byUser.rows;
  const ni = byUser.cols;
  const n = 10;
  const users = Math.min(nu, 20000);
  const mem = reserve(f32((nu + ni) * (k + 1)), i32(nu + 1), i32(ratings.length), i32(users * n), f32(users * n), u8(1 << 20));
  const { arena, scratchBytes: scratch } = openArena([mem], { threads: a.threads, scratch: { factors: k, shapes: [i32(ni), f32(n), i32(n)] } });
  const pool = a.threads === 1 ? new InlinePool(arena, scratch) : createNodePool(arena, { threads: a.threads, scratchBytes: scratch });
  const U = randomFactors(arena, nu, k, 1, 0.1);
  const V = randomFactors(arena, ni, k, 2, 0.1);
  const bu = arena.f32(nu);
  const bi = arena.f32(ni);
  const ptr = arena.copyI32(byUser.indptr);
  const idx = arena.copyI32(byUser.indices.subarray(0, ratings.length));
  const items = arena.i32(users * n);
  const scores = arena.f32(users * n);
  const shards = new Int32Array(2 * Math.ceil(users / 64));
  for (let s = 0; s < shards.length / 2; s++) {
    shards[2 * s] = 64 * s;
    shards[2 * s + 1] = Math.min(users, 64 * (s + 1));
  }
  const c0 = cpuSeconds();
  const t = now();
  pool.run({ ...kernelCall.scoreTopKRange({ U, V, k, nItems: ni, mu: 3.5, userBias: bu, itemBias: bi, histPtr: ptr, histIdx: idx, n, outItems: items, outScores: scores, first: 0 }), shards });
  const s = now() - t;
  const cpu = cpuSeconds() - c0;
  await pool.close();
  return { usersPerSecond: users / s, gflops: (2 * users * ni * k) / s / 1e9, cpuSeconds: cpu, seconds: s, peakRssBytes: rss(), loadavg: loadavg() };
}

/**
 * A trainer through fitSync (the library path: WASM kernels on the Node pool, or `ts-` = the TS kernels).
 * Peak RSS is measured from just before the fit (after loading), so it is the training's own peak with
 * the loaded Ratings included; CPU seconds per epoch show how busy the threads were.
 */
async function trainer(a: CaseArgs, algorithm: string, kernels: "wasm" | "ts" | "auto"): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  gc();
  const reset = resetPeakRss();
  const before = process.memoryUsage().rss;
  const times: number[] = [];
  const cpu: number[] = [];
  const rmse: number[] = [];
  let epochsPeak = 0;
  // bpmf, bayes-fm: the first sample is averaged from the second iteration on (burnIn 1), so every iteration is timed alike
  const extra: Record<string, unknown> = algorithm === "als" ? { cgSteps: 3 } : algorithm === "sgd" ? { grid: a.grid } : algorithm === "bpmf" || algorithm === "bayes-fm" ? { burnIn: Math.max(0, a.iterations - 1) } : {};
  // baseline has no factors, seed or threads: biases only
  const config = algorithm === "baseline" ? { algorithm, epochs: a.iterations } : { algorithm, factors: a.factors, epochs: a.iterations, seed: 42, threads: a.threads, ...extra };
  let c0 = cpuSeconds();
  const t0 = now();
  fitSync(ratings, config, {
    pool: nodePoolFactory,
    kernels,
    onEpoch: (r) => {
      times.push(r.seconds);
      if (r.trainRmse !== undefined) rmse.push(r.trainRmse);
      const c = cpuSeconds();
      cpu.push(c - c0);
      c0 = c;
      epochsPeak = peakRssSinceReset();
    },
  });
  const fitSeconds = now() - t0;
  const peak = peakRssSinceReset();
  // epoch 1's CPU also counts the trainer's set-up (block plan, CSR copies): pick the best of the later epochs
  const later = times.length > 1 ? times.slice(1) : times;
  const best = times.indexOf(Math.min(...later));
  return {
    config,
    secondsPerIteration: times[best],
    cpuSecondsPerIteration: cpu[best],
    times,
    cpu,
    trainRmse: rmse,
    fitSeconds,
    updatesPerSecond: algorithm === "sgd" ? ratings.length / times[best]! : undefined,
    rssBeforeFitBytes: before,
    // through the last epoch (arena, blocks or CSR copies, factors) vs. including the model build (history CSR, factor copies)
    peakRssEpochsBytes: epochsPeak,
    peakRssBytes: peak,
    peakRssIsTrainingOnly: reset,
    bytesPerRating: peak / ratings.length,
    loadavg: loadavg(),
  };
}

/**
 * Recommend-all through the library (top-10 with exclusions, `recommendAll` on its default fast path:
 * WASM SIMD fused scoring + top-n on the Node pool with `threads`), the TS reference path on fewer users,
 * and fold-in latency, on a model trained by one sgd epoch.
 */
async function serve(a: CaseArgs): Promise<Record<string, unknown>> {
  const { ratings } = await load(a.input);
  const model = fitSync(ratings, { algorithm: "sgd", factors: a.factors, epochs: 1, seed: 42, threads: a.threads }, { pool: nodePoolFactory });
  const rec = (users: number, kernels: "auto" | "ts") => {
    const ids = Array.from({ length: Math.min(model.userIndex.size, users) }, (_, u) => model.userIndex.idAt(u));
    const opts = { n: 10, users: ids, kernels, threads: a.threads, pool: nodePoolFactory };
    const plan = recommendAllPlan(model, opts);
    const c0 = cpuSeconds();
    const t0 = now();
    let got = 0;
    for (const r of recommendAll(model, opts)) got += r.items.length;
    const seconds = now() - t0;
    return { usersPerSecond: ids.length / seconds, seconds, cpuSeconds: cpuSeconds() - c0, users: ids.length, recommended: got, ...plan };
  };
  const fast = rec(20000, "auto");
  const reference = rec(1000, "ts");
  let t: number;
  const h = model.history!;
  const lat: number[] = [];
  for (let u = 0; u < 200; u++) {
    const hist: Array<{ item: string; value: number }> = [];
    for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) hist.push({ item: model.itemIndex.idAt(h.indices[p]!), value: h.values[p]! });
    t = now();
    foldInUser(model, hist);
    lat.push(now() - t);
  }
  lat.sort((x, y) => x - y);
  return {
    recommendAllUsersPerSecond: fast.usersPerSecond,
    recommendAll: fast,
    recommendAllTsUsersPerSecond: reference.usersPerSecond,
    recommendAllTs: reference,
    foldInMedianMs: lat[lat.length >> 1]! * 1000,
    foldInP95Ms: lat[Math.floor(lat.length * 0.95)]! * 1000,
    foldInMeanRatings: ratings.length / model.userIndex.size,
    peakRssBytes: rss(),
    loadavg: loadavg(),
  };
}

/**
 * The whole `mfrec train` job as a user runs it (parse the file, fit, write the model), in its own process:
 * its `peakRssBytes` is that process's peak, the figure of the memory bar for `sgd`.
 */
function trainJob(a: CaseArgs, algorithm: string, set: string[] = []): Record<string, unknown> {
  const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const out = join(mkdtempSync(join(tmpdir(), "mfrec-bench-")), "model.mfr");
  const args = [cli, "train", a.input, "--algorithm", algorithm, "--factors", String(a.factors), "--epochs", String(a.iterations), "--threads", String(a.threads), "-o", out, "--json", "-q", ...set.flatMap((x) => ["--set", x])];
  const t0 = now();
  const doc = JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 })) as { training: Array<{ seconds: number }>; peakRssBytes: number; stats: { ratings: number } };
  const seconds = now() - t0;
  rmSync(dirname(out), { recursive: true, force: true });
  const times = doc.training.map((e) => e.seconds);
  return { seconds, times, secondsPerIteration: Math.min(...(times.length > 1 ? times.slice(1) : times)), peakRssBytes: doc.peakRssBytes, bytesPerRating: doc.peakRssBytes / doc.stats.ratings, loadavg: loadavg() };
}

/** Run the named case. */
export async function runCase(name: string, a: CaseArgs): Promise<Record<string, unknown>> {
  switch (name) {
    case "ingest":
      return ingest(a);
    case "wasm-sgd":
      return wasmSgd(a);
    case "wasm-cg-ials":
      return wasmAls(a, "cg-ials");
    case "wasm-cg-als":
      return wasmAls(a, "cg-als");
    case "wasm-chol-als":
      return wasmAls(a, "chol-als");
    case "wasm-score":
      return wasmScore(a);
    case "sgd":
    case "als":
    case "ials":
      return trainer(a, name, "wasm");
    case "serve":
      return serve(a);
    // The whole-process memory bars of issue 19 (the peers fit no ranking part: train-sgd and train-als set
    // ranking=none; train-als uses 3 CG steps as the als case), and what a user runs by default (-default).
    case "train-sgd":
      return trainJob(a, "sgd", ["ranking=none"]);
    case "train-als":
      return trainJob(a, "als", ["ranking=none", "cgSteps=3"]);
    case "train-ials":
      return trainJob(a, "ials");
    case "train-sgd-default":
    case "train-als-default":
      return trainJob(a, name.slice(6, -8));
    case "wasm-topk":
      return wasmTopK(a);
    default:
      if (name.startsWith("ts-")) return trainer(a, name.slice(3), "ts");
      // any other registered algorithm, through fitSync on its default kernels
      if (listAlgorithms().includes(name)) return trainer(a, name, "auto");
      throw new Error(`unknown bench case ${name}`);
  }
}
