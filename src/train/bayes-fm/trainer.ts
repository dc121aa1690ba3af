/**
 * `bayes-fm`: a Bayesian factorization machine over feature groups, sampled by Gibbs/MCMC as in libFM
 * (Rendle, "Factorization machines with libFM", 2012; Rendle, Zhang & Koren 2019 for Bayesian SVD++ and
 * its "flipped" variant). See kernel.ts for the model and the per-coordinate draw.
 *
 * One sweep: the noise precision α ~ Gamma((α₀ + N)/2, (β₀ + Σe²)/2); the global bias w₀ (flat prior);
 * each group's hyper-parameters per column, μ ~ N(Σθ/(n + γ₀), ((n + γ₀)λ)⁻¹) and
 * λ ~ Gamma((α_λ + n + 1)/2, (β_λ + γ₀μ² + Σ(θ − μ)²)/2); then every free column of the user side
 * (all its groups), then of the item side. Residuals and side sums are recomputed from the parameters
 * at the start of each sweep, so float32 drift never accumulates.
 *
 * Kernels run as WebAssembly SIMD (assembly/bayes-fm.ts) on one KernelArena holding every array they
 * touch, or as the TypeScript reference (kernel.ts); both give the same bytes (the golden test checks
 * it).
 *
 * Threads (fit option `threads`, WASM kernels; the TS reference runs on one thread). Within one column
 * of one side the Gibbs draw is exact only in order for the implicit and side-feature groups: one of
 * their parameter rows occurs in many side rows and its draw moves those rows' caches, which the next
 * parameter row reads. The id group is different: row t's draw reads and writes only row t (its caches
 * A_t, G_t and its side sum), the rows are conditionally independent given everything else. So these
 * run over fixed shards of rows (SHARDS, balanced by ratings, chosen from the data alone) on the pool:
 * the row caches, the id group's draws, the residual update after the column, and the residual
 * recomputation at the start of a sweep; the implicit/side groups run as one range on the calling
 * thread in between. The draws' N(0,1) noise is still drawn on the calling thread from the same
 * per-(group, column, sweep) streams in row order, and Σe² is summed in rating order on the caller (not
 * from per-shard partial sums), so the sampler's arithmetic is unchanged: every thread count gives the
 * bytes of the one-thread sampler (golden-models.test.ts, threads 1, 2, 3). This is design (a) of issue
 * 17 without the per-row RNG streams it would have needed had the workers drawn the noise; filling the
 * noise costs ~2(k + 1)(users + items) normals per sweep on one thread. The sequential groups bound the
 * speed-up (Amdahl): in a one-thread profile about 62 % of a sweep is not on the pool, so ≤ 1.23× on 2 free
 * cores; automatic threads (0) stay at one.
 *
 * The other design, parallel chains, is the config `chains` (BayesFmChains below): independent chains
 * whose kept samples are stacked, which on ml-100k u1..u5 is more accurate than one chain with as many
 * samples. They run in lock step on the calling thread, not one per worker: the pools run WASM kernels
 * over shards, and a chain is a whole sampler. docs/performance.md, "bayes-fm threads", has the figures.
 */
import { MfrecError } from "../../core/errors.js";
import type { FitWarning } from "../../core/types.js";
import { featureWarnings } from "../feature-report.js";
import { deriveSeed, type Rng, rngFor } from "../../core/rng.js";
import { sampleGamma } from "../bpmf/wishart.js";
import type { FactorModel, FeatureFactors, ModelFeatures, TimeEffects } from "../../model/factor-model.js";
import type { DenseMatrix } from "../../matrix/dense.js";
import { meanColumn, stackedModel, widen } from "../finish.js";
import { meanOf, rangeOf } from "../init.js";
import type { EpochResult, FinishOptions, Trainer, TrainingData } from "../trainer.js";
import { type BayesFmConfig, bayesFmKeptSamples, TIME_BIN_SECONDS } from "./config.js";
import { f32 as f32Shape, f64 as f64Shape, heapAllocator, i32 as i32Shape, reserve } from "../../kernels/arena-plan.js";
import { type KernelCall, kernelCall, runRange } from "../../kernels/kernel-calls.js";
import type { KernelName, WasmKernels } from "../../kernels/wasm.js";
import { balancedRowShards, type KernelPool, rowShards } from "../../parallel/pool.js";
import { openWasmRuntime, type WasmRuntime } from "../kernel-runtime.js";
import { type AlignedFeatures, alignFeatures, type FeatureTable } from "../../data/features.js";
import type { IdIndex } from "../../data/id-index.js";
import { type FmRatingGroups, fmGroupSums, fmResiduals, fmRowCaches, fmSampleGroup, fmTimeCaches, fmTimeUpdateResiduals, fmUpdateResiduals } from "./kernel.js";

/** libFM's fixed hyper-prior constants. */
const ALPHA0 = 1;
const BETA0 = 1;
const ALPHA_LAMBDA = 1;
const BETA_LAMBDA = 1;
const GAMMA0 = 1;

/**
 * Fixed shards per side for the row-parallel kernels (caches, id-group draws, residual updates, residuals):
 * chosen from the data alone, never from the thread count, so every count gives the same bytes.
 */
const SHARDS = 64;

/** One feature group: parameter rows θ (paramRows × w) and how they occur in the side's rows. */
interface Group {
  name: string;
  paramRows: number;
  /** Side rows each parameter row occurs in (null: the id group, parameter row t is side row t, weight 1). */
  occPtr: Int32Array | null;
  occIndices: Int32Array | null;
  occWeights: Float32Array | null;
  theta: Float32Array;
  mu: Float64Array;
  lambda: Float64Array;
}

/** One side of the two-sided FM: its rows' ratings and side sums. */
interface Side {
  name: "users" | "items";
  rows: number;
  indptr: Int32Array;
  /** The other side's row of each rating, in this side's order. */
  indices: Int32Array;
  sums: Float32Array;
  /** Free columns: 0..k−1 and the linear one. */
  cols: Int32Array;
  /** The column held at 1. */
  constCol: number;
  groups: Group[];
  /** Shards of the rows balanced by ratings (caches, residual updates) and by rows (the id group's draws). */
  shards: Int32Array;
  rowShards: Int32Array;
}

/**
 * A per-rating group (time bins, user-day): parameter row bins[n] belongs to rating n (user order), so it sits
 * on neither side. Time rows are w wide (v_t in columns 0..k−1, w_t in column k, column k + 1 stays 0) and
 * meet both sides' sums; user-day rows are 1 wide (a bias).
 */
interface RatingGroup {
  group: Group;
  stride: number;
  /** Row of each rating, user order (item order: binsI, time group only). */
  binsU: Int32Array;
  binsI: Int32Array | null;
  /** The group's sums (a copy of theta, as the side sums of a side with one group). */
  sums: Float32Array;
  cols: Int32Array;
  /** Every column is a linear one (user-day). */
  linear: boolean;
}

class BayesFmTrainer implements Trainer {
  private readonly k: number;
  private readonly w: number;
  private readonly n: number;
  private readonly users: Side;
  private readonly items: Side;
  /** Ratings in user order and item order, item-order position q ↔ user-order position perm[q]. */
  private readonly valuesU: Float32Array;
  private readonly perm: Int32Array;
  private readonly residU: Float32Array;
  private readonly residI: Float32Array;
  private readonly a: Float64Array;
  private readonly g: Float64Array;
  private readonly before: Float32Array;
  private readonly noise: Float64Array;
  private w0: number;
  private alpha = 1;
  private readonly keptU: Float32Array[] = [];
  private readonly keptI: Float32Array[] = [];
  private readonly keptW0: number[] = [];
  /** Per kept sample: α, then the id groups' (μ, λ) over the free columns (fold-in's prior). */
  private readonly keptAlpha: number[] = [];
  private readonly keptPrior = { userMean: [] as number[], userPrecision: [] as number[], itemMean: [] as number[], itemPrecision: [] as number[] };
  /**
   * Per stored group (the implicit and side-feature groups the model keeps, see `stores`): the kept samples'
   * factor columns, unscaled, already in the model's stacked layout (paramRows × k·S, sample s in columns
   * s·k … s·k + k − 1, S = the samples the config keeps), how many are in, and the running sum of the linear
   * column: the model's stacked feature vectors (FactorModel.features) with no second copy at a zero-copy finish.
   */
  private readonly keptGroups = new Map<string, { stack: Float32Array; count: number; linear: Float64Array }>();
  /** The side-feature tables' vocabularies (undefined: no features on that side). */
  private readonly vocabularies: { users: IdIndex | undefined; items: IdIndex | undefined };

  /** The time-bin and user-day groups (absent: off). */
  private readonly time: RatingGroup | undefined;
  private readonly userDay: RatingGroup | undefined;
  private readonly timeKeys: RatingBins | undefined;
  private readonly dayKeys: UserDayBins | undefined;
  private readonly keptT: Float32Array[] = [];
  private readonly keptD: Float32Array[] = [];

  private readonly wasm: WasmRuntime | undefined;
  private readonly kernels: WasmKernels | undefined;
  private readonly pool: KernelPool | undefined;
  private readonly lossOut: Float64Array;
  /** How the side features matched the ratings' ids (undefined: no features on that side). */
  readonly featureReport: { users: SideFeatureReport | undefined; items: SideFeatureReport | undefined };
  private readonly fitWarnings: FitWarning[];

  constructor(
    private readonly data: TrainingData,
    private readonly cfg: BayesFmConfig,
  ) {
    const { byUser } = data;
    const nu = byUser.rows;
    const ni = byUser.cols;
    const n = byUser.indptr[nu]!;
    this.n = n;
    const k = cfg.factors;
    this.k = k;
    const w = k + 2;
    this.w = w;
    // Side-feature groups (fit option userFeatures / itemFeatures): one group per side, each row's
    // weights normalized to unit length, x / √Σx² (libFM's normalized side groups).
    const userSide = sideFeatures(data.userFeatures, data.ratings.userIndex);
    const itemSide = sideFeatures(data.itemFeatures, data.ratings.itemIndex);
    this.featureReport = { users: userSide?.report, items: itemSide?.report };
    this.vocabularies = { users: data.userFeatures?.vocabulary, items: data.itemFeatures?.vocabulary };
    this.fitWarnings = [
      ...featureWarnings(data.userFeatures, data.ratings.userIndex, "user", "they are not in the model (fold such a user in with its features: foldInUser(model, ratings, { features }))"),
      ...featureWarnings(data.itemFeatures, data.ratings.itemIndex, "item", "they are not in the model (fold such an item in with its features: foldInItem(model, raters, { features }))"),
    ];
    // Per-rating groups: each rating's time bin and (user, day) row, in user order.
    const timeKeys = cfg.time === false ? undefined : ratingBins(data, TIME_BIN_SECONDS[cfg.time], cfg.time);
    const dayKeys = cfg.userDay ? userDayBins(data) : undefined;
    this.timeKeys = timeKeys;
    this.dayKeys = dayKeys;
    const nb = timeKeys?.keys.length ?? 0;
    const nd = dayKeys?.days.length ?? 0;
    const rows = Math.max(nu, ni, userSide?.features ?? 0, itemSide?.features ?? 0, nb, nd);
    // Every array a kernel touches, in the arena when the WASM kernels run (its views are plain typed arrays too).
    const f32s = [n, n, n, n, n, nu * w, ni * w, nu * w, ni * w, rows];
    if (cfg.implicitUser) f32s.push(ni * w);
    if (cfg.implicitItem) f32s.push(nu * w);
    const i32s = [nu + 1, n, ni + 1, n];
    for (const sf of [userSide, itemSide]) {
      if (!sf) continue;
      f32s.push(sf.features * w, sf.rowIndices.length);
      i32s.push(sf.features + 1, sf.rowIndices.length);
    }
    if (timeKeys) {
      f32s.push(nb * w, nb * w);
      i32s.push(n, n);
    }
    if (dayKeys) {
      f32s.push(nd, nd);
      i32s.push(n);
    }
    const mem = reserve(...f32s.map(f32Shape), ...i32s.map(i32Shape), f64Shape(rows), f64Shape(rows), f64Shape(rows), f64Shape(SHARDS));
    // Automatic threads (0) stay at one (work 0): a sweep posts 3 small pool tasks per column (2(k + 1) columns)
    // around a sequential part of ~62 %, and on the shared 2-core box 2 threads were slower at every size
    // measured (docs/performance.md, "bayes-fm threads"). `threads` ≥ 2 asks for the pool explicitly.
    this.wasm = openWasmRuntime(data.runtime, [mem], w, 0);
    const arena = this.wasm?.arena;
    this.kernels = arena?.kernels;
    this.pool = this.wasm?.pool;
    const alloc = arena ?? heapAllocator;
    const f32 = (len: number): Float32Array => alloc.f32(len);
    const i32 = (len: number): Int32Array => alloc.i32(len);
    const f64 = (len: number): Float64Array => alloc.f64(len);
    const userPtr = i32(nu + 1);
    userPtr.set(byUser.indptr.subarray(0, nu + 1));
    const userItems = i32(n);
    userItems.set(byUser.indices.subarray(0, n));
    const values = f32(n);
    values.set(byUser.values.subarray(0, n));
    // Item-order view built from byUser (so the permutation is known exactly).
    const itemPtr = i32(ni + 1);
    for (let p = 0; p < n; p++) itemPtr[byUser.indices[p]! + 1]!++;
    for (let i = 0; i < ni; i++) itemPtr[i + 1]! += itemPtr[i]!;
    const next = itemPtr.slice(0, ni);
    const itemUsers = i32(n);
    const perm = new Int32Array(n);
    for (let u = 0; u < nu; u++) {
      for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) {
        const q = next[byUser.indices[p]!]!++;
        itemUsers[q] = u;
        perm[q] = p;
      }
    }
    this.perm = perm;
    this.valuesU = values;
    // c_u = |N(u)|^-½ for each rating in item order (the implicit-user group's occurrences of item j),
    // c_i = |N(i)|^-½ for each rating in user order (the flipped group's occurrences of user v).
    const cu = f32(n);
    for (let q = 0; q < n; q++) {
      const u = itemUsers[q]!;
      cu[q] = 1 / Math.sqrt(byUser.indptr[u + 1]! - byUser.indptr[u]!);
    }
    const ci = f32(n);
    for (let p = 0; p < n; p++) {
      const i = byUser.indices[p]!;
      ci[p] = 1 / Math.sqrt(itemPtr[i + 1]! - itemPtr[i]!);
    }
    const group = (name: string, paramRows: number, occPtr: Int32Array | null, occIndices: Int32Array | null, occWeights: Float32Array | null): Group => {
      const theta = f32(paramRows * w);
      const rng = rngFor(cfg.seed, `bayes-fm-init-${name}`);
      for (let t = 0; t < paramRows; t++) for (let f = 0; f < k; f++) theta[t * w + f] = cfg.initStd * rng.normal();
      const lambda = new Float64Array(w).fill(1);
      return { name, paramRows, occPtr, occIndices, occWeights, theta, mu: new Float64Array(w), lambda };
    };
    const freeCols = (linear: number): Int32Array => {
      const c = new Int32Array(k + 1);
      for (let f = 0; f < k; f++) c[f] = f;
      c[k] = linear;
      return c;
    };
    const userGroups = [group("user", nu, null, null, null)];
    if (cfg.implicitUser) userGroups.push(group("user-implicit", ni, itemPtr, itemUsers, cu));
    const itemGroups = [group("item", ni, null, null, null)];
    if (cfg.implicitItem) itemGroups.push(group("item-implicit", nu, userPtr, userItems, ci));
    const featureGroup = (name: string, sf: SideFeatures): Group => {
      const ptr = i32(sf.features + 1);
      ptr.set(sf.ptr);
      const idx = i32(sf.rowIndices.length);
      idx.set(sf.rowIndices);
      const wts = f32(sf.weights.length);
      wts.set(sf.weights);
      return group(name, sf.features, ptr, idx, wts);
    };
    if (userSide) userGroups.push(featureGroup("user-features", userSide));
    if (itemSide) itemGroups.push(featureGroup("item-features", itemSide));
    const shardsOf = (indptr: Int32Array, rows: number) => ({ shards: balancedRowShards(indptr, rows, SHARDS), rowShards: rowShards(rows, Math.ceil(rows / SHARDS)) });
    this.users = { name: "users", rows: nu, indptr: userPtr, indices: userItems, sums: f32(nu * w), cols: freeCols(k), constCol: k + 1, groups: userGroups, ...shardsOf(userPtr, nu) };
    this.items = { name: "items", rows: ni, indptr: itemPtr, indices: itemUsers, sums: f32(ni * w), cols: freeCols(k + 1), constCol: k, groups: itemGroups, ...shardsOf(itemPtr, ni) };
    if (timeKeys) {
      const tg = group("time", nb, null, null, null);
      const binsU = i32(n);
      binsU.set(timeKeys.rowOf);
      const binsI = i32(n);
      for (let q = 0; q < n; q++) binsI[q] = binsU[perm[q]!]!;
      this.time = { group: tg, stride: w, binsU, binsI, sums: f32(nb * w), cols: freeCols(k), linear: false };
    }
    if (dayKeys) {
      const theta = f32(nd);
      const dg: Group = { name: "user-day", paramRows: nd, occPtr: null, occIndices: null, occWeights: null, theta, mu: new Float64Array(1), lambda: new Float64Array(1).fill(1) };
      const binsU = i32(n);
      binsU.set(dayKeys.rowOf);
      this.userDay = { group: dg, stride: 1, binsU, binsI: null, sums: f32(nd), cols: Int32Array.of(0), linear: true };
    }
    this.w0 = meanOf(byUser.values, n);
    this.residU = f32(n);
    this.residI = f32(n);
    this.a = f64(rows);
    this.g = f64(rows);
    this.before = f32(rows);
    this.noise = f64(rows);
    this.lossOut = f64(SHARDS);
  }

  /** A row-parallel kernel over fixed shards on the pool (its threads, the caller's included). */
  private run(call: KernelCall<KernelName>, shards: Int32Array): void {
    this.pool!.run({ ...call, shards });
  }

  close(): void {
    if (this.wasm) void this.wasm.pool.close();
  }

  /** The side-feature tables' ids without ratings, rated ids without features, features without ratings (counted once, at the start). */
  warnings(): FitWarning[] {
    return this.fitWarnings.map((w) => ({ ...w, examples: [...w.examples] }));
  }

  /** Side sums from the parameters: S_r = θ_id,r + Σ_groups Σ_t x_{r,t} θ_t; the constant column 1. */
  private recomputeSums(side: Side): void {
    const { w } = this;
    const s = side.sums;
    const [id, ...rest] = side.groups;
    s.set(id!.theta);
    const K = this.kernels;
    for (const gr of rest) {
      const { occPtr, occIndices, occWeights, theta } = gr;
      if (K) runRange(K, kernelCall.bfmGroupSumsRange({ occPtr, occIndices, occWeights, theta, w, sums: s }), 0, gr.paramRows);
      else fmGroupSums(occPtr!, occIndices!, occWeights!, theta, w, s, gr.paramRows);
    }
    for (let r = 0; r < side.rows; r++) s[r * w + side.constCol] = 1;
  }

  /** e = r − w₀ − S_u·S_i (− the per-rating groups' terms) in user order; returns Σe². */
  private recomputeResiduals(): number {
    const { w, k, users, items, time, userDay } = this;
    const x: FmRatingGroups | null =
      time || userDay ? { bins: time?.binsU ?? null, T: time?.sums ?? null, k, dayBins: userDay?.binsU ?? null, D: userDay?.sums ?? null } : null;
    const K = this.kernels;
    if (!K) return fmResiduals(users.indptr, users.indices, this.valuesU, users.sums, items.sums, w, this.w0, this.residU, users.rows, x);
    this.run(
      kernelCall.bfmResidualsRange({
        indptr: users.indptr, indices: users.indices, values: this.valuesU, U: users.sums, I: items.sums, w, w0: this.w0, resid: this.residU, lossOut: this.lossOut,
        bins: x?.bins ?? null, T: x?.T ?? null, k, dayBins: x?.dayBins ?? null, D: x?.D ?? null,
      }),
      users.shards,
    );
    // Σe² in rating order on this thread (not the shards' partial sums): the same f64 sum as one range, so the
    // bytes are those of the one-thread sampler whatever the shards.
    const e = this.residU;
    let sse = 0;
    for (let p = 0; p < this.n; p++) sse += e[p]! * e[p]!;
    return sse;
  }

  /** Draw every column of a per-rating group (time bins, user-day) on the user-order residuals. */
  private sampleRatingGroup(rg: RatingGroup, sweep: number): void {
    const { k, a, g, before, users, items } = this;
    const resid = this.residU;
    const K = this.kernels;
    const gr = rg.group;
    const nb = gr.paramRows;
    const stride = rg.stride;
    for (const c of rg.cols) {
      const linear = rg.linear || c >= k;
      const common = { indptr: users.indptr, indices: users.indices, bins: rg.binsU, resid, U: users.sums, I: items.sums, stride, col: c, linear };
      if (K) {
        a.fill(0, 0, nb);
        g.fill(0, 0, nb);
        runRange(K, kernelCall.bfmTimeCachesRange({ ...common, a, g }), 0, users.rows);
      } else fmTimeCaches(users.indptr, users.indices, rg.binsU, resid, users.sums, items.sums, stride, c, linear, a, g, nb, users.rows);
      for (let b = 0; b < nb; b++) before[b] = rg.sums[b * stride + c]!;
      const noise = this.noise.subarray(0, nb);
      rngFor(this.cfg.seed, `bayes-fm-${gr.name}-${c}`, sweep).fillNormal(noise, 0, 1);
      const mu = gr.mu[c]!;
      const lambda = gr.lambda[c]!;
      if (K) {
        const call = kernelCall.bfmGroupRange({ occPtr: null, occIndices: null, occWeights: null, theta: gr.theta, stride, col: c, sums: rg.sums, a, g, alpha: this.alpha, mu, lambda, noise });
        runRange(K, call, 0, nb);
        runRange(K, kernelCall.bfmTimeResidualUpdateRange({ ...common, sums: rg.sums, before }), 0, users.rows);
      } else {
        fmSampleGroup(null, null, null, gr.theta, stride, c, rg.sums, a, g, this.alpha, mu, lambda, noise, nb);
        fmTimeUpdateResiduals(users.indptr, users.indices, rg.binsU, resid, users.sums, items.sums, stride, c, linear, rg.sums, before, users.rows);
      }
    }
  }

  private sampleHyper(gr: Group, cols: Int32Array, rng: Rng, w = this.w): void {
    const n = gr.paramRows;
    for (const c of cols) {
      let sum = 0;
      for (let t = 0; t < n; t++) sum += gr.theta[t * w + c]!;
      const muMean = sum / (n + GAMMA0);
      const mu = muMean + rng.normal() / Math.sqrt((n + GAMMA0) * gr.lambda[c]!);
      let ss = 0;
      for (let t = 0; t < n; t++) {
        const d = gr.theta[t * w + c]! - mu;
        ss += d * d;
      }
      const rate = (BETA_LAMBDA + GAMMA0 * mu * mu + ss) / 2;
      gr.mu[c] = mu;
      gr.lambda[c] = sampleGamma(rng, (ALPHA_LAMBDA + n + 1) / 2) / rate;
    }
  }

  private sampleSide(side: Side, other: Side, resid: Float32Array, sweep: number): void {
    const { w, k, a, g, before, time } = this;
    const K = this.kernels;
    for (const c of side.cols) {
      // A factor column meets the rating's time row too (o_n = other + v_t); the linear ones do not.
      const bins = time && c < k ? (side.name === "users" ? time.binsU : time.binsI) : null;
      const T = bins ? time!.sums : null;
      if (K) this.run(kernelCall.bfmCachesRange({ indptr: side.indptr, indices: side.indices, resid, other: other.sums, stride: w, col: c, a, g, bins, T }), side.shards);
      else fmRowCaches(side.indptr, side.indices, resid, other.sums, w, c, a, g, side.rows, bins, T);
      for (let r = 0; r < side.rows; r++) before[r] = side.sums[r * w + c]!;
      for (const gr of side.groups) {
        const noise = this.noise.subarray(0, gr.paramRows);
        rngFor(this.cfg.seed, `bayes-fm-${gr.name}-${c}`, sweep).fillNormal(noise, 0, 1);
        const mu = gr.mu[c]!;
        const lambda = gr.lambda[c]!;
        if (K) {
          const call = kernelCall.bfmGroupRange({
            occPtr: gr.occPtr, occIndices: gr.occIndices, occWeights: gr.occWeights, theta: gr.theta, stride: w, col: c, sums: side.sums,
            a, g, alpha: this.alpha, mu, lambda, noise,
          });
          // The id group: row t's draw reads and writes only row t (its caches, its sum), so its rows run in
          // parallel; the noise was drawn above, in row order, on this thread. Other groups share side rows
          // between parameter rows (Gibbs order matters): one range on this thread.
          if (gr.occPtr === null) this.run(call, side.rowShards);
          else runRange(K, call, 0, gr.paramRows);
        } else fmSampleGroup(gr.occPtr, gr.occIndices, gr.occWeights, gr.theta, w, c, side.sums, a, g, this.alpha, mu, lambda, noise, gr.paramRows);
      }
      if (K) this.run(kernelCall.bfmResidualUpdateRange({ indptr: side.indptr, indices: side.indices, resid, other: other.sums, stride: w, col: c, sums: side.sums, before, bins, T }), side.shards);
      else fmUpdateResiduals(side.indptr, side.indices, resid, other.sums, w, c, side.sums, before, side.rows, bins, T);
    }
  }

  epoch(sweep: number): EpochResult {
    const { users, items, n, cfg } = this;
    this.recomputeSums(users);
    this.recomputeSums(items);
    for (const rg of [this.time, this.userDay]) if (rg) rg.sums.set(rg.group.theta);
    let sse = this.recomputeResiduals();
    const rng = rngFor(cfg.seed, "bayes-fm-hyper", sweep);
    this.alpha = sampleGamma(rng, (ALPHA0 + n) / 2) / ((BETA0 + sse) / 2);
    if (!Number.isFinite(this.alpha) || !Number.isFinite(sse)) {
      throw new MfrecError("E_DIVERGED", `bayes-fm diverged at sweep ${sweep}: the training error became ${sse}`, { value: sse, expected: "a finite error" });
    }
    // w₀ | rest ~ N(w₀ + Σe/N, (αN)⁻¹) (flat prior).
    let se = 0;
    for (let p = 0; p < n; p++) se += this.residU[p]!;
    const d = se / n + rng.normal() / Math.sqrt(this.alpha * n);
    this.w0 += d;
    for (let p = 0; p < n; p++) this.residU[p] = Math.fround(this.residU[p]! - d);
    for (const gr of users.groups) this.sampleHyper(gr, users.cols, rng);
    for (const gr of items.groups) this.sampleHyper(gr, items.cols, rng);
    for (const rg of [this.time, this.userDay]) if (rg) this.sampleHyper(rg.group, rg.cols, rng, rg.stride);
    this.sampleSide(users, items, this.residU, sweep);
    for (let q = 0; q < n; q++) this.residI[q] = this.residU[this.perm[q]!]!;
    this.sampleSide(items, users, this.residI, sweep);
    sse = 0;
    if (this.time || this.userDay) {
      // The per-rating groups last, on the residuals back in user order.
      for (let q = 0; q < n; q++) this.residU[this.perm[q]!] = this.residI[q]!;
      for (const rg of [this.time, this.userDay]) if (rg) this.sampleRatingGroup(rg, sweep);
      for (let p = 0; p < n; p++) sse += this.residU[p]! * this.residU[p]!;
    } else for (let q = 0; q < n; q++) sse += this.residI[q]! * this.residI[q]!;
    const after = sweep - cfg.burnIn;
    if (after >= 0 && after % cfg.thin === 0 && this.keptU.length < bayesFmKeptSamples(cfg)) {
      this.keptU.push(users.sums.slice());
      this.keptI.push(items.sums.slice());
      this.keptW0.push(this.w0);
      if (this.time) this.keptT.push(this.time.sums.slice());
      if (this.userDay) this.keptD.push(this.userDay.sums.slice());
      this.keptAlpha.push(this.alpha);
      const p = this.keptPrior;
      for (const c of users.cols) {
        p.userMean.push(users.groups[0]!.mu[c]!);
        p.userPrecision.push(users.groups[0]!.lambda[c]!);
      }
      for (const c of items.cols) {
        p.itemMean.push(items.groups[0]!.mu[c]!);
        p.itemPrecision.push(items.groups[0]!.lambda[c]!);
      }
      for (const [side, linear] of [[users, users.cols[this.k]!] as const, [items, items.cols[this.k]!] as const]) {
        for (const gr of side.groups) {
          if (!this.stores(gr.name)) continue;
          const { k, w } = this;
          const S = bayesFmKeptSamples(cfg);
          let kept = this.keptGroups.get(gr.name);
          if (!kept) this.keptGroups.set(gr.name, (kept = { stack: new Float32Array(gr.paramRows * k * S), count: 0, linear: new Float64Array(gr.paramRows) }));
          const at = kept.count * k;
          for (let t = 0; t < gr.paramRows; t++) {
            for (let f = 0; f < k; f++) kept.stack[t * k * S + at + f] = gr.theta[t * w + f]!;
            kept.linear[t]! += gr.theta[t * w + linear]!;
          }
          kept.count++;
        }
      }
    }
    return { loss: sse, trainRmse: Math.sqrt(sse / Math.max(1, n)) };
  }

  /** Every per-sample list finish() stacks (a new kept list must be added here for the chains to stack it). */
  private keptLists(): unknown[][] {
    const p = this.keptPrior;
    return [this.keptU, this.keptI, this.keptW0, this.keptAlpha, p.userMean, p.userPrecision, p.itemMean, p.itemPrecision, this.keptT, this.keptD];
  }

  /**
   * finish() over this chain's kept samples followed by those of `others` (parallel chains, same data and config
   * but the seed), leaving every chain as it was (a snapshot between epochs goes on sampling). Before any chain
   * has kept a sample (a snapshot during the burn-in), the model is this chain's current draw. The stored
   * groups' stacks (keptGroups) are joined the same way: chain 0's samples, then chain 1's, …
   */
  finishWith(others: readonly BayesFmTrainer[], opts: FinishOptions = {}): FactorModel {
    const mine = this.keptLists();
    const lengths = mine.map((l) => l.length);
    const saved = new Map(this.keptGroups);
    if (lengths[0] !== 0) {
      for (const o of others) {
        const theirs = o.keptLists();
        for (let j = 0; j < mine.length; j++) for (const x of theirs[j]!) mine[j]!.push(x);
      }
      const { k } = this;
      for (const [name, g] of saved) {
        const parts = [g, ...others.map((o) => o.keptGroups.get(name)!)];
        const count = parts.reduce((s, x) => s + x.count, 0);
        const rows = g.linear.length;
        const stack = new Float32Array(rows * k * count);
        const linear = new Float64Array(rows);
        let at = 0;
        for (const x of parts) {
          const stride = x.stack.length / rows;
          for (let t = 0; t < rows; t++) {
            for (let c = 0; c < x.count * k; c++) stack[t * k * count + at + c] = x.stack[t * stride + c]!;
            linear[t]! += x.linear[t]!;
          }
          at += x.count * k;
        }
        this.keptGroups.set(name, { stack, count, linear });
      }
    }
    try {
      return this.finish(opts);
    } finally {
      mine.forEach((l, j) => {
        l.length = lengths[j]!;
      });
      this.keptGroups.clear();
      for (const [name, g] of saved) this.keptGroups.set(name, g);
    }
  }

  finish(opts: FinishOptions = {}): FactorModel {
    const { ratings, byUser } = this.data;
    const { k, w, users, items } = this;
    const kept = this.keptU.length;
    // Before the first kept sample (a snapshot during burn-in) the model is the current draw.
    const us = kept === 0 ? [users.sums] : this.keptU;
    const is = kept === 0 ? [items.sums] : this.keptI;
    const w0s = kept === 0 ? [this.w0] : this.keptW0;
    const prior = (g: Group, cols: Int32Array, key: "mu" | "lambda"): number[] => Array.from(cols, (c) => g[key][c]!);
    const p = this.keptPrior;
    const fitted =
      kept === 0
        ? {
            foldInNoisePrecision: [this.alpha],
            foldInUserPriorMean: prior(users.groups[0]!, users.cols, "mu"),
            foldInUserPriorPrecision: prior(users.groups[0]!, users.cols, "lambda"),
            foldInItemPriorMean: prior(items.groups[0]!, items.cols, "mu"),
            foldInItemPriorPrecision: prior(items.groups[0]!, items.cols, "lambda"),
          }
        : {
            foldInNoisePrecision: this.keptAlpha.slice(),
            foldInUserPriorMean: p.userMean.slice(),
            foldInUserPriorPrecision: p.userPrecision.slice(),
            foldInItemPriorMean: p.itemMean.slice(),
            foldInItemPriorPrecision: p.itemPrecision.slice(),
          };
    const model = stackedModel({
      config: { ...this.cfg, ...fitted },
      userSamples: us,
      itemSamples: is,
      stride: w,
      k,
      userBiasColumn: k,
      itemBiasColumn: k + 1,
      userIndex: ratings.userIndex,
      itemIndex: ratings.itemIndex,
      globalMean: w0s.reduce((s, x) => s + x, 0) / w0s.length,
      history: byUser,
      ratingScale: rangeOf(ratings.values, ratings.length),
    });
    const features: ModelFeatures = {};
    const voc = this.vocabularies;
    for (const [name, key, vocabulary] of [
      ["user-features", "users", voc.users],
      ["item-features", "items", voc.items],
      ["user-implicit", "ratedItems", ratings.itemIndex],
      ["item-implicit", "raters", ratings.userIndex],
    ] as const) {
      const gr = [...users.groups, ...items.groups].find((g) => g.name === name);
      if (!gr || !vocabulary || !this.stores(name)) continue;
      features[key] = this.storedGroup(gr, vocabulary, opts.zeroCopy === true);
    }
    const withFeatures = Object.keys(features).length === 0 ? model : model.with({ features });
    const time = this.timeEffects(kept);
    return time ? withFeatures.with({ time }) : withFeatures;
  }

  /** The per-rating groups of the model: the kept samples' time rows stacked like the factors, biases averaged. */
  private timeEffects(kept: number): TimeEffects | undefined {
    const { k, w, time, userDay, timeKeys, dayKeys } = this;
    if (!time && !userDay) return undefined;
    const out: TimeEffects = {};
    if (time && timeKeys) {
      const ts = kept === 0 ? [time.sums] : this.keptT;
      const nb = timeKeys.keys.length;
      out.bins = { unit: timeKeys.unit, seconds: timeKeys.seconds, keys: timeKeys.keys.slice(), factors: widen(ts, nb, w, k), bias: meanColumn(ts, nb, w, k) };
    }
    if (userDay && dayKeys) {
      const ds = kept === 0 ? [userDay.sums] : this.keptD;
      out.userDay = { indptr: dayKeys.indptr.slice(), days: dayKeys.days.slice(), bias: meanColumn(ds, dayKeys.days.length, 1, 0) };
    }
    return out;
  }

  /** Whether the model keeps a group's vectors: the side features always, the implicit groups unless implicitVectors is false. */
  private stores(name: string): boolean {
    return name === "user-features" || name === "item-features" || ((name === "user-implicit" || name === "item-implicit") && this.cfg.implicitVectors);
  }

  /**
   * A group's vectors as the model stores them: the kept samples' factor columns stacked like the rows
   * ([v⁽¹⁾ … v⁽ˢ⁾]/√S, the bytes stackedModel's widen gives), the linear terms averaged; before the first kept
   * sample, the current draw. `own`: the last finish, which scales the kept stack in place and hands it over.
   */
  private storedGroup(gr: Group, vocabulary: IdIndex, own: boolean): FeatureFactors {
    const { k, w } = this;
    const linearCol = gr.name.startsWith("user") ? k : k + 1;
    const rows = gr.paramRows;
    const g = this.keptGroups.get(gr.name);
    let factors: DenseMatrix;
    const bias = new Float32Array(rows);
    if (!g || g.count === 0) {
      factors = widen([groupFactors(gr.theta, rows, w, k)], rows, k, k);
      for (let t = 0; t < rows; t++) bias[t] = gr.theta[t * w + linearCol]!;
    } else {
      const S = g.count;
      const width = k * S;
      const stride = g.stack.length / rows;
      const scale = 1 / Math.sqrt(S);
      // In place when it is the last finish and every sample is in (the stack is then exactly rows × k·S).
      const data = own && stride === width ? g.stack : new Float32Array(rows * width);
      for (let t = 0; t < rows; t++) for (let c = 0; c < width; c++) data[t * width + c] = scale * g.stack[t * stride + c]!;
      if (data === g.stack) this.keptGroups.delete(gr.name);
      factors = { rows, cols: width, data };
      for (let t = 0; t < rows; t++) bias[t] = g.linear[t]! / S;
    }
    // The implicit groups' vocabularies are the model's own id indexes (shared); a feature table's is copied.
    const shared = gr.name.endsWith("-implicit");
    return { vocabulary: shared ? vocabulary : vocabulary.clone(), factors, bias, normalize: "l2" };
  }
}

/** The factor columns 0..k−1 of a group's parameters (rows × w): rows × k. */
function groupFactors(theta: Float32Array, rows: number, w: number, k: number): Float32Array {
  const out = new Float32Array(rows * k);
  for (let t = 0; t < rows; t++) for (let f = 0; f < k; f++) out[t * k + f] = theta[t * w + f]!;
  return out;
}

/** How a side's feature table matched the ratings' ids. */
export interface SideFeatureReport {
  /** Distinct features (parameter rows of the group). */
  features: number;
  /** Ids of the table with no rating (fine: they are not used). */
  unmatched: number;
  /** Rated ids with no features (their group term is 0). */
  withoutFeatures: number;
}

/** A side-feature group, feature-major: feature t occurs in rows rowIndices[ptr[t]..ptr[t+1]) with weights. */
interface SideFeatures {
  features: number;
  ptr: Int32Array;
  rowIndices: Int32Array;
  weights: Float32Array;
  report: SideFeatureReport;
}

/** Align a table onto the ratings' ids, normalize each row to unit length and transpose it (exported for tests). */
export function sideFeatures(table: FeatureTable | undefined, index: IdIndex): SideFeatures | undefined {
  if (!table) return undefined;
  const al: AlignedFeatures = alignFeatures(table, index);
  const F = al.vocabulary.size;
  const nnz = al.indices.length;
  const ptr = new Int32Array(F + 1);
  for (let p = 0; p < nnz; p++) ptr[al.indices[p]! + 1]!++;
  for (let t = 0; t < F; t++) ptr[t + 1]! += ptr[t]!;
  const next = ptr.slice(0, F);
  const rowIndices = new Int32Array(nnz);
  const weights = new Float32Array(nnz);
  const rows = al.indptr.length - 1;
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let p = al.indptr[r]!; p < al.indptr[r + 1]!; p++) ss += al.values[p]! * al.values[p]!;
    const scale = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let p = al.indptr[r]!; p < al.indptr[r + 1]!; p++) {
      const q = next[al.indices[p]!]!++;
      rowIndices[q] = r;
      weights[q] = al.values[p]! * scale;
    }
  }
  return { features: F, ptr, rowIndices, weights, report: { features: F, unmatched: al.unmatched, withoutFeatures: al.withoutFeatures } };
}

/**
 * `chains` > 1: independent chains advanced in lock step, one sweep of each per epoch, each a BayesFmTrainer with
 * its own seed (chain 0 the fit's, so chains = 1 is the one-chain sampler), its own kernel memory and pool; the
 * model stacks chain 0's kept samples, then chain 1's, … Chains run one after the other on the calling thread
 * (each with the row-parallel kernels on `threads`), so the bytes do not depend on the thread count.
 */
class BayesFmChains implements Trainer {
  constructor(private readonly chains: readonly BayesFmTrainer[]) {}

  epoch(sweep: number): EpochResult {
    let loss = 0;
    let rmse = 0;
    for (const c of this.chains) {
      const r = c.epoch(sweep);
      loss += r.loss;
      rmse += r.trainRmse ?? 0;
    }
    // The mean over chains (each chain's own training error; the stacked model's is not computed per sweep).
    return { loss: loss / this.chains.length, trainRmse: rmse / this.chains.length };
  }

  finish(opts: FinishOptions = {}): FactorModel {
    const [first, ...rest] = this.chains;
    return first!.finishWith(rest, opts);
  }

  /** Chain 0's (every chain sees the same data and features). */
  warnings(): FitWarning[] {
    return this.chains[0]!.warnings();
  }

  close(): void {
    for (const c of this.chains) c.close();
  }
}

/** The seed of chain c of a fit: the fit's own for chain 0, a derived one for the others. */
export function bayesFmChainSeed(seed: number, chain: number): number {
  return chain === 0 ? seed : deriveSeed(seed, "bayes-fm-chain", chain);
}

/** The time bins of the training ratings: sorted bin numbers and each rating's row (user order). */
interface RatingBins {
  unit: "day" | "week";
  seconds: number;
  keys: Int32Array;
  rowOf: Int32Array;
}

/** The (user, day) rows of the training ratings: user u's days days[indptr[u]..indptr[u+1]) increasing; each rating's row (user order). */
interface UserDayBins {
  indptr: Int32Array;
  days: Int32Array;
  rowOf: Int32Array;
}

/**
 * Each rating's timestamp in the users' CSR order (byUser is the stable counting sort of the ratings by
 * user, fit.ts's trainingData). Throws E_CONFIG when the ratings have no timestamps or a bin does not
 * fit an int32 (timestamps are seconds).
 */
function timesInUserOrder(data: TrainingData, what: string): Float64Array {
  const r = data.ratings;
  const ts = r.timestamps;
  if (!ts) {
    throw new MfrecError("E_CONFIG", `bayes-fm ${what} needs each rating's timestamp, and these ratings have none`, {
      file: r.report.file,
      column: "timestamp",
      expected: "ratings read with a timestamp column in seconds (MovieLens u.data / ratings.csv have one; else --columns user,item,rating,timestamp), or time=false userDay=false",
    });
  }
  const { byUser } = data;
  const n = byUser.indptr[byUser.rows]!;
  if (r.length !== n) throw new MfrecError("E_SHAPE", "internal: the users' CSR does not hold every rating", { value: [n, r.length] });
  const next = byUser.indptr.slice(0, byUser.rows);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const p = next[r.users[j]!]!++;
    if (byUser.indices[p] !== r.items[j]) throw new MfrecError("E_SHAPE", "internal: the users' CSR is not in the ratings' order", { value: j });
    out[p] = ts[j]!;
  }
  return out;
}

function binNumber(t: number, seconds: number, line: number, file: string | undefined): number {
  const b = Math.floor(t / seconds);
  if (!(b >= -2147483648 && b <= 2147483647)) {
    throw new MfrecError("E_CONFIG", "a timestamp is too large to be in seconds", { file, value: t, expected: "timestamps in seconds (Unix time)", hint: `the rating at CSR position ${line}` });
  }
  return b;
}

/** The rating's bins (exported for tests). */
export function ratingBins(data: TrainingData, seconds: number, unit: "day" | "week"): RatingBins {
  const t = timesInUserOrder(data, `time=${unit}`);
  const n = t.length;
  const file = data.ratings.report.file;
  const bin = new Int32Array(n);
  for (let p = 0; p < n; p++) bin[p] = binNumber(t[p]!, seconds, p, file);
  const keys = Int32Array.from(new Set(bin)).sort();
  const row = new Map<number, number>();
  for (let r = 0; r < keys.length; r++) row.set(keys[r]!, r);
  const rowOf = new Int32Array(n);
  for (let p = 0; p < n; p++) rowOf[p] = row.get(bin[p]!)!;
  return { unit, seconds, keys, rowOf };
}

/** The ratings' (user, day) rows (exported for tests). */
export function userDayBins(data: TrainingData): UserDayBins {
  const t = timesInUserOrder(data, "userDay");
  const { byUser } = data;
  const nu = byUser.rows;
  const file = data.ratings.report.file;
  const indptr = new Int32Array(nu + 1);
  const days: number[] = [];
  const rowOf = new Int32Array(t.length);
  for (let u = 0; u < nu; u++) {
    const p0 = byUser.indptr[u]!;
    const p1 = byUser.indptr[u + 1]!;
    const own = new Int32Array(p1 - p0);
    for (let p = p0; p < p1; p++) own[p - p0] = binNumber(t[p]!, 86400, p, file);
    const distinct = Int32Array.from(new Set(own)).sort();
    const base = days.length;
    const row = new Map<number, number>();
    distinct.forEach((d, j) => {
      row.set(d, base + j);
      days.push(d);
    });
    for (let p = p0; p < p1; p++) rowOf[p] = row.get(own[p - p0]!)!;
    indptr[u + 1] = days.length;
  }
  return { indptr, days: Int32Array.from(days), rowOf };
}

/** Build the sampler of one fit. */
export function createBayesFmTrainer(data: TrainingData, cfg: BayesFmConfig): Trainer {
  if (cfg.chains <= 1) return new BayesFmTrainer(data, cfg);
  const chains: BayesFmTrainer[] = [];
  try {
    for (let c = 0; c < cfg.chains; c++) chains.push(new BayesFmTrainer(data, c === 0 ? cfg : { ...cfg, seed: bayesFmChainSeed(cfg.seed, c) }));
  } catch (e) {
    for (const t of chains) t.close();
    throw e;
  }
  return new BayesFmChains(chains);
}
