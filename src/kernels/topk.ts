/**
 * Top-k selection over a score vector with a binary min-heap: O(n log k) time, O(k) scratch
 * allocated once per call. The heap root is the *worst* kept candidate, so each new score is
 * compared once against it. Order is total and deterministic: higher score first, and among equal
 * scores the lower index first, so the result equals a full stable sort of (−score, index).
 */

/** True when candidate a ranks below candidate b: lower score, or equal score and higher index. */
function worse(scores: ArrayLike<number>, a: number, b: number): boolean {
  const sa = scores[a]!;
  const sb = scores[b]!;
  return sa < sb || (sa === sb && a > b);
}

function siftDown(heap: Int32Array, size: number, scores: ArrayLike<number>, pos: number): void {
  const x = heap[pos]!;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    const r = l + 1;
    // pick the worse child: it must rise above x if it is worse than x
    const c = r < size && worse(scores, heap[r]!, heap[l]!) ? r : l;
    const hc = heap[c]!;
    if (!worse(scores, hc, x)) break;
    heap[pos] = hc;
    pos = c;
  }
  heap[pos] = x;
}

function siftUp(heap: Int32Array, scores: ArrayLike<number>, pos: number): void {
  const x = heap[pos]!;
  while (pos > 0) {
    const parent = (pos - 1) >> 1;
    const hp = heap[parent]!;
    if (!worse(scores, x, hp)) break;
    heap[pos] = hp;
    pos = parent;
  }
  heap[pos] = x;
}

/**
 * The indices of the k best scores in [start, end), best first: rank by score descending, ties by
 * lower index. Indices with `exclude[i] !== 0` and NaN scores are skipped. Returns fewer than k
 * indices when fewer candidates remain. Equivalent to sorting every candidate and taking k.
 */
export function topK(
  scores: Float32Array | Float64Array,
  k: number,
  exclude: Uint8Array | null = null,
  start = 0,
  end: number = scores.length,
): Int32Array {
  const cap = Math.max(0, Math.min(k | 0, end - start));
  const heap = new Int32Array(cap);
  let size = 0;
  if (cap === 0) return heap;
  for (let i = start; i < end; i++) {
    if (exclude !== null && exclude[i] !== 0) continue;
    const s = scores[i]!;
    if (Number.isNaN(s)) continue; // NaN ranks nowhere
    if (size < cap) {
      heap[size] = i;
      siftUp(heap, scores, size);
      size++;
    } else if (worse(scores, heap[0]!, i)) {
      heap[0] = i;
      siftDown(heap, size, scores, 0);
    }
  }
  // Pop the worst repeatedly into the back: the array ends best-first.
  const out = new Int32Array(size);
  for (let n = size; n > 0; n--) {
    out[n - 1] = heap[0]!;
    heap[0] = heap[n - 1]!;
    siftDown(heap, n - 1, scores, 0);
  }
  return out;
}

/** The slow, obvious reference for {@link topK}: filter, full sort by (−score, index), take k. */
export function topKBySort(scores: ArrayLike<number>, k: number, exclude: Uint8Array | null = null, start = 0, end: number = scores.length): Int32Array {
  const idx: number[] = [];
  for (let i = start; i < end; i++) if ((exclude === null || exclude[i] === 0) && !Number.isNaN(scores[i]!)) idx.push(i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return Int32Array.from(idx.slice(0, Math.max(0, k)));
}
