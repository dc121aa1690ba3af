/**
 * README "Service": the shell block run as written — its `mfrec` commands through the built CLI
 * (serve on a free port instead of 8080), each `curl` line as the same HTTP request — and the
 * claims its comments make about the answers.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "../helpers/data.js";
import { CLI, mfrec } from "./cli-helpers.js";
import type { J } from "./server-fixtures.js";

/** The README's "## Service" shell block, continuation lines joined. */
function serviceBlock(): string[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Service"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "");
}

/** Shell words of one line (single quotes only, as the README uses). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

describe("README Service block", () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-readme-service-"));
  let child: ChildProcess | undefined;
  after(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((ok) => child!.once("exit", ok));
      child.kill("SIGTERM");
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("every command runs and the answers say what the comments claim", async () => {
    const lines = serviceBlock();
    assert.ok(lines.length >= 8, lines.join("\n"));
    let base = "";
    let jobId = "";
    const answers = new Map<string, J>();
    for (const line of lines) {
      if (line.startsWith("mfrec generate")) {
        for (const part of line.split("&&")) {
          const r = mfrec(words(part.trim()).slice(1), { cwd: dir });
          assert.equal(r.code, 0, `${part}: ${r.stderr}`);
        }
        continue;
      }
      if (line.includes("mfrec serve")) {
        const w = words(line);
        const token = /^MFREC_TOKEN=(.*)$/.exec(w[0]!)![1]!;
        const args = [...w.slice(2), "--port", "0", "--no-web"];
        child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, MFREC_TOKEN: token, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
        base = await new Promise<string>((ok, fail) => {
          let log = "";
          const onData = (b: Buffer) => {
            log += b.toString();
            const m = /listening on (http:\/\/\S+?)\s/.exec(log);
            if (m) ok(m[1]!);
          };
          child!.stdout!.on("data", onData);
          child!.stderr!.on("data", onData);
          child!.once("exit", (c) => fail(new Error(`serve exited ${c}: ${log}`)));
        });
        continue;
      }
      assert.ok(line.startsWith("curl "), line);
      const w = words(line).slice(1);
      let method = "GET";
      const headers: Record<string, string> = {};
      let body: string | undefined;
      let url = "";
      for (let k = 0; k < w.length; k++) {
        if (w[k] === "-X") method = w[++k]!;
        else if (w[k] === "-H") {
          const [name, ...v] = w[++k]!.split(":");
          headers[name!.trim()] = v.join(":").trim();
        } else if (w[k] === "-d") body = w[++k];
        else url = w[k]!;
      }
      const path = url.replace(/^localhost:8080/, "").replace("<id>", jobId);
      const res = await fetch(base + path, { method, headers, body });
      const text = await res.text();
      assert.ok(res.status >= 200 && res.status < 300, `${line}: ${res.status} ${text}`);
      const doc: J = path === "/metrics" ? text : JSON.parse(text);
      answers.set(`${method} ${jobId ? path.replace(jobId, "<id>") : path}`, doc);
      if (path === "/train") {
        jobId = doc.id;
        // Wait for the job so /jobs/<id> shows its epochs.
        for (let t = 0; t < 600; t++) {
          const j = (await (await fetch(`${base}/jobs/${jobId}`)).json()) as J;
          if (j.status === "succeeded" || j.status === "failed") break;
          await new Promise((ok) => setTimeout(ok, 50));
        }
      }
    }
    assert.equal(answers.get("GET /recommend/1?n=3").source, "model");
    assert.equal(answers.get("GET /recommend/1?n=3").items.length, 3);
    assert.equal(answers.get("GET /recommend/new-1?n=3").source, "fold-in");
    const e = answers.get("GET /explain/1/5?n=2");
    assert.equal(e.contributions.length, 2);
    assert.ok(Math.abs(e.baseline + e.contributions[0].contribution + e.contributions[1].contribution + e.rest.contribution - e.score) < 1e-9);
    const job = answers.get("GET /jobs/<id>");
    assert.equal(job.status, "succeeded", JSON.stringify(job));
    assert.equal(job.epochs.filter((x: J) => x.phase === "final").length, 5);
    assert.ok(answers.get("GET /openapi.json").paths["/explain/{user}/{item}"]);
  });
});
