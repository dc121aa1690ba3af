/**
 * The dashboard in a real browser against the real server: Vite builds the bundle, `mfrec serve`
 * serves it with a small trained model, Debian's chromium (playwright-core) drives every view at
 * 1280×800 and 375×667 and writes screenshots under test-results/.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { SEED_PRODUCT } from "../../src/cli/seed-example.js";
import { browserSkip, buildWeb, collectErrors, launchBrowser, resultPath, type ServedDashboard, serveDashboard, TOKEN } from "../helpers/browser.js";

const skip = browserSkip();
if (skip) console.log(`# SKIP dashboard browser tests: ${skip}`);

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 375, height: 667 },
] as const;

/** What shows that each view has rendered its data. */
const READY: Record<string, string> = {
  seed: '[data-map="map-rec"][data-row="0"][data-col="0"]',
  training: "#chart-loss canvas",
  embedding: "#embedding-map circle.pt",
  user: "#user-recs li",
  models: "#models-table tbody tr",
};

describe("dashboard (browser)", { skip, timeout: 120_000 }, () => {
  let server: ServedDashboard;
  let context: BrowserContext;
  let closeBrowser: () => Promise<void>;

  before(async () => {
    buildWeb();
    server = await serveDashboard();
    ({ context, close: closeBrowser } = await launchBrowser());
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
  });

  /** A new tab with error collection, at `hash`. */
  async function open(hash: string, viewport: { width: number; height: number } = VIEWPORTS[0]): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const errors = collectErrors(page);
    await page.goto(`${server.url}/${hash}`);
    return { page, errors };
  }

  const recValues = (page: Page): Promise<number[][]> =>
    page.$$eval('[data-map="map-rec"]', (cells) => {
      const out: number[][] = [];
      for (const c of cells) {
        const r = Number(c.getAttribute("data-row"));
        const k = Number(c.getAttribute("data-col"));
        (out[r] ??= [])[k] = Number(c.getAttribute("data-value"));
      }
      return out;
    });

  it("seed view: the seed's factors give its recommendation matrix, and Casablanca's arithmetic reads 4.9", async () => {
    const { page, errors } = await open("#seed");
    await page.waitForSelector(READY.seed!);
    const rec = await recValues(page);
    assert.equal(rec.length, 3);
    for (let u = 0; u < 3; u++) for (let i = 0; i < 5; i++) assert.ok(Math.abs(rec[u]![i]! - SEED_PRODUCT[u]![i]!) < 0.006, `cell ${u},${i}: ${rec[u]![i]} vs ${SEED_PRODUCT[u]![i]}`);
    await page.focus(READY.seed!);
    const detail = await page.textContent("#seed-detail");
    assert.match(detail ?? "", /User 1 × Casablanca: 1\.1 × 0\.9 \+ 2\.3 × 1\.7 = 4\.9\b/);
    // Hover shows the same arithmetic for another cell: User 3 × Wonder Woman = 2.5·2.0 + 0.5·(−0.1) = 4.95.
    await page.hover('[data-map="map-rec"][data-row="2"][data-col="3"]');
    assert.match((await page.textContent("#seed-detail")) ?? "", /2\.5 × 2 \+ 0\.5 × -0\.1 = 4\.95/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("seed view: fitting with mfrec reproduces the ratings, and editing a rating refits the recommendation matrix", async () => {
    const { page, errors } = await open("#seed");
    await page.waitForSelector(READY.seed!);
    await page.click("#seed-toggle");
    await page.waitForFunction(() => document.querySelector("#seed-note")?.textContent?.includes("Fitted by mfrec"));
    const fitted = await recValues(page);
    const known: [number, number, number][] = [
      [0, 0, 5],
      [0, 1, 3],
      [0, 3, 2],
      [1, 0, 4],
      [1, 3, 1],
      [1, 4, 5],
      [2, 1, 1],
      [2, 2, 4],
      [2, 3, 5],
      [2, 4, 4],
    ];
    for (const [u, i, r] of known) assert.ok(Math.abs(fitted[u]![i]! - r) < 0.5, `fit of ${u},${i} = ${fitted[u]![i]}, rating ${r}`);
    // explain(): User 1's Black Panther score as the sum of their three ratings' contributions.
    await page.focus('[data-map="map-rec"][data-row="0"][data-col="2"]');
    const why = (await page.textContent("#seed-explain")) ?? "";
    const m = /^Why: (.*) = (-?[\d.]+)$/.exec(why);
    assert.ok(m, `explain line: ${why}`);
    const parts = [...m[1]!.matchAll(/\(rated [\d.]+\) ([+−])([\d.]+)/g)].map((p) => (p[1] === "−" ? -1 : 1) * Number(p[2]));
    assert.equal(parts.length, 3, "one contribution per rated movie");
    const total = Number(m[2]);
    assert.ok(Math.abs(parts.reduce((a, b) => a + b, 0) - total) < 0.03, `${parts} do not sum to ${total}`);
    assert.ok(Math.abs(total - fitted[0]![2]!) < 0.05, `explained ${total}, predicted ${fitted[0]![2]}`);
    // User 1 now hates Casablanca: their predicted Casablanca score must follow.
    const cell = '#seed-editor input[data-row="0"][data-col="0"]';
    await page.fill(cell, "1");
    await page.press(cell, "Enter");
    await page.waitForFunction(() => Number(document.querySelector('[data-map="map-rec"][data-row="0"][data-col="0"]')?.getAttribute("data-value")) < 2.5);
    const after = await recValues(page);
    assert.ok(Math.abs(after[0]![0]! - 1) < 0.5, `refit cell = ${after[0]![0]}`);
    assert.notDeepEqual(after, fitted);
    // A blank filled in becomes a rated (outlined) cell.
    await page.fill('#seed-editor input[data-row="0"][data-col="2"]', "4");
    await page.press('#seed-editor input[data-row="0"][data-col="2"]', "Tab");
    await page.waitForSelector('[data-map="map-rec"][data-row="0"][data-col="2"].marked');
    // Changing k refits with k columns in the user matrix.
    await page.fill("#seed-k", "3");
    await page.press("#seed-k", "Enter");
    await page.waitForSelector('[data-map="map-users"][data-col="2"]');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("keyboard: Tab reaches the matrix cells, arrow keys move between them and focus shows the arithmetic", async () => {
    const { page, errors } = await open("#seed");
    await page.waitForSelector(READY.seed!);
    let onCell = false;
    for (let k = 0; k < 80 && !onCell; k++) {
      await page.keyboard.press("Tab");
      onCell = await page.evaluate(() => document.activeElement?.getAttribute("data-map") === "map-target");
    }
    assert.ok(onCell, "Tab never reached a heat-map cell");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    const pos = await page.evaluate(() => [document.activeElement?.getAttribute("data-row"), document.activeElement?.getAttribute("data-col")]);
    assert.deepEqual(pos, ["1", "1"]);
    // Tab leaves the map (one tab stop per map) and reaches the next maps; the recommendation map shows arithmetic.
    for (let k = 0; k < 4; k++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.getAttribute("data-map") === "map-rec")) break;
    }
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-map")), "map-rec");
    assert.match((await page.textContent("#seed-detail")) ?? "", /= \d/);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!.querySelector("rect")!).strokeWidth);
    assert.equal(outline, "4px", "the focused cell has a visible focus ring");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("user view: a new visitor's recommendations change after rating three items", async () => {
    const { page, errors } = await open("#user");
    await page.click(".settings summary");
    await page.fill("#token-input", TOKEN);
    await page.press("#token-input", "Enter");
    await page.waitForSelector("#rate-list li button");
    await page.waitForSelector(READY.user!);
    const ids = () => page.$$eval("#user-recs li", (lis) => lis.map((li) => li.getAttribute("data-item")));
    const before = await ids();
    assert.equal(await page.getAttribute("#user-recs-source", "data-source"), "popular");
    const rows = await page.$$eval("#rate-list li", (lis) => lis.map((li) => li.getAttribute("data-item")!));
    const plan: [string, number][] = [
      [rows[0]!, 5],
      [rows[1]!, 5],
      [rows[2]!, 1],
    ];
    for (const [item, v] of plan) {
      await page.click(`#rate-list li[data-item="${item}"] button[data-value="${v}"]`);
      await page.waitForFunction((it) => document.querySelector(`#rate-list li[data-item="${it}"]`)?.getAttribute("data-rated") !== null, item);
      await page.waitForFunction(() => document.getElementById("status")?.textContent?.includes("recommendations updated"));
    }
    await page.waitForFunction(() => document.getElementById("user-recs-source")?.getAttribute("data-source") === "fold-in");
    const afterIds = await ids();
    assert.notDeepEqual(afterIds, before);
    for (const [item] of plan) assert.ok(!afterIds.includes(item), "rated items are not recommended again");
    // The stored ratings are listed with their titles.
    const listed = await page.$$eval("#user-ratings tbody tr", (trs) => trs.length);
    assert.equal(listed, 3);
    const firstTitle = server.titles.get(plan[0]![0])!;
    assert.ok(((await page.textContent("#user-ratings")) ?? "").includes(firstTitle));
    // "Why?" (GET /explain): the baseline and the three rated items' parts add up to the score.
    await page.click("#user-recs li button");
    await page.waitForSelector("#user-recs li .why .why-total");
    const why = await page.$eval("#user-recs li .why", (el) => ({
      score: Number(el.querySelector(".why-total")!.getAttribute("data-score")),
      baseline: Number(el.querySelector(".why-total")!.getAttribute("data-baseline")),
      parts: [...el.querySelectorAll("li")].map((li) => Number(li.getAttribute("data-contribution"))),
      text: el.textContent ?? "",
    }));
    assert.equal(why.parts.length, 3, why.text);
    assert.ok(Math.abs(why.baseline + why.parts.reduce((a, b) => a + b, 0) - why.score) < 1e-9, JSON.stringify(why));
    // The score explained is the one ranked and shown (the model's ranking part: a preference, not a rating).
    const shown = Number(await page.$eval("#user-recs li .score", (el) => el.textContent));
    assert.ok(Math.abs(why.score - shown) < 0.0015, `${why.score} vs ${shown}`);
    for (const [item] of plan) assert.ok(why.text.includes(server.titles.get(item)!), `${why.text} names ${server.titles.get(item)}`);
    await page.screenshot({ path: resultPath("dashboard-user-why-1280x800.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("training and registry: a retrain job is followed to the end, then the old version is activated again", async () => {
    const { page, errors } = await open("#training");
    await page.waitForSelector(READY.training!);
    const rows = await page.$$eval("#chart-loss .sr-only tbody tr", (trs) => trs.length);
    assert.equal(rows, 8, "one table row per epoch of the served model");
    await page.click(".settings summary");
    await page.fill("#token-input", TOKEN);
    await page.press("#token-input", "Enter");
    await page.fill("#train-epochs", "4");
    // Sample the live loss chart's table while the job runs: it may only grow, epoch by epoch.
    await page.evaluate(() => {
      const w = window as unknown as { rowCounts: number[] };
      w.rowCounts = [];
      const timer = setInterval(() => {
        const n = document.querySelectorAll("#chart-job-loss .sr-only tbody tr").length;
        if (document.querySelector("#chart-job-loss")) w.rowCounts.push(n);
        if (document.getElementById("status")?.textContent?.startsWith("Job")) clearInterval(timer);
      }, 10);
    });
    await page.click("#train-start");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Job finished"), undefined, { timeout: 60_000 });
    assert.match((await page.textContent("#job-out .job-status")) ?? "", /succeeded, 100 %/);
    const counts = await page.evaluate(() => (window as unknown as { rowCounts: number[] }).rowCounts);
    assert.ok(counts.length > 0, "the loss chart appeared while the job ran");
    for (let k = 1; k < counts.length; k++) assert.ok(counts[k]! >= counts[k - 1]!, `rows shrank: ${counts}`);
    // The chart holds exactly the epochs GET /jobs/:id reports: 4 of the trial fit, 4 of the final one.
    const jobs = (await (await fetch(`${server.url}/jobs`)).json()) as { jobs: Array<{ id: string }> };
    const job = (await (await fetch(`${server.url}/jobs/${jobs.jobs[0]!.id}`)).json()) as { epochs: Array<{ phase: string; epoch: number; loss: number; validation?: { rmse: number } }> };
    assert.equal(job.epochs.length, 8);
    const table = await page.$$eval("#chart-job-loss .sr-only tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td,th")].map((c) => c.textContent ?? "")));
    const r4 = (v: number) => String(Number(v.toFixed(4)));
    assert.deepEqual(
      table,
      [1, 2, 3, 4].map((e) => [String(e), r4(job.epochs.find((x) => x.phase === "validate" && x.epoch === e)!.loss), r4(job.epochs.find((x) => x.phase === "final" && x.epoch === e)!.loss)]),
    );
    // Both fits are drawn and named in the legend (uPlot fixes its series when the chart is made).
    const legend = await page.$$eval("#chart-job-loss .u-legend .u-label", (ls) => ls.map((l) => l.textContent));
    assert.deepEqual(legend, ["epoch", "trial fit loss", "final fit loss"]);
    const holdout = await page.$$eval("#chart-job-holdout .sr-only tbody tr", (trs) => trs.length);
    assert.equal(holdout, 4);
    await page.screenshot({ path: resultPath("dashboard-training-job-1280x800.png"), fullPage: true });
    // The header follows the active model without a reload.
    await page.waitForFunction(() => document.getElementById("health")?.textContent?.includes("model v2"), undefined, { timeout: 5000 });
    await page.goto(`${server.url}/#models`);
    await page.waitForSelector('#models-table tr[data-version="2"].active');
    // The Models view shows the hold-out check of the trained version (RMSE against its bound).
    const validation = (await page.textContent('#models-table tr[data-version="2"] td.validation')) ?? "";
    assert.match(validation, /^RMSE \d+(\.\d+)?, MAE \d+(\.\d+)? \(bound \d+(\.\d+)?; mean predictor \d+(\.\d+)?\)$/);
    await page.click('#models-table tr[data-version="1"] button');
    await page.waitForSelector('#models-table tr[data-version="1"].active');
    await page.waitForFunction(() => document.getElementById("health")?.textContent?.includes("model v1"), undefined, { timeout: 5000 });
    const health = (await (await fetch(`${server.url}/health`)).json()) as { modelVersion: number };
    assert.equal(health.modelVersion, 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  /** The y-axis tick labels uPlot drew for a chart, and whether each fits the axis width. */
  async function yAxis(page: Page, id: string): Promise<{ labels: string[]; size: number; widths: number[] }> {
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-y-ticks"), `#${id}`);
    return page.$eval(`#${id}`, (fig) => {
      const labels = (fig.getAttribute("data-y-ticks") ?? "").split("|");
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.font = "12px system-ui, -apple-system, sans-serif";
      return { labels, size: Number(fig.getAttribute("data-y-axis-size")), widths: labels.map((l) => ctx.measureText(l).width) };
    });
  }

  const parseTick = (label: string): number => {
    const m = /^(-?[\d.]+(?:e[-+]?\d+)?)([kMG]?)$/.exec(label);
    return m ? Number(m[1]) * ({ k: 1e3, M: 1e6, G: 1e9 }[m[2] as "k"] ?? 1) : Number.NaN;
  };

  for (const [name, losses] of [
    ["87,800 → 79,400", [87_800, 85_100, 82_000, 79_400]],
    ["1e7 → 1e-3", [1e7, 1e5, 1e3, 10, 0.1, 0.001]],
    ["0.0042 → 0.0011", [0.0042, 0.003, 0.0019, 0.0011]],
  ] as const) {
    it(`training chart y-axis labels read right for losses ${name} (text checked, not just a canvas)`, async () => {
      const page = await context.newPage();
      await page.setViewportSize(VIEWPORTS[0]);
      const errors = collectErrors(page);
      // The served model's report, with these losses: the chart draws whatever GET /model says.
      await page.route("**/api/model", async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { training: Array<{ epoch: number; loss: number }> };
        body.training = losses.map((loss, k) => ({ epoch: k + 1, loss }));
        await route.fulfill({ response: res, json: body });
      });
      await page.goto(`${server.url}/#training`);
      await page.waitForSelector(READY.training!);
      const y = await yAxis(page, "chart-loss");
      assert.ok(y.labels.length >= 2, `labels ${y.labels}`);
      assert.equal(new Set(y.labels).size, y.labels.length, `distinct labels: ${y.labels}`);
      const lo = Math.min(...losses);
      const hi = Math.max(...losses);
      const values = y.labels.map(parseTick);
      for (let k = 0; k < values.length; k++) {
        assert.ok(Number.isFinite(values[k]), `label ${JSON.stringify(y.labels[k])} is a number`);
        // Every tick lies in (or next to) the plotted range: no clipped "7,500" for 87,500.
        assert.ok(values[k]! >= lo / 10 - 1e-12 && values[k]! <= hi * 1.25, `tick ${y.labels[k]} outside ${lo}..${hi}`);
        assert.ok(y.widths[k]! + 10 <= y.size, `label ${y.labels[k]} (${y.widths[k]} px) fits the ${y.size} px axis`);
      }
      // Evenly spaced ticks read as evenly spaced numbers (no "85k, 83k, 80k" for 85k, 82.5k, 80k).
      if (values.length >= 3 && lo > 0 && hi / lo < 1000) {
        const gaps = values.slice(1).map((v, k) => v - values[k]!);
        for (const g of gaps) assert.ok(Math.abs(g - gaps[0]!) <= 1e-9 * Math.abs(gaps[0]!) + 1e-12, `uneven tick labels ${y.labels}`);
      }
      // The ticks span the range, so the top loss reads as itself.
      assert.ok(Math.max(...values) >= hi / 10 && Math.min(...values) <= lo * 10, `ticks ${y.labels} span ${lo}..${hi}`);
      await page.screenshot({ path: resultPath(`dashboard-training-axis-${losses[0]}-1280x800.png`), fullPage: false });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  it("the ratings editor fits at 1280 px and 375 px; the embedding map has axes, a legend and titles on hover", async () => {
    for (const vp of VIEWPORTS) {
      const { page, errors } = await open("#seed", vp);
      await page.waitForSelector("#seed-editor input");
      const fit = await page.$eval("#seed-editor", (t) => {
        const panel = t.closest(".panel")!;
        const last = [...t.querySelectorAll("tbody tr:first-child input")].pop()!;
        return { table: t.scrollWidth, panel: panel.clientWidth, lastRight: last.getBoundingClientRect().right, panelRight: panel.getBoundingClientRect().right, scrolls: panel.scrollWidth - panel.clientWidth };
      });
      assert.ok(fit.scrolls <= 1, `${vp.width} px: the editor's panel scrolls by ${fit.scrolls} px`);
      assert.ok(fit.lastRight <= fit.panelRight, `${vp.width} px: the last column ends at ${fit.lastRight}, the panel at ${fit.panelRight}`);
      await page.screenshot({ path: resultPath(`dashboard-seed-editor-${vp.width}x${vp.height}.png`), fullPage: true });
      await page.goto(`${server.url}/#embedding`);
      await page.waitForSelector(READY.embedding!);
      assert.match((await page.textContent("#embedding-x-title")) ?? "", /^principal component 1 \(\d+(\.\d)? % of variance\)$/);
      assert.match((await page.textContent("#embedding-y-title")) ?? "", /^principal component 2 \(\d+(\.\d)? %\)$/);
      const ticks = await page.$$eval("#embedding-map .tick", (ts) => ts.map((t) => t.textContent ?? ""));
      assert.equal(ticks.length, 10);
      for (const t of ticks) assert.ok(Number.isFinite(Number(t)), `tick ${t}`);
      const legend = await page.$$eval("#embedding-legend li", (ls) => ls.map((l) => l.textContent ?? ""));
      assert.deepEqual(legend.map((l) => l.replace(/\(.*\)/, "").trim()), ["item", "selected", "most similar to the selected item"]);
      const hoverTitles = await page.$$eval("#embedding-map circle.pt title", (ts) => ts.map((t) => t.textContent ?? ""));
      assert.equal(hoverTitles.length, server.titles.size);
      for (const t of hoverTitles) assert.ok([...server.titles.values()].includes(t), `a point's hover title ${t} is a stored title`);
      await page.screenshot({ path: resultPath(`dashboard-embedding-axes-${vp.width}x${vp.height}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it("every view renders without console errors at 1280×800 and 375×667 (screenshots in test-results/)", async () => {
    for (const vp of VIEWPORTS) {
      for (const [view, ready] of Object.entries(READY)) {
        const { page, errors } = await open(`#${view}`, vp);
        await page.waitForSelector(ready, { timeout: 20_000 });
        if (view === "embedding") {
          // GET /model/embedding: every item of the 60-item model, with its stored title.
          const n = await page.$$eval("#embedding-map circle.pt", (cs) => cs.length);
          assert.equal(n, server.titles.size, `${n} points on the map`);
          await page.hover("#embedding-map circle.pt");
          const tip = (await page.textContent("#embedding-map .tip")) ?? "";
          assert.ok([...server.titles.values()].includes(tip), `hover shows a stored title, not ${JSON.stringify(tip)}`);
          await page.click("#embedding-map circle.pt");
          await page.waitForSelector("#embedding-similar ol li");
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `#${view} at ${vp.width}×${vp.height} scrolls sideways by ${overflow} px`);
        await page.screenshot({ path: resultPath(`dashboard-${view}-${vp.width}x${vp.height}.png`), fullPage: true });
        assert.deepEqual(errors, [], `#${view} at ${vp.width}×${vp.height}`);
        await page.close();
      }
    }
  });
});
