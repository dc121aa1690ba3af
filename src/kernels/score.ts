/**
 * Scoring kernels for queries: one query row against a block of factor rows. Accumulate in
 * float64 (JS numbers), store float32. Pure functions over typed arrays and numbers; they take a
 * row range [start, end) so a worker shard can score its slice of the catalogue.
 */

/**
 * out[i] = base + b_i + p·q_i for i in [start, end), where p = P[pOff .. pOff+k) and
 * q_i = Q[i·k .. i·k+k). `base` is μ + b_u; `itemBias` may be null (no item biases).
 */
export function scoreRow(
  P: Float32Array,
  pOff: number,
  Q: Float32Array,
  k: number,
  base: number,
  itemBias: Float32Array | null,
  out: Float32Array,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    let s = itemBias === null ? base : base + itemBias[i]!;
    const q = i * k;
    for (let f = 0; f < k; f++) s += P[pOff + f]! * Q[q + f]!;
    out[i] = s;
  }
}

/** norms[i] = ‖F_i‖₂ for rows i in [start, end) of the row-major F with k columns. */
export function rowNorms(F: Float32Array, k: number, norms: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    let s = 0;
    const o = i * k;
    for (let f = 0; f < k; f++) s += F[o + f]! * F[o + f]!;
    norms[i] = Math.sqrt(s);
  }
}

/**
 * Similarity of row q to rows i in [start, end) of F:
 *   out[i] = (F_q·F_i) · (‖F_q‖·‖F_i‖)^(α−1)
 * which is cosine at α = 0, the dot product at α = 1 and the "balanced" ‖q‖^α‖x‖^α·cos between.
 * When a norm is 0 and α < 1 the similarity is 0 (a zero vector points nowhere), never NaN.
 */
export function similarityRow(
  F: Float32Array,
  k: number,
  q: number,
  norms: Float32Array | null,
  alpha: number,
  out: Float32Array,
  start: number,
  end: number,
): void {
  const qo = q * k;
  const e = alpha - 1;
  const nq = norms === null ? 1 : norms[q]!;
  for (let i = start; i < end; i++) {
    const o = i * k;
    let s = 0;
    for (let f = 0; f < k; f++) s += F[qo + f]! * F[o + f]!;
    if (e !== 0) {
      const m = nq * norms![i]!;
      s = m > 0 ? s * m ** e : 0;
    }
    out[i] = s;
  }
}
