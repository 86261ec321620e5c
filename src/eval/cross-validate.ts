import { max, mean, min, sampleStandardDeviation, standardDeviation } from "simple-statistics";
import { describeValue, RecokitError, throwIfAborted } from "../core/index.js";
import type { RunControl } from "./evaluate-ratings.js";
import type { EvalSplit } from "./splits.js";

/** Mean, spread and range of one metric over folds. */
export interface FoldSummary {
  readonly mean: number;
  /** Standard deviation over folds (sample by default; see {@link CrossValidateOptions.std}). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** The metric in each fold. */
  readonly values: readonly number[];
}

/** Result of {@link crossValidate}. */
export interface CrossValidation<E> {
  /** Every fold's full evaluation, in fold order. */
  readonly folds: readonly E[];
  /** Summary of each metric reported by every fold. */
  readonly metrics: Readonly<Record<string, FoldSummary>>;
  /** Wall time of the whole run, in ms. */
  readonly totalMs: number;
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends RunControl {
  /**
   * `"sample"` (default, n − 1 denominator) or `"population"` (n denominator; what Surprise's
   * `cross_validate` prints as "Std").
   */
  readonly std?: "sample" | "population";
}

/**
 * Cross-validation: runs `evaluate` on each split (typically the folds of {@link kFold}) and
 * summarises every metric over folds with its mean, standard deviation (simple-statistics), minimum
 * and maximum. The evaluation is any function returning `{ metrics }`, such as
 * `(split) => evaluateRatings(fit, split)` or `(split) => evaluateRanking(fit, split, { k: 10 })`.
 * `onProgress(done, total)` counts folds; `signal` is checked between folds.
 *
 * @param folds - the splits, at least one
 * @param evaluate - evaluates one split: `(split, fold) → { metrics }`
 * @param options - `std`, `onProgress`, `signal`
 * @returns every fold's evaluation and the per-metric summaries
 * @throws RecokitError `EMPTY_DATA` for no folds; `INVALID_INPUT` when an evaluation reports a
 *   non-finite metric (naming the fold); `ABORTED`.
 * @example
 * ```ts
 * import { crossValidate, evaluateRatings, kFold } from "recokit";
 * const rows = Array.from({ length: 60 }, (_, i) => ({ user: i % 6, item: i % 10, value: 1 + (i % 4) }));
 * const meanModel = (train: readonly { value: number }[]) => {
 *   const mu = train.reduce((s, r) => s + r.value, 0) / train.length;
 *   return () => mu;
 * };
 * const cv = crossValidate(kFold(rows, { k: 3, seed: 1 }), (split) => evaluateRatings(meanModel, split));
 * cv.metrics.rmse?.mean; // mean RMSE of the global-mean predictor over 3 folds
 * cv.metrics.rmse?.std;
 * ```
 */
export function crossValidate<
  R,
  E extends { readonly metrics: Readonly<Record<string, number | undefined>> },
>(
  folds: readonly EvalSplit<R>[],
  evaluate: (split: EvalSplit<R>, fold: number) => E,
  options: CrossValidateOptions = {},
): CrossValidation<E> {
  const where = "crossValidate";
  const started = performance.now();
  if (!Array.isArray(folds))
    throw new RecokitError("INVALID_INPUT", where, "folds must be an array of splits");
  if (folds.length === 0) throw new RecokitError("EMPTY_DATA", where, "no folds to evaluate");
  if (typeof evaluate !== "function")
    throw new RecokitError("INVALID_INPUT", where, "evaluate must be a function");
  const stdKind = options.std ?? "sample";
  if (stdKind !== "sample" && stdKind !== "population") {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `std must be "sample" or "population", got ${describeValue(stdKind)}`,
    );
  }
  const results: E[] = [];
  for (let f = 0; f < folds.length; f++) {
    throwIfAborted(where, options.signal);
    options.onProgress?.(f, folds.length);
    const result = evaluate(folds[f]!, f);
    if (
      result === null ||
      typeof result !== "object" ||
      result.metrics === null ||
      typeof result.metrics !== "object"
    ) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `fold ${f}: evaluate must return an object with metrics`,
      );
    }
    results.push(result);
  }
  options.onProgress?.(folds.length, folds.length);
  const names = Object.keys(results[0]!.metrics).filter((m) =>
    results.every((r) => typeof r.metrics[m] === "number"),
  );
  const metrics: Record<string, FoldSummary> = {};
  for (const name of names) {
    const values = results.map((r, f) => {
      const v = r.metrics[name]!;
      if (!Number.isFinite(v)) {
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `fold ${f}: metric ${name} is ${v}, not a finite number`,
        );
      }
      return v;
    });
    const std =
      values.length < 2
        ? 0
        : stdKind === "sample"
          ? sampleStandardDeviation(values)
          : standardDeviation(values);
    metrics[name] = { mean: mean(values), std, min: min(values), max: max(values), values };
  }
  return { folds: results, metrics, totalMs: performance.now() - started };
}
