import { type Csr, type DuplicateRule, rowMeans, transpose } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import type { IdIndex } from "../core/id-index.js";
import type { Interaction } from "../core/interactions.js";
import { heapPush } from "../core/topk.js";
import { topKSimilarity } from "../similarity/kernel.js";
import type { NeighborLists, SimilarityMetric } from "../similarity/neighbors.js";
import { type Biases, fitBiases, resolveBaselineConfig, resolveRatingScale } from "./baseline.js";
import { type ReadOptions, resolveTraining, type TrainingData } from "./data.js";
import { decayWeight, latestTimestamp } from "./popularity.js";

/**
 * How neighbours' ratings combine into a prediction (Surprise's three classic KNN algorithms):
 * - `weightedMean` (KNNBasic): r̂ = Σ sim·r / Σ sim; with fewer than `minK` neighbours the
 *   prediction is impossible (fallback: the global mean, flagged).
 * - `meanCentered` (KNNWithMeans): r̂ = μ_x + Σ sim·(r − μ_nb) / Σ sim.
 * - `baseline` (KNNBaseline): r̂ = b_xy + Σ sim·(r − b_nb,y) / Σ sim, with ALS baselines.
 * Only neighbours with positive similarity contribute, as in Surprise.
 */
export type KnnAggregation = "weightedMean" | "meanCentered" | "baseline";

/** Options of {@link fitItemKnn} and {@link fitUserKnn}. */
export interface KnnOptions<R = Interaction> {
  /** Neighbours used per prediction / per history item (default 40, as Surprise). */
  readonly k?: number;
  /** Fewest positive-similarity neighbours for a neighbourhood estimate (default 1, as Surprise). */
  readonly minK?: number;
  /** Similarity metric (default `"msd"`, Surprise's default). */
  readonly metric?: SimilarityMetric;
  /** Similarity shrinkage λ (default 0). */
  readonly shrinkage?: number;
  /** Minimum co-support of a neighbour (default 1). */
  readonly minSupport?: number;
  /** Rating aggregation (default `"meanCentered"`). */
  readonly aggregation?: KnnAggregation;
  /**
   * Neighbours stored per row (default: every row with co-support, which Surprise-exact rating
   * prediction needs: the k nearest *among the users who rated the item*). Set it (e.g. 200) on
   * large data; refused with `TOO_LARGE` when the default would store more than 50 million pairs.
   */
  readonly maxNeighbors?: number;
  /** Baseline fitting for `aggregation: "baseline"` (Surprise defaults). */
  readonly baseline?: { readonly regUser?: number; readonly regItem?: number; readonly epochs?: number };
  /** Rating scale predictions are clipped to (default: the data's min and max). */
  readonly ratingScale?: readonly [number, number];
  /**
   * Case amplification ρ (Breese, Heckerman & Kadie, 1998) for `recommend`: each neighbour's
   * similarity counts as sim^ρ (sign kept), favouring the closest neighbours. Default 1 (none).
   */
  readonly amplification?: number;
  /** Half-life (ms) decaying the user's history weights in `recommend`, as SAR does. Needs timestamps. */
  readonly halfLife?: number;
  /** Reference time of the decay (default: the latest timestamp in the data). */
  readonly now?: number;
  /** How repeated (user, item) rows combine (default `"last"`; use `"sum"` for event counts). */
  readonly duplicates?: DuplicateRule;
  /** How rows are read when `data` is rows. */
  readonly read?: ReadOptions<R>;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** Resolved configuration stored in a KNN model. */
export interface KnnConfig {
  readonly k: number;
  readonly minK: number;
  readonly metric: SimilarityMetric;
  readonly shrinkage: number;
  readonly minSupport: number;
  readonly aggregation: KnnAggregation;
  readonly maxNeighbors: number;
  readonly amplification: number;
  readonly halfLife: number | null;
  readonly now: number | null;
}

/** A fitted neighbourhood model (item-based or user-based). A plain, serialisable object. */
export interface KnnModel {
  readonly kind: "itemKnn" | "userKnn";
  readonly version: 1;
  readonly users: IdIndex;
  readonly items: IdIndex;
  /** users × items training values. */
  readonly ratings: Csr;
  /** Latest timestamp of each stored rating (epoch ms), when the data had timestamps. */
  readonly timestamps: Float64Array | null;
  /** Neighbour lists over items (item-based) or users (user-based). */
  readonly neighbors: NeighborLists;
  readonly userMeans: Float64Array;
  readonly itemMeans: Float64Array;
  readonly globalMean: number;
  /** ALS baselines, present with `aggregation: "baseline"`. */
  readonly biases: Biases | null;
  readonly ratingScale: readonly [number, number];
  readonly config: KnnConfig;
}

/** An item-based KNN model. */
export type ItemKnnModel = KnnModel & { readonly kind: "itemKnn" };
/** A user-based KNN model. */
export type UserKnnModel = KnnModel & { readonly kind: "userKnn" };

const MAX_STORED_PAIRS = 50_000_000;

function fitKnn<R>(
  where: string,
  kind: "itemKnn" | "userKnn",
  data: TrainingData<R>,
  options: KnnOptions<R>,
): KnnModel {
  if (options === null || typeof options !== "object")
    throw new RecokitError("INVALID_INPUT", where, "options must be an object");
  const k = options.k ?? 40;
  const minK = options.minK ?? 1;
  assertInteger(where, "k", k, 1);
  assertInteger(where, "minK", minK, 0);
  const aggregation = options.aggregation ?? "meanCentered";
  if (aggregation !== "weightedMean" && aggregation !== "meanCentered" && aggregation !== "baseline") {
    throw new RecokitError("INVALID_INPUT", where, `unknown aggregation ${JSON.stringify(aggregation)}`);
  }
  const train = resolveTraining(where, data, options.read, options.duplicates ?? "last");
  const ratings = train.matrix;
  const byItem = transpose(ratings);
  const rows = kind === "itemKnn" ? byItem : ratings;
  const n = rows.nRows;
  let maxNeighbors = options.maxNeighbors;
  if (maxNeighbors === undefined) {
    if (n * Math.max(n - 1, 0) > MAX_STORED_PAIRS) {
      throw new RecokitError(
        "TOO_LARGE",
        where,
        `storing every neighbour of ${n} ${kind === "itemKnn" ? "items" : "users"} could need ${n}² pairs; set maxNeighbors (e.g. 200)`,
      );
    }
    maxNeighbors = Math.max(n - 1, 1);
  }
  assertInteger(where, "maxNeighbors", maxNeighbors, 1);
  const halfLife = options.halfLife ?? null;
  let now: number | null = null;
  if (halfLife !== null) {
    assertFinite(where, "halfLife", halfLife, Number.MIN_VALUE);
    if (train.timestamps === undefined)
      throw new RecokitError("INVALID_INPUT", where, "halfLife needs timestamps in the data");
    now = options.now ?? latestTimestamp(train.timestamps);
    assertFinite(where, "now", now);
  }
  const amplification = options.amplification ?? 1;
  assertFinite(where, "amplification", amplification, Number.MIN_VALUE);
  const metric = options.metric ?? "msd";
  const shrinkage = options.shrinkage ?? 0;
  const minSupport = options.minSupport ?? 1;
  const neighbors = topKSimilarity(rows, {
    k: maxNeighbors,
    metric,
    shrinkage,
    minSupport,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const ratingScale = resolveRatingScale(where, options.ratingScale, ratings);
  const biases =
    aggregation === "baseline"
      ? (() => {
          const c = resolveBaselineConfig(where, options.baseline ?? {});
          return fitBiases(ratings, c.regUser, c.regItem, c.epochs);
        })()
      : null;
  let sum = 0;
  for (let j = 0; j < ratings.data.length; j++) sum += ratings.data[j]!;
  return {
    kind,
    version: 1,
    users: train.users,
    items: train.items,
    ratings,
    timestamps: train.timestamps ?? null,
    neighbors,
    userMeans: rowMeans(ratings),
    itemMeans: rowMeans(byItem),
    globalMean: sum / ratings.data.length,
    biases,
    ratingScale,
    config: {
      k,
      minK,
      metric,
      shrinkage,
      minSupport,
      aggregation,
      maxNeighbors,
      amplification,
      halfLife,
      now,
    },
  };
}

/**
 * Fits an item-based neighbourhood model: item–item similarities over the users who rated both
 * (Sarwar et al., 2001), for rating prediction (`predict`, Surprise's KNN aggregations) and top-N
 * recommendation (`recommend`: score(u, i) = Σ over the user's items j of sim(j, i) · w_uj, over
 * each j's k nearest neighbours; w_uj is the interaction value, optionally time-decayed).
 *
 * @param data - interaction or rating rows `{ user, item, value?, timestamp? }`, or indexed data
 * @param options - see {@link KnnOptions}; defaults follow Surprise (k 40, minK 1, msd)
 * @returns a serialisable {@link ItemKnnModel}
 * @throws RecokitError `EMPTY_DATA`, `INVALID_INPUT`, `TOO_LARGE` (see `maxNeighbors`), `ABORTED`.
 * @example
 * ```ts
 * import { fitItemKnn, recommend, similarItems } from "recokit";
 * const model = fitItemKnn(
 *   [
 *     { user: "a", item: "tea" }, { user: "a", item: "mug" },
 *     { user: "b", item: "tea" }, { user: "b", item: "mug" }, { user: "c", item: "tea" },
 *   ],
 *   { metric: "cosine", k: 20 },
 * );
 * recommend(model, "c", { k: 1 });   // [{ item: "mug", score: … }]
 * similarItems(model, "tea", { k: 1 }); // [{ item: "mug", score: … }]
 * ```
 */
export function fitItemKnn<R = Interaction>(
  data: TrainingData<R>,
  options: KnnOptions<R> = {},
): ItemKnnModel {
  return fitKnn("fitItemKnn", "itemKnn", data, options) as ItemKnnModel;
}

/**
 * Fits a user-based neighbourhood model: user–user similarities over co-rated items (Herlocker et
 * al., 1999), for rating prediction with Surprise's KNN aggregations and top-N recommendation
 * (score(u, i) = Σ over u's k nearest users v of sim(u, v) · r_vi).
 *
 * @param data - rating rows or indexed data
 * @param options - see {@link KnnOptions}
 * @returns a serialisable {@link UserKnnModel}
 * @throws RecokitError `EMPTY_DATA`, `INVALID_INPUT`, `TOO_LARGE`, `ABORTED`.
 * @example
 * ```ts
 * import { fitUserKnn, predict } from "recokit";
 * const model = fitUserKnn([
 *   { user: "a", item: "x", value: 5 }, { user: "a", item: "y", value: 3 },
 *   { user: "b", item: "x", value: 4 }, { user: "b", item: "y", value: 2 }, { user: "b", item: "z", value: 4 },
 * ], { aggregation: "meanCentered" });
 * predict(model, "a", "z"); // { value: 5, possible: true, … } (a's mean 4 + b's +1 deviation, clipped)
 * ```
 */
export function fitUserKnn<R = Interaction>(
  data: TrainingData<R>,
  options: KnnOptions<R> = {},
): UserKnnModel {
  return fitKnn("fitUserKnn", "userKnn", data, options) as UserKnnModel;
}

/** A rating prediction: `possible` is false when the model had to fall back. */
export interface Prediction {
  readonly value: number;
  readonly possible: boolean;
  /** Neighbours that contributed (KNN models). */
  readonly neighbors?: number;
  /** Why the prediction is not possible. */
  readonly reason?: string;
}

/** Per-model scratch (similarity lookup rows), reused across calls. */
const scratchCache = new WeakMap<
  KnnModel,
  { sim: Float64Array; byItem: Csr; heapIds: Int32Array; heapScores: Float64Array }
>();

function scratchOf(model: KnnModel) {
  let s = scratchCache.get(model);
  if (s === undefined) {
    s = {
      sim: new Float64Array(model.neighbors.nRows).fill(Number.NaN),
      byItem: transpose(model.ratings),
      heapIds: new Int32Array(model.config.k),
      heapScores: new Float64Array(model.config.k),
    };
    scratchCache.set(model, s);
  }
  return s;
}

/** Item-major ratings of a KNN model (cached). @internal */
export function ratingsByItem(model: KnnModel): Csr {
  return scratchOf(model).byItem;
}

function clip(v: number, scale: readonly [number, number]): number {
  return Math.min(scale[1], Math.max(scale[0], v));
}

/**
 * Predicts the rating of known user index u for known item index i, as Surprise does: among the
 * rows that rated the target (users who rated i, or items u rated), the k with the highest
 * similarity to x; positive ones combine by the aggregation. @internal
 */
export function predictKnnIndex(model: KnnModel, u: number, i: number): Prediction {
  const { neighbors, config, ratings } = model;
  const s = scratchOf(model);
  const userBased = model.kind === "userKnn";
  const x = userBased ? u : i;
  // candidates: (row, rating) pairs for the target
  const candidates = userBased ? s.byItem : ratings;
  const target = userBased ? i : u;
  const start = neighbors.indptr[x]!;
  const end = neighbors.indptr[x + 1]!;
  for (let j = start; j < end; j++) s.sim[neighbors.indices[j]!] = neighbors.similarities[j]!;
  let size = 0;
  for (let j = candidates.indptr[target]!; j < candidates.indptr[target + 1]!; j++) {
    const nb = candidates.indices[j]!;
    const sim = s.sim[nb]!;
    if (Number.isNaN(sim)) continue;
    size = heapPush(s.heapIds, s.heapScores, 0, size, config.k, j, sim);
  }
  for (let j = start; j < end; j++) s.sim[neighbors.indices[j]!] = Number.NaN;
  const { aggregation, minK } = config;
  const mu = model.globalMean;
  const b = model.biases;
  const baselineOf = (user: number, item: number): number => mu + b!.userBias[user]! + b!.itemBias[item]!;
  let sumSim = 0;
  let sumRatings = 0;
  let actualK = 0;
  for (let h = 0; h < size; h++) {
    const sim = s.heapScores[h]!;
    if (!(sim > 0)) continue;
    const j = s.heapIds[h]!;
    const nb = candidates.indices[j]!;
    const r = candidates.data[j]!;
    let centred = r;
    if (aggregation === "meanCentered")
      centred = r - (userBased ? model.userMeans[nb]! : model.itemMeans[nb]!);
    else if (aggregation === "baseline") centred = r - (userBased ? baselineOf(nb, i) : baselineOf(u, nb));
    sumSim += sim;
    sumRatings += sim * centred;
    actualK++;
  }
  switch (aggregation) {
    case "weightedMean":
      if (actualK < minK || sumSim === 0) {
        return {
          value: clip(mu, model.ratingScale),
          possible: false,
          neighbors: actualK,
          reason: "not enough neighbours",
        };
      }
      return { value: clip(sumRatings / sumSim, model.ratingScale), possible: true, neighbors: actualK };
    case "meanCentered":
    case "baseline": {
      let est =
        aggregation === "meanCentered"
          ? userBased
            ? model.userMeans[u]!
            : model.itemMeans[i]!
          : baselineOf(u, i);
      if (actualK >= minK && sumSim > 0) est += sumRatings / sumSim;
      return { value: clip(est, model.ratingScale), possible: true, neighbors: actualK };
    }
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        "predict",
        `unknown aggregation ${JSON.stringify(aggregation)}`,
      );
  }
}

/**
 * Writes the top-N score of every item for known user index u into `out` (NaN: no evidence).
 * @internal
 */
export function scoreKnnIndex(model: KnnModel, u: number, out: Float64Array): void {
  out.fill(Number.NaN);
  const { ratings, neighbors, config } = model;
  const k = config.k;
  const rho = config.amplification;
  if (model.kind === "itemKnn") {
    for (let j = ratings.indptr[u]!; j < ratings.indptr[u + 1]!; j++) {
      const item = ratings.indices[j]!;
      const w = historyWeight(model, j);
      const start = neighbors.indptr[item]!;
      const end = Math.min(neighbors.indptr[item + 1]!, start + k);
      for (let q = start; q < end; q++) {
        const target = neighbors.indices[q]!;
        const prev = out[target]!;
        out[target] = (Number.isNaN(prev) ? 0 : prev) + amplified(neighbors.similarities[q]!, rho) * w;
      }
    }
    return;
  }
  const start = neighbors.indptr[u]!;
  const end = Math.min(neighbors.indptr[u + 1]!, start + k);
  for (let q = start; q < end; q++) {
    const v = neighbors.indices[q]!;
    const sim = amplified(neighbors.similarities[q]!, rho);
    for (let j = ratings.indptr[v]!; j < ratings.indptr[v + 1]!; j++) {
      const target = ratings.indices[j]!;
      const prev = out[target]!;
      out[target] = (Number.isNaN(prev) ? 0 : prev) + sim * historyWeight(model, j);
    }
  }
}

/** Case amplification: sim^ρ with the sign kept. */
function amplified(sim: number, rho: number): number {
  return rho === 1 ? sim : Math.sign(sim) * Math.abs(sim) ** rho;
}

/** Weight of stored rating j in top-N scores: its value, time-decayed when the model has a half-life. */
function historyWeight(model: KnnModel, j: number): number {
  const v = model.ratings.data[j]!;
  const { halfLife, now } = model.config;
  if (halfLife === null || now === null || model.timestamps === null) return v;
  const t = model.timestamps[j]!;
  return Number.isNaN(t) ? v : v * decayWeight(now, t, halfLife);
}

/** The history items of u that contribute most to item i's score (explanations). @internal */
export function explainItemKnn(
  model: KnnModel,
  u: number,
  i: number,
  max: number,
): { item: number; contribution: number }[] {
  const { ratings, neighbors, config } = model;
  const out: { item: number; contribution: number }[] = [];
  if (model.kind === "itemKnn") {
    for (let j = ratings.indptr[u]!; j < ratings.indptr[u + 1]!; j++) {
      const item = ratings.indices[j]!;
      const start = neighbors.indptr[item]!;
      const end = Math.min(neighbors.indptr[item + 1]!, start + config.k);
      for (let q = start; q < end; q++) {
        if (neighbors.indices[q] === i)
          out.push({ item, contribution: neighbors.similarities[q]! * ratings.data[j]! });
      }
    }
  }
  out.sort((a, b) => b.contribution - a.contribution || a.item - b.item);
  return out.slice(0, max);
}
