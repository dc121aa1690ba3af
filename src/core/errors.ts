/**
 * Errors are data: every failure mfrec reports is an {@link MfrecError} with a stable `code`
 * from {@link ErrorCodes}, plus where it happened (`file`, `line`, `column`) and what was wrong
 * (`value` found, `expected`). Codes never change meaning once released; new ones are appended.
 */
export const ErrorCodes = {
  /** A rating cell is not a number (e.g. "abc", "", "NaN"). */
  E_NOT_NUMBER: "a value that should be a number is not one",
  /** A rating is a number but not finite (Infinity). */
  E_NOT_FINITE: "a number is infinite or NaN",
  /** A rating lies outside the declared rating scale. */
  E_OUT_OF_SCALE: "a rating lies outside the rating scale",
  /** A row has fewer fields than the columns asked for. */
  E_MISSING_COLUMN: "a row has too few fields",
  /** A user or item id field is empty. */
  E_EMPTY_ID: "a user or item id is empty",
  /** The same (user, item) pair occurs twice and the duplicate policy is "error". */
  E_DUPLICATE: "a (user, item) pair occurs more than once",
  /** The input holds no ratings at all (empty file, header only, all rows skipped). */
  E_EMPTY_INPUT: "the input holds no ratings",
  /** A named column is not in the header. */
  E_UNKNOWN_COLUMN: "a column named in the options is not in the header",
  /** A quoted field is not closed before the end of the line. */
  E_BAD_QUOTE: "a quoted field is not closed",
  /** The input file cannot be read. */
  E_IO: "a file cannot be read or written",
  /** An option or configuration value is invalid. */
  E_CONFIG: "an option has an invalid value",
  /** A dense matrix has rows of different lengths or a bad shape. */
  E_SHAPE: "matrix shapes do not agree",
  /** Training produced NaN/Infinity or the loss exploded. */
  E_DIVERGED: "training diverged",
  /** Training was aborted through an AbortSignal. */
  E_ABORTED: "the operation was aborted",
  /** A model file is malformed, truncated, corrupted or of an unknown version. */
  E_MODEL_FORMAT: "a model file is malformed",
  /** A user id is not known to the model (where the policy is to throw). */
  E_UNKNOWN_USER: "the user is not known to the model",
  /** An item id is not known to the model (where the policy is to throw). */
  E_UNKNOWN_ITEM: "the item is not known to the model",
  /** The algorithm name is not registered. */
  E_UNKNOWN_ALGORITHM: "no algorithm has that name",
  /** The operation is not supported by this model or algorithm. */
  E_UNSUPPORTED: "the operation is not supported here",
  /** An HTTP request is malformed (bad JSON, wrong content type, unknown field). */
  E_BAD_REQUEST: "a request is malformed",
  /** A write request has no valid bearer token. */
  E_UNAUTHORIZED: "the request needs a valid bearer token",
  /** The server runs read-only (no token configured) and refuses writes. */
  E_READ_ONLY: "the server is read-only",
  /** A request body or batch exceeds its limit. */
  E_TOO_LARGE: "a request is too large",
  /** A route, model version or job does not exist. */
  E_NOT_FOUND: "the resource does not exist",
  /** The server has no active model yet. */
  E_NO_MODEL: "no model is active",
  /** The operation conflicts with one in progress (e.g. a training job is running). */
  E_BUSY: "another operation is in progress",
  /** A trained model failed its sanity check (non-finite factors, validation worse than the bound). */
  E_REJECTED: "the model failed its sanity check",
  /** A download failed (offline, HTTP error, or the connection ended early). */
  E_DOWNLOAD: "a download failed",
  /** A downloaded or imported file does not match its pinned checksum. */
  E_CHECKSUM: "a file does not match its checksum",
  /** A dataset's license must be accepted (--accept-license) before it is fetched. */
  E_LICENSE: "the dataset's license has not been accepted",
  /** No dataset of that name is in the catalogue. */
  E_UNKNOWN_DATASET: "no dataset has that name",
  /** A binary ratings file is malformed, truncated or corrupted. */
  E_RATINGS_FORMAT: "a binary ratings file is malformed",
  /** A user or item id is longer than {@link MAX_ID_LENGTH} characters (a wrong column or a broken file, not an id). */
  E_ID_TOO_LONG: "a user or item id is too long",
  /** An ANN index file was built from another model (item count, factor count or checksum differ). */
  E_INDEX_MISMATCH: "the ANN index does not match its model",
} as const;

/** The longest user or item id accepted from input (characters; E_ID_TOO_LONG beyond). */
export const MAX_ID_LENGTH = 1024;

export type ErrorCode = keyof typeof ErrorCodes;

/** Where and what: the fields an error can carry beyond its message. */
export interface ErrorDetails {
  file?: string;
  line?: number;
  column?: string | number;
  value?: unknown;
  expected?: string;
  hint?: string;
  cause?: unknown;
}

/** The one error type mfrec throws on purpose. `code` is stable; the message is for people. */
export class MfrecError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: string | number;
  readonly value?: unknown;
  readonly expected?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(MfrecError.compose(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "MfrecError";
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.value = details.value;
    this.expected = details.expected;
    this.hint = details.hint;
  }

  /** "file:line: message (got "x", expected y). hint" — the form a person reads in a terminal. */
  private static compose(message: string, d: ErrorDetails): string {
    let where = "";
    if (d.file !== undefined) where = d.line !== undefined ? `${d.file}:${d.line}: ` : `${d.file}: `;
    else if (d.line !== undefined) where = `line ${d.line}: `;
    let text = where + message;
    const parts: string[] = [];
    if (d.column !== undefined) parts.push(`column ${JSON.stringify(d.column)}`);
    if (d.value !== undefined) parts.push(`got ${JSON.stringify(d.value)}`);
    if (d.expected !== undefined) parts.push(`expected ${d.expected}`);
    if (parts.length > 0) text += ` (${parts.join(", ")})`;
    if (d.hint !== undefined) text += `. ${d.hint}`;
    return text;
  }

  /** A plain-JSON view for `--json` output and HTTP error bodies. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      file: this.file,
      line: this.line,
      column: this.column,
      value: this.value,
      expected: this.expected,
      hint: this.hint,
    };
  }
}

/** True when `e` is an MfrecError (optionally with the given code). */
export function isMfrecError(e: unknown, code?: ErrorCode): e is MfrecError {
  return e instanceof MfrecError && (code === undefined || e.code === code);
}
