import { mean, median, quantile, standardDeviation } from "simple-statistics";
import { RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import type { RowFn } from "./coerce.js";
import { numberAt, type StepPlan } from "./engine.js";
import { badOption, fieldOption, newFieldOption, type PlanEnv } from "./steps/common.js";
import type { CleanNormalizeStep, ColumnScaleMethod, ColumnScaler } from "./types.js";

const METHODS: readonly ColumnScaleMethod[] = ["minmax", "zscore", "log1p", "robust"];

/**
 * Fits a column scaler on numeric values (missing values — null, undefined, NaN — are skipped):
 * - `"minmax"`: center = min, scale = max − min → values in [0, 1];
 * - `"zscore"`: center = mean, scale = population standard deviation;
 * - `"robust"`: center = median, scale = interquartile range (simple-statistics `quantile`, linear);
 * - `"log1p"`: `log(1 + x)` (no parameters; needs x > −1).
 * A zero spread gives scale 1 (a constant column maps to 0). Pure; O(n) (O(n log n) for `robust`).
 *
 * @param values - the column (not modified)
 * @param method - the scaling method
 * @returns the fitted scaler, plain data to store and reuse with {@link applyColumnScaler}
 * @throws RecokitError `INVALID_INPUT` for a non-numeric or infinite value, an unknown method, or a
 *   value ≤ −1 with `log1p`; `EMPTY_DATA` when no value is present (except for `log1p`).
 * @example
 * ```ts
 * import { applyColumnScaler, fitColumnScaler } from "recokit";
 * const s = fitColumnScaler([2, 4, 6], "minmax"); // { method: "minmax", center: 2, scale: 4 }
 * applyColumnScaler(s, 5);                         // 0.75
 * ```
 */
export function fitColumnScaler(values: ArrayLike<unknown>, method: ColumnScaleMethod): ColumnScaler {
  const where = "fitColumnScaler";
  if (!METHODS.includes(method))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `method must be one of ${METHODS.join(", ")}, got ${describeValue(method)}`,
    );
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) continue;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `value ${i} is ${describeValue(v)}, not a finite number`,
      );
    if (method === "log1p" && v <= -1)
      throw new RecokitError("INVALID_INPUT", where, `value ${i} is ${v}; log1p needs values > -1`);
    xs.push(v);
  }
  if (method === "log1p") return { method, center: 0, scale: 1 };
  if (xs.length === 0) throw new RecokitError("EMPTY_DATA", where, "no value to fit on");
  const nonZero = (s: number): number => (s > 0 ? s : 1);
  switch (method) {
    case "minmax": {
      let lo = xs[0]!;
      let hi = xs[0]!;
      for (const x of xs) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      return { method, center: lo, scale: nonZero(hi - lo) };
    }
    case "zscore":
      return { method, center: mean(xs), scale: nonZero(standardDeviation(xs)) };
    case "robust":
      return { method, center: median(xs), scale: nonZero(quantile(xs, 0.75) - quantile(xs, 0.25)) };
    default:
      throw new RecokitError("INTERNAL", where, `unhandled method ${String(method)}`);
  }
}

/** Validates a scaler once and returns its transform (NaN for a value log1p cannot take). @internal */
export function scalerTransform(where: string, scaler: ColumnScaler): (x: number) => number {
  if (
    scaler === null ||
    typeof scaler !== "object" ||
    !METHODS.includes(scaler.method) ||
    !Number.isFinite(scaler.center) ||
    !Number.isFinite(scaler.scale) ||
    scaler.scale === 0
  ) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "scaler must be { method, center, scale } with a known method, finite center and non-zero scale",
    );
  }
  const { center, scale } = scaler;
  if (scaler.method === "log1p") return (x) => (x > -1 ? Math.log1p(x) : Number.NaN);
  return (x) => (x - center) / scale;
}

/**
 * Applies a fitted scaler to one value: `(x − center) / scale`, or `log1p(x)` for `"log1p"`.
 *
 * @param scaler - from {@link fitColumnScaler} (or a `normalize` step's report)
 * @param x - a finite number
 * @returns the scaled value
 * @throws RecokitError `INVALID_INPUT` for a malformed scaler, a non-finite `x`, or `x ≤ −1` with log1p.
 * @example
 * ```ts
 * import { applyColumnScaler } from "recokit";
 * applyColumnScaler({ method: "zscore", center: 10, scale: 2 }, 13); // 1.5
 * ```
 */
export function applyColumnScaler(scaler: ColumnScaler, x: number): number {
  const where = "applyColumnScaler";
  if (typeof x !== "number" || !Number.isFinite(x))
    throw new RecokitError("INVALID_INPUT", where, `x must be a finite number, got ${describeValue(x)}`);
  const y = scalerTransform(where, scaler)(x);
  if (Number.isNaN(y)) throw new RecokitError("INVALID_INPUT", where, `log1p needs x > -1, got ${x}`);
  return y;
}

/** Plans a {@link CleanNormalizeStep}. @internal */
export function planNormalize(env: PlanEnv, step: CleanNormalizeStep): StepPlan {
  const KIND = "normalize";
  if (step.fields === null || typeof step.fields !== "object" || Object.keys(step.fields).length === 0)
    badOption(env, KIND, "fields must map at least one field to a method or a fitted scaler");
  if (step.suffix !== undefined && (typeof step.suffix !== "string" || step.suffix.length === 0))
    badOption(env, KIND, "suffix must be a non-empty string");
  const specs = Object.entries(step.fields).map(([field, spec]) => {
    fieldOption(env, KIND, "fields", field);
    if (typeof spec === "string") {
      if (!METHODS.includes(spec))
        badOption(env, KIND, `fields.${field} must be one of ${METHODS.join(", ")} or a scaler`);
    } else scalerTransform(`${env.where}: steps[${env.index}] (${KIND}): fields.${field}`, spec);
    const target =
      step.suffix === undefined ? field : newFieldOption(env, KIND, "suffix", `${field}${step.suffix}`, "");
    return { field, target, spec };
  });
  const label =
    step.label ??
    `normalise ${specs.map((s) => `${s.field} (${typeof s.spec === "string" ? s.spec : s.spec.method})`).join(", ")}`;
  const makeFn = (scalers: readonly (ColumnScaler | undefined)[]): RowFn => {
    const fns = scalers.map((s) => (s === undefined ? undefined : scalerTransform(env.where, s)));
    return (row, rec, origin) => {
      const out = { ...row };
      for (let k = 0; k < specs.length; k++) {
        const { field, target } = specs[k]!;
        const x = numberAt(env.where, label, row, field, origin);
        const fn = fns[k];
        if (x === null || fn === undefined) {
          out[target] = null;
          continue;
        }
        const y = fn(x);
        if (Number.isNaN(y))
          throw new RecokitError(
            "INVALID_INPUT",
            env.where,
            `${label}: row ${origin}: ${field} ${x} has no log1p (must be > -1)`,
          );
        out[target] = y;
        rec.modify(`${field} scaled (${scalers[k]!.method})`, origin);
      }
      return out;
    };
  };
  const record = (details: Record<string, unknown>, scalers: readonly (ColumnScaler | undefined)[]): void => {
    const fitted: Record<string, ColumnScaler> = {};
    const unfitted: string[] = [];
    specs.forEach((s, k) => {
      const scaler = scalers[k];
      if (scaler === undefined) unfitted.push(s.field);
      else fitted[s.target] = scaler;
    });
    details.scalers = fitted;
    if (unfitted.length > 0) details.unfitted = unfitted;
  };
  if (specs.every((s) => typeof s.spec !== "string")) {
    const scalers = specs.map((s) => s.spec as ColumnScaler);
    return {
      kind: "row",
      step: KIND,
      label,
      init: (details) => record(details, scalers),
      create: () => makeFn(scalers),
    };
  }
  return {
    kind: "batch",
    step: KIND,
    label,
    run(ctx) {
      const scalers = specs.map(({ field, spec }) => {
        if (typeof spec !== "string") return spec;
        if (spec === "log1p") return { method: spec, center: 0, scale: 1 };
        const column: number[] = [];
        for (let pos = 0; pos < ctx.n; pos++) {
          const v = numberAt(ctx.where, label, ctx.row(pos), field, ctx.origin(pos));
          if (v === null) continue;
          if (!Number.isFinite(v))
            throw new RecokitError(
              "INVALID_INPUT",
              ctx.where,
              `${label}: row ${ctx.origin(pos)}: ${field} is ${v}`,
            );
          column.push(v);
        }
        // a column with no value at all (or no rows) has nothing to fit: it stays missing
        return column.length === 0 ? undefined : fitColumnScaler(column, spec);
      });
      record(ctx.rec.details, scalers);
      ctx.applyRowFn(makeFn(scalers));
    },
  };
}
