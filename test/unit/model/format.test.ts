import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { IdIndex } from "../../../src/data/id-index.js";
import { crc32 } from "../../../src/core/crc32.js";
import { FactorModel } from "../../../src/model/factor-model.js";
import { loadModel, modelFileChunks, readModelHeader, saveModel } from "../../../src/model/format.js";
import { predict } from "../../../src/recommend/predict.js";
import { randomModel, seedModel, seedModelWithHistory } from "./fixtures.js";

const isFormatError = (e: unknown) => isMfrecError(e, "E_MODEL_FORMAT");

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Every stored array of b equals a's byte for byte, and the metadata agrees. */
function assertSameModel(a: FactorModel, b: FactorModel): void {
  assert.deepEqual(bytesOf(b.userFactors.data), bytesOf(a.userFactors.data));
  assert.deepEqual(bytesOf(b.itemFactors.data), bytesOf(a.itemFactors.data));
  assert.equal(b.userBias === undefined, a.userBias === undefined);
  if (a.userBias) assert.deepEqual(bytesOf(b.userBias!), bytesOf(a.userBias));
  if (a.itemBias) assert.deepEqual(bytesOf(b.itemBias!), bytesOf(a.itemBias));
  assert.equal(b.history === undefined, a.history === undefined);
  if (a.history) {
    assert.deepEqual(b.history!.indptr, a.history.indptr);
    assert.deepEqual(b.history!.indices, a.history.indices);
    assert.deepEqual(bytesOf(b.history!.values), bytesOf(a.history.values));
  }
  assert.deepEqual(b.userIndex.ids(), a.userIndex.ids());
  assert.deepEqual(b.itemIndex.ids(), a.itemIndex.ids());
  assert.equal(b.globalMean, a.globalMean);
  assert.deepEqual(b.ratingScale, a.ratingScale);
  assert.equal(b.implicit, a.implicit);
  assert.deepEqual(b.config, a.config);
  assert.deepEqual(b.training, a.training);
  assert.deepEqual(b.provenance, a.provenance);
}

/** Rewrite the header JSON of a valid file (fixing lengths and checksum) to test semantic checks. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const hlen = v.getUint32(8, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen)));
  const oldStart = Math.ceil((12 + hlen) / 8) * 8;
  const data = bytes.subarray(oldStart, bytes.length - 4);
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(start + data.length + 4);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, start);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

describe("crc32", () => {
  test("matches the standard check value", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  test("continues a running checksum: crc32(b, m, e, crc32(b, 0, m)) = crc32(b, 0, e) at every split", () => {
    const b = Uint8Array.from({ length: 45 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let m = 0; m <= b.length; m++) assert.equal(crc32(b, m, b.length, crc32(b, 0, m)), crc32(b), `split at ${m}`);
  });
});

describe("modelFileChunks", () => {
  test("the chunks join to saveModel's bytes, and the large sections are views of the model's arrays (no copy)", () => {
    const m = randomModel({ users: 7, items: 5, factors: 3, biases: true, history: true, implicit: false, seed: 9 });
    const c = modelFileChunks(m);
    const chunks = [...c.chunks()];
    const joined = new Uint8Array(chunks.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of chunks) {
      joined.set(x, at);
      at += x.length;
    }
    assert.equal(joined.length, c.byteLength);
    assert.deepEqual(joined, saveModel(m));
    assert.ok(chunks.some((x) => x.buffer === m.userFactors.data.buffer), "userFactors written from its own buffer");
    assert.ok(chunks.some((x) => x.buffer === m.history!.indices.buffer), "history written from its own buffer");
  });
});

describe("saveModel / loadModel", () => {
  test("the seed model round-trips with identical predictions", () => {
    const m = seedModel();
    const back = loadModel(saveModel(m));
    assertSameModel(m, back);
    assert.equal(predict(back, "User 1", "Casablanca").score, predict(m, "User 1", "Casablanca").score);
    assert.ok(Math.abs(predict(back, "User 1", "Black Panther").score - 4.3) < 1e-5);
  });

  test("a model with biases, history, scale, training and provenance round-trips", () => {
    const m = randomModel({ users: 7, items: 9, factors: 3, biases: true, history: true, implicit: false, seed: 5 });
    const back = loadModel(saveModel(m));
    assertSameModel(m, back);
    for (let u = 0; u < 7; u++) for (let i = 0; i < 9; i++) assert.equal(back.scoreIndex(u, i), m.scoreIndex(u, i));
  });

  test("save -> load -> save gives the same bytes", () => {
    const m = seedModelWithHistory({ biases: true });
    const a = saveModel(m);
    assert.deepEqual(saveModel(loadModel(a)), a);
  });

  test("string ids with unicode, commas, quotes, newlines and numbers-as-strings round-trip", () => {
    const users = ['Zoë, "the" user', "日本語ユーザー", "a\nb", "🙂", "1", "01", " padded "];
    const items = ['"', ",", "\\", "\u2028", "Ünïcödé", "item\t5"];
    const m = randomModel({ users: users.length, items: items.length, factors: 2, biases: false, history: true, implicit: true, seed: 9, userIds: users, itemIds: items });
    const back = loadModel(saveModel(m));
    assert.deepEqual(back.userIndex.ids(), users);
    assert.deepEqual(back.itemIndex.ids(), items);
    assert.equal(back.userIndex.indexOf("01"), 5);
    assert.equal(back.userIndex.indexOf(1), 4);
    assertSameModel(m, back);
  });

  test("an empty model (0 users, 0 items) round-trips", () => {
    const m = new FactorModel({
      config: { algorithm: "given" },
      userFactors: { rows: 0, cols: 4, data: new Float32Array(0) },
      itemFactors: { rows: 0, cols: 4, data: new Float32Array(0) },
      userIndex: new IdIndex(),
      itemIndex: new IdIndex(),
    });
    const back = loadModel(saveModel(m));
    assert.equal(back.numUsers, 0);
    assert.equal(back.factors, 4);
  });

  test("layout: magic, version, header length, 8-aligned sections, trailing CRC-32", () => {
    const bytes = saveModel(seedModelWithHistory({ biases: true }));
    assert.deepEqual(Array.from(bytes.subarray(0, 6)), [0x4d, 0x46, 0x52, 0x45, 0x43, 0x00]);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(v.getUint16(6, true), 1);
    const h = readModelHeader(bytes);
    assert.equal(h.users, 3);
    assert.equal(h.items, 5);
    assert.deepEqual(
      h.sections.map((s) => s.name),
      ["userFactors", "itemFactors", "userBias", "itemBias", "historyIndptr", "historyIndices", "historyValues"],
    );
    const start = Math.ceil((12 + v.getUint32(8, true)) / 8) * 8;
    for (const s of h.sections) assert.equal((start + s.offset) % 8, 0);
    assert.equal(bytes.length, start + h.dataLength + 4);
    assert.equal(v.getUint32(bytes.length - 4, true), crc32(bytes, 0, bytes.length - 4));
    // user factors readable directly at their offset
    const uf = h.sections[0]!;
    assert.ok(Math.abs(v.getFloat32(start + uf.offset, true) - 1.1) < 1e-6);
  });

  test("loads from an unaligned subarray of a larger buffer", () => {
    const bytes = saveModel(seedModel());
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    assertSameModel(seedModel(), loadModel(big.subarray(3)));
  });

  test("refuses to save non-finite factors", () => {
    const m = seedModel();
    const bad = new FactorModel({
      config: m.config,
      userFactors: { rows: 3, cols: 2, data: Float32Array.of(1, 2, Number.NaN, 4, 5, 6) },
      itemFactors: m.itemFactors,
      userIndex: m.userIndex,
      itemIndex: m.itemIndex,
    });
    assert.throws(() => saveModel(bad), (e: unknown) => isMfrecError(e, "E_NOT_FINITE"));
  });
});

describe("loadModel rejects bad files with E_MODEL_FORMAT", () => {
  const good = saveModel(seedModelWithHistory({ biases: true }));

  test("every truncated prefix", () => {
    for (let n = 0; n < good.length; n++) assert.throws(() => loadModel(good.slice(0, n)), isFormatError, `prefix of ${n} bytes`);
  });

  test("trailing bytes", () => {
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    assert.throws(() => loadModel(longer), /unexpected bytes/);
  });

  test("every single flipped bit in the data area and checksum", () => {
    const h = new DataView(good.buffer).getUint32(8, true);
    for (let p = 12 + h; p < good.length; p++) {
      const bad = good.slice();
      bad[p]! ^= 1 << p % 8;
      assert.throws(() => loadModel(bad), isFormatError, `byte ${p}`);
    }
  });

  test("flipped bytes anywhere (sampled)", () => {
    for (let p = 0; p < good.length; p += 3) {
      const bad = good.slice();
      bad[p]! ^= 0xff;
      assert.throws(() => loadModel(bad), isFormatError, `byte ${p}`);
    }
  });

  test("a flipped byte in the data area says checksum", () => {
    const bad = good.slice();
    bad[bad.length - 20]! ^= 0x10;
    assert.throws(() => loadModel(bad), /checksum mismatch/);
  });

  test("wrong magic", () => {
    const bad = good.slice();
    bad[0] = 0x50;
    assert.throws(() => loadModel(bad), /wrong magic/);
    assert.throws(() => loadModel(new TextEncoder().encode("user,item,rating\n1,2,3\n")), /wrong magic/);
  });

  test("unknown version", () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint16(6, 5, true);
    assert.throws(() => loadModel(bad), /unsupported model format version 5/);
  });

  test("malformed header JSON", () => {
    const bad = good.slice();
    bad[12] = "[".charCodeAt(0) + 1; // "{" → "\\"
    assert.throws(() => loadModel(bad), /not valid UTF-8 JSON/);
  });

  test("header length past the end", () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(8, 1e9, true);
    assert.throws(() => loadModel(bad), /runs past the end/);
  });

  const cases: Array<[string, (h: Record<string, unknown>) => void, RegExp]> = [
    ["ids fewer than rows", (h) => (h.userIds as string[]).pop(), /"userIds" has 2 ids/],
    ["duplicate ids", (h) => ((h.itemIds as string[])[1] = "Casablanca"), /repeats the id/],
    ["non-string id", (h) => ((h.itemIds as unknown[])[1] = 5), /is not a string/],
    ["misaligned section", (h) => ((h.sections as Array<{ offset: number }>)[1]!.offset += 4), /not 8-byte aligned|overlap/],
    ["section past the data", (h) => ((h.sections as Array<{ offset: number }>)[6]!.offset += 64), /runs past the data area/],
    ["overlapping sections", (h) => ((h.sections as Array<{ offset: number }>)[1]!.offset = 0), /overlap/],
    ["wrong shape", (h) => (h.factors = 3), /shape/],
    ["missing section", (h) => (h.sections as unknown[]).splice(0, 1), /"userFactors" is missing/],
    ["unknown section", (h) => ((h.sections as Array<{ name: string }>)[2]!.name = "eval"), /unknown name/],
    ["wrong dtype", (h) => ((h.sections as Array<{ dtype: string }>)[0]!.dtype = "float16"), /unknown dtype/],
    ["non-finite mean", (h) => (h.globalMean = "NaN"), /globalMean/],
    ["bad scale", (h) => (h.ratingScale = [5, 1]), /ratingScale/],
    ["bad config", (h) => ((h.config as Record<string, unknown>).x = { nested: 1 }), /config\.x/],
    ["algorithm mismatch", (h) => (h.algorithm = "als"), /config\.algorithm/],
    ["bad nnz", (h) => (h.history = { nnz: 9 }), /historyIndices/],
    ["history sections without history", (h) => (h.history = null), /no history/],
    ["format name", (h) => (h.format = "other"), /"format"/],
    ["not an object", (h) => (h.users = -1), /"users"/],
  ];
  for (const [name, edit, message] of cases) {
    test(name, () => {
      assert.throws(() => loadModel(withHeader(good, edit)), (e: unknown) => isFormatError(e) && message.test((e as Error).message));
    });
  }

  test("the re-writer itself produces loadable files", () => {
    assertSameModel(loadModel(good), loadModel(withHeader(good, () => {})));
  });

  test("non-finite factors and out-of-range history indices in the data area", () => {
    const h = readModelHeader(good);
    const start = (b: Uint8Array) => Math.ceil((12 + new DataView(b.buffer).getUint32(8, true)) / 8) * 8;
    const patch = (name: string, at: number, set: (v: DataView, p: number) => void) => {
      const bad = good.slice();
      const v = new DataView(bad.buffer);
      set(v, start(bad) + h.sections.find((s) => s.name === name)!.offset + at);
      v.setUint32(bad.length - 4, crc32(bad, 0, bad.length - 4), true);
      return bad;
    };
    assert.throws(() => loadModel(patch("itemFactors", 4, (v, p) => v.setFloat32(p, Number.POSITIVE_INFINITY, true))), /itemFactors\[1\] is not finite/);
    assert.throws(() => loadModel(patch("userBias", 0, (v, p) => v.setFloat32(p, Number.NaN, true))), /userBias\[0\] is not finite/);
    assert.throws(() => loadModel(patch("historyIndices", 0, (v, p) => v.setInt32(p, 5, true))), /historyIndices\[0\] is out of range/);
    assert.throws(() => loadModel(patch("historyIndptr", 4, (v, p) => v.setInt32(p, 11, true))), /indptr decreases/);
    assert.throws(() => loadModel(patch("historyIndptr", 0, (v, p) => v.setInt32(p, 1, true))), /from 0 to nnz/);
  });
});

describe("format version 2: the ranking part", () => {
  const withRanking = (): FactorModel => {
    const m = seedModelWithHistory({ biases: true });
    const rank = new FactorModel({
      config: { algorithm: "ials", factors: 3, confidence: "linear", confidenceOffset: 2.5 },
      userFactors: { rows: 3, cols: 3, data: Float32Array.from({ length: 9 }, (_, i) => (i % 4) * 0.25 - 0.3) },
      itemFactors: { rows: 5, cols: 3, data: Float32Array.from({ length: 15 }, (_, i) => (i % 5) * 0.2 - 0.1) },
      userIndex: m.userIndex,
      itemIndex: m.itemIndex,
      history: m.history,
      implicit: true,
      training: [{ epoch: 1, loss: 2, seconds: 0.1 }],
    });
    return m.with({ ranking: rank });
  };

  test("a model without a ranking part is still written as version 1; with one as version 2", () => {
    assert.equal(new DataView(saveModel(seedModelWithHistory()).buffer).getUint16(6, true), 1);
    assert.equal(new DataView(saveModel(withRanking()).buffer).getUint16(6, true), 2);
  });

  test("round trip: both parts byte for byte; the ranking part shares the ids and history", () => {
    const m = withRanking();
    const back = loadModel(saveModel(m));
    assertSameModel(m, back);
    assert.ok(back.ranking);
    assertSameModel(m.ranking!, back.ranking!);
    assert.equal(back.ranker, back.ranking);
    assert.equal(back.ranking!.history, back.history);
    assert.equal(predict(back, "User 1", "Star Wars").score, predict(m, "User 1", "Star Wars").score);
  });

  test("a ranking part of another shape is refused", () => {
    const m = seedModelWithHistory();
    const other = seedModel().with({ userIndex: IdIndex.from(["a", "b"]), userFactors: { rows: 2, cols: 2, data: new Float32Array(4) } });
    assert.throws(() => m.with({ ranking: other }), (e: unknown) => isMfrecError(e, "E_SHAPE"));
  });
});
