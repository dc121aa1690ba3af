/**
 * The README's library example: the seed's 3 users × 5 movies, trained, queried and saved.
 * Run: npx tsc -p . && node dist/examples/quickstart.js   (test/e2e/examples.test.ts runs it)
 */
import { fitSync, predict, ratingsFromDense, recommend, saveModel, similarItems } from "../src/index.js";

const movies = ["Casablanca", "The Philadelphia Story", "Black Panther", "Wonder Woman", "Star Wars"];
const ratings = ratingsFromDense(
  [
    [5, 3, 0, 2, 0], // 0 = not rated
    [4, 0, 0, 1, 5],
    [0, 1, 4, 5, 4],
  ],
  { items: movies, scale: [1, 5] },
);
// biases: false: the plain product p_u·q_i (with biases, 3 users leave the factors one-dimensional: every cosine is ±1).
const model = fitSync(ratings, { algorithm: "als", factors: 2, epochs: 30, biases: false, seed: 42 });
console.log(predict(model, "User 1", "Black Panther")); // { score, raw, known: true, ... }
console.log(recommend(model, "User 1", { n: 2 })); // unrated movies, best first
console.log(similarItems(model, "Black Panther", { n: 2 })); // Wonder Woman first
const bytes: Uint8Array = saveModel(model); // loadModel(bytes) gives it back
console.log(`model: ${bytes.length} bytes`);
