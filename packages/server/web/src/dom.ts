/** Tiny DOM helpers: element builder, number formatting, a status line. */

type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

/** h("button", { class: "x", onclick: f }, "Label"): attributes, `on*` listeners, children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** A number with at most `d` decimals and no trailing zeros (1.10 → "1.1", 4.9000001 → "4.9"). */
export function num(x: number, d = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Number(x.toFixed(d));
  return Object.is(r, -0) ? "0" : String(r);
}

/** Announce a message in the page's status line (also read by screen readers). */
/** The active model may have changed (a retrain finished, a version was activated): the header refreshes. */
export function modelChanged(): void {
  window.dispatchEvent(new Event("mfrec:model-changed"));
}

export function status(msg: string, kind: "info" | "error" = "info"): void {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = msg;
  el.dataset.kind = kind;
}

/**
 * A visually hidden table of plotted values, for screen readers. Wrapped in a div because a
 * table ignores overflow: hidden and would widen the page on a phone.
 */
export function hiddenTable(caption: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): HTMLDivElement {
  return h(
    "div",
    { class: "sr-only" },
    h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => (i === 0 ? h("th", { scope: "row" }, String(c)) : h("td", {}, String(c))))))),
    ),
  );
}
