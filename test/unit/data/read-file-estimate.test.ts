import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { MfrecError, isMfrecError } from "../../../src/core/errors.js";
import { parseRatingsText } from "../../../src/data/parse-delimited.js";
import type { Ratings } from "../../../src/data/ratings.js";
import { readRatingsFile, readRatingsFileSync } from "../../../src/data/read-file-node.js";

const dir = mkdtempSync(join(tmpdir(), "mfrec-estimate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Everything observable about Ratings except the source name. */
function snapshot(r: Ratings): unknown {
  return {
    users: [...r.users],
    items: [...r.items],
    values: [...r.values],
    timestamps: r.timestamps ? [...r.timestamps] : undefined,
    userIds: r.userIndex.ids(),
    itemIds: r.itemIndex.ids(),
    report: { ...r.report, file: undefined },
  };
}

/**
 * A user-sorted file whose lines grow longer along it (ids from 1 to 6 digits, as in a sorted
 * MovieLens file), so the first chunk alone misjudges the row count; with duplicates, a skipped
 * row, a blank line and timestamps.
 */
function sortedText(rows: number): string {
  const lines = ["user,item,rating,timestamp"];
  for (let k = 0; k < rows; k++) {
    const u = Math.floor(k ** 1.5 / 40);
    lines.push(`${u},${(k * 7919) % 30011},${(k % 10) / 2 + 0.5},${1_000_000 + k}`);
    if (k % 5003 === 17) lines.push(`${u},${(k * 7919) % 30011},5,${2_000_000 + k}`); // duplicate pair
    if (k === 70_000) lines.push("", `${u},1,not-a-number,0`);
  }
  return lines.join("\n");
}

describe("readRatingsFile with an estimated capacity equals parsing without one", () => {
  const text = sortedText(150_000);
  const expected = snapshot(parseRatingsText(text, { onInvalid: "skip" }));
  const plain = write("sorted.csv", text);
  const gz = write("sorted.csv.gz", gzipSync(Buffer.from(text)));
  // Two gzip members: the trailer's size covers only the small last one, so no estimate is made.
  const cut = text.length - 100;
  const multiSmallLast = write("multi-a.csv.gz", Buffer.concat([gzipSync(Buffer.from(text.slice(0, cut))), gzipSync(Buffer.from(text.slice(cut)))]));
  // ... or covers a large last member after a small first one: an underestimate that must grow.
  const cut2 = text.indexOf("\n", 300_000);
  const multiBigLast = write("multi-b.csv.gz", Buffer.concat([gzipSync(Buffer.from(text.slice(0, cut2))), gzipSync(Buffer.from(text.slice(cut2)))]));

  for (const [name, path] of [
    ["plain", plain],
    ["gzip", gz],
    ["gzip, two members, small last", multiSmallLast],
    ["gzip, two members, large last", multiBigLast],
  ] as const) {
    test(`${name}: async and sync`, async () => {
      assert.deepEqual(snapshot(await readRatingsFile(path, { onInvalid: "skip" })), expected);
      assert.deepEqual(snapshot(readRatingsFileSync(path, { onInvalid: "skip" })), expected);
    });
  }

  test("an explicit expectedRows, too small or too large, gives the same result", async () => {
    for (const expectedRows of [0, 1000, 149_000, 151_000, 2_000_000]) {
      assert.deepEqual(snapshot(await readRatingsFile(plain, { onInvalid: "skip", expectedRows })), expected, `async ${expectedRows}`);
      assert.deepEqual(snapshot(readRatingsFileSync(gz, { onInvalid: "skip", expectedRows })), expected, `sync ${expectedRows}`);
    }
  });

  test("duplicates with the estimate: same merges under mean, same error under error", async () => {
    const mean = snapshot(parseRatingsText(text, { onInvalid: "skip", duplicates: "mean" }));
    assert.deepEqual(snapshot(await readRatingsFile(plain, { onInvalid: "skip", duplicates: "mean" })), mean);
    assert.deepEqual(snapshot(await readRatingsFile(gz, { onInvalid: "skip", duplicates: "mean" })), mean);
    const first = (() => {
      try {
        parseRatingsText(text, { onInvalid: "skip", duplicates: "error" });
      } catch (e) {
        return e as MfrecError;
      }
      throw new Error("expected E_DUPLICATE");
    })();
    assert.equal(first.code, "E_DUPLICATE");
    for (const p of [plain, gz]) {
      await assert.rejects(readRatingsFile(p, { onInvalid: "skip", duplicates: "error" }), (e: unknown) => e instanceof MfrecError && e.code === "E_DUPLICATE" && e.line === first.line && e.message === first.message.replace("text:", `${p}:`));
    }
  });

  test("the estimate is close: columns come back without a copy and with at most 1/4 unused", async () => {
    for (const path of [plain, gz]) {
      const r = await readRatingsFile(path, { onInvalid: "skip" });
      const capacity = r.users.buffer.byteLength / 4;
      assert.ok(capacity >= r.length && capacity <= r.length * 1.25, `${path}: capacity ${capacity} for ${r.length} ratings`);
    }
  });
});

describe("small and empty files with the estimate", () => {
  test("empty, blank-only and header-only files -> E_EMPTY_INPUT (plain and gzip, async and sync)", async () => {
    for (const [name, content] of [
      ["e.csv", ""],
      ["blank.csv", "\n\n  \n"],
      ["h.csv", "user,item,rating\n"],
    ] as const) {
      for (const p of [write(name, content), write(`${name}.gz`, gzipSync(Buffer.from(content)))]) {
        await assert.rejects(readRatingsFile(p), (e: unknown) => isMfrecError(e, "E_EMPTY_INPUT") && (e as MfrecError).file === p);
        assert.throws(() => readRatingsFileSync(p), (e: unknown) => isMfrecError(e, "E_EMPTY_INPUT"));
      }
    }
  });
  test("a one-line file without a newline", async () => {
    const p = write("one.csv", "7,8,2.5");
    for (const r of [await readRatingsFile(p), readRatingsFileSync(p)]) {
      assert.deepEqual([r.userIndex.ids(), r.itemIndex.ids(), [...r.values]], [["7"], ["8"], [2.5]]);
    }
  });
});
