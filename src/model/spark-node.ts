/**
 * Spark MLlib ALS models in and out. A saved ALSModel directory holds
 *   metadata/part-00000      one JSON line: class, sparkVersion, uid, paramMap, defaultParamMap, rank
 *   userFactors/part-*.parquet, itemFactors/part-*.parquet   rows { id: int (required), features: array<float> }
 * Spark scores a pair by the plain dot product of the two rows (no biases, no mean).
 * With the id maps of exportRatingsParquet (users.parquet / items.parquet) the raw ids come back.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { MfrecError } from "../core/errors.js";
import { IdIndex } from "../data/id-index.js";
import { readIdMapParquet, readParquetRows, writeIdMapParquet } from "../data/parquet-node.js";
import { buildCsr, type CsrMatrix, sortRowIndices } from "../matrix/csr.js";
import { FactorModel, type ModelConfig } from "./factor-model.js";

const ALS_CLASS = "org.apache.spark.ml.recommendation.ALSModel";

/** The Parquet schema Spark writes for a factors DataFrame (id int not null, features array<float>). */
const FACTORS_SCHEMA = [
  { name: "spark_schema", num_children: 2 },
  { name: "id", type: "INT32" as const, repetition_type: "REQUIRED" as const },
  { name: "features", repetition_type: "OPTIONAL" as const, num_children: 1, converted_type: "LIST" as const },
  { name: "list", repetition_type: "REPEATED" as const, num_children: 1 },
  { name: "element", type: "FLOAT" as const, repetition_type: "REQUIRED" as const },
];

interface SparkMetadata {
  class: string;
  sparkVersion?: string;
  rank?: number;
  paramMap?: Record<string, unknown>;
  defaultParamMap?: Record<string, unknown>;
}

function readMetadata(dir: string): SparkMetadata {
  const mdir = join(dir, "metadata");
  const part = existsSync(mdir) ? readdirSync(mdir).find((f) => f.startsWith("part-")) : undefined;
  if (!part) throw new MfrecError("E_MODEL_FORMAT", "not a Spark model directory: metadata/part-* is missing", { file: dir, expected: "the directory ALSModel.save() wrote" });
  const line = readFileSync(join(mdir, part), "utf8").split("\n").find((l) => l.trim() !== "");
  let md: SparkMetadata;
  try {
    md = JSON.parse(line ?? "") as SparkMetadata;
  } catch (e) {
    throw new MfrecError("E_MODEL_FORMAT", "Spark metadata is not JSON", { file: join(mdir, part), cause: e });
  }
  if (md.class !== ALS_CLASS) throw new MfrecError("E_MODEL_FORMAT", "the Spark model is not an ALSModel", { file: join(mdir, part), value: md.class, expected: ALS_CLASS });
  return md;
}

async function readFactors(dir: string, which: "userFactors" | "itemFactors"): Promise<Array<{ id: number; features: number[] }>> {
  const fdir = join(dir, which);
  if (!existsSync(fdir)) throw new MfrecError("E_MODEL_FORMAT", `${which}/ is missing`, { file: dir });
  const rows: Array<{ id: number; features: number[] }> = [];
  for (const f of readdirSync(fdir).filter((n) => n.endsWith(".parquet")).sort()) {
    for (const r of await readParquetRows(join(fdir, f))) {
      const { id, features } = r as { id: unknown; features: unknown };
      if (typeof id !== "number" || !Array.isArray(features)) {
        throw new MfrecError("E_MODEL_FORMAT", `malformed ${which} row`, { file: join(fdir, f), value: r, expected: "{ id: int, features: array<float> }" });
      }
      rows.push({ id, features: features as number[] });
    }
  }
  // Spark writes partitions in no particular order; id order makes the import deterministic.
  rows.sort((a, b) => a.id - b.id);
  return rows;
}

function toMatrix(rows: Array<{ id: number; features: number[] }>, k: number, names: Map<number, string> | undefined, which: string, file: string) {
  const data = new Float32Array(rows.length * k);
  const ids: string[] = [];
  rows.forEach((r, n) => {
    if (r.features.length !== k) throw new MfrecError("E_MODEL_FORMAT", `${which} row ${r.id} has ${r.features.length} features`, { file, expected: `rank ${k}` });
    for (let f = 0; f < k; f++) {
      const v = r.features[f]!;
      if (!Number.isFinite(v)) throw new MfrecError("E_MODEL_FORMAT", `${which} row ${r.id} has a non-finite feature`, { file, value: v });
      data[n * k + f] = v;
    }
    const raw = names ? names.get(r.id) : String(r.id);
    if (raw === undefined) throw new MfrecError("E_MODEL_FORMAT", `${which} id ${r.id} is not in the id map`, { file, value: r.id });
    ids.push(raw);
  });
  return { matrix: { rows: rows.length, cols: k, data }, index: IdIndex.from(ids) };
}

/** Options of {@link importSparkModel}. */
export interface SparkImportOptions {
  /**
   * Directory with users.parquet / items.parquet (from exportRatingsParquet) to restore raw ids;
   * its ratings.parquet, when present, becomes the model's history (so recommendations exclude rated items).
   */
  ids?: string;
}

/** The user × item history from ratings.parquet (integer ids as written by exportRatingsParquet), in the model's indices. */
async function historyFrom(path: string, users: Map<number, string> | undefined, items: Map<number, string> | undefined, userIndex: IdIndex, itemIndex: IdIndex): Promise<CsrMatrix> {
  const rows = await readParquetRows(path);
  const us = new Int32Array(rows.length);
  const is = new Int32Array(rows.length);
  const vs = new Float32Array(rows.length);
  let n = 0;
  for (const r of rows) {
    const u = userIndex.indexOf(users?.get(r.user as number) ?? String(r.user));
    const i = itemIndex.indexOf(items?.get(r.item as number) ?? String(r.item));
    if (u < 0 || i < 0) continue; // Spark has no factors for it (e.g. dropped by coldStartStrategy)
    us[n] = u;
    is[n] = i;
    vs[n] = Number(r.rating ?? 1);
    n++;
  }
  return sortRowIndices(buildCsr(us, is, vs, userIndex.size, itemIndex.size, n));
}

/** Read a Spark ALSModel directory into a FactorModel (raw ids restored when `ids` is given). */
export async function importSparkModel(dir: string, opts: SparkImportOptions = {}): Promise<FactorModel> {
  const md = readMetadata(dir);
  const users = await readFactors(dir, "userFactors");
  const items = await readFactors(dir, "itemFactors");
  const k = md.rank ?? users[0]?.features.length ?? 0;
  const userNames = opts.ids ? await readIdMapParquet(join(opts.ids, "users.parquet")) : undefined;
  const itemNames = opts.ids ? await readIdMapParquet(join(opts.ids, "items.parquet")) : undefined;
  const U = toMatrix(users, k, userNames, "userFactors", join(dir, "userFactors"));
  const I = toMatrix(items, k, itemNames, "itemFactors", join(dir, "itemFactors"));
  const params = { ...(md.defaultParamMap ?? {}), ...(md.paramMap ?? {}) };
  const config: ModelConfig = { algorithm: params.implicitPrefs === true ? "ials" : "als", factors: k, source: "spark" };
  for (const [from, to] of [["regParam", "regularization"], ["maxIter", "epochs"], ["alpha", "alpha"]] as const) {
    if (typeof params[from] === "number") config[to] = params[from] as number;
  }
  const ratingsPath = opts.ids ? join(opts.ids, "ratings.parquet") : undefined;
  const history = ratingsPath && existsSync(ratingsPath) ? await historyFrom(ratingsPath, userNames, itemNames, U.index, I.index) : undefined;
  return new FactorModel({
    config,
    history,
    userFactors: U.matrix,
    itemFactors: I.matrix,
    userIndex: U.index,
    itemIndex: I.index,
    implicit: params.implicitPrefs === true,
    provenance: { createdAt: new Date().toISOString(), mfrecVersion: "0.1.0", source: `spark ${md.sparkVersion ?? "?"}: ${dir}` },
  });
}

/**
 * Write a model in Spark's ALSModel layout (factors only: Spark has no biases, so a model with
 * biases is refused) plus the id maps in `<dir>/ids/`, so importSparkModel(dir, {ids}) restores it.
 */
export function exportSparkModel(model: FactorModel, dir: string): { dir: string; ids: string } {
  if (model.userBias || model.itemBias || model.globalMean !== 0) {
    throw new MfrecError("E_UNSUPPORTED", "Spark's ALS scores by the dot product alone; this model has biases", { hint: "train without biases (biases: false) to export to Spark" });
  }
  const k = model.factors;
  const write = (name: string, m: { rows: number; data: Float32Array }) => {
    mkdirSync(join(dir, name), { recursive: true });
    const ids = new Int32Array(m.rows);
    const features: number[][] = [];
    for (let r = 0; r < m.rows; r++) {
      ids[r] = r;
      features.push(Array.from(m.data.subarray(r * k, (r + 1) * k)));
    }
    parquetWriteFile({ filename: join(dir, name, "part-00000.snappy.parquet"), columnData: [{ name: "id", data: ids }, { name: "features", data: features }], schema: FACTORS_SCHEMA });
    writeFileSync(join(dir, name, "_SUCCESS"), "");
  };
  write("userFactors", model.userFactors);
  write("itemFactors", model.itemFactors);
  mkdirSync(join(dir, "metadata"), { recursive: true });
  const metadata = {
    class: ALS_CLASS,
    timestamp: Date.now(),
    sparkVersion: "3.5.0",
    uid: "ALS_mfrec",
    paramMap: { rank: k, implicitPrefs: model.implicit, userCol: "user", itemCol: "item", ratingCol: "rating", coldStartStrategy: "drop" },
    defaultParamMap: {},
    rank: k,
  };
  writeFileSync(join(dir, "metadata", "part-00000"), `${JSON.stringify(metadata)}\n`);
  const ids = join(dir, "ids");
  mkdirSync(ids, { recursive: true });
  writeIdMapParquet(join(ids, "users.parquet"), model.userIndex);
  writeIdMapParquet(join(ids, "items.parquet"), model.itemIndex);
  const h = model.history;
  if (h) {
    const nnz = h.indptr[h.rows]!;
    const users = new Int32Array(nnz);
    for (let u = 0; u < h.rows; u++) users.fill(u, h.indptr[u]!, h.indptr[u + 1]!);
    parquetWriteFile({
      filename: join(ids, "ratings.parquet"),
      columnData: [
        { name: "user", data: users, type: "INT32", nullable: false },
        { name: "item", data: h.indices.subarray(0, nnz), type: "INT32", nullable: false },
        { name: "rating", data: h.values.subarray(0, nnz), type: "FLOAT", nullable: false },
      ],
    });
  }
  return { dir, ids };
}
