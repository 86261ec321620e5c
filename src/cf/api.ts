import type { ContentModel } from "../content/model.js";
import {
  contentScores,
  recommendContent,
  recommendContentBatch,
  similarItemsContent,
} from "../content/scoring.js";
import { assertInteger, RecokitError } from "../core/errors.js";
import type { Id } from "../core/id-index.js";
import {
  applyRankingFilters,
  type BatchRecommendations,
  collectBatch,
  type Recommendation,
  type RecommendOptions,
} from "../core/recommender.js";
import { topK } from "../core/topk.js";
import type { BaselineModel } from "./baseline.js";
import {
  explainItemKnn,
  type ItemKnnModel,
  type KnnModel,
  type Prediction,
  predictKnnIndex,
  scoreKnnIndex,
  type UserKnnModel,
} from "./knn.js";
import type { PopularityModel } from "./popularity.js";

/** Every collaborative-filtering model. */
export type CfModel = KnnModel | BaselineModel | PopularityModel;
/**
 * Every model the generic `recommend` / `recommendBatch` / `scoreUserIndex` serve: the CF models
 * and content models (`fitContent`), which route to the content module's own functions.
 */
export type RecommenderModel = CfModel | ContentModel;
/** Models that predict ratings. */
export type RatingModel = KnnModel | BaselineModel;

/** Options of {@link predict}. */
export interface PredictOptions {
  /**
   * Unknown user or item: `"throw"` (default) a typed error, or `"fallback"`: the model's fallback
   * (global mean; the baseline model adds the biases it knows) with `possible: false`.
   */
  readonly onUnknown?: "throw" | "fallback";
}

/**
 * Predicts user's rating of item with a rating model (KNN or baseline), clipped to the rating
 * scale. Never NaN: when the model cannot predict it says so with `possible: false` and a fallback.
 *
 * @throws RecokitError `UNKNOWN_USER` / `UNKNOWN_ITEM` (unless `onUnknown: "fallback"`).
 * @example
 * ```ts
 * import { fitBaseline, predict } from "recokit";
 * const model = fitBaseline([{ user: "a", item: "x", value: 4 }, { user: "b", item: "x", value: 2 }]);
 * predict(model, "a", "x").possible; // true
 * predict(model, "zoe", "x", { onUnknown: "fallback" }).possible; // false
 * ```
 */
export function predict(model: RatingModel, user: Id, item: Id, options: PredictOptions = {}): Prediction {
  const where = "predict";
  const u = model.users.indexOf(user, "minus-one");
  const i = model.items.indexOf(item, "minus-one");
  if (u < 0 || i < 0) {
    if ((options.onUnknown ?? "throw") === "throw") {
      throw u < 0
        ? new RecokitError("UNKNOWN_USER", where, `unknown user ${JSON.stringify(user)}`)
        : new RecokitError("UNKNOWN_ITEM", where, `unknown item ${JSON.stringify(item)}`);
    }
    const mu = model.globalMean;
    let value = mu;
    if (model.kind === "baseline")
      value = mu + (u >= 0 ? model.userBias[u]! : 0) + (i >= 0 ? model.itemBias[i]! : 0);
    return {
      value: clip(value, model.ratingScale),
      possible: false,
      reason: u < 0 ? "unknown user" : "unknown item",
    };
  }
  switch (model.kind) {
    case "baseline":
      return {
        value: clip(model.globalMean + model.userBias[u]! + model.itemBias[i]!, model.ratingScale),
        possible: true,
      };
    case "itemKnn":
    case "userKnn":
      return predictKnnIndex(model, u, i);
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `model of kind ${JSON.stringify((model as { kind: unknown }).kind)} does not predict ratings`,
      );
  }
}

function clip(v: number, scale: readonly [number, number]): number {
  return Math.min(scale[1], Math.max(scale[0], v));
}

const scoreBuffers = new WeakMap<object, Float64Array>();

function scoreBuffer(model: CfModel): Float64Array {
  let b = scoreBuffers.get(model);
  if (b === undefined) {
    b = new Float64Array(model.items.size);
    scoreBuffers.set(model, b);
  }
  return b;
}

/**
 * Top-N scores of every item for user index `u` (−1: an unknown user, for models that can still
 * rank, i.e. popularity), written into `out` (NaN = cannot score). The fast layer under
 * `recommend`, and what hybrid blending consumes.
 * @example
 * ```ts
 * import { fitPopularity, scoreUserIndex } from "recokit";
 * const m = fitPopularity([{ user: "a", item: "x" }, { user: "b", item: "x" }, { user: "b", item: "y" }]);
 * const out = new Float64Array(m.items.size);
 * scoreUserIndex(m, 0, out); // [2, 1]
 * ```
 */
export function scoreUserIndex(model: RecommenderModel, u: number, out: Float64Array): void {
  if (model.kind === "content") {
    contentScores(model, u, out);
    return;
  }
  if (out.length !== model.items.size) {
    throw new RecokitError(
      "INVALID_INPUT",
      "scoreUserIndex",
      `out must have one slot per item (${model.items.size}), got ${out.length}`,
    );
  }
  switch (model.kind) {
    case "popularity":
      out.set(model.itemScores);
      return;
    case "baseline": {
      const bu = u >= 0 ? model.userBias[u]! : 0;
      for (let i = 0; i < out.length; i++) out[i] = model.globalMean + bu + model.itemBias[i]!;
      return;
    }
    case "itemKnn":
    case "userKnn":
      if (u < 0) {
        out.fill(Number.NaN);
        return;
      }
      scoreKnnIndex(model, u, out);
      return;
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        "scoreUserIndex",
        `unknown model kind ${JSON.stringify((model as { kind: unknown }).kind)}`,
      );
  }
}

/** Resolves a user for ranking; -1 for a cold user a model can still serve, undefined for "empty". */
function resolveUser(
  where: string,
  model: CfModel,
  user: Id,
  onUnknown: "throw" | "empty",
): number | undefined {
  const u = model.users.indexOf(user, "minus-one");
  if (u >= 0) return u;
  if (model.kind === "popularity") return -1;
  if (onUnknown === "throw")
    throw new RecokitError("UNKNOWN_USER", where, `unknown user ${JSON.stringify(user)}`);
  return undefined;
}

/**
 * Top-N recommendations for a user, best first, with external ids. Seen items are left out by
 * default; items the model cannot score are never returned, so fewer than `k` may come back.
 * Popularity serves unknown users too (cold start); other models throw `UNKNOWN_USER`, or return
 * `[]` with `onUnknown: "empty"`.
 *
 * @example
 * ```ts
 * import { fitItemKnn, recommend } from "recokit";
 * const model = fitItemKnn([{ user: "a", item: "x" }, { user: "a", item: "y" }, { user: "b", item: "x" }], { metric: "cosine" });
 * recommend(model, "b", { k: 5, explain: true }); // [{ item: "y", score: …, reasons: ["similar to x"] }]
 * ```
 */
export function recommend(
  model: RecommenderModel,
  user: Id,
  options: RecommendOptions = {},
): Recommendation[] {
  if (model.kind === "content") return recommendContent(model, user, options);
  const where = "recommend";
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const u = resolveUser(where, model, user, options.onUnknown ?? "throw");
  if (u === undefined) return [];
  const scores = scoreBuffer(model);
  scoreUserIndex(model, u, scores);
  const candidates = applyRankingFilters(model.items, model.ratings, u, scores, options);
  const ranked = topK(scores, k, candidates === undefined ? {} : { candidates });
  const out: Recommendation[] = [];
  for (let r = 0; r < ranked.ids.length; r++) {
    const i = ranked.ids[r]!;
    const rec: Recommendation = { item: model.items.idAt(i), score: ranked.scores[r]! };
    out.push(options.explain ? { ...rec, reasons: explain(model, u, i) } : rec);
  }
  return out;
}

function explain(model: CfModel, u: number, i: number): string[] {
  switch (model.kind) {
    case "itemKnn":
      return explainItemKnn(model, u, i, 3).map((c) => `similar to ${String(model.items.idAt(c.item))}`);
    case "userKnn":
      return ["liked by similar users"];
    case "popularity":
      return ["popular"];
    case "baseline":
      return ["highly rated overall"];
    default:
      return [];
  }
}

/**
 * Recommendations for many users in one call (fast layer): typed arrays, one row of `k` slots per
 * user in input order. Unknown users get an empty row (`counts[u] = 0`) with `onUnknown: "empty"`.
 *
 * @example
 * ```ts
 * import { fitPopularity, recommendBatch } from "recokit";
 * const m = fitPopularity([{ user: "a", item: "x" }, { user: "b", item: "y" }]);
 * const batch = recommendBatch(m, ["a", "b"], { k: 1 });
 * Array.from(batch.ids); // [1, 0]  (item indices; m.items.idAt maps them back)
 * ```
 */
export function recommendBatch(
  model: RecommenderModel,
  users: Iterable<Id>,
  options: RecommendOptions = {},
): BatchRecommendations {
  if (model.kind === "content") return recommendContentBatch(model, users, options);
  const where = "recommendBatch";
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const list = [...users];
  return collectBatch(list.length, k, model.items.size, (row, scores) => {
    const u = resolveUser(where, model, list[row]!, options.onUnknown ?? "throw");
    if (u === undefined) return null;
    scoreUserIndex(model, u, scores);
    return applyRankingFilters(model.items, model.ratings, u, scores, options);
  });
}

/** Options of {@link similarItems} and {@link similarUsers}. */
export interface SimilarOptions {
  /** How many (default 10). */
  readonly k?: number;
  /** Unknown id: a typed error (default) or an empty list. */
  readonly onUnknown?: "throw" | "empty";
}

/**
 * The items most similar to `item`, best first: from an item-based model's neighbour lists
 * ("customers who bought this also bought"), or from a content model's feature similarity.
 * @throws RecokitError `UNKNOWN_ITEM` (unless `onUnknown: "empty"`).
 * @example
 * ```ts
 * import { fitItemKnn, similarItems } from "recokit";
 * const m = fitItemKnn([{ user: "a", item: "x" }, { user: "a", item: "y" }], { metric: "jaccard" });
 * similarItems(m, "x", { k: 3 }); // [{ item: "y", score: 1 }]
 * ```
 */
export function similarItems(
  model: ItemKnnModel | ContentModel,
  item: Id,
  options: SimilarOptions = {},
): Recommendation[] {
  if (model.kind === "content") return similarItemsContent(model, item, options);
  const i = model.items.indexOf(item, "minus-one");
  if (i < 0) {
    if ((options.onUnknown ?? "throw") === "throw")
      throw new RecokitError("UNKNOWN_ITEM", "similarItems", `unknown item ${JSON.stringify(item)}`);
    return [];
  }
  return listNeighbors("similarItems", model, i, options, (j) => model.items.idAt(j));
}

/**
 * The users most similar to `user`, from a user-based model's neighbour lists, best first.
 * @throws RecokitError `UNKNOWN_USER` (unless `onUnknown: "empty"`).
 * @example
 * ```ts
 * import { fitUserKnn, similarUsers } from "recokit";
 * const m = fitUserKnn([{ user: "a", item: "x" }, { user: "b", item: "x" }], { metric: "jaccard" });
 * similarUsers(m, "a", { k: 3 }); // [{ user: "b", score: 1 }]
 * ```
 */
export function similarUsers(model: UserKnnModel, user: Id, options: SimilarOptions = {}): SimilarUser[] {
  const u = model.users.indexOf(user, "minus-one");
  if (u < 0) {
    if ((options.onUnknown ?? "throw") === "throw")
      throw new RecokitError("UNKNOWN_USER", "similarUsers", `unknown user ${JSON.stringify(user)}`);
    return [];
  }
  return listNeighbors("similarUsers", model, u, options, (j) => model.users.idAt(j)).map((n) => ({
    user: n.item,
    score: n.score,
  }));
}

/** A similar user and the similarity. */
export interface SimilarUser {
  readonly user: Id;
  readonly score: number;
}

function listNeighbors(
  where: string,
  model: KnnModel,
  r: number,
  options: SimilarOptions,
  idOf: (j: number) => Id,
): Recommendation[] {
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const { indptr, indices, similarities } = model.neighbors;
  const out: Recommendation[] = [];
  for (let j = indptr[r]!; j < Math.min(indptr[r + 1]!, indptr[r]! + k); j++)
    out.push({ item: idOf(indices[j]!), score: similarities[j]! });
  return out;
}
