/**
 * `mfrec demo` (what `npm start` runs): offline, a few seconds. It walks through the seed's worked
 * example — the 3 × 5 rating matrix, the seed's own k = 2 factors and their product — then lets
 * mfrec learn its own factors for the same matrix, and finally trains on a seeded synthetic
 * catalogue of a realistic shape and shows recommendations and similar items.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { writeModelFile } from "../node.js";
import { FactorModel, fitSync, getAlgorithm, MfrecError, generateRatings, predict, type Ratings, ratingsFromDense, recommend, similarItems } from "../index.js";
import { syntheticCatalogue } from "../internal.js";
import type { CommonFlags } from "./args.js";
import { fmt, fmtInt, formatTable, out, printJson, say } from "./output.js";
import { SEED_ITEM_FACTORS, SEED_ITEMS, SEED_RATINGS, SEED_USER_FACTORS, SEED_USERS } from "./seed-example.js";
import { loadServerPackage } from "./server-package.js";

/** The synthetic catalogue of part 3 (fixed seed: the demo prints the same every time). */
export const DEMO_CATALOGUE = { users: 3000, items: 1200, ratings: 150_000, rank: 8, clusters: 8, seed: 2024 } as const;

const heading = (n: number, text: string) => {
  say();
  say(out.bold(out.cyan(`${n}. ${text}`)));
};

/** Every user × item score of a model, as rows (clipped to its scale when `clip`). */
function scoreMatrix(model: FactorModel, users: readonly string[], items: readonly string[], clip: boolean): number[][] {
  return users.map((u) => items.map((i) => (clip ? predict(model, u, i).score : model.scoreIndex(model.userIndex.indexOf(u), model.itemIndex.indexOf(i)))));
}

/** The seed's part: target matrix, given factors, the two questions, the product. */
function seedPart(json: boolean) {
  const users = [...SEED_USERS];
  const items = [...SEED_ITEMS];
  const seedModel = FactorModel.fromMatrices({ userMatrix: SEED_USER_FACTORS, itemMatrix: SEED_ITEM_FACTORS, users, items });
  const product = scoreMatrix(seedModel, users, items, false);
  const casablanca = predict(seedModel, "User 1", "Casablanca").score;
  const blackPanther = predict(seedModel, "User 1", "Black Panther").score;
  if (!json) {
    say(out.bold("mfrec demo: matrix factorization, step by step"));
    heading(1, "The ratings we know: 3 users × 5 movies (· = not rated)");
    say(formatTable(["", ...items], SEED_RATINGS.map((row, u) => [users[u]!, ...row.map((v) => (v === null ? out.dim("·") : fmt(v, 1)))])));
    heading(2, "The seed's factors: each user and each movie is k = 2 numbers");
    say(formatTable(["user", "f1", "f2"], SEED_USER_FACTORS.map((r, u) => [users[u]!, fmt(r[0]!, 1), fmt(r[1]!, 1)])));
    say();
    say(formatTable(["movie", "f1", "f2"], items.map((name, i) => [name, fmt(SEED_ITEM_FACTORS[0]![i]!, 1), fmt(SEED_ITEM_FACTORS[1]![i]!, 1)])));
    say();
    say("  A prediction is the dot product of a user's row and a movie's column:");
    say(`  User 1 × Casablanca    = 1.1 × 0.9 + 2.3 × 1.7 = ${out.bold(fmt(casablanca, 1))}   (User 1 rated it 5.0)`);
    say(`  Will User 1 like Black Panther?  1.1 × 1.4 + 2.3 × 1.2 = ${out.bold(out.green(fmt(blackPanther, 1)))}   (not rated: likely yes)`);
    say();
    say("  The seed's recommendation matrix (user factors × item factors; bold = a cell nobody rated):");
    say(
      formatTable(
        ["", ...items],
        product.map((row, u) => [
          users[u]!,
          ...row.map((v, i) => {
            const s = fmt(v, 2);
            if (v > 5) return out.red(s);
            return SEED_RATINGS[u]![i] === null ? out.bold(s) : s;
          }),
        ]),
      ),
    );
    say(`  ${out.red("User 1 × Star Wars = 6.15")} is above the 1..5 scale: a plain dot product is unbounded, so a real system`);
    say("  clips predictions to the rating scale (6.15 → 5.00) and learns biases with regularization, as mfrec does.");
  }
  return { users, items, ratings: SEED_RATINGS, product, user1Casablanca: casablanca, user1BlackPanther: blackPanther };
}

/** mfrec's own k = 2 fit of the seed's matrix. */
function fitPart(json: boolean) {
  const users = [...SEED_USERS];
  const items = [...SEED_ITEMS];
  const ratings = ratingsFromDense(SEED_RATINGS, { users, items, scale: [1, 5] });
  // ALS's own settings for a hand-sized matrix (the seed view of the dashboard uses the same).
  const config = getAlgorithm("als").capabilities!.exampleConfig!(2);
  const model = withScale(fitSync(ratings, config), [1, 5]);
  const clipped = scoreMatrix(model, users, items, true);
  const raw = scoreMatrix(model, users, items, false);
  const last = model.training[model.training.length - 1];
  const stats = model.stats();
  if (!json) {
    heading(3, "mfrec learns its own k = 2 factors from the 10 known ratings (ALS)");
    say(`  mfrec train: ${Object.entries(config).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    say(
      formatTable(
        ["", ...items],
        clipped.map((row, u) => [users[u]!, ...row.map((v, i) => (SEED_RATINGS[u]![i] === null ? out.bold(fmt(v, 2)) : fmt(v, 2)))]),
      ),
    );
    const over = raw.flatMap((row, u) => row.map((v, i) => ({ v, u, i }))).filter((c) => c.v > 5 || c.v < 1);
    say(
      `  Known cells come back close (train RMSE ${fmt(last?.trainRmse ?? Number.NaN, 3)}); bold cells are the predictions.` +
        (over.length > 0 ? ` Clipped: ${over.map((c) => `${users[c.u]} × ${items[c.i]} ${fmt(c.v, 2)} → ${fmt(c.v > 5 ? 5 : 1, 2)}`).join(", ")}.` : " Every score already lies in 1..5; predictions are clipped to the scale anyway."),
    );
    say("  The known cells match the seed's, the unrated ones need not: 10 ratings do not pin down 16 numbers.");
    say(`  Compactness: ${stats.parameters} numbers for ${stats.matrixCells} cells here (k = 2 is no saving on a 3 × 5 matrix; see part 4).`);
  }
  return { config, product: clipped, unclipped: raw, trainRmse: last?.trainRmse ?? null, stats };
}

/** A model with a rating scale for clipping (the fit of a dense matrix does not know one). */
function withScale(m: FactorModel, scale: [number, number]): FactorModel {
  if (m.ratingScale) return m;
  return m.with({ ratingScale: scale });
}

/** The synthetic catalogue part: train, then recommendations and similar items for one user. */
function syntheticPart(json: boolean) {
  const t0 = performance.now();
  const catalogue = syntheticCatalogue(DEMO_CATALOGUE);
  const ratings = generateRatings({ ...DEMO_CATALOGUE, names: true });
  const genOf = (name: string) => name.replace(/ #\d+$/, "");
  const config = { algorithm: "als", factors: 16, epochs: 10, seed: 42 };
  const model = withScale(fitSync(ratings, config), [1, 5]);
  const seconds = (performance.now() - t0) / 1000;
  const user = pickUser(ratings);
  const rated = ratedBy(ratings, user);
  const tastes = genreTastes(rated, genOf);
  const favourite = tastes[0]!.genre;
  // Ranked by the model's ranking part (which items a user rates, weighted by how well: train/ranking.ts);
  // the predicted rating beside each is the rating part's (mfrec predict).
  const recs = recommend(model, user, { n: 8, excludeRated: true }).map((r) => ({ ...r, rating: predict(model, user, r.item).score }));
  const anchor = (tastes[0]!.loved[0] ?? rated[0]!.item)!;
  const similar = similarItems(model, anchor, { n: 6, metric: "cosine" });
  const stats = model.stats();
  const last = model.training[model.training.length - 1];
  if (!json) {
    heading(4, "A bigger catalogue: seeded synthetic ratings of a realistic shape");
    say(
      `  ${fmtInt(ratings.length)} ratings by ${fmtInt(ratings.userIndex.size)} users of ${fmtInt(ratings.itemIndex.size)} items in ${catalogue.genres.length} genres ` +
        `(long-tail popularity, taste clusters, noise); ALS k = ${model.factors}, ${model.training.length} epochs, train RMSE ${fmt(last?.trainRmse ?? Number.NaN, 3)}, ${fmt(seconds, 1)} s in all.`,
    );
    say(`  Compactness: ${fmtInt(stats.parameters)} parameters instead of ${fmtInt(stats.matrixCells)} matrix cells (${fmt(stats.compression * 100, 2)}%).`);
    say();
    say(`  User ${out.bold(user)} rated ${rated.length} items. By genre:`);
    say(formatTable(["genre", "rated", "mean rating", "5-star items"], tastes.map((t) => [t.genre === favourite ? out.bold(t.genre) : t.genre, String(t.count), fmt(t.mean, 2), t.loved.slice(0, 3).join(", ")]), { align: ["l", "r", "r", "l"] }));
    say();
    say(`  Recommended for user ${user} (items they have not rated):`);
    say(formatTable(["#", "item", "score", "predicted rating"], recs.map((r, i) => [String(i + 1), genOf(r.item) === favourite ? out.bold(r.item) : r.item, fmt(r.score, 2), fmt(r.rating, 2)]), { align: ["r", "l", "r", "r"] }));
    const share = recs.filter((r) => genOf(r.item) === favourite).length;
    const favouriteTaste = tastes[0]!;
    say(
      `  ${share} of ${recs.length} are ${favourite}: user ${user} rated ${favouriteTaste.count} ${favourite} items, ${fmt(favouriteTaste.mean, 2)} on average, their best-liked genre` +
        (share * 2 >= recs.length ? ", and the factors found that taste without being told the genres." : "."),
    );
    say("  Why these: the list is ranked by the model's ranking part, which learns which items each user chooses to rate,");
    say("  weighted by how well they rated them (score = its preference, not a rating), so a few lucky 5-star ratings of an");
    say("  obscure item do not top the list. The predicted rating beside each is the rating part's, what mfrec predict says.");
    say();
    say(`  Items most similar to ${out.bold(anchor)} (cosine of the factor vectors):`);
    say(formatTable(["#", "item", "cosine"], similar.map((r, i) => [String(i + 1), r.item, fmt(r.score, 3)]), { align: ["r", "l", "r"] }));
    say();
    say(`  Next: ${out.cyan("mfrec generate -o synth.csv")}, ${out.cyan("mfrec train synth.csv -o m.mfr")}, ${out.cyan("mfrec recommend m.mfr 1")} (see README.md).`);
  }
  const summary = { catalogue: DEMO_CATALOGUE, config, ratings: ratings.length, trainRmse: last?.trainRmse ?? null, stats, user, tastes, favourite, recommendations: recs, similarTo: anchor, similar, seconds };
  return { summary, model };
}

/** A user's genres, highest mean rating first (genres with ≥ 3 ratings; ties by count). */
function genreTastes(rated: { item: string; rating: number }[], genOf: (item: string) => string) {
  const by = new Map<string, { genre: string; count: number; sum: number; loved: string[] }>();
  for (const r of rated) {
    const g = genOf(r.item);
    const t = by.get(g) ?? { genre: g, count: 0, sum: 0, loved: [] };
    t.count++;
    t.sum += r.rating;
    if (r.rating >= 5) t.loved.push(r.item);
    by.set(g, t);
  }
  return [...by.values()]
    .map((t) => ({ genre: t.genre, count: t.count, mean: t.sum / t.count, loved: t.loved }))
    .sort((a, b) => Number(b.count >= 3) - Number(a.count >= 3) || b.mean - a.mean || b.count - a.count);
}

/** A user with a moderate history (20–60 ratings, some 5s): the first such in id order. */
function pickUser(r: Ratings): string {
  const count = new Int32Array(r.userIndex.size);
  const fives = new Int32Array(r.userIndex.size);
  for (let k = 0; k < r.length; k++) {
    count[r.users[k]!]!++;
    if (r.values[k]! >= 5) fives[r.users[k]!]!++;
  }
  for (let u = 0; u < count.length; u++) if (count[u]! >= 20 && count[u]! <= 60 && fives[u]! >= 3) return r.userIndex.idAt(u);
  return r.userIndex.idAt(0);
}

/** A user's ratings, highest first (ties by item name). */
function ratedBy(r: Ratings, user: string): { item: string; rating: number }[] {
  const u = r.userIndex.indexOf(user);
  const rows: { item: string; rating: number }[] = [];
  for (let k = 0; k < r.length; k++) if (r.users[k] === u) rows.push({ item: r.itemIndex.idAt(r.items[k]!), rating: r.values[k]! });
  return rows.sort((a, b) => b.rating - a.rating || a.item.localeCompare(b.item));
}

/** Run the demo: the seed's example, mfrec's own fit, the synthetic catalogue. Returns the catalogue's model. */
export function runDemo(opts: { json?: boolean } = {}): FactorModel {
  const json = opts.json === true;
  const seed = seedPart(json);
  const fitted = fitPart(json);
  const synthetic = syntheticPart(json);
  if (json) printJson({ command: "demo", seed, fit: fitted, synthetic: synthetic.summary });
  return synthetic.model;
}

/**
 * Serve the demo's catalogue model with the dashboard from a temporary folder (database, model,
 * trained versions), until Ctrl-C; a random token allows the dashboard's writes (rate, retrain).
 */
async function serveDemo(model: FactorModel, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MfrecError("E_CONFIG", "--serve takes a port number", { value: port, expected: "an integer in 0..65535" });
  const dir = mkdtempSync(join(tmpdir(), "mfrec-demo-"));
  const modelPath = join(dir, "demo.mfr");
  await writeModelFile(modelPath, model);
  const token = randomBytes(12).toString("hex");
  const { startServer } = await loadServerPackage("mfrec demo --serve");
  const server = await startServer({ dbPath: join(dir, "demo.db"), model: modelPath, token, port });
  say();
  say(`  ${out.bold("Dashboard")}: ${out.cyan(`${server.url}/`)}  (the seed live, training curves, embedding map, users, models)`);
  say(`  Token for rating and retraining in the dashboard's settings: ${token}`);
  say(`  Data in ${dir} (removed on exit). Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Register `mfrec demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("a guided tour (offline, a few seconds): the seed's example, mfrec's own fit, a synthetic catalogue")
    .option("--serve [port]", "then serve the catalogue's model with the web dashboard (default port 8080; 0 = any free port)")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces")
    .action(async (f: CommonFlags & { serve?: string | boolean }) => {
      const model = runDemo(f);
      if (f.serve !== undefined && f.serve !== false) await serveDemo(model, f.serve === true ? 8080 : Number(f.serve));
    });
}
