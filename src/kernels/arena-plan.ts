/**
 * WASM memory planning: the one module that turns buffer shapes into bytes. A caller declares the buffers its
 * kernels need by shape (element type and length, or a copy of an existing array) in a {@link MemoryPlan},
 * plus unnamed ranges that other code allocates later (reserve-then-allocate: a block plan, a transpose, a
 * temporary table given back with mark/release); {@link openArena} sizes one {@link KernelArena} for a set of
 * plans and the pool threads' scratch, and {@link MemoryPlan.place} allocates the named buffers from it (or
 * from the heap when the TypeScript kernels run) and returns them as typed views by name.
 * Nothing outside this module (and the arena's own bump allocator) does byte arithmetic on kernel memory:
 * test/unit/kernels/arena-plan.test.ts checks it.
 */
import { ARENA_ALIGN, KernelArena, type KernelArenaOptions } from "./wasm-arena.js";

/** Element types a kernel buffer can have. */
export type ElementType = "f32" | "i32" | "f64" | "u8";

/** The typed array of an element type. */
export type ViewOf<E extends ElementType> = E extends "f32" ? Float32Array : E extends "i32" ? Int32Array : E extends "f64" ? Float64Array : Uint8Array;

/** A buffer by shape: `length` elements of `type`; with `from`, a copy of that array (its first `length` elements). */
export interface Shape<E extends ElementType = ElementType> {
  readonly type: E;
  readonly length: number;
  readonly from?: Float32Array | Int32Array | Float64Array;
}

const BYTES: Record<ElementType, number> = { f32: 4, i32: 4, f64: 8, u8: 1 };

/** `length` float32s (zeroed). */
export const f32 = (length: number): Shape<"f32"> => ({ type: "f32", length });
/** `length` int32s (zeroed). */
export const i32 = (length: number): Shape<"i32"> => ({ type: "i32", length });
/** `length` float64s (zeroed). */
export const f64 = (length: number): Shape<"f64"> => ({ type: "f64", length });
/** `length` bytes (zeroed). */
export const u8 = (length: number): Shape<"u8"> => ({ type: "u8", length });

/** A copy of `a` in kernel memory (on the heap: `a` itself, read-only use). */
export function copyOf(a: Float32Array): Shape<"f32">;
export function copyOf(a: Int32Array): Shape<"i32">;
export function copyOf(a: Float64Array): Shape<"f64">;
export function copyOf(a: Float32Array | Int32Array | Float64Array): Shape {
  const type: ElementType = a instanceof Float32Array ? "f32" : a instanceof Int32Array ? "i32" : "f64";
  return { type, length: a.length, from: a };
}

/** Where arrays come from: a KernelArena (WASM kernels) or {@link heapAllocator} (TS kernels). */
export interface ArrayAllocator {
  i32(n: number): Int32Array;
  f32(n: number): Float32Array;
  f64(n: number): Float64Array;
  u8(n: number): Uint8Array;
}

/** Ordinary typed arrays (the TS kernels). */
export const heapAllocator: ArrayAllocator = {
  i32: (n) => new Int32Array(n),
  f32: (n) => new Float32Array(n),
  f64: (n) => new Float64Array(n),
  u8: (n) => new Uint8Array(n),
};

/** Named buffers of a plan; `null` for a buffer that this configuration does not have (its view is null). */
export type BufferSpec = Readonly<Record<string, Shape | null>>;

/** The typed views of a placed plan, by name. */
export type Views<S extends BufferSpec> = { readonly [K in keyof S]: ViewOfEntry<S[K]> };

/** The view of one spec entry (distributes over `Shape | null`). */
type ViewOfEntry<T> = T extends Shape<infer E> ? ViewOf<E> : null;

function aligned(bytes: number): number {
  return Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN;
}

function shapeBytes(s: Shape): number {
  return aligned(s.length * BYTES[s.type]);
}

function allocate(alloc: ArrayAllocator, s: Shape): Float32Array | Int32Array | Float64Array | Uint8Array {
  const from = s.from;
  if (from && alloc === heapAllocator) return from;
  const v = alloc[s.type](s.length);
  if (from) v.set(from);
  return v;
}

/**
 * Buffers one caller needs in kernel memory: named ones, placed together by {@link place} in declaration
 * order, and `reserved` ranges the caller's helpers allocate later from the same arena (their shapes say
 * how much; what they give back with mark/release is counted all the same).
 */
export class MemoryPlan<S extends BufferSpec = BufferSpec> {
  constructor(
    readonly buffers: S,
    readonly reserved: readonly Shape[] = [],
  ) {}

  /** Bytes this plan takes in an arena, alignment included (reporting and tests; callers never add bytes). */
  get bytes(): number {
    let t = 0;
    for (const s of Object.values(this.buffers)) if (s) t += shapeBytes(s);
    for (const s of this.reserved) t += shapeBytes(s);
    return t;
  }

  /** Allocate the named buffers from `alloc` (copies filled) and return them by name. */
  place(alloc: ArrayAllocator): Views<S> {
    const out: Record<string, unknown> = {};
    for (const [name, s] of Object.entries(this.buffers)) out[name] = s ? allocate(alloc, s) : null;
    return out as Views<S>;
  }
}

/** A plan of named buffers (and optionally ranges reserved for later allocations). */
export function memoryPlan<S extends BufferSpec>(buffers: S, reserved: readonly Shape[] = []): MemoryPlan<S> {
  return new MemoryPlan(buffers, reserved);
}

/** Ranges reserved for allocations made later by other code (a block plan, a transpose, column segments). */
export function reserve(...shapes: readonly Shape[]): MemoryPlan<Record<never, never>> {
  return new MemoryPlan({}, shapes);
}

/** Scratch bytes the kernels need per thread at k factors (the largest of all kernels' row systems). */
export function kernelScratchBytes(k: number): number {
  const d = k + 1;
  const dp = (d + 3) & ~3;
  const chol = dp * dp * 4 + dp * 4 + 8 + d * d * 8 + dp * 16;
  const cg = 4 * dp * 4;
  return aligned(Math.max(chol, cg)) + 64;
}

/** Per-thread scratch: the kernels' at `factors`, or at least `shapes` packed back to back plus 64 bytes when larger. */
export interface ThreadScratch {
  factors: number;
  shapes?: readonly Shape[];
}

function scratchBytes(s: ThreadScratch): number {
  const base = kernelScratchBytes(s.factors);
  if (!s.shapes || s.shapes.length === 0) return base;
  let packed = 64;
  for (const x of s.shapes) packed += x.length * BYTES[x.type];
  return aligned(Math.max(base, packed));
}

/** wasm32's 4 GiB, less room for the module's page and the threads' scratch: what one arena may plan. */
export const KERNEL_MEMORY_LIMIT = 2 ** 32 - 2 ** 26;

/** The most one arena can hold (wasm32: 4 GiB less the module's page and one more of slack). */
export const ARENA_MAX_BYTES = 2 ** 32 - 2 * 65536;

/** True when these plans together fit under `limit` (default {@link KERNEL_MEMORY_LIMIT}). */
export function fitsKernelMemory(plans: readonly MemoryPlan[], limit = KERNEL_MEMORY_LIMIT): boolean {
  return totalBytes(plans) <= limit;
}

function totalBytes(plans: readonly MemoryPlan[]): number {
  let t = 0;
  for (const p of plans) t += p.bytes;
  return t;
}

/** Options of {@link openArena}. */
export interface OpenArenaOptions extends Omit<KernelArenaOptions, "shared"> {
  /** Threads that will run kernels on it (a shared memory when more than one; default 1). */
  threads?: number;
  /** Per-thread scratch (a pool's `scratchBytes`); without it no scratch is planned. */
  scratch?: ThreadScratch;
  /** Force a shared memory even for one thread (a worker pool started on it later). */
  shared?: boolean;
}

/** An arena sized for some plans, and the per-thread scratch bytes to give its pool. */
export interface PlannedArena {
  arena: KernelArena;
  scratchBytes: number;
}

/**
 * One arena holding every plan (named buffers and reserved ranges) and the scratch of `threads` + 1 threads.
 * Reserved pages cost no memory until written.
 */
export function openArena(plans: readonly MemoryPlan[], opts: OpenArenaOptions = {}): PlannedArena {
  const threads = opts.threads ?? 1;
  const scratch = opts.scratch ? scratchBytes(opts.scratch) : 0;
  const slack = opts.scratch ? (threads + 1) * (scratch + 64) + 4096 : 0;
  const arena = KernelArena.create(totalBytes(plans) + slack, { shared: opts.shared ?? threads > 1, module: opts.module });
  return { arena, scratchBytes: scratch };
}
