import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MfrecError, isMfrecError } from "../../../src/core/errors.js";
import { parseRatingsText } from "../../../src/data/parse-delimited.js";
import { type DuplicatePolicy, type Ratings, RatingsBuilder, type RatingsOptions, ratingsFromColumns } from "../../../src/data/ratings.js";

/** Everything observable about Ratings, as plain data (ids by name, columns as arrays). */
function snapshot(r: Ratings): unknown {
  return {
    length: r.length,
    users: [...r.users].map((u) => r.userIndex.idAt(u)),
    items: [...r.items].map((i) => r.itemIndex.idAt(i)),
    values: [...r.values],
    timestamps: r.timestamps ? [...r.timestamps] : undefined,
    userIds: r.userIndex.ids(),
    itemIds: r.itemIndex.ids(),
    report: r.report,
  };
}

/** Outcome of a build: the snapshot, or the error's code, line and message. */
function outcome(run: () => Ratings): unknown {
  try {
    return snapshot(run());
  } catch (e) {
    if (!(e instanceof MfrecError)) throw e;
    return { code: e.code, line: e.line, message: e.message };
  }
}

type Row = [user: number, item: number, value: number | string, line: number, time?: number];

/** Deterministic rows: users out of order, repeated pairs every `dupEvery` rows, invalid values, gaps in line numbers. */
function rows(n: number, opts: { users: number; items: number; dupEvery?: number; bad?: number; gaps?: boolean; times?: boolean }): Row[] {
  const out: Row[] = [];
  let line = 1;
  let x = 12345;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  for (let k = 0; k < n; k++) {
    line += opts.gaps && next() % 7 === 0 ? 2 : 1;
    const t = opts.times ? 1000 + k : undefined;
    if (opts.dupEvery && k > 0 && k % opts.dupEvery === 0) {
      const [u, i] = out[next() % out.length]!;
      out.push([u, i, (next() % 5) + 1, line, t]);
      continue;
    }
    const v: number | string = opts.bad && next() % opts.bad === 0 ? "oops" : (next() % 10) / 2 + 0.5;
    out.push([next() % opts.users, next() % opts.items, v, line, t]);
  }
  return out;
}

function build(input: Row[], opts: RatingsOptions): Ratings {
  const b = new RatingsBuilder({ source: "test", ...opts });
  for (const [u, i, v, line, t] of input) b.add(u, i, v, line, t);
  return b.finish({ format: "test" });
}

describe("RatingsBuilder expectedRows gives exactly the no-hint result", () => {
  const cases: Array<[string, Row[]]> = [
    ["clean, consecutive lines", rows(5000, { users: 300, items: 200 })],
    ["duplicates, unsorted users", rows(5000, { users: 300, items: 200, dupEvery: 13 })],
    ["duplicates, gaps in lines, timestamps", rows(5000, { users: 300, items: 200, dupEvery: 7, gaps: true, times: true })],
    ["duplicates and skipped rows", rows(5000, { users: 50, items: 50, dupEvery: 5, bad: 11 })],
    ["users sorted (no grouping sort)", rows(4000, { users: 300, items: 200, dupEvery: 9 }).sort((a, b) => a[0] - b[0])],
    ["more than 65536 items", rows(70_000, { users: 40, items: 1 << 22, dupEvery: 997 })],
  ];
  for (const [name, input] of cases) {
    for (const duplicates of ["last", "mean", "error"] as DuplicatePolicy[]) {
      test(`${name}, duplicates: ${duplicates}`, () => {
        const base = { duplicates, onInvalid: "skip" as const };
        const expected = outcome(() => build(input, base));
        const n = input.length;
        for (const hint of [0, 1, 100, n >> 1, n - 1, n, n + 1, Math.ceil(n * 1.1), 10 * n]) {
          assert.deepEqual(outcome(() => build(input, { ...base, expectedRows: hint })), expected, `expectedRows ${hint}`);
        }
      });
    }
  }

  test("reserve() in the middle of the input changes nothing", () => {
    const input = rows(3000, { users: 100, items: 100, dupEvery: 10, gaps: true, times: true });
    const expected = outcome(() => build(input, {}));
    const b = new RatingsBuilder({ source: "test" });
    input.forEach(([u, i, v, line, t], k) => {
      if (k === 1500) b.reserve(2000);
      if (k === 2500) b.reserve(10); // smaller than held: no-op
      b.add(u, i, v, line, t);
    });
    assert.deepEqual(snapshot(b.finish({ format: "test" })), expected);
  });

  test("an empty input with a hint: E_EMPTY_INPUT, or an empty result when allowed", () => {
    assert.throws(() => new RatingsBuilder({ expectedRows: 1_000_000 }).finish(), (e: unknown) => isMfrecError(e, "E_EMPTY_INPUT"));
    const r = new RatingsBuilder({ expectedRows: 1_000_000 }).finish({ allowEmpty: true });
    assert.equal(r.length, 0);
    assert.equal(r.users.length + r.items.length + r.values.length, 0);
    assert.equal(r.users.buffer.byteLength, 0, "a mostly unused buffer is not kept");
  });

  test("expectedRows must be a non-negative integer (E_CONFIG)", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10" as unknown as number]) {
      assert.throws(() => new RatingsBuilder({ expectedRows: bad }), (e: unknown) => isMfrecError(e, "E_CONFIG"), String(bad));
    }
  });

  test("an impossible hint is ignored, not an error", () => {
    const b = new RatingsBuilder({ expectedRows: Number.MAX_SAFE_INTEGER });
    b.add("u", "i", 3, 1);
    assert.deepEqual([...b.finish().values], [3]);
  });
});

describe("RatingsBuilder columns: views when the unused tail is small, copies otherwise", () => {
  const fill = (b: RatingsBuilder, n: number) => {
    for (let k = 0; k < n; k++) b.add(k % 97, Math.floor(k / 97), 1 + (k % 5), k + 2);
  };
  test("a close hint: the result uses the builder's buffer (no copy)", () => {
    const b = new RatingsBuilder({ expectedRows: 11_000 });
    fill(b, 10_000);
    const r = b.finish();
    assert.equal(r.length, 10_000);
    assert.equal(r.users.buffer.byteLength, 11_000 * 4);
    assert.equal(r.values.buffer.byteLength, 11_000 * 4);
  });
  test("a hint 10x too large: the result is copied to its exact size", () => {
    const b = new RatingsBuilder({ expectedRows: 100_000 });
    fill(b, 10_000);
    const r = b.finish();
    assert.equal(r.users.buffer.byteLength, 10_000 * 4);
    assert.equal(r.items.buffer.byteLength, 10_000 * 4);
  });
  test("duplicates are compacted in place and still come back as views", () => {
    const b = new RatingsBuilder({ expectedRows: 10_000 });
    fill(b, 9_000);
    for (let k = 0; k < 500; k++) b.add(k % 97, Math.floor(k / 97), 5, 20_000 + k);
    const r = b.finish();
    assert.equal(r.length, 9_000);
    assert.equal(r.report.duplicates, 500);
    assert.equal(r.users.buffer.byteLength, 10_000 * 4);
    // Kept order: the untouched rows first, then the 500 rewritten pairs (which moved to their last position).
    assert.equal(r.values[8_499], 1 + (8_999 % 5));
    assert.deepEqual([...r.values.subarray(8_500)], new Array(500).fill(5));
  });
  test("ratingsFromColumns sizes its builder exactly", () => {
    const users = Array.from({ length: 5000 }, (_, k) => k % 50);
    const items = Array.from({ length: 5000 }, (_, k) => Math.floor(k / 50));
    const r = ratingsFromColumns({ users, items });
    assert.equal(r.users.buffer.byteLength, 5000 * 4);
  });
});

describe("line numbers in E_DUPLICATE, stored or implied", () => {
  test("consecutive lines (not stored): the repeat's line and the first line", () => {
    const text = "user,item,rating\n1,1,3\n1,2,3\n2,1,3\n1,1,4\n";
    for (const expectedRows of [undefined, 1, 100]) {
      assert.throws(
        () => parseRatingsText(text, { duplicates: "error", expectedRows }),
        (e: unknown) => isMfrecError(e, "E_DUPLICATE") && e.line === 5 && /first at line 2\b/.test(e.message),
      );
    }
  });
  test("after a blank line and a skipped row (stored from there on)", () => {
    const text = "user,item,rating\n1,7,3\n1,8,3\n1,1,3\n\n1,2,x\n2,1,3\n9,9,1\n2,1,4\n1,1,5\n";
    assert.throws(
      () => parseRatingsText(text, { duplicates: "error", onInvalid: "skip" }),
      // User "1" comes first in user order: its repeat (line 10, stored) names line 4 (implied, third entry).
      (e: unknown) => isMfrecError(e, "E_DUPLICATE") && e.line === 10 && /first at line 4\b/.test(e.message),
    );
    const r = parseRatingsText(text, { onInvalid: "skip" });
    assert.deepEqual([...r.values], [3, 3, 1, 4, 5]);
    assert.deepEqual(r.report.examples.map((x) => x.line), [6]);
  });
  test("unsorted users: the first repeat in user order, as before", () => {
    const text = "u,i,r\n5,1,1\n3,1,1\n5,1,2\n3,1,2\n";
    assert.throws(
      () => parseRatingsText(text, { duplicates: "error" }),
      (e: unknown) => isMfrecError(e, "E_DUPLICATE") && e.line === 4 && /first at line 2\b/.test(e.message),
    );
  });
});
