import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { copyOf, f32, f64, fitsKernelMemory, heapAllocator, i32, kernelScratchBytes, memoryPlan, openArena, reserve, u8 } from "../../../src/kernels/arena-plan.js";
import { ARENA_ALIGN } from "../../../src/kernels/wasm-arena.js";
import { repoRoot } from "../../helpers/data.js";

describe("memory plans (kernels/arena-plan.ts)", () => {
  it("places named buffers in one arena: typed views by name, aligned, disjoint, copies filled, null when absent", () => {
    const src = Float32Array.of(1, 2, 3);
    const plan = memoryPlan({ a: f32(10), b: i32(3), c: f64(5), d: u8(7), e: copyOf(src), none: null });
    const { arena } = openArena([plan]);
    const v = plan.place(arena);
    const a: Float32Array = v.a;
    const b: Int32Array = v.b;
    const c: Float64Array = v.c;
    const d: Uint8Array = v.d;
    const none: null = v.none;
    assert.equal(none, null);
    const views = [a, b, c, d, v.e];
    for (const x of views) {
      assert.equal(x.buffer, arena.memory.buffer);
      assert.equal(x.byteOffset % ARENA_ALIGN, 0);
    }
    for (let p = 1; p < views.length; p++) assert.ok(views[p]!.byteOffset >= views[p - 1]!.byteOffset + views[p - 1]!.byteLength);
    assert.deepEqual([...v.e], [1, 2, 3]);
    assert.notEqual(v.e, src);
    assert.ok(arena.used <= plan.bytes && arena.used > plan.bytes - ARENA_ALIGN, "the plan's bytes are what placing it takes (up to the last view's alignment)");
    assert.throws(() => arena.f32(1 << 20), "the arena holds the plan, not more");
  });

  it("on the heap a copy is the source itself and the rest are fresh arrays", () => {
    const src = Int32Array.of(4, 5);
    const v = memoryPlan({ s: copyOf(src), x: f32(2) }).place(heapAllocator);
    assert.equal(v.s, src);
    assert.ok(v.x instanceof Float32Array && v.x.length === 2);
  });

  it("reserved ranges are sized and left to later allocations; per-thread scratch comes on top", () => {
    const r = reserve(f32(100), i32(1));
    assert.equal(r.bytes, 448 + 64);
    const { arena, scratchBytes } = openArena([r], { threads: 3, scratch: { factors: 8 } });
    assert.equal(scratchBytes, kernelScratchBytes(8));
    assert.ok(arena.capacity >= r.bytes + 4 * scratchBytes);
    assert.ok(arena.shared);
    const wide = openArena([r], { scratch: { factors: 8, shapes: [i32(10_000)] } });
    assert.ok(wide.scratchBytes >= 40_064 && wide.scratchBytes % ARENA_ALIGN === 0);
    assert.ok(fitsKernelMemory([r]));
    assert.ok(!fitsKernelMemory([reserve(f32(2 ** 30))]));
  });
});

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && e.name !== "dist" && e.name !== "web") sources(p, out);
    } else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("no byte arithmetic on kernel memory outside the planner", () => {
  it("src/ and packages/server/src size no arena by hand", () => {
    const owners = new Set(["src/kernels/arena-plan.ts", "src/kernels/wasm-arena.ts"]);
    const banned: [RegExp, string][] = [
      [/\bbytesFor\b/, "a hand-written byte sum (declare shapes in a memoryPlan)"],
      [/KernelArena\.create\(/, "an arena sized by hand (use openArena)"],
      [/kernelScratchBytes\(/, "scratch sized by hand (openArena's scratch option)"],
      [/new Uint8Array\([^)]*\.memory\.buffer/, "a byte view carved out of kernel memory (use u8 in a plan)"],
      [/\.(f32|i32|f64|u8)\(Math\.ceil\([^)]*\/ ?[48]\)/, "an allocation sized in bytes"],
    ];
    const bad: string[] = [];
    for (const root of ["src", "packages/server/src"]) {
      for (const file of sources(join(repoRoot, root))) {
        const rel = relative(repoRoot, file).split("\\").join("/");
        if (owners.has(rel)) continue;
        readFileSync(file, "utf8")
          .split("\n")
          .forEach((line, i) => {
            for (const [re, what] of banned) if (re.test(line)) bad.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
          });
      }
    }
    assert.deepEqual(bad, [], `expected no arena sizing outside src/kernels/arena-plan.ts:\n${bad.join("\n")}`);
  });
});
