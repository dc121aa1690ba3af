/** Shared set-up for the server tests: a trained model file in a temp dir, a server on loopback. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateRatings } from "../../src/data/synthetic.js";
import type { FactorModel } from "../../src/model/factor-model.js";
import { saveModel } from "../../src/model/format.js";
import { type RunningServer, type ServerOptions, startServer } from "mfrec-server/internal/create-server.js";
import { fitSync } from "../../src/train/fit.js";

export const TOKEN = "test-token-123";

/** Parsed JSON bodies in tests: read field by field, shape asserted by the test. */
// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON keeps the assertions readable
export type J = any;

let cached: { model: FactorModel; bytes: Uint8Array } | undefined;

/** A small explicit ALS model (200 users × 80 items, 1..5 scale) with its training history. */
export function trainedModel(): { model: FactorModel; bytes: Uint8Array } {
  if (!cached) {
    const ratings = generateRatings({ users: 200, items: 80, ratings: 4000, rank: 4, seed: 7 });
    const model = fitSync(ratings, { algorithm: "als", factors: 8, epochs: 8, regularization: 0.1, seed: 1 });
    cached = { model, bytes: saveModel(model) };
  }
  return cached;
}

/** A fresh temp dir with the model file written as model.mfr. */
export function tempDir(): { dir: string; modelPath: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-server-"));
  const modelPath = join(dir, "model.mfr");
  writeFileSync(modelPath, trainedModel().bytes);
  return { dir, modelPath, dbPath: join(dir, "mfrec.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Start a server on 127.0.0.1 with a free port. */
export async function start(opts: Partial<ServerOptions> & { dbPath: string }): Promise<RunningServer> {
  return startServer({ port: 0, web: false, ...opts });
}

/** fetch JSON from the running server. */
export async function call(s: { url: string }, method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; body: J; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // metrics and static files are text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Poll a job until it is no longer queued/running. */
export async function waitJob(s: { url: string }, id: string, timeoutMs = 60_000): Promise<J> {
  const t0 = Date.now();
  for (;;) {
    const r = await call(s, "GET", `/jobs/${id}`);
    if (r.body.status === "succeeded" || r.body.status === "failed") return r.body;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} still ${r.body.status}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}
