/**
 * The dashboard shell: a hash router over five views (#seed, #training, #embedding, #user/<id>,
 * #models), the token setting (sessionStorage) and a health line.
 */
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { api, errorText, getToken, setToken } from "./api.js";
import { status } from "./dom.js";
import { renderEmbedding } from "./embedding-view.js";
import { renderModels } from "./models-view.js";
import { renderSeed } from "./seed-view.js";
import { renderTraining } from "./training-view.js";
import { renderUser } from "./user-view.js";

type View = (root: HTMLElement, arg: string, signal: AbortSignal) => void | Promise<void>;

const VIEWS: Record<string, { title: string; render: View }> = {
  seed: { title: "Seed, live", render: (root) => renderSeed(root) },
  training: { title: "Training", render: renderTraining },
  embedding: { title: "Embedding map", render: renderEmbedding },
  user: { title: "User", render: renderUser },
  models: { title: "Models", render: renderModels },
};

let current: AbortController | null = null;

/** Render the view named by the hash ("#user/196" → view "user", argument "196"). */
async function route(): Promise<void> {
  const raw = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [name = "seed", ...rest] = raw.split("/");
  const view = VIEWS[name] ?? VIEWS.seed!;
  const key = VIEWS[name] ? name : "seed";
  current?.abort();
  current = new AbortController();
  for (const a of document.querySelectorAll<HTMLAnchorElement>("#nav a")) {
    if (a.dataset.view === key) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${view.title} · mfrec dashboard`;
  const main = document.getElementById("main")!;
  main.replaceChildren();
  main.dataset.view = key;
  status("");
  try {
    await view.render(main, rest.join("/"), current.signal);
  } catch (e) {
    if (!current.signal.aborted) status(errorText(e), "error");
  }
}

function settings(): void {
  const input = document.getElementById("token-input") as HTMLInputElement;
  input.value = getToken();
  document.getElementById("settings-form")!.addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken(input.value.trim());
    status(input.value.trim() ? "Token saved for this tab." : "Token cleared.");
  });
  const health = document.getElementById("health")!;
  const refresh = (): void => {
    api.health().then(
      (hl) => {
        health.textContent = `server up · model v${hl.modelVersion ?? "none"} · ${hl.ratings} ratings${hl.readOnly ? " · read-only" : ""}${hl.trainingJob ? " · training" : ""}`;
        health.dataset.modelVersion = String(hl.modelVersion ?? "");
      },
      (e) => {
        health.textContent = `no API: ${errorText(e)}`;
      },
    );
  };
  refresh();
  // The header follows the active model: at once after a retrain or an activation here, and every
  // 10 s for changes made elsewhere (another tab, curl).
  window.addEventListener("mfrec:model-changed", refresh);
  setInterval(refresh, 10_000);
}

window.addEventListener("hashchange", () => void route());
settings();
void route();
