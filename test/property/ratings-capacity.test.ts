import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MfrecError } from "../../src/core/errors.js";
import { type DuplicatePolicy, type Ratings, RatingsBuilder } from "../../src/data/ratings.js";

type Row = { u: number; i: number; v: number | string; line: number; t?: number };

function outcome(run: () => Ratings): unknown {
  try {
    const r = run();
    const rows: string[] = [];
    for (let k = 0; k < r.length; k++) rows.push(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}|${r.values[k]}|${r.timestamps?.[k]}`);
    return { rows, report: { ...r.report } };
  } catch (e) {
    if (!(e instanceof MfrecError)) throw e;
    return { code: e.code, line: e.line, message: e.message.replace(/^[^:]*:\d+: /, "") };
  }
}

function build(rows: Row[], duplicates: DuplicatePolicy, expectedRows: number | undefined): Ratings {
  const b = new RatingsBuilder({ duplicates, onInvalid: "skip", expectedRows, source: "p" });
  for (const r of rows) b.add(r.u, r.i, r.v, r.line, r.t);
  return b.finish({ format: "p" });
}

/**
 * The slow obvious rule: valid rows only; "error" -> the first repeat when users are taken in order
 * of first appearance and each user's rows in input order; "last" -> the last row of each pair, at its
 * position; "mean" -> that position with the running float32 mean of the pair's values.
 */
function reference(rows: Row[], duplicates: DuplicatePolicy): { rows: string[] } | { code: string; line: number; first: number } {
  const valid = rows.filter((r) => typeof r.v === "number");
  const userOrder: number[] = [];
  for (const r of valid) if (!userOrder.includes(r.u)) userOrder.push(r.u);
  if (duplicates === "error") {
    for (const u of userOrder) {
      const seen = new Map<number, number>();
      for (const r of valid) {
        if (r.u !== u) continue;
        if (seen.has(r.i)) return { code: "E_DUPLICATE", line: r.line, first: seen.get(r.i)! };
        seen.set(r.i, r.line);
      }
    }
  }
  const lastAt = new Map<string, number>();
  valid.forEach((r, k) => {
    lastAt.set(`${r.u}|${r.i}`, k);
  });
  const mean = new Map<string, { m: number; c: number }>();
  const out: string[] = [];
  valid.forEach((r, k) => {
    const key = `${r.u}|${r.i}`;
    const g = mean.get(key);
    const m = g ? Math.fround((g.m * g.c + (r.v as number)) / (g.c + 1)) : Math.fround(r.v as number);
    mean.set(key, { m, c: (g?.c ?? 0) + 1 });
    if (lastAt.get(key) === k) out.push(`${key}|${duplicates === "mean" ? m : Math.fround(r.v as number)}|${r.t}`);
  });
  return { rows: out };
}

const rowsArb = fc
  .record({
    cells: fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 }), fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant("bad")), fc.oneof({ arbitrary: fc.constant(1), weight: 200 }, { arbitrary: fc.integer({ min: 2, max: 3 }), weight: 1 })), { maxLength: 3000, size: "max" }),
    times: fc.boolean(),
    sortByUser: fc.boolean(),
  })
  .map((g) => {
    const cells = g.sortByUser ? [...g.cells].sort((a, b) => a[0] - b[0]) : g.cells;
    let line = 1;
    return cells.map(([u, i, v, gap], k): Row => {
      line += gap;
      return { u, i, v, line, t: g.times ? 100 + k : undefined };
    });
  });

test("any expectedRows gives the no-hint result, and that follows the slow reference", () => {
  fc.assert(
    fc.property(rowsArb, fc.option(fc.nat({ max: 6000 }), { nil: undefined }), fc.constantFrom<DuplicatePolicy>("last", "mean", "error"), (rows, hint, duplicates) => {
      const plain = outcome(() => build(rows, duplicates, undefined));
      assert.deepEqual(outcome(() => build(rows, duplicates, hint)), plain);
      const ref = reference(rows, duplicates);
      if (rows.every((r) => typeof r.v !== "number")) {
        assert.equal((plain as { code: string }).code, "E_EMPTY_INPUT");
      } else if ("code" in ref) {
        const got = plain as { code: string; line: number; message: string };
        assert.equal(got.code, ref.code);
        assert.equal(got.line, ref.line);
        assert.match(got.message, new RegExp(`first at line ${ref.first}\\)`));
      } else {
        assert.deepEqual((plain as { rows: string[] }).rows, ref.rows);
      }
    }),
    { numRuns: 150, seed: 424242 },
  );
});
