import {
  type Accessor,
  assertFinite,
  assertInteger,
  type Csr,
  colCounts,
  csrFromTriplets,
  describeValue,
  findInRow,
  type Id,
  IdIndex,
  RecokitError,
  throwIfAborted,
} from "../core/index.js";
import {
  type FitRankingRecommender,
  idsOfList,
  isUnknownIdError,
  type RankingRecommender,
  type RankingRequest,
  resolveRecommender,
} from "./adapters.js";
import { assertSplit, type EvaluationLike, type RunControl } from "./evaluate-ratings.js";
import {
  coverage,
  diversityOfList,
  type ItemPopularity,
  type ItemSimilarityFn,
  noveltyOfList,
  popularityOfList,
} from "./metrics-beyond.js";
import {
  averagePrecisionFromGains,
  gainsOfList,
  type MapDenominator,
  type NdcgGain,
  type NdcgIdeal,
  ndcgFromGains,
  type PrecisionDenominator,
  precisionFromGains,
  type RecallDenominator,
  recallFromGains,
  reciprocalRankFromGains,
  sortedGrades,
} from "./metrics-ranking.js";
import type { EvalSplit } from "./splits.js";
import {
  type BootstrapInterval,
  type BootstrapOptions,
  type BootstrapSettings,
  bootstrapSettings,
  forEachResample,
  percentileInterval,
} from "./stats.js";

/** Options of {@link evaluateRanking}. */
export interface EvaluateRankingOptions<R> extends BootstrapOptions, RunControl {
  /** Length of each recommendation list and cut-off of every metric (default 10). */
  readonly k?: number;
  /**
   * Relevance grade of a test row (≥ 0; 0 = not relevant). Default: every test row is relevant with
   * grade 1 (the Microsoft Recommenders protocol). For example `(r) => (r.value >= 4 ? 1 : 0)` keeps
   * liked items only, `(r) => r.value` grades NDCG by rating. A user's repeated test rows for one
   * item keep the highest grade.
   */
  readonly relevance?: Accessor<R, number>;
  /** Leave out each user's training items: they are passed as `exclude` and removed if returned (default true). */
  readonly excludeSeen?: boolean;
  /**
   * Test users with no training row: `"skip"` (default; counted in `skippedColdUsers`) or
   * `"include"` (asked anyway; an `UNKNOWN_USER` error then counts as an empty list).
   */
  readonly coldUsers?: "skip" | "include";
  /** precision@k denominator (default `"k"`). */
  readonly precisionDenominator?: PrecisionDenominator;
  /** recall@k denominator (default `"relevant"`). */
  readonly recallDenominator?: RecallDenominator;
  /** MAP@k denominator (default `"min-k-relevant"`; `"relevant"` matches Microsoft Recommenders' published MAP). */
  readonly mapDenominator?: MapDenominator;
  /** NDCG gain (default `"linear"`, identical to binary when every grade is 1). */
  readonly ndcgGain?: NdcgGain;
  /** NDCG ideal ranking (default `"relevant"`). */
  readonly ndcgIdeal?: NdcgIdeal;
  /** Item similarity; when given, intra-list diversity is reported as `diversity`. */
  readonly itemSimilarity?: ItemSimilarityFn<Id>;
  /** Smoothing α of novelty's popularity estimate (default 1, see `novelty`). */
  readonly noveltySmoothing?: number;
  /** Catalogue for coverage: its size or its items (default: every item of the split, train and test). */
  readonly catalogue?: number | Iterable<Id> | IdIndex;
}

/** Per-user ranking metrics always reported (each the mean over evaluated users in `metrics`). */
export type RankingUserMetric =
  | "precision"
  | "recall"
  | "ndcg"
  | "map"
  | "mrr"
  | "hitRate"
  | "novelty"
  | "popularityBias";

/** Per-user ranking figures: every {@link RankingUserMetric}, plus `diversity` when an item similarity was given. */
export interface RankingPerUser {
  /** Evaluated users, in first-seen test order. */
  readonly users: readonly Id[];
  /** One value per user for each metric. */
  readonly values: { readonly [K in RankingUserMetric]: Float64Array } & {
    readonly diversity?: Float64Array;
  };
}

/** Overall ranking metrics: means over evaluated users, plus catalogue coverage. */
export type RankingMetrics = {
  /** Mean precision@k. */
  readonly precision: number;
  /** Mean recall@k. */
  readonly recall: number;
  /** Mean NDCG@k. */
  readonly ndcg: number;
  /** MAP@k: mean average precision at k. */
  readonly map: number;
  /** MRR within the top k. */
  readonly mrr: number;
  /** Hit rate at k. */
  readonly hitRate: number;
  /** Catalogue coverage of all lists. */
  readonly coverage: number;
  /** Mean novelty (bits). */
  readonly novelty: number;
  /** Mean popularity (share of training users) of recommended items. */
  readonly popularityBias: number;
  /** Mean intra-list diversity (only with `itemSimilarity`). */
  readonly diversity?: number;
};

/** Result of {@link evaluateRanking}. */
export interface RankingEvaluation extends EvaluationLike {
  readonly kind: "ranking";
  /** The cut-off used. */
  readonly k: number;
  /** Overall figures. */
  readonly metrics: RankingMetrics;
  /** Number of users evaluated (test users with at least one relevant item, less skipped cold users). */
  readonly users: number;
  /** Test users without any training row, not evaluated (`coldUsers: "skip"`). */
  readonly skippedColdUsers: number;
  /** Test users none of whose test rows is relevant (grade 0): not evaluated, every metric being undefined. */
  readonly usersWithoutRelevant: number;
  /** Relevant test items that the user also has in training (they can never be recommended with `excludeSeen`). */
  readonly relevantSeenInTrain: number;
  /** Training items the recommender returned although asked to exclude them (removed before scoring). */
  readonly seenRemoved: number;
  /** Lists with fewer than k items after removal. */
  readonly shortLists: number;
  /** Per-user values of every per-user metric (`diversity` only with `itemSimilarity`). */
  readonly perUser: RankingPerUser;
  /** Bootstrap percentile intervals of each per-user mean, resampling users; absent when `resamples` is 0. */
  readonly intervals?: { readonly [K in RankingUserMetric]: BootstrapInterval } & {
    readonly diversity?: BootstrapInterval;
  };
  /** Wall times in ms: fitting, the recommender's calls, and the whole run. */
  readonly timings: { readonly fitMs: number; readonly recommendMs: number; readonly totalMs: number };
}

const WHERE = "evaluateRanking";

type UserMetricName = RankingUserMetric | "diversity";

/** A user's ground truth. */
interface UserTruth {
  readonly grades: Map<Id, number>;
  nRelevant: number;
}

function choice<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Evaluates top-k recommendation on a split: fits the recommender on `split.train` (or takes a
 * fitted one), asks it for k items per test user (leaving out the user's training items by default)
 * and scores every list against the user's held-out items: precision, recall, NDCG, MAP, MRR and hit
 * rate at k (see the metric functions for formulas and the definition choices), plus catalogue
 * coverage, novelty, popularity bias and (given an item similarity) intra-list diversity. Returns
 * the means, every user's figures and bootstrap intervals over users. Users that cannot be
 * evaluated are counted, never silently dropped. O(users · (recommend + k + |relevant|)).
 *
 * @param recommender - a fit function `(train, split) → recommender`, or an object with
 *   `recommend(user, { k, excludeSeen, exclude })`; a recommender returns ids or `{ item }` objects, best first
 * @param split - from any splitter
 * @param options - `k` (10), `relevance`, metric definitions, `excludeSeen`, `coldUsers`,
 *   `itemSimilarity`, bootstrap settings, `onProgress`, `signal`
 * @returns the figures
 * @throws RecokitError `INVALID_INPUT` for bad options or a malformed list from the recommender
 *   (naming the user); `EMPTY_DATA` when no user can be evaluated; `ABORTED`.
 * @example
 * ```ts
 * import { evaluateRanking, splitPerUser } from "recokit";
 * const rows = [0, 1, 2, 3, 4, 5].flatMap((u) => [0, 1, 2, 3].map((i) => ({ user: u, item: (u + i) % 6 })));
 * const split = splitPerUser(rows, { testRatio: 0.25, seed: 2 });
 * // most popular items first, written inline
 * const result = evaluateRanking((train) => {
 *   const counts = new Map<number, number>();
 *   for (const r of train) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
 *   const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a - b);
 *   return (_user, { k, exclude }) => ranked.filter((i) => !exclude.has(i)).slice(0, k);
 * }, split, { k: 2 });
 * result.users;              // 6
 * result.metrics.precision;  // mean P@2 over the 6 users
 * ```
 */
export function evaluateRanking<R>(
  recommender: FitRankingRecommender<R> | RankingRecommender,
  split: EvalSplit<R>,
  options: EvaluateRankingOptions<R> = {},
): RankingEvaluation {
  const started = performance.now();
  assertSplit(WHERE, split);
  const k = options.k ?? 10;
  assertInteger(WHERE, "k", k, 1);
  const excludeSeen = options.excludeSeen ?? true;
  const coldPolicy = choice("coldUsers", options.coldUsers ?? "skip", ["skip", "include"]);
  const precisionDen = choice("precisionDenominator", options.precisionDenominator ?? "k", ["k", "list"]);
  const recallDen = choice("recallDenominator", options.recallDenominator ?? "relevant", [
    "relevant",
    "min-k-relevant",
  ]);
  const mapDen = choice("mapDenominator", options.mapDenominator ?? "min-k-relevant", [
    "relevant",
    "min-k-relevant",
    "hits",
  ]);
  const gain = choice("ndcgGain", options.ndcgGain ?? "linear", ["binary", "linear", "exponential"]);
  const ideal = choice("ndcgIdeal", options.ndcgIdeal ?? "relevant", ["relevant", "retrieved"]);
  const similarity = options.itemSimilarity;
  if (similarity !== undefined && typeof similarity !== "function") {
    throw new RecokitError("INVALID_INPUT", WHERE, "itemSimilarity must be a function");
  }
  const alpha = options.noveltySmoothing ?? 1;
  assertFinite(WHERE, "noveltySmoothing", alpha, 0);
  const settings = bootstrapSettings(WHERE, options, 0);

  const truth = testTruth(split, options.relevance);
  const trainMatrix = trainMatrixOf(split);
  const popularity = popularityOf(split, trainMatrix);
  const catalogue = options.catalogue ?? catalogueOf(split);

  const candidates: Id[] = [];
  let skippedColdUsers = 0;
  let usersWithoutRelevant = 0;
  let relevantSeenInTrain = 0;
  for (const [user, t] of truth) {
    if (t.nRelevant === 0) {
      usersWithoutRelevant++;
      continue;
    }
    if (!split.users.has(user) && coldPolicy === "skip") {
      skippedColdUsers++;
      continue;
    }
    const u = split.users.indexOf(user, "minus-one");
    if (u >= 0) {
      for (const [item, g] of t.grades) {
        const i = g > 0 ? split.items.indexOf(item, "minus-one") : -1;
        if (i >= 0 && findInRow(trainMatrix, u, i) >= 0) relevantSeenInTrain++;
      }
    }
    candidates.push(user);
  }
  if (candidates.length === 0) {
    throw new RecokitError(
      "EMPTY_DATA",
      WHERE,
      `no test user can be evaluated (${skippedColdUsers} cold users skipped, ${usersWithoutRelevant} without a relevant item)`,
    );
  }

  const { fn: recommend, fitMs } = resolveRecommender(WHERE, recommender, split);
  const nUsers = candidates.length;
  const names: UserMetricName[] = [
    "precision",
    "recall",
    "ndcg",
    "map",
    "mrr",
    "hitRate",
    "novelty",
    "popularityBias",
  ];
  if (similarity !== undefined) names.push("diversity");
  const values = Object.fromEntries(names.map((m) => [m, new Float64Array(nUsers)])) as Record<
    UserMetricName,
    Float64Array
  >;
  const lists: Id[][] = [];
  const empty: ReadonlySet<Id> = new Set<Id>();
  let seenRemoved = 0;
  let shortLists = 0;
  let recommendMs = 0;
  for (let u = 0; u < nUsers; u++) {
    if ((u & 63) === 0) {
      throwIfAborted(WHERE, options.signal);
      options.onProgress?.(u, nUsers);
    }
    const user = candidates[u]!;
    const userSeen = excludeSeen ? seenItems(split, trainMatrix, user) : undefined;
    const request: RankingRequest = { k, excludeSeen, exclude: excludeSeen ? (userSeen ?? empty) : empty };
    const t0 = performance.now();
    let raw: unknown;
    try {
      raw = recommend(user, request);
    } catch (e) {
      if (!(isUnknownIdError(e) && !split.users.has(user))) throw e;
      raw = [];
    }
    recommendMs += performance.now() - t0;
    let list = idsOfList(WHERE, user, raw);
    if (excludeSeen && userSeen !== undefined) {
      const before = list.length;
      list = list.filter((item) => !userSeen.has(item));
      seenRemoved += before - list.length;
    }
    if (list.length > k) list = list.slice(0, k);
    if (list.length < k) shortLists++;
    lists.push(list);

    const t = truth.get(user)!;
    const lg = gainsOfList(list, t.grades, k, t.nRelevant);
    values.precision[u] = precisionFromGains(lg, k, precisionDen);
    values.recall[u] = recallFromGains(lg, k, recallDen);
    values.ndcg[u] = ndcgFromGains(lg, sortedGrades(t.grades), k, gain, ideal);
    values.map[u] = averagePrecisionFromGains(lg, k, mapDen);
    values.mrr[u] = reciprocalRankFromGains(lg);
    values.hitRate[u] = lg.hits > 0 ? 1 : 0;
    values.novelty[u] = noveltyOfList(WHERE, list, list.length, popularity, alpha);
    values.popularityBias[u] = popularityOfList(list, list.length, popularity);
    if (similarity !== undefined) values.diversity[u] = diversityOfList(WHERE, list, list.length, similarity);
  }
  options.onProgress?.(nUsers, nUsers);

  const meanOf = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  const metrics: RankingMetrics = {
    precision: meanOf(values.precision),
    recall: meanOf(values.recall),
    ndcg: meanOf(values.ndcg),
    map: meanOf(values.map),
    mrr: meanOf(values.mrr),
    hitRate: meanOf(values.hitRate),
    coverage: coverageOf(lists, catalogue),
    novelty: meanOf(values.novelty),
    popularityBias: meanOf(values.popularityBias),
    ...(similarity !== undefined ? { diversity: meanOf(values.diversity) } : {}),
  };
  const base = {
    kind: "ranking" as const,
    k,
    metrics,
    users: nUsers,
    skippedColdUsers,
    usersWithoutRelevant,
    relevantSeenInTrain,
    seenRemoved,
    shortLists,
    perUser: { users: candidates, values } as RankingPerUser,
  };
  const intervals = settings.resamples === 0 ? undefined : meanIntervals(values, names, settings);
  const timings = { fitMs, recommendMs, totalMs: performance.now() - started };
  return intervals === undefined ? { ...base, timings } : { ...base, intervals, timings };
}

function coverageOf(lists: Id[][], catalogue: number | Iterable<Id> | IdIndex): number {
  try {
    return coverage(lists, catalogue);
  } catch (e) {
    if (e instanceof RecokitError) {
      const hint = /catalogue/.test(e.message)
        ? " (pass the catalogue option to count items outside the split)"
        : "";
      throw new RecokitError(e.code, WHERE, `${e.message}${hint}`);
    }
    throw e;
  }
}

/** Every item of the split (train and test), as the default coverage catalogue. */
function catalogueOf<R>(split: EvalSplit<R>): IdIndex {
  const ids: Id[] = split.items.ids();
  for (let j = 0; j < split.test.length; j++) ids.push(split.fields.item(split.test[j]!, split.testRows[j]!));
  return IdIndex.from(ids);
}

/** Each test user's relevance grades, in first-seen test order. */
function testTruth<R>(split: EvalSplit<R>, relevance: Accessor<R, number> | undefined): Map<Id, UserTruth> {
  const { test, testRows, fields } = split;
  const truth = new Map<Id, UserTruth>();
  for (let j = 0; j < test.length; j++) {
    const row = test[j]!;
    const i = testRows[j]!;
    const user = fields.user(row, i);
    const item = fields.item(row, i);
    const grade = relevance === undefined ? 1 : relevance(row, i);
    if (typeof grade !== "number" || !Number.isFinite(grade) || grade < 0) {
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `row ${i}: relevance ${describeValue(grade)} is not a finite number >= 0`,
      );
    }
    let t = truth.get(user);
    if (t === undefined) {
      t = { grades: new Map(), nRelevant: 0 };
      truth.set(user, t);
    }
    t.grades.set(item, Math.max(t.grades.get(item) ?? 0, grade));
  }
  for (const t of truth.values()) {
    let n = 0;
    for (const g of t.grades.values()) if (g > 0) n++;
    t.nRelevant = n;
  }
  return truth;
}

/**
 * The training interactions as a users × items pattern over the split's own id maps (duplicates
 * collapse to one entry), built once with core's counting sort. @internal
 */
export function trainMatrixOf<R>(split: EvalSplit<R>): Csr {
  const { train, trainRows, fields, users, items } = split;
  const rows = new Int32Array(train.length);
  const cols = new Int32Array(train.length);
  for (let j = 0; j < train.length; j++) {
    const row = train[j]!;
    const i = trainRows[j]!;
    // every training id is in the split's maps by construction
    rows[j] = users.indexOf(fields.user(row, i));
    cols[j] = items.indexOf(fields.item(row, i));
  }
  return csrFromTriplets({ rows, cols }, { nRows: users.size, nCols: items.size, duplicates: "max" });
}

/** A user's training items as external ids (empty for a cold user). */
function seenItems<R>(split: EvalSplit<R>, matrix: Csr, user: Id): ReadonlySet<Id> {
  const u = split.users.indexOf(user, "minus-one");
  if (u < 0) return new Set();
  return new Set(split.items.idsAt(matrix.indices.subarray(matrix.indptr[u]!, matrix.indptr[u + 1]!)));
}

/** Distinct training users per item (as `itemPopularity`), from the training pattern. */
function popularityOf<R>(split: EvalSplit<R>, matrix: Csr): ItemPopularity<Id> {
  const perItem = colCounts(matrix);
  const counts = new Map<Id, number>();
  for (let i = 0; i < perItem.length; i++) counts.set(split.items.idAt(i), perItem[i]!);
  return { counts, users: split.users.size };
}

/** Bootstrap intervals of per-user means, all metrics on the same resamples. */
function meanIntervals(
  values: Record<UserMetricName, Float64Array>,
  names: readonly UserMetricName[],
  settings: BootstrapSettings,
): NonNullable<RankingEvaluation["intervals"]> {
  const n = values.precision.length;
  const reps = names.map(() => new Float64Array(settings.resamples));
  forEachResample(n, settings.resamples, settings.random, (w, b) => {
    for (let m = 0; m < names.length; m++) {
      const v = values[names[m]!];
      let s = 0;
      for (let u = 0; u < n; u++) s += w[u]! * v[u]!;
      reps[m]![b] = s / n;
    }
  });
  const out: { [K in UserMetricName]?: BootstrapInterval } = {};
  names.forEach((name, m) => {
    const v = values[name];
    out[name] = percentileInterval(v.reduce((s, x) => s + x, 0) / n, reps[m]!, settings.confidence);
  });
  return out as NonNullable<RankingEvaluation["intervals"]>;
}
