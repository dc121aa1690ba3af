/**
 * Conflict-free parallel SGD (FPSGD-style, Chin et al. 2015): users and items are cut into a
 * grid × grid of blocks; blocks on one "diagonal" share no user and no item, so they run in
 * parallel without locks. Inside a block the ratings are sorted by user (ties in input order), so a
 * user's row of P stays in cache across its ratings and P is walked forward (FPSGD's "partial random"
 * order: the randomness is in the per-epoch order of diagonals and blocks). The grid, the block
 * contents and the per-epoch diagonal order depend only on data, grid and seed — never on the thread
 * count — so 1 thread and N threads give bitwise identical factors.
 */
import { rngFor } from "../core/rng.js";
import { type ArrayAllocator, f32, f64, heapAllocator, i32, type Shape, u8 } from "../kernels/arena-plan.js";
import { kernelCall } from "../kernels/kernel-calls.js";
import type { CsrMatrix } from "../matrix/csr.js";
import type { KernelPool } from "./pool.js";

/** Ratings regrouped block by block. Block (a, b) = user block a × item block b. */
export interface SgdBlockPlan {
  readonly grid: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly values: Float32Array;
  /** Block (a, b) holds ratings [blockStart[a·grid+b], blockStart[a·grid+b+1]). */
  readonly blockStart: Int32Array;
  /** Per-shard Σe² written by the kernel (f64, one slot per block of a diagonal). */
  readonly loss: Float64Array;
  /**
   * The packed layout (planSgdBlocks with `pack`), else undefined: `users`/`items` are then empty and entry t
   * of block (a, b) is codes[t] = (u − userStart[a]) << itemBits | (i − itemStart[b]) (read as u32), the value
   * in `values[t]` (8 B/rating) or, with few distinct values, the value's index v in `table`: in the spare bits
   * (codes[t] = that << valueBits | v; 4 B/rating) or in `valueIndex[t]` (u8; 5 B/rating). `values` is empty then.
   */
  readonly packed?: SgdPackedBlocks;
}

/** How planSgdBlocks stores block entries: 12 B, 8 B (packed offsets) or 4 B (offsets and value index). */
export type SgdPacking = "none" | "offsets" | "offsets+values" | "offsets+byte-values";

/** Block-local user/item offsets packed into one u32 per rating (see {@link SgdBlockPlan.packed}). */
export interface SgdPackedBlocks {
  readonly codes: Int32Array;
  readonly itemBits: number;
  /** Bits of the value index in the low bits of a code; −1: values in plan.values (f32); −2: indices in `valueIndex` (u8). */
  readonly valueBits: number;
  /** Per-entry value index when valueBits is −2 (else empty). */
  readonly valueIndex: Uint8Array;
  /** The distinct values in first-seen order (empty when valueBits is −1). */
  readonly table: Float32Array;
  /** First user of user block a (length grid + 1). */
  readonly userStart: Int32Array;
  /** First item of item block b (length grid + 1). */
  readonly itemStart: Int32Array;
  /** Per-step [userBase, itemBase] of each shard, written before each kernel run (2·grid ints). */
  readonly bases: Int32Array;
}

/** Where a plan's arrays live (kernels/arena-plan.ts): a KernelArena (WASM kernels) or the heap (TS kernels). */
export { type ArrayAllocator, heapAllocator };

/**
 * The user of each rating: a column (users[t]), or for ratings in user order (rows of a CSR whose entries are the
 * ratings in their order: input sorted by user) that CSR's row pointer, user u holding ratings [indptr[u], indptr[u + 1]).
 * Both give the same plans for the same ratings; the row pointer lets the users column go before a plan is built.
 */
export type RatingUsers = Int32Array | { readonly indptr: Int32Array };

/** Contiguous index ranges with about equal rating counts: part[x] ∈ [0, parts). */
export function balancedParts(index: RatingUsers, length: number, size: number, parts: number): Int32Array {
  const count = new Int32Array(size);
  if (index instanceof Int32Array) for (let t = 0; t < length; t++) count[index[t]!]!++;
  else for (let x = 0; x < size; x++) count[x] = index.indptr[x + 1]! - index.indptr[x]!;
  const part = new Int32Array(size);
  let acc = 0;
  for (let x = 0; x < size; x++) {
    part[x] = Math.min(parts - 1, Math.floor((acc * parts) / Math.max(1, length)));
    acc += count[x]!;
  }
  return part;
}

/** First index of each part of a contiguous `part` map (length parts + 1). */
function partStarts(part: Int32Array, parts: number): Int32Array {
  const start = new Int32Array(parts + 1).fill(part.length);
  for (let x = part.length - 1; x >= 0; x--) start[part[x]!] = x;
  for (let p = parts - 1; p >= 0; p--) start[p] = Math.min(start[p]!, start[p + 1]!);
  return start;
}

/** Bits for offsets 0 … span − 1. */
function bitsFor(span: number): number {
  return span <= 1 ? 0 : 32 - Math.clz32(span - 1);
}

/**
 * The distinct f32 values in first-seen order (compared by bit pattern, so every value is reproduced exactly)
 * and the index of a value's bits in it, or undefined when there are more than `limit`.
 */
export function valueTable(values: Float32Array, length: number, limit: number): { table: Float32Array; indexOf: (bits: number) => number } | undefined {
  const bits = new Int32Array(values.buffer, values.byteOffset, length);
  const shift = 32 - Math.max(4, 32 - Math.clz32(2 * limit - 1));
  const size = 2 ** (32 - shift);
  const keys = new Int32Array(size);
  const slot = new Int32Array(size);
  const table: number[] = [];
  const find = (b: number): number => {
    let h = Math.imul(b, 0x9e3779b1) >>> shift;
    while (slot[h] !== 0 && keys[h] !== b) h = (h + 1) & (size - 1);
    return h;
  };
  for (let t = 0; t < length; t++) {
    const b = bits[t]!;
    const h = find(b);
    if (slot[h] === 0) {
      if (table.length >= limit) return undefined;
      keys[h] = b;
      table.push(values[t]!);
      slot[h] = table.length;
    }
  }
  return { table: Float32Array.from(table), indexOf: (b) => slot[find(b)]! - 1 };
}

/**
 * The values as a byte index into a table of their distinct f32 values (first-seen order, compared by bit pattern:
 * table[index[t]] is values[t] exactly), or undefined when there are more than 256. 1 B a value instead of 4.
 */
export function byteValueIndex(values: Float32Array, length: number): { table: Float32Array; index: Uint8Array } | undefined {
  const vt = valueTable(values, length, 256);
  if (!vt) return undefined;
  const bits = new Int32Array(values.buffer, values.byteOffset, length);
  const index = new Uint8Array(length);
  for (let t = 0; t < length; t++) index[t] = vt.indexOf(bits[t]!);
  return { table: vt.table, index };
}

function widest(start: Int32Array): number {
  let w = 0;
  for (let p = 0; p + 1 < start.length; p++) w = Math.max(w, start[p + 1]! - start[p]!);
  return w;
}

/** The layout planSgdBlocks chooses (the user and item blocks, and how entries pack), decided from the data alone. */
interface SgdPackingChoice {
  ub: Int32Array;
  ib: Int32Array;
  /** undefined: the plain 12-byte layout. valueBits ≥ 0: value index in the codes; −2: one byte each; −1: f32 values. */
  packing?: { userStart: Int32Array; itemStart: Int32Array; itemBits: number; valueBits: number; vt: ReturnType<typeof valueTable> };
}

function sgdPacking(users: RatingUsers, items: Int32Array, values: Float32Array, length: number, nUsers: number, nItems: number, g: number, pack: SgdPacking): SgdPackingChoice {
  const ub = balancedParts(users, length, nUsers, g);
  const ib = balancedParts(items, length, nItems, g);
  if (pack === "none") return { ub, ib };
  const userStart = partStarts(ub, g);
  const itemStart = partStarts(ib, g);
  const itemBits = bitsFor(widest(itemStart));
  const spare = 32 - bitsFor(widest(userStart)) - itemBits;
  if (!(itemBits <= 31 && spare >= 0)) return { ub, ib };
  // Values as an index into a table of distinct values: in the spare bits when they suffice, else one byte each.
  const byteIndex = pack === "offsets+byte-values";
  const limit = byteIndex ? 256 : Math.max(256, 2 ** Math.min(spare, 16));
  const vt = pack !== "offsets" ? valueTable(values, length, limit) : undefined;
  const inCodes = vt !== undefined && !byteIndex && bitsFor(vt.table.length) <= spare;
  const inBytes = vt !== undefined && !inCodes && vt.table.length <= 256;
  const valueBits = inCodes ? bitsFor(vt.table.length) : inBytes ? -2 : -1;
  return { ub, ib, packing: { userStart, itemStart, itemBits, valueBits, vt } };
}

/**
 * The shapes of the arrays planSgdBlocks will take from its allocator for these ratings (reserve them in the
 * fit's memory plan): the block entries as they will pack (4 B a rating when offsets and value index share
 * a u32, 5 or 8 B, else 12 B), the temporary table, the value table, the loss and the block bases.
 */
export function sgdPlanShapes(users: RatingUsers, items: Int32Array, values: Float32Array, length: number, nUsers: number, nItems: number, grid: number, pack: SgdPacking): Shape[] {
  const { packing } = sgdPacking(users, items, values, length, nUsers, nItems, grid, pack);
  const temp = sgdPlanTemporary(nUsers, grid);
  if (!packing) return [i32(length), i32(length), f32(length), temp, f64(grid)];
  const { valueBits, vt } = packing;
  const shapes: Shape[] = [i32(length)];
  if (valueBits === -1) shapes.push(f32(length));
  if (valueBits === -2) shapes.push(u8(length));
  shapes.push(temp);
  if (valueBits !== -1) shapes.push(f32(vt!.table.length));
  return [...shapes, f64(grid), i32(2 * grid)];
}

/** The temporary table's shape in {@link sgdPlanShapes} (given back before planSgdBlocks returns). */
export function sgdPlanTemporary(nUsers: number, grid: number): Shape {
  return i32(nUsers * grid);
}

/**
 * Group ratings (users[t], items[t], values[t]), t < length, into grid × grid blocks allocated from
 * `alloc`, each block sorted by user (ties keep input order). Straight from the rating columns: no
 * CSR is needed. Temporary memory: one int per (user, item block).
 * `pack` (WASM kernels only): "offsets" stores block-local user/item offsets as one u32 per rating (8 B with the
 * value instead of 12 B) whenever the widest user block and item block fit in 32 bits together; "offsets+values"
 * also replaces the value by its index in a table of distinct values: in the spare bits when they suffice
 * (4 B/rating), else one byte (5 B/rating, at most 256 values), else falls back to "offsets";
 * "offsets+byte-values" always uses the byte (tests). Same order and the same f32 values, so the same results as "none".
 */
export function planSgdBlocks(
  alloc: ArrayAllocator,
  users: RatingUsers,
  items: Int32Array,
  values: Float32Array,
  length: number,
  nUsers: number,
  nItems: number,
  grid: number,
  pack: SgdPacking = "none",
): SgdBlockPlan {
  const g = grid;
  const { ub, ib, packing } = sgdPacking(users, items, values, length, nUsers, nItems, grid, pack);
  const blocks = g * g;
  // The block entries are allocated first, then the temporary table on top of them (from the arena's top when
  // there is one, given back at the end, so the factors allocated next reuse its pages).
  let layout: { codes: Int32Array; gv: Float32Array; valueIndex: Uint8Array; itemBits: number; valueBits: number; userStart: Int32Array; itemStart: Int32Array; vt: ReturnType<typeof valueTable> } | undefined;
  if (packing) {
    const { userStart, itemStart, itemBits, valueBits, vt } = packing;
    const codes = alloc.i32(length);
    const gv = valueBits === -1 ? alloc.f32(length) : new Float32Array(0);
    const valueIndex = valueBits === -2 ? alloc.u8(length) : new Uint8Array(0);
    layout = { codes, gv, valueIndex, itemBits, valueBits, userStart, itemStart, vt };
  }
  const plain = layout ? undefined : { gu: alloc.i32(length), gi: alloc.i32(length), gv: alloc.f32(length) };
  const temp = temporary(alloc, nUsers * g);
  // cell[u·g + b] = ratings of user u in item block b, then turned into that cell's next write position.
  const cell = temp.array;
  const column = users instanceof Int32Array ? users : undefined;
  const rowPtr = column ? undefined : (users as { readonly indptr: Int32Array }).indptr;
  if (column) for (let t = 0; t < length; t++) cell[column[t]! * g + ib[items[t]!]!]!++;
  else for (let u = 0; u < nUsers; u++) for (let t = rowPtr![u]!; t < rowPtr![u + 1]!; t++) cell[u * g + ib[items[t]!]!]!++;
  const blockStart = new Int32Array(blocks + 1);
  for (let u = 0; u < nUsers; u++) {
    const row = ub[u]! * g + 1;
    for (let b = 0; b < g; b++) blockStart[row + b]! += cell[u * g + b]!;
  }
  for (let b = 0; b < blocks; b++) blockStart[b + 1]! += blockStart[b]!;
  const next = blockStart.slice(0, blocks);
  for (let u = 0; u < nUsers; u++) {
    const row = ub[u]! * g;
    for (let b = 0; b < g; b++) {
      const c = cell[u * g + b]!;
      cell[u * g + b] = next[row + b]!;
      next[row + b]! += c;
    }
  }
  if (layout) {
    const { codes, gv, valueIndex, itemBits, valueBits, userStart, itemStart, vt } = layout;
    const inCodes = valueBits >= 0;
    const inBytes = valueBits === -2;
    const vbits = new Int32Array(values.buffer, values.byteOffset, length);
    const place = (t: number, u: number): void => {
      const i = items[t]!;
      const b = ib[i]!;
      const p = cell[u * g + b]!++;
      const code = ((u - userStart[ub[u]!]!) << itemBits) | (i - itemStart[b]!);
      if (inCodes) codes[p] = (code << valueBits) | vt!.indexOf(vbits[t]!);
      else {
        codes[p] = code;
        if (inBytes) valueIndex[p] = vt!.indexOf(vbits[t]!);
        else gv[p] = values[t]!;
      }
    };
    if (column) for (let t = 0; t < length; t++) place(t, column[t]!);
    else for (let u = 0; u < nUsers; u++) for (let t = rowPtr![u]!; t < rowPtr![u + 1]!; t++) place(t, u);
    temp.release();
    const table = valueBits === -1 ? new Float32Array(0) : alloc.f32(vt!.table.length);
    if (valueBits !== -1) table.set(vt!.table);
    const none = new Int32Array(0);
    return { grid: g, users: none, items: none, values: gv, blockStart, loss: alloc.f64(g), packed: { codes, itemBits, valueBits, valueIndex, table, userStart, itemStart, bases: alloc.i32(2 * g) } };
  }
  const { gu, gi, gv } = plain!;
  const put = (t: number, u: number): void => {
    const i = items[t]!;
    const p = cell[u * g + ib[i]!]!++;
    gu[p] = u;
    gi[p] = i;
    gv[p] = values[t]!;
  };
  if (column) for (let t = 0; t < length; t++) put(t, column[t]!);
  else for (let u = 0; u < nUsers; u++) for (let t = rowPtr![u]!; t < rowPtr![u + 1]!; t++) put(t, u);
  temp.release();
  return { grid: g, users: gu, items: gi, values: gv, blockStart, loss: alloc.f64(g) };
}

/** An allocator that can give back what it handed out last (a KernelArena's mark/release). */
interface ReleasingAllocator extends ArrayAllocator {
  mark(): number;
  release(mark: number): void;
}

/** A zeroed Int32Array for the duration of a computation: on top of an arena (released after), else on the heap. */
function temporary(alloc: ArrayAllocator, n: number): { array: Int32Array; release(): void } {
  const a = alloc as Partial<ReleasingAllocator>;
  if (typeof a.mark !== "function" || typeof a.release !== "function") return { array: new Int32Array(n), release: () => {} };
  const m = a.mark();
  return { array: alloc.i32(n), release: () => a.release!(m) };
}

/**
 * The user × item ratings of a plan as a CSR (the model's history), decoded from the blocks: packed or not,
 * the entries and f32 values are the plan's own, so the ratings columns need not outlive the plan. Row u
 * lists u's items item block by item block, in input order inside a block (not the input order overall).
 */
export function planHistory(plan: SgdBlockPlan, nUsers: number, nItems: number, alloc: ArrayAllocator = heapAllocator): CsrMatrix {
  const g = plan.grid;
  const nnz = plan.blockStart[g * g]!;
  const indptr = alloc.i32(nUsers + 1);
  const indices = alloc.i32(nnz);
  const values = alloc.f32(nnz);
  const pk = plan.packed;
  // Two passes over the same decoding: count per user, then place (each row fills in block order).
  const walk = (visit: (u: number, i: number, v: number) => void): void => {
    for (let blk = 0; blk < g * g; blk++) {
      const lo = plan.blockStart[blk]!;
      const hi = plan.blockStart[blk + 1]!;
      if (!pk) {
        for (let t = lo; t < hi; t++) visit(plan.users[t]!, plan.items[t]!, plan.values[t]!);
        continue;
      }
      const u0 = pk.userStart[Math.floor(blk / g)]!;
      const i0 = pk.itemStart[blk % g]!;
      const itemScale = 2 ** pk.itemBits;
      const valueScale = pk.valueBits >= 0 ? 2 ** pk.valueBits : 1;
      for (let t = lo; t < hi; t++) {
        const c = pk.codes[t]! >>> 0;
        const off = Math.floor(c / valueScale);
        const v = pk.valueBits >= 0 ? pk.table[c - off * valueScale]! : pk.valueBits === -2 ? pk.table[pk.valueIndex[t]!]! : plan.values[t]!;
        const du = Math.floor(off / itemScale);
        visit(u0 + du, i0 + (off - du * itemScale), v);
      }
    }
  };
  walk((u) => {
    indptr[u + 1]!++;
  });
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const next = indptr.slice(0, nUsers);
  walk((u, i, v) => {
    const p = next[u]!++;
    indices[p] = i;
    values[p] = v;
  });
  return { rows: nUsers, cols: nItems, indptr, indices, values };
}

/**
 * {@link planHistory} for the last use of a plan: the same CSR (same rows, same order, same values), decoded user
 * block by user block over the plan's own entries. Row block a's history entries are exactly the index range of
 * the plan's blocks (a, 0 … grid − 1), so each range is copied aside (one user block of entries at a time) and
 * its history written in its place: the column indices into the plan's codes (packed) or `items`, the values into
 * `plan.values` when the plan has them per entry, else into an array from `alloc`. The plan is unusable afterwards;
 * the history needs no memory beside it but the row pointer and (for value-index plans) the values: 4 B a rating
 * at the end of a fit instead of 8.
 */
export function planHistoryInPlace(plan: SgdBlockPlan, nUsers: number, nItems: number, alloc: ArrayAllocator = heapAllocator): CsrMatrix {
  const g = plan.grid;
  const nnz = plan.blockStart[g * g]!;
  const pk = plan.packed;
  const indptr = alloc.i32(nUsers + 1);
  const indices = pk ? pk.codes : plan.items;
  const values = plan.values.length >= nnz ? plan.values : alloc.f32(nnz);
  const itemScale = pk ? 2 ** pk.itemBits : 1;
  const valueScale = pk && pk.valueBits >= 0 ? 2 ** pk.valueBits : 1;
  const userOf = (blk: number, t: number, code: number): number => {
    if (!pk) return plan.users[t]!;
    const off = Math.floor((code >>> 0) / valueScale);
    return pk.userStart[Math.floor(blk / g)]! + Math.floor(off / itemScale);
  };
  // Counts per user (the row pointer), as planHistory's first pass.
  for (let blk = 0; blk < g * g; blk++) {
    for (let t = plan.blockStart[blk]!; t < plan.blockStart[blk + 1]!; t++) indptr[userOf(blk, t, pk ? pk.codes[t]! : 0) + 1]!++;
  }
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const next = indptr.slice(0, nUsers);
  // One user block's entries at a time, copied aside (into buffers reused across blocks) before their range is overwritten.
  let most = 0;
  for (let a = 0; a < g; a++) most = Math.max(most, plan.blockStart[a * g + g]! - plan.blockStart[a * g]!);
  const perEntry = plan.values.length >= nnz;
  const codeBuf = new Int32Array(most);
  const userBuf = pk ? undefined : new Int32Array(most);
  const valueBuf = perEntry ? new Float32Array(most) : undefined;
  const indexBuf = pk && pk.valueBits === -2 ? new Uint8Array(most) : undefined;
  for (let a = 0; a < g; a++) {
    const lo = plan.blockStart[a * g]!;
    const hi = plan.blockStart[a * g + g]!;
    if (hi === lo) continue;
    codeBuf.set(pk ? pk.codes.subarray(lo, hi) : plan.items.subarray(lo, hi));
    const codes = pk ? codeBuf : undefined;
    const items = pk ? undefined : codeBuf;
    const users = userBuf;
    users?.set(plan.users.subarray(lo, hi));
    const vals = valueBuf;
    vals?.set(plan.values.subarray(lo, hi));
    const vidx = indexBuf;
    vidx?.set(pk!.valueIndex.subarray(lo, hi));
    for (let b = 0; b < g; b++) {
      const blk = a * g + b;
      const i0 = pk ? pk.itemStart[b]! : 0;
      const u0 = pk ? pk.userStart[a]! : 0;
      for (let t = plan.blockStart[blk]!; t < plan.blockStart[blk + 1]!; t++) {
        const x = t - lo;
        let u: number;
        let i: number;
        let v: number;
        if (codes) {
          const c = codes[x]! >>> 0;
          const off = Math.floor(c / valueScale);
          const du = Math.floor(off / itemScale);
          u = u0 + du;
          i = i0 + (off - du * itemScale);
          v = pk!.valueBits >= 0 ? pk!.table[c - off * valueScale]! : vidx ? pk!.table[vidx[x]!]! : vals![x]!;
        } else {
          u = users![x]!;
          i = items![x]!;
          v = vals![x]!;
        }
        const p = next[u]!++;
        indices[p] = i;
        values[p] = v;
      }
    }
  }
  return { rows: nUsers, cols: nItems, indptr, indices: indices.subarray(0, nnz), values: values.subarray(0, nnz) };
}

/**
 * The epoch's schedule: `grid` steps, each a shard table of `grid` mutually conflict-free blocks.
 * Step s runs diagonal d = order[s]: blocks (a, col[(a + d) mod grid]) for every user block a,
 * with `order` and `col` permutations drawn from rngFor(seed, "sgd-diagonals", epoch).
 */
export function sgdEpochSchedule(plan: SgdBlockPlan, seed: number, epoch: number): Int32Array[] {
  return epochBlocks(plan.grid, seed, epoch).map((blocks) => {
    const shards = new Int32Array(2 * plan.grid);
    for (let a = 0; a < plan.grid; a++) {
      shards[2 * a] = plan.blockStart[blocks[a]!]!;
      shards[2 * a + 1] = plan.blockStart[blocks[a]! + 1]!;
    }
    return shards;
  });
}

/** The block index a·grid + b that shard a runs at each step of the epoch (see {@link sgdEpochSchedule}). */
function epochBlocks(g: number, seed: number, epoch: number): Int32Array[] {
  const rng = rngFor(seed, "sgd-diagonals", epoch);
  const order = Int32Array.from({ length: g }, (_, i) => i);
  const col = Int32Array.from({ length: g }, (_, i) => i);
  rng.shuffle(order);
  rng.shuffle(col);
  const steps: Int32Array[] = [];
  for (let s = 0; s < g; s++) {
    const d = order[s]!;
    const blocks = new Int32Array(g);
    for (let a = 0; a < g; a++) blocks[a] = a * g + col[(a + d) % g]!;
    steps.push(blocks);
  }
  return steps;
}

/** Factor state and hyper-parameters of an SGD epoch (arrays are arena views). */
export interface SgdParams {
  P: Float32Array;
  Q: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  factors: number;
  globalMean: number;
  learningRate: number;
  regularization: number;
  biasRegularization: number;
  useBias: boolean;
}

/** One SGD epoch over every block with the WASM kernel on `pool`; returns Σe² (summed per step in block order). */
export function runSgdEpoch(pool: KernelPool, plan: SgdBlockPlan, p: SgdParams, seed: number, epoch: number): number {
  const factors = { P: p.P, Q: p.Q, bu: p.userBias, bi: p.itemBias, k: p.factors, mu: p.globalMean, lr: p.learningRate, reg: p.regularization, regBias: p.biasRegularization, useBias: p.useBias, lossOut: plan.loss };
  let sse = 0;
  const pk = plan.packed;
  if (!pk) {
    const call = kernelCall.sgdRange({ users: plan.users, items: plan.items, values: plan.values, ...factors });
    for (const shards of sgdEpochSchedule(plan, seed, epoch)) {
      pool.run({ ...call, shards });
      for (let a = 0; a < plan.grid; a++) sse += plan.loss[a]!;
    }
    return sse;
  }
  const g = plan.grid;
  const values = pk.valueBits === -1 ? plan.values : pk.valueBits === -2 ? pk.valueIndex : null;
  const call = kernelCall.sgdPackedRange({ codes: pk.codes, values, table: pk.table, ...factors, bases: pk.bases, itemBits: pk.itemBits, valueBits: pk.valueBits });
  const steps = epochBlocks(g, seed, epoch);
  const shards = sgdEpochSchedule(plan, seed, epoch);
  for (let s = 0; s < g; s++) {
    // Workers read the bases after the pool posts the task (an Atomics store): written here, seen there.
    for (let a = 0; a < g; a++) {
      const blk = steps[s]![a]!;
      pk.bases[2 * a] = pk.userStart[Math.floor(blk / g)]!;
      pk.bases[2 * a + 1] = pk.itemStart[blk % g]!;
    }
    pool.run({ ...call, shards: shards[s]! });
    for (let a = 0; a < g; a++) sse += plan.loss[a]!;
  }
  return sse;
}
