/**
 * Every built-in algorithm, registered once on import (train/fit.ts imports this file for its side
 * effect, so `fitSync(ratings, { algorithm: "als" })` needs no other import).
 * One import and one registerAlgorithm line per algorithm; keep it a plain list.
 */
import { als } from "./als.js";
import { registerAlgorithm } from "./registry.js";
import { sgd } from "./sgd.js";

registerAlgorithm(als);
registerAlgorithm(sgd);
// implicit
import { bpr } from "./bpr.js";
import { ials } from "./ials.js";
import { wals } from "./wals.js";
registerAlgorithm(ials);
registerAlgorithm(wals);
registerAlgorithm(bpr);
// accuracy algorithms
import { bpmf } from "./bpmf.js";
registerAlgorithm(bpmf);
import { baseline } from "./baseline.js";
registerAlgorithm(baseline);
import { svdpp } from "./svdpp.js";
registerAlgorithm(svdpp);
import { nmf } from "./nmf.js";
registerAlgorithm(nmf);
import { ease } from "./ease.js";
registerAlgorithm(ease);
import { hybrid } from "./hybrid/trainer.js";
registerAlgorithm(hybrid);
