/** `mfrec serve --items FILE`: id,title[,features] lines, quoting, header, and errors with file, line and value. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MfrecError } from "../../../src/core/errors.js";
import { parseItems } from "mfrec-server/internal/items-file.js";

test("id,title[,features]: quoted titles with commas and quotes, an optional header, features split on |", () => {
  const rows = parseItems('id,title,features\n1,Toy Story (1995),Animation|Children\n2,"Shawshank Redemption, The (1994)"\n3,"Say ""Hi""",\n\n4,\n', "items.csv");
  assert.deepEqual(rows, [
    { item: "1", title: "Toy Story (1995)", metadata: { features: ["Animation", "Children"] } },
    { item: "2", title: "Shawshank Redemption, The (1994)" },
    { item: "3", title: 'Say "Hi"' },
    { item: "4", title: null },
  ]);
  // Without a header the first line is data.
  assert.deepEqual(parseItems("7,Seven\r\n", "x.csv"), [{ item: "7", title: "Seven" }]);
});

test("bad lines name the file, the line and the value", () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ["1,One\n2\n", "E_MISSING_COLUMN", 2, /items\.csv:2: an items line needs id,title/],
    ["1,One\n2,Two,a|b,extra\n", "E_MISSING_COLUMN", 2, /has 4 fields/],
    ['1,"Unclosed\n', "E_BAD_QUOTE", 1, /items\.csv:1: a quoted field is not closed/],
    ['1,"A"B\n', "E_BAD_QUOTE", 1, /text after a closing quote/],
    ["1,One\n,Nobody\n", "E_EMPTY_ID", 2, /the item id is empty/],
    ["id,title\n1,One\n\n1,Again\n", "E_DUPLICATE", 4, /item "1" is listed twice \(first on line 2\)/],
    [`1,${"x".repeat(1001)}\n`, "E_CONFIG", 1, /longer than 1000/],
  ];
  for (const [text, code, line, message] of cases) {
    assert.throws(
      () => parseItems(text, "items.csv"),
      (e: unknown) => e instanceof MfrecError && e.code === code && e.line === line && e.file === "items.csv" && message.test(e.message),
      `${code} for ${JSON.stringify(text.slice(0, 30))}`,
    );
  }
});
