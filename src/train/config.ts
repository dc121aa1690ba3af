import { MfrecError } from "../core/errors.js";

/** Rules for one numeric option. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive lower bound (e.g. learning rate > 0). */
  above?: number;
  integer?: boolean;
}

/**
 * Rules for the keys every algorithm shares (ARCHITECTURE lesson 10: one vocabulary), so a value is
 * accepted or refused the same way whichever algorithm reads it. Implicit ALS-family trainers also
 * accept `epochs: 0` (the seeded initial factors) — see their own rule.
 */
export const RULES = {
  factors: { min: 1, max: 4096, integer: true },
  epochs: { min: 1, max: 100000, integer: true },
  seed: { min: 0, max: 0xffffffff, integer: true },
  /** FitOptions.threads: 0 = automatic (all cores when a pool factory is registered). Never changes results. */
  threads: { min: 0, max: 1024, integer: true },
} as const satisfies Record<string, NumberRule>;

/**
 * Read a numeric option with a default, rejecting wrong types and values with E_CONFIG that
 * names the option, the value and the allowed range.
 */
export function numberOption(config: Record<string, unknown>, key: string, fallback: number, rule: NumberRule = {}): number {
  const raw = config[key];
  if (raw === undefined || raw === null) return fallback;
  const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  const range = describe(rule);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new MfrecError("E_CONFIG", `option ${key} must be a finite number`, { column: key, value: raw, expected: range });
  }
  if ((rule.integer && !Number.isInteger(v)) || (rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max) || (rule.above !== undefined && v <= rule.above)) {
    throw new MfrecError("E_CONFIG", `option ${key} is out of range`, { column: key, value: raw, expected: range });
  }
  return v;
}

/** Read a boolean option ("true"/"false" strings accepted, for CLI and query strings). */
export function booleanOption(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const raw = config[key];
  if (raw === undefined || raw === null) return fallback;
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new MfrecError("E_CONFIG", `option ${key} must be true or false`, { column: key, value: raw, expected: "true or false" });
}

/** Read a string option that must be one of `choices`. */
export function choiceOption<T extends string>(config: Record<string, unknown>, key: string, fallback: T, choices: readonly T[]): T {
  const raw = config[key];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== "string" || !choices.includes(raw as T)) {
    throw new MfrecError("E_CONFIG", `option ${key} has an unknown value`, { column: key, value: raw, expected: `one of ${choices.join(", ")}` });
  }
  return raw as T;
}

/**
 * Keys of a fit's runtime that configs written before they moved to FitOptions may still carry: accepted by
 * every algorithm, never kept in a resolved config (fit reads them as FitOptions).
 */
export const RUNTIME_KEYS: readonly string[] = ["threads"];

/** Reject keys an algorithm does not read (a typo must not be silently ignored). */
export function rejectUnknownKeys(config: Record<string, unknown>, known: readonly string[], algorithm: string): void {
  for (const key of Object.keys(config)) {
    if (key === "algorithm" || config[key] === undefined || RUNTIME_KEYS.includes(key)) continue;
    if (!known.includes(key)) {
      throw new MfrecError("E_CONFIG", `algorithm ${algorithm} has no option ${key}`, { column: key, value: config[key], expected: `one of ${known.join(", ")}` });
    }
  }
}

function describe(r: NumberRule): string {
  const parts: string[] = [r.integer ? "an integer" : "a number"];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  return parts.join(" ");
}
