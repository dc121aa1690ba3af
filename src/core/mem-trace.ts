/**
 * Memory tracing for profiling (issue 19): with the environment variable MFREC_MEMTRACE set (Node), each
 * {@link memTrace} call writes one line to stderr: the label, seconds since the first mark, and
 * process.memoryUsage() in MiB (rss, heapUsed, external, arrayBuffers). Off (and free: one boolean test)
 * otherwise and in browsers. Never changes results.
 */
interface ProcessLike {
  env?: Record<string, string | undefined>;
  memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  stderr?: { write(s: string): unknown };
  resourceUsage?: () => { maxRSS: number };
}

const proc = (globalThis as { process?: ProcessLike }).process;
const on = proc?.env?.MFREC_MEMTRACE !== undefined && proc.env.MFREC_MEMTRACE !== "" && typeof proc.memoryUsage === "function";
let t0 = 0;

/** Whether MFREC_MEMTRACE is set. */
export const memTraceEnabled = on;

/** Write one trace line (see the module comment) when MFREC_MEMTRACE is set. */
export function memTrace(label: string): void {
  if (!on) return;
  const now = typeof performance !== "undefined" ? performance.now() : Date.now();
  if (t0 === 0) t0 = now;
  const m = proc!.memoryUsage!();
  const mib = (b: number): string => (b / 1048576).toFixed(1);
  const peak = proc!.resourceUsage ? (proc!.resourceUsage().maxRSS / 1024).toFixed(1) : "?";
  proc!.stderr?.write(`memtrace ${((now - t0) / 1000).toFixed(2)}s ${label}: rss ${mib(m.rss)} peak ${peak} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)} MiB\n`);
}
