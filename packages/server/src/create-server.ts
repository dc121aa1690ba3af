/**
 * Assemble the service: open the store, adopt or restore a model, build the Hono app (routes,
 * validation errors as JSON, metrics, OpenAPI document, static dashboard), and return it with a
 * close(). `startServer` also listens on a socket (127.0.0.1 unless told otherwise).
 */
import { existsSync, statSync } from "node:fs";
import { maxHeaderSize } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { matchedRoutes } from "hono/route";
import type { ZodError } from "zod";
import { type ErrorCode, MfrecError } from "mfrec";
import { listenError } from "mfrec/internal";
import { Checkpointer, WAL_RESTART_BYTES } from "./checkpointer.js";
import type { ApiApp, Limits, ServerContext } from "./context.js";
import { httpError, toErrorBody } from "./http-errors.js";
import { readItemsFile } from "./items-file.js";
import { Metrics } from "./metrics.js";
import { activateVersion, adoptModelFile } from "./models.js";
import { registerReadRoutes } from "./routes-read.js";
import { registerWriteRoutes } from "./routes-write.js";
import { Serving } from "./serving.js";
import { Store, type SyncMode } from "./store.js";
import { TrainingJobs } from "./training.js";

export interface ServerOptions {
  /** SQLite database file (created if missing). */
  dbPath: string;
  /** A model file to serve (registered and activated); otherwise the registry's active model, if any. */
  model?: string;
  /** A CSV of id,title[,features] loaded into the items table at start-up (items-file.ts). */
  itemsFile?: string;
  /** Bearer token for write endpoints; without one the server is read-only. */
  token?: string;
  /** Directory served at `/` (default: dist/web when it exists). `false` serves none. */
  web?: string | false;
  /** Where trained model files go (default: `<db dir>/models`). */
  modelsDir?: string;
  sync?: SyncMode;
  /** WAL size (bytes) past which the checkpoint worker truncates it (default 16 MiB). */
  walLimitBytes?: number;
  limits?: Partial<Limits>;
  /** Start-up and job messages (default: none). */
  log?: (line: string) => void;
}

export interface MfrecServer {
  /** The Hono app: `app.request()` in tests, `app.fetch` for any server. */
  app: ApiApp;
  store: Store;
  serving: Serving;
  jobs: TrainingJobs;
  /** Notes for the operator (read-only mode, a refused model file, …). */
  warnings: string[];
  /** Stop the training worker and close the database. */
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: Limits = { bodyBytes: 1 << 20, batch: 10_000 };

/** The built dashboard of this package (its dist/web), when present. */
function defaultWebDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url)); // packages/server/dist/src
  const dir = resolve(here, "../web");
  return existsSync(join(dir, "index.html")) ? dir : undefined;
}

/** A Zod error as our JSON error: the first issue names the field and picks the code. */
function validationError(error: ZodError, target: string): MfrecError {
  const issue = deepestIssue(error.issues);
  const path = issue?.path.map(String) ?? [];
  const field = path.length > 0 ? path.join(".") : target === "json" ? "body" : target;
  const last = path[path.length - 1];
  let code: ErrorCode = target === "query" || target === "param" ? "E_CONFIG" : "E_BAD_REQUEST";
  if (last === "rating" && issue?.code === "invalid_type") code = "E_NOT_NUMBER";
  if ((last === "user" || last === "item") && (issue?.code === "too_small" || issue?.code === "invalid_union")) code = "E_EMPTY_ID";
  if (issue?.code === "unrecognized_keys") code = "E_BAD_REQUEST";
  const where = target === "json" ? "body" : target === "param" ? "path" : target;
  return httpError(code, `invalid ${where} field ${JSON.stringify(field)}: ${issue?.message ?? "invalid"}`, field);
}

type Issue = ZodError["issues"][number];

/** For a union (one rating or an array), the branch issue that got furthest into the input names the field. */
function deepestIssue(issues: readonly Issue[]): Issue | undefined {
  let best: Issue | undefined;
  for (const i of issues) {
    let cand: Issue = i;
    if (i.code === "unrecognized_keys" && i.keys.length > 0) cand = { ...i, path: [...i.path, i.keys[0]!] } as Issue;
    if (i.code === "invalid_union" && "errors" in i && Array.isArray(i.errors)) {
      const inner = (i.errors as Issue[][]).map((branch) => deepestIssue(branch)).filter((x): x is Issue => x !== undefined);
      const deepest = deepestIssue(inner);
      if (deepest && deepest.path.length > 0) cand = { ...deepest, path: [...i.path, ...deepest.path] } as Issue;
    }
    if (!best || cand.path.length > best.path.length) best = cand;
  }
  return best;
}

/** Build the service. Throws E_MODEL_FORMAT when `model` is unreadable and no registered model can serve instead. */
export function createServer(opts: ServerOptions): MfrecServer {
  const log = opts.log ?? (() => {});
  const dbPath = resolve(opts.dbPath);
  // A short lock wait while starting: a database another process holds locked fails start-up in
  // about half a second instead of five; requests get the long wait once the server runs.
  const store = new Store(dbPath, { sync: opts.sync, busyTimeoutMs: STARTUP_BUSY_MS });
  const warnings: string[] = [];
  const note = (w: string): void => {
    warnings.push(w);
    log(`warning: ${w}`);
  };
  try {
    const stale = store.failStaleJobs();
    if (stale > 0) note(`${stale} training job(s) left running by a previous process were marked failed`);
    const serving = new Serving(store);
    if (opts.model) {
      try {
        const rec = adoptModelFile(store, serving, resolve(opts.model));
        log(`serving model version ${rec.version} (${rec.algorithm}) from ${rec.path}`);
      } catch (e) {
        const prev = store.activeModel();
        if (!prev || !(e instanceof MfrecError)) throw e;
        activateVersion(store, serving, prev.version);
        note(`refused ${opts.model}: ${e.message}; serving registered version ${prev.version} instead`);
      }
    } else {
      const prev = store.activeModel();
      if (prev) {
        activateVersion(store, serving, prev.version);
        log(`serving registered model version ${prev.version} (${prev.algorithm})`);
      } else note("no model yet: queries answer 503 E_NO_MODEL until POST /train or --model");
    }
    if (opts.itemsFile) {
      const rows = readItemsFile(resolve(opts.itemsFile));
      store.putItems(rows);
      log(`loaded ${rows.length} item titles from ${opts.itemsFile}`);
    }
    const token = opts.token && opts.token.length > 0 ? opts.token : undefined;
    if (!token) note("read-only: no --token or MFREC_TOKEN, so write endpoints answer 403 E_READ_ONLY");
    const modelsDir = resolve(opts.modelsDir ?? join(dirname(dbPath), "models"));
    const jobs = new TrainingJobs(store, serving, dbPath, modelsDir, log);
    const metrics = new Metrics();
    let checkpointer: Checkpointer | undefined;
    const ctx: ServerContext = {
      store,
      serving,
      jobs,
      metrics,
      token,
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
      startedAt: Date.now(),
      wal: () => ({ ...(checkpointer?.stats ?? { peakWalBytes: 0, truncations: 0, reports: 0 }), walBytes: store.walBytes() }),
    };

    const app: ApiApp = new OpenAPIHono({
      defaultHook: (result, _c) => {
        if (!result.success) throw validationError(result.error as ZodError, result.target);
      },
    });
    // Requests forwarded from /api/… (below): counted once, under "/api" + the inner route's pattern.
    const forwarded = new WeakSet<Request>();
    app.use("*", async (c, next) => {
      const t0 = performance.now();
      await next();
      const routes = matchedRoutes(c);
      const r = routes[c.req.routeIndex] ?? routes[routes.length - 1];
      if (r?.path === "/api/*" && !forwarded.has(c.req.raw)) return; // the inner request was counted
      const pattern = r && r.path !== "/*" && r.path !== "*" && r.path !== "/api/*" ? r.path : "unmatched";
      const route = forwarded.has(c.req.raw) && pattern !== "unmatched" ? `/api${pattern}` : pattern;
      metrics.observe(c.req.method, route, c.res.status, (performance.now() - t0) / 1000);
    });
    // An empty count or id list is a mistake, not "0" or "none" (`?n=` used to mean n = 0).
    app.use("*", async (c, next) => {
      if (c.req.path.startsWith("/api/")) return next(); // checked once, on the forwarded request
      for (const name of NON_EMPTY_QUERY) {
        const v = c.req.query(name);
        if (v !== undefined && v.trim() === "") throw httpError("E_CONFIG", `invalid query field ${JSON.stringify(name)}: must not be empty`, name, { value: v, expected: NON_EMPTY_QUERY_EXPECTED[name] });
      }
      await next();
    });
    app.onError((e, c: Context) => {
      if (e instanceof HTTPException) {
        const code: ErrorCode = e.status === 413 ? "E_TOO_LARGE" : "E_BAD_REQUEST";
        if (e.status === 413) c.header("Connection", "close");
        if (e.status === 415) {
          const got = c.req.header("content-type") ?? "";
          return c.json({ code, message: `the body must be JSON, not ${got === "" ? "a body without Content-Type" : JSON.stringify(got)}`, field: "content-type", expected: "Content-Type: application/json", value: got }, 415);
        }
        return c.json({ code, message: e.message || "bad request", field: "body" }, e.status);
      }
      const { status, body } = toErrorBody(e);
      if (status === 500) log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (body.code === "E_UNAUTHORIZED") c.header("WWW-Authenticate", 'Bearer realm="mfrec"');
      // The unread rest of an oversized body would otherwise be parsed as the next request.
      if (body.code === "E_TOO_LARGE") c.header("Connection", "close");
      return c.json(body, status as 400);
    });
    app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "--token or MFREC_TOKEN" });
    registerReadRoutes(app, ctx);
    registerWriteRoutes(app, ctx);
    app.doc("/openapi.json", {
      openapi: "3.0.3",
      info: { title: "mfrec recommendation service", version: "1", description: "Raw ids in and out. Write endpoints need Authorization: Bearer <token>. Every error is JSON {code, message, field}." },
    });
    // The same API under /api/… for a dashboard served at /.
    // The first path segments of the API: under these (and /api) an unknown path is a JSON 404, never the dashboard.
    const apiSegments = new Set(["api", ...app.routes.map((r) => r.path.split("/")[1] ?? "").filter((x) => x !== "" && x !== "*")]);
    app.all("/api/*", (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(4);
      const inner = new Request(url, c.req.raw);
      forwarded.add(inner);
      return app.fetch(inner);
    });
    const web = opts.web === false ? undefined : (opts.web ?? defaultWebDir());
    if (web) {
      if (!existsSync(web) || !statSync(web).isDirectory()) throw new MfrecError("E_IO", `the --web directory ${web} does not exist`, { file: web });
      const files = serveStatic({ root: web });
      // /api/… is the API only: "/api/" is not the dashboard.
      app.get("/*", (c, next) => (forwarded.has(c.req.raw) ? next() : files(c, next)));
      // The dashboard routes by URL hash, so only "/" is its page; another path a browser asks for (not an
      // API path) also gets it, so a mistyped link lands on the app. Everything else is a JSON 404.
      const page = serveStatic({ root: web, path: "index.html" });
      app.get("/*", async (c, next) => {
        const first = new URL(c.req.url).pathname.split("/")[1] ?? "";
        if (forwarded.has(c.req.raw) || apiSegments.has(first) || !(c.req.header("accept") ?? "").includes("text/html")) return next();
        return page(c, next);
      });
    }
    app.notFound((c) => {
      const path = (forwarded.has(c.req.raw) ? "/api" : "") + new URL(c.req.url).pathname;
      return c.json({ code: "E_NOT_FOUND", message: `no route ${c.req.method} ${path}`, field: "path", value: path }, 404);
    });

    checkpointer = new Checkpointer(store, 500, log, opts.walLimitBytes ?? WAL_RESTART_BYTES);
    const ck = checkpointer;
    store.setBusyTimeout(RUNNING_BUSY_MS);
    let closed = false;
    return {
      app,
      store,
      serving,
      jobs,
      warnings,
      async close() {
        if (closed) return;
        closed = true;
        await jobs.stop();
        await ck.stop();
        store.close();
      },
    };
  } catch (e) {
    store.close();
    throw lockError(e, dbPath);
  }
}

/** Query parameters that may be absent but never empty. */
const NON_EMPTY_QUERY = ["n", "items", "limit", "metric", "excludeRated"] as const;
const NON_EMPTY_QUERY_EXPECTED: Record<(typeof NON_EMPTY_QUERY)[number], string> = {
  n: "an integer 0..1000 (or leave n out for 10)",
  items: "comma-separated item ids (or leave items out to rank every item)",
  limit: "a positive integer (or leave limit out for every item)",
  metric: "cosine or dot",
  excludeRated: "true or false",
};

/** How long start-up waits for a database lock, and how long a request's statement may. */
const STARTUP_BUSY_MS = 500;
const RUNNING_BUSY_MS = 5000;

/** SQLite's "database is locked" during start-up as an MfrecError naming the file; anything else unchanged. */
function lockError(e: unknown, dbPath: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || (typeof code === "string" && code.startsWith("SQLITE_BUSY"))) {
    return new MfrecError("E_BUSY", "the database is locked by another process", { file: dbPath, cause: e, hint: "stop the process that holds it (another mfrec serve, or an open sqlite3 shell with a transaction)" });
  }
  return e;
}

/**
 * Requests Node's HTTP parser refuses never reach the app; by default Node answers them with a bare
 * status line. Answer them as JSON like every other error: 431 for headers past the limit
 * (http.maxHeaderSize, 16 KiB unless --max-http-header-size), 408 for a request that timed out, 400 otherwise.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, body] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", { code: "E_TOO_LARGE", message: `the request's headers exceed ${maxHeaderSize} bytes`, field: "headers", expected: `at most ${maxHeaderSize} bytes of headers` }]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", { code: "E_BAD_REQUEST", message: "the request did not arrive in time", field: "request" }]
        : [400, "Bad Request", { code: "E_BAD_REQUEST", message: `the request is not valid HTTP/1.1 (${err.code ?? err.message})`, field: "request" }];
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** A failed listen as one line a person can act on (the port is taken, privileged, or the address is not local). */
/** A listening server: its address and a stop() that closes the socket, the worker and the database. */
export interface RunningServer extends MfrecServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** createServer + listen on `host:port` (defaults 127.0.0.1 and 8080; port 0 picks a free one). */
export async function startServer(opts: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
  const s = createServer(opts);
  const host = opts.host ?? "127.0.0.1";
  const wanted = opts.port ?? 8080;
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
      const srv = serve({ fetch: s.app.fetch, port: wanted, hostname: host }, () => ok(srv));
      srv.on("clientError", answerClientError);
      srv.once("error", (e) => {
        srv.close();
        fail(e);
      });
    });
  } catch (e) {
    // Nothing may stay open after a failed listen: the worker threads and the database would keep the process alive.
    await s.close();
    throw listenError(e, host, wanted);
  }
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    ...s,
    url: `http://${shown}:${port}`,
    port,
    async stop() {
      await new Promise<void>((ok) => server.close(() => ok()));
      await s.close();
    },
  };
}
