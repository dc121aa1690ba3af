/**
 * The `mfrec` program: every command registered, the error-to-exit-code mapping and `run`. Apart
 * from main.ts (which only runs it) so tests and the docs test can inspect the commands and parse
 * a command line without running it.
 */
import { Command, CommanderError } from "commander";
import { isMfrecError } from "../index.js";
import { MFREC_VERSION } from "../train/fit.js";
import { registerConvertCommand } from "./commands/convert.js";
import { registerDatasetsCommand } from "./commands/datasets.js";
import { registerEvalCommand } from "./commands/eval.js";
import { registerGenerateCommand } from "./commands/generate.js";
import { registerIndexCommands } from "./commands/index-build.js";
import { registerInfoCommands } from "./commands/info.js";
import { registerQueryCommands } from "./commands/query.js";
import { registerRecommendAllCommand } from "./commands/recommend-all.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSparkCommands } from "./commands/spark.js";
import { registerTrainCommand } from "./commands/train.js";
import { registerTuneCommand } from "./commands/tune.js";
import { registerDemoCommand } from "./demo.js";
import { printJson } from "./output.js";

/** The program with every command registered (tests and docs can inspect it). */
export function buildProgram(): Command {
  const program = new Command("mfrec")
    .description("matrix-factorization recommendations: train, predict, recommend, similar items, evaluate")
    .version(MFREC_VERSION, "-V, --version")
    .showHelpAfterError("(run mfrec --help for usage)")
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`mfrec: ${str.replace(/^error: /, "")}`) });
  registerTrainCommand(program);
  registerQueryCommands(program);
  registerRecommendAllCommand(program);
  registerIndexCommands(program);
  registerInfoCommands(program);
  registerEvalCommand(program);
  registerTuneCommand(program);
  registerGenerateCommand(program);
  registerDemoCommand(program);
  registerDatasetsCommand(program);
  registerConvertCommand(program);
  registerSparkCommands(program);
  registerServeCommand(program);
  // Commands are created by .command() before these settings could be inherited, so copy them down (nested too).
  const inherit = (parent: Command, path: string) => {
    for (const c of parent.commands) {
      const name = `${path} ${c.name()}`;
      c.exitOverride();
      c.configureOutput(program.configureOutput());
      c.showHelpAfterError(`(run ${name} --help for usage)`);
      inherit(c, name);
    }
  };
  inherit(program, "mfrec");
  return program;
}

/** Map an error to its exit code, printing it unless commander already did. */
export function reportError(e: unknown, argv: readonly string[]): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  const debug = argv.includes("--debug");
  const message = e instanceof Error ? e.message : String(e);
  const known = isMfrecError(e);
  process.stderr.write(`mfrec: ${known ? "" : "internal error: "}${message}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  else if (!known) process.stderr.write("(run again with --debug for the stack trace)\n");
  if (argv.includes("--json")) printJson({ error: known ? e.toJSON() : { code: "E_INTERNAL", message } });
  return 1;
}

/** Run the CLI on process.argv-style arguments; resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return 0;
  } catch (e) {
    return reportError(e, argv);
  }
}

