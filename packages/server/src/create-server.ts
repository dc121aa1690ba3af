/**
 * Assemble the service: open the store, adopt or restore a model, build the Hono app (routes,
 * validation errors as JSON, metrics, OpenAPI document, static dashboard), and return it with a
 * close(). `startServer` also listens on a socket (127.0.0.1 unless told otherwise).
 */
import { existsSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
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
import { Checkpointer } from "./checkpointer.js";
import type { ApiApp, Limits, ServerContext } from "./context.js";
import { httpError, toErrorBody } from "./http-errors.js";
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
  /** Bearer token for write endpoints; without one the server is read-only. */
  token?: string;
  /** Directory served at `/` (default: dist/web when it exists). `false` serves none. */
  web?: string | false;
  /** Where trained model files go (default: `<db dir>/models`). */
  modelsDir?: string;
  sync?: SyncMode;
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
  const store = new Store(dbPath, { sync: opts.sync });
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
    const token = opts.token && opts.token.length > 0 ? opts.token : undefined;
    if (!token) note("read-only: no --token or MFREC_TOKEN, so write endpoints answer 403 E_READ_ONLY");
    const modelsDir = resolve(opts.modelsDir ?? join(dirname(dbPath), "models"));
    const jobs = new TrainingJobs(store, serving, dbPath, modelsDir, log);
    const metrics = new Metrics();
    const ctx: ServerContext = { store, serving, jobs, metrics, token, limits: { ...DEFAULT_LIMITS, ...opts.limits }, startedAt: Date.now() };

    const app: ApiApp = new OpenAPIHono({
      defaultHook: (result, _c) => {
        if (!result.success) throw validationError(result.error as ZodError, result.target);
      },
    });
    app.use("*", async (c, next) => {
      const t0 = performance.now();
      await next();
      const routes = matchedRoutes(c);
      const r = routes[c.req.routeIndex] ?? routes[routes.length - 1];
      const route = r && r.path !== "/*" && r.path !== "*" ? r.path : "unmatched";
      metrics.observe(c.req.method, route, c.res.status, (performance.now() - t0) / 1000);
    });
    app.onError((e, c: Context) => {
      if (e instanceof HTTPException) {
        const code: ErrorCode = e.status === 413 ? "E_TOO_LARGE" : "E_BAD_REQUEST";
        if (e.status === 413) c.header("Connection", "close");
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
    app.all("/api/*", (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(4);
      return app.fetch(new Request(url, c.req.raw));
    });
    const web = opts.web === false ? undefined : (opts.web ?? defaultWebDir());
    if (web) {
      if (!existsSync(web) || !statSync(web).isDirectory()) throw new MfrecError("E_IO", `the --web directory ${web} does not exist`, { file: web });
      app.get("/*", serveStatic({ root: web }));
      app.get("/*", serveStatic({ root: web, path: "index.html" }));
    }
    app.notFound((c) => c.json({ code: "E_NOT_FOUND", message: `no route ${c.req.method} ${new URL(c.req.url).pathname}`, field: null }, 404));

    const checkpointer = new Checkpointer(store, 500, log);
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
        await checkpointer.stop();
        store.close();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}

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
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const srv = serve({ fetch: s.app.fetch, port: opts.port ?? 8080, hostname: host }, () => ok(srv));
    srv.once("error", fail);
  });
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
