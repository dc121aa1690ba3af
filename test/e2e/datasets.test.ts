import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { zipSync } from "fflate";
import { isMfrecError } from "../../src/core/errors.js";
import { DATASETS, type DatasetSpec } from "../../src/data/datasets.js";
import { fetchDataset, loadDataset } from "../../src/data/datasets-node.js";
import { dataFile, repoRoot } from "../helpers/data.js";

// A fixture archive in the publisher's layout (made here, not a real dataset).
const udata = "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n3\t30\t1\t881250952\n";
const uitem = Buffer.from("10|Caf\xe9 Society (1995)|01-Jan-1995\n20|Toy Story (1995)|01-Jan-1995\n30|Heat (1995)|01-Jan-1995\n", "latin1");
const archive = zipSync({ "fixture-100k/u.data": new TextEncoder().encode(udata), "fixture-100k/u.item": uitem, "fixture-100k/README": new TextEncoder().encode("fixture") });
const sha256 = createHash("sha256").update(archive).digest("hex");

let server: Server;
let base = "";
const rangeRequests: string[] = [];
let flakyCalls = 0;

function handler(req: IncomingMessage, res: ServerResponse): void {
  const range = req.headers.range;
  if (req.url === "/good.zip") {
    res.writeHead(200, { "content-length": archive.length });
    res.end(Buffer.from(archive));
  } else if (req.url === "/truncated.zip") {
    // Promises the whole file, sends half, then closes: a truncated download.
    res.writeHead(200, { "content-length": archive.length });
    res.write(Buffer.from(archive.subarray(0, archive.length >> 1)), () => res.socket?.destroy());
  } else if (req.url === "/flaky.zip") {
    flakyCalls++;
    if (range) {
      rangeRequests.push(range);
      const start = Number(/bytes=(\d+)-/.exec(range)![1]);
      res.writeHead(206, { "content-length": archive.length - start, "content-range": `bytes ${start}-${archive.length - 1}/${archive.length}` });
      res.end(Buffer.from(archive.subarray(start)));
    } else {
      res.writeHead(200, { "content-length": archive.length });
      res.write(Buffer.from(archive.subarray(0, 100)), () => res.socket?.destroy());
    }
  } else {
    res.writeHead(404);
    res.end();
  }
}

const spec = (name: string, path: string, extra: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name,
  title: `fixture ${name}`,
  url: `${base}${path}`,
  sha256,
  ratings: 4,
  license: "Fixture license: research use only.",
  licenseUrl: "https://example.invalid/license",
  restricted: false,
  ratingsFile: { file: "u.data", delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 }, scale: [1, 5] },
  titlesFile: { file: "u.item", delimiter: "|", header: false, encoding: "latin1", columns: { item: 0, title: 1 } },
  ...extra,
});

describe("datasets: fetch, verify, cache, extract", () => {
  let cache = "";
  before(async () => {
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cache = mkdtempSync(join(tmpdir(), "mfrec-datasets-"));
  });
  after(() => {
    server.close();
    rmSync(cache, { recursive: true, force: true });
  });

  test("downloads, verifies, extracts, then serves from the cache; titles joined", async () => {
    const catalogue = [spec("good", "/good.zip")];
    const first = await fetchDataset("good", { cacheDir: cache, catalogue });
    assert.equal(first.cached, false);
    assert.equal(first.sha256, sha256);
    assert.ok(existsSync(join(cache, "good.zip")) && !existsSync(join(cache, "good.zip.part")));
    const second = await fetchDataset("good", { cacheDir: cache, catalogue });
    assert.equal(second.cached, true);
    const loaded = await loadDataset("good", { cacheDir: cache, catalogue });
    assert.equal(loaded.ratings.length, 4);
    assert.equal(loaded.titles.get("10"), "Café Society (1995)");
    assert.equal(loaded.titled, 3);
  });

  test("a checksum mismatch is refused and leaves no file under the final name", async () => {
    const catalogue = [spec("bad", "/good.zip", { sha256: "0".repeat(64) })];
    await assert.rejects(fetchDataset("bad", { cacheDir: cache, catalogue }), (e) => isMfrecError(e, "E_CHECKSUM") && /SHA-256/.test(e.message));
    assert.ok(!existsSync(join(cache, "bad.zip")) && !existsSync(join(cache, "bad.zip.part")) && !existsSync(join(cache, "bad")));
  });

  test("the publisher's MD5 is checked too where known", async () => {
    const md5 = createHash("md5").update(archive).digest("hex");
    assert.equal((await fetchDataset("both", { cacheDir: cache, catalogue: [spec("both", "/good.zip", { md5 })] })).sha256, sha256);
    await assert.rejects(fetchDataset("badmd5", { cacheDir: cache, catalogue: [spec("badmd5", "/good.zip", { md5: "0".repeat(32) })] }), (e) => isMfrecError(e, "E_CHECKSUM") && /MD5/.test(e.message));
  });

  test("the catalogue pins SHA-256 for the MovieLens archives with known sums", () => {
    for (const name of ["ml-100k", "ml-1m", "ml-25m", "ml-latest-small"]) assert.match(DATASETS.find((d) => d.name === name)?.sha256 ?? "", /^[0-9a-f]{64}$/, name);
    for (const d of DATASETS) assert.ok(d.sha256 || d.md5 || ["lastfm-2k", "goodbooks-10k"].includes(d.name), `${d.name} has no checksum`);
  });

  test("a truncated download is an error naming the bytes, never a file under the final name", async () => {
    const catalogue = [spec("trunc", "/truncated.zip")];
    await assert.rejects(fetchDataset("trunc", { cacheDir: cache, catalogue }), (e) => isMfrecError(e, "E_DOWNLOAD") && /resume/.test(e.message));
    assert.ok(!existsSync(join(cache, "trunc.zip")));
  });

  test("an interrupted download resumes with a Range request on retry", async () => {
    const catalogue = [spec("flaky", "/flaky.zip")];
    await assert.rejects(fetchDataset("flaky", { cacheDir: cache, catalogue }), (e) => isMfrecError(e, "E_DOWNLOAD"));
    assert.ok(existsSync(join(cache, "flaky.zip.part")));
    const got = await fetchDataset("flaky", { cacheDir: cache, catalogue });
    assert.equal(got.sha256, sha256);
    assert.deepEqual(rangeRequests, ["bytes=100-"]);
    assert.equal(flakyCalls, 2);
  });

  test("a restricted dataset needs the license accepted, and the error shows the license", async () => {
    const catalogue = [spec("restricted", "/good.zip", { restricted: true })];
    await assert.rejects(fetchDataset("restricted", { cacheDir: cache, catalogue }), (e) => isMfrecError(e, "E_LICENSE") && /research use only/.test(e.message) && /accept-license/.test(e.message));
    const ok = await fetchDataset("restricted", { cacheDir: cache, catalogue, acceptLicense: true });
    assert.equal(ok.cached, false);
  });

  test("offline: the error names the URL and the cache path to place the file in", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const catalogue = [{ ...spec("offline", "/x.zip"), url: `http://127.0.0.1:${port}/x.zip` }];
    await assert.rejects(fetchDataset("offline", { cacheDir: cache, catalogue }), (e) => {
      assert.ok(isMfrecError(e, "E_DOWNLOAD"));
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/x\\.zip`));
      assert.ok(e.message.includes(join(cache, "offline.zip")), e.message);
      assert.match(e.message, /--from/);
      return true;
    });
  });

  test("--from imports an archive downloaded elsewhere (and checks it)", async () => {
    const file = join(cache, "elsewhere.zip");
    writeFileSync(file, archive);
    const catalogue = [spec("imported", "/nowhere.zip")];
    const got = await fetchDataset("imported", { cacheDir: cache, catalogue, from: file });
    assert.equal(got.sha256, sha256);
    const bad = join(cache, "bad-elsewhere.zip");
    writeFileSync(bad, archive.subarray(0, 50));
    await assert.rejects(fetchDataset("imported2", { cacheDir: cache, catalogue: [spec("imported2", "/nowhere.zip")], from: bad }), (e) => isMfrecError(e, "E_CHECKSUM"));
  });

  test("unknown dataset names list the known ones", async () => {
    await assert.rejects(fetchDataset("nope", { cacheDir: cache }), (e) => isMfrecError(e, "E_UNKNOWN_DATASET") && /ml-100k/.test(e.message));
  });
});

describe("datasets: the shared copies load through the same loaders", () => {
  const cases: Array<[string, string, number]> = [
    ["ml-100k", "ml-100k", 100_000],
    ["ml-latest-small", "ml-latest-small", 100_836],
    ["lastfm-2k", "hetrec2011-lastfm-2k", 92_834],
  ];
  for (const [name, folder, rows] of cases) {
    const f = dataFile(folder);
    test(`${name}: ${rows} ratings with titles joined`, { skip: f.skip }, async () => {
      const d = await loadDataset(name, { dir: f.path });
      assert.equal(d.ratings.length, rows);
      assert.equal(d.ratings.report.skipped, 0);
      // Every rated item has a title in these three datasets.
      assert.equal(d.titled, d.ratings.itemIndex.size);
    });
  }
});

describe("mfrec datasets (CLI)", () => {
  test("fetch --from --json reports the name, path and row count; a second fetch is cached", () => {
    const dir = mkdtempSync(join(tmpdir(), "mfrec-datasets-cli-"));
    try {
      const zip = join(dir, "fixture.zip");
      writeFileSync(zip, archive);
      const catalog = join(dir, "catalog.json");
      writeFileSync(catalog, JSON.stringify([{ ...spec("fixture-100k", "/unused.zip"), url: "http://127.0.0.1:9/unused.zip", restricted: true }]));
      const env = { ...process.env, MFREC_DATASETS_CATALOG: catalog, MFREC_CACHE: join(dir, "cache") };
      const cli = join(repoRoot, "dist", "src", "cli", "main.js");
      const refused = spawnSync(process.execPath, [cli, "datasets", "fetch", "fixture-100k", "--from", zip], { env, encoding: "utf8" });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /--accept-license/);
      assert.match(refused.stderr, /Fixture license/);
      const r = spawnSync(process.execPath, [cli, "datasets", "fetch", "fixture-100k", "--from", zip, "--accept-license", "--json"], { env, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { name: string; path: string; rows: number; cached: boolean; sha256: string };
      assert.equal(doc.name, "fixture-100k");
      assert.equal(doc.rows, 4);
      assert.equal(doc.path, join(dir, "cache", "fixture-100k"));
      assert.equal(doc.sha256, sha256);
      const again = JSON.parse(spawnSync(process.execPath, [cli, "datasets", "fetch", "fixture-100k", "--json"], { env, encoding: "utf8" }).stdout) as { cached: boolean };
      assert.equal(again.cached, true);
      const list = JSON.parse(spawnSync(process.execPath, [cli, "datasets", "list", "--json"], { env, encoding: "utf8" }).stdout) as { datasets: Array<{ name: string; cached: boolean }> };
      assert.ok(list.datasets.find((d) => d.name === "fixture-100k")?.cached);
      assert.ok(list.datasets.some((d) => d.name === "ml-25m"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
