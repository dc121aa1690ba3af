/**
 * Start-up checks that need SQLite but not the HTTP stack. `mfrec serve` runs them before it imports
 * the rest of this package (hono, zod, the routes: most of a failed start's time), so a database held
 * by another process fails in well under a second with the same one-line error the server gives.
 */
import { existsSync } from "node:fs";
import { Store } from "./store.js";

/** How long the check waits for a lock: a lock held by another server is held for good, not for 250 ms. */
export const PREFLIGHT_BUSY_MS = 250;

/** Open (and migrate) an existing database the way the server will, then close it; throws the server's errors. */
export function preflightDatabase(dbPath: string, sync?: "normal" | "full"): void {
  if (!existsSync(dbPath)) return;
  new Store(dbPath, { sync, busyTimeoutMs: PREFLIGHT_BUSY_MS }).close();
}
