/**
 * Write routes (bearer token required): ratings in and out, item metadata, retraining, activation.
 * A write is acknowledged only after its SQLite transaction has committed.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requireToken } from "./auth.js";
import type { ApiApp, ServerContext } from "./context.js";
import { httpError } from "./http-errors.js";
import { activateVersion } from "./models.js";
import { checkTrainConfig } from "./training.js";
import { DeleteAck, ErrorSchema, ItemBody, ItemParam, ItemResponse, ItemsAck, ItemsBatchBody, JobSchema, ModelRecordSchema, RatingsAck, RatingsBody, TrainBody, UserFeaturesBody, UserFeaturesResponse, UserItemParams, UserParam, VersionParam } from "./schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { "application/json": { schema } }, description });
const err = (description: string) => json(ErrorSchema, description);
const authErrors = { 401: err("Missing or wrong bearer token (E_UNAUTHORIZED)"), 403: err("The server is read-only: no token configured (E_READ_ONLY)") };

export function registerWriteRoutes(app: ApiApp, ctx: ServerContext): void {
  const { store, serving, jobs, limits } = ctx;
  const auth = requireToken(ctx.token);
  const limit = bodyLimit({
    maxSize: limits.bodyBytes,
    onError: () => {
      throw httpError("E_TOO_LARGE", `the request body exceeds ${limits.bodyBytes} bytes`, "body", { expected: `at most ${limits.bodyBytes} bytes` });
    },
  });
  const security = [{ bearer: [] as string[] }];

  app.openapi(
    createRoute({
      method: "post",
      path: "/ratings",
      summary: "Store one rating or an array of ratings (upsert per user and item)",
      description: `Acknowledged (201) only after the transaction commits. The user's next /recommend reflects the rating (fold-in). At most ${limits.batch} ratings and ${limits.bodyBytes} bytes per request; the rating must lie in the active model's rating scale when it has one.`,
      security,
      middleware: [auth, limit] as const,
      request: { body: { content: { "application/json": { schema: RatingsBody } }, required: true } },
      responses: { 201: json(RatingsAck, "Committed"), 400: err("Invalid rating"), ...authErrors, 413: err("Too large (E_TOO_LARGE)") },
    }),
    (c) => {
      const body = c.req.valid("json");
      const list = Array.isArray(body) ? body : [body];
      if (list.length > limits.batch) throw httpError("E_TOO_LARGE", `a batch holds at most ${limits.batch} ratings`, "body", { value: list.length, expected: `<= ${limits.batch}` });
      if (list.length === 0) throw httpError("E_BAD_REQUEST", "the batch is empty", "body", { expected: "at least one rating" });
      const scale = serving.model?.ratingScale;
      const rows = list.map((r, k) => {
        if (scale && (r.rating < scale[0] || r.rating > scale[1])) {
          throw httpError("E_OUT_OF_SCALE", "rating is outside the model's rating scale", Array.isArray(body) ? `${k}.rating` : "rating", { value: r.rating, expected: `a rating in [${scale[0]}, ${scale[1]}]` });
        }
        return { user: String(r.user), item: String(r.item), rating: r.rating };
      });
      const ts = store.putRatings(rows);
      for (const r of rows) serving.noteWrite(r.user, ts);
      return c.json({ accepted: rows.length, ts }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/ratings/{user}/{item}",
      summary: "Delete one rating",
      security,
      middleware: [auth] as const,
      request: { params: UserItemParams },
      responses: { 200: json(DeleteAck, "Deleted (committed)"), 404: err("No such rating (E_NOT_FOUND)"), ...authErrors },
    }),
    (c) => {
      const { user, item } = c.req.valid("param");
      const ts = store.deleteRating(user, item);
      if (ts === 0) throw httpError("E_NOT_FOUND", `no rating of user ${JSON.stringify(user)} for item ${JSON.stringify(item)}`, "item", { value: item });
      serving.noteWrite(user, ts);
      return c.json({ deleted: true, user, item }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/items/{item}",
      summary: "Set an item's title and metadata (JSON), and its features",
      description:
        "With `features` and an active hybrid model trained with item features, an item the model does not know gets its vector from the features at once: it is a candidate of /recommend from this response on (also after a model swap while the server runs). Features the model does not know are ignored and listed; a model without item features answers 400 E_UNSUPPORTED, features none of which it knows 400 E_CONFIG.",
      security,
      middleware: [auth, limit] as const,
      request: { params: ItemParam, body: { content: { "application/json": { schema: ItemBody } }, required: true } },
      responses: { 200: json(ItemResponse, "The stored item"), 400: err("Invalid body"), ...authErrors },
    }),
    (c) => {
      const { item } = c.req.valid("param");
      const b = c.req.valid("json");
      // Features first: a model that cannot use them refuses before anything is stored.
      const features = b.features === undefined ? undefined : serving.putItemFeatures(item, b.features);
      store.putItem(item, b.title ?? null, b.metadata);
      const row = store.getItem(item)!;
      return c.json({ item, title: row.title, metadata: row.metadata, ratings: row.ratings, meanRating: row.meanRating, inModel: serving.hasItem(item), ...(features ? { features } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/items",
      summary: "Set many items' titles and metadata at once (upsert, one transaction)",
      description: `At most ${limits.batch} items and ${limits.bodyBytes} bytes per request; an item listed twice is a 400 naming the second.`,
      security,
      middleware: [auth, limit] as const,
      request: { body: { content: { "application/json": { schema: ItemsBatchBody } }, required: true } },
      responses: { 200: json(ItemsAck, "Committed"), 400: err("Invalid body"), ...authErrors, 413: err("Too large (E_TOO_LARGE)") },
    }),
    (c) => {
      const list = c.req.valid("json");
      if (list.length > limits.batch) throw httpError("E_TOO_LARGE", `a batch holds at most ${limits.batch} items`, "body", { value: list.length, expected: `<= ${limits.batch}` });
      if (list.length === 0) throw httpError("E_BAD_REQUEST", "the batch is empty", "body", { expected: "at least one item" });
      const seen = new Set<string>();
      const rows = list.map((b, k) => {
        const item = String(b.item);
        if (seen.has(item)) throw httpError("E_DUPLICATE", `item ${JSON.stringify(item)} is listed twice`, `${k}.item`, { value: item });
        seen.add(item);
        return { item, title: b.title ?? null, metadata: b.metadata };
      });
      store.putItems(rows);
      return c.json({ accepted: rows.length }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/users/{user}/features",
      summary: "Give a user features (a new user is then recommended from them)",
      description:
        "For an active model trained with user features (hybrid, or bayes-fm): a user the model does not know gets a vector from the features (plus their stored ratings, folded in, when they have some), so /recommend ranks for them instead of answering the popular items (a bayes-fm model with a ranking part ranks a user known by features alone by its rating part). A user the model knows keeps their trained vector (inModel true). Unknown features are ignored and listed; a model without user features answers 400 E_UNSUPPORTED.",
      security,
      middleware: [auth, limit] as const,
      request: { params: UserParam, body: { content: { "application/json": { schema: UserFeaturesBody } }, required: true } },
      responses: { 200: json(UserFeaturesResponse, "Applied"), 400: err("Invalid body, or a model that cannot use features"), ...authErrors },
    }),
    (c) => {
      const { user } = c.req.valid("param");
      const b = c.req.valid("json");
      return c.json({ user, features: serving.putUserFeatures(user, b.features) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/train",
      summary: "Retrain from the stored ratings in a background worker",
      description:
        "The algorithm and its config are validated first (400 naming the field, e.g. `algorithm` or `config.factors`); then a job starts (202) and is returned; poll GET /jobs/{id}. The model is fitted on a seeded training slice, checked on the held-out slice (finite factors; explicit models: RMSE ≤ (1 + tolerance) × the mean predictor's RMSE and ≤ maxRmse; implicit models (ials, wals, bpr): NDCG@10 ≥ (1 + tolerance) × a random ranking's and ≥ minNdcg), refitted on all ratings, written next to the database, registered, and swapped in when `activate` (default). 409 E_BUSY while a job runs.",
      security,
      middleware: [auth, limit] as const,
      request: { body: { content: { "application/json": { schema: TrainBody } }, required: false } },
      responses: { 202: json(JobSchema, "The job started"), 400: err("Invalid configuration"), ...authErrors, 409: err("A job is running (E_BUSY)") },
    }),
    (c) => {
      const b = TrainBody.parse(c.req.valid("json") ?? {});
      const config = { ...b.config, algorithm: b.algorithm };
      // Validated here, before a job exists: a bad config is a 400 naming the field, not a job that fails later.
      checkTrainConfig(config);
      const job = jobs.start({ config, holdout: b.holdout, seed: b.seed, tolerance: b.tolerance, maxRmse: b.maxRmse, minNdcg: b.minNdcg, activate: b.activate });
      return c.json(job, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/models/{version}/activate",
      summary: "Serve a registered model version (roll back or forward)",
      description: "The file is re-verified (SHA-256 against the registry, format, finite factors); a file that fails is refused with 422 E_MODEL_FORMAT and the current model keeps serving.",
      security,
      middleware: [auth] as const,
      request: { params: VersionParam },
      responses: { 200: json(ModelRecordSchema, "Now active"), 404: err("No such version (E_NOT_FOUND)"), 422: err("The file failed verification (E_MODEL_FORMAT)"), ...authErrors },
    }),
    (c) => {
      const { version } = c.req.valid("param");
      return c.json(activateVersion(store, serving, version), 200);
    },
  );
}
