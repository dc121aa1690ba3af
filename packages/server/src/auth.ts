import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { httpError } from "./http-errors.js";

/**
 * Compare a presented token with the configured one in constant time: both are hashed to
 * SHA-256 first, so neither the length nor a common prefix leaks through timing.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Guard for write endpoints. Without a configured token the server is read-only and every write
 * answers 403 E_READ_ONLY; with one, a request needs `Authorization: Bearer <token>` (401 E_UNAUTHORIZED otherwise).
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined || token === "") {
      throw httpError("E_READ_ONLY", "the server runs read-only: start it with --token or MFREC_TOKEN to enable writes", "authorization");
    }
    const h = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m || !tokenMatches(m[1]!, token)) {
      c.header("WWW-Authenticate", 'Bearer realm="mfrec"');
      throw httpError("E_UNAUTHORIZED", h === "" ? "missing Authorization header" : "invalid bearer token", "authorization", { expected: "Authorization: Bearer <token>" });
    }
    await next();
  };
}
