/** `mfrec serve`: the HTTP recommendation service over an embedded SQLite store (docs/server.md). */
import type { Command } from "commander";
import { choiceArg, intArg } from "../args.js";
import { note, say } from "../output.js";
import { loadServerPackage, loadServerPreflight, portFree, readable } from "../server-package.js";

interface ServeFlags {
  model?: string;
  items?: string;
  db: string;
  port: number;
  host: string;
  token?: string;
  web?: string | false;
  sync: "normal" | "full";
  maxBody: number;
  maxBatch: number;
  walLimit: number;
  debug?: boolean;
}

/** Register `serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve recommendations over HTTP (JSON API, OpenAPI at /openapi.json) from a SQLite store")
    .option("--model <file>", "model file to serve (registered and activated; default: the store's active model)")
    .option("--items <file>", "CSV of id,title[,features] loaded into the item table at start-up (titles on the dashboard and GET /items)")
    .option("--db <file>", "SQLite database (created if missing)", "./mfrec.db")
    .option("--port <n>", "TCP port", intArg(0), 8080)
    .option("--host <addr>", "address to bind (default loopback only; 0.0.0.0 opens it to the network)", "127.0.0.1")
    .option("--token <secret>", "bearer token for write endpoints (or MFREC_TOKEN); without one the server is read-only")
    .option("--web <dir>", "directory served at / (default: mfrec-server's built dashboard, if present)")
    .option("--no-web", "serve no static files")
    .option("--sync <mode>", "commit durability: normal (survives a process crash) or full (also power loss; slower)", choiceArg(["normal", "full"] as const), "normal")
    .option("--max-body <bytes>", "largest request body", intArg(1), 1 << 20)
    .option("--max-batch <n>", "most ratings per POST /ratings", intArg(1), 10_000)
    .option("--wal-limit <bytes>", "truncate the SQLite write-ahead log when it passes this size", intArg(65536), 16 << 20)
    .option("--debug", "show stack traces")
    .action(async (f: ServeFlags) => {
      const token = f.token ?? process.env.MFREC_TOKEN;
      // A busy port fails here, in a few ms, before the service package (~0.5 s of imports) loads.
      await portFree(f.host, f.port);
      for (const [flag, file] of [["--model", f.model], ["--items", f.items]] as const) {
        if (file !== undefined) readable(file, flag);
      }
      // A database locked by another process: found with SQLite alone, before the HTTP stack loads.
      (await loadServerPreflight("mfrec serve")).preflightDatabase(f.db, f.sync);
      // Loaded here, not at start-up: the HTTP stack and SQLite (package mfrec-server) cost ~0.2 s that other commands need not pay.
      const { startServer } = await loadServerPackage("mfrec serve");
      // Start-up notes are shown once the socket listens: a failed start prints only its one error line.
      const pending: string[] = [];
      let started = false;
      const log = (line: string): void => {
        if (started) note(`mfrec serve: ${line}`);
        else pending.push(line);
      };
      const server = await startServer({
        dbPath: f.db,
        model: f.model,
        itemsFile: f.items,
        port: f.port,
        host: f.host,
        token,
        web: f.web === false ? false : f.web,
        sync: f.sync,
        walLimitBytes: f.walLimit,
        limits: { bodyBytes: f.maxBody, batch: f.maxBatch },
        log,
      });
      started = true;
      for (const line of pending) note(`mfrec serve: ${line}`);
      say(`mfrec serve: listening on ${server.url} (${token ? "read-write" : "read-only"}; OpenAPI at ${server.url}/openapi.json)`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          server.stop().then(resolve, resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
