/** Weighted ALS: the sharded Gramian. */

import { axpy } from "./vector";

// ---------------------------------------------------------------- weighted ALS: sharded Gramian

/**
 * Partial Gramian of rows [start, end): parts[shard] = Σ_j y_j y_jᵀ (k×k f32, row stride k), overwritten.
 * The caller sums the parts in shard order (in f64), so G never depends on the thread count.
 */
export function gramPartRange(Y: usize, k: i32, parts: usize, start: i32, end: i32, shard: i32, scratch: usize): void {
  const rowBytes = <usize>k << 2;
  const G = parts + <usize>shard * <usize>k * rowBytes;
  memory.fill(G, 0, <usize>k * rowBytes);
  for (let j = start; j < end; j++) {
    const y = Y + <usize>j * rowBytes;
    for (let a = 0; a < k; a++) axpy(G + <usize>a * rowBytes, load<f32>(y + (<usize>a << 2)), y, k);
  }
}
