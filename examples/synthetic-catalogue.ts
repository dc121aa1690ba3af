/**
 * A seeded synthetic catalogue (long-tail popularity, genres as taste clusters), a model trained on
 * it, and what it recommends to one user. Run: node dist/examples/synthetic-catalogue.js
 */
import { fitSync, generateRatings, recommend, similarItems } from "../src/index.js";

const ratings = generateRatings({ users: 2000, items: 800, ratings: 80_000, rank: 8, seed: 1, names: true });
const model = fitSync(ratings, { algorithm: "als", factors: 16, epochs: 8, seed: 1 });
const user = ratings.userIndex.idAt(0);
console.log(`${ratings.length} ratings; ${JSON.stringify(model.stats())}`);
console.log(`for user ${user}:`, recommend(model, user, { n: 5 }).map((r) => `${r.item} (${r.score.toFixed(2)})`).join(", "));
console.log("like Sci-fi #1:", similarItems(model, "Sci-fi #1", { n: 3 }).map((r) => r.item).join(", "));
