/**
 * View 3, the embedding map: the most popular items' factor rows (GET /model/embedding, with their
 * titles) projected to 2-D by PCA, computed here. Hover or focus shows the title; click or Enter
 * lists the similar items.
 */
import { api, errorText, titleOf } from "./api.js";
import { h, hiddenTable, num, s, status } from "./dom.js";
import { gramOf, pca2 } from "./pca.js";

/** Items on the map: the most rated ones, so the titles are the recognisable ones. */
const MAP_ITEMS = 200;

interface MapData {
  items: string[];
  titles: string[];
  G: Float64Array;
}

async function load(): Promise<MapData> {
  const e = await api.embedding(MAP_ITEMS);
  return { items: e.items, titles: e.items.map((it, j) => e.titles?.[j] ?? it), G: gramOf(e.factors) };
}

export async function renderEmbedding(root: HTMLElement, _arg: string, signal: AbortSignal): Promise<void> {
  root.append(h("h2", {}, "Embedding map"));
  const note = h("p", { class: "muted" }, "Projecting the items…");
  root.append(note);
  let data: MapData;
  try {
    data = await load();
  } catch (e) {
    note.textContent = `No map: ${errorText(e)}`;
    return;
  }
  if (signal.aborted) return;
  status("");
  const n = data.items.length;
  if (n < 3) {
    note.textContent = "The model has too few items (or no popularity to choose them by) to draw a map.";
    return;
  }
  const titles = data.titles;
  const p = pca2(data.G, n);
  note.textContent = `PCA of the factors of the ${n} most rated items (GET /model/embedding). Axis 1 explains ${num(p.explained[0] * 100, 1)} % of the variance, axis 2 ${num(p.explained[1] * 100, 1)} %. Hover over or focus a point for its title; click or press Enter for similar items.`;

  const W = 640;
  const H = 440;
  const pad = 24;
  // Room for the axis titles and tick labels (left and bottom).
  const left = 52;
  const bottom = 40;
  const ext = (a: Float64Array) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of a) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  };
  const [x0, x1] = ext(p.x) as [number, number];
  const [y0, y1] = ext(p.y) as [number, number];
  const sx = (v: number) => left + ((v - x0) / (x1 - x0)) * (W - left - pad);
  const sy = (v: number) => H - bottom - ((v - y0) / (y1 - y0)) * (H - bottom - pad);
  const px = (i: number) => sx(p.x[i]!);
  const py = (i: number) => sy(p.y[i]!);

  const tip = s("text", { class: "tip", x: 0, y: 0, "aria-hidden": "true" });
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "scatter", role: "group", "aria-label": `Map of ${n} items; arrow keys move between points in left-to-right order` });
  svg.append(s("rect", { x: 0, y: 0, width: W, height: H, class: "bg" }));
  // Axes: the two principal components, five ticks each, and their titles with the variance they explain.
  const axes = s("g", { class: "axes", "aria-hidden": "true" });
  axes.append(s("line", { x1: left, y1: H - bottom, x2: W - pad, y2: H - bottom, class: "axis" }), s("line", { x1: left, y1: pad, x2: left, y2: H - bottom, class: "axis" }));
  for (let t = 0; t <= 4; t++) {
    const vx = x0 + ((x1 - x0) * t) / 4;
    const vy = y0 + ((y1 - y0) * t) / 4;
    axes.append(
      s("line", { x1: sx(vx), y1: H - bottom, x2: sx(vx), y2: H - bottom + 4, class: "axis" }),
      Object.assign(s("text", { x: sx(vx), y: H - bottom + 15, "text-anchor": "middle", class: "tick x-tick" }), { textContent: num(vx, 2) }),
      s("line", { x1: left - 4, y1: sy(vy), x2: left, y2: sy(vy), class: "axis" }),
      Object.assign(s("text", { x: left - 6, y: sy(vy) + 4, "text-anchor": "end", class: "tick y-tick" }), { textContent: num(vy, 2) }),
    );
  }
  axes.append(
    Object.assign(s("text", { x: (left + W - pad) / 2, y: H - 6, "text-anchor": "middle", class: "axis-title", id: "embedding-x-title" }), { textContent: `principal component 1 (${num(p.explained[0] * 100, 1)} % of variance)` }),
    Object.assign(s("text", { x: 12, y: (pad + H - bottom) / 2, "text-anchor": "middle", class: "axis-title", id: "embedding-y-title", transform: `rotate(-90 12 ${(pad + H - bottom) / 2})` }), {
      textContent: `principal component 2 (${num(p.explained[1] * 100, 1)} %)`,
    }),
  );
  svg.append(axes);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.x[a]! - p.x[b]!);
  const dots: SVGCircleElement[] = new Array(n);
  const side = h("div", { id: "embedding-similar", class: "panel", "aria-live": "polite" }, h("p", { class: "muted" }, "Select an item to list its nearest neighbours."));
  const showTip = (i: number) => {
    tip.textContent = titles[i]!;
    const x = px(i);
    tip.setAttribute("x", String(Math.min(x + 8, W - 8)));
    tip.setAttribute("text-anchor", x > W * 0.6 ? "end" : "start");
    tip.setAttribute("y", String(Math.max(py(i) - 8, 14)));
  };
  const select = async (i: number) => {
    for (const d of dots) d.classList.remove("sel", "near");
    dots[i]!.classList.add("sel");
    try {
      const sim = await api.similarItems(data.items[i]!, 8);
      const idx = new Map(data.items.map((it, k) => [it, k]));
      const names = await Promise.all(sim.items.map((r) => (idx.has(r.item) ? titles[idx.get(r.item)!]! : titleOf(r.item))));
      for (const r of sim.items) dots[idx.get(r.item) ?? -1]?.classList.add("near");
      side.replaceChildren(
        h("h3", {}, `Similar to ${titles[i]}`),
        h("ol", { class: "similar" }, ...sim.items.map((r, k) => h("li", {}, `${names[k]} `, h("span", { class: "muted" }, `cosine ${num(r.score, 3)}`)))),
      );
    } catch (e) {
      side.replaceChildren(h("p", { class: "error" }, errorText(e)));
    }
  };
  order.forEach((i, rank) => {
    const c = s("circle", {
      cx: px(i),
      cy: py(i),
      r: 6,
      class: "pt",
      tabindex: rank === 0 ? 0 : -1,
      role: "button",
      "aria-label": `${titles[i]} (axis 1 ${num(p.x[i]!)}, axis 2 ${num(p.y[i]!)})`,
      "data-item": data.items[i]!,
    });
    // The title also as the point's tooltip (SVG <title>), for a pointer that rests on it.
    c.append(Object.assign(s("title", {}), { textContent: titles[i]! }));
    c.addEventListener("mouseenter", () => showTip(i));
    c.addEventListener("focus", () => showTip(i));
    c.addEventListener("click", () => void select(i));
    c.addEventListener("keydown", (ev) => {
      let to = rank;
      if (ev.key === "ArrowRight" || ev.key === "ArrowDown") to = Math.min(n - 1, rank + 1);
      else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") to = Math.max(0, rank - 1);
      else if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        void select(i);
        return;
      } else return;
      ev.preventDefault();
      c.setAttribute("tabindex", "-1");
      const next = dots[order[to]!]!;
      next.setAttribute("tabindex", "0");
      next.focus();
    });
    dots[i] = c;
    svg.append(c);
  });
  svg.append(tip);
  root.append(
    h(
      "div",
      { class: "embed-grid" },
      h(
        "figure",
        { class: "map", id: "embedding-map" },
        h("figcaption", {}, "Items in the plane of the first two principal components"),
        svg,
        h(
          "ul",
          { class: "legend", id: "embedding-legend" },
          h("li", {}, h("span", { class: "swatch pt-swatch", "aria-hidden": "true" }), `item (${n} most rated)`),
          h("li", {}, h("span", { class: "swatch sel-swatch", "aria-hidden": "true" }), "selected"),
          h("li", {}, h("span", { class: "swatch near-swatch", "aria-hidden": "true" }), "most similar to the selected item"),
        ),
      ),
      side,
    ),
    hiddenTable(
      "Item coordinates on the map",
      ["item", "axis 1", "axis 2"],
      data.items.map((_, i) => [titles[i]!, num(p.x[i]!, 3), num(p.y[i]!, 3)]),
    ),
  );
}
