/**
 * Where a trainer's kernels run: the WebAssembly SIMD kernels on a KernelArena and a pool (one per fit),
 * or the TypeScript kernels (the reference, and the fallback where WebAssembly SIMD is missing).
 * The choice never changes results beyond float rounding; the thread count never changes them at all.
 */
import { MfrecError } from "../core/errors.js";
import { type MemoryPlan, openArena } from "../kernels/arena-plan.js";
import type { KernelArena } from "../kernels/wasm-arena.js";
import { wasmSimdSupported, wasmThreadsSupported } from "../kernels/wasm.js";
import { InlinePool } from "../parallel/inline-pool.js";
import type { KernelPool } from "../parallel/pool.js";
import { defaultPoolFactory, type KernelPoolFactory, resolveThreads } from "../parallel/pool-factory.js";

/** "auto": WASM when the runtime has SIMD, else TS; "wasm" fails without SIMD; "ts" forces the reference kernels. */
export type KernelChoice = "auto" | "wasm" | "ts";

/** How a fit runs its kernels (FitOptions.pool / FitOptions.kernels, passed through TrainingData). */
export interface TrainRuntime {
  poolFactory?: KernelPoolFactory;
  kernels?: KernelChoice;
  /** FitOptions.zeroCopy: the final model may keep the trainer's arrays (a trainer may reserve kernel memory for them). */
  zeroCopy?: boolean;
  /** FitOptions.threads: worker threads, 0 or absent = automatic. Never changes results. */
  threads?: number;
}


/** Below this much work (ratings) automatic threads (0) stay at one: starting workers costs more. */
export const SMALL_WORK = 50_000;

/** An open WASM runtime: the arena everything lives in and the pool running the kernels. */
export interface WasmRuntime {
  arena: KernelArena;
  pool: KernelPool;
  threads: number;
}

/**
 * Open the WASM runtime for a fit, or undefined for the TS kernels: one arena sized for `plans` (what the
 * trainer will allocate, kernels/arena-plan.ts) and the scratch of the kernels at k factors on every thread.
 * The thread count is the runtime's (FitOptions.threads); 0 or absent means the pool factory's default.
 */
export function openWasmRuntime(runtime: TrainRuntime | undefined, plans: readonly MemoryPlan[], k: number, work: number): WasmRuntime | undefined {
  const configThreads = runtime?.threads ?? 0;
  const choice = runtime?.kernels ?? "auto";
  if (choice === "ts") return undefined;
  if (!wasmSimdSupported()) {
    if (choice === "wasm") throw new MfrecError("E_UNSUPPORTED", "this runtime has no WebAssembly SIMD", { hint: "use kernels: \"ts\" or \"auto\"" });
    return undefined;
  }
  const factory = runtime?.poolFactory ?? defaultPoolFactory();
  let threads = configThreads === 0 && work < SMALL_WORK ? 1 : resolveThreads(configThreads, factory);
  if (threads > 1 && !wasmThreadsSupported()) threads = 1;
  const { arena, scratchBytes: scratch } = openArena(plans, { threads, scratch: { factors: k } });
  const pool = threads > 1 ? factory.create(arena, { threads, scratchBytes: scratch }) : new InlinePool(arena, scratch);
  return { arena, pool, threads: pool.threads };
}
