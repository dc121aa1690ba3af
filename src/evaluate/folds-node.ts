import { readdirSync } from "node:fs";
import { join } from "node:path";
import { MfrecError } from "../core/errors.js";
import type { ReadOptions } from "../data/detect-layout.js";
import { readRatingsFile } from "../data/read-file-node.js";
import { type Split, splitReport } from "./subset.js";

/**
 * Read a training file and a test file, the test indexed with (clones of) the training file's
 * IdIndexes so known ids share dense indices and unseen ones come after them.
 */
export async function readTrainTest(trainPath: string, testPath: string, opts: ReadOptions = {}): Promise<Split> {
  const train = await readRatingsFile(trainPath, opts);
  const test = await readRatingsFile(testPath, { ...opts, userIndex: train.userIndex.clone(), itemIndex: train.itemIndex.clone() });
  return { train, test, report: splitReport(train, test) };
}

/**
 * The predefined folds of a directory: every `<name><n>.base` with a matching `<name><n>.test`
 * (MovieLens 100k: u1.base/u1.test … u5.base/u5.test), in order of n. `prefix` picks one family
 * when several exist (default "u"; ua/ub are not folds). Throws E_IO when no pair is found.
 */
export async function readPredefinedFolds(dir: string, opts: ReadOptions & { prefix?: string } = {}): Promise<Split[]> {
  const { prefix = "u", ...read } = opts;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new MfrecError("E_IO", "cannot list the folds directory", { file: dir, expected: "a directory holding u1.base/u1.test …", cause: e });
  }
  const have = new Set(names);
  const esc = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^${esc}(\\d+)\\.base$`);
  const pairs = names
    .map((n) => re.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && have.has(`${prefix}${m[1]}.test`))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  if (pairs.length === 0) {
    throw new MfrecError("E_IO", `no ${prefix}<n>.base / ${prefix}<n>.test pair in the folds directory`, { file: dir, expected: `files like ${prefix}1.base and ${prefix}1.test` });
  }
  const out: Split[] = [];
  for (const n of pairs) out.push(await readTrainTest(join(dir, `${prefix}${n}.base`), join(dir, `${prefix}${n}.test`), read));
  return out;
}
