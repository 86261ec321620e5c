import { mean, median, modeFast } from "simple-statistics";
import { describeValue } from "../../core/id-index.js";
import type { RowFn } from "../coerce.js";
import {
  type BatchContext,
  detachKey,
  groupKeyFn,
  isMissing,
  monotonicCheck,
  numberAt,
  orderByField,
  type StepPlan,
} from "../engine.js";
import type { CleanMissingPolicy, CleanMissingStep, CleanRow } from "../types.js";
import { badOption, fieldOption, fieldsOption, type PlanEnv } from "./common.js";

const KIND = "missing";

type Parsed =
  | { kind: "drop"; field: string }
  | { kind: "keep"; field: string }
  | { kind: "value"; field: string; value: unknown }
  | {
      kind: "stat";
      field: string;
      stat: "mean" | "median" | "mode";
      key: ((row: CleanRow) => unknown) | null;
    }
  | {
      kind: "forward";
      field: string;
      key: (row: CleanRow) => unknown;
      orderBy: string | undefined;
      otherwise: "keep" | "drop";
    };

function parsePolicy(env: PlanEnv, field: string, policy: CleanMissingPolicy): Parsed {
  if (policy === "drop" || policy === "keep") return { kind: policy, field };
  if (policy === null || typeof policy !== "object")
    badOption(env, KIND, `fields.${field}: unknown policy ${describeValue(policy)}`);
  if ("value" in policy) {
    const v = policy.value;
    if (typeof v !== "string" && typeof v !== "boolean" && (typeof v !== "number" || !Number.isFinite(v)))
      badOption(env, KIND, `fields.${field}.value must be a string, boolean or finite number`);
    return { kind: "value", field, value: v };
  }
  switch (policy.fill) {
    case "mean":
    case "median":
    case "mode": {
      const by = policy.by === undefined ? null : fieldsOption(env, KIND, `fields.${field}.by`, policy.by);
      return { kind: "stat", field, stat: policy.fill, key: by === null ? null : groupKeyFn(by) };
    }
    case "forward": {
      const by = fieldsOption(env, KIND, `fields.${field}.by`, policy.by);
      const orderBy =
        policy.orderBy === undefined
          ? undefined
          : fieldOption(env, KIND, `fields.${field}.orderBy`, policy.orderBy);
      const otherwise = policy.otherwise ?? "keep";
      if (otherwise !== "keep" && otherwise !== "drop")
        badOption(env, KIND, `fields.${field}.otherwise must be keep or drop`);
      return { kind: "forward", field, key: groupKeyFn(by), orderBy, otherwise };
    }
    default:
      return badOption(
        env,
        KIND,
        `fields.${field}.fill must be mean, median, mode or forward, got ${describeValue((policy as { fill?: unknown }).fill)}`,
      );
  }
}

/** Fill value of a statistic policy for a row (undefined when there is none). */
type StatFill = (row: CleanRow) => unknown;

function missingRowFn(policies: readonly Parsed[], stats: ReadonlyMap<string, StatFill>): RowFn {
  const drops = policies.filter((p) => p.kind === "drop").map((p) => p.field);
  const fills = policies.filter((p) => p.kind !== "drop" && p.kind !== "keep");
  const last = fills.map((p) => (p.kind === "forward" ? new Map<unknown, unknown>() : undefined));
  const pending = new Array<unknown>(fills.length);
  return (row, rec, origin) => {
    for (const f of drops) if (isMissing(row[f])) return rec.drop(`missing ${f}`, origin, row);
    let any = false;
    for (let i = 0; i < fills.length; i++) {
      const p = fills[i]!;
      pending[i] = undefined;
      if (!isMissing(row[p.field])) continue;
      any = true;
      if (p.kind === "value") pending[i] = p.value;
      else if (p.kind === "stat") pending[i] = stats.get(p.field)!(row);
      else if (p.kind === "forward") {
        const key = p.key(row);
        pending[i] = key === null ? undefined : last[i]!.get(key);
        if (pending[i] === undefined && p.otherwise === "drop")
          return rec.drop(`missing ${p.field} (nothing to carry forward)`, origin, row);
      }
    }
    let out = row;
    for (let i = 0; i < fills.length; i++) {
      const p = fills[i]!;
      const present = !isMissing(row[p.field]);
      if (p.kind === "forward") {
        const key = p.key(row);
        if (present && key !== null) last[i]!.set(detachKey(key), detachKey(row[p.field]));
      }
      if (present || !any) continue;
      const value = pending[i];
      if (value === undefined) {
        rec.flag(
          p.kind === "forward"
            ? `missing ${p.field} (nothing to carry forward)`
            : `missing ${p.field} (no value to fill)`,
          origin,
        );
        continue;
      }
      if (out === row) out = { ...row };
      out[p.field] = value;
      rec.modify(
        `${p.field} filled (${p.kind === "stat" ? p.stat : p.kind === "value" ? "constant" : "forward"})`,
        origin,
      );
    }
    return out;
  };
}

function computeStats(ctx: BatchContext, label: string, policies: readonly Parsed[]): Map<string, StatFill> {
  const stats = new Map<string, StatFill>();
  const details: Record<string, unknown> = {};
  for (const p of policies) {
    if (p.kind !== "stat") continue;
    const global: unknown[] = [];
    const groups = new Map<unknown, unknown[]>();
    for (let pos = 0; pos < ctx.n; pos++) {
      const row = ctx.row(pos);
      const v = p.stat === "mode" ? row[p.field] : numberAt(ctx.where, label, row, p.field, ctx.origin(pos));
      if (isMissing(v)) continue;
      global.push(v);
      if (p.key !== null) {
        const k = p.key(row);
        const list = groups.get(k);
        if (list === undefined) groups.set(k, [v]);
        else list.push(v);
      }
    }
    const statOf = (values: unknown[]): unknown => {
      if (values.length === 0) return undefined;
      if (p.stat === "mode") return modeFast(values as number[]);
      return p.stat === "mean" ? mean(values as number[]) : median(values as number[]);
    };
    const globalValue = statOf(global);
    const byGroup = new Map<unknown, unknown>();
    for (const [k, values] of groups) byGroup.set(k, statOf(values));
    const key = p.key;
    stats.set(p.field, key === null ? () => globalValue : (row) => byGroup.get(key(row)) ?? globalValue);
    details[p.field] = { stat: p.stat, value: globalValue ?? null, groups: byGroup.size };
  }
  ctx.rec.details.fills = details;
  return stats;
}

/** Plans a {@link CleanMissingStep}. @internal */
export function planMissing(env: PlanEnv, step: CleanMissingStep): StepPlan {
  const fields = step.fields;
  if (fields === null || typeof fields !== "object" || Object.keys(fields).length === 0)
    badOption(env, KIND, "fields must map at least one field to a policy");
  const policies = Object.entries(fields).map(([field, policy]) => {
    fieldOption(env, KIND, "fields", field);
    return parsePolicy(env, field, policy);
  });
  const label =
    step.label ??
    `missing values (${policies.map((p) => `${p.field}: ${p.kind === "stat" ? p.stat : p.kind}`).join(", ")})`;
  const orderings = new Set(policies.map((p) => (p.kind === "forward" ? p.orderBy : undefined)));
  orderings.delete(undefined);
  if (orderings.size > 1)
    badOption(env, KIND, "forward fills in one step must share orderBy (use two steps)");
  const orderBy = [...orderings][0];
  if (policies.some((p) => p.kind === "stat")) {
    return {
      kind: "batch",
      step: KIND,
      label,
      run(ctx) {
        const fn = missingRowFn(policies, computeStats(ctx, label, policies));
        ctx.applyRowFn(fn, orderBy === undefined ? undefined : orderOf(ctx, orderBy));
      },
    };
  }
  return {
    kind: "row",
    step: KIND,
    label,
    orderBy,
    create(mode) {
      const fn = missingRowFn(policies, new Map());
      if (mode === "memory" || orderBy === undefined) return fn;
      const forward = policies.find((p) => p.kind === "forward")!;
      const check = monotonicCheck(
        env.where,
        label,
        orderBy,
        forward.kind === "forward" ? forward.key : () => null,
      );
      return (row, rec, origin) => {
        check(row, origin);
        return fn(row, rec, origin);
      };
    },
  };
}

function orderOf(ctx: BatchContext, field: string): Int32Array {
  const rows: CleanRow[] = [];
  for (let p = 0; p < ctx.n; p++) rows.push(ctx.row(p));
  return orderByField(rows, field);
}
