import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { colorsFor, fmt, fmtInt, formatTable, visibleLength } from "../../../src/cli/output.js";

describe("CLI output helpers", () => {
  it("aligns table columns by visible width, ignoring colour escapes", () => {
    const red = colorsFor({ isTTY: true }, { FORCE_COLOR: "1" }).red;
    const t = formatTable(["name", "score"], [["a", red("6.15")], ["long name", "4.30"]]).split("\n");
    const widths = t.map((l) => visibleLength(l));
    assert.equal(widths[2], widths[3], t.join("\n"));
    assert.ok(t[2]!.endsWith(red("6.15")));
    assert.ok(t[3]!.startsWith("  long name"));
  });

  it("colours only on a TTY without NO_COLOR", () => {
    assert.equal(colorsFor({ isTTY: false }, {}).red("x"), "x");
    assert.equal(colorsFor({ isTTY: true }, { NO_COLOR: "1" }).red("x"), "x");
    assert.notEqual(colorsFor({ isTTY: true }, {}).red("x"), "x");
  });

  it("formats numbers for people", () => {
    assert.equal(fmt(4.3, 2), "4.30");
    assert.equal(fmt(-0.001, 2), "0.00");
    assert.equal(fmt(-1.5, 1), "-1.5");
    assert.equal(fmtInt(1234567), "1,234,567");
  });
});
