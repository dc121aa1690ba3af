import type { FactorModel } from "mfrec";

/** What the server hands the training worker. */
export interface TrainWorkerInput {
  jobId: string;
  dbPath: string;
  /** Directory the model file is written to (next to the database). */
  modelsDir: string;
  /** Model configuration: `algorithm` plus the shared vocabulary (factors, epochs, regularization, …). */
  config: Record<string, unknown> & { algorithm: string };
  /** Fraction of ratings held out for the sanity check (0 = no validation). */
  holdout: number;
  seed: number;
  /** Explicit: accept when validation RMSE ≤ (1 + tolerance) × the mean predictor's; implicit: NDCG@10 ≥ (1 + tolerance) × a random ranking's. */
  tolerance: number;
  /** Optional absolute ceiling on validation RMSE (explicit models). */
  maxRmse?: number;
  /** Optional absolute floor on validation NDCG@10 (implicit models). */
  minNdcg?: number;
}

/** Messages from the training worker: progress, then exactly one of done / error. */
export type TrainMessage =
  | { type: "progress"; progress: number; epoch: number; loss: number; trainRmse?: number; validation?: Record<string, number>; seconds?: number; phase: "validate" | "final" }
  | { type: "done"; path: string; checksum: string; algorithm: string; config: Record<string, unknown>; metrics: Record<string, unknown>; createdAt: string }
  | { type: "error"; code: string; message: string };

/** True when every factor, bias and the global mean is finite (the first sanity check of a new model). */
export function finiteModel(m: FactorModel): boolean {
  for (const a of [m.userFactors.data, m.itemFactors.data, m.userBias, m.itemBias]) {
    if (!a) continue;
    for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k]!)) return false;
  }
  return Number.isFinite(m.globalMean);
}
