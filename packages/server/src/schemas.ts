/** Zod schemas of the HTTP API: request validation and the OpenAPI document come from the same objects. */
import { z } from "@hono/zod-openapi";

/** Maximum results a query may ask for. */
export const MAX_N = 1000;

export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: "E_UNKNOWN_ITEM" }),
    message: z.string(),
    field: z.string().nullable().openapi({ description: "The request field at fault (path, query or body), or null" }),
    expected: z.string().optional(),
    value: z.unknown().optional(),
  })
  .openapi("Error");

const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .openapi({ description: `Raw ${what} id`, example: what === "user" ? "196" : "242" });

export const UserParam = z.object({ user: id("user").openapi({ param: { name: "user", in: "path" } }) });
export const ItemParam = z.object({ item: id("item").openapi({ param: { name: "item", in: "path" } }) });
export const UserItemParams = z.object({
  user: id("user").openapi({ param: { name: "user", in: "path" } }),
  item: id("item").openapi({ param: { name: "item", in: "path" } }),
});
export const VersionParam = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .openapi({ param: { name: "version", in: "path" }, example: 2 }),
});
export const JobParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });

const nParam = z.coerce.number().int().min(0).max(MAX_N).default(10).openapi({ description: `Number of results (0..${MAX_N}, default 10)` });
const idList = z.string().max(100_000).optional().openapi({ description: "Comma-separated raw item ids" });

export const RecommendQuery = z.object({
  n: nParam,
  exclude: idList,
  items: idList.openapi({ description: "Comma-separated raw item ids: rank only these" }),
  excludeRated: z.enum(["true", "false"]).default("true").openapi({ description: "Skip the items the user rated (default true)" }),
  ann: z.enum(["true", "false", "auto"]).default("auto").openapi({ description: "Approximate top-n through the ANN index saved beside the model file (<model>.ann): true uses it whenever it is there, auto (default) only from 100,000 items, false never; exact when there is none" }),
});
export const SimilarQuery = z.object({
  n: nParam,
  metric: z.enum(["cosine", "dot"]).default("cosine"),
});

export const SimilarItemsQuery = SimilarQuery.extend({
  ann: z.enum(["true", "false", "auto"]).default("auto").openapi({ description: "Approximate top-n through the ANN index saved beside the model file (<model>.ann): true uses it whenever it is there, auto (default) only from 100,000 items, false never; exact when there is none" }),
});

export const EmbeddingQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .openapi({ description: "Most items to return, the most popular first (default: every item)" }),
});

export const EmbeddingResponse = z
  .object({
    modelVersion: z.number().nullable(),
    items: z.array(z.string()).openapi({ description: "Raw item ids, the most rated first (ties in model order)" }),
    titles: z.array(z.string().nullable()).optional().openapi({ description: "Stored titles, aligned with items (null where none); absent when no listed item has one" }),
    factors: z.array(z.array(z.number())).openapi({ description: "factors[j] is the item factor row q of items[j] (k numbers)" }),
  })
  .openapi("Embedding");

export const ExplainQuery = z.object({ n: nParam.openapi({ description: `History items listed, largest parts first (0..${MAX_N}, default 10); the rest are summed` }) });

export const ExplainResponse = z
  .object({
    user: z.string(),
    item: z.string(),
    modelVersion: z.number().nullable(),
    source: z.enum(["model", "fold-in"]).openapi({ description: "model: the training history; fold-in: the user's stored ratings, as folded in" }),
    score: z.number().openapi({ description: "baseline + the parts of every history item (unclipped)" }),
    baseline: z.number().openapi({ description: "μ + b_i for explicit models with biases, else 0" }),
    modelScore: z.number().openapi({ description: "The model's unclipped score of the pair; equals score up to the solver's accuracy" }),
    contributions: z.array(z.object({ item: z.string(), contribution: z.number(), share: z.number() })).openapi({ description: "The n largest parts by magnitude; share = part / (score − baseline)" }),
    rest: z.object({ items: z.number().int(), contribution: z.number() }).openapi({ description: "The unlisted history items and their summed part" }),
    historySize: z.number().int(),
  })
  .openapi("Explanation");

export const ScoredItem = z.object({ item: z.string(), score: z.number() }).openapi("ScoredItem");
export const ScoredUser = z.object({ user: z.string(), score: z.number() }).openapi("ScoredUser");

export const RecommendResponse = z
  .object({
    user: z.string(),
    modelVersion: z.number().nullable(),
    source: z.enum(["model", "fold-in", "popular"]).openapi({
      description: "model: the user's trained row; fold-in: a row folded in from the user's stored ratings; popular: fallback for a user with no usable history",
    }),
    reason: z.enum(["unknown-user", "no-known-items"]).optional(),
    items: z.array(ScoredItem),
  })
  .openapi("Recommendations");

export const SimilarItemsResponse = z.object({ item: z.string(), modelVersion: z.number().nullable(), items: z.array(ScoredItem) }).openapi("SimilarItems");
export const SimilarUsersResponse = z.object({ user: z.string(), modelVersion: z.number().nullable(), users: z.array(ScoredUser) }).openapi("SimilarUsers");

export const PredictResponse = z
  .object({
    user: z.string(),
    item: z.string(),
    score: z.number(),
    known: z.boolean(),
    source: z.enum(["model", "fold-in", "popular", "fallback"]),
    reason: z.string().optional().openapi({ description: "unknown-user | unknown-item | unknown-user-and-item when the score is the fallback" }),
    modelVersion: z.number().nullable(),
  })
  .openapi("Prediction");

const rawId = z.union([z.string().trim().min(1).max(256), z.number().finite()]);
export const RatingIn = z.object({ user: rawId, item: rawId, rating: z.number().finite() }).strict().openapi("Rating");
export const RatingsBody = z.union([RatingIn, z.array(RatingIn)]).openapi({ description: "One rating or an array of them" });
export const RatingsAck = z.object({ accepted: z.number().int(), ts: z.number().int().openapi({ description: "Store clock of the committed write" }) }).openapi("RatingsAck");
export const DeleteAck = z.object({ deleted: z.boolean(), user: z.string(), item: z.string() });

export const StoredRatingSchema = z.object({ item: z.string(), rating: z.number(), ts: z.number() });
export const UserRatingsResponse = z.object({ user: z.string(), ratings: z.array(StoredRatingSchema) }).openapi("UserRatings");

/** Side features of an item or user: names (weight 1 each) or name → weight (a hybrid model scores new items and users from them). */
export const FeaturesSchema = z
  .union([z.array(z.string().min(1).max(4096)).max(10_000), z.record(z.string().min(1).max(4096), z.number().finite())])
  .openapi("Features", { description: 'Feature names, e.g. ["genre:Comedy", "decade:1990s"], or name → weight' });
export const FeaturesAck = z.object({ known: z.number().int(), unknown: z.array(z.string()), inModel: z.boolean() }).openapi("FeaturesAck");
export const ItemResponse = z
  .object({
    item: z.string(),
    title: z.string().nullable(),
    metadata: z.unknown(),
    ratings: z.number().int(),
    meanRating: z.number().nullable(),
    inModel: z.boolean(),
    features: FeaturesAck.optional().openapi({ description: "With features in the request: how many the active model knew, which it did not, and whether the item is now in the model" }),
  })
  .openapi("Item");
export const ItemBody = z.object({ title: z.string().max(1000).nullable().optional(), metadata: z.unknown().optional(), features: FeaturesSchema.optional() }).strict();
export const UserFeaturesBody = z.object({ features: FeaturesSchema }).strict();
export const UserFeaturesResponse = z.object({ user: z.string(), features: FeaturesAck }).openapi("UserFeatures");
export const ItemsBatchBody = z
  .array(z.object({ item: rawId, title: z.string().max(1000).nullable().optional(), metadata: z.unknown().optional() }).strict())
  .openapi({ description: "Items to set, each {item, title?, metadata?}; one transaction" });
export const ItemsAck = z.object({ accepted: z.number().int() }).openapi("ItemsAck");

export const TrainBody = z
  .object({
    algorithm: z.string().min(1).max(64).default("als"),
    config: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).default({}).openapi({ description: "Model configuration (factors, epochs, regularization, seed, …)" }),
    holdout: z.number().min(0).max(0.5).default(0.1).openapi({ description: "Fraction held out for the sanity check (0 = none)" }),
    seed: z.number().int().min(0).max(4294967295).default(42),
    tolerance: z
      .number()
      .min(0)
      .max(10)
      .default(0.05)
      .openapi({ description: "Explicit models: accept when validation RMSE ≤ (1 + tolerance) × the mean predictor's RMSE. Implicit models: when NDCG@10 ≥ (1 + tolerance) × a random ranking's" }),
    maxRmse: z.number().positive().optional().openapi({ description: "Explicit models: also reject when validation RMSE exceeds this" }),
    minNdcg: z.number().min(0).max(1).optional().openapi({ description: "Implicit models: also reject when validation NDCG@10 is below this" }),
    activate: z.boolean().default(true),
  })
  .strict()
  .openapi("TrainRequest");

export const JobEpochSchema = z
  .object({
    phase: z.enum(["validate", "final"]),
    epoch: z.number().int(),
    loss: z.number(),
    trainRmse: z.number().optional(),
    validation: z.record(z.string(), z.number()).optional(),
    seconds: z.number().optional(),
  })
  .openapi("JobEpoch");

export const JobSchema = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "running", "succeeded", "failed"]),
    progress: z.number(),
    error: z.string().nullable(),
    config: z.record(z.string(), z.unknown()),
    modelVersion: z.number().nullable(),
    report: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    epochs: z.array(JobEpochSchema).optional().openapi({ description: "Per-epoch reports so far, in order: the validate phase (fit on the training slice, hold-out RMSE per epoch), then the final refit. GET /jobs/{id} only." }),
  })
  .openapi("Job");

export const ModelRecordSchema = z
  .object({
    version: z.number(),
    algorithm: z.string(),
    config: z.record(z.string(), z.unknown()),
    metrics: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    path: z.string(),
    checksum: z.string(),
    active: z.boolean(),
    snapshotAt: z.number(),
  })
  .openapi("ModelRecord");

export const ModelInfo = z
  .object({
    record: ModelRecordSchema.nullable(),
    stats: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()),
    implicit: z.boolean(),
    ratingScale: z.array(z.number()).nullable(),
    training: z.array(z.record(z.string(), z.unknown())),
    provenance: z.record(z.string(), z.unknown()).nullable(),
    foldedInUsers: z.number(),
  })
  .openapi("ModelInfo");

export const HealthResponse = z
  .object({
    status: z.literal("ok"),
    readOnly: z.boolean(),
    modelVersion: z.number().nullable(),
    model: z.boolean(),
    ratings: z.number(),
    schemaVersion: z.number(),
    trainingJob: z.string().nullable(),
    uptimeSeconds: z.number(),
  })
  .openapi("Health");
