/**
 * Imported first by the CLI (main.ts), before the library loads: V8's young generation stays at its initial
 * size (1 MiB semi-spaces) instead of growing to 16 MiB ones, `--semi-space-growth-factor=1`, set at run time
 * (V8 reads it whenever the young generation would grow). The batch commands allocate little that dies young
 * (their data lives in typed arrays and kernel memory), so the grown young generation was ~15–30 MiB of resident
 * memory for nothing: `mfrec train` at 10M ratings, als 335 -> 314 MiB, read time unchanged (docs/performance.md,
 * Memory). Not for `serve` and `demo` (long-running, allocation-heavy request handling), nor when the user set a
 * young-generation flag of their own (node --max-semi-space-size / --semi-space-growth-factor, NODE_OPTIONS).
 */
import { setFlagsFromString } from "node:v8";

const own = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => /semi[-_]space/.test(a));
const command = process.argv.slice(2).find((a) => !a.startsWith("-"));
if (!own && command !== "serve" && command !== "demo") {
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
  } catch {
    // a runtime without the flag: the default young generation
  }
}
