/** `mfrec datasets list | fetch | load`: public datasets, downloaded, verified and cached. */
import type { Command } from "commander";
import { datasetCatalogue, defaultCacheDir, fetchDataset, licenseNotice, loadDataset } from "../../node.js";
import type { CommonFlags } from "../args.js";
import { fmtInt, formatTable, note, out, printJson, say } from "../output.js";
import { Progress } from "../progress.js";

interface FetchFlags extends CommonFlags {
  acceptLicense?: boolean;
  from?: string;
  cacheDir?: string;
  quiet?: boolean;
}

/** Register `datasets` with its subcommands. */
export function registerDatasetsCommand(program: Command): void {
  const datasets = program.command("datasets").description("list, fetch and load public rating datasets (MovieLens, Last.fm, goodbooks)");

  datasets
    .command("list")
    .description("the datasets mfrec can fetch, with their licenses and whether they are cached")
    .option("--cache-dir <dir>", "cache directory (default $MFREC_CACHE or the platform cache)")
    .option("--json", "print one JSON document")
    .action(async (f: FetchFlags) => {
      const cache = f.cacheDir ?? defaultCacheDir();
      const { existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const rows = datasetCatalogue().map((d) => ({
        name: d.name,
        title: d.title,
        ratings: d.ratings,
        url: d.url,
        license: d.license,
        restricted: d.restricted,
        cached: existsSync(join(cache, d.name, ".mfrec-dataset.json")),
      }));
      if (f.json) return printJson({ command: "datasets list", cacheDir: cache, datasets: rows });
      say(formatTable(["name", "ratings", "cached", "license", "title"], rows.map((r) => [r.name, fmtInt(r.ratings), r.cached ? "yes" : "", r.restricted ? "restricted" : "open", r.title])));
      say(out.dim(`cache: ${cache}`));
    });

  datasets
    .command("fetch <name>")
    .description("download (or import with --from), verify, cache and extract a dataset")
    .option("--accept-license", "accept the dataset's license (required for restricted datasets)")
    .option("--from <file.zip>", "import the publisher's archive downloaded elsewhere")
    .option("--cache-dir <dir>", "cache directory (default $MFREC_CACHE or the platform cache)")
    .option("-q, --quiet", "no progress on stderr")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (name: string, f: FetchFlags) => {
      const spec = datasetCatalogue().find((d) => d.name === name);
      if (spec?.restricted && f.acceptLicense && !f.json) note(licenseNotice(spec));
      // The total is known only once the server answers, so the bar starts with the first bytes.
      let progress: Progress | undefined;
      const quiet = f.quiet || !!f.json;
      const got = await fetchDataset(name, {
        acceptLicense: f.acceptLicense,
        from: f.from,
        cacheDir: f.cacheDir,
        onProgress: (received, total) => {
          progress ??= new Progress({ label: `fetch ${name}`, total: total ?? 0, unit: "bytes", quiet });
          progress.update(received);
        },
      });
      progress?.finish(`downloaded ${name} in ${progress.seconds.toFixed(1)} s`);
      const loaded = await loadDataset(name, { dir: got.dir });
      const doc = { command: "datasets fetch", name: got.name, path: got.dir, archive: got.archive, sha256: got.sha256, cached: got.cached, rows: loaded.ratings.length, users: loaded.ratings.userIndex.size, items: loaded.ratings.itemIndex.size, titles: loaded.titles.size };
      if (f.json) return printJson(doc);
      say(`${out.green(got.cached ? "cached" : "fetched")} ${got.name}: ${fmtInt(doc.rows)} ratings, ${fmtInt(doc.users)} users, ${fmtInt(doc.items)} items, ${fmtInt(doc.titles)} titles`);
      say(`  ${got.dir}`);
    });
}
