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
 * The Map from string id to index is the single source of truth. Non-negative integer ids also
 * get a cache entry in a growable Int32Array (`table[n] = index + 1`), so a parser can look up
 * `addInt(196)` per row without creating the string "196"; the string is made once per distinct id.
 */
export class IdIndex {
  private readonly map = new Map<string, number>();
  private readonly list: string[] = [];
  private table = new Int32Array(0);

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
    if (typeof id === "number" && id >= 0 && Number.isInteger(id)) return this.addInt(id);
    const key = typeof id === "string" ? id : String(id);
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
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.map.set(key, i);
      this.list.push(key);
    }
    if (n < this.table.length || this.growTable(n)) this.table[n] = i + 1;
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
    if (typeof id === "number" && id >= 0 && id < this.table.length && Number.isInteger(id)) {
      const j = this.table[id]!;
      if (j !== 0) return j - 1;
    }
    const i = this.map.get(typeof id === "string" ? id : String(id));
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
