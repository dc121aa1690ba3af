/** Node-only model files: atomic write (temp file + rename), read with validation, CSV export. */
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isMfrecError, MfrecError } from "../core/errors.js";
import { exportFactorsCsv } from "./export.js";
import type { FactorModel } from "./factor-model.js";
import { loadModel, modelFileChunks } from "./format.js";

const tempName = (path: string): string => `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

function ioError(e: unknown, path: string, doing: string): MfrecError {
  if (isMfrecError(e)) return e;
  return new MfrecError("E_IO", `cannot ${doing}: ${(e as Error).message}`, { file: path, cause: e });
}

/** Attach the file name to a format error from the in-memory loader. */
function withFile(e: unknown, path: string): unknown {
  if (isMfrecError(e, "E_MODEL_FORMAT") && e.file === undefined) return new MfrecError("E_MODEL_FORMAT", e.message, { file: path, cause: e });
  return e;
}

/**
 * Write a model file atomically: the bytes go to a temporary file beside `path`, which is then renamed
 * over it. The file is streamed section by section from the model's arrays (no in-memory copy of the file).
 */
export function writeModelFileSync(path: string, model: FactorModel): void {
  const file = modelFileChunks(model);
  const tmp = tempName(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    for (const chunk of file.chunks()) writeAllSync(fd, chunk);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw ioError(e, path, "write the model file");
  }
}

function writeAllSync(fd: number, chunk: Uint8Array): void {
  for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
}

/** Async {@link writeModelFileSync}. */
export async function writeModelFile(path: string, model: FactorModel): Promise<void> {
  const file = modelFileChunks(model);
  const tmp = tempName(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(tmp, "w");
    for (const chunk of file.chunks()) {
      for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
    }
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close();
    await rm(tmp, { force: true });
    throw ioError(e, path, "write the model file");
  }
}

/** Read and validate a model file (E_IO when unreadable, E_MODEL_FORMAT with the file name when malformed). */
export function readModelFileSync(path: string): FactorModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError(e, path, "read the model file");
  }
  try {
    return loadModel(bytes);
  } catch (e) {
    throw withFile(e, path);
  }
}

/** Async {@link readModelFileSync}. */
export async function readModelFile(path: string): Promise<FactorModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw ioError(e, path, "read the model file");
  }
  try {
    return loadModel(bytes);
  } catch (e) {
    throw withFile(e, path);
  }
}

/** Write `users.csv` and `items.csv` (see exportFactorsCsv) into `dir`, creating it; returns their paths. */
export async function exportModelCsv(model: FactorModel, dir: string): Promise<{ users: string; items: string }> {
  const csv = exportFactorsCsv(model);
  const paths = { users: join(dir, "users.csv"), items: join(dir, "items.csv") };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(paths.users, csv.users);
    await writeFile(paths.items, csv.items);
  } catch (e) {
    throw ioError(e, dir, "write the CSV export");
  }
  return paths;
}

/** Sync {@link exportModelCsv}. */
export function exportModelCsvSync(model: FactorModel, dir: string): { users: string; items: string } {
  const csv = exportFactorsCsv(model);
  const paths = { users: join(dir, "users.csv"), items: join(dir, "items.csv") };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.users, csv.users);
    writeFileSync(paths.items, csv.items);
  } catch (e) {
    throw ioError(e, dirname(paths.users), "write the CSV export");
  }
  return paths;
}
