/**
 * The model registry's life cycle: register a file, activate a version (verify, load, swap),
 * adopt a model file given on the command line. Activation is all-or-nothing: a file that fails
 * verification leaves the previous model serving and the registry unchanged.
 */
import { type FactorModel, MfrecError } from "mfrec";
import { httpError } from "./http-errors.js";
import { readVerifiedModel } from "./model-file.js";
import type { Serving } from "./serving.js";
import type { ModelRecord, Store } from "./store.js";

/** Summary metrics recorded for a model that came from a file rather than a training job. */
function fileMetrics(model: FactorModel): Record<string, unknown> {
  const s = model.stats();
  const last = model.training[model.training.length - 1];
  return { users: s.users, items: s.items, factors: s.factors, ratings: s.ratings ?? null, trainRmse: last?.trainRmse ?? null, source: "file" };
}

/** Verify, load and serve registry version `version`; only then mark it active. Returns its record. */
export function activateVersion(store: Store, serving: Serving, version: number): ModelRecord {
  const rec = store.getModel(version);
  if (!rec) throw httpError("E_NOT_FOUND", `no model version ${version}`, "version", { value: version });
  let model: FactorModel;
  try {
    ({ model } = readVerifiedModel(rec.path, rec.checksum));
  } catch (e) {
    // The version is registered but its file is gone or unreadable: the registry's state, not a server fault.
    if (e instanceof MfrecError && e.code === "E_IO") {
      throw httpError("E_IO", `the file of model version ${version} cannot be read: ${e.message}`, "version", { value: version, status: 409, hint: "activate another version, or retrain" });
    }
    throw e;
  }
  store.activate(version);
  const active = { ...rec, active: true };
  serving.swap(model, active, rec.snapshotAt);
  return active;
}

/**
 * Serve the model file given at start-up: verify it, register it (once per path and checksum),
 * and make it active. When the store holds no ratings yet and the model carries its training
 * history, the history seeds the store, so retraining and fold-in start from what the model saw.
 */
export function adoptModelFile(store: Store, serving: Serving, path: string): ModelRecord {
  const { model, checksum } = readVerifiedModel(path);
  let snapshotAt = 0;
  if (store.countRatings() === 0 && model.history) {
    const h = model.history;
    const n = h.indptr[h.rows]!;
    const users: string[] = new Array(n);
    const items: string[] = new Array(n);
    for (let u = 0; u < h.rows; u++) {
      const id = model.userIndex.idAt(u);
      for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) {
        users[p] = id;
        items[p] = model.itemIndex.idAt(h.indices[p]!);
      }
    }
    snapshotAt = store.tick();
    store.importRatings(users, items, h.values, snapshotAt);
  }
  let rec = store.findModel(path, checksum);
  if (!rec) {
    const version = store.registerModel({
      algorithm: model.algorithm,
      config: { ...model.config },
      metrics: fileMetrics(model),
      createdAt: model.provenance?.createdAt ?? new Date().toISOString(),
      path,
      checksum,
      snapshotAt,
    });
    rec = store.getModel(version)!;
  }
  store.activate(rec.version);
  rec = { ...rec, active: true };
  serving.swap(model, rec, rec.snapshotAt);
  return rec;
}
