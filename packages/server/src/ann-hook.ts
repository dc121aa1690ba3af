/**
 * The service's ANN hook (issue 19), kept in one file so the server's own files change by a few
 * lines only:
 *  - {@link attachAnnBeside}: after a model file is read, load `<model file>.ann` when it exists
 *    (refused with E_INDEX_MISMATCH when it was built from another model) and attach it to the model;
 *  - {@link annServeTop}: for `/recommend?ann=true`, the top-n through the attached index for a
 *    model user's or a folded-in user's row, with the request's skip mask; null means "answer
 *    exactly" (no index attached, a short allow-list, or filters leaving too few candidates).
 */
import { existsSync } from "node:fs";
import type { AnnIndex, FactorModel } from "mfrec";
import { annTopForRow, resolveAnnIndex } from "mfrec/internal";
import { annIndexPathFor, readAnnIndexFileSync } from "mfrec/node";

/** Load and attach `<modelPath>.ann` when present; returns it, or null when there is none. */
export function attachAnnBeside(model: FactorModel, modelPath: string): AnnIndex | null {
  const path = annIndexPathFor(modelPath);
  if (!existsSync(path)) return null;
  return readAnnIndexFileSync(path, model);
}

/** The index attached to `model`, or null. */
export function servingAnn(model: FactorModel): AnnIndex | null {
  try {
    return resolveAnnIndex(model, true);
  } catch {
    return null;
  }
}

/**
 * Top-n item indices through the attached index for the query row P[pOff..pOff+k) with base μ + b_u,
 * skipping mask[i] ≠ 0, or null to answer exactly. `candidates`: the allow-list's dense ids when the
 * request has `items`.
 */
export function annServeTop(model: FactorModel, P: Float32Array, pOff: number, base: number, n: number, mask: Uint8Array, candidates?: Int32Array): Int32Array | null {
  const index = servingAnn(model);
  if (!index) return null;
  return annTopForRow(model, index, P, pOff, base, n, mask.subarray(0, model.numItems), undefined, candidates?.length);
}
