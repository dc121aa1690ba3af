/**
 * The one place the server asks the model layer for a folded-in user row (model/fold-in.ts).
 * INTERIM: until model/fold-in.ts lands, the explicit ridge solve below stands in for it:
 *   p = (Σ_i q_i q_iᵀ + λ·n_u·I)⁻¹ Σ_i q_i (r_ui − μ − b_i),  b_u = 0
 * (the ALS user half-step with the item matrix fixed).
 */
import { choleskyFactor, choleskySolve } from "../kernels/linalg.js";
import type { FactorModel } from "../model/factor-model.js";

/** A folded-in user row and bias for ratings `values` of dense items `items`. */
export function foldInRow(model: FactorModel, items: Int32Array, values: Float32Array): { factors: Float32Array; bias: number } {
  const k = model.factors;
  const Q = model.itemFactors.data;
  const reg = typeof model.config.regularization === "number" ? model.config.regularization : 0.1;
  const lambda = Math.max(1e-6, reg) * Math.max(1, items.length);
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let t = 0; t < items.length; t++) {
    const i = items[t]!;
    const o = i * k;
    const y = model.implicit ? 1 : values[t]! - model.globalMean - (model.itemBias ? model.itemBias[i]! : 0);
    for (let r = 0; r < k; r++) {
      const qr = Q[o + r]!;
      b[r]! += qr * y;
      for (let c = 0; c <= r; c++) A[r * k + c]! += qr * Q[o + c]!;
    }
  }
  for (let r = 0; r < k; r++) A[r * k + r]! += lambda;
  const out = new Float32Array(k);
  if (!choleskyFactor(A, k)) return { factors: out, bias: 0 };
  choleskySolve(A, k, b);
  for (let r = 0; r < k; r++) out[r] = b[r]!;
  return { factors: out, bias: 0 };
}
