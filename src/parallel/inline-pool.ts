import type { KernelArena } from "../kernels/wasm-arena.js";
import type { WasmKernels } from "../kernels/wasm.js";
import type { KernelPool, KernelTask } from "./pool.js";

/** Call a task's kernel on one shard (the one place that spreads the argument list). */
export function runShard(kernels: WasmKernels, task: KernelTask, s: number, scratch: number): void {
  const fn = kernels[task.kernel] as (...a: number[]) => void;
  fn(...task.args, task.shards[2 * s]!, task.shards[2 * s + 1]!, s, scratch);
}

/** The pool of one: shards run in index order on the calling thread. Works without SharedArrayBuffer. */
export class InlinePool implements KernelPool {
  readonly threads = 1;
  readonly arena: KernelArena;
  readonly scratchBytes: number;
  private readonly scratch: number;

  constructor(arena: KernelArena, scratchBytes: number) {
    this.arena = arena;
    this.scratchBytes = scratchBytes;
    this.scratch = arena.u8(scratchBytes).byteOffset;
  }

  run(task: KernelTask): void {
    const n = task.shards.length >> 1;
    for (let s = 0; s < n; s++) runShard(this.arena.kernels, task, s, this.scratch);
  }

  async runAsync(task: KernelTask): Promise<void> {
    this.run(task);
  }

  async close(): Promise<void> {}
}
