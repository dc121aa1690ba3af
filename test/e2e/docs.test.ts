import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type Command, CommanderError } from "commander";
import ts from "typescript";
import { buildProgram } from "../../src/cli/program.js";
import { repoRoot, sharedDataDir } from "../helpers/data.js";
import { commandLines, type DocBlock, fencedBlocks, inlineCommands, isCodeBlock, isShellBlock, mfrecInvocations, parseMarkers, shellCommands } from "../helpers/doc-blocks.js";
import { CLI } from "./cli-helpers.js";

// The docs, executed: every shell command of README.md and docs/*.md runs in a scratch directory (with
// small fixture files and the shared datasets linked at ../shared/data), every js/ts snippet that
// imports mfrec runs as an ES module against the built package, and every inline `mfrec …` command
// is parsed against the CLI. What cannot run here is marked in the doc (see test/helpers/doc-blocks.ts)
// and reported as skipped with the doc's reason.

const DOCS = ["README.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const TIMEOUT_MS = 120_000;
const dataDir = sharedDataDir();
const scratch = mkdtempSync(join(tmpdir(), "mfrec-docs-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Commands that refer to the shared datasets (directly or through the fixtures linked to them). */
const NEEDS_DATA = /\.\.\/shared\/data|\bu\d\.(base|test)\b|\bml-100k\//;

/** Parse `mfrec <args>` against the CLI without running anything: undefined when it parses, else the reason. */
async function parseOnly(args: string[]): Promise<string | undefined> {
  const program = buildProgram();
  let err = "";
  const silence = (c: Command) => {
    c.configureOutput({ writeOut: () => {}, writeErr: (s) => void (err += s), outputError: (s) => void (err += s) });
    c.action(() => {});
    for (const s of c.commands) silence(s);
  };
  silence(program);
  const warn = process.stderr.write;
  process.stderr.write = () => true; // arg parsers may warn (e.g. --threads above the core count)
  try {
    await program.parseAsync(["node", "mfrec", ...args]);
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return undefined; // --help, --version
    return (err || (e as Error).message).trim();
  } finally {
    process.stderr.write = warn;
  }
}

/** A scratch directory for one doc: `mfrec` on PATH, fixture files, ../shared/data linked. */
function sandbox(name: string): { cwd: string; env: NodeJS.ProcessEnv } {
  const root = join(scratch, name.replace(/[^\w.-]/g, "_"));
  const cwd = join(root, "work");
  const bin = join(root, "bin");
  mkdirSync(cwd, { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "mfrec"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, "mfrec"), 0o755);
  // import "mfrec" from a snippet resolves to this checkout's built package (its package.json exports).
  mkdirSync(join(cwd, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, join(cwd, "node_modules", "mfrec"), "dir");
  if (dataDir) {
    mkdirSync(join(root, "shared"), { recursive: true });
    symlinkSync(dataDir, join(root, "shared", "data"), "dir");
    const ml = join(dataDir, "ml-100k");
    if (existsSync(ml)) {
      symlinkSync(ml, join(cwd, "ml-100k"), "dir");
      for (const f of ["u1.base", "u1.test"]) symlinkSync(join(ml, f), join(cwd, f));
    }
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", FORCE_COLOR: "0", MFREC_CACHE: join(root, "cache") };
  // The files the docs' commands take as the reader's own: small, seeded.
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8" });
    assert.equal(r.status, 0, `fixture: mfrec ${args.join(" ")}\n${r.stderr}`);
  };
  run(["generate", "--users", "300", "--items", "100", "--ratings", "6000", "--seed", "1", "-o", "ratings.csv", "-q"]);
  run(["generate", "--users", "300", "--items", "100", "--ratings", "6000", "--seed", "2", "--implicit", "-o", "plays.csv", "-q"]);
  run(["train", "ratings.csv", "-o", "model.mfr", "--factors", "4", "--epochs", "3", "-q"]);
  copyFileSync(join(cwd, "model.mfr"), join(cwd, "m.mfr"));
  copyFileSync(join(repoRoot, "presets", "spaces", "sgd.json"), join(cwd, "space.json"));
  return { cwd, env };
}

/** Run one command line with bash in the sandbox; returns a failure message or undefined. */
function runLine(line: string, box: { cwd: string; env: NodeJS.ProcessEnv }): { failure?: string; stdout: string } {
  const r = spawnSync("bash", ["-o", "pipefail", "-c", line], { cwd: box.cwd, env: box.env, encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    return { failure: `did not finish in ${TIMEOUT_MS / 1000} s; mark the block (<!-- docs-test: skip … --> or replace … => …)`, stdout: r.stdout ?? "" };
  }
  if (r.status !== 0) return { failure: `exit ${r.status ?? r.signal}\n--- stderr:\n${r.stderr}`, stdout: r.stdout };
  // One JSON document on stdout for a single mfrec command with --json (the documented shape of every --json).
  const cmds = shellCommands(line);
  if (cmds.length === 1 && mfrecInvocations(line).length === 1 && mfrecInvocations(line)[0]!.includes("--json")) {
    try {
      JSON.parse(r.stdout);
    } catch {
      return { failure: `--json did not print one JSON document:\n${r.stdout.slice(0, 500)}`, stdout: r.stdout };
    }
  }
  return { stdout: r.stdout };
}

/** The block's replace markers applied to `text` (a line of it, or all); each marker's text must occur in the block. */
function applyReplacements(text: string, b: DocBlock): string {
  let t = text;
  for (const [from, to] of b.markers.replace) {
    assert.ok(b.body.includes(from), `${b.file}:${b.line}: replace marker's text not found in the block: ${from}`);
    t = t.split(from).join(to);
  }
  return t;
}

describe("docs markers and extraction", () => {
  test("markers, fences, continued lines, comments and shell words are read as documented", () => {
    const md = [
      "text `mfrec train r.csv -o m.mfr` and `mfrec eval` and `mfrec export-ratings --format parquet`",
      "<!-- docs-test: skip needs Spark -->",
      "",
      "```sh",
      "mfrec a \\",
      "  --b 1   # note",
      "# only a comment",
      "$ X=1 mfrec c 'd e' && curl x | head",
      "```",
      "   ```",
      "   indented",
      "   ```",
    ].join("\n");
    const [b, c] = fencedBlocks("x.md", md);
    assert.equal(b!.markers.skip, "needs Spark");
    assert.equal(b!.line, 4);
    assert.deepEqual(commandLines(b!.body), ["mfrec a --b 1   # note", "X=1 mfrec c 'd e' && curl x | head"]);
    assert.deepEqual(mfrecInvocations("X=1 mfrec c 'd e' && curl x | head # c"), [["c", "d e"]]);
    assert.deepEqual(shellCommands("a 'b c' && d | e; f"), [["a", "b c"], ["d"], ["e"], ["f"]]);
    assert.equal(c!.body, "indented");
    assert.deepEqual(inlineCommands(md), [{ line: 1, command: "mfrec train r.csv -o m.mfr" }]);
    assert.deepEqual(parseMarkers(["<!-- docs-test: replace 500 => 5 | a b => c -->"], "x").replace, [["500", "5"], ["a b", "c"]]);
    assert.throws(() => parseMarkers(["<!-- docs-test: skp typo -->"], "x"), /not a docs-test marker/);
  });

  test("parse-only catches what the audit found: a missing -o, an unknown flag, a bad choice", async () => {
    assert.equal(await parseOnly(["train", "r.csv", "-o", "m.mfr"]), undefined);
    assert.match((await parseOnly(["generate", "--users", "10"])) ?? "", /required option '-o, --output <file>' not specified/);
    assert.match((await parseOnly(["train", "r.csv", "-o", "m", "--frobnicate"])) ?? "", /unknown option/);
    assert.match((await parseOnly(["export-ratings", "r.csv", "--format", "csv", "--out", "d"])) ?? "", /expected one of parquet/);
    assert.equal(await parseOnly(["train", "--help"]), undefined);
  });
});

for (const doc of DOCS) {
  const text = readFileSync(join(repoRoot, doc), "utf8");
  const blocks = fencedBlocks(doc, text);
  const shell = blocks.filter(isShellBlock);
  const code = blocks.filter((b) => isCodeBlock(b));
  const inline = inlineCommands(text);
  if (shell.length + code.length + inline.length === 0) continue;

  describe(`${doc}`, () => {
    let box: { cwd: string; env: NodeJS.ProcessEnv } | undefined;
    const sandboxFor = () => {
      box ??= sandbox(doc);
      return box;
    };

    for (const b of shell) {
      const lines = commandLines(b.body);
      const reason = b.markers.skip ?? (!dataDir && NEEDS_DATA.test(b.body) ? "shared datasets not found: set MFREC_DATA_DIR or place them at ../shared/data" : undefined);
      const title = `${doc}:${b.line} sh: ${lines[0] ?? ""}${lines.length > 1 ? ` (+${lines.length - 1})` : ""}`;
      if (b.markers.parseOnly !== undefined) {
        test(`${title} [parse-only: ${b.markers.parseOnly}]`, { skip: b.markers.skip }, async () => {
          let n = 0;
          for (const line of lines) {
            for (const args of mfrecInvocations(line)) {
              n++;
              const bad = await parseOnly(args);
              assert.equal(bad, undefined, `${doc}:${b.line}: mfrec ${args.join(" ")}\n${bad}`);
            }
          }
          assert.ok(n > 0, "a parse-only block without any mfrec command: mark it skip instead");
        });
        continue;
      }
      test(title, { skip: reason }, () => {
        const s = sandboxFor();
        let stdout = "";
        for (const line of lines) {
          const r = runLine(applyReplacements(line, b), s);
          stdout += r.stdout;
          assert.equal(r.failure, undefined, `${doc}:${b.line}: ${line}\n${r.failure}`);
        }
        for (const re of b.markers.expect) assert.match(stdout, re, `${doc}:${b.line}: output does not match the doc's expect marker`);
      });
    }

    for (const b of code) {
      const imports = /\bfrom\s+["']mfrec(\/[\w-]+)?["']/.test(b.body);
      const reason = b.markers.skip ?? (imports ? undefined : "a fragment: it imports nothing from mfrec (add its imports to run it)");
      test(`${doc}:${b.line} ${b.lang} snippet`, { skip: reason }, () => {
        const s = sandboxFor();
        const src = applyReplacements(b.body, b);
        const js = b.lang.startsWith("t") ? ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText : src;
        const file = join(s.cwd, `snippet-${b.line}.mjs`);
        writeFileSync(file, js);
        const r = spawnSync(process.execPath, [file], { cwd: s.cwd, env: s.env, encoding: "utf8", timeout: TIMEOUT_MS });
        assert.equal(r.status, 0, `${doc}:${b.line}: the snippet failed\n${r.stderr}`);
        for (const re of b.markers.expect) assert.match(r.stdout, re);
      });
    }

    if (inline.length > 0) {
      test(`${doc}: ${inline.length} inline mfrec command${inline.length === 1 ? "" : "s"} parse against the CLI`, async () => {
        const bad: string[] = [];
        for (const c of inline) {
          for (const args of mfrecInvocations(c.command)) {
            const why = await parseOnly(args);
            if (why) bad.push(`${doc}:${c.line}: \`${c.command}\`: ${why.split("\n")[0]}`);
          }
        }
        assert.deepEqual(bad, []);
      });
    }
  });
}
