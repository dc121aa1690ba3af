import { MfrecError } from "../core/errors.js";
import type { FitWarning } from "../core/types.js";
import type { Ratings } from "../data/ratings.js";
import type { ModelConfig } from "../model/factor-model.js";
import { type FitOptions, fitSync } from "../train/fit.js";
import { type EvaluateOptions, type ModelEvaluation, evaluateModel } from "./evaluate-model.js";
import { parseMetrics } from "./metric-spec.js";
import { splitReport } from "./subset.js";

/** One fold's figures: every asked metric by name plus counts and timing. */
export interface FoldResult {
  /** Metric name → value ("rmse", "ndcg@10", …). */
  metrics: Record<string, number>;
  trainRatings: number;
  testRatings: number;
  /** Test ratings whose user/item has no training rating (scored by fallback, or unrankable). */
  unseenTestRatings: number;
  fitSeconds: number;
  evaluation: ModelEvaluation;
  /** What the fold's fit counted and skipped (the model's provenance.warnings; empty: nothing). */
  warnings: FitWarning[];
}

/** Per-fold results, and the mean and standard deviation of each metric over folds. */
export interface CrossValidation {
  folds: FoldResult[];
  mean: Record<string, number>;
  /** Population standard deviation over folds (divides by the number of folds, as Surprise's cross_validate prints). */
  std: Record<string, number>;
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends Omit<EvaluateOptions, "metrics"> {
  metrics?: string | readonly string[];
  /** Called after each fold (0-based index) with its result. */
  onFold?: (fold: number, result: FoldResult) => void;
  /** Passed to every fit (e.g. onEpoch for progress, signal). */
  fit?: Omit<FitOptions, "data">;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** mean_m = Σ_f m_f / F and std_m = √(Σ_f (m_f − mean_m)² / F) for every metric m. */
export function summarize(rows: readonly Record<string, number>[]): { mean: Record<string, number>; std: Record<string, number> } {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  if (rows.length === 0) return { mean, std };
  for (const key of Object.keys(rows[0]!)) {
    let s = 0;
    for (const r of rows) s += r[key]!;
    const m = s / rows.length;
    let v = 0;
    for (const r of rows) v += (r[key]! - m) ** 2;
    mean[key] = m;
    std[key] = Math.sqrt(v / rows.length);
  }
  return { mean, std };
}

/**
 * Train `config` on each fold's training part and evaluate on its test part (test parts indexed
 * like their training parts, e.g. from kFoldSplit or readPredefinedFolds).
 */
export function crossValidate(
  config: Partial<ModelConfig> & { algorithm: string },
  folds: ReadonlyArray<{ train: Ratings; test: Ratings }>,
  opts: CrossValidateOptions = {},
): CrossValidation {
  if (folds.length === 0) throw new MfrecError("E_CONFIG", "cross-validation needs at least one fold", { column: "folds", value: 0, expected: "one or more folds" });
  const metricNames = parseMetrics(opts.metrics ?? ["rmse", "mae"], opts.k ?? 10).map((m) => m.name);
  const results: FoldResult[] = [];
  folds.forEach((fold, f) => {
    const t0 = now();
    const model = fitSync(fold.train, config, opts.fit);
    const fitSeconds = (now() - t0) / 1000;
    const evaluation = evaluateModel(model, fold.test, { ...opts, metrics: metricNames });
    const rep = splitReport(fold.train, fold.test);
    const result: FoldResult = {
      metrics: evaluation.metrics,
      trainRatings: fold.train.length,
      testRatings: fold.test.length,
      unseenTestRatings: rep.unseenTestRatings,
      fitSeconds,
      evaluation,
      warnings: model.provenance?.warnings ?? [],
    };
    results.push(result);
    opts.onFold?.(f, result);
  });
  const { mean, std } = summarize(results.map((r) => ({ ...r.metrics, fitSeconds: r.fitSeconds })));
  return { folds: results, mean, std };
}
