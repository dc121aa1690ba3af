/** Raw-id candidate lists and exclusions turned into a dense skip mask (1 = skip) for the top-k kernel. */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import type { IdIndex } from "../data/id-index.js";

/**
 * A mask over `index`'s dense ids: with `only`, everything outside it is skipped; ids in `exclude`
 * are skipped. Ids the index does not know are ignored (they cannot be ranked, nor need skipping).
 */
export function skipMask(index: IdIndex, only?: readonly RawId[], exclude?: readonly RawId[], into?: Uint8Array): Uint8Array {
  const mask = into ?? new Uint8Array(index.size);
  if (only) {
    mask.fill(1);
    for (const id of only) {
      const i = index.indexOf(id);
      if (i >= 0) mask[i] = 0;
    }
  }
  if (exclude) {
    for (const id of exclude) {
      const i = index.indexOf(id);
      if (i >= 0) mask[i] = 1;
    }
  }
  return mask;
}

/** Validate a result count n: a non-negative integer (default 10). */
export function resultCount(n: number | undefined): number {
  const v = n ?? 10;
  if (!Number.isInteger(v) || v < 0) throw new MfrecError("E_CONFIG", "n must be a non-negative integer", { value: v, expected: "0, 1, 2, …" });
  return v;
}
