import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";

/**
 * Raw ids outside, dense indices inside. Ids are normalised to strings (`1` and `"1"` are the
 * same id, as they are in every text file); dense indices are assigned 0, 1, 2, … in order of
 * first appearance. Unknown ids map to -1, never to a silent default.
 */
export class IdIndex {
  private readonly map = new Map<string, number>();
  private readonly list: string[] = [];

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
    const key = typeof id === "string" ? id : String(id);
    let i = this.map.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.map.set(key, i);
      this.list.push(key);
    }
    return i;
  }

  /** The dense index of `id`, or -1 when unknown. */
  indexOf(id: RawId): number {
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
