import { mean, median, medianAbsoluteDeviation, quantile, standardDeviation } from "simple-statistics";
import { RecokitError } from "../../core/errors.js";
import { groupKeyFn, numberAt, type StepPlan } from "../engine.js";
import type { CleanOutliersStep } from "../types.js";
import {
  enumOption,
  fieldOption,
  fieldsOption,
  newFieldOption,
  numberOption,
  type PlanEnv,
} from "./common.js";

const KIND = "outliers";
/** Largest number of groups whose fences the report lists. */
const MAX_LISTED_GROUPS = 100;
/** 0.6745 ≈ Φ⁻¹(0.75): makes the MAD consistent with the sd of a normal distribution. */
const MAD_CONSTANT = 0.6745;

/** Fences of one group on the (possibly transformed) scale: [low, high], or undefined for none. */
export function outlierFences(
  values: number[],
  method: "iqr" | "zscore" | "mad",
  threshold: number,
): [number, number] | undefined {
  switch (method) {
    case "iqr": {
      const q1 = quantile(values, 0.25);
      const q3 = quantile(values, 0.75);
      const spread = q3 - q1;
      return [q1 - threshold * spread, q3 + threshold * spread];
    }
    case "zscore": {
      const sd = standardDeviation(values);
      if (!(sd > 0)) return undefined;
      const m = mean(values);
      return [m - threshold * sd, m + threshold * sd];
    }
    case "mad": {
      const mad = medianAbsoluteDeviation(values);
      if (!(mad > 0)) return undefined;
      const med = median(values);
      const half = (threshold * mad) / MAD_CONSTANT;
      return [med - half, med + half];
    }
    default:
      throw new RecokitError("INTERNAL", "outlierFences", `unknown method ${String(method)}`);
  }
}

/** Plans a {@link CleanOutliersStep}. @internal */
export function planOutliers(env: PlanEnv, step: CleanOutliersStep): StepPlan {
  const field = fieldOption(env, KIND, "field", step.field);
  const method = enumOption(env, KIND, "method", step.method, ["iqr", "zscore", "mad"] as const, "iqr");
  const action = enumOption(env, KIND, "action", step.action, ["flag", "clip", "drop"] as const, "flag");
  const threshold = numberOption(
    env,
    KIND,
    "threshold",
    step.threshold,
    method === "iqr" ? 1.5 : method === "zscore" ? 3 : 3.5,
    0,
  );
  const by = step.by === undefined ? null : fieldsOption(env, KIND, "by", step.by);
  const minGroupSize = numberOption(env, KIND, "minGroupSize", step.minGroupSize, 5, 1, 2 ** 31, true);
  const transform = enumOption(env, KIND, "transform", step.transform, ["none", "log1p"] as const, "none");
  const flagField =
    action === "flag" ? newFieldOption(env, KIND, "flagField", step.flagField, `${field}Outlier`) : "";
  const label =
    step.label ??
    `outliers of ${field} (${method}${transform === "log1p" ? " on log1p" : ""}, ${action}${by === null ? "" : ` by ${by.join(", ")}`})`;
  const keyOf = by === null ? () => null : groupKeyFn(by);
  const reason = `outlier ${field}`;
  const forward = transform === "log1p" ? Math.log1p : (x: number) => x;
  const backward = transform === "log1p" ? Math.expm1 : (x: number) => x;
  return {
    kind: "batch",
    step: KIND,
    label,
    run(ctx) {
      const scaled = new Float64Array(ctx.n).fill(Number.NaN);
      const groups = new Map<unknown, number[]>();
      for (let pos = 0; pos < ctx.n; pos++) {
        const row = ctx.row(pos);
        const v = numberAt(ctx.where, label, row, field, ctx.origin(pos));
        if (v === null) continue;
        if (transform === "log1p" && v <= -1) {
          throw new RecokitError(
            "INVALID_INPUT",
            ctx.where,
            `${label}: row ${ctx.origin(pos)}: ${field} ${v} has no log1p (must be > -1)`,
          );
        }
        scaled[pos] = forward(v);
        const k = keyOf(row);
        const list = groups.get(k);
        if (list === undefined) groups.set(k, [pos]);
        else list.push(pos);
      }
      const low = new Float64Array(ctx.n).fill(Number.NEGATIVE_INFINITY);
      const high = new Float64Array(ctx.n).fill(Number.POSITIVE_INFINITY);
      const listed: { group: string; n: number; low: number; high: number }[] = [];
      let skipped = 0;
      for (const positions of groups.values()) {
        const fences =
          positions.length < minGroupSize
            ? undefined
            : outlierFences(
                positions.map((p) => scaled[p]!),
                method,
                threshold,
              );
        if (fences === undefined) {
          skipped++;
          continue;
        }
        for (const p of positions) {
          low[p] = fences[0];
          high[p] = fences[1];
        }
        if (listed.length < MAX_LISTED_GROUPS) {
          const first = ctx.row(positions[0]!);
          listed.push({
            group: by === null ? "*" : by.map((f) => String(first[f])).join(" / "),
            n: positions.length,
            low: backward(fences[0]),
            high: backward(fences[1]),
          });
        }
      }
      let outliers = 0;
      for (let pos = 0; pos < ctx.n; pos++) {
        const x = scaled[pos]!;
        const out = !Number.isNaN(x) && (x < low[pos]! || x > high[pos]!);
        if (out) outliers++;
        if (action === "drop") {
          if (out) ctx.drop(pos, reason);
        } else if (action === "flag") {
          ctx.replace(pos, { ...ctx.row(pos), [flagField]: out });
          if (out) ctx.flag(pos, reason);
        } else if (out) {
          const clipped = backward(x < low[pos]! ? low[pos]! : high[pos]!);
          ctx.replace(pos, { ...ctx.row(pos), [field]: clipped });
          ctx.modify(pos, `${field} clipped`);
        }
      }
      Object.assign(ctx.rec.details, {
        method,
        threshold,
        transform,
        groups: groups.size,
        groupsWithoutFences: skipped,
        outliers,
        fences: listed,
      });
    },
  };
}
