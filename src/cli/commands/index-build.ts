/**
 * `mfrec index build <model>`: build the approximate top-N index (IVF or HNSW over the inner-product
 * transform; --method auto: IVF from 100k items) of a model's items and save it beside the model as <model>.ann; `mfrec index info`
 * prints an index file's header. `--ann` on recommend / similar / recommend-all reads <model>.ann
 * (or --index FILE); helpers here load it.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { type AnnIndex, buildAnnIndex, type FactorModel, MfrecError } from "../../index.js";
import { readAnnHeader } from "../../internal.js";
import { annIndexPathFor, nodePoolFactory, readAnnIndexFileSync, readModelFile, writeAnnIndexFileSync } from "../../node.js";
import { type CommonFlags, choiceArg, intArg } from "../args.js";
import { fmt, fmtInt, out, printJson, say } from "../output.js";

interface BuildFlags extends CommonFlags {
  out?: string;
  M: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
  kernels: "auto" | "wasm" | "ts";
  method: "auto" | "hnsw" | "ivf";
  nlist?: number;
  nprobe?: number;
  threads: number;
}

/** The index for `--ann`: `file` or <model>.ann, bound to the model (E_IO when missing, E_INDEX_MISMATCH when built from another model). */
export function loadIndexFor(modelPath: string, model: FactorModel, file?: string): AnnIndex {
  const path = file ?? annIndexPathFor(modelPath);
  if (!existsSync(path)) throw new MfrecError("E_IO", `no ANN index at ${path}`, { file: path, hint: `build it: mfrec index build ${modelPath}` });
  return readAnnIndexFileSync(path, model);
}

/** Register `index build` and `index info`. */
export function registerIndexCommands(program: Command): void {
  const index = program.command("index").description("approximate top-N index for big catalogues (build, info)");
  index
    .command("build")
    .description("build the ANN index of a model's items and save it beside the model (<model>.ann)")
    .argument("<model>", "model file (.mfr)")
    .option("--out <file>", "index file (default: <model>.ann)")
    .option("--method <method>", "auto (IVF from 100,000 items, else HNSW), ivf or hnsw", choiceArg(["auto", "hnsw", "ivf"] as const), "auto")
    .option("--nlist <n>", "IVF: lists (k-means centroids; default round(√items))", intArg(1))
    .option("--nprobe <n>", "IVF: default lists scanned per query (default max(8, nlist/64))", intArg(1))
    .option("--threads <n>", "IVF: build threads (0 = all cores; the index does not depend on it)", intArg(0), 0)
    .option("--M <n>", "HNSW: links per node (layer 0 keeps 2M)", intArg(2), 16)
    .option("--ef-construction <n>", "candidate list size while inserting", intArg(1), 128)
    .option("--ef-search <n>", "default candidate list size of a query", intArg(1), 512)
    .option("--seed <n>", "seed of the level draw (one seed, one graph)", intArg(), 42)
    .option("--kernels <kernels>", "auto (WebAssembly SIMD), wasm or ts (the reference)", choiceArg(["auto", "wasm", "ts"] as const), "auto")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (modelPath: string, f: BuildFlags) => {
      const model = await readModelFile(modelPath);
      const path = f.out ?? annIndexPathFor(modelPath);
      const t0 = performance.now();
      const built = buildAnnIndex(model, {
        M: f.M,
        efConstruction: f.efConstruction,
        efSearch: f.efSearch,
        seed: f.seed,
        kernels: f.kernels,
        method: f.method,
        nlist: f.nlist,
        nprobe: f.nprobe,
        threads: f.threads,
        pool: nodePoolFactory,
        onProgress: f.json ? undefined : (done, total, stage) => process.stderr.write(stage === "insert" ? `  ${fmtInt(done)} / ${fmtInt(total)} items\n` : `  IVF ${stage}: step ${done} / ${total}\n`),
      });
      const seconds = (performance.now() - t0) / 1000;
      writeAnnIndexFileSync(path, built);
      const doc = { command: "index build", model: modelPath, out: path, items: model.numItems, factors: model.factors, kernels: built.kernels, seconds, checksum: built.checksum, ...built.params };
      if (f.json) return printJson(doc);
      const p = built.params;
      const what = p.method === "ivf" ? `IVF over ${fmtInt(model.numItems)} items (k = ${model.factors}, nlist = ${p.nlist}, nprobe = ${p.nprobe})` : `HNSW over ${fmtInt(model.numItems)} items (k = ${model.factors}, M = ${f.M}, efConstruction = ${f.efConstruction})`;
      say(`${out.green("wrote")} ${path}: ${what} in ${fmt(seconds, 1)} s (${built.kernels})`);
    });
  index
    .command("info")
    .description("print an index file's header (items, k, model checksum, parameters)")
    .argument("<index>", "index file (.ann)")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (file: string, f: CommonFlags) => {
      const { readFile } = await import("node:fs/promises");
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (e) {
        throw new MfrecError("E_IO", `cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
      }
      const h = readAnnHeader(bytes);
      const doc = { command: "index info", file, kind: h.kind, formatVersion: h.formatVersion, items: h.items, factors: h.factors, itemBias: h.itemBias, modelChecksum: h.modelChecksum, seed: h.seed, ...(h.kind === "ivf-mips" ? { nlist: h.nlist, nprobe: h.nprobe, kmeansSample: h.kmeansSample, kmeansIters: h.kmeansIters } : { M: h.M, efConstruction: h.efConstruction, efSearch: h.efSearch }) };
      if (f.json) return printJson(doc);
      const params = h.kind === "ivf-mips" ? `nlist = ${h.nlist}, nprobe = ${h.nprobe}` : `M = ${h.M}, efConstruction = ${h.efConstruction}, efSearch = ${h.efSearch}`;
      say(`${file}: ${h.kind} v${h.formatVersion}, ${fmtInt(h.items)} items, k = ${h.factors}${h.itemBias ? " + item bias" : ""}, model checksum ${h.modelChecksum}, ${params}`);
    });
}
