/**
 * The --item-features / --user-features files of train, eval and tune: read once, with a line on stderr
 * saying what they held and how they meet the ratings (ids with features but no rating are fine: they
 * become the model's cold items or users, and are counted).
 */
import type { FeatureTable, Ratings } from "../index.js";
import type { FitWarning } from "../internal.js";
import { readFeaturesFile } from "../node.js";
import type { ModelFlags } from "./model-options.js";
import { fmtInt, note } from "./output.js";

/** The feature tables the flags name (undefined where a flag is absent). */
export interface FeatureFlagsRead {
  itemFeatures?: FeatureTable;
  userFeatures?: FeatureTable;
}

/** Read the feature files of the flags; errors name the file, line and value. */
export function readFeatureFlags(f: ModelFlags, quiet = false): FeatureFlagsRead {
  const out: FeatureFlagsRead = {};
  for (const [flag, key, what] of [
    [f.itemFeatures, "itemFeatures", "item"],
    [f.userFeatures, "userFeatures", "user"],
  ] as const) {
    if (flag === undefined) continue;
    const { table, report } = readFeaturesFile(flag);
    out[key] = table;
    if (!quiet) note(`${what} features: ${flag}: ${fmtInt(report.rows)} rows, ${fmtInt(report.entities)} ${what}s, ${fmtInt(report.features)} distinct features`);
  }
  return out;
}

/** How a feature table meets the training ratings: ids with features and no rating (cold), rated ids without features. */
export function featureCoverage(table: FeatureTable, ratings: Ratings, side: "item" | "user"): { cold: number; withoutFeatures: number } {
  const index = side === "item" ? ratings.itemIndex : ratings.userIndex;
  let cold = 0;
  for (let r = 0; r < table.ids.size; r++) if (index.indexOf(table.ids.idAt(r)) < 0) cold++;
  let withFeatures = 0;
  for (let e = 0; e < index.size; e++) if (table.ids.indexOf(index.idAt(e)) >= 0) withFeatures++;
  return { cold, withoutFeatures: index.size - withFeatures };
}

/** One stderr line per side: how many cold ids the features add, and rated ids without features. */
export function noteFeatureCoverage(read: FeatureFlagsRead, ratings: Ratings, quiet = false, coldWhat = "cold: scored from their features"): void {
  if (quiet) return;
  for (const [table, side] of [
    [read.itemFeatures, "item"],
    [read.userFeatures, "user"],
  ] as const) {
    if (!table) continue;
    const c = featureCoverage(table, ratings, side);
    note(`${side} features: ${fmtInt(c.cold)} ${side}s have features but no training rating (${coldWhat}); ${fmtInt(c.withoutFeatures)} rated ${side}s have no features`);
  }
}

/** One stderr line per fit warning (model.provenance.warnings): the count and reason, and a few examples. */
export function noteFitWarnings(warnings: readonly FitWarning[] | undefined, quiet = false, prefix = ""): void {
  if (quiet || !warnings) return;
  for (const w of warnings) {
    const more = w.count > w.examples.length ? ", …" : "";
    note(`${prefix}${w.side} features: ${w.message} (${w.code}; e.g. ${w.examples.map((x) => JSON.stringify(x)).join(", ")}${more})`);
  }
}
