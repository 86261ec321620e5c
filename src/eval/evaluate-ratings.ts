import { assertFinite, describeValue, type Id, RecokitError, throwIfAborted } from "../core/index.js";
import {
  type FitRatingPredictor,
  isUnknownIdError,
  type RatingPrediction,
  type RatingPredictor,
  resolvePredictor,
} from "./adapters.js";
import { mae, rmse } from "./metrics-rating.js";
import type { EvalSplit } from "./splits.js";
import {
  type BootstrapInterval,
  type BootstrapOptions,
  bootstrapSettings,
  forEachResample,
  percentileInterval,
} from "./stats.js";

/** Figures of each evaluated user, aligned with `users`. */
export interface PerUserFigures<M extends string = string> {
  /** Evaluated users, in first-seen test order. */
  readonly users: readonly Id[];
  /** One value per user for each metric. */
  readonly values: { readonly [K in M]: Float64Array };
}

/** What every evaluation result offers: overall metrics and per-user figures (used by comparisons). */
export interface EvaluationLike {
  readonly metrics: Readonly<Record<string, number>>;
  readonly perUser: PerUserFigures;
}

/** Progress and cancellation options of long runs. */
export interface RunControl {
  /** Called with (done, total) as the run advances. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborts the run (`ABORTED`) between chunks of work. */
  readonly signal?: AbortSignal;
}

/** What to do when a model cannot predict a test rating. */
export type OnImpossiblePrediction = "train-mean" | "skip";

/** Options of {@link evaluateRatings}. */
export interface EvaluateRatingsOptions extends BootstrapOptions, RunControl {
  /** Clip every prediction to `[min, max]` (e.g. `[1, 5]`, as Surprise does by default); default: no clipping. */
  readonly clip?: readonly [number, number];
  /**
   * A prediction the model cannot make (it returns NaN / undefined, or throws `UNKNOWN_USER` /
   * `UNKNOWN_ITEM` / `UNKNOWN_ID`): `"train-mean"` (default) predicts the mean training rating, as
   * Surprise predicts its global mean; `"skip"` leaves the row out of the figures. Either way it is
   * counted in `impossible`. A model that returns `{ value, possible: false }` with a finite value keeps
   * its own fallback value and is counted too.
   */
  readonly onImpossible?: OnImpossiblePrediction;
}

/** Rating-prediction metrics. */
export type RatingMetrics = {
  readonly rmse: number;
  readonly mae: number;
};

/** Result of {@link evaluateRatings}. */
export interface RatingEvaluation extends EvaluationLike {
  readonly kind: "ratings";
  /** Overall RMSE and MAE over every scored test rating. */
  readonly metrics: RatingMetrics;
  /** Number of test ratings scored. */
  readonly count: number;
  /** Test ratings the model could not predict (see {@link EvaluateRatingsOptions.onImpossible}). */
  readonly impossible: number;
  /** Test ratings left out of the figures (only with `onImpossible: "skip"`). */
  readonly skipped: number;
  /** Test rows whose user or item has no training row (from the split). */
  readonly coldTestRows: number;
  /** Per-user RMSE and MAE, with each user's number of scored ratings. */
  readonly perUser: PerUserFigures<"rmse" | "mae"> & { readonly count: Int32Array };
  /**
   * Bootstrap percentile intervals of RMSE and MAE, resampling users (each user's ratings stay
   * together); absent when `resamples` is 0.
   */
  readonly intervals?: { readonly rmse: BootstrapInterval; readonly mae: BootstrapInterval };
  /** Wall time of fitting and of predicting, in ms. */
  readonly timings: { readonly fitMs: number; readonly predictMs: number };
}

const WHERE = "evaluateRatings";

/**
 * Evaluates rating prediction on a split: fits the model on `split.train` (or takes a fitted
 * predictor), predicts every test rating and reports RMSE and MAE overall (pooled over ratings, as
 * Surprise does), per user, and with bootstrap confidence intervals over users. Predictions the
 * model cannot make are counted, never silently dropped. O(test rows) predictions plus
 * O(resamples · users).
 *
 * @param model - a fit function `(train, split) → predictor`, or an object with `predict(user, item)`;
 *   a predictor returns a number or `{ value, possible }`
 * @param split - from any splitter; every test row needs a finite value
 * @param options - `clip`, `onImpossible`, bootstrap (`resamples` 1000, 0 = none; `confidence`;
 *   `seed`), `onProgress`, `signal`
 * @returns the figures
 * @throws RecokitError `INVALID_INPUT` for a test row without a finite value (naming its input row),
 *   a bad model or options; `EMPTY_DATA` when nothing could be scored; `ABORTED`.
 * @example
 * ```ts
 * import { evaluateRatings, splitRandom } from "recokit";
 * const rows = Array.from({ length: 40 }, (_, i) => ({ user: i % 5, item: i % 8, value: 1 + (i % 5) }));
 * const split = splitRandom(rows, { testRatio: 0.25, seed: 1 });
 * // a user-mean model, written inline
 * const result = evaluateRatings((train) => {
 *   const sums = new Map<unknown, [number, number]>();
 *   for (const r of train) {
 *     const s = sums.get(r.user) ?? [0, 0];
 *     sums.set(r.user, [s[0] + r.value, s[1] + 1]);
 *   }
 *   return (user) => { const s = sums.get(user); return s ? s[0] / s[1] : undefined; };
 * }, split);
 * result.metrics.rmse; // 0: in this toy data each user always gives the same rating
 * ```
 */
export function evaluateRatings<R>(
  model: FitRatingPredictor<R> | RatingPredictor,
  split: EvalSplit<R>,
  options: EvaluateRatingsOptions = {},
): RatingEvaluation {
  assertSplit(WHERE, split);
  const onImpossible = options.onImpossible ?? "train-mean";
  if (onImpossible !== "train-mean" && onImpossible !== "skip") {
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `onImpossible must be "train-mean" or "skip", got ${describeValue(onImpossible)}`,
    );
  }
  const clip = readClip(options.clip);
  const settings = bootstrapSettings(WHERE, options, 0);
  const { fields, test, testRows } = split;
  const actual = testValues(split);
  const { fn: predict, fitMs } = resolvePredictor(WHERE, model, split);

  let fallback: number | undefined;
  const fallbackValue = (): number => {
    fallback ??= trainMean(split);
    return fallback;
  };
  const n = test.length;
  const predicted = new Float64Array(n);
  const used = new Uint8Array(n);
  let impossible = 0;
  let skipped = 0;
  const t0 = performance.now();
  for (let j = 0; j < n; j++) {
    if ((j & 1023) === 0) {
      throwIfAborted(WHERE, options.signal);
      options.onProgress?.(j, n);
    }
    const row = test[j]!;
    const i = testRows[j]!;
    const raw = safePredict(predict, fields.user(row, i), fields.item(row, i));
    let value = raw.value;
    if (!raw.possible) {
      impossible++;
      if (!Number.isFinite(value)) {
        if (onImpossible === "skip") {
          skipped++;
          continue;
        }
        value = fallbackValue();
      }
    }
    if (clip !== undefined) value = Math.min(clip[1], Math.max(clip[0], value));
    predicted[j] = value;
    used[j] = 1;
  }
  const predictMs = performance.now() - t0;
  options.onProgress?.(n, n);
  const count = n - skipped;
  if (count === 0) throw new RecokitError("EMPTY_DATA", WHERE, "no test rating could be scored");

  const kept = (a: Float64Array): Float64Array => a.filter((_, j) => used[j] === 1);
  const metrics: RatingMetrics = {
    rmse: rmse(kept(predicted), kept(actual)),
    mae: mae(kept(predicted), kept(actual)),
  };
  const perUser = perUserErrors(split, predicted, actual, used);
  const result: RatingEvaluation = {
    kind: "ratings",
    metrics,
    count,
    impossible,
    skipped,
    coldTestRows: split.coldTestRows,
    perUser: perUser.figures,
    timings: { fitMs, predictMs },
  };
  if (settings.resamples === 0) return result;
  return { ...result, intervals: ratingIntervals(perUser, metrics, settings) };
}

/** Checks the shape of a split handed to a run. @internal */
export function assertSplit<R>(where: string, split: EvalSplit<R>): void {
  if (
    split === null ||
    typeof split !== "object" ||
    !Array.isArray(split.train) ||
    !Array.isArray(split.test) ||
    !(split.testRows instanceof Int32Array) ||
    typeof split.fields?.user !== "function"
  ) {
    throw new RecokitError("INVALID_INPUT", where, "split must come from one of the eval splitters");
  }
  if (split.test.length === 0) throw new RecokitError("EMPTY_DATA", where, "the split has no test rows");
}

function readClip(clip: readonly [number, number] | undefined): readonly [number, number] | undefined {
  if (clip === undefined) return undefined;
  if (!Array.isArray(clip) || clip.length !== 2)
    throw new RecokitError("INVALID_INPUT", WHERE, "clip must be [min, max]");
  assertFinite(WHERE, "clip[0]", clip[0]);
  assertFinite(WHERE, "clip[1]", clip[1], clip[0]);
  return clip;
}

function testValues<R>(split: EvalSplit<R>): Float64Array {
  const { test, testRows, fields } = split;
  const out = new Float64Array(test.length);
  for (let j = 0; j < test.length; j++) {
    const v = fields.value(test[j]!, testRows[j]!);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `row ${testRows[j]}: test value ${describeValue(v)} is not a finite number (rating evaluation needs one on every test row)`,
      );
    }
    out[j] = v;
  }
  return out;
}

function trainMean<R>(split: EvalSplit<R>): number {
  let sum = 0;
  let n = 0;
  for (let j = 0; j < split.train.length; j++) {
    const v = split.fields.value(split.train[j]!, split.trainRows[j]!);
    if (typeof v === "number" && Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  if (n === 0) {
    throw new RecokitError(
      "EMPTY_DATA",
      WHERE,
      "the training rows hold no values: no mean rating to fall back on",
    );
  }
  return sum / n;
}

interface Outcome {
  readonly value: number;
  readonly possible: boolean;
}

function safePredict(predict: (u: Id, i: Id) => RatingPrediction, user: Id, item: Id): Outcome {
  let raw: RatingPrediction;
  try {
    raw = predict(user, item);
  } catch (e) {
    if (isUnknownIdError(e)) return { value: Number.NaN, possible: false };
    throw e;
  }
  if (typeof raw === "number") return { value: raw, possible: Number.isFinite(raw) };
  if (raw === undefined || raw === null) return { value: Number.NaN, possible: false };
  if (typeof raw === "object" && typeof raw.value === "number") {
    const finite = Number.isFinite(raw.value);
    return { value: raw.value, possible: finite && raw.possible !== false };
  }
  throw new RecokitError(
    "INVALID_INPUT",
    WHERE,
    `the predictor returned ${describeValue(raw)} for user ${describeValue(user)}, item ${describeValue(item)}; expected a number or { value, possible }`,
  );
}

interface UserErrors {
  readonly figures: RatingEvaluation["perUser"];
  readonly sse: Float64Array;
  readonly sae: Float64Array;
}

function perUserErrors<R>(
  split: EvalSplit<R>,
  predicted: Float64Array,
  actual: Float64Array,
  used: Uint8Array,
): UserErrors {
  const slot = new Map<Id, number>();
  const sseList: number[] = [];
  const saeList: number[] = [];
  const countList: number[] = [];
  for (let j = 0; j < split.test.length; j++) {
    if (used[j] !== 1) continue;
    const u = split.fields.user(split.test[j]!, split.testRows[j]!);
    let s = slot.get(u);
    if (s === undefined) {
      s = slot.size;
      slot.set(u, s);
      sseList.push(0);
      saeList.push(0);
      countList.push(0);
    }
    const e = predicted[j]! - actual[j]!;
    sseList[s]! += e * e;
    saeList[s]! += Math.abs(e);
    countList[s]!++;
  }
  const count = Int32Array.from(countList);
  const sse = Float64Array.from(sseList);
  const sae = Float64Array.from(saeList);
  const userRmse = sse.map((v, s) => Math.sqrt(v / count[s]!));
  const userMae = sae.map((v, s) => v / count[s]!);
  return { figures: { users: [...slot.keys()], values: { rmse: userRmse, mae: userMae }, count }, sse, sae };
}

function ratingIntervals(
  errors: UserErrors,
  metrics: RatingMetrics,
  settings: ReturnType<typeof bootstrapSettings>,
): { rmse: BootstrapInterval; mae: BootstrapInterval } {
  const { sse, sae } = errors;
  const count = errors.figures.count;
  const nUsers = count.length;
  const rmseRep = new Float64Array(settings.resamples);
  const maeRep = new Float64Array(settings.resamples);
  forEachResample(nUsers, settings.resamples, settings.random, (w, b) => {
    let se = 0;
    let ae = 0;
    let c = 0;
    for (let s = 0; s < nUsers; s++) {
      const ws = w[s]!;
      if (ws === 0) continue;
      se += ws * sse[s]!;
      ae += ws * sae[s]!;
      c += ws * count[s]!;
    }
    rmseRep[b] = Math.sqrt(se / c);
    maeRep[b] = ae / c;
  });
  return {
    rmse: percentileInterval(metrics.rmse, rmseRep, settings.confidence),
    mae: percentileInterval(metrics.mae, maeRep, settings.confidence),
  };
}
