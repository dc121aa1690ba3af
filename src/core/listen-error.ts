import { MfrecError } from "./errors.js";

/**
 * The one-line error for a socket that cannot listen on host:port, shared by `mfrec serve`'s early
 * port check (before the service package loads, so a busy port fails fast) and mfrec-server's own listen.
 */
export function listenError(e: unknown, host: string, port: number): MfrecError {
  const code = (e as { code?: string }).code;
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const why =
    code === "EADDRINUSE"
      ? "the port is already in use (another server is listening there)"
      : code === "EACCES"
        ? "permission denied (ports below 1024 need privileges)"
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? "the address is not one of this machine's"
          : (e as Error).message;
  const hint = code === "EADDRINUSE" || code === "EACCES" ? "choose another --port (0 picks a free one)" : "check --host";
  return new MfrecError("E_IO", `cannot listen on ${where}: ${why}`, { hint, cause: e });
}
