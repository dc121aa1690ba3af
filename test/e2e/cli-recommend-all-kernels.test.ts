import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { wasmSimdSupported, wasmThreadsSupported } from "../../src/kernels/wasm.js";
import { repoRoot } from "../helpers/data.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const tmp = mkdtempSync(join(tmpdir(), "mfrec-recall-k-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Doc {
  users: number;
  kernels: string;
  threads: number;
  usersPerSecond: number;
}
type Row = { user: string; items: string[]; scores: number[] };
const rows = (f: string): Row[] => readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Row);

test("recommend-all --kernels/--threads: the WASM path by default on a 2048+ item catalogue, same bytes on 1 and 2 threads, TS within rounding", { skip: (!wasmSimdSupported() || !wasmThreadsSupported()) && "no WebAssembly SIMD threads" }, () => {
  const data = join(tmp, "g.csv");
  assert.equal(run("generate", "-o", data, "--users", "150", "--items", "6000", "--ratings", "6000", "--seed", "3", "-q").status, 0);
  const model = join(tmp, "m.mfr");
  assert.equal(run("train", data, "-o", model, "--factors", "8", "--epochs", "2", "-q").status, 0);
  const go = (out: string, ...flags: string[]): Doc => {
    const r = run("recommend-all", model, "--out", join(tmp, out), "--json", ...flags);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Doc;
  };
  const auto = go("auto.jsonl");
  assert.equal(auto.kernels, "wasm");
  assert.equal(auto.users, 150);
  assert.ok(auto.usersPerSecond > 0);
  const two = go("two.jsonl", "--threads", "2", "--batch-size", "7");
  assert.equal(two.threads, 2);
  assert.equal(readFileSync(join(tmp, "two.jsonl"), "utf8"), readFileSync(join(tmp, "auto.jsonl"), "utf8"));
  assert.equal(go("ts.jsonl", "--kernels", "ts").kernels, "ts");
  const w = rows(join(tmp, "auto.jsonl"));
  const t = rows(join(tmp, "ts.jsonl"));
  let same = 0;
  for (let b = 0; b < w.length; b++) {
    assert.equal(w[b]!.user, t[b]!.user);
    if (JSON.stringify(w[b]!.items) === JSON.stringify(t[b]!.items)) {
      same++;
      for (let r = 0; r < w[b]!.scores.length; r++) assert.ok(Math.abs(w[b]!.scores[r]! - t[b]!.scores[r]!) <= 1e-4, `${w[b]!.user}`);
    }
  }
  assert.ok(same >= w.length * 0.9, `${same} of ${w.length} lists equal`);
  const bad = run("recommend-all", model, "--out", join(tmp, "x.jsonl"), "--kernels", "gpu");
  assert.equal(bad.status, 2);
});
