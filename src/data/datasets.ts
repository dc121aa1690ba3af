/**
 * The catalogue of public rating datasets mfrec can fetch: where each lives, how to check it,
 * its license, and how to read its ratings and titles once extracted. Browser-safe (data only);
 * downloading and caching are in datasets-node.ts.
 */

/** How one delimited file inside an archive is read. */
export interface DatasetFile {
  /** File name inside the archive (matched by its last path segment, so a top folder does not matter). */
  file: string;
  delimiter: string;
  header: boolean;
  /** Text encoding of the file ("latin1" for the old MovieLens files). */
  encoding?: "utf8" | "latin1";
}

/** A ratings file: which columns hold user, item, rating (absent = implicit counts are the value) and time. */
export interface DatasetRatingsFile extends DatasetFile {
  columns: { user: number; item: number; rating: number; timestamp?: number };
  /** Inclusive rating scale, when ratings are stars. */
  scale?: [number, number];
  /** True when the value column holds counts (play counts) rather than ratings. */
  implicit?: boolean;
}

/** A titles file: item id column and title column. */
export interface DatasetTitlesFile extends DatasetFile {
  columns: { item: number; title: number };
}

/** One catalogue entry. */
export interface DatasetSpec {
  name: string;
  title: string;
  /** The publisher's download URL. */
  url: string;
  /** Expected SHA-256 of the archive, when pinned. */
  sha256?: string;
  /** The publisher's MD5 (GroupLens publishes .md5 files), checked when no SHA-256 is pinned. */
  md5?: string;
  /** Published number of ratings, checked after loading. */
  ratings: number;
  /** Short license summary shown before download. */
  license: string;
  /** Where the full license text is (a URL, and the file inside the archive). */
  licenseUrl: string;
  /** True when use is restricted (no redistribution / non-commercial): fetching needs explicit acceptance. */
  restricted: boolean;
  ratingsFile: DatasetRatingsFile;
  titlesFile?: DatasetTitlesFile;
}

const ML_LICENSE =
  "MovieLens (GroupLens Research, University of Minnesota): research use; no endorsement claims; acknowledge the data set in publications " +
  "(Harper & Konstan, ACM TiiS 5(4), 2015); no redistribution without separate permission (latest-small: only under the same license); " +
  "no commercial or revenue-bearing use without permission.";

/**
 * SHA-256 of the publisher's archives as pinned by TensorFlow Datasets' url_checksums/movielens.txt
 * (same URLs and byte sizes); GroupLens itself publishes MD5 sums only, kept as a second check.
 */
const ML_SHA256: Record<string, string> = {
  "ml-100k": "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
  "ml-1m": "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
  "ml-25m": "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
  "ml-latest-small": "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436",
};

const ml = (name: string, title: string, md5: string | undefined, ratings: number, ratingsFile: DatasetRatingsFile, titlesFile: DatasetTitlesFile): DatasetSpec => ({
  name,
  title,
  url: `https://files.grouplens.org/datasets/movielens/${name}.zip`,
  sha256: ML_SHA256[name],
  md5,
  ratings,
  license: ML_LICENSE,
  licenseUrl: `https://grouplens.org/datasets/movielens/ (README in the archive)`,
  restricted: true,
  ratingsFile,
  titlesFile,
});

const datTitles: DatasetTitlesFile = { file: "movies.dat", delimiter: "::", header: false, encoding: "latin1", columns: { item: 0, title: 1 } };
const datRatings: DatasetRatingsFile = { file: "ratings.dat", delimiter: "::", header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 }, scale: [0.5, 5] };
const csvRatings: DatasetRatingsFile = { file: "ratings.csv", delimiter: ",", header: true, columns: { user: 0, item: 1, rating: 2, timestamp: 3 }, scale: [0.5, 5] };
const csvTitles: DatasetTitlesFile = { file: "movies.csv", delimiter: ",", header: true, columns: { item: 0, title: 1 } };

/** Every dataset `mfrec datasets fetch` knows. */
export const DATASETS: readonly DatasetSpec[] = [
  ml(
    "ml-100k",
    "MovieLens 100K (1998): 100,000 ratings, 943 users, 1,682 movies",
    "0e33842e24a9c977be4e0107933c0723",
    100_000,
    { file: "u.data", delimiter: "\t", header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 }, scale: [1, 5] },
    { file: "u.item", delimiter: "|", header: false, encoding: "latin1", columns: { item: 0, title: 1 } },
  ),
  ml("ml-1m", "MovieLens 1M (2003): 1,000,209 ratings, 6,040 users, 3,706 movies", "c4d9eecfca2ab87c1945afe126590906", 1_000_209, { ...datRatings, scale: [1, 5] }, datTitles),
  ml("ml-10m", "MovieLens 10M (2009): 10,000,054 ratings, 69,878 users, 10,677 movies", "ce571fd55effeba0271552578f2648bd", 10_000_054, datRatings, datTitles),
  ml("ml-25m", "MovieLens 25M (2019): 25,000,095 ratings, 162,541 users, 59,047 movies", "6b51fb2759a8657d3bfcbfc42b592ada", 25_000_095, csvRatings, csvTitles),
  // A development set its publisher may rebuild: the pinned checksums are those of the 2018-09-26 build
  // (978,202 bytes, 100,836 ratings); a rebuilt archive is refused with E_CHECKSUM rather than loaded unverified.
  ml("ml-latest-small", "MovieLens latest small (the 2018-09 build: 100,836 ratings)", "31a303aabbc519bd33d025e44d6c2570", 100_836, csvRatings, csvTitles),
  {
    name: "lastfm-2k",
    title: "Last.fm hetrec2011 2K: 92,834 (user, artist, play count) rows, 1,892 users, 17,632 artists",
    url: "https://files.grouplens.org/datasets/hetrec2011/hetrec2011-lastfm-2k.zip",
    ratings: 92_834,
    license: "hetrec2011-lastfm-2k (Universidad Autónoma de Madrid, data from Last.fm): made available for non-commercial use; cite Last.fm and the HetRec'11 workshop; commercial use requires Last.fm's permission.",
    licenseUrl: "https://grouplens.org/datasets/hetrec-2011/ (readme.txt in the archive)",
    restricted: true,
    ratingsFile: { file: "user_artists.dat", delimiter: "\t", header: true, columns: { user: 0, item: 1, rating: 2 }, implicit: true },
    titlesFile: { file: "artists.dat", delimiter: "\t", header: true, columns: { item: 0, title: 1 } },
  },
  {
    name: "goodbooks-10k",
    title: "goodbooks-10k: 5,976,479 ratings of 10,000 books by 53,424 users",
    url: "https://github.com/zygmuntz/goodbooks-10k/releases/download/v1.0/goodbooks-10k.zip",
    ratings: 5_976_479,
    license: "goodbooks-10k (Zygmunt Zając): CC BY-SA 4.0.",
    licenseUrl: "https://creativecommons.org/licenses/by-sa/4.0/",
    restricted: false,
    ratingsFile: { file: "ratings.csv", delimiter: ",", header: true, columns: { user: 0, item: 1, rating: 2 }, scale: [1, 5] },
    titlesFile: { file: "books.csv", delimiter: ",", header: true, columns: { item: 0, title: 10 } },
  },
];

/** The catalogue entry of that name, or undefined. */
export function findDataset(name: string, catalogue: readonly DatasetSpec[] = DATASETS): DatasetSpec | undefined {
  return catalogue.find((d) => d.name === name);
}
