import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../helpers/data.js";

// The `mfrec` entry (package.json exports ".") must run in a browser: its whole static and dynamic
// import graph, as built, holds no `node:` module, no Node built-in and no package that is one.
const STATIC = /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

type Target = string | { [condition: string]: Target };
const pkgImports = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { imports: Record<string, Target> }).imports;

/** A package.json `imports` target under the given export conditions (first matching key, as Node and bundlers do). */
function pick(t: Target, conditions: readonly string[]): string | undefined {
  if (typeof t === "string") return t;
  for (const [c, v] of Object.entries(t)) if (c === "default" || conditions.includes(c)) {
    const r = pick(v, conditions);
    if (r) return r;
  }
  return undefined;
}

/**
 * Every file reachable from `entry` and every non-relative specifier imported on the way (with who imports it);
 * `#` specifiers resolve through package.json "imports" under `conditions` (a bundler's for the browser).
 */
function importGraph(entry: string, conditions: readonly string[] = ["browser", "import"]): { files: Set<string>; external: Array<{ spec: string; from: string }> } {
  const files = new Set<string>();
  const external: Array<{ spec: string; from: string }> = [];
  const visit = (file: string) => {
    if (files.has(file)) return;
    assert.ok(existsSync(file), `imported file missing: ${file}`);
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const re of [STATIC, DYNAMIC]) {
      for (const m of text.matchAll(re)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith("./") || spec.startsWith("../")) visit(resolve(dirname(file), spec));
        else if (spec.startsWith("#") && pkgImports[spec]) visit(join(repoRoot, pick(pkgImports[spec]!, conditions)!));
        else external.push({ spec, from: relative(repoRoot, file) });
      }
    }
  };
  visit(entry);
  return { files, external };
}

describe("browser-safe library entry", () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { exports: Record<string, { default: string }> };
  const entry = join(repoRoot, pkg.exports["."]!.default);

  test("the walker sees Node imports where they are (mfrec/node imports node:fs)", () => {
    const node = importGraph(join(repoRoot, pkg.exports["./node"]!.default));
    assert.ok(node.external.some((e) => builtins.has(e.spec)), "the walker found no built-in in mfrec/node: it is broken");
  });

  test("the environment's kernel pool is chosen by export conditions: worker_threads under \"node\", inline for a browser", async () => {
    const underNode = importGraph(entry, ["node", "import"]);
    assert.ok(underNode.external.some((e) => e.spec === "node:worker_threads"), "under the node condition the entry reaches the worker_threads pool");
    const underBrowser = importGraph(entry);
    assert.ok([...underBrowser.files].some((f) => f.endsWith("environment-pool-browser.js")));
    assert.ok(![...underBrowser.files].some((f) => f.endsWith("pool-node.js")), "a browser bundle must not see the Node pool");
    // And at run time: this process (condition "node") gets worker_threads with every core without importing mfrec/node.
    const { defaultPoolFactory } = (await import(join(repoRoot, "dist/src/parallel/pool-factory.js"))) as typeof import("../../src/parallel/pool-factory.js");
    const { nodePoolFactory } = (await import(join(repoRoot, "dist/src/parallel/pool-node.js"))) as typeof import("../../src/parallel/pool-node.js");
    assert.equal(defaultPoolFactory(), nodePoolFactory);
  });

  test(`${relative(repoRoot, entry)}: no node: module, no Node built-in in its import graph`, () => {
    const { files, external } = importGraph(entry);
    assert.ok(files.size >= 20, `only ${files.size} files reached: is the entry built?`);
    const bad = external.filter((e) => builtins.has(e.spec) || e.spec.startsWith("node:"));
    assert.deepEqual(bad, [], "Node-only imports reachable from the browser entry");
    // Packages it imports must be browser-safe too; today it imports none, so any new one is looked at here.
    assert.deepEqual(external, [], "the browser entry imports packages: check them for Node built-ins and list them here");
  });
});
