import { RecokitError } from "../../core/errors.js";
import { describeValue } from "../../core/id-index.js";

/** What a step planner knows about the pipeline around it. @internal */
export interface PlanEnv {
  readonly where: string;
  /** Index of the step in `options.steps`. */
  readonly index: number;
  /** Fields rows have when they reach this step, or null when not known (empty input, no schema). */
  readonly known: Set<string> | null;
  /** Schema field names in order, or null without a schema. */
  readonly schemaFields: readonly string[] | null;
}

/** `steps[3] (duplicates)` — the prefix of every message about a step's options. @internal */
export function stepName(env: PlanEnv, kind: string): string {
  return `steps[${env.index}] (${kind})`;
}

/** Throws `INVALID_INPUT` about a step option. @internal */
export function badOption(env: PlanEnv, kind: string, detail: string): never {
  throw new RecokitError("INVALID_INPUT", env.where, `${stepName(env, kind)}: ${detail}`);
}

/**
 * A field name option: must be a non-empty string and, when the row shape is known, one of its
 * fields. @internal
 */
export function fieldOption(
  env: PlanEnv,
  kind: string,
  key: string,
  value: unknown,
  fallback?: string,
): string {
  const name = value === undefined ? fallback : value;
  if (typeof name !== "string" || name.length === 0)
    badOption(env, kind, `${key} must be a field name, got ${describeValue(value)}`);
  if (env.known !== null && !env.known.has(name)) {
    badOption(
      env,
      kind,
      `${key} ${JSON.stringify(name)} is not a field of the rows (fields: ${[...env.known].join(", ")})`,
    );
  }
  return name;
}

/** A list of field names (one name is accepted as a list of one). @internal */
export function fieldsOption(env: PlanEnv, kind: string, key: string, value: unknown): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    badOption(env, kind, `${key} must be a non-empty list of field names, got ${describeValue(value)}`);
  return list.map((f, i) => fieldOption(env, kind, `${key}[${i}]`, f));
}

/** A numeric option in [min, max] (default when undefined). @internal */
export function numberOption(
  env: PlanEnv,
  kind: string,
  key: string,
  value: unknown,
  fallback: number,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  integer = false,
): number {
  const x = value === undefined ? fallback : value;
  if (typeof x !== "number" || Number.isNaN(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    badOption(
      env,
      kind,
      `${key} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${describeValue(value)}`,
    );
  }
  return x;
}

/** An optional numeric option (undefined stays undefined). @internal */
export function optionalNumber(
  env: PlanEnv,
  kind: string,
  key: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  return value === undefined ? undefined : numberOption(env, kind, key, value, 0, min, max);
}

/** One of a fixed set of strings (default when undefined). @internal */
export function enumOption<T extends string>(
  env: PlanEnv,
  kind: string,
  key: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  const x = value === undefined ? fallback : value;
  if (!allowed.includes(x as T))
    badOption(env, kind, `${key} must be one of ${allowed.join(", ")}, got ${describeValue(value)}`);
  return x as T;
}

/** A new field the step adds (flags, scaled copies): must not clash with an existing field. @internal */
export function newFieldOption(
  env: PlanEnv,
  kind: string,
  key: string,
  value: unknown,
  fallback: string,
): string {
  const name = value === undefined ? fallback : value;
  if (typeof name !== "string" || name.length === 0)
    badOption(env, kind, `${key} must be a field name, got ${describeValue(value)}`);
  if (env.known?.has(name) === true)
    badOption(env, kind, `${key} ${JSON.stringify(name)} is already a field of the rows`);
  env.known?.add(name);
  return name;
}

/** Formats a list of field names for labels. @internal */
export function listLabel(fields: readonly string[]): string {
  return fields.join(", ");
}
