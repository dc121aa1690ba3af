/** View 5, the model registry: versions with their metrics, and activate / roll back (token). */
import { api, errorText, type ModelRecord } from "./api.js";
import { h, modelChanged, num, status } from "./dom.js";

/** The hold-out check of a trained version: RMSE for explicit models, NDCG@10 for implicit ones, with its bound. */
export function validationText(m: Record<string, unknown>): string {
  const v = m.validation as Record<string, unknown> | undefined;
  if (!v || typeof v !== "object") return typeof m.trainRmse === "number" ? `train RMSE ${num(m.trainRmse, 4)} (no hold-out)` : "—";
  const n = (k: string): string => (typeof v[k] === "number" ? num(v[k] as number, 4) : "?");
  if (v.check === "ndcg@10" || typeof v["ndcg@10"] === "number") return `NDCG@10 ${n("ndcg@10")} (bound ${n("bound")}; popularity ${n("popularityNdcg")}, random ${n("randomNdcg")})`;
  return `RMSE ${n("rmse")}, MAE ${n("mae")} (bound ${n("bound")}; mean predictor ${n("baselineRmse")})`;
}

function metricText(m: Record<string, unknown>): string {
  return Object.entries(m)
    .filter(([, v]) => typeof v === "number" || typeof v === "string" || typeof v === "boolean")
    .map(([k, v]) => `${k} ${typeof v === "number" ? num(v, 4) : String(v)}`)
    .join(", ");
}

export async function renderModels(root: HTMLElement, _arg: string, signal: AbortSignal): Promise<void> {
  root.append(h("h2", {}, "Model registry"));
  const box = h("div", { id: "models-box" });
  root.append(h("p", { class: "muted" }, "Every model the server has registered, oldest first. Activating needs the API token (Settings)."), box);
  const show = async () => {
    let models: ModelRecord[];
    try {
      models = (await api.models()).models;
    } catch (e) {
      box.replaceChildren(h("p", { class: "error" }, errorText(e)));
      return;
    }
    if (signal.aborted) return;
    if (models.length === 0) {
      box.replaceChildren(h("p", { class: "muted" }, "No model registered yet."));
      return;
    }
    box.replaceChildren(
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "list", id: "models-table" },
          h("caption", { class: "sr-only" }, "Registered models"),
          h("thead", {}, h("tr", {}, ...["version", "algorithm", "created", "validation", "metrics", "state"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            ...models.map((m) =>
              h(
                "tr",
                { "data-version": m.version, class: m.active ? "active" : "" },
                h("th", { scope: "row" }, `v${m.version}`),
                h("td", {}, m.algorithm),
                h("td", {}, new Date(m.createdAt).toLocaleString()),
                h("td", { class: "validation" }, validationText(m.metrics)),
                h("td", { class: "metrics" }, metricText(m.metrics) || "—"),
                h(
                  "td",
                  {},
                  m.active
                    ? h("strong", {}, "active")
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "small",
                          "aria-label": `Activate version ${m.version}`,
                          onclick: async () => {
                            try {
                              await api.activate(m.version);
                              status(`Version ${m.version} is now active.`);
                              modelChanged();
                              await show();
                            } catch (e) {
                              status(errorText(e), "error");
                            }
                          },
                        },
                        "Activate",
                      ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  await show();
}
