/**
 * One stochastic-gradient pass of biased matrix factorisation (Funk SVD as in Surprise's SVD and
 * LIBMF's MF) over positions [start, end) of `order`, a permutation of rating indices. For each
 * rating (u, i, r) in that order, with e = r − (μ + b_u + b_i + p_u·q_i) computed before the update:
 *
 *   b_u += γ (e − λ_b b_u),   b_i += γ (e − λ_b b_i),
 *   p_u += γ (e q_i − λ_f p_u),   q_i += γ (e p_u − λ_f q_i)   (both from the old p_u, q_i),
 *
 * i.e. a step along the negative gradient of ½[e² + λ_b(b_u² + b_i²) + λ_f(‖p_u‖² + ‖q_i‖²)].
 * `userBias`/`itemBias` of length 0 mean no biases (then μ should be 0: r̂ = p_u·q_i).
 * Returns Σ e² of the errors seen during the pass (each taken just before its own update).
 */
export function sgdEpoch(
  users: Int32Array,
  items: Int32Array,
  values: Float32Array,
  order: Int32Array,
  start: number,
  end: number,
  userFactors: Float32Array,
  itemFactors: Float32Array,
  userBias: Float32Array,
  itemBias: Float32Array,
  k: number,
  mu: number,
  learningRate: number,
  regBias: number,
  regFactors: number,
): number {
  const P = userFactors;
  const Q = itemFactors;
  const bu = userBias;
  const bi = itemBias;
  const bias = bu.length > 0 && bi.length > 0;
  const lr = learningRate;
  const shrinkF = 1 - lr * regFactors;
  const shrinkB = 1 - lr * regBias;
  let sse = 0;
  for (let t = start; t < end; t++) {
    const n = order[t]!;
    const u = users[n]!;
    const i = items[n]!;
    const po = u * k;
    const qo = i * k;
    let pred = mu;
    if (bias) pred += bu[u]! + bi[i]!;
    for (let f = 0; f < k; f++) pred += P[po + f]! * Q[qo + f]!;
    const e = values[n]! - pred;
    sse += e * e;
    const g = lr * e;
    if (bias) {
      bu[u] = shrinkB * bu[u]! + g;
      bi[i] = shrinkB * bi[i]! + g;
    }
    for (let f = 0; f < k; f++) {
      const pf = P[po + f]!;
      const qf = Q[qo + f]!;
      P[po + f] = shrinkF * pf + g * qf;
      Q[qo + f] = shrinkF * qf + g * pf;
    }
  }
  return sse;
}
