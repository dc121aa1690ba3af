import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Progress, REDRAW_MS } from "../../../src/cli/progress.js";

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) } };
}

describe("Progress", () => {
  it("prints one plain line per 10% off a TTY, then the summary", () => {
    const { writes, stream } = sink(false);
    const p = new Progress({ label: "train als", total: 37, unit: "epochs", stream, now: () => 0 });
    for (let e = 1; e <= 37; e++) p.update(e);
    p.finish("done: 37 epochs");
    assert.equal(writes.length, 11);
    assert.equal(writes[0], "train als: 10% (4/37 epochs)\n");
    assert.equal(writes[9], "train als: 100% (37/37 epochs)\n");
    assert.equal(writes[10], "done: 37 epochs\n");
    assert.ok(writes.every((w) => !w.includes("\r")));
  });

  it("redraws at most 10 times a second on a TTY and always draws the end", () => {
    const { writes, stream } = sink(true);
    let t = 0;
    const p = new Progress({ label: "generate", total: 1000, stream, now: () => t });
    for (let i = 1; i <= 1000; i++) {
      t += 7; // 7 s in all
      p.update(i, "note");
    }
    const draws = writes.filter((w) => w.startsWith("\r") && w.includes("%"));
    assert.ok(draws.length <= (7000 / REDRAW_MS) + 2, `${draws.length} redraws`);
    assert.ok(draws.length >= 60);
    assert.match(draws[draws.length - 1]!, /100% 1000\/1000/);
    p.finish("summary");
    assert.equal(writes[writes.length - 1], "summary\n");
    assert.equal(writes[writes.length - 2], "\r\x1b[K", "the bar line is cleared before the summary");
  });

  it("stays silent when quiet", () => {
    const { writes, stream } = sink(false);
    const p = new Progress({ label: "x", total: 2, stream, quiet: true });
    p.update(1);
    p.update(2);
    p.finish("s");
    assert.deepEqual(writes, []);
  });
});
