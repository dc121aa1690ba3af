/**
 * The protocol between a pool's calling thread and its workers, over one SharedArrayBuffer
 * (the control block) beside the arena's shared memory. Browser-safe: Node and browser pools
 * differ only in how they start workers.
 *
 * A run: the caller writes kernel id, arguments and shard table, resets the shard counter, bumps the
 * generation and notifies. Every thread (caller included) claims shards with Atomics.add until none
 * remain; workers then bump `done`, and the caller waits for done = workers. Which thread ran a shard
 * never matters: shards write disjoint outputs.
 */
import { MfrecError } from "../core/errors.js";
import type { KernelCallArgs } from "../kernels/kernel-calls.js";
import { KERNEL_NAMES, type WasmKernels } from "../kernels/wasm.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import { runShard } from "./inline-pool.js";
import type { KernelPool, KernelTask } from "./pool.js";

const GEN = 0;
const KERNEL = 1;
const NSHARDS = 2;
const NEXT = 3;
const DONE = 4;
const NARGS = 5;
const READY = 6;
const STOP = 7;
const ERROR = 8;
const HEADER_INTS = 16;
/** Most leading arguments a kernel takes. */
export const MAX_ARGS = 32;

/** What a worker receives at start-up (structured-cloneable). */
export interface WorkerInit {
  control: SharedArrayBuffer;
  maxShards: number;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  tid: number;
  scratch: number;
}

/** Views over a control block. */
export class ControlBlock {
  readonly ints: Int32Array;
  readonly args: Float64Array;
  readonly shards: Int32Array;
  readonly maxShards: number;

  constructor(buffer: SharedArrayBuffer, maxShards: number) {
    this.maxShards = maxShards;
    this.ints = new Int32Array(buffer, 0, HEADER_INTS);
    this.args = new Float64Array(buffer, HEADER_INTS * 4, MAX_ARGS);
    this.shards = new Int32Array(buffer, HEADER_INTS * 4 + MAX_ARGS * 8, 2 * maxShards);
  }

  static bytes(maxShards: number): number {
    return HEADER_INTS * 4 + MAX_ARGS * 8 + 8 * maxShards;
  }

  /** The task currently posted (read by workers). */
  task(): KernelTask {
    const n = Atomics.load(this.ints, NSHARDS);
    return {
      kernel: KERNEL_NAMES[Atomics.load(this.ints, KERNEL)]!,
      // the arguments a builder made, as the posting thread wrote them
      args: Array.from(this.args.subarray(0, Atomics.load(this.ints, NARGS))) as unknown as KernelCallArgs,
      shards: this.shards.subarray(0, 2 * n),
    };
  }

  /** Claim and run shards until none remain. */
  drain(kernels: WasmKernels, task: KernelTask, scratch: number): void {
    const n = task.shards.length >> 1;
    for (;;) {
      const s = Atomics.add(this.ints, NEXT, 1);
      if (s >= n) return;
      runShard(kernels, task, s, scratch);
    }
  }
}

/** A worker's whole life: announce readiness, then run every posted task until told to stop. Blocks its thread. */
export function workerLoop(init: WorkerInit, kernels: WasmKernels): void {
  const cb = new ControlBlock(init.control, init.maxShards);
  const ints = cb.ints;
  let gen = Atomics.load(ints, GEN);
  Atomics.add(ints, READY, 1);
  Atomics.notify(ints, READY);
  for (;;) {
    Atomics.wait(ints, GEN, gen);
    gen = Atomics.load(ints, GEN);
    if (Atomics.load(ints, STOP) !== 0) return;
    try {
      cb.drain(kernels, cb.task(), init.scratch);
    } catch {
      Atomics.store(ints, ERROR, 1);
    }
    Atomics.add(ints, DONE, 1);
    Atomics.notify(ints, DONE);
  }
}

/** The calling side of a shared-memory pool; subclasses start the workers. */
export abstract class SharedPool implements KernelPool {
  readonly threads: number;
  readonly arena: KernelArena;
  readonly scratchBytes: number;
  protected readonly cb: ControlBlock;
  protected readonly control: SharedArrayBuffer;
  protected readonly scratch: number[];
  private busy = false;

  protected constructor(arena: KernelArena, threads: number, scratchBytes: number, maxShards: number) {
    if (!arena.shared) throw new MfrecError("E_CONFIG", "a worker pool needs a shared arena", { expected: "an arena opened with threads > 1 (openArena)" });
    this.arena = arena;
    this.threads = threads;
    this.scratchBytes = scratchBytes;
    this.control = new SharedArrayBuffer(ControlBlock.bytes(maxShards));
    this.cb = new ControlBlock(this.control, maxShards);
    this.scratch = [];
    for (let t = 0; t < threads; t++) this.scratch.push(arena.u8(scratchBytes).byteOffset);
  }

  /** Start-up data of worker `tid` (1 … threads−1; the caller is thread 0). */
  protected initFor(tid: number, module: WebAssembly.Module): WorkerInit {
    return { control: this.control, maxShards: this.cb.maxShards, memory: this.arena.memory, module, tid, scratch: this.scratch[tid]! };
  }

  /** Block until all workers have announced themselves (or time out). */
  protected waitReady(timeoutMs: number): void {
    const ints = this.cb.ints;
    const t0 = Date.now();
    for (;;) {
      const r = Atomics.load(ints, READY);
      if (r >= this.threads - 1) return;
      if (Date.now() - t0 > timeoutMs) throw new MfrecError("E_UNSUPPORTED", `only ${r} of ${this.threads - 1} pool workers started`);
      Atomics.wait(ints, READY, r, 50);
    }
  }

  /** Workers ready so far. */
  protected readyCount(): number {
    return Atomics.load(this.cb.ints, READY);
  }

  private post(task: KernelTask): void {
    if (this.busy) throw new MfrecError("E_UNSUPPORTED", "a kernel pool runs one task at a time");
    const n = task.shards.length >> 1;
    if (n > this.cb.maxShards) throw new MfrecError("E_CONFIG", "too many shards for this pool", { value: n, expected: `at most ${this.cb.maxShards}` });
    if (task.args.length > MAX_ARGS) throw new RangeError(`too many kernel arguments: ${task.args.length}`);
    const id = KERNEL_NAMES.indexOf(task.kernel);
    // A kernel missing from KERNEL_NAMES would reach the workers as "undefined" (the bayes-fm kernels once were).
    if (id < 0) throw new MfrecError("E_UNSUPPORTED", `kernel ${task.kernel} is not in KERNEL_NAMES (kernels/wasm.ts): pools cannot run it`);
    this.busy = true;
    const ints = this.cb.ints;
    Atomics.store(ints, KERNEL, id);
    Atomics.store(ints, NARGS, task.args.length);
    this.cb.args.set(task.args);
    this.cb.shards.set(task.shards.subarray(0, 2 * n));
    Atomics.store(ints, NSHARDS, n);
    Atomics.store(ints, NEXT, 0);
    Atomics.store(ints, DONE, 0);
    Atomics.store(ints, ERROR, 0);
    Atomics.add(ints, GEN, 1);
    Atomics.notify(ints, GEN);
  }

  private finish(): void {
    this.busy = false;
    if (Atomics.load(this.cb.ints, ERROR) !== 0) throw new MfrecError("E_UNSUPPORTED", "a WebAssembly kernel failed in a pool worker");
  }

  run(task: KernelTask): void {
    this.post(task);
    try {
      this.cb.drain(this.arena.kernels, task, this.scratch[0]!);
    } catch (e) {
      this.waitDone();
      this.busy = false;
      throw e;
    }
    this.waitDone();
    this.finish();
  }

  private waitDone(): void {
    const ints = this.cb.ints;
    for (;;) {
      const d = Atomics.load(ints, DONE);
      if (d >= this.threads - 1) return;
      Atomics.wait(ints, DONE, d);
    }
  }

  async runAsync(task: KernelTask): Promise<void> {
    this.post(task);
    this.cb.drain(this.arena.kernels, task, this.scratch[0]!);
    const ints = this.cb.ints;
    // Workers are unref'd and Atomics.waitAsync holds no handle: keep the event loop alive meanwhile.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      for (;;) {
        const d = Atomics.load(ints, DONE);
        if (d >= this.threads - 1) break;
        const wa = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<unknown> | string } }).waitAsync;
        if (wa) {
          const r = wa(ints, DONE, d);
          if (r.async) await r.value;
        } else await new Promise((res) => setTimeout(res, 1));
      }
    } finally {
      clearInterval(keepAlive);
    }
    this.finish();
  }

  /** Tell workers to exit; subclasses then terminate them. */
  protected signalStop(): void {
    Atomics.store(this.cb.ints, STOP, 1);
    Atomics.add(this.cb.ints, GEN, 1);
    Atomics.notify(this.cb.ints, GEN);
  }

  abstract close(): Promise<void>;
}
