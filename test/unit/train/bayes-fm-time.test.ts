/**
 * bayes-fm's per-rating groups (issue 17): the time bins (`time: "day" | "week"`, r̂ += w_t + v_t·(U_u + I_i))
 * and the user-day biases (`userDay`, r̂ += b_{u,day}). Config, bad input, TS = WASM bytes, the model's
 * sample average, prediction with and without a timestamp (a day outside training adds nothing), eval,
 * save / load.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMfrecError } from "../../../src/core/errors.js";
import { parseRatingsText } from "../../../src/data/parse-delimited.js";
import { ratingsFromArray } from "../../../src/data/ratings.js";
import { evaluateRatings } from "../../../src/evaluate/rating-metrics.js";
import type { FactorModel } from "../../../src/model/factor-model.js";
import { loadModel, readModelHeader, saveModel } from "../../../src/model/format.js";
import { predict, predictBatch, rawScoreIndex } from "../../../src/recommend/predict.js";
import { resolveBayesFmConfig } from "../../../src/train/bayes-fm/config.js";
import { ratingBins, userDayBins } from "../../../src/train/bayes-fm/trainer.js";
import { fitSync, trainingData } from "../../../src/train/fit.js";

const DAY = 86400;
/** Day 0 of the fixtures: 2000-01-01 (day number 10 957). */
const T0 = 946684800;

/** A fixed scramble of an integer (so a rating's day is no low-rank function of its user and item). */
function hash(x: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * 30 users × 20 items over 6 days, given in user-interleaved order (not sorted by user, so the users' CSR is a
 * real permutation). r = item quality + user offset + a day effect shared by everyone (±0.8) + a mood of user
 * and day (±0.6); the test ratings are on the training days.
 */
function fixture(): { train: ReturnType<typeof ratingsFromArray>; test: ReturnType<typeof ratingsFromArray>; rows: { user: string; item: string; rating: number; timestamp: number }[] } {
  const rows: { user: string; item: string; rating: number; timestamp: number }[] = [];
  const test: typeof rows = [];
  const dayEffect = [0.8, -0.8, 0.4, -0.4, 0.8, -0.8];
  for (let i = 0; i < 20; i++) {
    for (let u = 0; u < 30; u++) {
      const d = hash(u * 100 + i) % 6;
      const mood = ((u * 13 + d * 5) % 3) - 1;
      const r = 3 + ((i % 5) - 2) * 0.4 + ((u % 3) - 1) * 0.3 + dayEffect[d]! + 0.6 * mood;
      const row = { user: `u${u}`, item: `i${i}`, rating: r, timestamp: T0 + d * DAY + ((u * 977 + i * 131) % DAY) };
      if ((u * 11 + i) % 5 === 0) test.push(row);
      else rows.push(row);
    }
  }
  return { train: ratingsFromArray(rows), test: ratingsFromArray(test), rows };
}

const { train, test, rows } = fixture();
const base = { algorithm: "bayes-fm", factors: 3, epochs: 30, burnIn: 10, thin: 2, seed: 7, ranking: "none" };

function sameBytes(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined, what: string): void {
  assert.ok(a && b, what);
  assert.deepEqual(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength), what);
}

function rmseOf(m: FactorModel, withTime: boolean): number {
  let s = 0;
  for (let k = 0; k < test.length; k++) {
    const u = m.userIndex.indexOf(test.userIndex.idAt(test.users[k]!));
    const i = m.itemIndex.indexOf(test.itemIndex.idAt(test.items[k]!));
    const e = m.clip(rawScoreIndex(m, u, i, withTime ? test.timestamps![k] : undefined)) - test.values[k]!;
    s += e * e;
  }
  return Math.sqrt(s / test.length);
}

describe("bayes-fm time config", () => {
  it("time is false by default, day or week; userDay a boolean; anything else names the key", () => {
    const d = resolveBayesFmConfig({ algorithm: "bayes-fm" });
    assert.equal(d.time, false);
    assert.equal(d.userDay, false);
    for (const [v, want] of [["day", "day"], ["week", "week"], [false, false], ["false", false], ["none", false]] as const) {
      assert.equal(resolveBayesFmConfig({ algorithm: "bayes-fm", time: v }).time, want, String(v));
    }
    assert.equal(resolveBayesFmConfig({ algorithm: "bayes-fm", userDay: "true" }).userDay, true);
    for (const bad of [{ time: "month" }, { time: true }, { time: 1 }, { userDay: "often" }]) {
      assert.throws(
        () => resolveBayesFmConfig({ algorithm: "bayes-fm", ...bad } as never),
        (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG" && e.column === Object.keys(bad)[0],
        JSON.stringify(bad),
      );
    }
  });
});

describe("bayes-fm time: bad input", () => {
  it("time or userDay on ratings without timestamps: E_CONFIG naming the file and the timestamp column", () => {
    const plain = parseRatingsText("user,item,rating\nu1,i1,4\nu1,i2,3\nu2,i1,5\n", { source: "plain.csv" });
    assert.equal(plain.timestamps, undefined);
    for (const set of [{ time: "day" }, { time: "week" }, { userDay: true }]) {
      assert.throws(
        () => fitSync(plain, { ...base, epochs: 3, burnIn: 1, ...set }),
        (e: unknown) =>
          isMfrecError(e) && e.code === "E_CONFIG" && e.file === "plain.csv" && e.column === "timestamp" && /timestamp/.test(e.message) && /timestamp column/.test(String(e.expected)),
        JSON.stringify(set),
      );
    }
    // Without time the same ratings fit.
    assert.ok(fitSync(plain, { ...base, epochs: 3, burnIn: 1 }));
  });

  it("a non-numeric timestamp is refused by the reader with its line, column and value", () => {
    assert.throws(
      () => parseRatingsText("user,item,rating,timestamp\nu1,i1,4,100\nu1,i2,3,yesterday\n", { source: "t.csv" }),
      (e: unknown) => isMfrecError(e) && e.code === "E_NOT_NUMBER" && e.file === "t.csv" && e.line === 3 && e.column === "timestamp" && e.value === "yesterday",
    );
  });
});

describe("bayes-fm time bins", () => {
  it("day and week bins of each rating in the users' CSR order; user-day rows per user, days increasing", () => {
    const data = trainingData(train);
    const b = ratingBins(data, DAY, "day");
    assert.deepEqual(Array.from(b.keys), [0, 1, 2, 3, 4, 5].map((d) => T0 / DAY + d));
    const w = ratingBins(data, 7 * DAY, "week");
    assert.ok(w.keys.length >= 1 && w.keys.length <= 2);
    const ud = userDayBins(data);
    const { byUser } = data;
    // Every rating's row holds its own user's day, and the CSR of (user, day) rows is by user.
    const byKey = new Map(rows.map((r) => [`${r.user}|${r.item}`, r.timestamp] as const));
    for (let u = 0; u < byUser.rows; u++) {
      const uid = train.userIndex.idAt(u);
      for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) {
        const ts = byKey.get(`${uid}|${train.itemIndex.idAt(byUser.indices[p]!)}`)!;
        assert.equal(b.keys[b.rowOf[p]!], Math.floor(ts / DAY));
        const r = ud.rowOf[p]!;
        assert.ok(r >= ud.indptr[u]! && r < ud.indptr[u + 1]!, "the row is among the user's");
        assert.equal(ud.days[r], Math.floor(ts / DAY));
      }
      for (let j = ud.indptr[u]! + 1; j < ud.indptr[u + 1]!; j++) assert.ok(ud.days[j]! > ud.days[j - 1]!);
    }
  });
});

describe("bayes-fm time model", () => {
  it("the WASM kernels give the same bytes as the TypeScript reference (time day + user-day, and week)", () => {
    for (const set of [{ time: "day", userDay: true }, { time: "week" }, { userDay: true }]) {
      const cfg = { ...base, epochs: 8, burnIn: 3, ...set };
      const ts = fitSync(train, cfg, { kernels: "ts" });
      const wasm = fitSync(train, cfg, { kernels: "wasm" });
      const what = JSON.stringify(set);
      sameBytes(wasm.userFactors.data, ts.userFactors.data, `${what} user factors`);
      sameBytes(wasm.itemFactors.data, ts.itemFactors.data, `${what} item factors`);
      sameBytes(wasm.userBias, ts.userBias, `${what} user bias`);
      assert.equal(wasm.globalMean, ts.globalMean);
      if (ts.time?.bins) {
        sameBytes(wasm.time?.bins?.factors.data, ts.time.bins.factors.data, `${what} time factors`);
        sameBytes(wasm.time?.bins?.bias, ts.time.bins.bias, `${what} time bias`);
      }
      if (ts.time?.userDay) sameBytes(wasm.time?.userDay?.bias, ts.time.userDay.bias, `${what} user-day bias`);
      assert.deepEqual(wasm.config, ts.config);
    }
  });

  it("time off leaves the model without time effects; on, every part is there", () => {
    const off = fitSync(train, { ...base, epochs: 6, burnIn: 2 });
    assert.equal(off.time, undefined);
    const on = fitSync(train, { ...base, epochs: 6, burnIn: 2, time: "day", userDay: true });
    assert.equal(on.time?.bins?.keys.length, 6);
    assert.equal(on.time?.bins?.factors.cols, on.factors);
    assert.equal(on.time?.userDay?.indptr.length, on.numUsers + 1);
  });

  it("predicts exactly the average of the kept samples' predictions, time effects included", () => {
    const cfg = { ...base, time: "day", userDay: true, burnIn: 3, thin: 2 };
    const full = fitSync(train, { ...cfg, epochs: 8 });
    const singles = [4, 6, 8].map((e) => fitSync(train, { ...cfg, epochs: e, burnIn: e - 1, thin: 1 }));
    for (let k = 0; k < 12; k++) {
      const u = train.users[k * 37]!;
      const i = train.items[k * 37]!;
      const t = train.timestamps![k * 37]!;
      const avg = singles.reduce((s, m) => s + rawScoreIndex(m, u, i, t), 0) / singles.length;
      assert.ok(Math.abs(rawScoreIndex(full, u, i, t) - avg) < 1e-5, `(${u}, ${i}, ${t}): ${rawScoreIndex(full, u, i, t)} vs ${avg}`);
    }
  });

  it("the time groups lower the test RMSE when the ratings carry day effects, and only when the timestamp is passed", () => {
    const plain = fitSync(train, base);
    const timed = fitSync(train, { ...base, time: "day", userDay: true });
    const a = rmseOf(plain, true);
    const b = rmseOf(timed, true);
    const c = rmseOf(timed, false);
    if (process.env.SHOW) console.log(a, b, c);
    assert.ok(b < a - 0.1, `RMSE with time ${b} vs without ${a}`);
    assert.ok(c > b + 0.1, `the timed model without timestamps ${c} vs with ${b}`);
  });

  it("predict: no timestamp = no time effect; a day outside training adds nothing; a training day its effect", () => {
    const m = fitSync(train, { ...base, epochs: 12, burnIn: 4, time: "day", userDay: true });
    const u = m.userIndex.indexOf("u3");
    const i = m.itemIndex.indexOf("i4");
    const plainScore = m.scoreIndex(u, i);
    assert.equal(m.scoreIndex(u, i, undefined), plainScore);
    const future = T0 + 400 * DAY;
    assert.equal(m.timeEffect(u, i, future), 0);
    assert.equal(m.scoreIndex(u, i, future), plainScore);
    assert.equal(m.timeEffect(u, i, Number.NaN), 0);
    // A training day: the bin's w + v·(p + q), plus the user's day bias when the user rated that day.
    const day = T0 + 2 * DAY + 5;
    const b = m.time!.bins!;
    const r = Array.from(b.keys).indexOf(Math.floor(day / DAY));
    let want = b.bias[r]!;
    const k = m.factors;
    for (let f = 0; f < k; f++) want += b.factors.data[r * k + f]! * (m.userFactors.data[u * k + f]! + m.itemFactors.data[i * k + f]!);
    const ud = m.time!.userDay!;
    for (let j = ud.indptr[u]!; j < ud.indptr[u + 1]!; j++) if (ud.days[j] === Math.floor(day / DAY)) want += ud.bias[j]!;
    assert.ok(Math.abs(m.timeEffect(u, i, day) - want) < 1e-9);
    assert.notEqual(m.timeEffect(u, i, day), 0);
    // The public predict and predictBatch carry the timestamp through.
    const p = predict(m, "u3", "i4", { timestamp: day });
    assert.equal(p.raw, m.scoreIndex(u, i, day));
    assert.equal(predict(m, "u3", "i4").raw, plainScore);
    assert.deepEqual(Array.from(predictBatch(m, Int32Array.of(u, u), Int32Array.of(i, i), [day, future])), [Math.fround(m.clip(m.scoreIndex(u, i, day))), Math.fround(m.clip(plainScore))]);
    assert.throws(() => predict(m, "u3", "i4", { timestamp: Number.POSITIVE_INFINITY }), (e: unknown) => isMfrecError(e) && e.code === "E_CONFIG");
  });

  it("evaluateRatings passes each test rating's timestamp (and none when the test set has none)", () => {
    const m = fitSync(train, { ...base, epochs: 12, burnIn: 4, time: "day", userDay: true });
    assert.ok(Math.abs(evaluateRatings(m, test).rmse - rmseOf(m, true)) < 1e-12);
    const untimed = ratingsFromArray(Array.from({ length: test.length }, (_, k) => ({ user: test.userIndex.idAt(test.users[k]!), item: test.itemIndex.idAt(test.items[k]!), rating: test.values[k]! })));
    assert.ok(Math.abs(evaluateRatings(m, untimed).rmse - rmseOf(m, false)) < 1e-12);
  });

  it("save and load round-trip the time bins and user-day biases (format 4); with the implicit vectors; models without either keep version 1", () => {
    const m = fitSync(train, { ...base, epochs: 10, burnIn: 4, time: "week", userDay: true });
    const bytes = saveModel(m);
    assert.equal(readModelHeader(bytes).formatVersion, 4);
    const back = loadModel(bytes);
    assert.equal(back.time?.bins?.unit, "week");
    sameBytes(back.time?.bins?.keys, m.time!.bins!.keys, "keys");
    sameBytes(back.time?.bins?.factors.data, m.time!.bins!.factors.data, "factors");
    sameBytes(back.time?.userDay?.days, m.time!.userDay!.days, "days");
    for (let k = 0; k < test.length; k += 3) {
      const u = back.userIndex.indexOf(test.userIndex.idAt(test.users[k]!));
      const i = back.itemIndex.indexOf(test.itemIndex.idAt(test.items[k]!));
      assert.equal(rawScoreIndex(back, u, i, test.timestamps![k]), rawScoreIndex(m, u, i, test.timestamps![k]));
    }
    // The same file holds the implicit-feedback vectors (format 4 as well): both come back.
    assert.ok(m.features?.ratedItems && back.features?.ratedItems, "the implicit vectors round-trip beside the time effects");
    sameBytes(back.features.ratedItems.factors.data, m.features.ratedItems.factors.data, "rated-item vectors");
    const plain = fitSync(train, { ...base, epochs: 4, burnIn: 1, implicitVectors: false });
    assert.equal(readModelHeader(saveModel(plain)).formatVersion, 1);
    assert.equal(loadModel(saveModel(plain)).time, undefined);
  });

  it("a version-4 file whose time sections disagree with its header is refused", () => {
    const m = fitSync(train, { ...base, epochs: 4, burnIn: 1, time: "day" });
    const bad = m.with({ time: { ...m.time!, bins: { ...m.time!.bins!, keys: Int32Array.from(m.time!.bins!.keys).reverse() } } });
    assert.throws(() => loadModel(saveModel(bad)), (e: unknown) => isMfrecError(e) && e.code === "E_MODEL_FORMAT" && /timeBinKeys/.test(e.message));
  });
});
