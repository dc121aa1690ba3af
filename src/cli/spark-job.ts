/**
 * The PySpark program `mfrec spark-job` writes: it reads the Parquet that
 * `mfrec export-ratings --format parquet` produced, trains pyspark.ml.recommendation.ALS with
 * the mapped hyper-parameters and saves the model for `mfrec import spark`.
 *
 * Mapping (mfrec -> Spark): factors -> rank, epochs -> maxIter, regularization -> regParam,
 * algorithm ials -> implicitPrefs=True with alpha, nonnegative -> nonnegative, seed -> seed.
 * Spark always scales regParam by each row's rating count (ALS-WR), as mfrec's
 * `weightedRegularization: true`; its factors have no biases.
 */
import { MfrecError } from "../core/errors.js";
import { algorithmsWith, capabilitiesOf } from "../train/registry.js";
import "../train/algorithms.js"; // the built-ins answer capabilitiesOf even when nothing else imported them

/** The options a Spark job takes. */
export interface SparkJobOptions {
  algorithm: "als" | "ials";
  factors: number;
  epochs: number;
  regularization: number;
  alpha: number;
  nonnegative: boolean;
  seed: number;
  /** Directory with ratings.parquet (from export-ratings). */
  input: string;
  /** Where Spark saves the ALSModel. */
  output: string;
}

const pyString = (s: string): string => JSON.stringify(s); // a JSON string is a valid Python string literal
const pyBool = (b: boolean): string => (b ? "True" : "False");

/** Validate and fill the Spark job options. */
export function sparkJobOptions(o: Partial<SparkJobOptions>): SparkJobOptions {
  const algorithm = o.algorithm ?? "als";
  const spark = capabilitiesOf(algorithm).spark;
  if (!spark) {
    const known = algorithmsWith((c) => c.spark !== undefined);
    throw new MfrecError("E_CONFIG", `spark-job supports ${known.join(" and ")}`, { value: algorithm, expected: known.join(" or ") });
  }
  const num = (key: keyof SparkJobOptions, v: number | undefined, d: number, integer: boolean, min: number): number => {
    const x = v ?? d;
    if (!Number.isFinite(x) || x < min || (integer && !Number.isInteger(x))) throw new MfrecError("E_CONFIG", `option ${key} is out of range`, { value: v, expected: `${integer ? "an integer" : "a number"} >= ${min}` });
    return x;
  };
  return {
    algorithm,
    factors: num("factors", o.factors, 64, true, 1),
    epochs: num("epochs", o.epochs, 10, true, 1),
    regularization: num("regularization", o.regularization, 0.1, false, 0),
    alpha: num("alpha", o.alpha, 1, false, 0),
    nonnegative: o.nonnegative ?? false,
    seed: num("seed", o.seed, 42, true, 0),
    input: o.input ?? "ratings-parquet",
    output: o.output ?? "spark-model",
  };
}

/** The PySpark program text. */
export function sparkJobScript(opts: Partial<SparkJobOptions>): string {
  const o = sparkJobOptions(opts);
  return `#!/usr/bin/env python3
"""Train Spark MLlib ALS on ratings exported by mfrec, and save the model for \`mfrec import spark\`.

Written by: mfrec spark-job --algorithm ${o.algorithm} --factors ${o.factors} --epochs ${o.epochs} --regularization ${o.regularization} --alpha ${o.alpha}
Run with:   spark-submit job.py [INPUT_DIR] [MODEL_DIR]
Then:       mfrec import spark MODEL_DIR --ids INPUT_DIR -o model.mfr
"""
import sys

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession

INPUT = sys.argv[1] if len(sys.argv) > 1 else ${pyString(o.input)}
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else ${pyString(o.output)}

PARAMS = dict(
    rank=${o.factors},
    maxIter=${o.epochs},
    regParam=${o.regularization},
    implicitPrefs=${pyBool(capabilitiesOf(o.algorithm).spark?.implicitPrefs === true)},
    alpha=${o.alpha},
    nonnegative=${pyBool(o.nonnegative)},
    seed=${o.seed},
    userCol="user",
    itemCol="item",
    ratingCol="rating",
    coldStartStrategy="drop",
)


def main():
    spark = SparkSession.builder.appName("mfrec-als").getOrCreate()
    ratings = spark.read.parquet(INPUT + "/ratings.parquet")
    model = ALS(**PARAMS).fit(ratings)
    model.write().overwrite().save(OUTPUT)
    print("saved ALS model (rank %d) to %s" % (model.rank, OUTPUT))
    spark.stop()


if __name__ == "__main__":
    main()
`;
}
