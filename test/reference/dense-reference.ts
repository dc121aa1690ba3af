/**
 * Slow, obvious references for the kernels (lesson 5): plain number[][] arithmetic in double
 * precision, written for clarity rather than speed.
 */

/** Solve A x = b by Gaussian elimination with partial pivoting (A is copied). */
export function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= m[r]![j]! * x[j]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** One row's ridge least-squares problem: minimise Σ_j (t_j − z·a_j)² + Σ_a λ_a z_a². */
export interface RowProblem {
  /** Design rows a_j. */
  design: number[][];
  targets: number[];
  /** Per-coordinate penalty λ_a. */
  penalty: number[];
}

/** The minimiser by the dense normal equations (AᵀA + diag λ) z = Aᵀt, solved by Gaussian elimination. */
export function ridgeSolve(p: RowProblem): number[] {
  const d = p.penalty.length;
  const ata = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? p.penalty[a]! : 0)));
  const atb = new Array<number>(d).fill(0);
  p.design.forEach((row, j) => {
    for (let a = 0; a < d; a++) {
      atb[a]! += row[a]! * p.targets[j]!;
      for (let b = 0; b < d; b++) ata[a]![b]! += row[a]! * row[b]!;
    }
  });
  return gaussSolve(ata, atb);
}

/** ∇ of Σ_j (t_j − z·a_j)² + Σ_a λ_a z_a² at z. */
export function ridgeGradient(p: RowProblem, z: number[]): number[] {
  const d = z.length;
  const g = z.map((v, a) => 2 * p.penalty[a]! * v);
  p.design.forEach((row, j) => {
    let pred = 0;
    for (let a = 0; a < d; a++) pred += row[a]! * z[a]!;
    const e = p.targets[j]! - pred;
    for (let a = 0; a < d; a++) g[a]! -= 2 * e * row[a]!;
  });
  return g;
}

/** A deterministic small generator for test data (mulberry32). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
