import { RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import { type CompiledSchema, compileSchema, schemaRowFn } from "./coerce.js";
import { runPlans, type StepPlan } from "./engine.js";
import { buildReport, StepRecorder } from "./recorder.js";
import type { PlanEnv } from "./steps/common.js";
import { planStep } from "./steps/index.js";
import type {
  CleanDetailLevel,
  CleanOptions,
  CleanResult,
  CleanRow,
  CleanSchema,
  ColumnScaler,
  RowOfSchema,
} from "./types.js";

/** A planned pipeline. @internal */
export interface Pipeline {
  readonly schema: CompiledSchema | null;
  readonly plans: readonly StepPlan[];
  readonly detail: CleanDetailLevel;
}

/** Current time in ms (monotonic where available). @internal */
export function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

/**
 * Validates options and plans the pipeline; `first` (the first input row, if any) resolves column
 * aliases and lets steps check their field names.
 * @internal
 */
export function buildPipeline(where: string, options: CleanOptions<object>, first: unknown): Pipeline {
  if (options === null || typeof options !== "object")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `options must be an object, got ${describeValue(options)}`,
    );
  const detail = options.details ?? "counts";
  if (detail !== "counts" && detail !== "indices" && detail !== "rows")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `details must be counts, indices or rows, got ${describeValue(detail)}`,
    );
  const onInvalid = options.onInvalid ?? "drop";
  if (onInvalid !== "drop" && onInvalid !== "missing" && onInvalid !== "throw")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `onInvalid must be drop, missing or throw, got ${describeValue(onInvalid)}`,
    );
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new RecokitError("INVALID_INPUT", where, "signal must be an AbortSignal");
  if (options.onProgress !== undefined && typeof options.onProgress !== "function")
    throw new RecokitError("INVALID_INPUT", where, "onProgress must be a function");
  const steps = options.steps ?? [];
  if (!Array.isArray(steps)) throw new RecokitError("INVALID_INPUT", where, "steps must be an array");
  const firstRow = first !== null && typeof first === "object" ? (first as CleanRow) : undefined;
  const plans: StepPlan[] = [];
  let schema: CompiledSchema | null = null;
  let known: Set<string> | null = null;
  if (options.schema !== undefined) {
    schema = compileSchema(where, options.schema, options.missingTokens);
    schema.resolve(where, firstRow);
    const compiled = schema;
    known = new Set(compiled.fields.map((f) => f.name));
    plans.push({
      kind: "row",
      step: "schema",
      label: `schema (${compiled.fields.length} fields)`,
      create: () => schemaRowFn(where, compiled, onInvalid),
    });
  } else if (firstRow !== undefined) known = new Set(Object.keys(firstRow));
  const schemaFields = schema === null ? null : schema.fields.map((f) => f.name);
  steps.forEach((step, index) => {
    const env: PlanEnv = { where, index, known, schemaFields };
    plans.push(planStep(env, step));
  });
  return { schema, plans, detail };
}

/** Recorders for the plans, with fixed details written. @internal */
export function recordersFor(pipeline: Pipeline): StepRecorder[] {
  return pipeline.plans.map((p, i) => {
    const rec = new StepRecorder(i, p.step, p.label, pipeline.detail);
    p.init?.(rec.details);
    return rec;
  });
}

/** Scalers from the normalize steps' details, by output field. @internal */
export function scalersOf(recorders: readonly StepRecorder[]): Record<string, ColumnScaler> {
  const out: Record<string, ColumnScaler> = {};
  for (const r of recorders) {
    const s = r.details.scalers as Record<string, ColumnScaler> | undefined;
    if (s !== undefined) Object.assign(out, s);
  }
  return out;
}

/** Throws `INVALID_INPUT` unless every row is a non-null object. @internal */
export function assertRecords(where: string, rows: readonly unknown[]): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== "object")
      throw new RecokitError("INVALID_INPUT", where, `row ${i} is not an object (got ${describeValue(r)})`);
  }
}

/**
 * Cleans rows with a declarative pipeline and accounts for every row. The schema (when given)
 * coerces and projects each row first; then the steps run in the order given, each seeing the
 * survivors of the previous one. Consecutive row-by-row steps (schema, missing, exact and key-first
 * duplicates, range, returns dropped, non-product, filter, normalise with given scalers) run fused in
 * one pass; the others (key keep-last/merge, statistics fills, outliers, netting, bots, dwell, k-core,
 * normalise fitting) each take a pass. Time O(n·steps) plus sorting where a step orders by time;
 * memory O(n).
 *
 * The report holds, for each step, rows in and out and the rows dropped / changed / flagged by
 * reason (with `details: "indices"` their input indices; with `"rows"` the dropped rows), and the
 * library checks `input = output + Σ dropped` before returning. Input rows are never modified
 * (changed rows are new objects); without a schema, untouched rows are passed through as they are.
 *
 * @param rows - input records, e.g. `parseCsv(text).records` (not modified)
 * @param options - schema, steps, invalid-value policy, report detail, signal, progress
 * @returns the kept rows (typed by the preset or `defineCleaning`), the report, and fitted scalers
 * @throws RecokitError `INVALID_INPUT` for bad options, a step naming an unknown field, a required
 *   column absent from the first row, a non-object row, a non-numeric value where a step needs a
 *   number, or (with `onInvalid: "throw"`) the first invalid value; `ABORTED` when the signal fires;
 *   `INTERNAL` if the accounting check fails.
 * @example
 * ```ts
 * import { clean, formatCleaningReport } from "recokit";
 * const raw = [
 *   { user: "17850.0", item: "A", qty: "2" },
 *   { user: "", item: "B", qty: "1" },
 *   { user: "17850", item: "A", qty: "2" },
 * ];
 * const { rows, report } = clean(raw, {
 *   schema: { user: { type: "id" }, item: { type: "id", required: true }, qty: { type: "integer" } },
 *   steps: [{ step: "missing", fields: { user: "drop" } }, { step: "duplicates" }],
 * });
 * rows;                                // [{ user: "17850", item: "A", qty: 2 }]
 * report.droppedByReason;              // { "missing user": 1, "exact duplicate": 1 }
 * console.log(formatCleaningReport(report));
 * ```
 */
export function clean<R extends object = CleanRow>(
  rows: readonly object[],
  options: CleanOptions<R> = {},
): CleanResult<R> {
  const where = "clean";
  const started = now();
  if (!Array.isArray(rows))
    throw new RecokitError("INVALID_INPUT", where, "rows must be an array of records");
  const pipeline = buildPipeline(where, options, rows[0]);
  if (pipeline.schema === null) assertRecords(where, rows);
  const recorders = recordersFor(pipeline);
  const n = rows.length;
  const origin = new Int32Array(n);
  for (let i = 0; i < n; i++) origin[i] = i;
  const total = pipeline.plans.length;
  const progress =
    options.onProgress === undefined ? undefined : (done: number) => options.onProgress!(done, total);
  const out = runPlans(
    where,
    pipeline.plans,
    recorders,
    { rows: rows as CleanRow[], origin },
    options.signal,
    progress,
  );
  const report = buildReport(where, n, out.rows.length, recorders, pipeline.detail, now() - started);
  return { rows: out.rows as unknown as R[], report, scalers: scalersOf(recorders) };
}

/**
 * Types a pipeline by its schema: returns the same options, marked so that `clean` and
 * `cleanStream` return rows typed by {@link RowOfSchema} (required fields non-null, numbers for
 * number / integer / timestamp fields, booleans for boolean fields, strings otherwise). No runtime
 * work.
 *
 * @param options - options with a literal schema
 * @returns the same object, typed
 * @example
 * ```ts
 * import { clean, defineCleaning } from "recokit";
 * const pipeline = defineCleaning({
 *   schema: { user: { type: "id", required: true }, at: { type: "timestamp" } },
 * });
 * const { rows } = clean([{ user: 7, at: "2024-01-01" }], pipeline);
 * rows[0]?.user; // "7" (typed string)
 * rows[0]?.at;   // 1704067200000 (typed number | null)
 * ```
 */
export function defineCleaning<const S extends CleanSchema>(
  options: CleanOptions & { readonly schema: S },
): CleanOptions<RowOfSchema<S>> {
  return options as CleanOptions<RowOfSchema<S>>;
}
