import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { threadsArg } from "../../../src/cli/args.js";
import { writeOutputDir, writeOutputFile } from "../../../src/cli/output-file.js";

describe("threadsArg", () => {
  test("keeps counts up to the cores, lowers larger ones to the core count, rejects non-integers", () => {
    const parse = threadsArg(0, () => 2);
    assert.equal(parse("0"), 0);
    assert.equal(parse("2"), 2);
    assert.equal(parse("999"), 2);
    assert.throws(() => parse("1.5"), /expected an integer/);
    assert.throws(() => parse("-1"), /expected an integer >= 0/);
  });
});

describe("writeOutputFile / writeOutputDir: whole or nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-outfile-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("success renames into place, keeping the extension for the writer", async () => {
    const target = join(dir, "a.csv");
    let seen = "";
    const r = await writeOutputFile(target, (tmp) => {
      seen = tmp;
      writeFileSync(tmp, "x");
      return 7;
    });
    assert.equal(r, 7);
    assert.match(seen, /\.csv$/);
    assert.equal(readFileSync(target, "utf8"), "x");
    assert.deepEqual(readdirSync(dir), ["a.csv"]);
  });

  test("failure leaves no file, and an older target untouched", async () => {
    await assert.rejects(
      writeOutputFile(join(dir, "b.jsonl"), (tmp) => {
        writeFileSync(tmp, "partial");
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(existsSync(join(dir, "b.jsonl")), false);
    await assert.rejects(writeOutputFile(join(dir, "a.csv"), async (tmp) => {
      writeFileSync(tmp, "new");
      throw new Error("late");
    }));
    assert.equal(readFileSync(join(dir, "a.csv"), "utf8"), "x");
    assert.deepEqual(readdirSync(dir), ["a.csv"]);
  });

  test("a directory output is created only on success; into an existing one the files move, others stay", async () => {
    const out = join(dir, "exp");
    await assert.rejects(writeOutputDir(out, (tmp) => {
      writeFileSync(join(tmp, "users.csv"), "u");
      throw new Error("boom");
    }));
    assert.equal(existsSync(out), false);
    await writeOutputDir(out, (tmp) => writeFileSync(join(tmp, "users.csv"), "u1"));
    assert.equal(readFileSync(join(out, "users.csv"), "utf8"), "u1");
    writeFileSync(join(out, "keep.txt"), "k");
    await writeOutputDir(`${out}/`, (tmp) => writeFileSync(join(tmp, "users.csv"), "u2"));
    assert.deepEqual(readdirSync(out).sort(), ["keep.txt", "users.csv"]);
    assert.equal(readFileSync(join(out, "users.csv"), "utf8"), "u2");
    mkdirSync(join(dir, "nested"), { recursive: true });
    assert.deepEqual(readdirSync(dir).sort(), ["a.csv", "exp", "nested"]);
  });
});
