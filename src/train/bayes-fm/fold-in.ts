/**
 * Fold-in for `bayes-fm` models: a new user's (item's) row from a few ratings and/or features without
 * resampling anything. The row is a sum of groups, as for a trained user: U = p + F with the fixed part
 *   F⁽ˢ⁾ = |R|^-½ Σ_{j∈R} y_j⁽ˢ⁾ (the implicit group over the rated items R) + Σ_f x̃_f v_f⁽ˢ⁾ (side features,
 *   x̃ = x/‖x‖, FoldInOptions.features)
 * read from the model's stored vectors (FactorModel.features.ratedItems / users; for an item, raters / items),
 * which are stacked per sample like the rows, so F is one weighted sum (model/cold-start.ts, the sum hybrid's
 * cold start takes) and the same B̄_F for the linear terms. Only the id part p is solved: for each stored
 * sample s its full conditional is normal,
 *   Λ*_s = diag(λ_s) + α_s Σ_i õ_i õ_iᵀ,  m_s = Λ*_s⁻¹ (α_s Σ_i (r_i − μ̄ − b̄_i − B̄_F − F⁽ˢ⁾·o_i) õ_i + λ_s∘μ_s),
 * with õ_i = [o_i⁽ˢ⁾, 1] the other side's sample-s row and its linear column, and (μ_s, λ_s, α_s) that
 * sample's hyper-parameters, which the fit records in the model config (`foldIn*` keys). The folded row is
 * [p⁽¹⁾ + F⁽¹⁾ … p⁽ˢ⁾ + F⁽ˢ⁾]/√S, bias the mean of the samples' linear terms plus B̄_F, so its predictions average
 * the S samples as trained rows do. With no rating the id part is the prior mean μ_s: a user with features
 * alone gets μ + their features' vectors. A model without stored implicit vectors (saved before format
 * version 4, or fitted with implicitVectors: false) leaves the implicit term out; the id row absorbs it.
 * The new row's own implicit vector (its z_v in the items' flipped group) is not added: the other side is fixed.
 */
import { MfrecError } from "../../core/errors.js";
import { choleskyFactor, choleskySolve } from "../../kernels/linalg.js";
import { addFeatureRows, featureVector } from "../../model/cold-start.js";
import type { FactorModel } from "../../model/factor-model.js";
import type { FoldInOptions } from "../trainer.js";

/** The folded row: stacked factors (width k·S) and the bias. */
export interface BayesFmFoldedRow {
  factors: Float32Array;
  bias: number;
}

function numbers(model: FactorModel, key: string, length: number): number[] {
  const v = model.config[key];
  if (!Array.isArray(v) || v.length !== length || !v.every((x) => typeof x === "number")) {
    throw new MfrecError("E_MODEL_FORMAT", `a bayes-fm model needs config.${key} (${length} numbers) for fold-in`, { value: Array.isArray(v) ? v.length : typeof v, expected: `${length} numbers` });
  }
  return v as number[];
}

/** The row of a user (side "user": `indices` are items) or an item, solved per sample (see the file header). */
export function bayesFmFoldInRow(model: FactorModel, indices: Int32Array, values: Float32Array, side: "user" | "item", opts: FoldInOptions = {}): BayesFmFoldedRow {
  const k = model.config.factors;
  if (typeof k !== "number") throw new MfrecError("E_MODEL_FORMAT", "a bayes-fm model needs config.factors", { value: k });
  const width = model.factors;
  const S = width / k;
  if (!Number.isInteger(S) || S < 1) throw new MfrecError("E_MODEL_FORMAT", "the factor width is not a multiple of config.factors", { value: width, expected: `a multiple of ${k}` });
  const tag = side === "user" ? "User" : "Item";
  const alpha = numbers(model, "foldInNoisePrecision", S);
  const mu = numbers(model, `foldIn${tag}PriorMean`, S * (k + 1));
  const lambda = numbers(model, `foldIn${tag}PriorPrecision`, S * (k + 1));
  const other = side === "user" ? model.itemFactors.data : model.userFactors.data;
  const otherBias = side === "user" ? model.itemBias : model.userBias;
  // The fixed part F (stacked, width k·S) and its linear term: the implicit group over the history, the features.
  const fixed = new Float32Array(width);
  let fixedBias = 0;
  const implicit = side === "user" ? model.features?.ratedItems : model.features?.raters;
  const implicitOn = model.config[side === "user" ? "implicitUser" : "implicitItem"] !== false;
  if (implicit && implicitOn && indices.length > 0) fixedBias += addFeatureRows(implicit, indices, null, 1 / Math.sqrt(indices.length), fixed);
  if (opts.features !== undefined) {
    const v = featureVector(model, side, opts.features);
    for (let c = 0; c < width; c++) fixed[c]! += v.factors[c]!;
    fixedBias += v.bias;
  }
  const d = k + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const o = new Float64Array(d);
  const out = new Float32Array(width);
  const root = Math.sqrt(S);
  let bias = 0;
  for (let s = 0; s < S; s++) {
    a.fill(0);
    for (let c = 0; c < d; c++) {
      a[c * d + c] = lambda[s * d + c]!;
      b[c] = lambda[s * d + c]! * mu[s * d + c]!;
    }
    const al = alpha[s]!;
    for (let n = 0; n < indices.length; n++) {
      const j = indices[n]!;
      const base = j * width + s * k;
      let known = 0;
      for (let f = 0; f < k; f++) {
        o[f] = root * other[base + f]!;
        known += root * fixed[s * k + f]! * o[f]!;
      }
      o[k] = 1;
      const t = values[n]! - model.globalMean - (otherBias ? otherBias[j]! : 0) - fixedBias - known;
      for (let x = 0; x < d; x++) {
        for (let y = 0; y <= x; y++) a[x * d + y]! += al * o[x]! * o[y]!;
        b[x]! += al * t * o[x]!;
      }
    }
    if (!choleskyFactor(a, d)) throw new MfrecError("E_DIVERGED", "bayes-fm fold-in: the posterior precision is not positive definite", { value: s });
    choleskySolve(a, d, b);
    for (let f = 0; f < k; f++) out[s * k + f] = b[f]! / root + fixed[s * k + f]!;
    bias += b[k]! / S;
  }
  return { factors: out, bias: bias + fixedBias };
}
