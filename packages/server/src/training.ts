/**
 * Background retraining: one job at a time in a worker thread (train-worker.ts), progress in the
 * jobs table, and on success: register the model file, verify and swap it in (models.ts).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { MfrecError } from "mfrec";
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
  /** Swap the new model in when it passes (default true). */
  activate: boolean;
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
    this.store.createJob(id, { ...req.config, holdout: req.holdout, seed: req.seed, tolerance: req.tolerance, maxRmse: req.maxRmse ?? null, activate: req.activate });
    // Taken before the worker reads: a write racing the read is folded in again later, never lost.
    const snapshotAt = this.store.tick();
    const input: TrainWorkerInput = { jobId: id, dbPath: this.dbPath, modelsDir: this.modelsDir, config: req.config, holdout: req.holdout, seed: req.seed, tolerance: req.tolerance, maxRmse: req.maxRmse };
    const worker = new Worker(new URL("./train-worker.js", import.meta.url), { workerData: input });
    this.store.updateJob(id, { status: "running", progress: 0 });
    let settled = false;
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        this.current = null;
        resolve();
      };
      worker.on("message", (m: TrainMessage) => {
        if (m.type === "progress") {
          this.store.addJobEpoch(id, m.progress, { phase: m.phase, epoch: m.epoch, loss: m.loss, trainRmse: m.trainRmse, validation: m.validation, seconds: m.seconds });
        } else if (m.type === "error") {
          settled = true;
          this.store.updateJob(id, { status: "failed", progress: 1, error: `${m.code}: ${m.message}` });
          this.log(`job ${id} failed: ${m.code}: ${m.message}`);
        } else {
          settled = true;
          this.complete(id, m, snapshotAt, req.activate);
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
