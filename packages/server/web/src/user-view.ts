/**
 * View 4, a user: their stored ratings, their top-N with scores and, per recommendation, "Why?":
 * the score split into the parts of the items they rated (GET /explain); and a "rate a few items"
 * panel that POSTs ratings (bearer token from Settings) and refreshes the list as they rate (the
 * server folds the user in from the stored ratings). Without a user in the hash the page is for a new visitor.
 */
import { api, errorText, type ModelInfoT, mapLimit, titleOf } from "./api.js";
import { h, num, status } from "./dom.js";

const VISITOR_KEY = "mfrec.visitor";
const POPULAR_PROBE = "mfrec-dashboard-probe";
/** Rated items listed by name under "Why?"; the others are summed in one line. */
const SHOWN_PARTS = 5;

/** This tab's visitor id (a new user to the model), kept in sessionStorage. */
function visitorId(): string {
  let v = sessionStorage.getItem(VISITOR_KEY);
  if (!v) {
    v = `visitor-${crypto.randomUUID().slice(0, 8)}`;
    sessionStorage.setItem(VISITOR_KEY, v);
  }
  return v;
}

export async function renderUser(root: HTMLElement, arg: string, signal: AbortSignal): Promise<void> {
  const user = arg || visitorId();
  const isVisitor = !arg;
  const lookup = h("input", { id: "user-id", type: "text", value: arg, placeholder: "e.g. 196", autocomplete: "off" });
  const form = h("form", { class: "controls", role: "search" }, h("label", { for: "user-id" }, "User id ", lookup), h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = lookup.value.trim() ? `#user/${encodeURIComponent(lookup.value.trim())}` : "#user";
  });
  root.append(h("h2", {}, isVisitor ? "You, a new visitor" : `User ${user}`), form);
  if (isVisitor) root.append(h("p", { class: "muted" }, `You are ${user}. Rate a few items below: your recommendations update as you rate.`));

  let model: ModelInfoT | null = null;
  try {
    model = await api.model();
  } catch (e) {
    root.append(h("p", { class: "error" }, `No model is served: ${errorText(e)}`));
    return;
  }
  const ratingsBox = h("section", { id: "user-ratings", "aria-labelledby": "ur-h" }, h("h3", { id: "ur-h" }, "Ratings"));
  const recsBox = h("section", { id: "user-recs-box", "aria-labelledby": "rec-h" }, h("h3", { id: "rec-h" }, "Recommended"));
  const rateBox = h("section", { id: "rate-panel", "aria-labelledby": "rate-h" }, h("h3", { id: "rate-h" }, isVisitor ? "Rate a few items" : `Rate as ${user}`));
  root.append(h("div", { class: "user-grid" }, recsBox, h("div", {}, ratingsBox, rateBox)));

  let rated = new Map<string, number>();
  const refresh = async () => {
    const [r, recs] = await Promise.all([api.userRatings(user), api.recommend(user, 10)]);
    if (signal.aborted) return;
    rated = new Map(r.ratings.map((x) => [x.item, x.rating]));
    const names = await mapLimit(r.ratings, 8, (x) => titleOf(x.item));
    for (const el of ratingsBox.querySelectorAll(":scope > :not(h3)")) el.remove();
    ratingsBox.append(
      r.ratings.length === 0
        ? h("p", { class: "muted" }, "No stored ratings yet.")
        : h(
            "table",
            { class: "list" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "item"), h("th", { scope: "col" }, "rating"))),
            h("tbody", {}, ...r.ratings.map((x, i) => h("tr", {}, h("td", {}, names[i]!), h("td", {}, num(x.rating))))),
          ),
    );
    const recNames = await mapLimit(recs.items, 8, (x) => titleOf(x.item));
    const source = { model: "from the model's row for this user", "fold-in": "folded in from the stored ratings", popular: "the most popular items (no usable history yet)" }[recs.source];
    for (const el of recsBox.querySelectorAll(":scope > :not(h3)")) el.remove();
    recsBox.append(
      h("p", { class: "muted", id: "user-recs-source", "data-source": recs.source }, `Top ${recs.items.length}, ${source}; model v${recs.modelVersion ?? "?"}.`),
      h(
        "ol",
        { id: "user-recs", class: "recs" },
        ...recs.items.map((x, i) => {
          const why = h("div", { class: "why", "aria-live": "polite" });
          const btn = h("button", { type: "button", class: "small", "aria-label": `Why ${recNames[i]}?`, onclick: () => void explain(x.item, why) }, "Why?");
          return h("li", { "data-item": x.item }, h("span", { class: "rec-title" }, recNames[i]!), " ", h("span", { class: "score" }, num(x.score, 3)), " ", btn, why);
        }),
      ),
    );
  };

  /** GET /explain: the score as the baseline plus each rated item's additive part (the server's explain()). */
  const explain = async (item: string, out: HTMLElement) => {
    out.textContent = "…";
    try {
      if (rated.size === 0) {
        out.textContent = recsSourceText();
        return;
      }
      const e = await api.explain(user, item, SHOWN_PARTS);
      const names = await Promise.all(e.contributions.map((x) => titleOf(x.item)));
      const signed = (v: number) => `${v < 0 ? "−" : "+"}${num(Math.abs(v), 3)}`;
      const parts = e.contributions.map((x, i) =>
        h("li", { "data-contribution": x.contribution }, `${names[i]}`, h("span", { class: "muted" }, ` (rated ${num(rated.get(x.item) ?? Number.NaN)})`), ` ${signed(x.contribution)}`),
      );
      if (e.rest.items > 0) parts.push(h("li", { "data-contribution": e.rest.contribution, class: "muted" }, `${e.rest.items} more rated items ${signed(e.rest.contribution)}`));
      out.replaceChildren(
        h(
          "p",
          { class: "why-total", "data-score": e.score, "data-baseline": e.baseline },
          e.baseline !== 0 ? `Score ${num(e.score, 3)} = baseline ${num(e.baseline, 3)} (μ + item bias), plus each rated item's part:` : `Score ${num(e.score, 3)} = the sum of each rated item's part:`,
        ),
        h("ul", {}, ...parts),
      );
    } catch (e) {
      out.textContent = errorText(e);
    }
  };
  const recsSourceText = () => "No ratings yet: this is a popularity ranking.";

  // The rate panel: popular items, one button per rating value.
  const scale = model.ratingScale && model.ratingScale.length === 2 ? model.ratingScale : null;
  const values = model.implicit || !scale ? [1] : Array.from({ length: Math.floor(scale[1]! - scale[0]!) + 1 }, (_, i) => scale[0]! + i);
  const popular = await api.recommend(POPULAR_PROBE, 12);
  const popNames = await mapLimit(popular.items, 8, (x) => titleOf(x.item));
  if (signal.aborted) return;
  await refresh();
  const rate = async (item: string, v: number, row: HTMLElement) => {
    try {
      await api.rate(user, item, v);
      row.dataset.rated = String(v);
      for (const b of row.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.value === String(v)));
      status(`Rated ${v}. Updating recommendations…`);
      await refresh();
      status(`Rated ${v}; recommendations updated.`);
    } catch (e) {
      status(errorText(e), "error");
    }
  };
  rateBox.append(
    h("p", { class: "muted" }, values.length === 1 ? "Mark the items you like." : `Rate on the model's scale ${values[0]}–${values[values.length - 1]}. Needs the API token (Settings).`),
    h(
      "ul",
      { class: "rate-list", id: "rate-list" },
      ...popular.items.map((x, i) => {
        const row = h("li", { "data-item": x.item }, h("span", { class: "rate-title" }, popNames[i]!));
        const group = h("span", { class: "rate-buttons", role: "group", "aria-label": `Rate ${popNames[i]}` });
        for (const v of values) {
          group.append(
            h(
              "button",
              { type: "button", class: "small", "data-value": v, "aria-pressed": String(rated.get(x.item) === v), "aria-label": values.length === 1 ? `Like ${popNames[i]}` : `Rate ${popNames[i]} ${v}`, onclick: () => void rate(x.item, v, row) },
              values.length === 1 ? "♥" : String(v),
            ),
          );
        }
        row.append(group);
        return row;
      }),
    ),
  );
}
