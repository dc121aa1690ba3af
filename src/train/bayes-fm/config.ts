/**
 * Configuration of `bayes-fm`: keys, defaults and validation (plain JSON that round-trips).
 */
import { MfrecError } from "../../core/errors.js";
import type { ModelConfig } from "../../model/factor-model.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";

/** Resolved configuration of `bayes-fm` (every key present). */
export type BayesFmConfig = ModelConfig & BayesFmSettings & { algorithm: "bayes-fm" };

/** The keys of {@link BayesFmConfig} besides `algorithm`. */
export interface BayesFmSettings {
  /** Latent dimensions k of one sample. */
  factors: number;
  /** Gibbs sweeps in all, burn-in included. */
  epochs: number;
  /** Sweeps discarded before samples are kept; must be < epochs. Unset: ⌊epochs / 6⌋ (20 of the default 120). */
  burnIn: number;
  /** Keep every thin-th sweep after the burn-in (the model stores ⌈(epochs − burnIn)/thin⌉ samples). */
  thin: number;
  /** Feature group "implicit user feedback": the user is also described by the items they rated, |N(u)|^-½ each (SVD++). */
  implicitUser: boolean;
  /** Feature group "implicit item feedback" (flipped): the item is also described by the users who rated it, |N(i)|^-½ each. */
  implicitItem: boolean;
  /**
   * Feature group "time": each rating's day (⌊timestamp / 86 400⌋) or week (⌊timestamp / 604 800⌋) bin, with a bias
   * w_t and a vector v_t that interacts with both sides (r̂ += w_t + v_t·(U_u + I_i)); needs the ratings' timestamps
   * (seconds). false: no time group.
   */
  time: false | "day" | "week";
  /** Feature group "user-day": a bias per (user, day) of the training ratings (timeSVD++'s b_{u,t}); needs timestamps. */
  userDay: boolean;
  /**
   * Store the implicit groups' vectors (y_j per item, z_v per user, every kept sample stacked) in the model, so
   * a folded-in user's row has the implicit-feedback term a trained user's has (and a folded-in item its
   * raters' term). false: a model without them, (items + users)·k·S floats smaller, whose folded rows leave
   * that term out (the id row absorbs it). Changes no prediction of a trained user or item.
   */
  implicitVectors: boolean;
  /** σ of the N(0, σ²) start of every factor group (libFM's init_stdev). */
  initStd: number;
  /**
   * Independent Markov chains, each `epochs` sweeps with its own start, burn-in and noise (chain 0 has the fit's
   * seed, chain c > 0 a seed derived from it); the model stacks the kept samples of all of them
   * (chains × ⌈(epochs − burnIn)/thin⌉). 1 = one chain, the sampler as before.
   */
  chains: number;
  seed: number;
}

/**
 * Defaults of `bayes-fm` (docs/accuracy.md, "How the bayes-fm defaults were chosen"): every group on,
 * k = 8, 120 sweeps of which the first 20 are burn-in, every 2nd sweep kept (50 samples, factor width 400).
 * The hyper-priors are libFM's and fixed: α₀ = β₀ = α_λ = β_λ = γ₀ = 1, μ₀ = 0.
 */
export const BAYES_FM_DEFAULTS: BayesFmSettings = {
  factors: 8,
  epochs: 120,
  burnIn: 20,
  thin: 2,
  implicitUser: true,
  implicitItem: true,
  time: false,
  userDay: false,
  implicitVectors: true,
  initStd: 0.1,
  chains: 1,
  seed: 42,
};

/**
 * Keys the fit adds to the model's config: each kept sample's noise precision α and the user and item
 * id groups' prior means and precisions (k + 1 per sample: factors, then the linear term), which
 * fold-in reads (./fold-in.ts). Accepted and ignored as input, so a model's config refits.
 */
export const BAYES_FM_FITTED_KEYS = ["foldInNoisePrecision", "foldInUserPriorMean", "foldInUserPriorPrecision", "foldInItemPriorMean", "foldInItemPriorPrecision"];

const KEYS = [...Object.keys(BAYES_FM_DEFAULTS), ...BAYES_FM_FITTED_KEYS];

/** Fill defaults and validate (MfrecError E_CONFIG naming the key). */
export function resolveBayesFmConfig(config: Partial<ModelConfig>): BayesFmConfig {
  const c = config as Record<string, unknown>;
  rejectUnknownKeys(c, KEYS, "bayes-fm");
  const d = BAYES_FM_DEFAULTS;
  const epochs = numberOption(c, "epochs", d.epochs, RULES.epochs);
  const out: BayesFmConfig = {
    algorithm: "bayes-fm",
    factors: numberOption(c, "factors", d.factors, { min: 1, max: 512, integer: true }),
    epochs,
    burnIn: numberOption(c, "burnIn", Math.floor(epochs / 6), { min: 0, max: 100000, integer: true }),
    thin: numberOption(c, "thin", d.thin, { min: 1, max: 100000, integer: true }),
    implicitUser: booleanOption(c, "implicitUser", d.implicitUser),
    implicitItem: booleanOption(c, "implicitItem", d.implicitItem),
    time: timeOption(c),
    userDay: booleanOption(c, "userDay", d.userDay),
    implicitVectors: booleanOption(c, "implicitVectors", d.implicitVectors),
    initStd: numberOption(c, "initStd", d.initStd, { min: 0 }),
    chains: numberOption(c, "chains", d.chains, { min: 1, max: 64, integer: true }),
    seed: numberOption(c, "seed", d.seed, RULES.seed),
  };
  if (out.burnIn >= out.epochs) {
    throw new MfrecError("E_CONFIG", "option burnIn must be smaller than epochs (no sample would be kept)", {
      column: "burnIn",
      value: out.burnIn,
      expected: `an integer < epochs = ${out.epochs}`,
    });
  }
  return out;
}

/** `time`: false (also "false", "none", null, absent), "day" or "week". */
function timeOption(c: Record<string, unknown>): BayesFmSettings["time"] {
  const raw = c.time;
  if (raw === undefined || raw === null || raw === false || raw === "false" || raw === "none") return false;
  if (raw === "day" || raw === "week") return raw;
  throw new MfrecError("E_CONFIG", "option time has an unknown value", { column: "time", value: raw as string, expected: 'false, "day" or "week"' });
}

/** Seconds per bin of a `time` setting. */
export const TIME_BIN_SECONDS = { day: 86400, week: 604800 } as const;

/** Samples kept by one chain of a config: sweeps burnIn, burnIn + thin, … < epochs (the model holds chains × this many). */
export function bayesFmKeptSamples(c: Pick<BayesFmSettings, "epochs" | "burnIn" | "thin">): number {
  return Math.max(0, Math.ceil((c.epochs - c.burnIn) / c.thin));
}
