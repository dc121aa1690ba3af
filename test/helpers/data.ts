import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (tests run from dist/test/helpers). */
export const repoRoot = resolve(here, "..", "..", "..");

/**
 * The shared datasets: $MFREC_DATA_DIR, else ../shared/data beside the checkout.
 * Returns undefined when absent (a user's fresh clone); under CI=true absence is an error,
 * because CI always has the data and a silent skip there would hide a broken model.
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env.MFREC_DATA_DIR, join(repoRoot, "..", "shared", "data")].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(c)) return c;
  if (process.env.CI === "true") throw new Error(`CI=true but the shared datasets are missing (looked in ${candidates.join(", ")})`);
  return undefined;
}

/** A path inside the shared data, or a skip message for node:test's `skip` option. */
export function dataFile(...parts: string[]): { path: string; skip: false } | { path: string; skip: string } {
  const dir = sharedDataDir();
  if (!dir) return { path: "", skip: "shared datasets not found: set MFREC_DATA_DIR or place them at ../shared/data" };
  const p = join(dir, ...parts);
  if (!existsSync(p)) return { path: p, skip: `dataset file missing: ${p}` };
  return { path: p, skip: false };
}
