import { type ErrorCode, MfrecError } from "mfrec";

/** The JSON body of every 4xx/5xx answer: a stable code, a message for people, the offending field if any. */
export interface ErrorBody {
  code: ErrorCode | "E_INTERNAL";
  message: string;
  field: string | null;
  expected?: string;
  value?: unknown;
}

/** HTTP status for each error code a request can cause; anything unlisted is a 500 (a bug or I/O failure). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E_BAD_REQUEST: 400,
  E_CONFIG: 400,
  E_NOT_NUMBER: 400,
  E_NOT_FINITE: 400,
  E_OUT_OF_SCALE: 400,
  E_EMPTY_ID: 400,
  E_MISSING_COLUMN: 400,
  E_DUPLICATE: 400,
  E_UNSUPPORTED: 400,
  E_UNKNOWN_ALGORITHM: 400,
  E_UNAUTHORIZED: 401,
  E_READ_ONLY: 403,
  E_NOT_FOUND: 404,
  E_UNKNOWN_USER: 404,
  E_UNKNOWN_ITEM: 404,
  E_BUSY: 409,
  E_TOO_LARGE: 413,
  E_MODEL_FORMAT: 422,
  E_REJECTED: 422,
  E_DIVERGED: 422,
  E_EMPTY_INPUT: 422,
  E_NO_MODEL: 503,
};

/** The request field an error code is about when the thrower named none (an unknown id is the id's path field). */
const DEFAULT_FIELD: Partial<Record<ErrorCode, string>> = {
  E_UNKNOWN_USER: "user",
  E_UNKNOWN_ITEM: "item",
};

/** The HTTP status for an error code. */
export function statusOf(code: string): number {
  return STATUS[code as ErrorCode] ?? 500;
}

/**
 * An error the HTTP layer raises: `field` names the request field (path, query, header or body),
 * and `status` overrides the code's usual status where the same code means a different thing on
 * the wire (E_IO of a registered model file the server cannot read is the registry's state, 409,
 * not a server fault). The message never says "column": that word is for input files.
 */
export class HttpError extends MfrecError {
  readonly field: string | null;
  readonly status: number;
  constructor(code: ErrorCode, message: string, field: string | null, details: { value?: unknown; expected?: string; hint?: string; status?: number; cause?: unknown } = {}) {
    super(code, message, { value: details.value, expected: details.expected, hint: details.hint, cause: details.cause });
    this.field = field;
    this.status = details.status ?? statusOf(code);
  }
}

/** An HttpError (kept as a function: most routes throw one in a line). */
export function httpError(code: ErrorCode, message: string, field?: string, details: { value?: unknown; expected?: string; hint?: string; status?: number } = {}): HttpError {
  return new HttpError(code, message, field ?? null, details);
}

/** A library error's message says `column "x"` for the field it names; on the wire that is a field. */
function fieldWording(message: string): string {
  return message.replace(/([(,] )column (")/g, "$1field $2");
}

/** The JSON body and status for any thrown value (internal errors hide their message). */
export function toErrorBody(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof HttpError) {
    const body: ErrorBody = { code: e.code, message: e.message, field: e.field ?? DEFAULT_FIELD[e.code] ?? null };
    if (e.expected !== undefined) body.expected = e.expected;
    if (e.value !== undefined) body.value = e.value;
    return { status: e.status, body };
  }
  if (e instanceof MfrecError) {
    const field = e.column === undefined ? (DEFAULT_FIELD[e.code] ?? null) : String(e.column);
    const body: ErrorBody = { code: e.code, message: fieldWording(e.message), field };
    if (e.expected !== undefined) body.expected = e.expected;
    if (e.value !== undefined) body.value = e.value;
    return { status: statusOf(e.code), body };
  }
  return { status: 500, body: { code: "E_INTERNAL", message: "internal server error", field: null } };
}
