/**
 * PCA to 2-D from a Gram matrix (classical MDS): with G = F·Fᵀ and the centring J = I − 11ᵀ/n,
 * the principal-component scores of the rows of F are √λ_k · v_k for the top eigenpairs of J·G·J.
 * For a few hundred items G is small, and the n × n eigenproblem by power iteration is simple.
 */

/** G = F·Fᵀ of the rows of F (n × n, row-major). */
export function gramOf(F: ReadonlyArray<ReadonlyArray<number>>): Float64Array {
  const n = F.length;
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let d = 0;
      const a = F[i]!;
      const b = F[j]!;
      for (let f = 0; f < a.length; f++) d += a[f]! * b[f]!;
      G[i * n + j] = d;
      G[j * n + i] = d;
    }
  }
  return G;
}

export interface Projection {
  x: Float64Array;
  y: Float64Array;
  /** Share of the total variance on each of the two axes. */
  explained: [number, number];
}

/** The 2-D principal-component scores of the n points whose Gram matrix is G. */
export function pca2(G: Float64Array, n: number): Projection {
  const B = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += G[i * n + j]!;
    rowMean[i] = s / n;
    all += s;
  }
  all /= n * n;
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) B[i * n + j] = G[i * n + j]! - rowMean[i]! - rowMean[j]! + all;
    trace += B[i * n + i]!;
  }
  const out: Float64Array[] = [];
  const lambdas: number[] = [];
  for (let comp = 0; comp < 2; comp++) {
    // Deterministic start, not orthogonal to anything in particular.
    let v = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += B[i * n + j]! * v[j]!;
        w[i] = s;
      }
      for (const u of out) {
        let d = 0;
        for (let i = 0; i < n; i++) d += w[i]! * u[i]!;
        for (let i = 0; i < n; i++) w[i]! -= d * u[i]!;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-12) break;
      for (let i = 0; i < n; i++) w[i]! /= norm;
      lambda = norm;
      v = w;
    }
    out.push(v);
    lambdas.push(lambda);
  }
  const scale = (v: Float64Array, l: number) => v.map((x) => x * Math.sqrt(Math.max(l, 0)));
  return {
    x: scale(out[0]!, lambdas[0]!),
    y: scale(out[1]!, lambdas[1]!),
    explained: [trace > 0 ? lambdas[0]! / trace : 0, trace > 0 ? lambdas[1]! / trace : 0],
  };
}
