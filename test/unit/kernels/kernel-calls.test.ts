import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KERNEL_SIGNATURES, kernelCall } from "../../../src/kernels/kernel-calls.js";
import { instantiateKernels, KERNEL_NAMES, wasmSimdSupported } from "../../../src/kernels/wasm.js";
import { KernelArena } from "../../../src/kernels/wasm-arena.js";
import type { KernelPool } from "../../../src/parallel/pool.js";
import { repoRoot } from "../../helpers/data.js";

/** `export function name(a: T, ...)` of every assembly/*.ts file: parameter names and types, in order. */
function assemblySignatures(): Map<string, { name: string; type: string }[]> {
  const out = new Map<string, { name: string; type: string }[]>();
  const dir = join(repoRoot, "assembly");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
    const src = readFileSync(join(dir, f), "utf8");
    for (const m of src.matchAll(/export function (\w+)\(([^)]*)\)/g)) {
      const params = m[2]!
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p.length > 0)
        .map((p) => {
          const [name, type] = p.split(":").map((x) => x.trim());
          return { name: name!, type: type! };
        });
      out.set(m[1]!, params);
    }
  }
  return out;
}

const RANGE_TAIL = ["start", "end", "shard", "scratch"];

describe("typed kernel call builders (kernels/kernel-calls.ts)", () => {
  const asm = assemblySignatures();

  it("every builder lists its kernel's leading arguments in assembly order, pointers as usize", () => {
    for (const [kernel, sig] of Object.entries(KERNEL_SIGNATURES)) {
      const params = asm.get(kernel);
      assert.ok(params, `assembly/*.ts exports ${kernel}`);
      const lead = kernel.endsWith("Range") ? params.slice(0, -4) : params;
      if (kernel.endsWith("Range")) assert.deepEqual(params.slice(-4).map((p) => p.name), RANGE_TAIL, `${kernel} ends with (start, end, shard, scratch)`);
      assert.deepEqual(Object.keys(sig), lead.map((p) => p.name), `${kernel}: field names and order`);
      assert.deepEqual(Object.values(sig), lead.map((p) => (p.type === "usize" ? "ptr" : "num")), `${kernel}: pointer and number positions`);
    }
  });

  it("every pool kernel has a builder", () => {
    for (const k of KERNEL_NAMES) assert.ok(k in KERNEL_SIGNATURES, k);
  });

  it("every range kernel has a pool id (KERNEL_NAMES), so workers can run it", () => {
    for (const k of Object.keys(KERNEL_SIGNATURES).filter((n) => n.endsWith("Range"))) assert.ok((KERNEL_NAMES as readonly string[]).includes(k), `${k} is missing from KERNEL_NAMES`);
  });

  it("each builder's arity matches the instantiated module's export", { skip: !wasmSimdSupported() && "no WebAssembly SIMD" }, () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2 });
    const exports = instantiateKernels(memory, false) as unknown as Record<string, (...a: number[]) => unknown>;
    for (const [kernel, sig] of Object.entries(KERNEL_SIGNATURES)) {
      const extra = kernel.endsWith("Range") ? 4 : 0;
      assert.equal(exports[kernel]?.length, Object.keys(sig).length + extra, `${kernel}: export arity`);
    }
  });

  it("builds the positional call: views as their byteOffset, null as 0, flags as 1/0", () => {
    const a = KernelArena.create(1 << 12);
    const Y = a.f32(8);
    const parts = a.f32(8);
    const call = kernelCall.gramPartRange({ Y, k: 3, parts });
    assert.equal(call.kernel, "gramPartRange");
    assert.deepEqual([...call.args], [Y.byteOffset, 3, parts.byteOffset]);
    const sse = kernelCall.sseRange({ indptr: Y, indices: Y, values: Y, table: null, X: Y, Y, bx: null, by: null, k: 2, mu: 3.5, useBias: true, lossOut: parts });
    assert.deepEqual([...sse.args], [Y.byteOffset, Y.byteOffset, Y.byteOffset, 0, Y.byteOffset, Y.byteOffset, 0, 0, 2, 3.5, 1, parts.byteOffset]);
  });
});

/** Compile-time checks (tsc builds this file): each line below must fail to type-check. Never called. */
export function typeChecks(pool: KernelPool, Y: Float32Array, shards: Int32Array): void {
  // @ts-expect-error a missing field
  kernelCall.gramRange({ Y, k: 4 });
  // @ts-expect-error a misspelt field
  kernelCall.gramRange({ Y, k: 4, g: Y });
  // @ts-expect-error a number where a pointer goes (two arguments swapped)
  kernelCall.gramRange({ Y: 4, k: Y, G: Y });
  // @ts-expect-error a hand-written positional call
  pool.run({ kernel: "gramRange", args: [Y.byteOffset, 4, Y.byteOffset], shards });
  pool.run({ ...kernelCall.gramRange({ Y, k: 4, G: Y }), shards });
}
