/**
 * Why an item is recommended, for the ALS family (ials, wals, als): the standard implicit-ALS
 * explanation (Hu, Koren & Volinsky 2008, §5). The user's row solves A_u x_u = Σ_j c_j ŷ_j, so
 *
 *   ŷ_i · x_u = Σ_j c_j · (A_u⁻¹ ŷ_i) · ŷ_j  =: Σ_j s_j
 *
 * where j runs over the user's history, c_j is its weighted target (W_j·t_j for ials/wals, the
 * residual r_uj − μ − b_j for explicit als) and A_u the user's regularised weighted Gram matrix.
 * The contributions sum exactly to the score of the user's closed-form row (which is the trained
 * row for Cholesky-trained models and very close to it after CG training).
 *
 * A model with a ranking part (FactorModel.ranking) is explained by that part: the score explained is
 * the one recommend() shows and ranks by.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import { buildRowSystem, choleskySolve, entryWeights, fullGramian, type WeightedAlsArgs } from "../kernels/implicit-als.js";
import type { FactorModel } from "../model/factor-model.js";
import { algorithmsWith, capabilitiesOf } from "../train/registry.js";
import "../train/algorithms.js"; // the built-ins answer capabilitiesOf even when nothing else imported them

/** One history item's part of a score. */
export interface Contribution {
  item: string;
  /** s_j: its additive part of the score. */
  contribution: number;
  /** s_j / (score − baseline) (0 when that is 0). */
  share: number;
}

/** The explanation of score(user, item). */
export interface Explanation {
  /** baseline + Σ_j s_j over the whole history. */
  score: number;
  /** The part no history item explains: μ + b_i for explicit models with biases, else 0. */
  baseline: number;
  /** The top `n` history items by |s_j|, largest first. */
  contributions: Contribution[];
}

const grams = new WeakMap<Float32Array, Float64Array>();

/** Explain the model's score of raw `item` for raw `user` by the user's history (see file header). */
export function explain(full: FactorModel, user: RawId, item: RawId, opts: { n?: number } = {}): Explanation {
  // The score recommend shows: the ranking part's when the model has one (an ials model, explained exactly).
  const model = full.ranker;
  const n = opts.n ?? 10;
  const u = model.userIndex.indexOf(user);
  if (u < 0) throw new MfrecError("E_UNKNOWN_USER", `user ${JSON.stringify(String(user))} is not known to the model`, { value: user });
  const i = model.itemIndex.indexOf(item);
  if (i < 0) throw new MfrecError("E_UNKNOWN_ITEM", `item ${JSON.stringify(String(item))} is not known to the model`, { value: item });
  const h = model.history;
  if (!h) throw new MfrecError("E_UNSUPPORTED", "explain needs a model with a training history", { hint: "models trained by mfrec keep their history" });
  const caps = capabilitiesOf(model.config.algorithm);
  const spec = caps.explains ? caps.weightedObjective?.(model.config) : undefined;
  const explicit = caps.explains === true && !spec;
  if (!caps.explains) {
    throw new MfrecError("E_UNSUPPORTED", `explain is defined for the ALS family, not ${JSON.stringify(model.config.algorithm)}`, {
      value: model.config.algorithm,
      expected: `one of ${algorithmsWith((c) => c.explains === true).join(", ")}`,
    });
  }
  const k = model.factors;
  const Q = model.itemFactors.data;
  const lo = h.indptr[u]!;
  const hi = h.indptr[u + 1]!;
  const indices = h.indices.subarray(lo, hi);
  const values = h.values.subarray(lo, hi);
  const m = hi - lo;
  const bias = explicit && model.userBias !== undefined && model.itemBias !== undefined ? 1 : 0;
  const d = k + bias;
  const A = new Float64Array(d * d);
  const v = new Float64Array(d);
  const c = new Float64Array(m);
  let baseline = 0;
  if (spec) {
    let gram = grams.get(Q);
    if (!gram) grams.set(Q, (gram = fullGramian(Q, model.numItems, k)));
    const w = entryWeights(values, spec);
    const args: WeightedAlsArgs = {
      indptr: Int32Array.of(0, m),
      indices,
      extra: w.extra,
      target: w.target,
      X: new Float32Array(k),
      Y: Q,
      k,
      gram,
      w0: spec.w0,
      lambda: spec.lambda,
      nu: spec.nu,
      nCols: model.numItems,
      solver: 1,
      cgSteps: 0,
    };
    buildRowSystem(args, 0, A, v);
    for (let t = 0; t < m; t++) c[t] = (spec.w0 + w.extra[t]!) * (w.target ? w.target[t]! : 1);
  } else {
    // The explicit ALS row system of kernels/als-explicit.ts: ŷ_j = [1, q_j] with biases.
    const reg = typeof model.config.regularization === "number" ? model.config.regularization : 0.1;
    const regBias = typeof model.config.regBias === "number" ? model.config.regBias : reg;
    const counted = caps.countWeightedRegularization ? caps.countWeightedRegularization(model.config) : model.config.weightedRegularization !== false;
    const scale = counted ? m : 1;
    for (let t = 0; t < m; t++) {
      const j = indices[t]!;
      c[t] = values[t]! - (bias ? model.globalMean + model.itemBias![j]! : 0);
      for (let a = 0; a < d; a++) {
        const ya = a < bias ? 1 : Q[j * k + a - bias]!;
        for (let b = 0; b < d; b++) A[a * d + b]! += ya * (b < bias ? 1 : Q[j * k + b - bias]!);
      }
    }
    for (let a = 0; a < d; a++) A[a * d + a]! += (a < bias ? regBias : reg) * scale;
    if (bias) baseline = model.globalMean + model.itemBias![i]!;
  }
  // v = A⁻¹ ŷ_i
  for (let a = 0; a < d; a++) v[a] = a < bias ? 1 : Q[i * k + a - bias]!;
  choleskySolve(A, v, d);
  const s = new Float64Array(m);
  let total = 0;
  for (let t = 0; t < m; t++) {
    const j = indices[t]!;
    let dot = 0;
    for (let a = 0; a < d; a++) dot += v[a]! * (a < bias ? 1 : Q[j * k + a - bias]!);
    s[t] = c[t]! * dot;
    total += s[t]!;
  }
  const order = Array.from({ length: m }, (_, t) => t).sort((a, b) => Math.abs(s[b]!) - Math.abs(s[a]!) || indices[a]! - indices[b]!);
  return {
    score: baseline + total,
    baseline,
    contributions: order.slice(0, Math.max(0, n)).map((t) => ({ item: model.itemIndex.idAt(indices[t]!), contribution: s[t]!, share: total === 0 ? 0 : s[t]! / total })),
  };
}
