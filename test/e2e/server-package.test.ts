/**
 * The CLI loads mfrec-server by name (src/cli/server-package.ts) and declares what it calls; this file
 * fails to compile when the package's startServer stops accepting what the CLI passes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as server from "mfrec-server";
import * as preflight from "mfrec-server/preflight";
import { loadServerPackage, type ServerPackage, type ServerPreflight } from "../../src/cli/server-package.js";

const typed: ServerPackage = server;
const typedPreflight: ServerPreflight = preflight;

test("mfrec-server satisfies the interface the CLI loads it by, and loadServerPackage finds it", async () => {
  const loaded = await loadServerPackage("mfrec serve");
  assert.equal(loaded.startServer, typed.startServer);
  assert.equal(typeof typedPreflight.preflightDatabase, "function");
});
