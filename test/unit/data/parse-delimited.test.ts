import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ErrorCode, MAX_ID_LENGTH, MfrecError } from "../../../src/core/errors.js";
import type { ReadOptions } from "../../../src/data/detect-layout.js";
import { DelimitedParser, parseRatingsText } from "../../../src/data/parse-delimited.js";
import type { Ratings } from "../../../src/data/ratings.js";

/** Ratings as sorted "user|item|value" strings with raw ids: independent of index order. */
function triples(r: Ratings): string[] {
  const out: string[] = [];
  for (let k = 0; k < r.length; k++) out.push(`${r.userIndex.idAt(r.users[k]!)}|${r.itemIndex.idAt(r.items[k]!)}|${r.values[k]}`);
  return out.sort();
}

/** Assert that parsing throws an MfrecError with this code and line (and optionally value). */
function throwsCode(text: string | Uint8Array, opts: ReadOptions, code: ErrorCode, line?: number, value?: unknown): MfrecError {
  let caught: unknown;
  try {
    parseRatingsText(text, opts);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MfrecError, `expected MfrecError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (line !== undefined) assert.equal(caught.line, line, caught.message);
  if (value !== undefined) assert.deepEqual(caught.value, value);
  return caught;
}

describe("formats and layout detection", () => {
  test("generic user,item,rating with header", () => {
    const r = parseRatingsText("user,item,rating\n1,10,3.5\n2,10,4\n1,11,0.5\n");
    assert.deepEqual(triples(r), ["1|10|3.5", "1|11|0.5", "2|10|4"]);
    assert.equal(r.report.format, "csv");
    assert.equal(r.report.layout?.header, true);
    assert.equal(r.report.rows, 3);
    assert.equal(r.timestamps, undefined);
  });

  test("MovieLens u.data: tab, no header, user item rating timestamp", () => {
    const r = parseRatingsText("196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
    assert.equal(r.report.format, "ml-100k");
    assert.deepEqual(triples(r), ["186|302|3", "196|242|3"]);
    assert.deepEqual([...r.timestamps!], [881250949, 891717742]);
  });

  test("MovieLens ratings.dat with '::'", () => {
    const r = parseRatingsText("1::1193::5::978300760\n1::661::3::978302109\n");
    assert.equal(r.report.format, "ml-dat");
    assert.deepEqual(triples(r), ["1|1193|5", "1|661|3"]);
    assert.deepEqual([...r.timestamps!], [978300760, 978302109]);
  });

  test("MovieLens ratings.csv (userId,movieId,rating,timestamp, CRLF)", () => {
    const r = parseRatingsText("userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.5,964981247\r\n");
    assert.equal(r.report.format, "ml-csv");
    assert.deepEqual(triples(r), ["1|1|4", "1|3|4.5"]);
    assert.deepEqual([...r.timestamps!], [964982703, 964981247]);
  });

  test("hetrec user_artists.dat: tab, header userID artistID weight", () => {
    const r = parseRatingsText("userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n");
    assert.equal(r.report.format, "hetrec");
    assert.deepEqual(triples(r), ["2|51|13883", "2|52|11690"]);
  });

  test("two columns user,item are implicit (value 1)", () => {
    const r = parseRatingsText("user,item\n1,19\n1,22\n");
    assert.deepEqual(triples(r), ["1|19|1", "1|22|1"]);
    assert.equal(r.report.layout?.columns.rating, undefined);
  });

  test("implicit: true ignores the rating column", () => {
    const r = parseRatingsText("u,i,r\n1,2,5\n1,3,x\n", { implicit: true });
    assert.deepEqual(triples(r), ["1|2|1", "1|3|1"]);
  });

  for (const [name, d] of [["semicolon", ";"], ["pipe", "|"], ["tab", "\t"]] as const) {
    test(`delimiter ${name} is detected`, () => {
      const r = parseRatingsText(`user${d}item${d}rating\na${d}b${d}2\n`);
      assert.equal(r.report.layout?.delimiter, d);
      assert.deepEqual(triples(r), ["a|b|2"]);
    });
  }

  test("whitespace runs, leading and trailing blanks", () => {
    const r = parseRatingsText("1 2 3\n  4 \t 5   6  \n");
    assert.equal(r.report.layout?.delimiter, "whitespace");
    assert.deepEqual(triples(r), ["1|2|3", "4|5|6"]);
  });

  test("header aliases are case-insensitive and pick columns by name", () => {
    const r = parseRatingsText("TS,Score,Item_ID,USER_ID\n100,4,i1,u1\n");
    assert.deepEqual(r.report.layout?.columns, { user: 3, item: 2, rating: 1, timestamp: 0 });
    assert.deepEqual(triples(r), ["u1|i1|4"]);
    assert.deepEqual([...r.timestamps!], [100]);
  });

  test("header auto-detected from a non-numeric rating field with unknown names", () => {
    const r = parseRatingsText("a,b,c\n1,2,3\n");
    assert.equal(r.report.layout?.header, true);
    assert.deepEqual(triples(r), ["1|2|3"]);
  });

  test("no header when the first row is numeric; string ids are fine", () => {
    const r = parseRatingsText("alice,matrix,5\nbob,matrix,3\n");
    assert.equal(r.report.layout?.header, false);
    assert.deepEqual(triples(r), ["alice|matrix|5", "bob|matrix|3"]);
  });

  test("overrides: delimiter, header false, columns by position", () => {
    const r = parseRatingsText("x;7;1;9\n", { delimiter: ";", header: false, columns: { user: 3, item: 1, rating: 2, timestamp: null } });
    assert.deepEqual(triples(r), ["9|7|1"]);
    assert.equal(r.timestamps, undefined);
  });

  test("columns by name", () => {
    const r = parseRatingsText("who,what,stars,extra\n1,2,3,zz\n", { columns: { user: "who", item: "WHAT" } });
    assert.deepEqual(triples(r), ["1|2|3"]);
  });

  test("format preset ml-100k forces no header", () => {
    const r = parseRatingsText("1\t2\t3\t4\n", { format: "ml-100k" });
    assert.equal(r.report.format, "ml-100k");
    assert.equal(r.length, 1);
  });

  test("extra columns beyond the needed ones are ignored", () => {
    const r = parseRatingsText("user,item,rating,a,b\n1,2,3,x,y\n");
    assert.deepEqual(triples(r), ["1|2|3"]);
    assert.equal(r.report.extraFields, undefined);
  });

  test("rows with more fields than the header are read and counted in report.extraFields", () => {
    const r = parseRatingsText("user,item,rating\n1,2,3\n1,3,4,x\n2,2,5\n2,3,1,y,z\n");
    assert.deepEqual(triples(r), ["1|2|3", "1|3|4", "2|2|5", "2|3|1"]);
    assert.deepEqual(r.report.extraFields, { rows: 2, firstLine: 3, fields: 4, expected: 3 });
    // Headerless: the first data line sets the width; trailing blanks of a whitespace file are no field.
    const w = parseRatingsText("1 2 3 \n1 3 4\t\n2 2 5 9\n");
    assert.deepEqual(w.report.extraFields, { rows: 1, firstLine: 3, fields: 4, expected: 3 });
    // Unused columns of the first line's width are no extra fields.
    assert.equal(parseRatingsText("196\t242\t3\t881250949\n186\t302\t3\t891717742\n").report.extraFields, undefined);
  });

  test("negative ratings without a scale are counted in report.negativeRatings; with a scale they are checked instead", () => {
    const r = parseRatingsText("u,i,r\n1,2,-4\n1,3,5\n2,2,-1.5\n");
    assert.deepEqual(r.report.negativeRatings, { count: 2, min: -4 });
    assert.equal(parseRatingsText("u,i,r\n1,2,4\n").report.negativeRatings, undefined);
    assert.equal(parseRatingsText("u,i,r\n1,2,-4\n", { scale: [-10, 10] }).report.negativeRatings, undefined);
  });

  test("ids: leading zeros and non-integers stay distinct strings; large ids fall back to the map", () => {
    const r = parseRatingsText("u,i,r\n007,1.0,1\n7,1,2\n12345678901,-3,3\n");
    assert.deepEqual(r.userIndex.ids(), ["007", "7", "12345678901"]);
    assert.deepEqual(r.itemIndex.ids(), ["1.0", "1", "-3"]);
  });

  test("ratings: decimals, signs, exponents parse exactly as Number()", () => {
    const r = parseRatingsText("u,i,r\n1,1,-2.25\n1,2,+3\n1,3,.5\n1,4,1e1\n1,5,4.\n1,6,123456789012.5\n");
    assert.deepEqual([...r.values], [-2.25, 3, 0.5, 10, 4, Math.fround(123456789012.5)]);
  });
});

describe("text shapes", () => {
  const expected = ["1|2|3", "4|5|1"];
  for (const [name, text] of [
    ["LF with trailing newline", "user,item,rating\n1,2,3\n4,5,1\n"],
    ["no trailing newline", "user,item,rating\n1,2,3\n4,5,1"],
    ["CRLF", "user,item,rating\r\n1,2,3\r\n4,5,1\r\n"],
    ["CRLF without trailing newline", "user,item,rating\r\n1,2,3\r\n4,5,1"],
    ["UTF-8 BOM", "\uFEFFuser,item,rating\n1,2,3\n4,5,1\n"],
    ["BOM without header", "\uFEFF1,2,3\n4,5,1\n"],
    ["blank lines anywhere", "\n\nuser,item,rating\n\n1,2,3\n   \n\r\n4,5,1\n\n"],
    ["spaces around fields", "user , item , rating\n 1 , 2 , 3 \n4,5,1\n"],
  ] as const) {
    test(name, () => assert.deepEqual(triples(parseRatingsText(text)), expected));
  }

  test("line numbers count blank lines and the header", () => {
    throwsCode("\nuser,item,rating\n\n1,2,3\n1,3,x\n", {}, "E_NOT_NUMBER", 5, "x");
  });

  test("quoted fields with the delimiter and escaped quotes inside", () => {
    const r = parseRatingsText('user,item,rating\n"Doe, Jane","The ""Best"" Film",4\n"x",y,"5"\n');
    assert.deepEqual(triples(r), ['Doe, Jane|The "Best" Film|4', "x|y|5"]);
  });

  test("quoted fields in a tab file and in a whitespace file", () => {
    assert.deepEqual(triples(parseRatingsText('u\ti\tr\n"a b"\t"c"\t2\n')), ["a b|c|2"]);
    assert.deepEqual(triples(parseRatingsText('"a b" "c d" 2\n"e"  f 3\n')), ["a b|c d|2", "e|f|3"]);
  });

  test("non-ASCII ids survive", () => {
    const r = parseRatingsText("user,item,rating\nzoë,日本,5\n");
    assert.deepEqual(triples(r), ["zoë|日本|5"]);
  });

  test("a Uint8Array input equals the string input", () => {
    const text = "user,item,rating\nzoë,日本,5\n1,2,3\n";
    assert.deepEqual(triples(parseRatingsText(new TextEncoder().encode(text))), triples(parseRatingsText(text)));
  });
});

describe("bad input: every problem is an MfrecError with code and line", () => {
  const H = "user,item,rating\n";
  test("non-numeric rating -> E_NOT_NUMBER", () => {
    const e = throwsCode(`${H}1,2,3\n1,3,abc\n`, { source: "r.csv" }, "E_NOT_NUMBER", 3, "abc");
    assert.equal(e.file, "r.csv");
    assert.equal(e.column, "rating");
    assert.match(e.message, /^r\.csv:3: /);
  });
  test('"NaN" -> E_NOT_NUMBER', () => void throwsCode(`${H}1,2,NaN\n`, {}, "E_NOT_NUMBER", 2, "NaN"));
  test('hex "0x10" is not a rating -> E_NOT_NUMBER', () => void throwsCode(`${H}1,2,0x10\n`, {}, "E_NOT_NUMBER", 2, "0x10"));
  test('empty rating -> E_NOT_NUMBER', () => void throwsCode(`${H}1,2,\n`, {}, "E_NOT_NUMBER", 2, ""));
  test('"Infinity" -> E_NOT_FINITE', () => void throwsCode(`${H}1,2,3\n1,3,Infinity\n`, {}, "E_NOT_FINITE", 3, "Infinity"));
  test('"-Infinity" and 1e999 -> E_NOT_FINITE', () => {
    throwsCode(`${H}1,2,-Infinity\n`, {}, "E_NOT_FINITE", 2);
    throwsCode(`${H}1,2,1e999\n`, {}, "E_NOT_FINITE", 2);
  });
  test("out-of-scale rating -> E_OUT_OF_SCALE (both ends; bounds inclusive)", () => {
    throwsCode(`${H}1,2,5.5\n`, { scale: [1, 5] }, "E_OUT_OF_SCALE", 2, 5.5);
    throwsCode(`${H}1,2,1\n1,3,0.5\n`, { scale: [1, 5] }, "E_OUT_OF_SCALE", 3, 0.5);
    assert.equal(parseRatingsText(`${H}1,2,1\n1,3,5\n`, { scale: [1, 5] }).length, 2);
  });
  test("missing columns -> E_MISSING_COLUMN", () => {
    const e = throwsCode(`${H}1,2,3\n1,2\n`, {}, "E_MISSING_COLUMN", 3, 2);
    assert.match(e.expected ?? "", /3 fields/);
    throwsCode("196\t242\t3\t881250949\n186\t302\t3\n", {}, "E_MISSING_COLUMN", 2, 3);
  });
  test(`an id longer than ${MAX_ID_LENGTH} characters -> E_ID_TOO_LONG (skippable), quoted or not`, () => {
    const long = "a".repeat(MAX_ID_LENGTH + 1);
    const e = throwsCode(`${H}1,2,3\n${long},2,3\n`, {}, "E_ID_TOO_LONG", 3);
    assert.equal(e.column, "user");
    assert.match(e.message, /1,025 characters/);
    assert.equal(throwsCode(`${H}1,"${long}",3\n`, {}, "E_ID_TOO_LONG", 2).column, "item");
    const r = parseRatingsText(`${H}1,2,3\n${"b".repeat(5_000_000)},2,3\n`, { onInvalid: "skip" });
    assert.equal(r.length, 1);
    assert.equal(r.report.skippedByReason.E_ID_TOO_LONG, 1);
    assert.equal(parseRatingsText(`${H}${"c".repeat(MAX_ID_LENGTH)},2,3\n`).userIndex.idAt(0)!.length, MAX_ID_LENGTH);
  });
  test("a single-column first line -> E_MISSING_COLUMN (no delimiter)", () => void throwsCode("justonefield\n", {}, "E_MISSING_COLUMN", 1));
  test("empty user / item id -> E_EMPTY_ID", () => {
    const e = throwsCode(`${H}1,2,3\n,2,3\n`, {}, "E_EMPTY_ID", 3);
    assert.equal(e.column, "user");
    assert.equal(throwsCode(`${H}1,  ,3\n`, {}, "E_EMPTY_ID", 2).column, "item");
    throwsCode(`${H}"",2,3\n`, {}, "E_EMPTY_ID", 2);
  });
  test("empty file -> E_EMPTY_INPUT", () => {
    throwsCode("", { source: "empty.csv" }, "E_EMPTY_INPUT");
    throwsCode("\n\r\n  \n", {}, "E_EMPTY_INPUT");
    throwsCode("\uFEFF", {}, "E_EMPTY_INPUT");
  });
  test("header-only file -> E_EMPTY_INPUT", () => {
    const e = throwsCode("user,item,rating\n", { source: "h.csv" }, "E_EMPTY_INPUT");
    assert.equal(e.file, "h.csv");
    throwsCode("userId,movieId,rating,timestamp", {}, "E_EMPTY_INPUT");
  });
  test("unclosed quote -> E_BAD_QUOTE on its own line only", () => {
    throwsCode(`${H}1,2,3\n"abc,2,3\n4,5,1\n`, {}, "E_BAD_QUOTE", 3);
    const r = parseRatingsText(`${H}1,2,3\n"abc,2,3\n4,5,1\n`, { onInvalid: "skip" });
    assert.deepEqual(triples(r), ["1|2|3", "4|5|1"]);
    assert.equal(r.report.skippedByReason.E_BAD_QUOTE, 1);
  });
  test("text after a closing quote -> E_BAD_QUOTE", () => void throwsCode(`${H}"a"b,2,3\n`, {}, "E_BAD_QUOTE", 2));
  test("bad timestamp -> E_NOT_NUMBER on the timestamp column", () => {
    const e = throwsCode("1\t2\t3\t881250949\n1\t3\t3\tyesterday\n", {}, "E_NOT_NUMBER", 2, "yesterday");
    assert.equal(e.column, "timestamp");
  });
  test("unknown column name -> E_UNKNOWN_COLUMN with the header names", () => {
    const e = throwsCode(`${H}1,2,3\n`, { columns: { rating: "stars" } }, "E_UNKNOWN_COLUMN", 1, "stars");
    assert.match(e.expected ?? "", /"rating"/);
  });
  test("invalid options -> E_CONFIG", () => {
    throwsCode(`${H}1,2,3\n`, { delimiter: "ab" }, "E_CONFIG");
    throwsCode(`${H}1,2,3\n`, { scale: [5, 1] }, "E_CONFIG");
    throwsCode(`${H}1,2,3\n`, { columns: { user: -1 } }, "E_CONFIG");
    throwsCode(`${H}1,2,3\n`, { columns: { user: 0, item: 0 } }, "E_CONFIG");
    throwsCode(`${H}1,2,3\n`, { format: "xml" as never }, "E_CONFIG");
    throwsCode(`${H}1,2,3\n`, { duplicates: "first" as never }, "E_CONFIG");
  });
  test("invalid ids never enter the index: a skipped row adds no user or item", () => {
    const r = parseRatingsText(`${H}1,2,3\n9,9,x\n`, { onInvalid: "skip" });
    assert.deepEqual(r.userIndex.ids(), ["1"]);
    assert.deepEqual(r.itemIndex.ids(), ["2"]);
  });

  test('onInvalid "skip": counts per reason, first examples with lines, no lost valid row', () => {
    const text = `${H}1,1,3\n1,2,abc\n1,3,NaN\n1,4,9\n,5,2\n1,6\n1,7,Infinity\n"x,8,1\n2,1,4\n1,9,x\n1,10,y\n`;
    const r = parseRatingsText(text, { onInvalid: "skip", scale: [1, 5] });
    assert.deepEqual(triples(r), ["1|1|3", "2|1|4"]);
    assert.deepEqual(r.report.skippedByReason, { E_NOT_NUMBER: 4, E_OUT_OF_SCALE: 1, E_EMPTY_ID: 1, E_MISSING_COLUMN: 1, E_NOT_FINITE: 1, E_BAD_QUOTE: 1 });
    assert.equal(r.report.skipped, 9);
    assert.equal(r.report.rows, 11);
    assert.equal(r.report.ratings, 2);
    assert.deepEqual(r.report.examples.map((x) => [x.line, x.code]), [
      [3, "E_NOT_NUMBER"],
      [4, "E_NOT_NUMBER"],
      [5, "E_OUT_OF_SCALE"],
      [6, "E_EMPTY_ID"],
      [7, "E_MISSING_COLUMN"],
    ]);
  });

  test('all rows skipped -> E_EMPTY_INPUT saying so', () => {
    const e = throwsCode(`${H}1,2,x\n`, { onInvalid: "skip" }, "E_EMPTY_INPUT");
    assert.match(e.message, /skipped/);
  });
});

describe("duplicates", () => {
  const text = "user,item,rating\n1,2,1\n1,3,5\n1,2,2\n2,2,4\n1,2,4\n";
  test('"last" (default): the later row wins, counted in report.duplicates', () => {
    const r = parseRatingsText(text);
    assert.deepEqual(triples(r), ["1|2|4", "1|3|5", "2|2|4"]);
    assert.equal(r.report.duplicates, 2);
    assert.equal(r.report.duplicatePolicy, "last");
  });
  test('"mean": the mean of all occurrences', () => {
    const r = parseRatingsText(text, { duplicates: "mean" });
    assert.deepEqual(triples(r), ["1|2|" + Math.fround(7 / 3), "1|3|5", "2|2|4"]);
    assert.equal(r.report.duplicates, 2);
  });
  test('"error": E_DUPLICATE at the second occurrence', () => {
    const e = throwsCode(text, { duplicates: "error" }, "E_DUPLICATE", 4);
    assert.match(e.message, /line 2/);
  });
});

describe("streaming", () => {
  test("byte-at-a-time pushes equal one push", () => {
    const text = '\uFEFFuser;item;rating\r\n"zoë";日本;4.5\r\n\r\n2;"a;b";1\r\n3;x;2';
    const bytes = new TextEncoder().encode(text);
    const p = new DelimitedParser();
    for (let k = 0; k < bytes.length; k++) p.push(bytes.subarray(k, k + 1));
    assert.deepEqual(triples(p.finish()), triples(parseRatingsText(text)));
  });
  test("a long line spanning many chunks", () => {
    const id = "x".repeat(MAX_ID_LENGTH);
    const bytes = new TextEncoder().encode(`u,i,r\n${id},1,2\n`);
    const p = new DelimitedParser();
    for (let k = 0; k < bytes.length; k += 77) p.push(bytes.subarray(k, k + 77));
    const r = p.finish();
    assert.equal(r.userIndex.idAt(0), id);
  });
  test("finish twice and push after finish are E_CONFIG", () => {
    const p = new DelimitedParser();
    p.push(new TextEncoder().encode("1,2,3\n"));
    p.finish();
    assert.throws(() => p.finish(), { code: "E_CONFIG" });
    assert.throws(() => p.push(new Uint8Array(1)), { code: "E_CONFIG" });
  });
  test("userIndex/itemIndex reuse: a test set indexed like its train set", () => {
    const train = parseRatingsText("u,i,r\na,x,1\nb,y,2\n");
    const testSet = parseRatingsText("u,i,r\nb,x,3\nc,z,4\n", { userIndex: train.userIndex.clone(), itemIndex: train.itemIndex.clone() });
    assert.deepEqual(testSet.userIndex.ids(), ["a", "b", "c"]);
    assert.deepEqual([...testSet.users], [1, 2]);
    assert.deepEqual([...testSet.items], [0, 2]);
  });
});
