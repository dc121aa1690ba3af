/**
 * Browser end-to-end plumbing: Debian's chromium driven by playwright-core (never a downloaded
 * browser), a fresh profile per run, the dashboard bundle built by Vite, and `mfrec serve` spawned
 * on a free loopback port with a small trained model.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { generateRatings, syntheticCatalogue } from "../../src/data/synthetic.js";
import { saveModel } from "../../src/model/format.js";
import { fitSync } from "../../src/train/fit.js";
import { repoRoot } from "./data.js";

/** Debian's chromium (`apt-get install -y chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that keep a headless chromium quiet and off the network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A skip message when chromium is absent and CI is not "true"; false otherwise (under CI a missing
 * browser must fail the suite, so the tests run and fail at launch).
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === "true") return false;
  return `${CHROMIUM} is absent: install it with "apt-get install -y chromium" to run the dashboard tests`;
}

/** Where screenshots go (git-ignored). */
export const RESULTS_DIR = join(repoRoot, "test-results");

/** Launch chromium with a fresh profile; close() also deletes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (CI=${process.env.CI ?? ""}): apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), "mfrec-chromium-"));
  // playwright-core refuses --user-data-dir in args: a persistent context is the way to pass one.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Build the dashboard into packages/server/dist/web with Vite (the same command as `npm run build:web`, minus the type check). */
export function buildWeb(): void {
  const r = spawnSync(process.execPath, [join(repoRoot, "node_modules/vite/bin/vite.js"), "build", "--config", "packages/server/web/vite.config.ts", "--logLevel", "warn"], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Console errors and uncaught exceptions of a page, collected from now on. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

export const TOKEN = "dashboard-test-token";

/** Synthetic catalogue options of the served model: 120 users × 60 titled items. */
const SYNTH = { users: 120, items: 60, ratings: 3000, rank: 4, seed: 7 };

export interface ServedDashboard {
  url: string;
  /** Item id -> title, as stored through PUT /items. */
  titles: Map<string, string>;
  stop: () => Promise<void>;
}

/**
 * Spawn `mfrec serve` (the built CLI) on 127.0.0.1 with a free port, a small explicit ALS model
 * (1–5 scale), its ratings posted into the store (so a retrain has data) and titles for the items.
 */
export async function serveDashboard(): Promise<ServedDashboard> {
  const dir = mkdtempSync(join(tmpdir(), "mfrec-dashboard-"));
  const ratings = generateRatings(SYNTH);
  const model = fitSync(ratings, { algorithm: "als", factors: 6, epochs: 8, regularization: 0.1, seed: 1 });
  writeFileSync(join(dir, "model.mfr"), saveModel(model));
  const cli = join(repoRoot, "dist/src/cli/main.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, "serve", "--model", join(dir, "model.mfr"), "--db", join(dir, "mfrec.db"), "--port", "0", "--token", TOKEN, "--web", join(repoRoot, "packages/server/dist/web")],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`mfrec serve did not start in 20 s:\n${log}`)), 20_000);
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /listening on (http:\/\/\S+?)\s/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`mfrec serve exited with ${code}:\n${log}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const gone = new Promise((ok) => child.once("exit", ok));
      child.kill("SIGTERM");
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const rows = Array.from({ length: ratings.length }, (_, k) => ({
      user: ratings.userIndex.idAt(ratings.users[k]!),
      item: ratings.itemIndex.idAt(ratings.items[k]!),
      rating: ratings.values[k]!,
    }));
    const posted = await fetch(`${url}/ratings`, { method: "POST", headers: auth, body: JSON.stringify(rows) });
    if (posted.status !== 201) throw new Error(`POST /ratings answered ${posted.status}: ${await posted.text()}`);
    const names = syntheticCatalogue(SYNTH).itemNames;
    const titles = new Map<string, string>();
    for (const id of ratings.itemIndex.ids()) titles.set(String(id), names[Number(id)] ?? String(id));
    await Promise.all(
      [...titles].map(async ([id, title]) => {
        const r = await fetch(`${url}/items/${encodeURIComponent(id)}`, { method: "PUT", headers: auth, body: JSON.stringify({ title }) });
        if (r.status !== 200) throw new Error(`PUT /items/${id} answered ${r.status}`);
      }),
    );
    return { url, titles, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A file name under test-results/ (created on first use). */
export function resultPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, name);
}
