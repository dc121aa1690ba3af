/**
 * The MovieLens feature readers (data/dataset-features.ts): hand-checked lines, and, with the shared data,
 * the very (id, feature) pairs of ../shared/data/features built from the distribution files.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ageBand, ml100kItemFeatures, ml100kUserFeatures, movieLensCsvItemFeatures } from "../../../src/data/dataset-features.js";
import { featuresOf, type FeatureTable } from "../../../src/data/features.js";
import { readFeaturesFile } from "../../../src/data/features-node.js";
import { loadDataset } from "../../../src/data/datasets-node.js";
import { dataFile } from "../../helpers/data.js";

function pairs(t: FeatureTable): Set<string> {
  const out = new Set<string>();
  for (let r = 0; r < t.ids.size; r++) for (let p = t.indptr[r]!; p < t.indptr[r + 1]!; p++) out.add(`${t.ids.idAt(r)}\u0000${t.vocabulary.idAt(t.indices[p]!)}`);
  return out;
}

function sameAsShared(mine: FeatureTable, file: string): void {
  const shared = pairs(readFeaturesFile(file).table);
  const got = pairs(mine);
  const missing = [...shared].filter((x) => !got.has(x)).slice(0, 5);
  const extra = [...got].filter((x) => !shared.has(x)).slice(0, 5);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.equal(got.size, shared.size);
}

describe("MovieLens feature readers", () => {
  test("hand-checked lines", () => {
    const items = ml100kItemFeatures("1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n267|unknown||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n");
    assert.deepEqual(featuresOf(items, "1"), { "genre:Animation": 1, "genre:Children's": 1, "genre:Comedy": 1, "decade:1990s": 1 });
    assert.deepEqual(featuresOf(items, "267"), { "genre:unknown": 1 });
    const users = ml100kUserFeatures("1|24|M|technician|85711\n74|39|M|scientist|T8H1N\n");
    assert.deepEqual(featuresOf(users, "74"), { "age:35-44": 1, "gender:M": 1, "occupation:scientist": 1 });
    assert.deepEqual([ageBand(17), ageBand(18), ageBand(55)], ["<18", "18-24", "55+"]);
    const movies = movieLensCsvItemFeatures('movieId,title,genres\n11,"American President, The (1995)",Comedy|Romance\n9,Nothing,(no genres listed)\n', "userId,movieId,tag,timestamp\n2,11,Funny,1\n3,11,funny,2\n");
    assert.deepEqual(featuresOf(movies, "11"), { "decade:1990s": 1, "genre:Comedy": 1, "genre:Romance": 1, "tag:funny": 1 });
    assert.deepEqual(featuresOf(movies, "9"), {});
  });

  const uItem = dataFile("ml-100k", "u.item");
  const shared100k = dataFile("features", "ml100k-items.csv");
  test("ml-100k u.item + u.genre = features/ml100k-items.csv", { skip: uItem.skip || shared100k.skip }, () => {
    const text = new TextDecoder("latin1").decode(readFileSync(uItem.path));
    sameAsShared(ml100kItemFeatures(text, readFileSync(dataFile("ml-100k", "u.genre").path, "latin1")), shared100k.path);
  });
  const uUser = dataFile("ml-100k", "u.user");
  const sharedUsers = dataFile("features", "ml100k-users.csv");
  test("ml-100k u.user = features/ml100k-users.csv", { skip: uUser.skip || sharedUsers.skip }, () => {
    sameAsShared(ml100kUserFeatures(readFileSync(uUser.path, "latin1")), sharedUsers.path);
  });
  const movies = dataFile("ml-latest-small", "movies.csv");
  const sharedMls = dataFile("features", "ml-latest-small-items.csv");
  test("ml-latest-small movies.csv + tags.csv = features/ml-latest-small-items.csv", { skip: movies.skip || sharedMls.skip }, () => {
    sameAsShared(movieLensCsvItemFeatures(readFileSync(movies.path, "utf8"), readFileSync(dataFile("ml-latest-small", "tags.csv").path, "utf8")), sharedMls.path);
  });

  test("loadDataset returns them: ml-100k items and users, ml-latest-small items", { skip: uItem.skip || shared100k.skip || movies.skip }, async () => {
    const d = await loadDataset("ml-100k", { dir: uItem.path.replace(/\/u\.item$/, "") });
    sameAsShared(d.itemFeatures!, shared100k.path);
    sameAsShared(d.userFeatures!, sharedUsers.path);
    const m = await loadDataset("ml-latest-small", { dir: movies.path.replace(/\/movies\.csv$/, "") });
    sameAsShared(m.itemFeatures!, sharedMls.path);
    assert.equal(m.userFeatures, undefined);
  });
});
