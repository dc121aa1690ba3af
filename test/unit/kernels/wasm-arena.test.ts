import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { ARENA_ALIGN, KernelArena } from "../../../src/kernels/wasm-arena.js";

describe("KernelArena", () => {
  it("hands out aligned, zeroed, non-overlapping views of one memory", () => {
    const a = KernelArena.create(3 * ARENA_ALIGN);
    const x = a.f32(10);
    const y = a.i32(3);
    const z = a.f64(10);
    for (const v of [x, y, z]) {
      assert.equal(v.buffer, a.memory.buffer);
      assert.equal(v.byteOffset % ARENA_ALIGN, 0);
      assert.ok(v.every((e) => e === 0));
    }
    assert.ok(y.byteOffset >= x.byteOffset + 40);
    assert.ok(z.byteOffset >= y.byteOffset + 12);
  });

  it("throws E_CONFIG when full, and release() frees and zeroes", () => {
    const a = KernelArena.create(1024);
    const m = a.mark();
    const v = a.f32(16);
    v.fill(7);
    assert.throws(() => a.f32(1 << 20), (e) => isMfrecError(e, "E_CONFIG"));
    a.release(m);
    const w = a.f32(16);
    assert.equal(w.byteOffset, v.byteOffset);
    assert.ok(w.every((e) => e === 0));
  });

  it("shared arenas are backed by a SharedArrayBuffer; plain ones are not", () => {
    assert.ok(KernelArena.create(64, { shared: true }).memory.buffer instanceof SharedArrayBuffer);
    assert.ok(KernelArena.create(64).memory.buffer instanceof ArrayBuffer);
  });
});
