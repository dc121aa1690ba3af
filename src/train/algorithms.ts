/**
 * Every built-in algorithm, registered once on import (train/fit.ts imports this file for its side
 * effect, so `fitSync(ratings, { algorithm: "als" })` needs no other import).
 * One import and one registerAlgorithm line per algorithm; keep it a plain list.
 */
import { als } from "./als/als.js";
import { registerAlgorithm } from "./registry.js";
import { sgd } from "./sgd/sgd.js";

registerAlgorithm(als);
registerAlgorithm(sgd);
// implicit
import { bpr } from "./bpr/bpr.js";
import { ials, wals } from "./weighted-als/algorithms.js";
registerAlgorithm(ials);
registerAlgorithm(wals);
registerAlgorithm(bpr);
// accuracy algorithms
import { bpmf } from "./bpmf/bpmf.js";
registerAlgorithm(bpmf);
import { baseline } from "./baseline/baseline.js";
registerAlgorithm(baseline);
import { svdpp } from "./svdpp/svdpp.js";
registerAlgorithm(svdpp);
import { nmf } from "./nmf/nmf.js";
registerAlgorithm(nmf);
import { ease } from "./ease/ease.js";
registerAlgorithm(ease);
import { bayesFm } from "./bayes-fm/index.js";
registerAlgorithm(bayesFm);
import { hybrid } from "./hybrid/trainer.js";
registerAlgorithm(hybrid);
