/**
 * Node writers for {@link recommendAll}: stream every user's top-n to a file as JSON Lines
 * ({"user":…,"items":[…],"scores":[…]} per line) or CSV (user,rank,item,score per row), writing
 * through a stream with back-pressure so memory stays bounded by one scoring block. The options are
 * recommendAll's: `kernels`/`threads`/`pool` pick the WASM SIMD path on the worker pool or the TS reference.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { MfrecError } from "../core/errors.js";
import type { FactorModel } from "../model/factor-model.js";
import { type RecommendAllOptions, recommendAll } from "./recommend-all.js";

async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  const out: WriteStream = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once("error", (e) => reject(new MfrecError("E_IO", `cannot write ${path}`, { file: path, cause: e }))));
  let count = 0;
  try {
    for (const line of lines) {
      count++;
      if (!out.write(line)) await Promise.race([new Promise<void>((r) => out.once("drain", () => r())), failed]);
    }
    await Promise.race([new Promise<void>((r) => out.end(r)), failed]);
  } catch (e) {
    // Wait for the close: the file is opened asynchronously, so a caller removing it right away could
    // otherwise run before the open and find the file reappear.
    const closed = new Promise<void>((r) => out.once("close", () => r()));
    out.destroy();
    if (!out.closed) await closed;
    throw e;
  }
  return count;
}

/** Quote a CSV field when it holds a comma, quote or newline (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write every user's top-n as JSON Lines; resolves to the number of users written. */
export function writeRecommendationsJsonl(model: FactorModel, path: string, opts: RecommendAllOptions = {}): Promise<number> {
  function* lines(): Generator<string> {
    for (const r of recommendAll(model, opts)) yield `${JSON.stringify(r)}\n`;
  }
  return writeLines(path, lines());
}

/** Write every user's top-n as CSV rows `user,rank,item,score` (header first; rank is 1-based); resolves to the number of users. */
export async function writeRecommendationsCsv(model: FactorModel, path: string, opts: RecommendAllOptions = {}): Promise<number> {
  function* lines(): Generator<string> {
    yield "user,rank,item,score\n";
    for (const r of recommendAll(model, opts)) {
      let s = "";
      for (let t = 0; t < r.items.length; t++) s += `${csvField(r.user)},${t + 1},${csvField(r.items[t]!)},${r.scores[t]}\n`;
      yield s;
    }
  }
  return (await writeLines(path, lines())) - 1;
}
