import { describeValue, type Id, isValidId, RecokitError } from "../core/index.js";
import type { EvalSplit } from "./splits.js";

/**
 * One rating prediction as a model returns it: a number, or the `{ value, possible }` shape of
 * recokit's models (`possible: false` marks a fallback value, e.g. the global mean). `undefined`,
 * `null` or NaN mean "cannot predict".
 */
export type RatingPrediction =
  | number
  | { readonly value: number; readonly possible?: boolean }
  | undefined
  | null;

/** Predicts the rating of `item` by `user`. */
export type PredictRatingFn = (user: Id, item: Id) => RatingPrediction;

/** Anything with a `predict(user, item)` method, e.g. a fitted model wrapped in an object. */
export interface RatingPredictor {
  /** Predicts the rating of `item` by `user`. */
  predict(user: Id, item: Id): RatingPrediction;
}

/**
 * Fits a rating model on a split's training rows and returns its predictor (a function or an
 * object with `predict`). The whole split is passed for context (id maps, fold number).
 */
export type FitRatingPredictor<R> = (
  train: readonly R[],
  split: EvalSplit<R>,
) => PredictRatingFn | RatingPredictor;

/** A ranked list as a recommender returns it: ids, or objects with an `item` (recokit's `Recommendation`). */
export type RankedItems = readonly (Id | { readonly item: Id })[];

/** What the evaluation asks a recommender for one user. */
export interface RankingRequest {
  /** How many items to return. */
  readonly k: number;
  /** Whether items the user has in training must be left out (mirrors recokit's `excludeSeen`). */
  readonly excludeSeen: boolean;
  /** The user's training items when `excludeSeen`, else empty: never return these. */
  readonly exclude: ReadonlySet<Id>;
}

/** Returns a user's top items, best first. */
export type RecommendFn = (user: Id, request: RankingRequest) => RankedItems;

/** Anything with a `recommend(user, request)` method. */
export interface RankingRecommender {
  /** Returns the user's top items, best first. */
  recommend(user: Id, request: RankingRequest): RankedItems;
}

/** Fits a recommender on a split's training rows and returns it (a function or an object with `recommend`). */
export type FitRankingRecommender<R> = (
  train: readonly R[],
  split: EvalSplit<R>,
) => RecommendFn | RankingRecommender;

/** A fitted model resolved to a plain function, and how long fitting took. @internal */
export interface Resolved<F> {
  readonly fn: F;
  readonly fitMs: number;
}

/** Resolves a fit function or a fitted predictor to a predict function. @internal */
export function resolvePredictor<R>(
  where: string,
  model: FitRatingPredictor<R> | RatingPredictor,
  split: EvalSplit<R>,
): Resolved<PredictRatingFn> {
  const t0 = performance.now();
  const fitted: unknown = typeof model === "function" ? model(split.train, split) : model;
  const fitMs = performance.now() - t0;
  if (typeof fitted === "function") return { fn: fitted as PredictRatingFn, fitMs };
  if (
    fitted !== null &&
    typeof fitted === "object" &&
    typeof (fitted as RatingPredictor).predict === "function"
  ) {
    const p = fitted as RatingPredictor;
    return { fn: (u, i) => p.predict(u, i), fitMs };
  }
  throw new RecokitError(
    "INVALID_INPUT",
    where,
    "model must be a fit function returning a predictor, or an object with predict(user, item)",
  );
}

/** Resolves a fit function or a fitted recommender to a recommend function. @internal */
export function resolveRecommender<R>(
  where: string,
  model: FitRankingRecommender<R> | RankingRecommender,
  split: EvalSplit<R>,
): Resolved<RecommendFn> {
  const t0 = performance.now();
  const fitted: unknown = typeof model === "function" ? model(split.train, split) : model;
  const fitMs = performance.now() - t0;
  if (typeof fitted === "function") return { fn: fitted as RecommendFn, fitMs };
  if (
    fitted !== null &&
    typeof fitted === "object" &&
    typeof (fitted as RankingRecommender).recommend === "function"
  ) {
    const r = fitted as RankingRecommender;
    return { fn: (u, req) => r.recommend(u, req), fitMs };
  }
  throw new RecokitError(
    "INVALID_INPUT",
    where,
    "recommender must be a fit function returning a recommender, or an object with recommend(user, request)",
  );
}

/** The ids of a returned list, validated. @internal */
export function idsOfList(where: string, user: Id, list: unknown): Id[] {
  if (!Array.isArray(list)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `user ${describeValue(user)}: the recommender returned ${describeValue(list)}, not an array`,
    );
  }
  const out = new Array<Id>(list.length);
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    const id = entry !== null && typeof entry === "object" ? (entry as { item?: unknown }).item : entry;
    if (!isValidId(id)) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `user ${describeValue(user)}: entry ${i} of the returned list is not an item id (got ${describeValue(id)})`,
      );
    }
    out[i] = id;
  }
  return out;
}

/** Whether `e` is recokit's "this id is unknown to the model" error. @internal */
export function isUnknownIdError(e: unknown): boolean {
  return (
    e instanceof RecokitError &&
    (e.code === "UNKNOWN_USER" || e.code === "UNKNOWN_ITEM" || e.code === "UNKNOWN_ID")
  );
}
