import { gammaln, mean, quantileSorted, sampleStandardDeviation } from "simple-statistics";
import { assertFinite, assertInteger, type Random, RecokitError, resolveRandom } from "../core/index.js";

/** A bootstrap percentile confidence interval around an estimate. */
export interface BootstrapInterval {
  /** The statistic on the full sample. */
  readonly estimate: number;
  /** Lower bound: the `(1 − confidence) / 2` quantile of the bootstrap distribution. */
  readonly lower: number;
  /** Upper bound: the `(1 + confidence) / 2` quantile of the bootstrap distribution. */
  readonly upper: number;
  /** Confidence level, e.g. 0.95. */
  readonly confidence: number;
  /** Number of bootstrap resamples drawn. */
  readonly resamples: number;
}

/** Options of the bootstrap functions. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  readonly resamples?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /** Seed of recokit's PRNG (default 42). */
  readonly seed?: number;
  /** A custom uniform source in [0, 1); overrides `seed`. */
  readonly random?: Random;
}

/** Validated bootstrap settings. @internal */
export interface BootstrapSettings {
  readonly resamples: number;
  readonly confidence: number;
  readonly random: Random;
}

/** Reads and validates bootstrap options. @internal */
export function bootstrapSettings(
  where: string,
  options: BootstrapOptions,
  minResamples = 1,
): BootstrapSettings {
  const resamples = options.resamples ?? 1000;
  assertInteger(where, "resamples", resamples, minResamples, 1_000_000);
  const confidence = options.confidence ?? 0.95;
  assertFinite(where, "confidence", confidence, 0, 1);
  if (confidence === 0 || confidence === 1) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `confidence must be strictly between 0 and 1, got ${confidence}`,
    );
  }
  return { resamples, confidence, random: resolveRandom(where, options) };
}

/**
 * Draws `resamples` bootstrap resamples of `n` units with replacement and hands each to `visit` as
 * multiplicities (`weights[i]` = how many times unit i was drawn; they sum to n). Working on
 * multiplicities lets a caller evaluate several statistics on the same resample in O(n). @internal
 */
export function forEachResample(
  n: number,
  resamples: number,
  random: Random,
  visit: (weights: Int32Array, b: number) => void,
): void {
  const weights = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let j = 0; j < n; j++) weights[Math.floor(random() * n)]!++;
    visit(weights, b);
  }
}

/** Percentile interval of bootstrap replicates (sorted in place). @internal */
export function percentileInterval(
  estimate: number,
  replicates: Float64Array,
  confidence: number,
): BootstrapInterval {
  replicates.sort();
  const sorted = Array.from(replicates);
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    lower: quantileSorted(sorted, tail),
    upper: quantileSorted(sorted, 1 - tail),
    confidence,
    resamples: replicates.length,
  };
}

function finiteArray(where: string, name: string, values: ArrayLike<number>): void {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new RecokitError("INVALID_INPUT", where, `${name} must be an array of numbers`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new RecokitError("INVALID_INPUT", where, `${name}[${i}]: ${String(v)} is not a finite number`);
  }
}

/** Options of {@link bootstrapInterval}. */
export interface BootstrapIntervalOptions extends BootstrapOptions {
  /** Statistic of a sample (default: the mean, computed without materialising resamples). */
  readonly statistic?: (sample: readonly number[]) => number;
}

/**
 * Bootstrap percentile confidence interval of a statistic (default the mean) of independent
 * observations: the sample is resampled with replacement `resamples` times and the interval is read
 * from the quantiles of the replicated statistic (Efron & Tibshirani, *An Introduction to the
 * Bootstrap*, 1993, ch. 13). Quantiles come from simple-statistics. Seeded. O(resamples · n).
 *
 * @param values - the observations, e.g. one metric value per user
 * @param options - `resamples` (1000), `confidence` (0.95), `seed` / `random`, `statistic`
 * @returns estimate and interval
 * @throws RecokitError `EMPTY_DATA` for no values; `INVALID_INPUT` for a non-finite value or bad
 *   options, or a statistic returning a non-finite number.
 * @example
 * ```ts
 * import { bootstrapInterval } from "recokit";
 * const ci = bootstrapInterval([0.2, 0.4, 0.1, 0.5, 0.3, 0.6, 0.2, 0.4], { seed: 1 });
 * ci.estimate;              // 0.3375
 * ci.lower < ci.estimate;   // true
 * ```
 */
export function bootstrapInterval(
  values: ArrayLike<number>,
  options: BootstrapIntervalOptions = {},
): BootstrapInterval {
  const where = "bootstrapInterval";
  finiteArray(where, "values", values);
  const n = values.length;
  if (n === 0) throw new RecokitError("EMPTY_DATA", where, "no values to resample");
  const { resamples, confidence, random } = bootstrapSettings(where, options);
  const statistic = options.statistic;
  const checked = (v: number): number => {
    if (!Number.isFinite(v)) throw new RecokitError("INVALID_INPUT", where, `statistic returned ${v}`);
    return v;
  };
  const all = Array.from(values);
  const estimate = checked(statistic === undefined ? mean(all) : statistic(all));
  const replicates = new Float64Array(resamples);
  const sample = new Array<number>(n);
  forEachResample(n, resamples, random, (w, b) => {
    if (statistic === undefined) {
      let s = 0;
      for (let i = 0; i < n; i++) s += w[i]! * all[i]!;
      replicates[b] = s / n;
    } else {
      let at = 0;
      for (let i = 0; i < n; i++) for (let c = 0; c < w[i]!; c++) sample[at++] = all[i]!;
      replicates[b] = checked(statistic(sample));
    }
  });
  return percentileInterval(estimate, replicates, confidence);
}

/** Largest absolute value (a loop: spreading a large array into Math.max overflows the stack). */
function maxAbs(values: readonly number[]): number {
  let m = 0;
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** Result of {@link pairedTTest}. */
export interface PairedTTestResult {
  /** Number of pairs. */
  readonly n: number;
  /** Mean of the differences `x − y`. */
  readonly meanDifference: number;
  /** t statistic `mean(d) / (s_d / √n)` (±Infinity when every difference is the same non-zero value). */
  readonly t: number;
  /** Degrees of freedom, n − 1. */
  readonly df: number;
  /** Two-sided p-value from Student's t distribution with n − 1 degrees of freedom. */
  readonly pValue: number;
}

function pairedDifferences(where: string, x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  finiteArray(where, "x", x);
  finiteArray(where, "y", y);
  if (x.length !== y.length)
    throw new RecokitError("INVALID_INPUT", where, `x and y differ in length (${x.length} vs ${y.length})`);
  const d = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i]! - y[i]!;
  return d;
}

/**
 * Paired (dependent-samples) Student's t-test of `mean(x − y) = 0`, e.g. per-user metric values of
 * two recommenders on the same users: `t = d̄ / (s_d / √n)` with the sample standard deviation `s_d`
 * (n − 1 denominator) and n − 1 degrees of freedom; the two-sided p-value is
 * `I_{ν/(ν+t²)}(ν/2, 1/2)`, the regularised incomplete beta function (Abramowitz & Stegun 26.7.1).
 * Mean and standard deviation come from simple-statistics (its `tTest` divides by n, not n − 1,
 * so it is not used here). With many users the test is robust to non-normal differences (CLT).
 * O(n).
 *
 * @param x - first sample (e.g. recommender B per user)
 * @param y - second sample, same length and order (recommender A per user)
 * @returns t, degrees of freedom, two-sided p-value and the mean difference `x − y`
 * @throws RecokitError `INVALID_INPUT` for fewer than 2 pairs, different lengths or non-finite values.
 * @example
 * ```ts
 * import { pairedTTest } from "recokit";
 * const r = pairedTTest([5, 7, 6, 9], [4, 5, 6, 6]); // differences 1, 2, 0, 3
 * r.t;       // 1.5 / (1.291 / 2) ≈ 2.324
 * r.pValue;  // ≈ 0.103 (df = 3)
 * ```
 */
export function pairedTTest(x: ArrayLike<number>, y: ArrayLike<number>): PairedTTestResult {
  const where = "pairedTTest";
  const d = pairedDifferences(where, x, y);
  const n = d.length;
  if (n < 2) throw new RecokitError("INVALID_INPUT", where, `needs at least 2 pairs, got ${n}`);
  const m = mean(d);
  const sd = sampleStandardDeviation(d);
  const df = n - 1;
  // a constant difference has sd 0 (up to rounding): the test is degenerate, decided by the mean alone
  const scale = maxAbs(d);
  if (sd <= 1e-12 * scale || sd === 0) {
    const t = m === 0 || Math.abs(m) <= 1e-12 * scale ? 0 : Math.sign(m) * Number.POSITIVE_INFINITY;
    return { n, meanDifference: m, t, df, pValue: t === 0 ? 1 : 0 };
  }
  const t = m / (sd / Math.sqrt(n));
  return { n, meanDifference: m, t, df, pValue: studentTwoSidedP(t, df) };
}

/** Two-sided p-value `P(|T| ≥ |t|)` of Student's t with `df` degrees of freedom. @internal */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  const x = df / (df + t * t);
  return Math.min(1, Math.max(0, regularizedIncompleteBeta(x, df / 2, 0.5)));
}

/**
 * Regularised incomplete beta `I_x(a, b)`, by its continued fraction evaluated with the modified
 * Lentz method (Abramowitz & Stegun 26.5.8), using the symmetry `I_x(a,b) = 1 − I_{1−x}(b,a)` for
 * fast convergence. @internal
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(x, a, b)) / a;
  // the prefactor x^a (1 − x)^b / B(a, b) is unchanged by (x, a, b) → (1 − x, b, a)
  return 1 - (Math.exp(logFront) * betaFraction(1 - x, b, a)) / b;
}

const TINY = 1e-300;

function nonZero(v: number): number {
  return Math.abs(v) < TINY ? TINY : v;
}

/** The continued fraction of the incomplete beta function (even and odd terms per step). */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Result of {@link pairedBootstrap}. */
export interface PairedBootstrapResult extends BootstrapInterval {
  /** Two-sided bootstrap p-value of `mean(x − y) = 0`. */
  readonly pValue: number;
}

/**
 * Paired bootstrap of the mean difference `mean(x − y)`: pairs (users) are resampled with
 * replacement; the interval is the percentile interval of the resampled mean difference, and the
 * two-sided p-value is that of the null-centred bootstrap, `(1 + #{|d̄* − d̄| ≥ |d̄|}) / (B + 1)`
 * (Efron & Tibshirani 1993, §16.4; the paired bootstrap test of Sakai, SIGIR 2006, for IR metrics).
 * Makes no normality assumption. Seeded. O(resamples · n).
 *
 * @param x - first sample (e.g. recommender B per user)
 * @param y - second sample, same length and order (recommender A per user)
 * @param options - `resamples` (1000), `confidence` (0.95), `seed` / `random`
 * @returns the mean difference, its interval and the p-value
 * @throws RecokitError `EMPTY_DATA` for no pairs; `INVALID_INPUT` for different lengths, non-finite
 *   values or bad options.
 * @example
 * ```ts
 * import { pairedBootstrap } from "recokit";
 * const r = pairedBootstrap([0.5, 0.6, 0.7, 0.4, 0.9], [0.4, 0.5, 0.5, 0.4, 0.6], { seed: 3 });
 * r.estimate;      // 0.14
 * r.lower > 0;     // true: B beats A on these users
 * ```
 */
export function pairedBootstrap(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BootstrapOptions = {},
): PairedBootstrapResult {
  const where = "pairedBootstrap";
  const d = pairedDifferences(where, x, y);
  if (d.length === 0) throw new RecokitError("EMPTY_DATA", where, "no pairs to resample");
  const settings = bootstrapSettings(where, options);
  return pairedBootstrapOf(d, settings);
}

/** Paired bootstrap on precomputed differences. @internal */
export function pairedBootstrapOf(d: readonly number[], settings: BootstrapSettings): PairedBootstrapResult {
  const n = d.length;
  const observed = mean(d as number[]);
  const replicates = new Float64Array(settings.resamples);
  let extreme = 0;
  const scale = maxAbs(d);
  const eps = 1e-12 * scale;
  forEachResample(n, settings.resamples, settings.random, (w, b) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * d[i]!;
    const m = s / n;
    replicates[b] = m;
    if (Math.abs(m - observed) >= Math.abs(observed) - eps) extreme++;
  });
  const interval = percentileInterval(observed, replicates, settings.confidence);
  return { ...interval, pValue: (1 + extreme) / (settings.resamples + 1) };
}
