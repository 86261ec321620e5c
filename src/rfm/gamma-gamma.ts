import { gammaln, mean, sampleCorrelation } from "simple-statistics";
import { assertFinite, RecokitError } from "../core/errors.js";
import { assertPositiveParameters, standardErrors } from "./information.js";
import { minimizeNelderMead } from "./optimize.js";

/**
 * Gamma-Gamma spend parameters: a customer's transaction values are Gamma(p, ν) around a mean
 * p/ν, and ν varies across customers as Gamma(q, γ).
 */
export interface GammaGammaParameters {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/** A fitted Gamma-Gamma model. Plain data (JSON-serialisable). */
export interface GammaGammaModel extends GammaGammaParameters {
  readonly kind: "gamma-gamma";
  readonly logLikelihood: number;
  /** Customers fitted (those with at least one repeat purchase). */
  readonly customers: number;
  /** Customers left out because they have no repeat purchase. */
  readonly excluded: number;
  /**
   * Pearson correlation of frequency and mean spend among the fitted customers. The model assumes
   * spend is independent of frequency: a value far from 0 is a warning sign.
   */
  readonly frequencyMonetaryCorrelation: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Asymptotic standard errors of p, q, gamma (inverse observed information), or null. */
  readonly standardErrors: GammaGammaParameters | null;
}

/** One customer's repeat-purchase count and mean repeat-purchase value. */
export interface SpendRecord {
  readonly frequency: number;
  readonly monetary: number;
}

/** Spend data as records or columns. */
export type SpendData =
  | readonly SpendRecord[]
  | { readonly frequency: ArrayLike<number>; readonly monetary: ArrayLike<number> };

/** Options of {@link fitGammaGamma}. */
export interface FitGammaGammaOptions {
  /** L2 penalty on the parameters added to the mean negative log-likelihood (default 0). */
  readonly penalizer?: number;
  /** Starting point (default p = 1, q = 2, γ = mean spend). */
  readonly initial?: GammaGammaParameters;
  /** Optimiser iteration cap (default 3000). */
  readonly maxIterations?: number;
  /** Called every optimiser iteration with (iteration, maxIterations). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborts the work (a `RecokitError` with code `ABORTED`) when it fires. */
  readonly signal?: AbortSignal;
}

const NAMES = ["p", "q", "gamma"] as const;

function checkParameters(where: string, params: GammaGammaParameters): void {
  assertPositiveParameters(where, params, NAMES);
}

/** Reads spend data; keeps customers with x ≥ 1, who must have a positive mean spend. @internal */
export function readSpend(where: string, data: SpendData): { x: number[]; m: number[]; excluded: number } {
  if (data === null || typeof data !== "object")
    throw new RecokitError("INVALID_INPUT", where, "data must be records or columns of frequency, monetary");
  const rows = Array.isArray(data);
  const cols = data as { frequency: ArrayLike<number>; monetary: ArrayLike<number> };
  const n = rows ? data.length : cols.frequency?.length;
  if (typeof n !== "number") throw new RecokitError("INVALID_INPUT", where, "data.frequency is missing");
  if (!rows && cols.monetary?.length !== n)
    throw new RecokitError("INVALID_INPUT", where, "data.monetary must have one value per customer");
  if (n === 0) throw new RecokitError("EMPTY_DATA", where, "there are no customers");
  const x: number[] = [];
  const m: number[] = [];
  let excluded = 0;
  for (let i = 0; i < n; i++) {
    const xi = rows ? (data as readonly SpendRecord[])[i]?.frequency : cols.frequency[i];
    const mi = rows ? (data as readonly SpendRecord[])[i]?.monetary : cols.monetary[i];
    if (typeof xi !== "number" || !Number.isInteger(xi) || xi < 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: frequency ${String(xi)} is not a non-negative integer`,
      );
    if (typeof mi !== "number" || !Number.isFinite(mi))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: monetary ${String(mi)} is not a finite number`,
      );
    if (xi === 0) {
      excluded++;
      continue;
    }
    if (mi <= 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: monetary ${mi} must be positive for a customer with repeat purchases`,
      );
    x.push(xi);
    m.push(mi);
  }
  return { x, m, excluded };
}

/**
 * Log-likelihood of one customer's mean spend m̄ over x ≥ 1 transactions under the Gamma-Gamma
 * model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves"; Fader & Hardie 2013):
 *
 * ln f = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x)
 *
 * @param params - p, q, gamma (all > 0)
 * @param customer - frequency x ≥ 1 and mean spend m̄ > 0
 * @returns the log-density of m̄
 * @throws RecokitError `INVALID_INPUT` for bad parameters, x < 1 or m̄ ≤ 0.
 * @example
 * ```ts
 * import { gammaGammaLogLikelihood } from "recokit";
 * gammaGammaLogLikelihood({ p: 1, q: 1, gamma: 1 }, { frequency: 1, monetary: 1 }); // ln(1/4) ≈ -1.386
 * ```
 */
export function gammaGammaLogLikelihood(params: GammaGammaParameters, customer: SpendRecord): number {
  const where = "gammaGammaLogLikelihood";
  checkParameters(where, params);
  const { x } = readSpend(where, [customer]);
  if (x.length === 0)
    throw new RecokitError("INVALID_INPUT", where, "the Gamma-Gamma likelihood needs frequency ≥ 1");
  return customerLogLikelihood(params, customer.frequency, customer.monetary);
}

function customerLogLikelihood(params: GammaGammaParameters, x: number, m: number): number {
  const { p, q, gamma } = params;
  const px = p * x;
  return (
    gammaln(px + q) -
    gammaln(px) -
    gammaln(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(gamma + m * x)
  );
}

/**
 * The summed log-likelihood as a function of the parameters. Terms that depend on x only
 * (lnΓ(px+q) − lnΓ(px) + px ln x) are computed once per distinct x; per customer one logarithm
 * remains.
 */
function spendLogLikelihood(
  x: readonly number[],
  m: readonly number[],
): (params: GammaGammaParameters) => number {
  const n = x.length;
  const groupOf = new Map<number, number>();
  const xValues: number[] = [];
  const xCounts: number[] = [];
  let sumLnM = 0;
  const lnM = new Float64Array(n);
  const xm = new Float64Array(n);
  const xLnM = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let g = groupOf.get(x[i]!);
    if (g === undefined) {
      g = xValues.length;
      groupOf.set(x[i]!, g);
      xValues.push(x[i]!);
      xCounts.push(0);
    }
    xCounts[g]!++;
    lnM[i] = Math.log(m[i]!);
    sumLnM += lnM[i]!;
    xm[i] = x[i]! * m[i]!;
    xLnM[i] = x[i]! * lnM[i]!;
  }
  let sumXLnM = 0;
  for (let i = 0; i < n; i++) sumXLnM += xLnM[i]!;
  return ({ p, q, gamma }) => {
    // Σ [lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x)]
    let total = n * (q * Math.log(gamma) - gammaln(q)) - sumLnM + p * sumXLnM;
    for (let g = 0; g < xValues.length; g++) {
      const px = p * xValues[g]!;
      total += xCounts[g]! * (gammaln(px + q) - gammaln(px) + px * Math.log(xValues[g]!));
    }
    for (let i = 0; i < n; i++) total -= (p * x[i]! + q) * Math.log(gamma + xm[i]!);
    return total;
  };
}

/**
 * Fits the Gamma-Gamma spend model by maximum likelihood (Nelder–Mead on the log-parameters) on
 * the customers with at least one repeat purchase; the others are counted in `excluded`. Also
 * reports the frequency–spend correlation, whose closeness to 0 the model assumes.
 *
 * @param data - per customer: frequency (repeat purchases) and monetary (mean repeat-purchase value)
 * @param options - penalty, starting point, iteration cap, progress, abort signal
 * @returns p, q, gamma and fit details
 * @throws RecokitError `EMPTY_DATA` without customers or without any repeat buyer; `INVALID_INPUT`
 * for an invalid row (including a repeat buyer with spend ≤ 0); `ABORTED`.
 * @example
 * ```ts
 * import { fitGammaGamma, gammaGammaExpectedValue } from "recokit";
 * const data = [
 *   { frequency: 2, monetary: 20 }, { frequency: 5, monetary: 35 }, { frequency: 1, monetary: 12 },
 *   { frequency: 3, monetary: 28 }, { frequency: 0, monetary: 0 }, { frequency: 4, monetary: 22 },
 * ];
 * const model = fitGammaGamma(data);
 * model.excluded;                                            // 1
 * gammaGammaExpectedValue(model, { frequency: 2, monetary: 20 }); // between 20 and the population mean
 * ```
 */
export function fitGammaGamma(data: SpendData, options: FitGammaGammaOptions = {}): GammaGammaModel {
  const where = "fitGammaGamma";
  const { x, m, excluded } = readSpend(where, data);
  if (x.length === 0)
    throw new RecokitError("EMPTY_DATA", where, "no customer has a repeat purchase to fit spend on");
  const penalizer = options.penalizer ?? 0;
  assertFinite(where, "penalizer", penalizer, 0);
  const initial = options.initial ?? { p: 1, q: 2, gamma: mean(m) };
  checkParameters(where, initial);
  const n = x.length;
  const fromLog = (theta: Float64Array): GammaGammaParameters => ({
    p: Math.exp(theta[0]!),
    q: Math.exp(theta[1]!),
    gamma: Math.exp(theta[2]!),
  });
  const total = spendLogLikelihood(x, m);
  const objective = (theta: Float64Array): number => {
    const params = fromLog(theta);
    const penalty = penalizer * (params.p ** 2 + params.q ** 2 + params.gamma ** 2);
    return -total(params) / n + penalty;
  };
  const result = minimizeNelderMead(
    objective,
    NAMES.map((k) => Math.log(initial[k])),
    {
      maxIterations: options.maxIterations ?? 3000,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const params = fromLog(result.x);
  const se = standardErrors(
    (v) => -total({ p: v[0]!, q: v[1]!, gamma: v[2]! }),
    NAMES.map((k) => params[k]),
  );
  const correlation = n >= 3 ? sampleCorrelation(x, m) : 0;
  return {
    kind: "gamma-gamma",
    ...params,
    logLikelihood: total(params),
    customers: n,
    excluded,
    frequencyMonetaryCorrelation: Number.isFinite(correlation) ? correlation : 0,
    iterations: result.iterations,
    converged: result.converged,
    standardErrors: se === null ? null : { p: se[0]!, q: se[1]!, gamma: se[2]! },
  };
}

/**
 * Expected mean transaction value of a customer given x repeat purchases with mean value m̄
 * (Fader, Hardie & Lee 2005): E[M | x, m̄] = p(γ + m̄x) / (px + q − 1), a weighted average of the
 * population mean pγ/(q − 1) and m̄ that leans on m̄ as x grows. For x = 0 it is the population mean.
 *
 * @param model - p, q, gamma
 * @param customer - frequency (≥ 0) and mean repeat spend (ignored when frequency is 0)
 * @returns the expected transaction value (> 0)
 * @throws RecokitError `INVALID_INPUT` for bad inputs, or when px + q ≤ 1 (for x = 0: q ≤ 1, an
 * infinite population mean).
 * @example
 * ```ts
 * import { gammaGammaExpectedValue } from "recokit";
 * const m = { p: 6.25, q: 3.74, gamma: 15.44 };
 * gammaGammaExpectedValue(m, { frequency: 0, monetary: 0 });  // population mean ≈ 35.2
 * gammaGammaExpectedValue(m, { frequency: 10, monetary: 50 }); // ≈ 49.4
 * ```
 */
export function gammaGammaExpectedValue(model: GammaGammaParameters, customer: SpendRecord): number {
  const where = "gammaGammaExpectedValue";
  checkParameters(where, model);
  const { x, m } = readSpend(where, [customer]);
  return expectedValue(where, model, x[0] ?? 0, m[0] ?? 0);
}

/** @internal */
export function expectedValue(where: string, params: GammaGammaParameters, x: number, m: number): number {
  const { p, q, gamma } = params;
  const denominator = p * x + q - 1;
  if (!(denominator > 0))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      x === 0
        ? `q = ${q} ≤ 1: the population mean spend is infinite, so customers without repeat purchases cannot be valued`
        : `p·x + q − 1 = ${denominator} ≤ 0: the expected spend is undefined`,
    );
  return (p * (gamma + m * x)) / denominator;
}
