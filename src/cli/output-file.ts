/**
 * Output files that appear whole or not at all: a command writes to a temporary name beside the
 * target (same directory, so the rename is atomic) and renames it into place only when everything
 * succeeded. On failure the temporary file is removed, so a failed command leaves no output file
 * (and an older file at the target stays as it was).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The temporary name for `path`: hidden, beside it, keeping its extension (writers that look at it see the same). */
function tempPath(path: string): string {
  return join(dirname(path), `.${process.pid}-${Date.now().toString(36)}.tmp-${basename(path)}`);
}

/** Run `write(tmp)`, then rename tmp to `path`; on any error remove tmp and rethrow. */
export async function writeOutputFile<T>(path: string, write: (tmp: string) => T | Promise<T>): Promise<T> {
  const tmp = tempPath(path);
  try {
    const result = await write(tmp);
    renameSync(tmp, path);
    return result;
  } catch (e) {
    rmSync(tmp, { force: true, recursive: true });
    throw e;
  }
}

/**
 * A directory of outputs: `write(tmpDir)` fills a fresh temporary directory; on success its files
 * move into `dir` (created if needed; other files in it are left alone), on failure it is removed
 * and `dir` is untouched (not even created).
 */
export async function writeOutputDir<T>(dir: string, write: (tmpDir: string) => T | Promise<T>): Promise<T> {
  const parent = dirname(dir.replace(/[\\/]+$/, "") || ".");
  if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
  const tmp = tempPath(dir.replace(/[\\/]+$/, ""));
  mkdirSync(tmp);
  try {
    const result = await write(tmp);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
    if (!existsSync(dir)) renameSync(tmp, dir);
    else {
      for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(dir, f));
      rmSync(tmp, { recursive: true, force: true });
    }
    return result;
  } catch (e) {
    rmSync(tmp, { force: true, recursive: true });
    throw e;
  }
}
