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

/** The HTTP status for an error code. */
export function statusOf(code: string): number {
  return STATUS[code as ErrorCode] ?? 500;
}

/** An error the HTTP layer raises: an MfrecError whose `column` names the request field. */
export function httpError(code: ErrorCode, message: string, field?: string, details: { value?: unknown; expected?: string } = {}): MfrecError {
  return new MfrecError(code, message, { column: field, ...details });
}

/** The JSON body and status for any thrown value (internal errors hide their message). */
export function toErrorBody(e: unknown): { status: number; body: ErrorBody } {
  if (e instanceof MfrecError) {
    const body: ErrorBody = { code: e.code, message: e.message, field: typeof e.column === "string" ? e.column : e.column === undefined ? null : String(e.column) };
    if (e.expected !== undefined) body.expected = e.expected;
    if (e.value !== undefined) body.value = e.value;
    return { status: statusOf(e.code), body };
  }
  return { status: 500, body: { code: "E_INTERNAL", message: "internal server error", field: null } };
}
