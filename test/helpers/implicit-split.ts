import { readFileSync } from "node:fs";
import { type Ratings, ratingsFromColumns } from "../../src/data/ratings.js";
import type { FactorModel } from "../../src/model/factor-model.js";
import { ndcgAt } from "./ndcg.js";

/** Read a split CSV (header user,item[,value]) into Ratings; value defaults to 1. */
export function readSplit(path: string): Ratings {
  const lines = readFileSync(path, "utf8").split("\n");
  const users: string[] = [];
  const items: string[] = [];
  const values: number[] = [];
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!.trim();
    if (line === "") continue;
    const f = line.split(",");
    users.push(f[0]!);
    items.push(f[1]!);
    values.push(f.length > 2 ? Number(f[2]) : 1);
  }
  return ratingsFromColumns({ users, items, values }, { source: path });
}

/** Test items per raw user id. */
export function testSets(test: Ratings): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (let k = 0; k < test.length; k++) {
    const u = test.userIndex.idAt(test.users[k]!);
    let s = m.get(u);
    if (!s) m.set(u, (s = new Set()));
    s.add(test.itemIndex.idAt(test.items[k]!));
  }
  return m;
}

/**
 * Mean NDCG@n over test users: every model item ranked by p_u·q_i + b_i (implicit models have no μ or b_u), training items
 * excluded; test items absent from training count in IDCG; a test user unknown to the model scores 0.
 */
export function meanNdcg(model: FactorModel, test: Ratings, n = 10): number {
  const sets = testSets(test);
  const nI = model.numItems;
  const scores = new Float64Array(nI);
  const h = model.history!;
  const k = model.factors;
  const P = model.userFactors.data;
  const Q = model.itemFactors.data;
  const bias = model.itemBias;
  let total = 0;
  for (const [user, rel] of sets) {
    const u = model.userIndex.indexOf(user);
    if (u < 0) continue;
    const uo = u * k;
    for (let i = 0; i < nI; i++) {
      let s = bias ? bias[i]! : 0;
      const io = i * k;
      for (let f = 0; f < k; f++) s += P[uo + f]! * Q[io + f]!;
      scores[i] = s;
    }
    for (let p = h.indptr[u]!; p < h.indptr[u + 1]!; p++) scores[h.indices[p]!] = Number.NEGATIVE_INFINITY;
    const top: number[] = [];
    for (let i = 0; i < nI; i++) {
      const s = scores[i]!;
      if (s === Number.NEGATIVE_INFINITY) continue;
      if (top.length < n || s > scores[top[top.length - 1]!]!) {
        let pos = top.length;
        while (pos > 0 && scores[top[pos - 1]!]! < s) pos--;
        top.splice(pos, 0, i);
        if (top.length > n) top.pop();
      }
    }
    total += ndcgAt(top.map((i) => model.itemIndex.idAt(i)), rel, n);
  }
  return total / sets.size;
}
