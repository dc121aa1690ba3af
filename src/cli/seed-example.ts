/**
 * The seed's worked example made concrete (the README's demo section tells it): a 3 users ×
 * 5 movies rating matrix with blanks, the seed's own k = 2 factors, and the product it prints.
 * Kept in the source so the built CLI's demo has it; test/fixtures/seed-example.json holds the
 * same numbers for tests.
 */

/** Users, rows of the matrices. */
export const SEED_USERS = ["User 1", "User 2", "User 3"] as const;

/** Movies, columns of the rating matrix. */
export const SEED_ITEMS = ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"] as const;

/** The target matrix; null = not rated (the seed writes 0). */
export const SEED_RATINGS: ReadonlyArray<ReadonlyArray<number | null>> = [
  [5.0, 3.0, null, 2.0, null],
  [4.0, null, null, 1.0, 5.0],
  [null, 1.0, 4.0, 5.0, 4.0],
];

/** The seed's user matrix, users × k. */
export const SEED_USER_FACTORS: ReadonlyArray<ReadonlyArray<number>> = [
  [1.1, 2.3],
  [0.6, 2.0],
  [2.5, 0.5],
];

/** The seed's item matrix, k × items (the seed's orientation). */
export const SEED_ITEM_FACTORS: ReadonlyArray<ReadonlyArray<number>> = [
  [0.9, 0.2, 1.4, 2.0, 1.2],
  [1.7, 1.2, 1.2, -0.1, 2.1],
];

/** The seed's recommendation matrix (user factors × item factors), rounded to 2 places. */
export const SEED_PRODUCT: ReadonlyArray<ReadonlyArray<number>> = [
  [4.9, 2.98, 4.3, 1.97, 6.15],
  [3.94, 2.52, 3.24, 1.0, 4.92],
  [3.1, 1.1, 4.1, 4.95, 4.05],
];
