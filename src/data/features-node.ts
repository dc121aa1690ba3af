import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { MfrecError } from "../core/errors.js";
import { type FeatureReadReport, type FeatureTable, parseFeaturesText } from "./features.js";

/** Read a long features file `id,feature[,value]` (plain or `.gz`); errors carry the path and line. */
export function readFeaturesFile(path: string): { table: FeatureTable; report: FeatureReadReport } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String(e);
    throw new MfrecError("E_IO", `cannot read features file: ${why}`, { file: path, value: code, expected: "a readable features file", cause: e });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new MfrecError("E_IO", "the gzip features file is corrupt or truncated", { file: path, cause: e });
    }
  }
  return parseFeaturesText(bytes.toString("utf8"), { file: path });
}
