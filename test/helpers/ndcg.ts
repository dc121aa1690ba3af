/**
 * NDCG@n with the implicit library's convention (binary relevance): DCG = Σ_{r<n} rel_r / log2(r + 2)
 * over the ranked list, IDCG over min(n, |relevant|) hits. A small local reference for the
 * implicit accuracy tests (src/evaluate/ has the library's ranking metrics).
 */
export function ndcgAt(ranked: readonly string[], relevant: ReadonlySet<string>, n = 10): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  for (let r = 0; r < Math.min(n, ranked.length); r++) if (relevant.has(ranked[r]!)) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < Math.min(n, relevant.size); r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}
