/**
 * View 2, training: the served model's per-epoch report (loss, train RMSE, validation metrics) and
 * a retrain job followed live by polling GET /jobs/:id, whose loss per epoch is charted as it comes.
 */
import { api, errorText, type Job, type ModelInfoT } from "./api.js";
import { lineChart, type Series } from "./chart.js";
import { h, modelChanged, num, status } from "./dom.js";
import { ALGORITHMS } from "./seed-view.js";

/** Per-epoch rows of a training report, loosely typed on the wire. */
interface EpochRow {
  epoch: number;
  loss: number;
  trainRmse?: number;
  validation?: Record<string, number>;
}

function epochRows(training: ReadonlyArray<Record<string, unknown>>): EpochRow[] {
  return training.filter((r): r is Record<string, unknown> & EpochRow => typeof r.epoch === "number" && typeof r.loss === "number");
}

/** Loss, and the metric series (train RMSE, validation.*) of a report. */
function seriesOf(rows: EpochRow[]): { loss: Series[]; metrics: Series[] } {
  const metrics: Series[] = [];
  if (rows.some((r) => r.trainRmse !== undefined)) metrics.push({ label: "train RMSE", values: rows.map((r) => r.trainRmse ?? null) });
  const keys = new Set<string>();
  for (const r of rows) for (const key of Object.keys(r.validation ?? {})) keys.add(key);
  for (const key of keys) metrics.push({ label: `validation ${key}`, values: rows.map((r) => r.validation?.[key] ?? null) });
  return { loss: [{ label: "loss", values: rows.map((r) => r.loss) }], metrics };
}

function statsList(m: ModelInfoT): HTMLElement {
  const st = m.stats as Record<string, unknown>;
  const entries: [string, string][] = [
    ["version", m.record ? String(m.record.version) : "—"],
    ["algorithm", String(st.algorithm ?? m.config.algorithm ?? "?")],
    ["users × items", `${st.users} × ${st.items}`],
    ["factors k", String(st.factors)],
    ["parameters", String(st.parameters)],
    ["compression", typeof st.compression === "number" ? `${num(st.compression * 100, 2)} % of the full matrix` : "—"],
    ["ratings", String(st.ratings ?? "—")],
    ["users folded in since", String(m.foldedInUsers)],
  ];
  return h("dl", { class: "stats" }, ...entries.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

export async function renderTraining(root: HTMLElement, _arg: string, signal: AbortSignal): Promise<void> {
  root.append(h("h2", {}, "Training"));
  const modelBox = h("section", { "aria-labelledby": "served-h" }, h("h3", { id: "served-h" }, "The served model"));
  const jobBox = h("section", { "aria-labelledby": "retrain-h" }, h("h3", { id: "retrain-h" }, "Retrain"));
  root.append(modelBox, jobBox);

  const showModel = async () => {
    for (const el of modelBox.querySelectorAll(":scope > :not(h3)")) el.remove();
    let m: ModelInfoT;
    try {
      m = await api.model();
    } catch (e) {
      modelBox.append(h("p", { class: "muted" }, `No model: ${errorText(e)}`));
      return;
    }
    if (signal.aborted) return;
    modelBox.append(statsList(m));
    const rows = epochRows(m.training);
    if (rows.length === 0) {
      modelBox.append(h("p", { class: "muted" }, "This model carries no per-epoch report."));
      return;
    }
    const x = rows.map((r) => r.epoch);
    const { loss, metrics } = seriesOf(rows);
    lineChart(modelBox, { id: "chart-loss", title: "Training loss per epoch", xLabel: "epoch", x, series: loss });
    if (metrics.length) lineChart(modelBox, { id: "chart-metrics", title: "Train and validation metrics per epoch", xLabel: "epoch", x, series: metrics });
  };
  await showModel();

  const algo = h("select", { id: "train-algorithm" }, ...ALGORITHMS.map((a) => h("option", { value: a }, a)));
  const factors = h("input", { id: "train-factors", type: "number", min: 1, max: 256, value: 8 });
  const epochs = h("input", { id: "train-epochs", type: "number", min: 1, max: 500, value: 10 });
  const out = h("div", { id: "job-out", "aria-live": "polite" });
  const go = h("button", { type: "submit", id: "train-start" }, "Start training");
  const form = h(
    "form",
    { class: "controls" },
    h("label", { for: "train-algorithm" }, "Algorithm ", algo),
    h("label", { for: "train-factors" }, "Factors ", factors),
    h("label", { for: "train-epochs" }, "Epochs ", epochs),
    go,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      go.disabled = true;
      try {
        const job = await api.train({ algorithm: algo.value, config: { factors: Number(factors.value), epochs: Number(epochs.value) } });
        await follow(job, out, signal);
        await showModel();
      } catch (e) {
        status(errorText(e), "error");
      } finally {
        go.disabled = false;
      }
    })();
  });
  jobBox.append(h("p", { class: "muted" }, "Retrains from the stored ratings in a background worker (needs the token)."), form, out);
}

/** Loss per epoch of both fits of a job, and the trial fit's hold-out RMSE, aligned on epoch 1..E. */
function jobSeries(epochs: NonNullable<Job["epochs"]>): { x: number[]; loss: Series[]; holdout: Series[] } {
  const last = epochs.reduce((m, e) => Math.max(m, e.epoch), 0);
  const x = Array.from({ length: last }, (_, i) => i + 1);
  const at = (phase: "validate" | "final", f: (e: NonNullable<Job["epochs"]>[number]) => number | undefined) => {
    const v: Array<number | null> = x.map(() => null);
    for (const e of epochs) if (e.phase === phase) v[e.epoch - 1] = f(e) ?? null;
    return v;
  };
  // A fixed pair of series: uPlot's series are set when the chart is made (no trial fit with holdout 0: its line stays empty).
  const loss: Series[] = [
    { label: "trial fit loss", values: at("validate", (e) => e.loss) },
    { label: "final fit loss", values: at("final", (e) => e.loss) },
  ];
  // Explicit models report hold-out RMSE per epoch, implicit ones (ials, wals, bpr) NDCG@10.
  const key = epochs.find((e) => e.validation)?.validation?.rmse !== undefined ? "rmse" : (Object.keys(epochs.find((e) => e.validation)?.validation ?? {})[0] ?? "rmse");
  const label = key === "rmse" ? "hold-out RMSE (trial fit)" : `hold-out ${key.toUpperCase()} (trial fit)`;
  return { x, loss, holdout: [{ label, values: at("validate", (e) => e.validation?.[key]) }] };
}

/** Poll a job until it ends, charting its loss per epoch live (GET /jobs/:id reports each epoch as it ends). */
async function follow(job: Job, out: HTMLElement, signal: AbortSignal): Promise<void> {
  out.replaceChildren();
  const line = h("p", { class: "job-status" });
  const bar = h("progress", { id: "job-progress", max: 100, value: 0 });
  out.append(line, bar);
  const empty = jobSeries([]);
  const updateLoss = lineChart(out, { id: "chart-job-loss", title: "Retrain loss per epoch (live)", xLabel: "epoch", x: [], series: empty.loss });
  const updateHoldout = lineChart(out, { id: "chart-job-holdout", title: "Hold-out metric per epoch of the trial fit (live: RMSE, or NDCG@10 for implicit models)", xLabel: "epoch", x: [], series: empty.holdout });
  let shown = -1;
  let j = job;
  for (;;) {
    const epochs = j.epochs ?? [];
    if (epochs.length !== shown) {
      shown = epochs.length;
      const d = jobSeries(epochs);
      updateLoss(d.x, d.loss);
      updateHoldout(d.x, d.holdout);
    }
    bar.value = j.progress * 100;
    const lastEpoch = epochs[epochs.length - 1];
    const where = lastEpoch ? `, ${lastEpoch.phase === "validate" ? "trial" : "final"} fit epoch ${lastEpoch.epoch}, loss ${num(lastEpoch.loss, 4)}` : "";
    line.textContent = `Job ${j.id.slice(0, 8)}: ${j.status}, ${num(j.progress * 100, 0)} %${where}${j.error ? ` — ${j.error}` : ""}`;
    if (j.status === "succeeded" || j.status === "failed" || signal.aborted) break;
    await new Promise((ok) => setTimeout(ok, 300));
    j = await api.job(j.id);
  }
  if (j.report) {
    const entries = Object.entries(j.report).filter(([, v]) => typeof v === "number" || typeof v === "boolean" || typeof v === "string");
    out.append(h("dl", { class: "stats" }, ...entries.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "number" ? num(v, 4) : String(v))])));
  }
  status(j.status === "succeeded" ? `Job finished: model version ${j.modelVersion}.` : `Job ${j.status}${j.error ? `: ${j.error}` : ""}`, j.status === "failed" ? "error" : "info");
  if (j.status === "succeeded") modelChanged();
}
