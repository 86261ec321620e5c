import { mean } from "simple-statistics";
import { describeValue, type Id, RecokitError } from "../core/index.js";
import type { FitRankingRecommender, RankingRecommender } from "./adapters.js";
import { type EvaluateRankingOptions, evaluateRanking, type RankingEvaluation } from "./evaluate-ranking.js";
import type { EvaluationLike } from "./evaluate-ratings.js";
import type { EvalSplit } from "./splits.js";
import {
  type BootstrapOptions,
  bootstrapSettings,
  type PairedBootstrapResult,
  type PairedTTestResult,
  pairedBootstrapOf,
  pairedTTest,
} from "./stats.js";

/** The paired comparison of one per-user metric between A and B. */
export interface MetricComparison {
  /** Metric name. */
  readonly metric: string;
  /** Number of paired users. */
  readonly users: number;
  /** Mean of A over the paired users. */
  readonly meanA: number;
  /** Mean of B over the paired users. */
  readonly meanB: number;
  /** `meanB − meanA`: positive when B scores higher. */
  readonly difference: number;
  /** Relative difference `(meanB − meanA) / |meanA|` (0 when both means are 0, ±Infinity when only A's is). */
  readonly relativeDifference: number;
  /** Paired t-test of B − A. */
  readonly tTest: PairedTTestResult;
  /** Paired bootstrap of B − A (interval and p-value). */
  readonly bootstrap: PairedBootstrapResult;
  /** Users on whom B scores higher than A. */
  readonly bHigher: number;
  /** Users on whom A scores higher than B. */
  readonly aHigher: number;
  /** Users on whom they tie. */
  readonly ties: number;
}

/** Result of {@link compareEvaluations}. */
export interface EvaluationComparison {
  /** Users evaluated by both (the pairs). */
  readonly users: number;
  /** Users evaluated only by A / only by B (left out of the pairs). */
  readonly onlyA: number;
  readonly onlyB: number;
  /** One comparison per metric present in both. */
  readonly metrics: Readonly<Record<string, MetricComparison>>;
}

/** Options of {@link compareEvaluations}. */
export interface CompareOptions extends BootstrapOptions {
  /** Per-user metrics to compare (default: every one present in both evaluations). */
  readonly metrics?: readonly string[];
}

const WHERE = "compareEvaluations";

/**
 * Paired, per-user comparison of two evaluations of the same split (the offline version of an A/B
 * test): for each metric, the users evaluated by both are paired and B − A is tested with a paired
 * t-test ({@link pairedTTest}) and a paired bootstrap ({@link pairedBootstrap}), with counts of the
 * users each one wins. Works for ranking and rating evaluations alike (for ratings, per-user RMSE /
 * MAE: lower is better). O(metrics · resamples · users).
 *
 * @param a - evaluation of the baseline (A)
 * @param b - evaluation of the candidate (B)
 * @param options - `metrics`, bootstrap `resamples` (1000), `confidence`, `seed`
 * @returns per-metric comparisons
 * @throws RecokitError `INVALID_INPUT` for fewer than 2 common users, an unknown metric or bad options.
 * @example
 * ```ts
 * import { compareEvaluations } from "recokit";
 * const a = { metrics: { ndcg: 0.3 }, perUser: { users: [1, 2, 3, 4], values: { ndcg: Float64Array.of(0.2, 0.3, 0.4, 0.3) } } };
 * const b = { metrics: { ndcg: 0.4 }, perUser: { users: [1, 2, 3, 4], values: { ndcg: Float64Array.of(0.3, 0.4, 0.5, 0.4) } } };
 * const cmp = compareEvaluations(a, b, { seed: 1 });
 * cmp.metrics.ndcg?.difference; // 0.1
 * cmp.metrics.ndcg?.bHigher;    // 4
 * ```
 */
export function compareEvaluations(
  a: EvaluationLike,
  b: EvaluationLike,
  options: CompareOptions = {},
): EvaluationComparison {
  for (const [name, e] of [
    ["a", a],
    ["b", b],
  ] as const) {
    if (e === null || typeof e !== "object" || e.perUser === null || typeof e.perUser !== "object") {
      throw new RecokitError("INVALID_INPUT", WHERE, `${name} must be an evaluation with perUser figures`);
    }
  }
  const settings = bootstrapSettings(WHERE, options);
  const slotB = new Map<Id, number>();
  b.perUser.users.forEach((u, s) => {
    slotB.set(u, s);
  });
  const pairsA: number[] = [];
  const pairsB: number[] = [];
  a.perUser.users.forEach((u, s) => {
    const t = slotB.get(u);
    if (t !== undefined) {
      pairsA.push(s);
      pairsB.push(t);
    }
  });
  const n = pairsA.length;
  if (n < 2)
    throw new RecokitError("INVALID_INPUT", WHERE, `needs at least 2 users evaluated by both, got ${n}`);
  const names =
    options.metrics ?? Object.keys(a.perUser.values).filter((m) => Object.hasOwn(b.perUser.values, m));
  const metrics: Record<string, MetricComparison> = {};
  for (const metric of names) {
    const va = a.perUser.values[metric];
    const vb = b.perUser.values[metric];
    if (!(va instanceof Float64Array) || !(vb instanceof Float64Array)) {
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `metric ${describeValue(metric)} is not in both evaluations`,
      );
    }
    const xa = pairsA.map((s) => va[s]!);
    const xb = pairsB.map((s) => vb[s]!);
    metrics[metric] = compareMetric(metric, xa, xb, settings);
  }
  return { users: n, onlyA: a.perUser.users.length - n, onlyB: b.perUser.users.length - n, metrics };
}

function compareMetric(
  metric: string,
  xa: number[],
  xb: number[],
  settings: ReturnType<typeof bootstrapSettings>,
): MetricComparison {
  const meanA = mean(xa);
  const meanB = mean(xb);
  const difference = meanB - meanA;
  let bHigher = 0;
  let aHigher = 0;
  for (let i = 0; i < xa.length; i++) {
    if (xb[i]! > xa[i]!) bHigher++;
    else if (xa[i]! > xb[i]!) aHigher++;
  }
  const diffs = xb.map((v, i) => v - xa[i]!);
  const relativeDifference =
    meanA !== 0
      ? difference / Math.abs(meanA)
      : difference === 0
        ? 0
        : Math.sign(difference) * Number.POSITIVE_INFINITY;
  return {
    metric,
    users: xa.length,
    meanA,
    meanB,
    difference,
    relativeDifference,
    tTest: pairedTTest(xb, xa),
    bootstrap: pairedBootstrapOf(diffs, settings),
    bHigher,
    aHigher,
    ties: xa.length - bHigher - aHigher,
  };
}

/** Options of {@link compareRecommenders}. */
export interface CompareRecommendersOptions<R> extends EvaluateRankingOptions<R> {
  /** Per-user metrics to compare (default: all). */
  readonly metrics?: readonly string[];
}

/** Result of {@link compareRecommenders}. */
export interface RecommenderComparison extends EvaluationComparison {
  /** Full evaluation of A. */
  readonly a: RankingEvaluation;
  /** Full evaluation of B. */
  readonly b: RankingEvaluation;
}

/**
 * Offline A/B test of two recommenders on the same split: both are evaluated with
 * {@link evaluateRanking} under identical options, then compared user by user with
 * {@link compareEvaluations} (paired t-test and paired bootstrap of B − A, wins and ties).
 * `onProgress` reports (done, total) over both runs.
 *
 * @param a - the baseline (A): fit function or fitted recommender
 * @param b - the candidate (B)
 * @param split - the split both are evaluated on
 * @param options - every {@link evaluateRanking} option, plus `metrics` to compare
 * @returns both evaluations and the per-metric comparisons
 * @throws RecokitError as {@link evaluateRanking} and {@link compareEvaluations}.
 * @example
 * ```ts
 * import { compareRecommenders, splitPerUser } from "recokit";
 * const rows = Array.from({ length: 8 }, (_, u) => [0, 1, 2, 3, 4].map((i) => ({ user: u, item: (u * 3 + i) % 9 }))).flat();
 * const split = splitPerUser(rows, { testRatio: 0.4, seed: 5 });
 * const popular = (train: readonly { user: number; item: number }[]) => {
 *   const counts = new Map<number, number>();
 *   for (const r of train) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
 *   const ranked = [...counts.keys()].sort((x, y) => counts.get(y)! - counts.get(x)! || x - y);
 *   return (_u: unknown, { k, exclude }: { k: number; exclude: ReadonlySet<unknown> }) =>
 *     ranked.filter((i) => !exclude.has(i)).slice(0, k);
 * };
 * const byId = () => (_u: unknown, { k, exclude }: { k: number; exclude: ReadonlySet<unknown> }) =>
 *   [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((i) => !exclude.has(i)).slice(0, k);
 * const cmp = compareRecommenders(byId, popular, split, { k: 3, seed: 1 });
 * cmp.metrics.ndcg?.difference; // popularity minus id order, per user
 * cmp.metrics.ndcg?.tTest.pValue;
 * ```
 */
export function compareRecommenders<R>(
  a: FitRankingRecommender<R> | RankingRecommender,
  b: FitRankingRecommender<R> | RankingRecommender,
  split: EvalSplit<R>,
  options: CompareRecommendersOptions<R> = {},
): RecommenderComparison {
  const progress = options.onProgress;
  const half = (offset: number) =>
    progress === undefined
      ? {}
      : { onProgress: (done: number, total: number) => progress(offset * total + done, 2 * total) };
  const evalA = evaluateRanking(a, split, { ...options, ...half(0) });
  const evalB = evaluateRanking(b, split, { ...options, ...half(1) });
  const compareOptions: CompareOptions = {
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    ...(options.resamples !== undefined ? { resamples: Math.max(1, options.resamples) } : {}),
    ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
    ...(options.random !== undefined ? { random: options.random } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  return { ...compareEvaluations(evalA, evalB, compareOptions), a: evalA, b: evalB };
}
