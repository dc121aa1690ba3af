/**
 * The HTTP service and dashboard live in their own package, mfrec-server (packages/server), so that the
 * library and CLI install without a native module or a server framework. `mfrec serve` and
 * `mfrec demo --serve` load it on demand and say which package to install when it is missing.
 */
import { accessSync, constants, statSync } from "node:fs";
import { createServer } from "node:net";
import { MfrecError } from "../core/errors.js";
import { listenError } from "../core/listen-error.js";

/**
 * What the CLI uses of mfrec-server's `startServer` (the package's own types are richer; test/e2e/server-package.test.ts
 * checks at compile time that the package satisfies this).
 */
export interface ServerPackage {
  startServer(options: {
    dbPath: string;
    model?: string;
    itemsFile?: string;
    port?: number;
    host?: string;
    token?: string;
    web?: string | false;
    sync?: "normal" | "full";
    walLimitBytes?: number;
    limits?: { bodyBytes?: number; batch?: number };
    log?: (line: string) => void;
  }): Promise<{ url: string; stop(): Promise<void> }>;
}

export const SERVER_PACKAGE = "mfrec-server";

/** Import mfrec-server (or one of its entries), or MfrecError E_UNSUPPORTED naming the package to install. */
async function importServer<T>(command: string, entry: string): Promise<T> {
  // A variable specifier: the library build must not need the server package's types (it is built after).
  const name: string = entry === "" ? SERVER_PACKAGE : `${SERVER_PACKAGE}/${entry}`;
  try {
    return (await import(name)) as T;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(`'${SERVER_PACKAGE}'`)) {
      throw new MfrecError("E_UNSUPPORTED", `${command} needs the ${SERVER_PACKAGE} package (the HTTP service and dashboard), which is not installed`, {
        expected: `npm install ${SERVER_PACKAGE}`,
      });
    }
    throw e;
  }
}

/** Import mfrec-server, or MfrecError E_UNSUPPORTED naming the package to install. */
export function loadServerPackage(command: string): Promise<ServerPackage> {
  return importServer<ServerPackage>(command, "");
}

/** mfrec-server's light start-up checks (SQLite only, no HTTP stack): see its src/preflight.ts. */
export interface ServerPreflight {
  preflightDatabase(dbPath: string, sync?: "normal" | "full"): void;
}

/** Import mfrec-server/preflight, or the same E_UNSUPPORTED as {@link loadServerPackage}. */
export function loadServerPreflight(command: string): Promise<ServerPreflight> {
  return importServer<ServerPreflight>(command, "preflight");
}

/**
 * Resolve when host:port can be listened on (checked by listening and closing at once); otherwise
 * the same one-line E_IO the service gives. Port 0 always can. The service still handles a port
 * taken in between.
 */
export function portFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once("error", (e) => fail(listenError(e, host, port)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => ok()));
  });
}

/** E_IO naming the file when `file` (given by `flag`) is not a readable regular file: checked before the service loads. */
export function readable(file: string, flag: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw Object.assign(new Error("not a regular file"), { code: "EISDIR" });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : String((e as Error).message);
    throw new MfrecError("E_IO", `cannot read the ${flag.slice(2)} file (${flag}): ${why}`, { file, value: code, expected: "a readable file" });
  }
}
