/**
 * A uPlot line chart wrapped for the dashboard: a figure with a caption, an aria-label summary and
 * a visually hidden table of every plotted value (screen readers cannot read a canvas).
 */
import uPlot from "uplot";
import { h, hiddenTable, num } from "./dom.js";

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
  const opts: uPlot.Options = {
    width: width(),
    height: 240,
    scales: { x: { time: false } },
    axes: [{ label: spec.xLabel }, {}],
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
