/**
 * The service's ANN hook (issue 19), kept in one file so the server's own files change by a few
 * lines only:
 *  - {@link attachAnnBeside}: after a model file is read, load `<model file>.ann` when it exists
 *    (refused with E_INDEX_MISMATCH when it was built from another model) and attach it to the model;
 *  - {@link servingAnn}: for `/recommend?ann=true` (or the default `ann=auto` from 100,000 items), the attached index, which the library's top-N path
 *    (topNForRow) uses for a model user's or a folded-in user's row; it answers exactly when there is
 *    none, the allow-list is short, or the filters leave too few candidates.
 */
import { existsSync } from "node:fs";
import type { AnnIndex, FactorModel } from "mfrec";
import { resolveAnnIndex } from "mfrec/internal";
import { annIndexPathFor, readAnnIndexFileSync } from "mfrec/node";

/** Load and attach `<modelPath>.ann` when present; returns it, or null when there is none. */
export function attachAnnBeside(model: FactorModel, modelPath: string): AnnIndex | null {
  const path = annIndexPathFor(modelPath);
  if (!existsSync(path)) return null;
  return readAnnIndexFileSync(path, model);
}

/** The index to serve with for an `ann` query value: the attached one for true, the attached one from ANN_AUTO_MIN_ITEMS items for "auto", else (or when none is attached) null = exact. */
export function servingAnn(model: FactorModel, ann: boolean | "auto"): AnnIndex | null {
  if (ann === false) return null;
  try {
    return resolveAnnIndex(model, ann);
  } catch {
    return null;
  }
}
