import { mean, rootMeanSquare } from "simple-statistics";
import { RecokitError } from "../core/index.js";

/** The prediction errors `predicted[i] − actual[i]`, validated. @internal */
function errorsOf(where: string, predicted: ArrayLike<number>, actual: ArrayLike<number>): number[] {
  if (predicted === null || actual === null || typeof predicted !== "object" || typeof actual !== "object") {
    throw new RecokitError("INVALID_INPUT", where, "predicted and actual must be arrays of numbers");
  }
  const n = actual.length;
  if (predicted.length !== n) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `predicted and actual differ in length (${predicted.length} vs ${n})`,
    );
  }
  if (n === 0) throw new RecokitError("EMPTY_DATA", where, "no ratings to compare");
  const errors = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const p = predicted[i];
    const a = actual[i];
    if (typeof p !== "number" || !Number.isFinite(p))
      throw new RecokitError("INVALID_INPUT", where, `predicted[${i}]: ${String(p)} is not a finite number`);
    if (typeof a !== "number" || !Number.isFinite(a))
      throw new RecokitError("INVALID_INPUT", where, `actual[${i}]: ${String(a)} is not a finite number`);
    errors[i] = p - a;
  }
  return errors;
}

/**
 * Root mean squared error of rating predictions:
 * `RMSE = √( (1/n) Σᵢ (predictedᵢ − actualᵢ)² )` (Herlocker et al., "Evaluating collaborative
 * filtering recommender systems", ACM TOIS 2004; the figure Surprise's `accuracy.rmse` reports).
 * O(n).
 *
 * @param predicted - predicted ratings
 * @param actual - true ratings, same length
 * @returns the RMSE (≥ 0)
 * @throws RecokitError `EMPTY_DATA` for empty inputs; `INVALID_INPUT` for different lengths or a
 *   non-finite value (naming its position).
 * @example
 * ```ts
 * import { rmse } from "recokit";
 * rmse([3, 4, 5], [3, 2, 4]); // √((0 + 4 + 1) / 3) ≈ 1.291
 * ```
 */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  return rootMeanSquare(errorsOf("rmse", predicted, actual));
}

/**
 * Mean absolute error of rating predictions: `MAE = (1/n) Σᵢ |predictedᵢ − actualᵢ|`
 * (Herlocker et al., ACM TOIS 2004; Surprise's `accuracy.mae`). O(n).
 *
 * @param predicted - predicted ratings
 * @param actual - true ratings, same length
 * @returns the MAE (≥ 0)
 * @throws RecokitError `EMPTY_DATA` for empty inputs; `INVALID_INPUT` for different lengths or a
 *   non-finite value (naming its position).
 * @example
 * ```ts
 * import { mae } from "recokit";
 * mae([3, 4, 5], [3, 2, 4]); // (0 + 2 + 1) / 3 = 1
 * ```
 */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  return mean(errorsOf("mae", predicted, actual).map(Math.abs));
}
