import { MfrecError } from "../core/errors.js";
import type { ModelConfig } from "../model/factor-model.js";
import type { Algorithm } from "./trainer.js";

const algorithms = new Map<string, Algorithm>();

/** Register an algorithm under its name (trainers register themselves in train/index.ts). */
export function registerAlgorithm<C extends ModelConfig>(algo: Algorithm<C>): void {
  algorithms.set(algo.name, algo as unknown as Algorithm);
}

/** The algorithm of that name, or MfrecError E_UNKNOWN_ALGORITHM listing the known names. */
export function getAlgorithm(name: string): Algorithm {
  const a = algorithms.get(name);
  if (!a) {
    throw new MfrecError("E_UNKNOWN_ALGORITHM", `unknown algorithm ${JSON.stringify(name)}`, { value: name, expected: `one of ${listAlgorithms().join(", ")}` });
  }
  return a;
}

/** Registered algorithm names, sorted. */
export function listAlgorithms(): string[] {
  return [...algorithms.keys()].sort();
}
