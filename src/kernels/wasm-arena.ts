/**
 * One WebAssembly.Memory holding everything the WASM kernels touch (factor matrices, CSR arrays,
 * per-thread scratch), reserved in full up front so typed-array views never detach, and shared
 * (SharedArrayBuffer) when a worker pool will use it. A view's byteOffset is its kernel pointer.
 */
import { MfrecError } from "../core/errors.js";
import { instantiateKernels, kernelModule, type WasmKernels } from "./wasm.js";

const PAGE = 65536;
/** Views start on 64-byte boundaries (cache lines; f32x4 needs 16). */
export const ARENA_ALIGN = 64;
/** The first page holds the module's own data; arena views start after it. */
const BASE = PAGE;

/** Options of {@link KernelArena.create}. */
export interface KernelArenaOptions {
  /** Back the memory with a SharedArrayBuffer so worker pools can use it (default false). */
  shared?: boolean;
  /** Compiled module to instantiate (default: the cached built-in one). */
  module?: WebAssembly.Module;
}

/** Bump allocator over one fixed-size memory, with the kernels instantiated against it. */
export class KernelArena {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly kernels: WasmKernels;
  /** Usable bytes (excluding the module's first page). */
  readonly capacity: number;
  private top = BASE;

  private constructor(memory: WebAssembly.Memory, shared: boolean, capacity: number, module?: WebAssembly.Module) {
    this.memory = memory;
    this.shared = shared;
    this.capacity = capacity;
    this.kernels = instantiateKernels(memory, shared, module ?? kernelModule(shared));
    if (this.kernels.heapBase() > BASE) throw new MfrecError("E_UNSUPPORTED", "the kernel module's static data exceeds its reserved page");
  }

  /** Reserve `bytes` in a new memory; at most 4 GiB − 64 KiB (wasm32). Size it with kernels/arena-plan.ts openArena. */
  static create(bytes: number, opts: KernelArenaOptions = {}): KernelArena {
    const shared = opts.shared ?? false;
    const pages = Math.ceil((BASE + Math.max(0, bytes)) / PAGE);
    if (!Number.isFinite(pages) || pages > 65536) {
      throw new MfrecError("E_CONFIG", "the kernel arena cannot be that large", { value: bytes, expected: "at most 4 GiB (wasm32)" });
    }
    if (shared && typeof SharedArrayBuffer === "undefined") {
      throw new MfrecError("E_UNSUPPORTED", "shared WebAssembly memory needs SharedArrayBuffer", { hint: "serve the page cross-origin isolated, or use threads: 1" });
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
    return new KernelArena(memory, shared, pages * PAGE - BASE, opts.module);
  }

  /** Bytes handed out so far. */
  get used(): number {
    return this.top - BASE;
  }

  private take(bytes: number): number {
    const p = Math.ceil(this.top / ARENA_ALIGN) * ARENA_ALIGN;
    if (p + bytes > BASE + this.capacity) {
      throw new MfrecError("E_CONFIG", "the kernel arena is full", { value: bytes, expected: `at most ${BASE + this.capacity - p} more bytes` });
    }
    this.top = p + bytes;
    return p;
  }

  /** A zeroed Float32Array of length n inside the memory (pointer = view.byteOffset). */
  f32(n: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.take(n * 4), n);
  }

  /** A zeroed Int32Array of length n inside the memory. */
  i32(n: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(n * 4), n);
  }

  /** A zeroed Float64Array of length n inside the memory. */
  f64(n: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.take(n * 8), n);
  }

  /** A zeroed Uint8Array of length n inside the memory. */
  u8(n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(n), n);
  }

  /** A copy of `a` inside the memory. */
  copyF32(a: ArrayLike<number>): Float32Array {
    const v = this.f32(a.length);
    v.set(a);
    return v;
  }

  /** A copy of `a` inside the memory. */
  copyI32(a: ArrayLike<number>): Int32Array {
    const v = this.i32(a.length);
    v.set(a);
    return v;
  }

  /** Current allocation mark, for {@link release}. */
  mark(): number {
    return this.top;
  }

  /** Free everything allocated after `mark` (views made since then must not be used again); zeroes it. */
  release(mark: number): void {
    if (mark < BASE || mark > this.top) throw new RangeError(`bad arena mark ${mark}`);
    new Uint8Array(this.memory.buffer, mark, this.top - mark).fill(0);
    this.top = mark;
  }
}
