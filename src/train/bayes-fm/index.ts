/**
 * The `bayes-fm` algorithm family: a Bayesian factorization machine over feature groups (user id,
 * item id, the user's rated items, the item's raters), sampled by libFM-style Gibbs sampling.
 */
import type { Algorithm } from "../trainer.js";
import { type BayesFmConfig, resolveBayesFmConfig } from "./config.js";
import { bayesFmFoldInRow } from "./fold-in.js";
import { createBayesFmTrainer } from "./trainer.js";

export { BAYES_FM_DEFAULTS, type BayesFmConfig, type BayesFmSettings, bayesFmKeptSamples, resolveBayesFmConfig } from "./config.js";

/**
 * `bayes-fm`: r̂(u,i) = w₀ + B_u + C_i + U_u·I_i with U_u = p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j (Bayesian SVD++)
 * and I_i = q_i + |N(i)|^-½ Σ_{v∈N(i)} z_v ("flipped"), each group with its own Normal-Gamma hyper-prior
 * per column. The model predicts the average of the kept samples' predictions (S samples stacked,
 * factor width k·S, biases averaged), exactly as bpmf stores its samples.
 */
export const bayesFm: Algorithm<BayesFmConfig> = {
  name: "bayes-fm",
  description: "Bayesian factorization machine (libFM-style Gibbs sampling; user, item, implicit-user and flipped implicit-item groups; averages the samples' predictions)",
  implicit: false,
  // Optional side-feature groups: fit options userFeatures / itemFeatures (CLI --user-features / --item-features).
  features: true,
  resolveConfig: (config) => resolveBayesFmConfig(config),
  epochs: (config) => config.epochs,
  create: (data, config) => createBayesFmTrainer(data, config),
  capabilities: {
    // Each stored sample's Gibbs conditional mean of the id group, plus the stored implicit and feature
    // vectors of the row's history and features (./fold-in.ts), users and items alike.
    foldInRow: (model, indices, values, side, opts) => bayesFmFoldInRow(model, indices, values, side, opts),
    foldsInFeatures: true,
  },
};
