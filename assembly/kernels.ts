/**
 * mfrec WebAssembly SIMD kernels (AssemblyScript, f32x4). Compiled twice by scripts/build-wasm.mjs:
 * once against an imported plain memory and once against an imported shared memory (threads).
 *
 * Every kernel works on raw byte offsets into linear memory (the arena in src/kernels/wasm-arena.ts
 * lays the arrays out) and ends with the same four parameters, so the pool can run any of them
 * over fixed shards:  (..., start: i32, end: i32, shard: i32, scratch: usize).
 * Kernels write only the rows [start, end) they own plus per-shard outputs at `shard`, so the
 * result never depends on which thread ran a shard. No allocation, no static data: several
 * instances share one memory safely.
 */
//
// One file per kernel family (vector.ts holds the inlined helpers); this entry re-exports them in
// the order of the former single file. Splitting it renumbered the .wasm's functions but left every
// function body instruction-for-instruction identical (checked by disassembly), so models are unchanged.

export * from "./sgd";
export * from "./als-cholesky";
export * from "./cg";
export * from "./als-cg";
export * from "./score";
export * from "./gram-part";
export * from "./heap";
export * from "./bpr";
export * from "./wchol";
export * from "./hnsw";
export * from "./bayes-fm";
export * from "./ivf";
export * from "./hybrid";
