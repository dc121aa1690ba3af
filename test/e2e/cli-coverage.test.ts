import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/program.js";
import { repoRoot } from "../helpers/data.js";

// Every subcommand of `mfrec` is run as typed (spawned through the built CLI) by some end-to-end test
// in test/e2e/: a new command without one fails here, naming it.
function leafCommands(c: Command, path: string[] = []): string[][] {
  const out: string[][] = [];
  for (const sub of c.commands) {
    if (sub.name() === "help") continue;
    const p = [...path, sub.name()];
    if (sub.commands.filter((s) => s.name() !== "help").length > 0) out.push(...leafCommands(sub, p));
    else out.push(p);
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("every mfrec subcommand has an end-to-end test that runs it as typed", () => {
  const e2e = join(repoRoot, "test", "e2e");
  const sources = readdirSync(e2e)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => readFileSync(join(e2e, f), "utf8"))
    .join("\n");
  const commands = leafCommands(buildProgram());
  assert.ok(commands.length >= 18, `found ${commands.length} commands`);
  const missing = commands.filter((path) => {
    // The command words as the first arguments of a CLI run: mfrec(["a", "b", …]), run("a", …), spawn(node, [CLI, "a", …]).
    const words = path.map((w) => `["']${escapeRe(w)}["']`).join("\\s*,\\s*");
    const re = new RegExp(`(?:mfrec(?:Json)?\\s*(?:<[^>]*>)?\\(\\s*\\[|\\brun\\(|\\[\\s*(?:CLI|cli)\\s*,)\\s*${words}\\s*[,\\]\\)]`);
    return !re.test(sources);
  });
  assert.deepEqual(missing.map((p) => p.join(" ")), [], "subcommands without an end-to-end test");
});
