import { MfrecError } from "../core/errors.js";
import type { ModelConfig } from "../model/factor-model.js";
import type { Algorithm, AlgorithmCapabilities } from "./trainer.js";

const algorithms = new Map<string, Algorithm>();

/** Register an algorithm under its name (the built-ins are registered in train/algorithms.ts). */
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
/** Whether `config` (preset and keys, before defaults) trains a model of implicit feedback: the CLI's default metrics follow it. */
export function modelsImplicit(config: Readonly<Record<string, unknown>> & { algorithm: string }): boolean {
  const algo = getAlgorithm(config.algorithm);
  return algo.implicitFor?.(config) ?? algo.implicit;
}

export function listAlgorithms(): string[] {
  return [...algorithms.keys()].sort();
}

const NONE: AlgorithmCapabilities = {};

/**
 * The capabilities of a registered algorithm; an unregistered name (a model made from matrices, or
 * written by a newer mfrec) has every default.
 */
export function capabilitiesOf(algorithm: string): AlgorithmCapabilities {
  return algorithms.get(algorithm)?.capabilities ?? NONE;
}

/** Registered algorithms that have a capability, sorted (for "expected" in error messages). */
export function algorithmsWith(has: (c: AlgorithmCapabilities, a: Algorithm) => boolean): string[] {
  return listAlgorithms().filter((name) => has(capabilitiesOf(name), algorithms.get(name)!));
}
