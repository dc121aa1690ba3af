/** Where the arena may start. */

/** Bytes past the module's own static data: the arena starts at or after this. */
export function heapBase(): usize {
  return __heap_base;
}
