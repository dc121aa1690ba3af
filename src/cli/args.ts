/**
 * Flag-value parsers for commander. A value of the wrong type is a usage error (exit 2) with
 * the flag named; ranges are left to the algorithm's validator (MfrecError E_CONFIG, exit 1)
 * so the CLI, the server and the library reject the same values with the same words.
 */
import { availableParallelism } from "node:os";
import { InvalidArgumentError } from "commander";

/** An integer flag value (at least `min` when given). */
export function intArg(min?: number): (value: string) => number {
  return (value: string) => {
    const v = Number(value);
    if (value.trim() === "" || !Number.isInteger(v)) throw new InvalidArgumentError(`expected an integer, got ${JSON.stringify(value)}`);
    if (min !== undefined && v < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got ${value}`);
    return v;
  };
}

/**
 * A --threads value: an integer (at least `min` when given; 0 = all cores). More threads than the
 * machine has cores only adds contention (results never depend on the count), so such a value is
 * lowered to the core count with a warning on stderr. `cores` is for tests.
 */
export function threadsArg(min?: number, cores: () => number = availableParallelism): (value: string) => number {
  const int = intArg(min);
  return (value: string) => {
    const v = int(value);
    const n = cores();
    if (v > n) {
      process.stderr.write(`warning: --threads ${v} is more than the ${n} core${n === 1 ? "" : "s"} here; using ${n}\n`);
      return n;
    }
    return v;
  };
}

/** A finite number flag value. */
export function numberArg(value: string): number {
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(value)}`);
  return v;
}

/** A comma-separated list ("a,b,c"), empty entries dropped. */
export function listArg(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** One of `choices`. */
export function choiceArg<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!choices.includes(value as T)) throw new InvalidArgumentError(`expected one of ${choices.join(", ")}, got ${JSON.stringify(value)}`);
    return value as T;
  };
}

/** "1,5" or "1..5" → [1, 5]. */
export function scaleArg(value: string): [number, number] {
  const m = /^\s*(-?[\d.]+)\s*(?:,|\.\.)\s*(-?[\d.]+)\s*$/.exec(value);
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m ? Number(m[2]) : Number.NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) throw new InvalidArgumentError(`expected "low,high" with low < high, got ${JSON.stringify(value)}`);
  return [lo, hi];
}

/** Options every command takes. */
export interface CommonFlags {
  json?: boolean;
  debug?: boolean;
}
