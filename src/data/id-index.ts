import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";

/** Ids below this always fit the integer lookup table (4 Mi entries = 16 MiB). */
const TABLE_FREE = 1 << 22;
/** Hard cap on the table (32 Mi entries = 128 MiB); larger ids use the Map only. */
const TABLE_MAX = 1 << 25;

/**
 * Raw ids outside, dense indices inside. Ids are normalised to strings (`1` and `"1"` are the
 * same id, as they are in every text file); dense indices are assigned 0, 1, 2, … in order of
 * first appearance. Unknown ids map to -1, never to a silent default.
 *
 * Canonical non-negative integer ids (`196`, `"196"`, not `"0196"`) live in a growable Int32Array
 * (`table[n] = index + 1`), so a parser looks up `addInt(196)` per row without creating the string
 * "196", and an index of a million integer ids costs no Map; the string is made once per distinct
 * id for `idAt`. Every other id, and an integer too large or too sparse for the table, lives in the Map.
 */
export class IdIndex {
  private readonly map = new Map<string, number>();
  private readonly list: string[] = [];
  private table = new Int32Array(0);
  /** True once an integer id had to go to the Map (too large or sparse for the table). */
  private intsInMap = false;

  /** `n` when `s` is a canonical non-negative integer (digits, no leading zero, < 10^15), else -1. */
  private static canonicalInt(s: string): number {
    const len = s.length;
    if (len === 0 || len > 15) return -1; // 15 digits stay below 2^53
    const c0 = s.charCodeAt(0);
    if (c0 < 48 || c0 > 57 || (c0 === 48 && len > 1)) return -1;
    let n = c0 - 48;
    for (let k = 1; k < len; k++) {
      const c = s.charCodeAt(k);
      if (c < 48 || c > 57) return -1;
      n = n * 10 + (c - 48);
    }
    return n;
  }

  /** An index of integer ids in order (duplicates keep their first position), without strings until asked. */
  static fromInts(ids: ArrayLike<number>): IdIndex {
    const idx = new IdIndex();
    for (let k = 0; k < ids.length; k++) idx.addInt(ids[k]!);
    return idx;
  }

  /** Build an index from ids in order (duplicates keep their first position). */
  static from(ids: Iterable<RawId>): IdIndex {
    const idx = new IdIndex();
    for (const id of ids) idx.add(id);
    return idx;
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.list.length;
  }

  /** The dense index of `id`, adding it if new. */
  add(id: RawId): number {
    if (typeof id === "number" && id >= 0 && Number.isSafeInteger(id)) return this.addInt(id);
    const key = typeof id === "string" ? id : String(id);
    const n = IdIndex.canonicalInt(key);
    if (n >= 0) return this.addInt(n);
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.map.set(key, i);
      this.list.push(key);
    }
    return i;
  }

  /**
   * The dense index of the non-negative integer id `n` (same id as `String(n)`), adding it if new.
   * O(1) through the table without allocating once the id has been seen.
   */
  addInt(n: number): number {
    if (n < this.table.length) {
      const j = this.table[n]!;
      if (j !== 0) return j - 1;
    }
    return this.addIntSlow(n);
  }

  private addIntSlow(n: number): number {
    const key = String(n);
    if (this.intsInMap) {
      const known = this.map.get(key);
      if (known !== undefined) return known;
    }
    const i = this.list.length;
    this.list.push(key);
    if (n < this.table.length || this.growTable(n)) this.table[n] = i + 1;
    else {
      this.map.set(key, i);
      this.intsInMap = true;
    }
    return i;
  }

  /** Grow the cache to cover n when it stays small or dense enough; false leaves n to the Map. */
  private growTable(n: number): boolean {
    if (!Number.isInteger(n) || n >= TABLE_MAX || (n >= TABLE_FREE && n >= 32 * (this.list.length + 1))) return false;
    let cap = Math.max(1024, this.table.length * 2);
    while (cap <= n) cap *= 2;
    const t = new Int32Array(Math.min(cap, TABLE_MAX));
    t.set(this.table);
    this.table = t;
    return true;
  }

  /** The dense index of `id`, or -1 when unknown. */
  indexOf(id: RawId): number {
    const key = typeof id === "string" ? id : String(id);
    const n = typeof id === "number" ? (id >= 0 && Number.isSafeInteger(id) ? id : -1) : IdIndex.canonicalInt(key);
    if (n >= 0) {
      if (n < this.table.length) {
        const j = this.table[n]!;
        if (j !== 0) return j - 1;
      }
      if (!this.intsInMap) return -1;
    }
    const i = this.map.get(key);
    return i === undefined ? -1 : i;
  }

  /** True when the id is known. */
  has(id: RawId): boolean {
    return this.indexOf(id) >= 0;
  }

  /** The raw id (as a string) at dense index `i`. */
  idAt(i: number): string {
    const id = this.list[i];
    if (id === undefined) {
      throw new MfrecError("E_CONFIG", `index ${i} is out of range`, { value: i, expected: `0..${this.list.length - 1}` });
    }
    return id;
  }

  /** All ids in dense-index order (a copy). */
  ids(): string[] {
    return this.list.slice();
  }

  /** A copy that can grow independently (fold-in of new users adds ids). */
  clone(): IdIndex {
    return IdIndex.from(this.list);
  }
}
