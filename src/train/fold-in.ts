/**
 * Fold-in: a user's (or item's) factor row solved in one step against the fixed other side, with
 * the very objective the model was trained on (its config, read through the algorithm's capabilities,
 * train/trainer.ts), so a loaded model can serve new users in a browser without a trainer:
 *
 *   a weighted objective (ials, wals): the weighted least-squares solve of kernels/implicit-als.ts, exact (Cholesky);
 *   an algorithm's own row fold-in (bpr: averaged gradient passes, train/bpr/; hybrid: the user's feature
 *     vector plus an own part fitted to the positives, train/hybrid/; bayes-fm: each sample's conditional mean of
 *     the id part, plus the stored implicit and feature vectors of the row's history and features);
 *   any other explicit model (als, sgd, bpmf, ...): the ridge solve on r − μ − b_i with the bias as one
 *     more column (kernels/als-explicit.ts), λ scaled by the row's count where the algorithm's objective is
 *     (`countWeightedRegularization`; sgd: λ·n_u, its per-rating penalty summed).
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { alsExplicitHalfSweep } from "../kernels/als-explicit.js";
import { entryWeights, fullGramian, type WeightedAlsArgs, weightedAlsHalfSweep } from "../kernels/implicit-als.js";
import type { IdIndex } from "../data/id-index.js";
import type { FactorModel } from "../model/factor-model.js";
import { algorithmsWith, capabilitiesOf } from "./registry.js";
import type { FoldedRow, FoldInOptions } from "./trainer.js";
import "./algorithms.js"; // the built-ins answer capabilitiesOf even when nothing else imported them

/** A history: [{ item, value? }] (value defaults to 1) or a Map raw id → value. */
export type FoldInHistory = ReadonlyArray<{ item: RawId; value?: number }> | ReadonlyMap<RawId, number>;

export type { FoldedRow, FoldInOptions } from "./trainer.js";

const grams = new WeakMap<Float32Array, Float64Array>();

/** YᵀY of a factor matrix, cached per array (models are immutable). */
function gramOf(F: { rows: number; cols: number; data: Float32Array }): Float64Array {
  let g = grams.get(F.data);
  if (!g) {
    g = fullGramian(F.data, F.rows, F.cols);
    grams.set(F.data, g);
  }
  return g;
}

function num(model: FactorModel, key: string, fallback: number): number {
  const v = model.config[key];
  return typeof v === "number" ? v : fallback;
}

/** Dense indices and values of a history; duplicates keep the last value; sorted by index. */
export function resolveHistory(index: IdIndex, history: FoldInHistory, side: "item" | "user", unknown: "error" | "skip" = "error"): { indices: Int32Array; values: Float32Array } {
  const map = new Map<number, number>();
  const add = (id: RawId, v: number | undefined): void => {
    const value = v ?? 1;
    if (!Number.isFinite(value)) throw new MfrecError("E_NOT_FINITE", `the value for ${side} ${JSON.stringify(String(id))} is not finite`, { value, expected: "a finite number" });
    const i = index.indexOf(id);
    if (i < 0) {
      if (unknown === "skip") return;
      throw new MfrecError(side === "item" ? "E_UNKNOWN_ITEM" : "E_UNKNOWN_USER", `${side} ${JSON.stringify(String(id))} is not known to the model`, {
        value: id,
        hint: `pass unknown: "skip" to ignore it, or partialFit to add it`,
      });
    }
    map.set(i, value);
  };
  if (history instanceof Map) for (const [id, v] of history) add(id, v);
  else for (const h of history as ReadonlyArray<{ item: RawId; value?: number }>) add(h.item, h.value);
  const indices = Int32Array.from([...map.keys()].sort((a, b) => a - b));
  const values = Float32Array.from(indices, (i) => map.get(i)!);
  return { indices, values };
}

/**
 * The row of a user (side "user": `indices` are items) or an item (side "item": `indices` are
 * users) with the given history, solved against the model's fixed other side. Dense-index core
 * of {@link foldInUser} / {@link foldInItem}, shared with partialFit.
 */
export function foldInRow(model: FactorModel, indices: Int32Array, values: Float32Array, side: "user" | "item" = "user", opts: FoldInOptions = {}): FoldedRow {
  const other = side === "user" ? model.itemFactors : model.userFactors;
  const k = model.factors;
  const out = new Float32Array(k);
  const n = indices.length;
  const indptr = Int32Array.of(0, n);
  const caps = capabilitiesOf(model.config.algorithm);
  if (opts.features !== undefined && caps.foldsInFeatures !== true) {
    throw new MfrecError("E_UNSUPPORTED", `a ${model.config.algorithm} model has no feature vectors to fold a user in from`, {
      value: model.config.algorithm,
      expected: `one of ${algorithmsWith((c) => c.foldsInFeatures === true).join(", ")}`,
      hint: "train with item or user features (--item-features / --user-features)",
    });
  }
  const spec = caps.weightedObjective?.(model.config);
  if (side === "item" && caps.foldsInItems === false) {
    throw new MfrecError("E_UNSUPPORTED", `foldInItem is not defined for ${model.config.algorithm} models`, {
      value: model.config.algorithm,
      expected: `one of ${algorithmsWith((c, a) => c.foldsInItems !== false && (c.weightedObjective !== undefined || c.foldInRow !== undefined || !a.implicit)).join(", ")}`,
      hint: "use partialFit to train new items",
    });
  }
  if (spec) {
    const w = entryWeights(values, spec);
    const args: WeightedAlsArgs = {
      indptr,
      indices,
      extra: w.extra,
      target: w.target,
      X: out,
      Y: other.data,
      k,
      gram: gramOf(other),
      w0: spec.w0,
      lambda: spec.lambda,
      nu: spec.nu,
      nCols: other.rows,
      solver: 1,
      cgSteps: spec.cgSteps,
    };
    weightedAlsHalfSweep(args, 0, 1);
    return { factors: out, bias: 0 };
  }
  if (caps.foldInRow) return caps.foldInRow(model, indices, values, side, opts);
  const algo = model.config.algorithm;
  if (model.implicit) {
    throw new MfrecError("E_UNSUPPORTED", `fold-in is not defined for algorithm ${JSON.stringify(algo)}`, {
      value: algo,
      expected: `one of ${algorithmsWith((c, a) => c.weightedObjective !== undefined || c.foldInRow !== undefined || !a.implicit).join(", ")}`,
    });
  }
  // Explicit: the ALS row solve (the bias is a column when the model has biases).
  const ownBias = side === "user" ? model.userBias : model.itemBias;
  const otherBias = side === "user" ? model.itemBias : model.userBias;
  const biased = ownBias !== undefined && otherBias !== undefined;
  const reg = num(model, "regularization", 0.1);
  const weighted = caps.countWeightedRegularization ? caps.countWeightedRegularization(model.config) : model.config.weightedRegularization !== false;
  const xBias = new Float32Array(biased ? 1 : 0);
  alsExplicitHalfSweep(indptr, indices, values, out, xBias, other.data, biased ? otherBias! : new Float32Array(0), k, biased ? model.globalMean : 0, reg, num(model, "regBias", reg), weighted, 0, 1);
  return { factors: out, bias: biased ? xBias[0]! : 0 };
}

/**
 * A new or refreshed user's factor row from their history (raw item ids), solved in one closed-form
 * step against the model's item factors with the model's own objective (see the file header).
 */
export function foldInUser(model: FactorModel, history: FoldInHistory, opts: FoldInOptions = {}): Float32Array {
  const h = resolveHistory(model.itemIndex, history, "item", opts.unknown);
  return foldInRow(model, h.indices, h.values, "user", opts).factors;
}

/** An item's factor row from the users who interacted with it ({ item: userId, value }), against the fixed user factors. */
export function foldInItem(model: FactorModel, users: FoldInHistory, opts: FoldInOptions = {}): Float32Array {
  const h = resolveHistory(model.userIndex, users, "user", opts.unknown);
  return foldInRow(model, h.indices, h.values, "item", opts).factors;
}
