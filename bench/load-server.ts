/**
 * Load test of `mfrec serve` (autocannon against 127.0.0.1 only, bounded duration).
 *
 *   node dist/bench/load-server.js [--seconds 30] [--mixed-seconds 15] [--write-seconds 10] [--connections 10] [--sync normal|full]
 *
 * 1. A 10,000-item, k = 64 model with random factors (built directly with new FactorModel,
 *    20,000 users, 20 history items each) is written to a temp dir; the server runs in its own
 *    child process on that file and a fresh SQLite store.
 * 2. GET /recommend/:user for random model users. Target: ≥ 3,000 req/s, p99 ≤ 20 ms, zero errors.
 * 3. Mixed: 90% GET /recommend, 10% POST /ratings with unique (user, item) pairs; afterwards
 *    the store must hold every acknowledged rating (nothing lost) and nothing never sent.
 * 4. Writes only: 100% POST /ratings of 10 ratings each: write throughput (ratings/s), p99, and the
 *    WAL file's size sampled every 50 ms (peak and at the end; the server truncates it past 16 MiB),
 *    then the same nothing-lost check. `--sync full` fsyncs every commit.
 *
 * ANN mode, `--ann-items N` (e.g. 1000000; with `--ann-users`, default 20000): the generated catalogue of
 * bench/ann-catalogue.ts (k = 64, 20 history items per user) is saved with its IVF index beside it
 * (<model>.ann, built on 2 threads), the server loads both, and GET /recommend/:user?n=10&ann=true runs
 * for --seconds, then exact GET /recommend/:user?n=10 for --exact-seconds (default 10), side by side.
 * `--ann-nprobe N` stores another default nprobe in the index (the server's queries use it).
 * Target: p99 ≤ 10 ms at 10 connections with ann=true, zero errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rngFor } from "../src/core/rng.js";
import { IdIndex } from "../src/data/id-index.js";
import { buildCsr } from "../src/matrix/csr.js";
import { FactorModel } from "../src/model/factor-model.js";
import { saveModel } from "../src/model/format.js";
import { Store } from "mfrec-server/internal/store.js";
import { buildAnnIndex } from "../src/model/ann-index.js";
import { writeAnnIndexFileSync } from "../src/model/ann-file-node.js";
import { nodePoolFactory } from "../src/parallel/pool-node.js";
import { annCatalogue } from "./ann-catalogue.js";

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, res: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 30);
const MIXED_SECONDS = arg("mixed-seconds", 15);
const CONNECTIONS = arg("connections", 10);
const WRITE_SECONDS = arg("write-seconds", 10);
const SYNC = process.argv.includes("--sync") ? process.argv[process.argv.indexOf("--sync") + 1] : "normal";
if (SYNC !== "normal" && SYNC !== "full") throw new Error(`--sync ${SYNC}: expected normal or full`);
const USERS = 20_000;
const ITEMS = 10_000;
const K = 64;
const TOKEN = "bench-token";
const ANN_ITEMS = arg("ann-items", 0);
const ANN_USERS = arg("ann-users", 20_000);
const EXACT_SECONDS = arg("exact-seconds", 10);
const ANN_NPROBE = arg("ann-nprobe", 0); // 0: the index default (max(8, nlist/64): 16 at 1M)

/** Random factors ~ N(0, 0.1²), 20 random history items per user, seeded. */
function randomModel(): FactorModel {
  const rng = rngFor(1, "bench-server-model");
  const P = new Float32Array(USERS * K);
  const Q = new Float32Array(ITEMS * K);
  for (let j = 0; j < P.length; j++) P[j] = rng.normal() * 0.1;
  for (let j = 0; j < Q.length; j++) Q[j] = rng.normal() * 0.1;
  const per = 20;
  const rows = new Int32Array(USERS * per);
  const cols = new Int32Array(USERS * per);
  const vals = new Float32Array(USERS * per);
  for (let u = 0; u < USERS; u++) {
    const seen = new Set<number>();
    for (let j = 0; j < per; j++) {
      let i = rng.int(ITEMS);
      while (seen.has(i)) i = rng.int(ITEMS);
      seen.add(i);
      rows[u * per + j] = u;
      cols[u * per + j] = i;
      vals[u * per + j] = 1 + rng.int(5);
    }
  }
  return new FactorModel({
    config: { algorithm: "given", factors: K },
    userFactors: { rows: USERS, cols: K, data: P },
    itemFactors: { rows: ITEMS, cols: K, data: Q },
    userIndex: IdIndex.from(Array.from({ length: USERS }, (_, u) => `u${u}`)),
    itemIndex: IdIndex.from(Array.from({ length: ITEMS }, (_, i) => `i${i}`)),
    history: buildCsr(rows, cols, vals, USERS, ITEMS),
    ratingScale: [1, 5],
  });
}

function spawnServer(dbPath: string, modelPath: string): Promise<{ child: ChildProcess; url: string }> {
  const mod = fileURLToPath(import.meta.resolve("mfrec-server/internal/create-server.js"));
  const code = `
    import { startServer } from ${JSON.stringify(mod)};
    const s = await startServer({ dbPath: ${JSON.stringify(dbPath)}, model: ${JSON.stringify(modelPath)}, token: ${JSON.stringify(TOKEN)}, port: 0, web: false, sync: ${JSON.stringify(SYNC)} });
    process.stdout.write("URL " + s.url + "\\n");
    process.on("SIGTERM", () => s.stop().then(() => process.exit(0)));
  `;
  const flags = (process.env.MFREC_BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean); // e.g. --trace-gc (printed with MFREC_BENCH_SERVER_STDOUT=1)
  const child = spawn(process.execPath, [...flags, "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      if (process.env.MFREC_BENCH_SERVER_STDOUT) process.stderr.write(d); // e.g. with NODE_OPTIONS=--trace-gc
      buf += d.toString();
      const m = /URL (\S+)\n/.exec(buf);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once("exit", (c) => reject(new Error(`server exited with ${c}`)));
  });
}

function run(opts: Record<string, unknown>): Promise<AutocannonResult> {
  return new Promise((ok, fail) => {
    autocannon(opts, (err, res) => (err ? fail(err) : ok(res)));
  });
}

/** Sample the WAL file's size every 50 ms until stopped: the peak and the last sample. */
function walSampler(dbPath: string): { stop(): { peak: number; last: number } } {
  let peak = 0;
  let last = 0;
  const sample = (): void => {
    try {
      last = statSync(`${dbPath}-wal`).size;
    } catch {
      last = 0;
    }
    if (last > peak) peak = last;
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peak, last };
    },
  };
}

const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;

function line(name: string, r: AutocannonResult): string {
  return `${name}: ${r.requests.average.toFixed(0)} req/s (total ${r.requests.total}), latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-load-"));
  const modelPath = join(dir, "bench.mfr");
  const dbPath = join(dir, "bench.db");
  writeFileSync(modelPath, saveModel(randomModel()));
  const { child, url } = await spawnServer(dbPath, modelPath);
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`refusing to load-test ${url}: loopback only`);
  // The figures mean little without the machine's load: print the 1/5/15-minute load averages before and after.
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`# mfrec serve load test: ${USERS} users × ${ITEMS} items, k=${K}; ${CONNECTIONS} connections; --sync ${SYNC}; ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); node ${process.version}; load average ${load()}`);
  let failed = false;
  try {
    const rng = rngFor(2, "bench-server-users");
    const recommend: AutocannonRequest = {
      method: "GET",
      setupRequest: (req) => ({ ...req, path: `/recommend/u${rng.int(USERS)}?n=10` }),
    };
    // Warm-up (JIT), not reported.
    await run({ url, connections: CONNECTIONS, duration: 3, requests: [recommend] });
    const r1 = await run({ url, connections: CONNECTIONS, duration: SECONDS, requests: [recommend] });
    console.log(line(`GET /recommend (${SECONDS} s)`, r1));
    const pass1 = r1.requests.average >= 3000 && r1.latency.p99 <= 20 && r1.errors === 0 && r1.timeouts === 0 && r1.non2xx === 0;
    console.log(`  target ≥ 3000 req/s, p99 ≤ 20 ms, zero errors: ${pass1 ? "met" : "NOT met"}`);

    let posted = 0;
    let acked = 0;
    let seq = 0;
    let firstError = "";
    const post: AutocannonRequest = {
      method: "POST",
      path: "/ratings",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      setupRequest: (req) => {
        seq++;
        posted++;
        return { ...req, body: JSON.stringify({ user: `load-${seq}`, item: `i${seq % ITEMS}`, rating: 1 + (seq % 5) }) };
      },
      onResponse: (status, body) => {
        if (status === 201) acked++;
        else if (!firstError) firstError = `${status} ${body}`;
      },
    };
    const mixed = [...Array.from({ length: 9 }, () => recommend), post];
    const wal2 = walSampler(dbPath);
    const r2 = await run({ url, connections: CONNECTIONS, duration: MIXED_SECONDS, requests: mixed });
    const w2 = wal2.stop();
    console.log(line(`mixed 90% GET /recommend + 10% POST /ratings (${MIXED_SECONDS} s)`, r2));
    const countStored = (): number => {
      const store = new Store(dbPath, { readonly: true });
      try {
        return (store.db.prepare("SELECT COUNT(*) AS n FROM ratings WHERE user LIKE 'load-%'").get() as { n: number }).n;
      } finally {
        store.close();
      }
    };
    const stored = countStored();
    // A request still in flight when the run ends may commit without its answer being counted.
    const pass2 = stored >= acked && stored <= posted && r2.errors === 0 && r2.non2xx === 0;
    console.log(`  POST /ratings sent ${posted}, acknowledged ${acked}, rows in the store ${stored}: ${pass2 ? "nothing lost" : "MISMATCH"}; WAL peak ${mib(w2.peak)}, at the end ${mib(w2.last)}`);
    if (firstError) console.log(`  first failed POST: ${firstError.slice(0, 300)}`);

    // Writes only: 10 ratings per request, every pair new.
    const sent0 = posted;
    const acked0 = acked;
    let wseq = 0;
    const batch: AutocannonRequest = {
      method: "POST",
      path: "/ratings",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      setupRequest: (req) => {
        wseq++;
        posted += 10;
        return { ...req, body: JSON.stringify(Array.from({ length: 10 }, (_, j) => ({ user: `load-w${wseq}`, item: `i${(wseq * 10 + j) % ITEMS}`, rating: 1 + ((wseq + j) % 5) }))) };
      },
      onResponse: (status, body) => {
        if (status === 201) acked += 10;
        else if (!firstError) firstError = `${status} ${body}`;
      },
    };
    const wal3 = walSampler(dbPath);
    const r3 = await run({ url, connections: CONNECTIONS, duration: WRITE_SECONDS, requests: [batch] });
    const w3 = wal3.stop();
    console.log(line(`writes 100% POST /ratings × 10 ratings (${WRITE_SECONDS} s)`, r3));
    const stored3 = countStored();
    const pass3 = stored3 >= acked && stored3 <= posted && r3.errors === 0 && r3.non2xx === 0;
    console.log(
      `  ${((acked - acked0) / WRITE_SECONDS).toFixed(0)} ratings/s committed; sent ${posted - sent0}, acknowledged ${acked - acked0}, rows in the store ${stored3 - stored}: ${pass3 ? "nothing lost" : "MISMATCH"}; WAL peak ${mib(w3.peak)}, at the end ${mib(w3.last)}; database ${mib(statSync(dbPath).size)}`,
    );
    failed = !pass1 || !pass2 || !pass3;
    console.log(`# load average after the runs: ${load()}`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((ok) => child.once("exit", ok));
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

/** ANN mode (see the file comment): ann=true against exact on a big generated catalogue. */
async function annMain(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-load-ann-"));
  const modelPath = join(dir, "bench.mfr");
  const dbPath = join(dir, "bench.db");
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  let failed = false;
  try {
    const model = annCatalogue({ items: ANN_ITEMS, users: ANN_USERS, factors: K, seed: 19 });
    writeFileSync(modelPath, saveModel(model));
    const t0 = performance.now();
    const index = buildAnnIndex(model, { method: "ivf", threads: 2, pool: nodePoolFactory, seed: 1, nprobe: ANN_NPROBE > 0 ? ANN_NPROBE : undefined });
    writeAnnIndexFileSync(`${modelPath}.ann`, index);
    console.log(`# mfrec serve ANN load test: ${ANN_USERS} users × ${ANN_ITEMS} items, k=${K}; IVF nlist ${index.params.nlist}, nprobe ${index.params.nprobe} (built in ${((performance.now() - t0) / 1000).toFixed(1)} s); ${CONNECTIONS} connections; ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); node ${process.version}; load average ${load()}`);
    const { child, url } = await spawnServer(dbPath, modelPath);
    if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`refusing to load-test ${url}: loopback only`);
    try {
      const rng = rngFor(2, "bench-server-users");
      const req = (ann: boolean): AutocannonRequest => ({ method: "GET", setupRequest: (r) => ({ ...r, path: `/recommend/u${rng.int(ANN_USERS)}?n=10&ann=${ann ? "true" : "false"}` }) });
      await run({ url, connections: CONNECTIONS, duration: 3, requests: [req(true)] });
      const a = await run({ url, connections: CONNECTIONS, duration: SECONDS, requests: [req(true)] });
      console.log(line(`GET /recommend?ann=true (${SECONDS} s)`, a));
      const pass = a.latency.p99 <= 10 && a.errors === 0 && a.timeouts === 0 && a.non2xx === 0;
      console.log(`  target p99 ≤ 10 ms at ${CONNECTIONS} connections, zero errors: ${pass ? "met" : "NOT met"}; load average ${load()}`);
      const e = await run({ url, connections: CONNECTIONS, duration: EXACT_SECONDS, requests: [req(false)], timeout: 60 });
      console.log(line(`GET /recommend exact (${EXACT_SECONDS} s)`, e));
      console.log(`  ann=true: ${(a.requests.average / Math.max(1e-9, e.requests.average)).toFixed(1)}× the exact req/s`);
      failed = !pass;
      console.log(`# load average after the runs: ${load()}`);
    } finally {
      child.kill("SIGTERM");
      await new Promise((ok) => child.once("exit", ok));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

if (ANN_ITEMS > 0) await annMain();
else await main();
