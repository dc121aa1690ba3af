/**
 * View 1, the seed live: an editable ratings matrix factorized in the browser by the library
 * itself (fitSync, the same code as Node), with heat maps of the target, user, item and
 * recommendation matrices. It opens on the seed's own factors (FactorModel.fromMatrices), so
 * User 1 × Casablanca reads 1.1 × 0.9 + 2.3 × 1.7 = 4.9; any edit refits at once.
 */
import { explain, FactorModel, fitSync, getAlgorithm, isMfrecError, listAlgorithms, type ModelConfig, ratingsFromDense } from "mfrec";
import { SEED_ITEM_FACTORS, SEED_ITEMS, SEED_RATINGS, SEED_USER_FACTORS, SEED_USERS } from "mfrec/internal";
import { h, num } from "./dom.js";
import { heatmap } from "./heatmap.js";

/** The algorithms that say how to fit a hand-sized matrix (k ≤ 4, tiny λ, no biases: the seed's plain P·Qᵀ). */
export const ALGORITHMS: readonly string[] = listAlgorithms().filter((a) => getAlgorithm(a).capabilities?.exampleConfig !== undefined);
type Algo = string;

/** The algorithm's own settings for a handful of cells (its `exampleConfig` capability). */
function configFor(algorithm: Algo, k: number): ModelConfig {
  return getAlgorithm(algorithm).capabilities!.exampleConfig!(k);
}

interface SeedState {
  users: string[];
  items: string[];
  ratings: (number | null)[][];
  k: number;
  algorithm: Algo;
  /** "seed": the seed's printed factors; "fit": mfrec's fit of the current matrix. */
  mode: "seed" | "fit";
}

const initial = (): SeedState => ({
  users: [...SEED_USERS],
  items: [...SEED_ITEMS],
  ratings: SEED_RATINGS.map((r) => [...r]),
  k: 2,
  algorithm: "als",
  mode: "seed",
});

let state: SeedState = initial();

interface Fitted {
  model: FactorModel;
  note: string;
}

function currentModel(): Fitted {
  if (state.mode === "seed") {
    return {
      model: FactorModel.fromMatrices({ userMatrix: SEED_USER_FACTORS, itemMatrix: SEED_ITEM_FACTORS, users: state.users, items: state.items }),
      note: "The seed's own factors (k = 2), as printed in the example.",
    };
  }
  const ratings = ratingsFromDense(state.ratings, { users: state.users, items: state.items });
  const config = configFor(state.algorithm, state.k);
  const t0 = performance.now();
  // The seed view is about the rating matrix (and explain of its cells): no ranking part for its 3 × 5 example.
  const model = fitSync(ratings, { ...config, ranking: "none" });
  const ms = performance.now() - t0;
  const last = model.training[model.training.length - 1];
  const rmse = last?.trainRmse === undefined ? "" : `, training RMSE ${num(last.trainRmse, 3)}`;
  return { model, note: `Fitted by mfrec in your browser: ${state.algorithm}, k = ${state.k}, ${model.training.length} epochs in ${num(ms, 1)} ms${rmse}.` };
}

/** "1.1 × 0.9 + 2.3 × 1.7 = 4.9", with μ and biases in front when the model has them. */
export function arithmetic(model: FactorModel, u: number, i: number): string {
  const k = model.factors;
  const P = model.userFactors.data;
  const Q = model.itemFactors.data;
  const terms: string[] = [];
  if (model.globalMean !== 0) terms.push(num(model.globalMean));
  if (model.userBias) terms.push(num(model.userBias[u]!));
  if (model.itemBias) terms.push(num(model.itemBias[i]!));
  for (let f = 0; f < k; f++) terms.push(`${num(P[u * k + f]!)} × ${num(Q[i * k + f]!)}`);
  return `${terms.join(" + ").replace(/\+ -/g, "− ")} = ${num(model.scoreIndex(u, i))}`;
}

/** Render the view into `root`; re-rendered in full on each change (a few dozen cells). */
export function renderSeed(root: HTMLElement): void {
  root.replaceChildren();
  let fitted: Fitted;
  let error = "";
  try {
    fitted = currentModel();
  } catch (e) {
    error = isMfrecError(e) ? `${e.code}: ${e.message}` : String(e);
    state.mode = "seed";
    fitted = currentModel();
  }
  const { model } = fitted;
  const nu = state.users.length;
  const ni = state.items.length;
  const k = model.factors;
  const detail = h("p", { id: "seed-detail", "aria-live": "polite" }, "Hover over or focus a cell to see its arithmetic.");
  const why = h("p", { id: "seed-explain", class: "explain", "aria-live": "polite" });
  const show = (_r: number, _c: number, text: string) => {
    detail.textContent = text;
    why.textContent = "";
  };
  const rerender = () => renderSeed(root);
  const refit = () => {
    state.mode = "fit";
    rerender();
  };

  const kInput = h("input", { id: "seed-k", type: "number", min: 1, max: 4, step: 1, value: state.k, inputmode: "numeric" });
  kInput.addEventListener("change", () => {
    const v = Math.round(Number(kInput.value));
    if (v >= 1 && v <= 4) {
      state.k = v;
      refit();
    }
  });
  const algoSelect = h("select", { id: "seed-algorithm" }, ...ALGORITHMS.map((a) => h("option", { value: a, selected: a === state.algorithm }, a)));
  algoSelect.addEventListener("change", () => {
    state.algorithm = algoSelect.value as Algo;
    refit();
  });
  const toggle = h(
    "button",
    {
      id: "seed-toggle",
      type: "button",
      "aria-pressed": String(state.mode === "fit"),
      onclick: () => {
        state.mode = state.mode === "seed" ? "fit" : "seed";
        if (state.mode === "seed") state = { ...initial(), k: state.k, algorithm: state.algorithm };
        rerender();
      },
    },
    state.mode === "seed" ? "Fit with mfrec" : "Show the seed's factors",
  );
  const controls = h(
    "div",
    { class: "controls" },
    toggle,
    h("label", { for: "seed-algorithm" }, "Algorithm ", algoSelect),
    h("label", { for: "seed-k" }, "Factors k ", kInput),
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          state.users.push(`User ${state.users.length + 1}`);
          state.ratings.push(new Array<number | null>(state.items.length).fill(null));
          refit();
        },
      },
      "+ user",
    ),
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          state.items.push(`Movie ${state.items.length + 1}`);
          for (const r of state.ratings) r.push(null);
          refit();
        },
      },
      "+ movie",
    ),
    h(
      "button",
      {
        type: "button",
        onclick: () => {
          state = initial();
          rerender();
        },
      },
      "Reset",
    ),
  );

  // The editable target matrix: a plain table of number inputs (blank = unrated).
  const editor = h(
    "table",
    { class: "editor", id: "seed-editor" },
    h("caption", {}, "Ratings 1–5 (blank = unrated); editing refits"),
    h("thead", {}, h("tr", {}, h("td", {}), ...state.items.map((it) => h("th", { scope: "col" }, it)))),
    h(
      "tbody",
      {},
      ...state.users.map((u, r) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, u),
          ...state.items.map((it, c) => {
            const v = state.ratings[r]![c];
            const inp = h("input", {
              type: "number",
              min: 1,
              max: 5,
              step: 0.5,
              value: v === null || v === undefined ? "" : v,
              "aria-label": `${u}'s rating of ${it}`,
              "data-row": r,
              "data-col": c,
              inputmode: "decimal",
            });
            inp.addEventListener("change", () => {
              const t = inp.value.trim();
              const x = Number(t);
              state.ratings[r]![c] = t === "" || !(x >= 1 && x <= 5) ? null : x;
              const focusAfter = { r, c };
              refit();
              root.querySelector<HTMLInputElement>(`#seed-editor input[data-row="${focusAfter.r}"][data-col="${focusAfter.c}"]`)?.focus();
            });
            return h("td", {}, inp);
          }),
        ),
      ),
    ),
  );

  const P = model.userFactors.data;
  const Q = model.itemFactors.data;
  const factorNames = Array.from({ length: k }, (_, f) => `factor ${f + 1}`);
  const target = heatmap({
    id: "map-target",
    title: "Target matrix R (known ratings)",
    rows: state.users,
    cols: state.items,
    values: state.ratings,
    scale: "sequential",
    describe: (r, c) => `${state.users[r]} rated ${state.items[c]}: ${state.ratings[r]![c] ?? "not rated"}`,
    onCell: show,
  });
  const userMap = heatmap({
    id: "map-users",
    title: `User matrix P (users × ${k})`,
    rows: state.users,
    cols: factorNames,
    values: Array.from({ length: nu }, (_, u) => Array.from({ length: k }, (_, f) => P[u * k + f]!)),
    scale: "diverging",
    describe: (r, c) => `${state.users[r]}, factor ${c + 1}: ${num(P[r * k + c]!)}`,
    onCell: show,
  });
  const itemMap = heatmap({
    id: "map-items",
    title: `Item matrix Q (${k} × items)`,
    rows: factorNames,
    cols: state.items,
    values: Array.from({ length: k }, (_, f) => Array.from({ length: ni }, (_, i) => Q[i * k + f]!)),
    scale: "diverging",
    describe: (r, c) => `${state.items[c]}, factor ${r + 1}: ${num(Q[c * k + r]!)}`,
    onCell: show,
    labelWidth: 70,
  });
  const rec = heatmap({
    id: "map-rec",
    title: model.implicit ? "Recommendation matrix P·Q (preference scores)" : "Recommendation matrix R̂ = P·Q",
    rows: state.users,
    cols: state.items,
    values: Array.from({ length: nu }, (_, u) => Array.from({ length: ni }, (_, i) => model.scoreIndex(u, i))),
    scale: "sequential",
    marked: (r, c) => state.ratings[r]![c] !== null,
    describe: (r, c) => `${state.users[r]} × ${state.items[c]}: ${arithmetic(model, r, c)}${state.ratings[r]![c] === null ? " (predicted)" : ` (rated ${state.ratings[r]![c]})`}`,
    onCell: (r, c, text) => {
      show(r, c, text);
      why.textContent = explainText(model, state.mode, r, c);
      highlight(root, r, c);
    },
  });

  root.append(
    h("h2", {}, "The seed's example, live"),
    h(
      "p",
      { class: "lead" },
      "Three users rated some of five movies. Matrix factorization finds a user matrix P and an item matrix Q whose product fills the blanks. Hover over or tab to a cell of the recommendation matrix to see its dot product.",
    ),
    controls,
    h("p", { class: "error", role: "alert", hidden: !error }, error ? `Could not fit: ${error}. Showing the seed's factors.` : ""),
    h("p", { id: "seed-note", class: "muted" }, fitted.note, " Dashed outlines in the recommendation matrix mark the cells that were rated; the others are predictions."),
    h("div", { class: "seed-grid" }, h("div", { class: "panel" }, editor), target, userMap, itemMap, rec),
    h("div", { class: "detail" }, detail, why),
  );
}

/**
 * The library's explain(): the score as a sum of the user's rated items' contributions
 * (ALS family and biased SGD); the seed's given factors have no training to explain.
 */
function explainText(model: FactorModel, mode: SeedState["mode"], u: number, i: number): string {
  if (mode === "seed") return "Why: press \"Fit with mfrec\" to see which ratings this score leans on.";
  try {
    const e = explain(model, state.users[u]!, state.items[i]!, { n: 10 });
    const parts = e.contributions.map((c) => {
      const col = state.items.indexOf(c.item);
      return `${c.item} (rated ${state.ratings[u]![col]}) ${c.contribution >= 0 ? "+" : "−"}${num(Math.abs(c.contribution))}`;
    });
    const base = e.baseline !== 0 ? `baseline ${num(e.baseline)} ` : "";
    return `Why: ${base}${parts.join(", ")} = ${num(e.score)}`;
  } catch (err) {
    return isMfrecError(err) ? `Why: ${err.message}` : "";
  }
}

/** Outline user r's row of P and item c's column of Q while a recommendation cell is active. */
function highlight(root: HTMLElement, r: number, c: number): void {
  for (const el of root.querySelectorAll(".cell.hl")) el.classList.remove("hl");
  for (const el of root.querySelectorAll(`[data-map="map-users"][data-row="${r}"], [data-map="map-items"][data-col="${c}"]`)) el.classList.add("hl");
}
