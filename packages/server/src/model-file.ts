import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type FactorModel, loadModel, MfrecError } from "mfrec";
import { finiteModel } from "./train-protocol.js";

/** SHA-256 of bytes, lower-case hex (the registry's checksum). */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Read and validate a model file before it may serve: the bytes must match `checksum` (when the
 * registry has one), parse with the format loader (which refuses truncated or corrupted files)
 * and hold only finite factors. Any failure is E_MODEL_FORMAT (E_IO when unreadable); the caller
 * keeps its previous model.
 */
export function readVerifiedModel(path: string, checksum?: string): { model: FactorModel; checksum: string; bytes: number } {
  let bytes: Uint8Array;
  try {
    const buf = readFileSync(path);
    // A plain Uint8Array view: Buffer#slice does not copy, and the loader slices its sections.
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new MfrecError("E_IO", `cannot read the model file ${path}`, { file: path, cause: e, hint: (e as Error).message });
  }
  const sum = sha256(bytes);
  if (checksum !== undefined && sum !== checksum) {
    throw new MfrecError("E_MODEL_FORMAT", "the model file does not match its registered SHA-256 (changed, truncated or corrupted)", { file: path, value: sum, expected: checksum });
  }
  let model: FactorModel;
  try {
    model = loadModel(bytes);
  } catch (e) {
    if (e instanceof MfrecError) throw new MfrecError("E_MODEL_FORMAT", `the model file is not valid: ${e.message}`, { file: path, cause: e });
    throw new MfrecError("E_MODEL_FORMAT", "the model file is not valid", { file: path, cause: e, hint: (e as Error).message });
  }
  if (!finiteModel(model)) throw new MfrecError("E_MODEL_FORMAT", "the model file holds non-finite factors", { file: path, expected: "finite factors" });
  return { model, checksum: sum, bytes: bytes.length };
}
