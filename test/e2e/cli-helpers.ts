import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/data.js";

/** The built CLI (tests run after `tsc -p .`). */
export const CLI = join(repoRoot, "dist", "src", "cli", "main.js");

/** What one run of the CLI did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `mfrec <args>` in `cwd`, without colour, and collect its output. */
export function mfrec(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run with --json and parse stdout as exactly one JSON document. */
export function mfrecJson<T = Record<string, unknown>>(args: readonly string[], opts: { cwd?: string } = {}): { run: CliRun; doc: T } {
  const run = mfrec([...args, "--json"], opts);
  let doc: T;
  try {
    doc = JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\n--- stderr:\n${run.stderr}`);
  }
  return { run, doc };
}

/** True when the text shows a JavaScript stack trace. */
export function hasStack(text: string): boolean {
  return /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at file:/.test(text);
}
