/**
 * Scores one user row against every item of a model for the recommend path. Large catalogues use
 * the WebAssembly SIMD kernel (kernels/wasm.ts scoreRange) over a copy of the item matrix made
 * once per model; small ones (or runtimes without SIMD) use the plain scoreRow kernel into one
 * reused buffer. Either way no items-sized array is allocated per request.
 */
import { type FactorModel, wasmSimdSupported } from "mfrec";
import { arenaPlan, type KernelArena, kernelCall, runRange, scoreRow } from "mfrec/internal";

/** Below this many items the copy into WebAssembly memory does not pay off. */
export const WASM_MIN_ITEMS = 2048;

/** Per-model scorer; `score` returns a view valid until the next call. */
export class ItemScorer {
  private readonly arena: KernelArena | null;
  private readonly items: Float32Array | null = null;
  private readonly itemBias: Float32Array | null = null;
  private readonly row: Float32Array;
  private readonly out: Float32Array;

  constructor(
    private readonly model: FactorModel,
    useWasm = model.numItems >= WASM_MIN_ITEMS && wasmSimdSupported(),
  ) {
    const n = model.numItems;
    const k = model.factors;
    if (useWasm) {
      const { copyOf, f32 } = arenaPlan;
      const plan = arenaPlan.memoryPlan({
        items: copyOf(model.itemFactors.data),
        itemBias: model.itemBias ? copyOf(model.itemBias) : null,
        row: f32(k),
        out: f32(n),
      });
      const { arena } = arenaPlan.openArena([plan]);
      const v = plan.place(arena);
      this.items = v.items;
      this.itemBias = v.itemBias;
      this.row = v.row;
      this.out = v.out;
      this.arena = arena;
    } else {
      this.arena = null;
      this.row = new Float32Array(0);
      this.out = new Float32Array(n);
    }
  }

  /** True when the SIMD kernel is in use. */
  get simd(): boolean {
    return this.arena !== null;
  }

  /** out[i] = base + b_i + p·q_i for every item, p = P[pOff .. pOff + k). */
  score(P: Float32Array, pOff: number, base: number): Float32Array {
    const m = this.model;
    const k = m.factors;
    const n = m.numItems;
    if (this.arena) {
      this.row.set(P.subarray(pOff, pOff + k));
      // Items as the kernel's "users" and the one user as its single "item": the kernel's 4-row
      // block then scores four items per pass with independent accumulators (the one-row path
      // is one long dependency chain). Same lanes and sums, so the same float32 scores:
      // (base + b_i) + p·q_i, with the item bias in the per-row bias slot.
      runRange(this.arena.kernels, kernelCall.scoreRange({ U: this.items, V: this.row, k, nItems: 1, mu: base, userBias: this.itemBias, itemBias: null, out: this.out, first: 0 }), 0, n);
    } else scoreRow(P, pOff, m.itemFactors.data, k, base, m.itemBias ?? null, this.out, 0, n);
    return this.out;
  }
}
