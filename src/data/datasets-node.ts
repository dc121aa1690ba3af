/**
 * Fetch, verify, cache and extract public datasets (Node only).
 *
 * Layout of the cache (MFREC_CACHE, else the platform cache directory + "/mfrec"):
 *   <cache>/<name>.zip        the verified archive (never a partial file under this name)
 *   <cache>/<name>.zip.part   an interrupted download, resumed with an HTTP Range request
 *   <cache>/<name>/           the extracted archive, renamed into place only when complete
 *   <cache>/<name>/.mfrec-dataset.json  what was extracted from which archive (SHA-256)
 */
import { ml100kItemFeatures, ml100kUserFeatures, movieLensCsvItemFeatures } from "./dataset-features.js";
import type { FeatureTable } from "./features.js";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Unzip, UnzipInflate } from "fflate";
import { MfrecError } from "../core/errors.js";
import { DATASETS, type DatasetSpec, type DatasetTitlesFile, findDataset } from "./datasets.js";
import { splitLine } from "./detect-layout.js";
import type { Ratings } from "./ratings.js";
import { readRatingsFile } from "./read-file-node.js";

/** Options of {@link fetchDataset}. */
export interface FetchDatasetOptions {
  /** Cache directory (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Required for datasets whose license restricts use. */
  acceptLicense?: boolean;
  /** Import an archive downloaded elsewhere instead of downloading. */
  from?: string;
  /** Override the catalogue (tests, mirrors). */
  catalogue?: readonly DatasetSpec[];
  /** Progress of the download in bytes (total undefined when the server does not say). */
  onProgress?: (received: number, total: number | undefined) => void;
  /** fetch implementation (default the global fetch). */
  fetch?: typeof fetch;
}

/** Where a fetched dataset lives. */
export interface FetchedDataset {
  name: string;
  dir: string;
  archive: string;
  sha256: string;
  /** True when nothing had to be downloaded or extracted. */
  cached: boolean;
}

/** MFREC_CACHE, else $XDG_CACHE_HOME/mfrec, ~/Library/Caches/mfrec (macOS), %LOCALAPPDATA%/mfrec (Windows), ~/.cache/mfrec. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MFREC_CACHE) return env.MFREC_CACHE;
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "mfrec");
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "mfrec", "Cache");
  return join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mfrec");
}

/** The catalogue, extended or overridden by the JSON array in $MFREC_DATASETS_CATALOG (mirrors, tests). */
export function datasetCatalogue(env: NodeJS.ProcessEnv = process.env): DatasetSpec[] {
  const extra = env.MFREC_DATASETS_CATALOG;
  if (!extra) return [...DATASETS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(extra, "utf8"));
  } catch (e) {
    throw new MfrecError("E_CONFIG", "MFREC_DATASETS_CATALOG cannot be read", { file: extra, expected: "a JSON array of dataset entries", cause: e });
  }
  if (!Array.isArray(parsed)) throw new MfrecError("E_CONFIG", "MFREC_DATASETS_CATALOG is not a JSON array", { file: extra, expected: "a JSON array" });
  const byName = new Map(DATASETS.map((d) => [d.name, d] as const));
  for (const d of parsed as DatasetSpec[]) byName.set(d.name, d);
  return [...byName.values()];
}

/** The spec of `name`, or E_UNKNOWN_DATASET listing the known names. */
export function requireDataset(name: string, catalogue: readonly DatasetSpec[]): DatasetSpec {
  const spec = findDataset(name, catalogue);
  if (!spec) throw new MfrecError("E_UNKNOWN_DATASET", `unknown dataset ${JSON.stringify(name)}`, { value: name, expected: `one of ${catalogue.map((d) => d.name).join(", ")}` });
  return spec;
}

/** Hex digest of a file, streamed. */
export async function hashFile(path: string, algorithm: "sha256" | "md5"): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Check an archive against the spec's pinned checksum (SHA-256 preferred, else the publisher's MD5). Returns its SHA-256. */
export async function verifyArchive(spec: DatasetSpec, path: string): Promise<string> {
  const sha256 = await hashFile(path, "sha256");
  if (spec.sha256 && spec.sha256.toLowerCase() !== sha256) {
    throw new MfrecError("E_CHECKSUM", `${spec.name}: the archive's SHA-256 does not match`, { file: path, value: sha256, expected: spec.sha256, hint: "the file is corrupted or not the publisher's; it was not used" });
  }
  if (spec.md5) {
    const md5 = await hashFile(path, "md5");
    if (md5 !== spec.md5.toLowerCase()) {
      throw new MfrecError("E_CHECKSUM", `${spec.name}: the archive's MD5 does not match the publisher's`, { file: path, value: md5, expected: spec.md5, hint: "the file is corrupted or not the publisher's; it was not used" });
    }
  }
  return sha256;
}

/**
 * Make `spec`'s archive available at `<cache>/<name>.zip`: download (resuming a `.part` file
 * when the server honours Range) or import `from`; verify; only then rename into place.
 */
async function obtainArchive(spec: DatasetSpec, archive: string, opts: FetchDatasetOptions): Promise<string> {
  if (existsSync(archive)) return verifyArchive(spec, archive);
  const part = `${archive}.part`;
  if (opts.from) {
    if (!existsSync(opts.from)) throw new MfrecError("E_IO", "the archive to import does not exist", { file: opts.from });
    writeFileSync(part, readFileSync(opts.from));
  } else {
    await download(spec, part, opts);
  }
  let sha256: string;
  try {
    sha256 = await verifyArchive(spec, part);
  } catch (e) {
    rmSync(part, { force: true }); // a complete but wrong file can never be resumed into a right one
    throw e;
  }
  renameSync(part, archive);
  return sha256;
}

async function download(spec: DatasetSpec, part: string, opts: FetchDatasetOptions): Promise<void> {
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const have = existsSync(part) ? statSync(part).size : 0;
  const offline = (why: string, cause?: unknown): MfrecError =>
    new MfrecError("E_DOWNLOAD", `cannot download ${spec.name} from ${spec.url}: ${why}`, {
      hint: `Place the publisher's archive by hand at ${part.replace(/\.part$/, "")} or run: mfrec datasets fetch ${spec.name} --from <file.zip>`,
      cause,
    });
  let res: Response;
  try {
    res = await fetchImpl(spec.url, { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
  } catch (e) {
    const reason = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw offline(`${reason} (offline?)`, e);
  }
  if (!(res.status === 200 || res.status === 206)) throw offline(`HTTP ${res.status} ${res.statusText}`);
  const resumed = res.status === 206 && have > 0;
  const length = Number(res.headers.get("content-length") ?? Number.NaN);
  const total = Number.isFinite(length) ? length + (resumed ? have : 0) : undefined;
  mkdirSync(dirname(part), { recursive: true });
  const fd = openSync(part, resumed ? "a" : "w");
  let received = resumed ? have : 0;
  try {
    if (!res.body) throw offline("the response has no body");
    const reader = res.body.getReader();
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw offline(`the connection broke after ${received} bytes; run the same command again to resume`, e);
      }
      if (r.done) break;
      writeSync(fd, r.value);
      received += r.value.length;
      opts.onProgress?.(received, total);
    }
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && received < total) {
    throw offline(`the download ended early after ${received} of ${total} bytes; run the same command again to resume`);
  }
}

/** Extract a zip into `dest` through a temporary sibling folder renamed into place when complete. */
export async function extractZip(archive: string, dest: string): Promise<string[]> {
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: string[] = [];
  const open = new Set<number>();
  let failure: unknown;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    if (file.name.endsWith("/")) return;
    const safe = file.name.split("/").filter((s) => s !== "" && s !== "." && s !== "..").join("/");
    if (safe === "" || safe.startsWith("__MACOSX/")) return;
    const out = join(tmp, safe);
    mkdirSync(dirname(out), { recursive: true });
    const fd = openSync(out, "w");
    open.add(fd);
    files.push(safe);
    file.ondata = (err, data, final) => {
      if (err) {
        failure = err;
        return;
      }
      writeSync(fd, data);
      if (final) {
        closeSync(fd);
        open.delete(fd);
      }
    };
    file.start();
  };
  try {
    for await (const chunk of createReadStream(archive, { highWaterMark: 1 << 20 })) {
      unzip.push(chunk as Uint8Array);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    failure = e;
  }
  for (const fd of open) closeSync(fd);
  if (failure || open.size > 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new MfrecError("E_DOWNLOAD", "the archive cannot be extracted", { file: archive, cause: failure, hint: "delete it and fetch again" });
  }
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return files;
}

/** The license text shown (and to be accepted) before a restricted dataset is fetched. */
export function licenseNotice(spec: DatasetSpec): string {
  return `${spec.title}\nLicense: ${spec.license}\nFull text: ${spec.licenseUrl}`;
}

/**
 * Download (or import), verify, cache and extract a dataset. Idempotent: a complete cached
 * copy is returned as is. Restricted datasets need `acceptLicense: true`.
 */
export async function fetchDataset(name: string, opts: FetchDatasetOptions = {}): Promise<FetchedDataset> {
  const catalogue = opts.catalogue ?? datasetCatalogue();
  const spec = requireDataset(name, catalogue);
  const cache = opts.cacheDir ?? defaultCacheDir();
  const dir = join(cache, spec.name);
  const archive = join(cache, `${spec.name}.zip`);
  const marker = join(dir, ".mfrec-dataset.json");
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, "utf8")) as { sha256: string };
    return { name: spec.name, dir, archive, sha256: m.sha256, cached: true };
  }
  if (spec.restricted && !opts.acceptLicense) {
    throw new MfrecError("E_LICENSE", `${spec.name} is licensed for restricted use; read the terms and pass --accept-license (acceptLicense: true) to fetch it`, {
      hint: licenseNotice(spec),
    });
  }
  mkdirSync(cache, { recursive: true });
  const sha256 = await obtainArchive(spec, archive, opts);
  const files = await extractZip(archive, dir);
  writeFileSync(marker, `${JSON.stringify({ name: spec.name, url: spec.url, sha256, files, extractedAt: new Date().toISOString() }, null, 2)}\n`);
  return { name: spec.name, dir, archive, sha256, cached: false };
}

/** A loaded dataset: its ratings and, where the dataset has them, item titles by raw item id. */
export interface LoadedDataset {
  name: string;
  dir: string;
  ratings: Ratings;
  titles: Map<string, string>;
  /** Rated items that have a title. */
  titled: number;
  /** Side features from the distribution's files (ml-100k: u.item, u.user; ml-latest-small: movies.csv, tags.csv), see data/dataset-features.ts. */
  itemFeatures?: FeatureTable;
  userFeatures?: FeatureTable;
}

/** Find a file by its last path segment anywhere under `dir` (archives differ in their top folder). */
function findFile(dir: string, file: string): string | undefined {
  const direct = join(dir, file);
  if (existsSync(direct)) return direct;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== "__MACOSX") {
      const found = findFile(join(dir, entry.name), file);
      if (found) return found;
    }
  }
  return undefined;
}

/** Item titles from a delimited titles file (small: read whole; quoted fields honoured). */
export function readTitles(path: string, spec: DatasetTitlesFile): Map<string, string> {
  const text = new TextDecoder(spec.encoding === "latin1" ? "latin1" : "utf-8").decode(readFileSync(path));
  const titles = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let k = spec.header ? 1 : 0; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.trim() === "") continue;
    const fields = splitLine(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, spec.delimiter);
    const id = fields[spec.columns.item];
    const title = fields[spec.columns.title];
    if (id !== undefined && title !== undefined && id !== "") titles.set(id, title);
  }
  return titles;
}

/**
 * Load a dataset's ratings and titles through the catalogue's reading rules. `dir` reads an
 * already-extracted copy (e.g. ../shared/data/ml-100k); otherwise the cached copy is used,
 * fetched first when `fetch` options are given.
 */
export async function loadDataset(name: string, opts: FetchDatasetOptions & { dir?: string; download?: boolean } = {}): Promise<LoadedDataset> {
  const spec = requireDataset(name, opts.catalogue ?? datasetCatalogue());
  let dir = opts.dir;
  if (!dir) {
    const cached = join(opts.cacheDir ?? defaultCacheDir(), spec.name);
    if (existsSync(join(cached, ".mfrec-dataset.json"))) dir = cached;
    else if (opts.download) dir = (await fetchDataset(name, opts)).dir;
    else {
      throw new MfrecError("E_IO", `${spec.name} is not in the cache`, { file: cached, hint: `run: mfrec datasets fetch ${spec.name}${spec.restricted ? " --accept-license" : ""}` });
    }
  }
  const rf = spec.ratingsFile;
  const ratingsPath = findFile(dir, rf.file);
  if (!ratingsPath) throw new MfrecError("E_IO", `${spec.name}: ${rf.file} not found`, { file: dir, expected: `the publisher's layout with ${rf.file}` });
  const ratings = await readRatingsFile(ratingsPath, {
    delimiter: rf.delimiter,
    header: rf.header,
    columns: { user: rf.columns.user, item: rf.columns.item, rating: rf.columns.rating, timestamp: rf.columns.timestamp ?? null },
    scale: rf.scale,
  });
  let titles = new Map<string, string>();
  const titlesPath = spec.titlesFile ? findFile(dir, spec.titlesFile.file) : undefined;
  if (spec.titlesFile && titlesPath) titles = readTitles(titlesPath, spec.titlesFile);
  let titled = 0;
  for (const id of ratings.itemIndex.ids()) if (titles.has(id)) titled++;
  return { name: spec.name, dir, ratings, titles, titled, ...datasetFeatures(spec.name, dir) };
}

/** The side features of a MovieLens distribution extracted at `dir` (none for other datasets or missing files). */
function datasetFeatures(name: string, dir: string): { itemFeatures?: FeatureTable; userFeatures?: FeatureTable } {
  const text = (file: string, encoding: "latin1" | "utf8"): string | undefined => {
    const p = findFile(dir, file);
    return p ? readFileSync(p, encoding) : undefined;
  };
  if (name === "ml-100k") {
    const item = text("u.item", "latin1");
    const user = text("u.user", "latin1");
    return { itemFeatures: item === undefined ? undefined : ml100kItemFeatures(item, text("u.genre", "latin1")), userFeatures: user === undefined ? undefined : ml100kUserFeatures(user) };
  }
  if (name === "ml-latest-small") {
    const movies = text("movies.csv", "utf8");
    return { itemFeatures: movies === undefined ? undefined : movieLensCsvItemFeatures(movies, text("tags.csv", "utf8")) };
  }
  return {};
}
