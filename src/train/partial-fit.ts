/**
 * Growing a trained model without retraining it: add or refresh one user ({@link withUser}) or a
 * batch of interactions ({@link partialFit}), warm-started from the existing factors. Browser-safe:
 * only kernels and the fold-in solves, no trainer.
 */
import { MfrecError } from "../core/errors.js";
import type { RawId } from "../core/types.js";
import type { IdIndex } from "../data/id-index.js";
import type { Ratings } from "../data/ratings.js";
import { type CsrMatrix, transpose } from "../matrix/csr.js";
import type { FactorModel } from "../model/factor-model.js";
import { type FoldInHistory, type FoldInOptions, foldInRow, resolveHistory } from "./fold-in.js";
import { capabilitiesOf } from "./registry.js";
import "./algorithms.js"; // the built-ins answer capabilitiesOf even when nothing else imported them

/** The history CSR with `rows` rows where row r's entries come from `replace` when present. */
function mergeRows(old: CsrMatrix | undefined, rows: number, cols: number, replace: ReadonlyMap<number, { indices: Int32Array; values: Float32Array }>): CsrMatrix {
  const indptr = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    const rep = replace.get(r);
    const len = rep ? rep.indices.length : old && r < old.rows ? old.indptr[r + 1]! - old.indptr[r]! : 0;
    indptr[r + 1] = indptr[r]! + len;
  }
  const indices = new Int32Array(indptr[rows]!);
  const values = new Float32Array(indptr[rows]!);
  for (let r = 0; r < rows; r++) {
    const rep = replace.get(r);
    if (rep) {
      indices.set(rep.indices, indptr[r]!);
      values.set(rep.values, indptr[r]!);
    } else if (old && r < old.rows) {
      indices.set(old.indices.subarray(old.indptr[r]!, old.indptr[r + 1]!), indptr[r]!);
      values.set(old.values.subarray(old.indptr[r]!, old.indptr[r + 1]!), indptr[r]!);
    }
  }
  return { rows, cols, indptr, indices, values };
}

function grown(data: Float32Array, rows: number, k: number): Float32Array {
  const out = new Float32Array(rows * k);
  out.set(data.subarray(0, Math.min(data.length, rows * k)));
  return out;
}

/**
 * A new model with raw user `rawId` added (or refreshed): its factor row is {@link foldInRow}'s
 * solve of `history` and its history row is replaced by `history`. The input model is unchanged.
 */
export function withUser(model: FactorModel, rawId: RawId, history: FoldInHistory, opts: FoldInOptions = {}): FactorModel {
  const h = resolveHistory(model.itemIndex, history, "item", opts.unknown);
  const row = foldInRow(model, h.indices, h.values, "user", opts);
  const userIndex = model.userIndex.clone();
  const u = userIndex.add(rawId);
  const rows = userIndex.size;
  const k = model.factors;
  const P = grown(model.userFactors.data, rows, k);
  P.set(row.factors, u * k);
  let userBias: Float32Array | undefined;
  if (model.userBias) {
    userBias = new Float32Array(rows);
    userBias.set(model.userBias);
    userBias[u] = row.bias;
  }
  const merged = mergeRows(model.history, rows, model.numItems, new Map([[u, h]]));
  // The ranking part gets the same user, solved by its own objective, and shares the history.
  const ranking = model.ranking ? withUser(model.ranking, rawId, history, opts).with({ userIndex, history: merged }) : undefined;
  return model.with({
    userIndex,
    userFactors: { rows, cols: k, data: P },
    userBias,
    history: merged,
    ranking,
  });
}


/** Options of {@link partialFit}. */
export interface PartialFitOptions extends FoldInOptions {
  /** Alternating passes over the touched rows (default 2). */
  epochs?: number;
}

/**
 * Add or refresh users and items from new interactions, warm-started from the existing model:
 * new (user, item) values are merged into the history (a new value replaces an old one), new ids
 * are appended, then for `epochs` passes every touched user and then every touched item is
 * re-solved by fold-in against the other side, and finally the touched users once more (so their
 * rows match the final items). Untouched rows keep their factors. Needs model.history.
 */
export function partialFit(model: FactorModel, ratings: Ratings, opts: PartialFitOptions = {}): FactorModel {
  if (!model.history) throw new MfrecError("E_UNSUPPORTED", "partialFit needs a model with a training history", { hint: "train with mfrec (models keep their history) or use foldInUser" });
  const epochs = opts.epochs ?? 2;
  if (!Number.isInteger(epochs) || epochs < 1) throw new MfrecError("E_CONFIG", "epochs must be a positive integer", { column: "epochs", value: epochs, expected: "an integer >= 1" });
  const userIndex: IdIndex = model.userIndex.clone();
  const itemIndex: IdIndex = model.itemIndex.clone();
  const uMap = new Int32Array(ratings.userIndex.size).fill(-1);
  const iMap = new Int32Array(ratings.itemIndex.size).fill(-1);
  const rows = new Map<number, Map<number, number>>();
  const touchedItems = new Set<number>();
  for (let t = 0; t < ratings.length; t++) {
    const ru = ratings.users[t]!;
    const ri = ratings.items[t]!;
    if (uMap[ru] === -1) uMap[ru] = userIndex.add(ratings.userIndex.idAt(ru));
    if (iMap[ri] === -1) iMap[ri] = itemIndex.add(ratings.itemIndex.idAt(ri));
    const u = uMap[ru]!;
    let m = rows.get(u);
    if (!m) {
      m = new Map();
      const old = model.history;
      if (u < old.rows) for (let p = old.indptr[u]!; p < old.indptr[u + 1]!; p++) m.set(old.indices[p]!, old.values[p]!);
      rows.set(u, m);
    }
    m.set(iMap[ri]!, ratings.values[t]!);
    touchedItems.add(iMap[ri]!);
  }
  const nU = userIndex.size;
  const nI = itemIndex.size;
  const k = model.factors;
  const replace = new Map<number, { indices: Int32Array; values: Float32Array }>();
  for (const [u, m] of rows) {
    const indices = Int32Array.from([...m.keys()].sort((a, b) => a - b));
    replace.set(u, { indices, values: Float32Array.from(indices, (i) => m.get(i)!) });
  }
  const history = mergeRows(model.history, nU, nI, replace);
  const byItem = transpose(history);
  const P = grown(model.userFactors.data, nU, k);
  const Q = grown(model.itemFactors.data, nI, k);
  const bu = model.userBias ? grown(model.userBias, nU, 1) : undefined;
  const bi = model.itemBias ? grown(model.itemBias, nI, 1) : undefined;
  const users = [...rows.keys()].sort((a, b) => a - b);
  const items = [...touchedItems].sort((a, b) => a - b);
  const snapshot = (): FactorModel =>
    model.with({
      userIndex,
      itemIndex,
      userFactors: { rows: nU, cols: k, data: P },
      itemFactors: { rows: nI, cols: k, data: Q },
      userBias: bu,
      itemBias: bi,
      history,
    });
  // Each pass solves against a snapshot of the current factors; the Gramian cache keys on the arrays, so copies keep it honest.
  const foldsInItems = capabilitiesOf(model.algorithm).foldsInItems !== false;
  const solveSide = (side: "user" | "item", list: number[]): void => {
    const m = snapshot();
    const frozen = m.with({ userFactors: { rows: nU, cols: k, data: P.slice() }, itemFactors: { rows: nI, cols: k, data: Q.slice() } });
    const csr = side === "user" ? history : byItem;
    const X = side === "user" ? P : Q;
    const bias = side === "user" ? bu : bi;
    if (side === "item" && !foldsInItems) return; // e.g. bpr: no item fold-in, items keep their factors (new ones stay 0)
    for (const r of list) {
      const lo = csr.indptr[r]!;
      const hi = csr.indptr[r + 1]!;
      const row = foldInRow(frozen, csr.indices.slice(lo, hi), csr.values.slice(lo, hi), side, opts);
      X.set(row.factors, r * k);
      if (bias) bias[r] = row.bias;
    }
  };
  for (let e = 0; e < epochs; e++) {
    solveSide("user", users);
    solveSide("item", items);
  }
  solveSide("user", users);
  // The ranking part is grown the same way by its own objective, on the same ids and history.
  const ranking = model.ranking ? partialFit(model.ranking, ratings, opts).with({ userIndex, itemIndex, history }) : undefined;
  return snapshot().with({ userFactors: { rows: nU, cols: k, data: P.slice() }, itemFactors: { rows: nI, cols: k, data: Q.slice() }, ranking });
}

