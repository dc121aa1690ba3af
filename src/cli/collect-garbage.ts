/**
 * A full garbage collection on demand, for the CLI's one-shot jobs: `mfrec train` drops the parsed ratings
 * once the trainer has its own layout, and V8 would otherwise keep those columns (12 bytes a rating) until
 * some later allocation happened to trigger a collection (kernel memory does not), i.e. through training.
 * Uses V8's `gc` (exposed at run time: the flag only adds the function); does nothing if that fails.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null | undefined;

/** Run a full collection now if the runtime allows it; returns whether it ran. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
    } catch {
      gc = null;
    }
  }
  if (!gc) return false;
  gc();
  return true;
}
