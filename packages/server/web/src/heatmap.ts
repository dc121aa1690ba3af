/**
 * An SVG heat map whose cells are keyboard-focusable (one tab stop, arrow keys move: the roving
 * tabindex pattern), each with an aria-label, plus a visually hidden table of the values. Hover or
 * focus reports a cell through `onCell` (the seed view shows the dot-product arithmetic there).
 */
import { h, hiddenTable, num, s } from "./dom.js";

export interface HeatmapSpec {
  /** DOM id of the figure; cells get data-map = id. */
  id: string;
  title: string;
  rows: readonly string[];
  cols: readonly string[];
  /** values[r][c]; null = blank (unrated). */
  values: ReadonlyArray<ReadonlyArray<number | null>>;
  /** "diverging" centres the colours on 0 (factors), "sequential" runs low → high (ratings, scores). */
  scale: "diverging" | "sequential";
  /** Long description of cell (r, c) for the detail line and its aria-label. */
  describe: (r: number, c: number) => string;
  /** Cells drawn with an outline (e.g. rated cells in the recommendation matrix). */
  marked?: (r: number, c: number) => boolean;
  onCell?: (r: number, c: number, text: string) => void;
  /** Width of the row-label column in SVG units. */
  labelWidth?: number;
}

const CELL_W = 58;
const CELL_H = 34;
const HEAD_H = 74;

/** Colour of value t ∈ [0, 1] (sequential) or [-1, 1] (diverging). */
function colour(t: number, scale: HeatmapSpec["scale"]): string {
  if (scale === "sequential") {
    // light yellow → deep teal
    const a = [255, 247, 200];
    const b = [21, 120, 130];
    const m = (i: number) => Math.round(a[i]! + (b[i]! - a[i]!) * t);
    return `rgb(${m(0)},${m(1)},${m(2)})`;
  }
  const mid = [247, 247, 247];
  const end = t >= 0 ? [214, 96, 77] : [67, 147, 195];
  const u = Math.min(1, Math.abs(t));
  const m = (i: number) => Math.round(mid[i]! + (end[i]! - mid[i]!) * u);
  return `rgb(${m(0)},${m(1)},${m(2)})`;
}

/** Dark text on light cells, light text on dark ones (relative luminance threshold). */
function inkFor(rgb: string): string {
  const [r, g, b] = rgb.match(/\d+/g)!.map(Number) as [number, number, number];
  const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return lum > 0.55 ? "#111" : "#fff";
}

/** Build the figure (SVG + caption + hidden table). */
export function heatmap(spec: HeatmapSpec): HTMLElement {
  const { rows, cols, values } = spec;
  const lw = spec.labelWidth ?? 96;
  // Room on the right for the last column's slanted label.
  const width = lw + cols.length * CELL_W + 44;
  const height = HEAD_H + rows.length * CELL_H + 4;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const row of values) {
    for (const v of row) {
      if (v === null) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const absMax = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
  const t = (v: number) => (spec.scale === "diverging" ? v / absMax : hi > lo ? (v - lo) / (hi - lo) : 0.5);

  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    class: "heatmap",
    role: "group",
    "aria-label": `${spec.title}: ${rows.length} rows by ${cols.length} columns; use the arrow keys to move between cells`,
  });
  cols.forEach((c, j) => {
    const x = lw + j * CELL_W + CELL_W / 2;
    svg.append(s("text", { x, y: HEAD_H - 8, class: "col-label", transform: `rotate(-35 ${x} ${HEAD_H - 8})`, "aria-hidden": "true" }, short(c, 16)));
  });
  const cells: SVGGElement[] = [];
  rows.forEach((rname, r) => {
    svg.append(s("text", { x: lw - 6, y: HEAD_H + r * CELL_H + CELL_H / 2 + 4, class: "row-label", "aria-hidden": "true" }, short(rname, 13)));
    cols.forEach((_, c) => {
      const v = values[r]![c] ?? null;
      const fill = v === null ? "#fff" : colour(t(v), spec.scale);
      const text = spec.describe(r, c);
      const g = s(
        "g",
        {
          class: spec.marked?.(r, c) ? "cell marked" : "cell",
          tabindex: r === 0 && c === 0 ? 0 : -1,
          role: "img",
          "aria-label": text,
          "data-map": spec.id,
          "data-row": r,
          "data-col": c,
          "data-value": v === null ? "" : String(v),
        },
        s("rect", { x: lw + c * CELL_W + 1, y: HEAD_H + r * CELL_H + 1, width: CELL_W - 2, height: CELL_H - 2, rx: 3, fill }),
        s("text", { x: lw + c * CELL_W + CELL_W / 2, y: HEAD_H + r * CELL_H + CELL_H / 2 + 5, fill: v === null ? "#777" : inkFor(fill), class: "cell-text" }, v === null ? "·" : num(v)),
      );
      const report = () => spec.onCell?.(r, c, text);
      g.addEventListener("mouseenter", report);
      g.addEventListener("focus", report);
      cells.push(g);
      svg.append(g);
    });
  });
  svg.addEventListener("keydown", (ev) => moveFocus(ev, cells, rows.length, cols.length));

  const table = hiddenTable(
    `${spec.title} (values)`,
    ["", ...cols],
    rows.map((rn, r) => [rn, ...cols.map((_, c) => (values[r]![c] === null || values[r]![c] === undefined ? "blank" : num(values[r]![c]!)))]),
  );
  return h("figure", { id: spec.id, class: "map" }, h("figcaption", {}, spec.title), h("div", { class: "map-scroll" }, svg), table);
}

/** Arrow keys, Home and End move the single tab stop between cells. */
function moveFocus(ev: KeyboardEvent, cells: SVGGElement[], nr: number, nc: number): void {
  const cur = cells.indexOf(ev.target as SVGGElement);
  if (cur < 0) return;
  let r = Math.floor(cur / nc);
  let c = cur % nc;
  switch (ev.key) {
    case "ArrowRight":
      c = Math.min(nc - 1, c + 1);
      break;
    case "ArrowLeft":
      c = Math.max(0, c - 1);
      break;
    case "ArrowDown":
      r = Math.min(nr - 1, r + 1);
      break;
    case "ArrowUp":
      r = Math.max(0, r - 1);
      break;
    case "Home":
      c = 0;
      break;
    case "End":
      c = nc - 1;
      break;
    default:
      return;
  }
  ev.preventDefault();
  const next = cells[r * nc + c]!;
  for (const x of cells) x.setAttribute("tabindex", "-1");
  next.setAttribute("tabindex", "0");
  next.focus();
}

function short(x: string, n: number): string {
  return x.length <= n ? x : `${x.slice(0, n - 1)}…`;
}
