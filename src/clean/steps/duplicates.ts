import { mean } from "simple-statistics";
import type { RowFn } from "../coerce.js";
import {
  type BatchContext,
  detachKey,
  encodeValue,
  groupKeyFn,
  isMissing,
  monotonicCheck,
  numberAt,
  RowSet,
  type StepPlan,
} from "../engine.js";
import type {
  CleanDuplicatesStep,
  CleanKeyDuplicatesStep,
  CleanMergeRule,
  CleanRow,
  CleanWindowDuplicatesStep,
} from "../types.js";
import {
  badOption,
  enumOption,
  fieldOption,
  fieldsOption,
  listLabel,
  numberOption,
  type PlanEnv,
} from "./common.js";

const KIND = "duplicates";
const MERGE_RULES: readonly CleanMergeRule[] = ["first", "last", "sum", "min", "max", "mean", "count"];

/**
 * The exact-equality key of a row. With a fixed field list (rows built by the schema), the values
 * in order; otherwise the row's own fields, in the first row's order when the field set matches,
 * else sorted by name. @internal
 */
export function exactKeyFn(fields: readonly string[] | null): (row: CleanRow) => string {
  // keys are joined from an array: a flat new string that keeps no reference to the input text
  const parts: string[] = [];
  if (fields !== null) {
    return (row) => {
      parts.length = 0;
      for (let i = 0; i < fields.length; i++) parts.push(encodeValue(row[fields[i]!]));
      return parts.join("");
    };
  }
  let ref: string[] | undefined;
  let refSet: Set<string> | undefined;
  return (row) => {
    const keys = Object.keys(row);
    if (ref === undefined) {
      ref = keys;
      refSet = new Set(keys);
    }
    let sameSet = keys.length === ref.length;
    if (sameSet) for (let i = 0; i < keys.length && sameSet; i++) sameSet = refSet!.has(keys[i]!);
    parts.length = 0;
    parts.push(sameSet ? "R" : "K");
    if (sameSet) for (let i = 0; i < ref.length; i++) parts.push(encodeValue(row[ref[i]!]));
    else for (const k of keys.sort()) parts.push(encodeValue(k), encodeValue(row[k]));
    return parts.join("");
  };
}

/**
 * Keep-first de-duplication over `fields` (null: all of a row's fields). In memory, an exact
 * hash-and-compare set that refers to rows already held; in a stream, a set of exact text keys,
 * so that no input row (and the text chunk it was cut from) is retained.
 */
function keepFirstFn(mode: "memory" | "stream", fields: readonly string[] | null, reason: string): RowFn {
  if (mode === "memory" && (fields === null || fields.length > 1)) {
    const set = new RowSet(fields);
    return (row, rec, origin) => (set.add(row) ? row : rec.drop(reason, origin, row));
  }
  const keyOf =
    fields === null ? exactKeyFn(null) : fields.length === 1 ? groupKeyFn(fields) : exactKeyFn(fields);
  const seen = new Set<unknown>();
  return (row, rec, origin) => {
    const key = keyOf(row);
    if (seen.has(key)) return rec.drop(reason, origin, row);
    seen.add(key);
    return row;
  };
}

function groupsOf(ctx: BatchContext, keyOf: (row: CleanRow) => unknown): Map<unknown, number[]> {
  const groups = new Map<unknown, number[]>();
  for (let pos = 0; pos < ctx.n; pos++) {
    const k = keyOf(ctx.row(pos));
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [pos]);
    else list.push(pos);
  }
  return groups;
}

function mergeGroup(
  ctx: BatchContext,
  label: string,
  positions: readonly number[],
  rules: ReadonlyMap<string, CleanMergeRule>,
): CleanRow {
  const first = ctx.row(positions[0]!);
  const merged: CleanRow = { ...first };
  for (const [field, rule] of rules) {
    if (rule === "count") {
      merged[field] = positions.length;
      continue;
    }
    if (rule === "first" || rule === "last") {
      let value: unknown = null;
      for (const pos of positions) {
        const v = ctx.row(pos)[field];
        if (isMissing(v)) continue;
        value = v;
        if (rule === "first") break;
      }
      merged[field] = value;
      continue;
    }
    const values: number[] = [];
    for (const pos of positions) {
      const v = numberAt(ctx.where, label, ctx.row(pos), field, ctx.origin(pos));
      if (v !== null) values.push(v);
    }
    if (values.length === 0) merged[field] = null;
    else if (rule === "sum") merged[field] = values.reduce((a, b) => a + b, 0);
    else if (rule === "min") merged[field] = Math.min(...values);
    else if (rule === "max") merged[field] = Math.max(...values);
    else merged[field] = mean(values);
  }
  return merged;
}

/** Plans a {@link CleanDuplicatesStep}. @internal */
export function planDuplicates(env: PlanEnv, step: CleanDuplicatesStep): StepPlan {
  const mode = enumOption(env, KIND, "mode", step.mode, ["exact", "key", "window"] as const, "exact");
  if (step.mode === undefined || step.mode === "exact") {
    const fields = env.schemaFields === null ? null : [...env.known!];
    const label = step.label ?? "exact duplicates";
    return { kind: "row", step: KIND, label, create: (m) => keepFirstFn(m, fields, "exact duplicate") };
  }
  const keyed = step as CleanKeyDuplicatesStep | CleanWindowDuplicatesStep;
  const keys = fieldsOption(env, KIND, "keys", keyed.keys);
  const keyOf = groupKeyFn(keys);
  if (keyed.mode === "key") {
    const step = keyed;
    const keep = enumOption(env, KIND, "keep", step.keep, ["first", "last", "merge"] as const, "first");
    const label = step.label ?? `duplicates by ${listLabel(keys)} (keep ${keep})`;
    if (step.merge !== undefined && keep !== "merge")
      badOption(env, KIND, `merge applies only with keep: "merge"`);
    if (keep === "first")
      return { kind: "row", step: KIND, label, create: (m) => keepFirstFn(m, keys, "duplicate key") };
    const rules = new Map<string, CleanMergeRule>();
    if (keep === "merge") {
      for (const [field, rule] of Object.entries(step.merge ?? {})) {
        fieldOption(env, KIND, "merge", field);
        rules.set(field, enumOption(env, KIND, `merge.${field}`, rule, MERGE_RULES, "first"));
      }
    }
    return {
      kind: "batch",
      step: KIND,
      label,
      run(ctx) {
        let groupsWithCopies = 0;
        for (const positions of groupsOf(ctx, keyOf).values()) {
          if (positions.length === 1) continue;
          groupsWithCopies++;
          if (keep === "last") {
            for (let i = 0; i < positions.length - 1; i++) ctx.drop(positions[i]!, "duplicate key");
            continue;
          }
          const target = positions[0]!;
          ctx.replace(target, mergeGroup(ctx, label, positions, rules));
          ctx.modify(target, "merged duplicates");
          for (let i = 1; i < positions.length; i++) ctx.drop(positions[i]!, "duplicate key (merged)");
        }
        ctx.rec.details.groupsWithCopies = groupsWithCopies;
      },
    };
  }
  if (mode !== "window" || keyed.mode !== "window") return badOption(env, KIND, "unknown mode");
  const windowStep = keyed;
  const time = fieldOption(env, KIND, "time", windowStep.time, "timestamp");
  const windowMs = numberOption(env, KIND, "windowMs", windowStep.windowMs, Number.NaN, 0);
  const anchor = enumOption(env, KIND, "anchor", windowStep.anchor, ["kept", "previous"] as const, "kept");
  const label = windowStep.label ?? `repeats within ${windowMs} ms by ${listLabel(keys)}`;
  const reason = `repeat within ${windowMs} ms`;
  return {
    kind: "row",
    step: KIND,
    label,
    orderBy: time,
    create(mode) {
      const check = mode === "stream" ? monotonicCheck(env.where, label, time, keyOf) : undefined;
      const last = new Map<unknown, number>();
      return (row, rec, origin) => {
        check?.(row, origin);
        const t = row[time];
        if (typeof t !== "number" || Number.isNaN(t)) return row;
        const k = keyOf(row);
        const prev = last.get(k);
        const repeat = prev !== undefined && t - prev <= windowMs;
        if (!repeat || anchor === "previous") last.set(prev === undefined ? detachKey(k) : k, t);
        return repeat ? rec.drop(reason, origin, row) : row;
      };
    },
  };
}
