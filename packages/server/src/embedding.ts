/**
 * GET /model/embedding: the item factor rows of the active model, for maps and offline analysis.
 * Items come most popular first (the number of ratings the model was trained on, from its history;
 * the store's counts when the model carries none), ties in model order, so `limit` keeps the items
 * a person is most likely to recognise.
 */
import type { FactorModel } from "mfrec";
import type { Store } from "./store.js";

/** The embedding answer (factors rounded to 9 significant digits: exact for float32). */
export interface Embedding {
  modelVersion: number | null;
  items: string[];
  /** Present when at least one listed item has a stored title; null for the others. */
  titles?: Array<string | null>;
  factors: number[][];
}

/** Ratings per dense item: model history column counts, else the store's counts by raw id. */
function itemPopularity(model: FactorModel, store: Store): Float64Array {
  const n = model.numItems;
  const pop = new Float64Array(n);
  const h = model.history;
  if (h && h.indptr[h.rows]! > 0) {
    const nnz = h.indptr[h.rows]!;
    for (let p = 0; p < nnz; p++) pop[h.indices[p]!]!++;
    return pop;
  }
  for (const [id, c] of store.itemCounts()) {
    const i = model.itemIndex.indexOf(id);
    if (i >= 0) pop[i] = c;
  }
  return pop;
}

/** float32 values print exactly in 9 significant digits; more only bloats the JSON. */
function f32(x: number): number {
  return Number(x.toPrecision(9));
}

/** The `limit` most popular items (all when undefined) with their factor rows and titles. */
export function modelEmbedding(model: FactorModel, modelVersion: number | null, store: Store, limit?: number): Embedding {
  const n = model.numItems;
  const k = model.factors;
  const pop = itemPopularity(model, store);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => pop[b]! - pop[a]! || a - b);
  const take = order.slice(0, limit === undefined ? n : Math.min(n, limit));
  const Q = model.itemFactors.data;
  const items = take.map((i) => model.itemIndex.idAt(i));
  const factors = take.map((i) => {
    const row = new Array<number>(k);
    for (let c = 0; c < k; c++) row[c] = f32(Q[i * k + c]!);
    return row;
  });
  const stored = store.itemTitles();
  const out: Embedding = { modelVersion, items, factors };
  if (items.some((id) => stored.has(id))) out.titles = items.map((id) => stored.get(id) ?? null);
  return out;
}
