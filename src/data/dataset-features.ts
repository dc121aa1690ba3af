/**
 * Side features of the MovieLens distributions, read from their own files (browser-safe: text in,
 * tables out), the same pairs as ../shared/data/features (checked by test/unit/data/dataset-features.test.ts):
 *
 * - ml-100k items (u.item): `genre:<name>` for each of the 19 genre flags set (names from u.genre),
 *   `decade:<1990s>` from the release date's year (none when the date is empty).
 * - ml-100k users (u.user): `age:<band>` (<18, 18-24, 25-34, 35-44, 45-54, 55+), `gender:<M|F>`,
 *   `occupation:<name>`, `zip:<first digit>` (none for a zip code that does not start with a digit).
 * - ml-latest-small items (movies.csv, tags.csv): `genre:<name>` per genre ("(no genres listed)" is none),
 *   `decade:<1990s>` from the year in parentheses at the end of the title, `tag:<tag lower-cased>` per distinct tag.
 */
import { MfrecError } from "../core/errors.js";
import { splitLine } from "./detect-layout.js";
import { type FeatureTable, toFeatureTable } from "./features.js";

/** The genre flags of u.item in order (u.genre of the distribution). */
export const ML100K_GENRES = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
] as const;

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r?\n/);
}

const decade = (year: number): string => `decade:${Math.floor(year / 10) * 10}s`;

/** Genre names from u.genre (`name|index` lines); the built-in list when absent or empty. */
export function parseMl100kGenres(text: string | undefined, file?: string): string[] {
  if (text === undefined) return [...ML100K_GENRES];
  const out: string[] = [];
  lines(text).forEach((l, n) => {
    if (l.trim() === "") return;
    const [name, index] = l.split("|");
    const i = Number(index);
    if (!name || !Number.isInteger(i) || i < 0) throw new MfrecError("E_CONFIG", "a u.genre line is not name|index", { file, line: n + 1, value: l, expected: "e.g. Action|1" });
    out[i] = name;
  });
  return out.length === 0 ? [...ML100K_GENRES] : out;
}

/** ml-100k item features from u.item (latin-1 decoded text) and, optionally, u.genre. */
export function ml100kItemFeatures(uItem: string, uGenre?: string, file = "u.item"): FeatureTable {
  const genres = parseMl100kGenres(uGenre);
  const map = new Map<string, string[]>();
  lines(uItem).forEach((l, n) => {
    if (l.trim() === "") return;
    const f = l.split("|");
    if (f.length < 5 + genres.length) throw new MfrecError("E_MISSING_COLUMN", `a u.item line has ${f.length} fields`, { file, line: n + 1, value: l.slice(0, 80), expected: `${5 + genres.length} fields: id|title|release date|video date|url|${genres.length} genre flags` });
    const feats: string[] = [];
    genres.forEach((g, k) => {
      if (f[5 + k] === "1") feats.push(`genre:${g}`);
    });
    const m = /(\d{4})\s*$/.exec(f[2]!);
    if (m) feats.push(decade(Number(m[1])));
    map.set(f[0]!, feats);
  });
  return toFeatureTable(map);
}

/** The age band of an ml-100k user. */
export function ageBand(age: number): string {
  if (age < 18) return "<18";
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  if (age < 55) return "45-54";
  return "55+";
}

/** ml-100k user features from u.user (`id|age|gender|occupation|zip`). */
export function ml100kUserFeatures(uUser: string, file = "u.user"): FeatureTable {
  const map = new Map<string, string[]>();
  lines(uUser).forEach((l, n) => {
    if (l.trim() === "") return;
    const f = l.split("|");
    const age = Number(f[1]);
    if (f.length < 5 || !Number.isFinite(age)) throw new MfrecError("E_CONFIG", "a u.user line is not id|age|gender|occupation|zip", { file, line: n + 1, value: l, expected: "e.g. 1|24|M|technician|85711" });
    const feats = [`age:${ageBand(age)}`, `gender:${f[2]}`, `occupation:${f[3]}`];
    if (/^[0-9]/.test(f[4]!)) feats.push(`zip:${f[4]![0]}`);
    map.set(f[0]!, feats);
  });
  return toFeatureTable(map);
}

/** ml-latest-small (and the other MovieLens CSV builds) item features from movies.csv and, optionally, tags.csv. */
export function movieLensCsvItemFeatures(moviesCsv: string, tagsCsv?: string, files = { movies: "movies.csv", tags: "tags.csv" }): FeatureTable {
  const map = new Map<string, string[]>();
  const seen = new Map<string, Set<string>>();
  const add = (id: string, feat: string): void => {
    let s = seen.get(id);
    if (!s) {
      s = new Set();
      seen.set(id, s);
      map.set(id, []);
    }
    if (!s.has(feat)) {
      s.add(feat);
      map.get(id)!.push(feat);
    }
  };
  const ml = lines(moviesCsv);
  for (let n = 1; n < ml.length; n++) {
    const l = ml[n]!;
    if (l.trim() === "") continue;
    const f = splitLine(l, ",");
    if (f.length < 3) throw new MfrecError("E_MISSING_COLUMN", `a movies.csv row has ${f.length} fields`, { file: files.movies, line: n + 1, value: l.slice(0, 80), expected: "movieId,title,genres" });
    const id = f[0]!;
    if (!map.has(id)) {
      map.set(id, []);
      seen.set(id, new Set());
    }
    const m = /\((\d{4})\)\s*$/.exec(f[1]!.trim());
    if (m) add(id, decade(Number(m[1])));
    for (const g of f[2]!.split("|")) if (g !== "" && g !== "(no genres listed)") add(id, `genre:${g}`);
  }
  if (tagsCsv !== undefined) {
    const tl = lines(tagsCsv);
    for (let n = 1; n < tl.length; n++) {
      const l = tl[n]!;
      if (l.trim() === "") continue;
      const f = splitLine(l, ",");
      if (f.length < 3) throw new MfrecError("E_MISSING_COLUMN", `a tags.csv row has ${f.length} fields`, { file: files.tags, line: n + 1, value: l.slice(0, 80), expected: "userId,movieId,tag,timestamp" });
      const tag = f[2]!.trim().toLowerCase();
      if (tag !== "") add(f[1]!, `tag:${tag}`);
    }
  }
  return toFeatureTable(map);
}
