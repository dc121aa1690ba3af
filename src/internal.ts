/**
 * mfrec/internal — engine pieces for the service package (mfrec-server), benchmarks and tests.
 * Explicitly unstable: names here may change in any release. Applications use `mfrec` and `mfrec/node`.
 * Browser-safe like `mfrec` itself. Named re-exports only.
 */
export { finalScore, rawScoreIndex, unknownReason } from "./recommend/predict.js";
export { maskRated, popularityScores } from "./recommend/recommend.js";
export { scoreRow } from "./kernels/score.js";
export { SEED_ITEM_FACTORS, SEED_ITEMS, SEED_PRODUCT, SEED_RATINGS, SEED_USER_FACTORS, SEED_USERS } from "./cli/seed-example.js";
