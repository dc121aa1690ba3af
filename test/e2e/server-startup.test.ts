/**
 * Start-up failures of `mfrec serve` (port in use, unreadable model, locked or foreign database):
 * one error line on stderr, exit code 1, and the process ends by itself — nothing (the checkpoint
 * worker, the database, a half-open socket) is left to keep it alive.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer as createNetServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { MfrecError } from "../../src/core/errors.js";
import { startServer } from "mfrec-server/internal/create-server.js";
import { CLI } from "./cli-helpers.js";
import { tempDir } from "./server-fixtures.js";

/** Run `mfrec serve …`; a run that has not ended after `killMs` is killed and reported as hung. */
function serve(args: string[], killMs = 15_000): Promise<{ code: number | null; hung: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "serve", "--no-web", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", MFREC_TOKEN: "" } });
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, killMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, hung, stdout, stderr });
    });
  });
}

function oneErrorLine(r: { stderr: string; stdout: string }, pattern: RegExp): void {
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^mfrec: /);
  assert.doesNotMatch(lines[0]!, /internal error/);
  assert.match(lines[0]!, pattern);
  assert.equal(r.stdout, "", "nothing claims to be listening");
}

describe("mfrec serve start-up failures", { timeout: 120_000 }, () => {
  const t = tempDir();
  let blocker: Server;
  let busyPort = 0;
  before(async () => {
    blocker = createNetServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    busyPort = (blocker.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((ok) => blocker.close(() => ok()));
    t.cleanup();
  });

  test("a port in use: one line naming the address, exit 1, no hang", async () => {
    const r = await serve(["--model", t.modelPath, "--db", join(t.dir, "port.db"), "--port", String(busyPort)]);
    assert.equal(r.hung, false, "the process did not end by itself");
    assert.equal(r.code, 1);
    oneErrorLine(r, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busyPort}: the port is already in use.*--port`));
  });

  test("the library's startServer on a busy port rejects with E_IO and leaves the database free", async () => {
    const dbPath = join(t.dir, "lib.db");
    await assert.rejects(startServer({ dbPath, model: t.modelPath, port: busyPort, web: false }), (e: unknown) => e instanceof MfrecError && e.code === "E_IO" && /already in use/.test(e.message));
    // Closed, not left open: the same process can start on that database at once, and close it again.
    const s = await startServer({ dbPath, port: 0, web: false });
    assert.equal(s.serving.record?.version, 1);
    await s.stop();
  });

  test("a missing or corrupt --model with nothing registered: one line naming the file, exit 1", async () => {
    const missing = await serve(["--model", join(t.dir, "nope.mfr"), "--db", join(t.dir, "missing.db"), "--port", "0"]);
    assert.equal(missing.hung, false);
    assert.equal(missing.code, 1);
    oneErrorLine(missing, /nope\.mfr: cannot read the model file/);
    const bad = join(t.dir, "bad.mfr");
    writeFileSync(bad, "not a model");
    const corrupt = await serve(["--model", bad, "--db", join(t.dir, "corrupt.db"), "--port", "0"]);
    assert.equal(corrupt.hung, false);
    assert.equal(corrupt.code, 1);
    oneErrorLine(corrupt, /bad\.mfr: the model file is not valid/);
  });

  test("a database locked by another process: one line naming it, exit 1, no five-second wait per statement", async () => {
    const dbPath = join(t.dir, "locked.db");
    const prep = await serve(["--model", join(t.dir, "nope.mfr"), "--db", dbPath, "--port", "0"]);
    assert.equal(prep.code, 1); // created the database, then refused the model
    const holder = new Database(dbPath);
    holder.exec("BEGIN EXCLUSIVE");
    try {
      const r = await serve(["--model", t.modelPath, "--db", dbPath, "--port", "0"]);
      assert.equal(r.hung, false);
      assert.equal(r.code, 1);
      oneErrorLine(r, /locked\.db: the database is locked by another process/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  test("a file that is not a database: one line naming it, exit 1", async () => {
    const dbPath = join(t.dir, "text.db");
    writeFileSync(dbPath, "this is not SQLite\n".repeat(100));
    const r = await serve(["--model", t.modelPath, "--db", dbPath, "--port", "0"]);
    assert.equal(r.hung, false);
    assert.equal(r.code, 1);
    oneErrorLine(r, /text\.db: the file is not an SQLite database/);
  });
});
