import { deriveSeed, rngFor } from "../../core/rng.js";
import type { IdIndex } from "../../data/id-index.js";
import { copyOf, f32, heapAllocator, memoryPlan, reserve } from "../../kernels/arena-plan.js";
import { type CsrMatrix, sortRowIndices } from "../../matrix/csr.js";
import type { FactorModel, ModelConfig } from "../../model/factor-model.js";
import { type BprBlockPlan, type BprParams, bprGrid, bprPlanShapes, planBprBlocks, runBprEpoch } from "./blocks.js";
import { booleanOption, numberOption, rejectUnknownKeys, RULES } from "../config.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import type { Algorithm, EpochResult, FoldedRow, FoldInOptions, Trainer, TrainingData } from "../trainer.js";
import { bprFoldInRow } from "./kernel.js";
import { explicitModel } from "../finish.js";

const KEYS = ["factors", "epochs", "learningRate", "regularization", "itemBias", "seed"] as const;

/** Defaults of `bpr`. */
export const BPR_DEFAULTS = { factors: 64, epochs: 40, learningRate: 0.05, regularization: 0.01, itemBias: true, seed: 42 } as const;

/**
 * `bpr`: Bayesian personalised ranking (Rendle et al. 2009), maximising Σ ln σ(x̂_ui − x̂_uj)
 * − reg‖θ‖² by SGD over sampled triples, x̂_ui = b_i + p_u·q_i; one epoch = as many triples as training
 * interactions, on the conflict-free block schedule of train/bpr/blocks.ts (j drawn from i's item block of a
 * per-epoch random item partition). Deterministic for a seed, bitwise the same for any thread count.
 */
export const bpr: Algorithm = {
  name: "bpr",
  description: "Bayesian personalised ranking by SGD with seeded negative sampling",
  implicit: true,
  resolveConfig(config) {
    const c = config as Record<string, unknown>;
    rejectUnknownKeys(c, KEYS, "bpr");
    const d = BPR_DEFAULTS;
    const resolved: ModelConfig = {
      algorithm: "bpr",
      factors: numberOption(c, "factors", d.factors, RULES.factors),
      epochs: numberOption(c, "epochs", d.epochs, { min: 0, max: 100000, integer: true }),
      learningRate: numberOption(c, "learningRate", d.learningRate, { above: 0, max: 10 }),
      regularization: numberOption(c, "regularization", d.regularization, { min: 0 }),
      itemBias: booleanOption(c, "itemBias", d.itemBias),
      seed: numberOption(c, "seed", d.seed, RULES.seed),
    };
    return resolved;
  },
  epochs: (c) => c.epochs as number,
  create: (data, c) => new BprTrainer(data, c),
  capabilities: {
    foldInRow: bprFoldIn,
    // The BPR objective compares a user's items; an item alone has no closed-form row to fold in.
    foldsInItems: false,
    exampleConfig: (factors) => ({ algorithm: "bpr", factors, epochs: 200, seed: 42 }),
  },
};

/** A user's row by `steps` averaged gradient-ascent passes on the BPR objective from 0 (./kernel.ts). */
function bprFoldIn(model: FactorModel, indices: Int32Array, _values: Float32Array, _side: "user" | "item", opts: FoldInOptions): FoldedRow {
  const num = (key: string, fallback: number): number => (typeof model.config[key] === "number" ? (model.config[key] as number) : fallback);
  const out = new Float32Array(model.factors);
  bprFoldInRow(
    indices,
    model.itemFactors.data,
    model.itemBias ?? null,
    model.factors,
    model.itemFactors.rows,
    opts.steps ?? 50,
    opts.negatives ?? 10,
    opts.learningRate ?? 1,
    num("regularization", 0.01),
    deriveSeed(opts.seed ?? num("seed", 42), "bpr-fold-in"),
    out,
  );
  return { factors: out, bias: 0 };
}

/**
 * The mutable state of one BPR fit: the user × item CSR (read only, to reject sampled positives), the block
 * plan and the factors, in a KernelArena when the WASM kernel runs (threads from FitOptions.threads, 0 = auto), else in
 * ordinary arrays for the TS reference (`kernels: "ts"` or no WebAssembly SIMD). Same draws either way.
 */
class BprTrainer implements Trainer {
  private readonly params: BprParams;
  private readonly plan: BprBlockPlan;
  private readonly wasm: WasmRuntime | undefined;
  private readonly byUser: CsrMatrix;
  private readonly seed: number;
  private readonly userIndex: IdIndex;
  private readonly itemIndex: IdIndex;

  constructor(
    data: TrainingData,
    private readonly cfg: ModelConfig,
  ) {
    this.userIndex = data.ratings.userIndex;
    this.itemIndex = data.ratings.itemIndex;
    const k = cfg.factors as number;
    this.seed = cfg.seed as number;
    const byUser = sortRowIndices(data.byUser);
    this.byUser = byUser;
    const nU = byUser.rows;
    const nI = byUser.cols;
    const nnz = byUser.indptr[nU]!;
    const grid = bprGrid(nI);
    // P and Q first (their draws fill them), the user CSR copied into kernel memory, then the block plan's arrays.
    const mem = memoryPlan({
      P: f32(nU * k),
      Q: f32(nI * k),
      indptr: copyOf(byUser.indptr),
      indices: copyOf(byUser.indices.subarray(0, nnz)),
    });
    const bias = memoryPlan({ itemBias: cfg.itemBias ? f32(nI) : null });
    this.wasm = openWasmRuntime(data.runtime, [mem, bias, reserve(...bprPlanShapes(nI, nnz, grid))], k, nnz);
    const alloc = this.wasm?.arena ?? heapAllocator;
    const { P, Q, indptr, indices } = mem.place(alloc);
    rngFor(this.seed, "init-users").fillNormal(P, 0, 0.1);
    rngFor(this.seed, "init-items").fillNormal(Q, 0, 0.1);
    this.params = {
      indptr,
      indices,
      P,
      Q,
      itemBias: bias.place(alloc).itemBias,
      k,
      learningRate: cfg.learningRate as number,
      regularization: cfg.regularization as number,
      biasRegularization: cfg.regularization as number,
    };
    this.plan = planBprBlocks(alloc, indptr, nU, nI, grid);
  }

  epoch(e: number): EpochResult {
    if (this.plan.nItems < 2) return { loss: 0 };
    const r = runBprEpoch(this.wasm?.pool, this.plan, this.params, this.seed, e);
    return { loss: r.steps === 0 ? 0 : r.loss / r.steps };
  }

  finish(): FactorModel {
    const p = this.params;
    const k = p.k;
    return explicitModel({
      config: this.cfg,
      width: k,
      P: p.P,
      Q: p.Q,
      userIndex: this.userIndex.clone(),
      itemIndex: this.itemIndex.clone(),
      itemBias: p.itemBias ?? undefined,
      history: this.byUser,
      implicit: true,
    });
  }

  close(): void {
    if (this.wasm) void this.wasm.pool.close();
  }
}
