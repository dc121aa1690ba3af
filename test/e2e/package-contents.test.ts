import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../helpers/data.js";

// What `npm pack` would ship (issue 15's audit): no source maps (their sources are not shipped), and no
// text naming a path outside the package (a development machine's /work, /home or the peers' bench).
test("npm pack ships no .js.map and no development-machine path", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  assert.ok(files.includes("dist/src/index.js") && files.includes("presets/spaces/sgd.json"), "the package holds the built entry and the shipped search spaces");
  assert.deepEqual(files.filter((f) => f.endsWith(".map")), []);
  const text = files.filter((f) => /\.(js|d\.ts|md|json|html|css)$/.test(f));
  const bad: string[] = [];
  for (const f of text) {
    const s = readFileSync(join(repoRoot, f), "utf8");
    const m = /(?:^|[\s"'`(])(\/work\/|\/home\/|\.\.\/shared\/bench|\.\.\/shared\/seed)/m.exec(s);
    if (m) bad.push(`${f}: ${s.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\s+/g, " ")}`);
  }
  assert.deepEqual(bad, []);
});
