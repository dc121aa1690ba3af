/** Read-only routes: queries, item and user views, the model registry, jobs, health. */
import { createRoute, z } from "@hono/zod-openapi";
import type { ApiApp, ServerContext } from "./context.js";
import { modelEmbedding } from "./embedding.js";
import { httpError, toErrorBody } from "./http-errors.js";
import {
  EmbeddingQuery,
  EmbeddingResponse,
  ErrorSchema,
  ExplainQuery,
  ExplainResponse,
  HealthResponse,
  ItemParam,
  ItemResponse,
  JobParam,
  JobSchema,
  ModelInfo,
  ModelRecordSchema,
  PredictResponse,
  RecommendQuery,
  RecommendResponse,
  SimilarItemsResponse,
  SimilarItemsQuery,
  SimilarQuery,
  SimilarUsersResponse,
  UserItemParams,
  UserParam,
  UserRatingsResponse,
} from "./schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { "application/json": { schema } }, description });
const err = (description: string) => json(ErrorSchema, description);
const queryErrors = { 400: err("Invalid parameter"), 404: err("Unknown user or item (code E_UNKNOWN_USER / E_UNKNOWN_ITEM)"), 503: err("No model is active (E_NO_MODEL)") };

/** Split a comma-separated id list; empty entries are dropped. */
/** The `ann` query value: "true" → true, "false" → false, "auto" (the default) → "auto". */
function annQuery(v: "true" | "false" | "auto"): boolean | "auto" {
  return v === "auto" ? "auto" : v === "true";
}

function idList(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  return s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

export function registerReadRoutes(app: ApiApp, ctx: ServerContext): void {
  const { serving, store } = ctx;

  app.openapi(
    createRoute({
      method: "get",
      path: "/recommend/{user}",
      summary: "Top-N items for a user",
      description:
        "Ranks every item (or only `items`) by the user's predicted score, skipping rated items unless excludeRated=false. A user who rated since the model was trained is folded in from the stored ratings; a user with no usable history gets the most popular items with source \"popular\" and a reason (never 404).",
      request: { params: UserParam, query: RecommendQuery },
      responses: { 200: json(RecommendResponse, "Recommendations, best first"), ...queryErrors },
    }),
    (c) => {
      const { user } = c.req.valid("param");
      const q = c.req.valid("query");
      const r = serving.recommend(user, { n: q.n, excludeRated: q.excludeRated === "true", items: idList(q.items), exclude: idList(q.exclude), ann: annQuery(q.ann) });
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/similar/items/{item}",
      summary: "Items most similar to an item (cosine or dot product of item factors)",
      request: { params: ItemParam, query: SimilarItemsQuery },
      responses: { 200: json(SimilarItemsResponse, "Similar items, best first"), ...queryErrors },
    }),
    (c) => {
      const { item } = c.req.valid("param");
      const q = c.req.valid("query");
      return c.json({ item, modelVersion: serving.record?.version ?? null, items: serving.similarItems(item, q.n, q.metric, annQuery(q.ann)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/similar/users/{user}",
      summary: "Users most similar to a user (among the model's users)",
      request: { params: UserParam, query: SimilarQuery },
      responses: { 200: json(SimilarUsersResponse, "Similar users, best first"), ...queryErrors },
    }),
    (c) => {
      const { user } = c.req.valid("param");
      const q = c.req.valid("query");
      return c.json({ user, modelVersion: serving.record?.version ?? null, users: serving.similarUsers(user, q.n, q.metric) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/predict/{user}/{item}",
      summary: "Predicted score of one user for one item",
      description: "Unknown user or item: 200 with the fallback prediction (μ + known bias, clipped), known=false and a reason.",
      request: { params: UserItemParams },
      responses: { 200: json(PredictResponse, "The prediction"), ...queryErrors },
    }),
    (c) => {
      const { user, item } = c.req.valid("param");
      return c.json(serving.predict(user, item), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/explain/{user}/{item}",
      summary: "Why a user's score for an item: the additive part of each item they rated",
      description:
        "recommend/explain.ts: the user's row solves A_u x_u = Σ_j c_j y_j, so the score is baseline + Σ_j c_j (A_u⁻¹ y_i)·y_j over their history. A user who rated since the model was trained is explained against their stored ratings as folded in. Defined for als, ials, wals and sgd models with a training history; any other model answers 422 E_UNSUPPORTED. A user with no usable history (their list is the popular items) answers 404 E_UNKNOWN_USER.",
      request: { params: UserItemParams, query: ExplainQuery },
      responses: {
        200: json(ExplainResponse, "The explanation"),
        400: err("Invalid parameter"),
        404: err("Unknown item, or a user with no usable history (E_UNKNOWN_ITEM / E_UNKNOWN_USER)"),
        422: err("The active model's algorithm (or a model without history) has no explanation (E_UNSUPPORTED)"),
        503: err("No model is active (E_NO_MODEL)"),
      },
    }),
    (c) => {
      const { user, item } = c.req.valid("param");
      const { n } = c.req.valid("query");
      try {
        return c.json(serving.explain(user, item, n), 200);
      } catch (e) {
        // Not a bad request: the request is fine, the served model cannot answer it.
        const { body } = toErrorBody(e);
        if (body.code === "E_UNSUPPORTED") return c.json(body, 422);
        throw e;
      }
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/items/{item}",
      summary: "An item's title, metadata and rating count",
      request: { params: ItemParam },
      responses: { 200: json(ItemResponse, "The item"), 404: err("Unknown item (E_UNKNOWN_ITEM)") },
    }),
    (c) => {
      const { item } = c.req.valid("param");
      const row = store.getItem(item);
      const inModel = serving.hasItem(item);
      if (!row && !inModel) throw httpError("E_UNKNOWN_ITEM", `item ${JSON.stringify(item)} is unknown`, "item", { value: item });
      return c.json({ item, title: row?.title ?? null, metadata: row?.metadata ?? null, ratings: row?.ratings ?? 0, meanRating: row?.meanRating ?? null, inModel }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/users/{user}/ratings",
      summary: "A user's stored ratings, oldest first (empty for an unknown user)",
      request: { params: UserParam },
      responses: { 200: json(UserRatingsResponse, "The ratings") },
    }),
    (c) => {
      const { user } = c.req.valid("param");
      return c.json({ user, ratings: store.userRatings(user).map((r) => ({ item: r.item, rating: r.rating, ts: r.ts })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/model",
      summary: "The active model: stats, configuration and training report",
      responses: { 200: json(ModelInfo, "The active model"), 503: err("No model is active (E_NO_MODEL)") },
    }),
    (c) => {
      const m = serving.model;
      if (!m) throw httpError("E_NO_MODEL", "no model is active yet", undefined, { expected: "start with --model, or POST /train" });
      return c.json(
        {
          record: serving.record,
          stats: { ...m.stats() },
          config: { ...m.config },
          implicit: m.implicit,
          ratingScale: m.ratingScale ?? null,
          training: m.training.map((r) => ({ ...r })),
          provenance: m.provenance ? { ...m.provenance } : null,
          foldedInUsers: serving.foldedCount,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/model/embedding",
      summary: "Item factor rows of the active model, the most popular items first",
      description: "Popularity is the number of training ratings in the model's history (the store's counts when the model has none). Titles come from the items table (PUT /items/{item}).",
      request: { query: EmbeddingQuery },
      responses: { 200: json(EmbeddingResponse, "Item ids, titles and factor rows"), 400: err("Invalid limit (E_CONFIG)"), 503: err("No model is active (E_NO_MODEL)") },
    }),
    (c) => {
      const m = serving.model;
      if (!m) throw httpError("E_NO_MODEL", "no model is active yet", undefined, { expected: "start with --model, or POST /train" });
      const { limit } = c.req.valid("query");
      return c.json(modelEmbedding(m, serving.record?.version ?? null, store, limit), 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/models", summary: "The model registry, oldest first", responses: { 200: json(z.object({ models: z.array(ModelRecordSchema) }), "Registered models") } }),
    (c) => c.json({ models: store.listModels() }, 200),
  );

  app.openapi(
    createRoute({ method: "get", path: "/jobs", summary: "Recent training jobs, newest first", responses: { 200: json(z.object({ jobs: z.array(JobSchema) }), "Jobs") } }),
    (c) => c.json({ jobs: store.listJobs() }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/jobs/{id}",
      summary: "A training job's status and progress",
      request: { params: JobParam },
      responses: { 200: json(JobSchema, "The job"), 404: err("No such job (E_NOT_FOUND)") },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      const job = store.getJob(id);
      if (!job) throw httpError("E_NOT_FOUND", `no job ${JSON.stringify(id)}`, "id", { value: id });
      return c.json(job, 200);
    },
  );

  app.openapi(
    createRoute({ method: "get", path: "/health", summary: "Liveness and a short status", responses: { 200: json(HealthResponse, "The server is up") } }),
    (c) =>
      c.json(
        {
          status: "ok" as const,
          readOnly: !ctx.token,
          modelVersion: serving.record?.version ?? null,
          model: serving.model !== null,
          ratings: store.countRatings(),
          schemaVersion: store.schemaVersion,
          trainingJob: ctx.jobs.running,
          uptimeSeconds: (Date.now() - ctx.startedAt) / 1000,
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text exposition format 0.0.4)",
      responses: { 200: { content: { "text/plain": { schema: z.string() } }, description: "Request counts, latency histograms per route, active model version, ratings count" } },
    }),
    (c) => {
      const text = ctx.metrics.render({ modelVersion: serving.record?.version ?? null, ratings: store.countRatings(), foldedInUsers: serving.foldedCount, up: 1, wal: ctx.wal() });
      return c.text(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    },
  );
}
