/**
 * Background retraining: one job at a time in a worker thread (train-worker.ts), progress in the
 * jobs table, and on success: register the model file, verify and swap it in (models.ts).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { getAlgorithm, MfrecError } from "mfrec";
import { httpError } from "./http-errors.js";
import { activateVersion } from "./models.js";
import type { Serving } from "./serving.js";
import type { JobRecord, Store } from "./store.js";
import type { TrainMessage, TrainWorkerInput } from "./train-protocol.js";

/** What `POST /train` asks for (validated by the route). */
export interface TrainRequest {
  config: Record<string, unknown> & { algorithm: string };
  holdout: number;
  seed: number;
  tolerance: number;
  maxRmse?: number;
  minNdcg?: number;
  /** Swap the new model in when it passes (default true). */
  activate: boolean;
}

/**
 * Validate a train config as the worker will, synchronously: E_UNKNOWN_ALGORITHM naming
 * `algorithm`, E_CONFIG naming `config.<key>` (unknown keys, wrong types, out-of-range values).
 */
export function checkTrainConfig(config: Record<string, unknown> & { algorithm: string }): void {
  let algo: ReturnType<typeof getAlgorithm>;
  try {
    algo = getAlgorithm(config.algorithm);
  } catch (e) {
    if (e instanceof MfrecError) throw httpError(e.code, `unknown algorithm ${JSON.stringify(config.algorithm)}`, "algorithm", { value: config.algorithm, expected: e.expected });
    throw e;
  }
  try {
    algo.resolveConfig(config as Parameters<typeof algo.resolveConfig>[0]);
  } catch (e) {
    if (!(e instanceof MfrecError)) throw e;
    const key = e.column === undefined ? undefined : String(e.column);
    // The library's message names the option; the field says where it sits in the request body.
    const cut = e.message.indexOf(" (column ");
    const message = cut > 0 ? e.message.slice(0, cut) : e.message;
    throw httpError(e.code, message, key === undefined ? "config" : `config.${key}`, { value: e.value, expected: e.expected });
  }
}

/** Runs training jobs for one server. */
export class TrainingJobs {
  private current: { id: string; worker: Worker; done: Promise<void> } | null = null;

  constructor(
    private readonly store: Store,
    private readonly serving: Serving,
    private readonly dbPath: string,
    private readonly modelsDir: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Id of the running job, if any. */
  get running(): string | null {
    return this.current?.id ?? null;
  }

  /** Start a job; E_BUSY when one is running. */
  start(req: TrainRequest): JobRecord {
    if (this.current) throw new MfrecError("E_BUSY", `training job ${this.current.id} is still running`, { value: this.current.id, hint: `GET /jobs/${this.current.id}` });
    if (this.store.countRatings() === 0) throw new MfrecError("E_EMPTY_INPUT", "the store holds no ratings to train on", { expected: "POST /ratings first" });
    mkdirSync(this.modelsDir, { recursive: true });
    const id = randomUUID();
    this.store.createJob(id, { ...req.config, holdout: req.holdout, seed: req.seed, tolerance: req.tolerance, maxRmse: req.maxRmse ?? null, minNdcg: req.minNdcg ?? null, activate: req.activate });
    // Taken before the worker reads: a write racing the read is folded in again later, never lost.
    const snapshotAt = this.store.tick();
    const input: TrainWorkerInput = { jobId: id, dbPath: this.dbPath, modelsDir: this.modelsDir, config: req.config, holdout: req.holdout, seed: req.seed, tolerance: req.tolerance, maxRmse: req.maxRmse, minNdcg: req.minNdcg };
    const worker = new Worker(new URL("./train-worker.js", import.meta.url), { workerData: input });
    this.store.updateJob(id, { status: "running", progress: 0 });
    let settled = false;
    // The slot frees as soon as the job has its outcome, not when the worker thread has exited after it.
    const release = (): void => {
      if (this.current?.id === id) this.current = null;
    };
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        release();
        resolve();
      };
      worker.on("message", (m: TrainMessage) => {
        if (m.type === "progress") {
          this.store.addJobEpoch(id, m.progress, { phase: m.phase, epoch: m.epoch, loss: m.loss, trainRmse: m.trainRmse, validation: m.validation, seconds: m.seconds });
        } else if (m.type === "error") {
          settled = true;
          this.store.updateJob(id, { status: "failed", progress: 1, error: `${m.code}: ${m.message}` });
          this.log(`job ${id} failed: ${m.code}: ${m.message}`);
          release();
        } else {
          settled = true;
          this.complete(id, m, snapshotAt, req.activate);
          release();
        }
      });
      worker.on("error", (e) => {
        if (!settled) this.store.updateJob(id, { status: "failed", progress: 1, error: `E_INTERNAL: ${e.message}` });
        settled = true;
      });
      worker.on("exit", (code) => {
        if (!settled) this.store.updateJob(id, { status: "failed", progress: 1, error: `E_INTERNAL: the training worker exited with code ${code}` });
        finish();
      });
    });
    this.current = { id, worker, done };
    return this.store.getJob(id)!;
  }

  private complete(id: string, m: Extract<TrainMessage, { type: "done" }>, snapshotAt: number, activate: boolean): void {
    try {
      const version = this.store.registerModel({ algorithm: m.algorithm, config: m.config, metrics: m.metrics, createdAt: m.createdAt, path: m.path, checksum: m.checksum, snapshotAt });
      if (activate) activateVersion(this.store, this.serving, version);
      this.store.updateJob(id, { status: "succeeded", progress: 1, modelVersion: version, report: { ...m.metrics, activated: activate } });
      this.log(`job ${id} succeeded: model version ${version}${activate ? " is active" : ""}`);
    } catch (e) {
      const msg = e instanceof MfrecError ? `${e.code}: ${e.message}` : `E_INTERNAL: ${(e as Error).message}`;
      this.store.updateJob(id, { status: "failed", progress: 1, error: msg });
      this.log(`job ${id} failed: ${msg}`);
    }
  }

  /** Resolves when the running job (if any) has finished. */
  async idle(): Promise<void> {
    await this.current?.done;
  }

  /** Stop a running job (server shutdown). */
  async stop(): Promise<void> {
    const c = this.current;
    if (!c) return;
    await c.worker.terminate();
    await c.done;
  }
}
