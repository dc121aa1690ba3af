/**
 * A small hand-rolled progress bar on stderr. On a TTY it redraws one line in place at most
 * 10 times a second; elsewhere (CI logs, pipes) it prints a plain line at each 10% step, so logs
 * stay short. `finish` prints one summary line in both cases.
 */

/** Where progress goes: stderr in the CLI, a fake in tests. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Shown before the bar ("train als", "generate"). */
  label: string;
  /** Units of work in all (epochs, ratings). */
  total: number;
  /** Unit name for the counter ("epochs", "ratings"). */
  unit?: string;
  stream?: ProgressStream;
  /** Milliseconds clock (tests pass a fake). */
  now?: () => number;
  /** Print nothing (the summary line too). */
  quiet?: boolean;
}

/** Minimum milliseconds between TTY redraws (≤ 10 Hz). */
export const REDRAW_MS = 100;

/** Progress over `total` units: TTY redraw ≤ 10 Hz, otherwise one line per 10%. */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly tty: boolean;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastDecile = 0;
  private drawn = false;
  readonly started: number;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.now = opts.now ?? (() => performance.now());
    this.tty = this.stream.isTTY === true;
    this.started = this.now();
  }

  /** Seconds since the progress began. */
  get seconds(): number {
    return (this.now() - this.started) / 1000;
  }

  /** Report `done` units finished, with an optional note ("RMSE 0.91"). */
  update(done: number, extra = ""): void {
    if (this.opts.quiet) return;
    const total = Math.max(1, this.opts.total);
    const frac = Math.min(1, Math.max(0, done / total));
    const counter = `${done}/${this.opts.total}${this.opts.unit ? ` ${this.opts.unit}` : ""}`;
    if (this.tty) {
      const t = this.now();
      if (t - this.lastDraw < REDRAW_MS && done < total) return;
      this.lastDraw = t;
      const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
      const filled = Math.round(frac * width);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      this.stream.write(`\r${this.opts.label} [${bar}] ${String(Math.floor(frac * 100)).padStart(3)}% ${counter}${extra ? `  ${extra}` : ""}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(frac * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.opts.label}: ${decile * 10}% (${counter})${extra ? ` ${extra}` : ""}\n`);
    }
  }

  /** End the bar and print the summary line. */
  finish(summary: string): void {
    if (this.opts.quiet) return;
    if (this.tty && this.drawn) this.stream.write("\r\x1b[K");
    this.stream.write(`${summary}\n`);
  }

  /** End the bar without a summary (on error). */
  abandon(): void {
    if (this.tty && this.drawn) this.stream.write("\n");
  }
}
