import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { repoRoot } from "../helpers/data.js";

test("demo --serve: serves the demo's model and the dashboard until Ctrl-C, then cleans up", async () => {
  const child = spawn(process.execPath, [join(repoRoot, "dist", "src", "cli", "main.js"), "demo", "--serve", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL after 60 s:\n${out}`)), 60_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Dashboard\S*: \S*(http:\/\/127\.0\.0\.1:\d+)\//.exec(stripVTControlCharacters(out));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
  });
  try {
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    assert.ok(health);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const recs = await fetch(`${url}/recommend/0?n=3`);
    assert.equal(recs.status, 200);
  } finally {
    child.kill("SIGINT");
  }
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, out);
  const dir = /Data in (\S+) \(removed on exit\)/.exec(stripVTControlCharacters(out))?.[1];
  assert.ok(dir && !existsSync(dir), `temporary folder left behind: ${dir}`);
});
