/** Node-only ANN index files: atomic write beside the model (m.mfr → m.mfr.ann), read + validate against a model. */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isMfrecError, MfrecError } from "../core/errors.js";
import type { AnnIndex } from "./ann-index.js";
import { loadAnnIndex, saveAnnIndex } from "./ann-format.js";
import type { FactorModel } from "./factor-model.js";

/** Where an index is saved beside its model: `<model path>.ann`. */
export function annIndexPathFor(modelPath: string): string {
  return `${modelPath}.ann`;
}

/** Write the index file atomically (temp file + rename). */
export function writeAnnIndexFileSync(path: string, index: AnnIndex): void {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    writeFileSync(tmp, saveAnnIndex(index));
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new MfrecError("E_IO", `cannot write the ANN index file: ${(e as Error).message}`, { file: path, cause: e });
  }
}

/** Read an index file and bind it to `model` (E_INDEX_MISMATCH when it was built from another model; E_MODEL_FORMAT when malformed). */
export function readAnnIndexFileSync(path: string, model: FactorModel): AnnIndex {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new MfrecError("E_IO", `cannot read the ANN index file: ${(e as Error).message}`, { file: path, cause: e });
  }
  try {
    return loadAnnIndex(bytes, model, path);
  } catch (e) {
    if (isMfrecError(e, "E_MODEL_FORMAT") && e.file === undefined) throw new MfrecError("E_MODEL_FORMAT", e.message, { file: path, cause: e });
    throw e;
  }
}
