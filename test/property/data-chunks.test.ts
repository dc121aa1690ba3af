import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MfrecError } from "../../src/core/errors.js";
import { IdIndex } from "../../src/data/id-index.js";
import { DelimitedParser, parseRatingsText } from "../../src/data/parse-delimited.js";
import type { Ratings } from "../../src/data/ratings.js";

type Outcome = { ok: true; triples: string[]; rows: number; skipped: number; dups: number } | { ok: false; code: string; line: number | undefined };

function outcome(run: () => Ratings): Outcome {
  try {
    const r = run();
    const triples: string[] = [];
    for (let k = 0; k < r.length; k++) triples.push(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}|${r.values[k]}|${r.timestamps?.[k]}`);
    return { ok: true, triples, rows: r.report.rows, skipped: r.report.skipped, dups: r.report.duplicates };
  } catch (e) {
    if (!(e instanceof MfrecError)) throw e;
    return { ok: false, code: e.code, line: e.line };
  }
}

function chunked(bytes: Uint8Array, cuts: number[], opts: object): Ratings {
  const p = new DelimitedParser(opts);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const c of points) {
    p.push(bytes.subarray(prev, c));
    prev = c;
  }
  p.push(bytes.subarray(prev));
  return p.finish();
}

const idArb = fc.oneof(
  fc.nat({ max: 2000 }).map(String),
  fc.constantFrom("007", "zoë", "日本", "a b", "x,y", 'q"t', "", " ", "12345678901"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
);
const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 5 }).map(String),
  fc.double({ min: -10, max: 10, noNaN: true }).map((x) => x.toFixed(3)),
  fc.constantFrom("NaN", "Infinity", "abc", "", "1e3", ".5"),
);
const rowArb = fc.tuple(idArb, idArb, valueArb, fc.option(fc.nat({ max: 2 ** 31 }), { nil: undefined }));

function field(s: string, delim: string): string {
  return s.includes(delim) || s.includes('"') || s.trim() !== s || /[\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const textArb = fc
  .record({
    rows: fc.array(rowArb, { maxLength: 25 }),
    delim: fc.constantFrom(",", "\t", ";", "|", "::"),
    header: fc.boolean(),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    trailing: fc.boolean(),
    blanks: fc.array(fc.nat({ max: 30 }), { maxLength: 3 }),
    ts: fc.boolean(),
  })
  .map((g) => {
    const eol = g.crlf ? "\r\n" : "\n";
    const lines = g.rows.map(([u, i, v, t]) => [field(u, g.delim), field(i, g.delim), v, ...(g.ts ? [String(t ?? 0)] : [])].join(g.delim));
    if (g.header) lines.unshift(["user", "item", "rating", ...(g.ts ? ["timestamp"] : [])].join(g.delim));
    for (const b of g.blanks) lines.splice(b % (lines.length + 1), 0, "");
    return (g.bom ? "\uFEFF" : "") + lines.join(eol) + (g.trailing ? eol : "");
  });

test("parsing any text split into random chunks equals parsing it whole", () => {
  fc.assert(
    fc.property(textArb, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom("error", "skip"), fc.constantFrom("last", "mean"), (text, cuts, onInvalid, duplicates) => {
      const bytes = new TextEncoder().encode(text);
      const whole = outcome(() => parseRatingsText(bytes, { onInvalid, duplicates }));
      assert.deepEqual(outcome(() => chunked(bytes, cuts, { onInvalid, duplicates })), whole);
    }),
    { numRuns: 400, seed: 20240601 },
  );
});

test("chunked equals whole when every chunk is a single byte", () => {
  fc.assert(
    fc.property(textArb, (text) => {
      const bytes = new TextEncoder().encode(text);
      const cuts = Array.from({ length: bytes.length }, (_, k) => k);
      assert.deepEqual(outcome(() => chunked(bytes, cuts, { onInvalid: "skip" })), outcome(() => parseRatingsText(bytes, { onInvalid: "skip" })));
    }),
    { numRuns: 100, seed: 7 },
  );
});

test("valid rows come back exactly (reference: a Map with the last value per pair)", () => {
  const okRow = fc.tuple(fc.oneof(fc.nat({ max: 50 }).map(String), fc.constantFrom("zoë", "a,b", "x\"y")), fc.nat({ max: 30 }).map(String), fc.integer({ min: 1, max: 10 }).map((x) => x / 2));
  fc.assert(
    fc.property(fc.array(okRow, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), (rows, cuts) => {
      const text = "user,item,rating\n" + rows.map(([u, i, v]) => `${field(u, ",")},${i},${v}`).join("\n");
      const ref = new Map<string, number>();
      for (const [u, i, v] of rows) {
        ref.delete(`${u}|${i}`);
        ref.set(`${u}|${i}`, v);
      }
      const r = chunked(new TextEncoder().encode(text), cuts, {});
      const got = new Map<string, number>();
      for (let k = 0; k < r.length; k++) got.set(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}`, r.values[k]!);
      assert.deepEqual(new Map([...got].sort()), new Map([...ref].sort()));
      assert.equal(r.report.duplicates, rows.length - ref.size);
    }),
    { numRuns: 300, seed: 11 },
  );
});

test("IdIndex round trip: idAt(indexOf(x)) === String(x), for numbers and strings in any mix", () => {
  const id = fc.oneof(fc.nat(), fc.nat({ max: 300 }), fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.nat({ max: 300 }).map(String));
  fc.assert(
    fc.property(fc.array(id, { maxLength: 60 }), (ids) => {
      const idx = new IdIndex();
      for (const x of ids) {
        if (typeof x === "number" && Number.isInteger(x) && x >= 0) idx.addInt(x);
        else idx.add(x);
      }
      assert.equal(idx.size, new Set(ids.map(String)).size);
      for (const x of ids) {
        const k = idx.indexOf(x);
        assert.ok(k >= 0);
        assert.equal(idx.idAt(k), String(x));
        assert.equal(idx.indexOf(String(x)), k);
      }
    }),
    { numRuns: 300, seed: 3 },
  );
});
