import { assertInteger, describeValue, RecokitError } from "../core/index.js";

/**
 * The ground truth of one user: a set of relevant items (binary relevance) or a map from item to a
 * relevance grade ≥ 0 (graded relevance; a grade of 0 means "not relevant").
 */
export type Relevance<T> = ReadonlySet<T> | ReadonlyMap<T, number>;

/** Denominator of precision@k: always `k` (default), or the length of the (cut) list. */
export type PrecisionDenominator = "k" | "list";

/** Denominator of recall@k: the number of relevant items (default), or `min(k, |relevant|)`. */
export type RecallDenominator = "relevant" | "min-k-relevant";

/**
 * Denominator of average precision at k:
 * - `"relevant"`: `|R|` (Microsoft Recommenders' `map_at_k` up to 1.1 and `map`, the figure behind their
 *   published MovieLens tables; it cannot reach 1 when `|R| > k`);
 * - `"min-k-relevant"` (default): `min(k, |R|)` (Spark's `meanAveragePrecisionAt`, the Kaggle/`ml_metrics`
 *   `apk`, Microsoft Recommenders' `map_at_k` from 1.2; a perfect list scores 1);
 * - `"hits"`: the number of relevant items retrieved in the top k (precision averaged over hit positions).
 */
export type MapDenominator = "relevant" | "min-k-relevant" | "hits";

/** Gain of a relevance grade `g` in DCG: 1 for any g > 0, `g`, or `2^g − 1` (Burges et al., 2005). */
export type NdcgGain = "binary" | "linear" | "exponential";

/**
 * Ideal DCG of NDCG: the DCG of the best possible top-k drawn from all relevant items (`"relevant"`,
 * default; Järvelin & Kekäläinen, Microsoft Recommenders, Spark, LensKit) or of the recommended
 * list's own items re-sorted (`"retrieved"`; measures ordering only, so a list with a single hit
 * scores 1).
 */
export type NdcgIdeal = "relevant" | "retrieved";

/** The grades of a list's top k, validated ground truth included. @internal */
export interface ListGains {
  /** Grade of each position of the cut list (0 = not relevant; a repeated item counts once). */
  readonly gains: Float64Array;
  /** Number of positions with grade > 0. */
  readonly hits: number;
  /** Number of relevant items (grade > 0) in the ground truth. */
  readonly nRelevant: number;
}

/** Grade of `item` in `relevant` (0 when absent). @internal */
function gradeOf<T>(relevant: Relevance<T>, item: T): number {
  if (relevant instanceof Set) return relevant.has(item) ? 1 : 0;
  return (relevant as ReadonlyMap<T, number>).get(item) ?? 0;
}

/**
 * The grades of the top `k` positions of a list (unvalidated fast path used by the runs).
 * A repeated item scores only at its first position. @internal
 */
export function gainsOfList<T>(
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
  nRelevant: number,
): ListGains {
  const len = Math.min(k, recommended.length);
  const gains = new Float64Array(len);
  let hits = 0;
  let seenHits: Set<T> | undefined;
  for (let i = 0; i < len; i++) {
    const item = recommended[i]!;
    const g = gradeOf(relevant, item);
    if (g <= 0) continue;
    seenHits ??= new Set<T>();
    if (seenHits.has(item)) continue;
    seenHits.add(item);
    gains[i] = g;
    hits++;
  }
  return { gains, hits, nRelevant };
}

/** Number of relevant items, validating graded relevance. @internal */
export function countRelevant<T>(where: string, relevant: Relevance<T>): number {
  if (relevant instanceof Set) return relevant.size;
  if (!(relevant instanceof Map)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "relevant must be a Set of items or a Map of item → grade",
    );
  }
  let n = 0;
  for (const [item, g] of relevant) {
    if (typeof g !== "number" || !Number.isFinite(g) || g < 0) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `relevant: grade of item ${describeValue(item)} must be a finite number >= 0, got ${describeValue(g)}`,
      );
    }
    if (g > 0) n++;
  }
  return n;
}

function checkedGains<T>(
  where: string,
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
): ListGains {
  assertInteger(where, "k", k, 1);
  if (recommended === null || typeof recommended !== "object" || typeof recommended.length !== "number") {
    throw new RecokitError("INVALID_INPUT", where, "recommended must be an array of items");
  }
  return gainsOfList(recommended, relevant, k, countRelevant(where, relevant));
}

function checkChoice<T extends string>(where: string, name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** precision@k from list gains. @internal */
export function precisionFromGains(lg: ListGains, k: number, denominator: PrecisionDenominator): number {
  const d = denominator === "k" ? k : lg.gains.length;
  return d === 0 ? 0 : lg.hits / d;
}

/** recall@k from list gains. @internal */
export function recallFromGains(lg: ListGains, k: number, denominator: RecallDenominator): number {
  const d = denominator === "relevant" ? lg.nRelevant : Math.min(k, lg.nRelevant);
  return d === 0 ? 0 : lg.hits / d;
}

/** AP@k from list gains. @internal */
export function averagePrecisionFromGains(lg: ListGains, k: number, denominator: MapDenominator): number {
  const d =
    denominator === "relevant" ? lg.nRelevant : denominator === "hits" ? lg.hits : Math.min(k, lg.nRelevant);
  if (d === 0) return 0;
  let hitsSoFar = 0;
  let sum = 0;
  for (let i = 0; i < lg.gains.length; i++) {
    if (lg.gains[i]! > 0) {
      hitsSoFar++;
      sum += hitsSoFar / (i + 1);
    }
  }
  return sum / d;
}

/** Reciprocal rank within the top k from list gains. @internal */
export function reciprocalRankFromGains(lg: ListGains): number {
  for (let i = 0; i < lg.gains.length; i++) if (lg.gains[i]! > 0) return 1 / (i + 1);
  return 0;
}

/** Gain of a grade. @internal */
export function gainOf(grade: number, gain: NdcgGain): number {
  if (grade <= 0) return 0;
  switch (gain) {
    case "binary":
      return 1;
    case "linear":
      return grade;
    case "exponential":
      return 2 ** grade - 1;
    default:
      throw new RecokitError("INVALID_INPUT", "ndcgAtK", `unknown gain ${describeValue(gain)}`);
  }
}

/** DCG of grades in the given order, cut at k: `Σᵢ gain(gᵢ) / log₂(i + 2)` for 0-based i. @internal */
export function dcgOf(grades: ArrayLike<number>, k: number, gain: NdcgGain): number {
  const n = Math.min(k, grades.length);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const g = grades[i]!;
    if (g > 0) s += gainOf(g, gain) / Math.log2(i + 2);
  }
  return s;
}

/** Grades of the relevant items sorted best first (for the ideal DCG). @internal */
export function sortedGrades<T>(relevant: Relevance<T>): Float64Array {
  if (relevant instanceof Set) return new Float64Array(relevant.size).fill(1);
  const out: number[] = [];
  for (const g of (relevant as ReadonlyMap<T, number>).values()) if (g > 0) out.push(g);
  return Float64Array.from(out).sort().reverse();
}

/** NDCG@k from list gains and the relevant grades sorted best first. @internal */
export function ndcgFromGains(
  lg: ListGains,
  idealGrades: ArrayLike<number>,
  k: number,
  gain: NdcgGain,
  ideal: NdcgIdeal,
): number {
  const dcg = dcgOf(lg.gains, k, gain);
  if (dcg === 0) return 0;
  const best = ideal === "relevant" ? idealGrades : Float64Array.from(lg.gains).sort().reverse();
  const idcg = dcgOf(best, k, gain);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Options of {@link precisionAtK}. */
export interface PrecisionAtKOptions {
  /** `"k"` (default; Microsoft Recommenders, Spark, Surprise's usual recipe) or `"list"` (LensKit: the list's length when shorter than k). */
  readonly denominator?: PrecisionDenominator;
}

/**
 * Precision at k of one ranked list: `P@k = |top-k ∩ R| / k`, the share of the first k
 * recommendations that are relevant (Manning, Raghavan & Schütze, *Introduction to Information
 * Retrieval*, §8.4). With `denominator: "list"` a list shorter than k is divided by its own length.
 * The mean over users is the reported P@k. Repeated items count once. O(k).
 *
 * @param recommended - ranked items, best first (only the first k are read)
 * @param relevant - the user's relevant items (set) or grades (map; grade > 0 counts as relevant)
 * @param k - cut-off, an integer ≥ 1
 * @param options - denominator
 * @returns a value in [0, 1]; 0 for a user with no relevant item
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list, grade or option.
 * @example
 * ```ts
 * import { precisionAtK } from "recokit";
 * precisionAtK(["a", "b", "c", "d"], new Set(["b", "d", "z"]), 4); // 2 / 4 = 0.5
 * precisionAtK(["a", "b"], new Set(["b"]), 4);                     // 1 / 4 = 0.25
 * precisionAtK(["a", "b"], new Set(["b"]), 4, { denominator: "list" }); // 1 / 2 = 0.5
 * ```
 */
export function precisionAtK<T>(
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
  options: PrecisionAtKOptions = {},
): number {
  const where = "precisionAtK";
  const denominator = checkChoice(where, "denominator", options.denominator ?? "k", ["k", "list"]);
  return precisionFromGains(checkedGains(where, recommended, relevant, k), k, denominator);
}

/** Options of {@link recallAtK}. */
export interface RecallAtKOptions {
  /** `"relevant"` (default; Microsoft Recommenders, Spark) or `"min-k-relevant"` (LensKit's capped recall: a perfect list scores 1). */
  readonly denominator?: RecallDenominator;
}

/**
 * Recall at k of one ranked list: `R@k = |top-k ∩ R| / |R|`, the share of the relevant items found
 * in the first k (Manning et al., §8.4); with `denominator: "min-k-relevant"` divided by
 * `min(k, |R|)` so that a perfect list always scores 1. The mean over users is the reported R@k.
 * O(k + |R|).
 *
 * @param recommended - ranked items, best first
 * @param relevant - the user's relevant items or grades
 * @param k - cut-off, an integer ≥ 1
 * @param options - denominator
 * @returns a value in [0, 1]; 0 (not NaN) for a user with no relevant item
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list, grade or option.
 * @example
 * ```ts
 * import { recallAtK } from "recokit";
 * recallAtK(["a", "b", "c"], new Set(["b", "d", "e", "f"]), 3); // 1 / 4 = 0.25
 * recallAtK(["a", "b", "c"], new Set(["b", "d", "e", "f"]), 3, { denominator: "min-k-relevant" }); // 1 / 3
 * ```
 */
export function recallAtK<T>(
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
  options: RecallAtKOptions = {},
): number {
  const where = "recallAtK";
  const denominator = checkChoice(where, "denominator", options.denominator ?? "relevant", [
    "relevant",
    "min-k-relevant",
  ]);
  return recallFromGains(checkedGains(where, recommended, relevant, k), k, denominator);
}

/** Options of {@link ndcgAtK}. */
export interface NdcgAtKOptions {
  /** How a grade becomes a gain (default `"linear"`; with a `Set` every gain is 1 whatever the choice). */
  readonly gain?: NdcgGain;
  /** Which ideal ranking normalises DCG (default `"relevant"`). */
  readonly ideal?: NdcgIdeal;
}

/**
 * Normalised discounted cumulative gain at k (Järvelin & Kekäläinen, ACM TOIS 2002):
 * `DCG@k = Σ_{i=1..k} gain(gᵢ) / log₂(i + 1)`, `NDCG@k = DCG@k / IDCG@k`, where `gᵢ` is the grade of
 * the item at rank i and IDCG@k is the DCG of the ideal ranking. Binary relevance (a `Set`) gives
 * gain 1 per hit, as in Microsoft Recommenders' `ndcg_at_k`; graded relevance (a `Map`) uses the
 * grade itself (`"linear"`) or `2^g − 1` (`"exponential"`, Burges et al., ICML 2005). By default the
 * ideal ranking takes the best `min(k, |R|)` relevant grades (see {@link NdcgIdeal}). Ties among
 * equal grades do not change IDCG. O(k + |R| log |R|).
 *
 * @param recommended - ranked items, best first
 * @param relevant - the user's relevant items or grades
 * @param k - cut-off, an integer ≥ 1
 * @param options - gain and ideal
 * @returns a value in [0, 1]; 0 for a user with no relevant item
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list, grade or option.
 * @example
 * ```ts
 * import { ndcgAtK } from "recokit";
 * // hit at rank 2 of 3, one relevant item: (1 / log₂3) / 1 ≈ 0.631
 * ndcgAtK(["a", "b", "c"], new Set(["b"]), 3);
 * // graded: grades 3 at rank 1 and 1 at rank 3 vs ideal [3, 2, 1]
 * ndcgAtK(["x", "y", "z"], new Map([["x", 3], ["z", 1], ["w", 2]]), 3); // (3 + 0.5) / (3 + 2/log₂3 + 0.5) ≈ 0.734
 * ```
 */
export function ndcgAtK<T>(
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
  options: NdcgAtKOptions = {},
): number {
  const where = "ndcgAtK";
  const gain = checkChoice(where, "gain", options.gain ?? "linear", ["binary", "linear", "exponential"]);
  const ideal = checkChoice(where, "ideal", options.ideal ?? "relevant", ["relevant", "retrieved"]);
  const lg = checkedGains(where, recommended, relevant, k);
  return ndcgFromGains(lg, sortedGrades(relevant), k, gain, ideal);
}

/** Options of {@link mapAtK}. */
export interface MapAtKOptions {
  /** Denominator of average precision (default `"min-k-relevant"`, see {@link MapDenominator}). */
  readonly denominator?: MapDenominator;
}

/**
 * Average precision at k of one ranked list; its mean over users is MAP@k:
 * `AP@k = (1/D) Σ_{i=1..k} P@i · relᵢ`, where `relᵢ` is 1 when the item at rank i is relevant and
 * D is the chosen denominator (`min(k, |R|)` by default; `|R|` reproduces Microsoft Recommenders'
 * published MovieLens MAP; see {@link MapDenominator}). Reference: Manning et al., §8.4; Spark
 * `RankingMetrics`. O(k + |R|).
 *
 * @param recommended - ranked items, best first
 * @param relevant - the user's relevant items or grades (grade > 0 counts as relevant)
 * @param k - cut-off, an integer ≥ 1
 * @param options - denominator
 * @returns a value in [0, 1]; 0 for a user with no relevant item
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list, grade or option.
 * @example
 * ```ts
 * import { mapAtK } from "recokit";
 * const recs = ["a", "b", "c", "d"];
 * const rel = new Set(["a", "c", "x", "y", "z"]);
 * mapAtK(recs, rel, 4);                               // (1/1 + 2/3) / min(4, 5) = 0.41667
 * mapAtK(recs, rel, 4, { denominator: "relevant" });  // (1/1 + 2/3) / 5 = 0.33333
 * mapAtK(recs, rel, 4, { denominator: "hits" });      // (1/1 + 2/3) / 2 = 0.83333
 * ```
 */
export function mapAtK<T>(
  recommended: ArrayLike<T>,
  relevant: Relevance<T>,
  k: number,
  options: MapAtKOptions = {},
): number {
  const where = "mapAtK";
  const denominator = checkChoice(where, "denominator", options.denominator ?? "min-k-relevant", [
    "relevant",
    "min-k-relevant",
    "hits",
  ]);
  return averagePrecisionFromGains(checkedGains(where, recommended, relevant, k), k, denominator);
}

/**
 * Reciprocal rank of one ranked list within the top k: `1 / rank` of the first relevant item, 0 when
 * none is in the top k; its mean over users is the mean reciprocal rank, MRR (Voorhees, TREC-8 QA
 * track, 1999). O(k).
 *
 * @param recommended - ranked items, best first
 * @param relevant - the user's relevant items or grades
 * @param k - cut-off, an integer ≥ 1
 * @returns a value in [0, 1]
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list or grade.
 * @example
 * ```ts
 * import { mrr } from "recokit";
 * mrr(["a", "b", "c"], new Set(["c", "b"]), 3); // first hit at rank 2: 0.5
 * mrr(["a", "b", "c"], new Set(["c"]), 2);      // not in the top 2: 0
 * ```
 */
export function mrr<T>(recommended: ArrayLike<T>, relevant: Relevance<T>, k: number): number {
  return reciprocalRankFromGains(checkedGains("mrr", recommended, relevant, k));
}

/**
 * Hit of one ranked list: 1 when at least one relevant item is in the top k, else 0; its mean over
 * users is the hit rate, HR@k (Deshpande & Karypis, ACM TOIS 2004). O(k).
 *
 * @param recommended - ranked items, best first
 * @param relevant - the user's relevant items or grades
 * @param k - cut-off, an integer ≥ 1
 * @returns 0 or 1
 * @throws RecokitError `INVALID_INPUT` for a bad `k`, list or grade.
 * @example
 * ```ts
 * import { hitRate } from "recokit";
 * hitRate(["a", "b", "c"], new Set(["c"]), 3); // 1
 * hitRate(["a", "b", "c"], new Set(["c"]), 2); // 0
 * ```
 */
export function hitRate<T>(recommended: ArrayLike<T>, relevant: Relevance<T>, k: number): number {
  return checkedGains("hitRate", recommended, relevant, k).hits > 0 ? 1 : 0;
}
