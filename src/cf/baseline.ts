import { type Csr, rowCounts, transpose } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import type { IdIndex } from "../core/id-index.js";
import type { Interaction } from "../core/interactions.js";
import { type ReadOptions, resolveTraining, type TrainingData, valueRange } from "./data.js";

/** Options of {@link fitBaseline}. */
export interface BaselineOptions<R = Interaction> {
  /** Regularisation of user biases (default 15, as Surprise). */
  readonly regUser?: number;
  /** Regularisation of item biases (default 10, as Surprise). */
  readonly regItem?: number;
  /** Alternating least-squares sweeps (default 10, as Surprise). */
  readonly epochs?: number;
  /** Rating scale predictions are clipped to (default: the training data's min and max). */
  readonly ratingScale?: readonly [number, number];
  /** How rows are read when `data` is rows. */
  readonly read?: ReadOptions<R>;
}

/** Fitted biases: the global mean and one bias per user and per item. */
export interface Biases {
  readonly globalMean: number;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
}

/** A fitted baseline predictor r̂ = μ + b_u + b_i. A plain, serialisable object. */
export interface BaselineModel extends Biases {
  readonly kind: "baseline";
  readonly version: 1;
  readonly users: IdIndex;
  readonly items: IdIndex;
  /** users × items training ratings (for seen-item exclusion). */
  readonly ratings: Csr;
  readonly ratingScale: readonly [number, number];
  readonly config: { readonly regUser: number; readonly regItem: number; readonly epochs: number };
}

/**
 * Fits μ, b_u, b_i by alternating least squares with regularisation, exactly as Surprise's
 * BaselineOnly (Koren, "Factor in the neighbors", 2010, §2.1): each sweep sets
 * b_i = Σ_u (r_ui − μ − b_u) / (reg_i + |U_i|), then b_u = Σ_i (r_ui − μ − b_i) / (reg_u + |I_u|).
 * O(epochs · nnz). @internal
 */
export function fitBiases(ratings: Csr, regUser: number, regItem: number, epochs: number): Biases {
  const nnz = ratings.data.length;
  let sum = 0;
  for (let j = 0; j < nnz; j++) sum += ratings.data[j]!;
  const globalMean = nnz > 0 ? sum / nnz : 0;
  const byItem = transpose(ratings);
  const userBias = new Float64Array(ratings.nRows);
  const itemBias = new Float64Array(ratings.nCols);
  const userCounts = rowCounts(ratings);
  const itemCounts = rowCounts(byItem);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < byItem.nRows; i++) {
      let dev = 0;
      for (let j = byItem.indptr[i]!; j < byItem.indptr[i + 1]!; j++)
        dev += byItem.data[j]! - globalMean - userBias[byItem.indices[j]!]!;
      itemBias[i] = dev / (regItem + itemCounts[i]!);
    }
    for (let u = 0; u < ratings.nRows; u++) {
      let dev = 0;
      for (let j = ratings.indptr[u]!; j < ratings.indptr[u + 1]!; j++)
        dev += ratings.data[j]! - globalMean - itemBias[ratings.indices[j]!]!;
      userBias[u] = dev / (regUser + userCounts[u]!);
    }
  }
  return { globalMean, userBias, itemBias };
}

/** Validates the bias options. @internal */
export function resolveBaselineConfig(
  where: string,
  o: { regUser?: number; regItem?: number; epochs?: number },
) {
  const regUser = o.regUser ?? 15;
  const regItem = o.regItem ?? 10;
  const epochs = o.epochs ?? 10;
  assertFinite(where, "regUser", regUser, 0);
  assertFinite(where, "regItem", regItem, 0);
  assertInteger(where, "epochs", epochs, 0, 10_000);
  return { regUser, regItem, epochs };
}

/** Checks or infers the rating scale. @internal */
export function resolveRatingScale(
  where: string,
  given: readonly [number, number] | undefined,
  ratings: Csr,
): readonly [number, number] {
  const scale = given ?? valueRange(ratings);
  if (
    !Array.isArray(scale) ||
    scale.length !== 2 ||
    !Number.isFinite(scale[0]) ||
    !Number.isFinite(scale[1]) ||
    scale[0] > scale[1]
  ) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `ratingScale must be [min, max] with min <= max, got ${JSON.stringify(scale)}`,
    );
  }
  return [scale[0], scale[1]];
}

/**
 * Fits the baseline model r̂_ui = μ + b_u + b_i (global mean plus regularised user and item biases),
 * with Surprise's defaults (reg_u = 15, reg_i = 10, 10 ALS sweeps). A reference point for every
 * evaluation, and the base of KNN's baseline-centred aggregation. Duplicate (user, item) rows keep
 * the last rating.
 *
 * @param data - rating rows `{ user, item, value }` (or indexed interactions)
 * @param options - regularisation, sweeps, rating scale, row accessors
 * @returns a serialisable {@link BaselineModel}
 * @throws RecokitError `EMPTY_DATA` without ratings, `INVALID_INPUT` for bad rows or options.
 * @example
 * ```ts
 * import { fitBaseline, predict } from "recokit";
 * const model = fitBaseline([
 *   { user: "ann", item: "tea", value: 5 }, { user: "bob", item: "tea", value: 3 },
 *   { user: "ann", item: "mug", value: 4 },
 * ]);
 * predict(model, "bob", "mug").value; // μ + b_bob + b_mug, clipped to [3, 5]
 * ```
 */
export function fitBaseline<R = Interaction>(
  data: TrainingData<R>,
  options: BaselineOptions<R> = {},
): BaselineModel {
  const where = "fitBaseline";
  const config = resolveBaselineConfig(where, options);
  const train = resolveTraining(where, data, options.read, "last");
  const ratingScale = resolveRatingScale(where, options.ratingScale, train.matrix);
  const biases = fitBiases(train.matrix, config.regUser, config.regItem, config.epochs);
  return {
    kind: "baseline",
    version: 1,
    users: train.users,
    items: train.items,
    ratings: train.matrix,
    ratingScale,
    config,
    ...biases,
  };
}
