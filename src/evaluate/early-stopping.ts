import { MfrecError } from "../core/errors.js";
import type { EpochReport } from "../core/types.js";
import type { Ratings } from "../data/ratings.js";
import type { FactorModel, ModelConfig } from "../model/factor-model.js";
import { type FitOptions, fitSync, trainingData } from "../train/fit.js";
import { type EvaluateOptions, evaluateModel } from "./evaluate-model.js";
import { higherIsBetter, parseMetric } from "./metric-spec.js";

/** Early-stopping rule: stop after `patience` epochs without an improvement of more than `minDelta` in `metric`. */
export interface EarlyStopping {
  /** Epochs without improvement before stopping (integer ≥ 1). */
  patience: number;
  /** Validation metric ("rmse", "ndcg@10", …; default "rmse"). */
  metric?: string;
  /**
   * Warm-up: never stop before this many epochs have run (default 0). Early epochs of a factor model
   * can get worse before they get better (the biases settle, then the factors grow); without a
   * warm-up a small `patience` ends such a run near the mean predictor and reports a tiny best
   * epoch. The best epoch is still the best over every epoch run, warm-up included.
   */
  minEpochs?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Return a model trained for exactly the best epoch count (refit with the same seed; default true). */
  restoreBest?: boolean;
}

/** What an early-stopped fit returns: the model and the epoch history behind the choice. */
export interface EarlyStoppedFit {
  model: FactorModel;
  /** Epoch (1-based) with the best validation score: the epoch count to train for. */
  bestEpoch: number;
  bestScore: number;
  /** Epochs actually run before stopping. */
  epochsRun: number;
  stoppedEarly: boolean;
  /** Per-epoch reports of the monitored run, with `validation[metric]`. */
  history: EpochReport[];
}

/**
 * Fit with a validation metric computed after every epoch (FitOptions.validate) and stop when it has
 * not improved for `patience` epochs (onEpoch returns false). Epoch-based trainers are
 * deterministic per seed, so with restoreBest the returned model is a refit for `bestEpoch` epochs,
 * identical to the monitored run's state at that epoch.
 */
export function fitWithEarlyStopping(
  train: Ratings,
  config: Partial<ModelConfig> & { algorithm: string },
  validation: Ratings,
  rule: EarlyStopping,
  opts: { fit?: FitOptions; evaluate?: Omit<EvaluateOptions, "metrics"> } = {},
): EarlyStoppedFit {
  if (!(Number.isInteger(rule.patience) && rule.patience >= 1)) {
    throw new MfrecError("E_CONFIG", "option patience must be an integer >= 1", { column: "patience", value: rule.patience, expected: "an integer >= 1" });
  }
  const minEpochs = rule.minEpochs ?? 0;
  if (!(Number.isInteger(minEpochs) && minEpochs >= 0)) {
    throw new MfrecError("E_CONFIG", "option minEpochs must be an integer >= 0", { column: "minEpochs", value: rule.minEpochs, expected: "an integer >= 0" });
  }
  const metric = parseMetric(rule.metric ?? "rmse").name;
  const up = higherIsBetter(metric);
  const minDelta = rule.minDelta ?? 0;
  const data = opts.fit?.data ?? trainingData(train);
  let best = up ? -Infinity : Infinity;
  let bestEpoch = 0;
  let since = 0;
  let stoppedEarly = false;
  const history: EpochReport[] = [];
  const userValidate = opts.fit?.validate;
  const userOnEpoch = opts.fit?.onEpoch;
  const model = fitSync(train, config, {
    ...opts.fit,
    data,
    validate: (m) => {
      const v = evaluateModel(m, validation, { history: data.byUser, ...opts.evaluate, metrics: [metric] }).metrics;
      return userValidate ? { ...userValidate(m), ...v } : v;
    },
    onEpoch: (r) => {
      history.push(r);
      const v = r.validation![metric]!;
      if (up ? v > best + minDelta : v < best - minDelta) {
        best = v;
        bestEpoch = r.epoch;
        since = 0;
      } else since++;
      const go = userOnEpoch?.(r);
      if (since >= rule.patience && r.epoch >= minEpochs) {
        stoppedEarly = true;
        return false;
      }
      return go;
    },
  });
  const epochsRun = history.length;
  if (bestEpoch === 0) bestEpoch = epochsRun;
  let out = model;
  if ((rule.restoreBest ?? true) && bestEpoch < epochsRun) {
    out = fitSync(train, { ...config, epochs: bestEpoch }, { data, signal: opts.fit?.signal });
  }
  return { model: out, bestEpoch, bestScore: best, epochsRun, stoppedEarly, history };
}
