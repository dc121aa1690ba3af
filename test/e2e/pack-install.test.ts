/**
 * The packages as a user gets them: `npm pack` each workspace package, install the tarballs into an
 * empty app with --ignore-scripts, and check that the library and CLI compile nothing, stay small and work:
 * no better-sqlite3 (or any dependency with an install script) comes with `mfrec`, node_modules is at most
 * 10 MB, the README's library snippet runs, `npx mfrec demo` / `generate` / `train` work, and `mfrec serve`
 * without mfrec-server names the package to install. Then mfrec-server is added and loads.
 *
 * Needs the npm registry (the app installs mfrec's few dependencies); it is part of `npm test` and of CI.
 */
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../helpers/data.js";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", npm_config_update_notifier: "false" }, maxBuffer: 64 << 20 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes of a directory tree (files and symlinks as they are). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += treeBytes(p);
    else total += statSync(p).size;
  }
  return total;
}

/** Every installed package.json under node_modules (scoped ones included). */
function installedPackages(nm: string): Array<{ name: string; scripts: Record<string, string> }> {
  const out: Array<{ name: string; scripts: Record<string, string> }> = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      const p = join(dir, e.name);
      if (e.name.startsWith("@")) {
        visit(p);
        continue;
      }
      const pj = JSON.parse(readFileSync(join(p, "package.json"), "utf8")) as { name: string; scripts?: Record<string, string> };
      out.push({ name: pj.name, scripts: pj.scripts ?? {} });
      try {
        if (statSync(join(p, "node_modules")).isDirectory()) visit(join(p, "node_modules"));
      } catch {
        // no nested node_modules
      }
    }
  };
  visit(nm);
  return out;
}

/** The README's library snippet: the first ```ts block, which imports from "mfrec". */
function readmeSnippet(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const m = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README.md has a ```ts library snippet");
  assert.match(m[1]!, /from "mfrec"/);
  return m[1]!;
}

describe("packed packages installed into a fresh app", () => {
  let dir = "";
  let app = "";
  let lib = "";
  let server = "";

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mfrec-pack-"));
    const packs = join(dir, "packs");
    app = join(dir, "app");
    for (const d of [packs, app]) mkdirSync(d);
    lib = join(packs, ok(run(NPM, ["pack", "--silent", "--pack-destination", packs], repoRoot), "npm pack").trim().split("\n").pop()!);
    server = join(packs, ok(run(NPM, ["pack", "-w", "mfrec-server", "--silent", "--pack-destination", packs], repoRoot), "npm pack -w mfrec-server").trim().split("\n").pop()!);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }));
    ok(run(NPM, ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", lib], app), "npm install mfrec.tgz");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("mfrec installs without native modules or install scripts, at most 10 MB", () => {
    const nm = join(app, "node_modules");
    const pkgs = installedPackages(nm);
    const names = pkgs.map((p) => p.name);
    assert.ok(names.includes("mfrec"), names.join(", "));
    for (const bad of ["better-sqlite3", "hono", "zod", "mfrec-server"]) assert.ok(!names.includes(bad), `${bad} came with mfrec: ${names.join(", ")}`);
    for (const p of pkgs) {
      for (const hook of ["preinstall", "install", "postinstall"]) assert.equal(p.scripts[hook], undefined, `${p.name} has an ${hook} script`);
    }
    const bytes = treeBytes(nm);
    assert.ok(bytes <= 10 * 1024 * 1024, `node_modules is ${(bytes / 1048576).toFixed(1)} MB`);
    const tarball = readdirSync(join(dir, "packs"));
    assert.ok(tarball.length === 2);
  });

  test("the tarball ships no source maps and no development paths", () => {
    const list = ok(run("tar", ["-tzf", lib], dir), "tar -t");
    assert.ok(!/\.map$/m.test(list), "the library tarball contains .map files");
  });

  test("README's library snippet runs against the installed package", () => {
    writeFileSync(join(app, "snippet.mjs"), readmeSnippet());
    ok(run(process.execPath, ["snippet.mjs"], app), "README snippet");
  });

  test("npx mfrec demo, generate and train work", () => {
    const demo = ok(run(NPX, ["--no-install", "mfrec", "demo"], app), "npx mfrec demo");
    assert.match(demo, /Black Panther/);
    ok(run(NPX, ["--no-install", "mfrec", "generate", "--users", "200", "--items", "80", "--ratings", "4000", "--seed", "1", "-o", "r.csv"], app), "npx mfrec generate");
    const train = ok(run(NPX, ["--no-install", "mfrec", "train", "r.csv", "-o", "m.mfr", "--json"], app), "npx mfrec train");
    assert.ok(statSync(join(app, "m.mfr")).size > 0, train);
    const recs = JSON.parse(ok(run(NPX, ["--no-install", "mfrec", "recommend", "m.mfr", "1", "--json"], app), "npx mfrec recommend")) as Record<string, unknown>;
    assert.ok(recs, "recommend printed JSON");
  });

  test("mfrec serve without mfrec-server names the package to install", () => {
    const r = run(NPX, ["--no-install", "mfrec", "serve", "--db", "x.db", "--port", "0"], app);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /needs the mfrec-server package/);
    assert.match(r.stderr, /npm install mfrec-server/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  test("mfrec-server installs beside it and loads", () => {
    ok(run(NPM, ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", lib, server], app), "npm install mfrec-server.tgz");
    const out = ok(run(process.execPath, ["--input-type=module", "-e", 'const m = await import("mfrec-server"); console.log(typeof m.startServer, typeof m.createServer)'], app), "import mfrec-server");
    assert.equal(out.trim(), "function function");
  });
});
