#!/usr/bin/env node
/**
 * `mfrec`: the command-line interface. Commands live in commands/*.ts and hold no algorithm
 * logic. Exit codes: 0 ok, 1 a user error (MfrecError: bad file, unknown id, bad config) or an
 * unexpected failure, 2 a usage error (unknown command or flag, a flag value of the wrong type).
 * Errors print "mfrec: <message>" on stderr, without a stack trace unless --debug.
 */
import "./young-generation.js";
import { run } from "./program.js";

/**
 * A reader that closes the pipe early (`mfrec info m.mfr | head -1`) is not an error: stop writing and
 * exit quietly with 0, as a process ended by SIGPIPE would have said nothing either.
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

exitQuietlyOnEpipe(process.stdout);
exitQuietlyOnEpipe(process.stderr);
process.exitCode = await run(process.argv);
