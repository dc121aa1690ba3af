/**
 * A uPlot line chart wrapped for the dashboard: a figure with a caption, an aria-label summary and
 * a visually hidden table of every plotted value (screen readers cannot read a canvas).
 */
import uPlot from "uplot";
import { h, hiddenTable, num } from "./dom.js";
import { compact, linearTicks } from "./ticks.js";

export interface Series {
  label: string;
  values: ReadonlyArray<number | null>;
}

const COLOURS = ["#1f6f8b", "#d1495b", "#edae49", "#66a182", "#6a4c93"];

/** Append a chart of `series` over `x` to `parent`; returns an updater for live data (jobs). */
export function lineChart(parent: HTMLElement, spec: { id: string; title: string; xLabel: string; x: readonly number[]; series: readonly Series[] }): (x: readonly number[], series: readonly Series[]) => void {
  const fig = h("figure", { id: spec.id, class: "chart" }, h("figcaption", {}, spec.title));
  const plotBox = h("div", { class: "plot", role: "img" });
  const tableBox = h("div", {});
  fig.append(plotBox, tableBox);
  parent.append(fig);
  const width = () => Math.max(280, Math.min(760, (parent.clientWidth || 760) - 8));
  // Positive values over more than three decades (a loss from 1e7 down to 1e-3) go on a log axis.
  const all = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const logScale = all.length > 1 && Math.min(...all) > 0 && Math.max(...all) / Math.min(...all) > 1000;
  const font = "12px system-ui, -apple-system, sans-serif";
  const yValues = (_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] => {
    // On a log axis uPlot hands the splits it will not label (2..9 × 10ⁿ) as null: they stay blank.
    const labels = logScale ? splits.map((v) => (v === null || v === undefined ? "" : compact(v))) : linearTicks(splits, incr);
    fig.dataset.yTicks = labels.filter((l) => l !== "").join("|");
    return labels;
  };
  // The axis is as wide as its widest label (uPlot's default 50 px clipped "87,800" to "7,800").
  const ySize = (u: uPlot, values: string[] | null): number => {
    if (!values || values.length === 0) return 40;
    u.ctx.font = font;
    const widest = Math.max(...values.map((v) => u.ctx.measureText(v).width));
    const size = Math.ceil(widest) + 10 + 5 + 6;
    fig.dataset.yAxisSize = String(size);
    return size;
  };
  const opts: uPlot.Options = {
    width: width(),
    height: 240,
    scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
    axes: [{ label: spec.xLabel, font }, { font, values: yValues, size: ySize }],
    series: [{ label: spec.xLabel }, ...spec.series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true, size: 5 } }))],
    legend: { live: true },
  };
  const data = (x: readonly number[], series: readonly Series[]): uPlot.AlignedData => [Array.from(x), ...series.map((s) => Array.from(s.values))];
  const plot = new uPlot(opts, data(spec.x, spec.series), plotBox);
  const describe = (x: readonly number[], series: readonly Series[]) => {
    const last = series.map((s) => `${s.label} ${s.values.length ? num(s.values[s.values.length - 1] ?? Number.NaN, 4) : "none"}`).join(", ");
    plotBox.setAttribute("aria-label", `${spec.title}: ${x.length} points; last ${last}. The values are in the table that follows.`);
    tableBox.replaceChildren(
      hiddenTable(
        `${spec.title} (values)`,
        [spec.xLabel, ...series.map((s) => s.label)],
        x.map((xv, i) => [num(xv, 3), ...series.map((s) => (s.values[i] === null || s.values[i] === undefined ? "—" : num(s.values[i]!, 4)))]),
      ),
    );
  };
  describe(spec.x, spec.series);
  const onResize = () => {
    if (!fig.isConnected) {
      window.removeEventListener("resize", onResize);
      plot.destroy();
      return;
    }
    plot.setSize({ width: width(), height: 240 });
  };
  window.addEventListener("resize", onResize);
  return (x, series) => {
    plot.setData(data(x, series));
    describe(x, series);
  };
}
