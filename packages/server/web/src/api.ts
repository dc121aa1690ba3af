/**
 * The dashboard's only door to the server: typed fetches of the JSON API under /api (the server
 * mounts every route there too, so the static app at / never collides with a route). Response
 * types come from the server's own zod schemas (type-only import: nothing of zod is bundled).
 */
import type { z } from "@hono/zod-openapi";
import type {
  EmbeddingResponse,
  ErrorSchema,
  ExplainResponse,
  HealthResponse,
  ItemResponse,
  JobSchema,
  ModelInfo,
  ModelRecordSchema,
  RatingsAck,
  RecommendResponse,
  SimilarItemsResponse,
  TrainBody,
  UserRatingsResponse,
} from "../../src/schemas.js";

export type ApiError = z.infer<typeof ErrorSchema>;
export type Embedding = z.infer<typeof EmbeddingResponse>;
export type Explanation = z.infer<typeof ExplainResponse>;
export type Health = z.infer<typeof HealthResponse>;
export type Item = z.infer<typeof ItemResponse>;
export type Job = z.infer<typeof JobSchema>;
export type ModelInfoT = z.infer<typeof ModelInfo>;
export type ModelRecord = z.infer<typeof ModelRecordSchema>;
export type Recommendations = z.infer<typeof RecommendResponse>;
export type SimilarItems = z.infer<typeof SimilarItemsResponse>;
export type UserRatings = z.infer<typeof UserRatingsResponse>;
export type TrainRequest = z.input<typeof TrainBody>;
export type Ack = z.infer<typeof RatingsAck>;

/** The API base: `/api` next to the page (works when the dashboard is served under a sub-path too). */
const BASE = new URL("api/", document.baseURI).href.replace(/\/$/, "");

const TOKEN_KEY = "mfrec.token";

/** The bearer token, kept in sessionStorage (this tab only). */
export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function setToken(t: string): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A non-2xx answer: the server's {code, message, field} error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(`${body.code}: ${body.message}`);
  }
}

async function request<T>(method: string, path: string, body?: unknown, auth = false): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (auth) {
    const t = getToken();
    if (!t) throw new HttpError(0, { code: "E_UNAUTHORIZED", message: "enter the API token under Settings first", field: null });
    headers.authorization = `Bearer ${t}`;
  }
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { code: "E_BAD_RESPONSE", message: text.slice(0, 200), field: null };
  }
  if (!res.ok) throw new HttpError(res.status, parsed as ApiError);
  return parsed as T;
}

const enc = encodeURIComponent;

/** Typed calls, one per endpoint the dashboard uses. */
export const api = {
  health: () => request<Health>("GET", "/health"),
  openapi: () => request<{ paths: Record<string, unknown> }>("GET", "/openapi.json"),
  model: () => request<ModelInfoT>("GET", "/model"),
  models: () => request<{ models: ModelRecord[] }>("GET", "/models"),
  activate: (version: number) => request<ModelRecord>("POST", `/models/${version}/activate`, undefined, true),
  train: (body: TrainRequest) => request<Job>("POST", "/train", body, true),
  job: (id: string) => request<Job>("GET", `/jobs/${enc(id)}`),
  jobs: () => request<{ jobs: Job[] }>("GET", "/jobs"),
  recommend: (user: string, n = 10, opts: { excludeRated?: boolean } = {}) =>
    request<Recommendations>("GET", `/recommend/${enc(user)}?n=${n}${opts.excludeRated === false ? "&excludeRated=false" : ""}`),
  similarItems: (item: string, n = 10, metric: "cosine" | "dot" = "cosine") => request<SimilarItems>("GET", `/similar/items/${enc(item)}?n=${n}&metric=${metric}`),
  item: (item: string) => request<Item>("GET", `/items/${enc(item)}`),
  userRatings: (user: string) => request<UserRatings>("GET", `/users/${enc(user)}/ratings`),
  rate: (user: string, item: string, rating: number) => request<Ack>("POST", "/ratings", { user, item, rating }, true),
  /** The score of `item` for `user` split into the parts of their rated items (the `n` largest listed). */
  explain: (user: string, item: string, n = 5) => request<Explanation>("GET", `/explain/${enc(user)}/${enc(item)}?n=${n}`),
  /** The `limit` most rated items' factor rows and titles. */
  embedding: (limit: number) => request<Embedding>("GET", `/model/embedding?limit=${limit}`),
};

const titles = new Map<string, Promise<string>>();

/** An item's title (or its id when it has none); cached per page load. */
export function titleOf(item: string): Promise<string> {
  let t = titles.get(item);
  if (!t) {
    t = api.item(item).then(
      (r) => r.title ?? item,
      () => item,
    );
    titles.set(item, t);
  }
  return t;
}

/** Run `fn` over `xs` with at most `width` calls in flight (keeps a few hundred small requests polite). */
export async function mapLimit<T, R>(xs: readonly T[], width: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, xs.length) }, worker));
  return out;
}

/** A readable message for any thrown value. */
export function errorText(e: unknown): string {
  if (e instanceof HttpError) return e.status === 0 ? e.body.message : `${e.body.message} (${e.body.code}, HTTP ${e.status})`;
  return e instanceof Error ? e.message : String(e);
}
