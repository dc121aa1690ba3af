/**
 * The model-configuration flags of train, eval and tune, defined once: the common vocabulary
 * (--algorithm --factors --epochs --regularization --learning-rate --alpha --seed --threads), a shipped or
 * custom preset (--preset ials-lastfm | file.json) and any algorithm-specific key (--set key=value).
 * Precedence: preset < common flags < --set.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import { MfrecError, type ModelConfig } from "../index.js";
import { capabilitiesOf } from "../train/registry.js";
import "../train/algorithms.js"; // the built-ins answer capabilitiesOf even when nothing else imported them
import { intArg, numberArg, threadsArg } from "./args.js";

/** The parsed values of {@link addModelOptions}' flags. */
export interface ModelFlags {
  algorithm?: string;
  factors?: number;
  epochs?: number;
  regularization?: number;
  learningRate?: number;
  alpha?: number;
  seed?: number;
  threads?: number;
  preset?: string;
  set?: Array<[string, string | number | boolean]>;
  /** Side-feature files (long id,feature[,value]); they make hybrid the default algorithm. */
  itemFeatures?: string;
  userFeatures?: string;
}

/** The presets shipped with the package (presets/*.json beside dist/). */
export const PRESETS_DIR = fileURLToPath(new URL("../../../presets/", import.meta.url));

/** Names of the shipped presets. */
export function presetNames(): string[] {
  return existsSync(PRESETS_DIR) ? readdirSync(PRESETS_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];
}

/** A preset by shipped name or by path to a JSON file. */
export function loadPreset(nameOrPath: string): Partial<ModelConfig> {
  const path = existsSync(nameOrPath) ? nameOrPath : `${PRESETS_DIR}${nameOrPath}.json`;
  if (!existsSync(path)) {
    throw new MfrecError("E_CONFIG", `no preset ${JSON.stringify(nameOrPath)}`, { value: nameOrPath, expected: `a JSON file or one of ${presetNames().join(", ")}` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new MfrecError("E_CONFIG", "the preset is not valid JSON", { file: path, cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new MfrecError("E_CONFIG", "a preset must be a JSON object of options", { file: path });
  return parsed as Partial<ModelConfig>;
}

/** "key=value": numbers and true/false are typed, anything else stays a string. */
function setArg(value: string, previous: Array<[string, string | number | boolean]> = []): Array<[string, string | number | boolean]> {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected key=value (e.g. confidence=log), got ${JSON.stringify(value)}`);
  const raw = m[2]!;
  const typed = raw === "true" ? true : raw === "false" ? false : raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return [...previous, [m[1]!, typed]];
}

/** Add the model-configuration flags to a command. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option("-a, --algorithm <name>", "als (default; ials with --implicit; hybrid with --item-features or --user-features), sgd, ials, wals, bpr, baseline, svdpp, nmf, bpmf, bayes-fm, ease, hybrid")
    // Integers only here; ranges are the algorithm's to check (E_CONFIG, exit 1), in the same words as the library and server.
    .option("-k, --factors <k>", "latent factors", intArg())
    .option("--epochs <n>", "passes over the data", intArg())
    .option("--regularization <lambda>", "L2 penalty λ", numberArg)
    .option("--learning-rate <eta>", "SGD step size", numberArg)
    .option("--alpha <alpha>", "implicit confidence weight", numberArg)
    .option("--seed <n>", "random seed", intArg())
    .option("--threads <n>", "worker threads (0 = all cores, the default; at most the core count); the result does not depend on it", threadsArg())
    .option("--preset <name|file>", "start from a shipped preset (presets/*.json, e.g. ials-lastfm) or a JSON file")
    .option("--set <key=value>", "any other option of the algorithm (repeatable), e.g. --set confidence=log", setArg)
    .option("--item-features <file>", "item side features, long CSV id,feature[,value] (algorithms hybrid, the default with features, and bayes-fm): cold items are scored from them (hybrid)")
    .option("--user-features <file>", "user side features, long CSV id,feature[,value] (algorithms hybrid, bayes-fm): cold users are scored from them (hybrid)");
}

/**
 * The model config: preset, then the common flags given, then --set. Without -a and a preset's algorithm,
 * the algorithm is als for ratings and ials for implicit input (`implicitInput`: --implicit, or a file
 * without a rating column).
 */
export function modelConfigFrom(f: ModelFlags, implicitInput = false): Partial<ModelConfig> & { algorithm: string } {
  const preset = f.preset ? loadPreset(f.preset) : {};
  const withFeatures = f.itemFeatures !== undefined || f.userFeatures !== undefined;
  const algorithm = f.algorithm ?? (typeof preset.algorithm === "string" ? preset.algorithm : withFeatures ? "hybrid" : implicitInput ? "ials" : "als");
  const config: Partial<ModelConfig> & { algorithm: string } = { ...preset, algorithm };
  if (f.algorithm && preset.algorithm !== undefined && preset.algorithm !== f.algorithm) {
    throw new MfrecError("E_CONFIG", `preset ${f.preset} is for ${String(preset.algorithm)}, not ${f.algorithm}`, { value: f.algorithm, expected: String(preset.algorithm) });
  }
  const given: Array<[string, number | undefined]> = [
    ["factors", f.factors],
    ["epochs", f.epochs],
    ["regularization", f.regularization],
    ["learningRate", f.learningRate],
    ["alpha", f.alpha],
    ["seed", f.seed],
  ];
  for (const [key, v] of given) if (v !== undefined) config[key] = v;
  for (const [key, v] of f.set ?? []) config[key] = v;
  return config;
}

/** The fit options of the flags: --threads is how the fit runs, not model configuration. */
export function fitOptionsFrom(f: ModelFlags): { threads?: number } {
  return f.threads === undefined ? {} : { threads: f.threads };
}

/**
 * With --implicit, an algorithm with the `implicitStrength` capability (ials, the default algorithm then)
 * keeps a value column as each interaction's strength (play counts, clicks: weighed by log confidence,
 * train/weighted-als/); other algorithms read every pair as 1.
 * True when the reader should keep the values for that reason.
 */
export function keepsImplicitStrength(f: ModelFlags & { implicit?: boolean }): boolean {
  if (f.implicit !== true) return false;
  const preset = f.preset ? loadPreset(f.preset) : {};
  return capabilitiesOf(f.algorithm ?? (typeof preset.algorithm === "string" ? preset.algorithm : "ials")).implicitStrength === true;
}
