import { RecokitError } from "../core/errors.js";
import { type CompiledField, DEFAULT_MISSING_TOKENS, INVALID } from "./coerce.js";
import { RowSet, runPlans } from "./engine.js";
import { assertRecords, buildPipeline, recordersFor } from "./pipeline.js";
import type { TimestampKind } from "./timestamp.js";
import type {
  CleaningAudit,
  CleaningAuditCheck,
  CleaningFieldAudit,
  CleanOptions,
  CleanRow,
} from "./types.js";

const MAX_EXAMPLES = 5;

/** Running figures of one field. */
class FieldTally {
  missing = 0;
  invalid = 0;
  normalised = 0;
  zero = 0;
  negative = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly examples: { index: number; value: unknown }[] = [];
  readonly distinct: Set<unknown> | undefined;
  readonly formats: Map<TimestampKind, number> | undefined;

  constructor(readonly field: CompiledField) {
    this.distinct = field.type === "id" || field.textual || field.type === "boolean" ? new Set() : undefined;
    this.formats = field.type === "timestamp" ? new Map() : undefined;
  }

  /** Coerces one raw value, counts what happened, returns the value (null when missing or invalid). */
  see(raw: unknown, index: number): unknown {
    const f = this.field;
    const v = f.coerce(raw);
    if (v === INVALID) {
      this.invalid++;
      if (this.examples.length < MAX_EXAMPLES) this.examples.push({ index, value: raw });
      return null;
    }
    if (v === null) {
      this.missing++;
      return null;
    }
    if (f.textual && typeof raw === "string" && v !== raw) this.normalised++;
    this.distinct?.add(v);
    if (typeof v === "number") {
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (v === 0) this.zero++;
      else if (v < 0) this.negative++;
    }
    if (this.formats !== undefined) {
      const kind = f.timestamp!.kind;
      this.formats.set(kind, (this.formats.get(kind) ?? 0) + 1);
    }
    return v;
  }

  result(): CleaningFieldAudit {
    const f = this.field;
    const base = {
      type: f.type,
      source: f.source,
      missing: this.missing,
      invalid: this.invalid,
      invalidExamples: this.examples,
      normalised: this.normalised,
    };
    const present = this.min <= this.max;
    if (f.type === "number" || f.type === "integer") {
      return present
        ? { ...base, min: this.min, max: this.max, zero: this.zero, negative: this.negative }
        : { ...base, zero: 0, negative: 0 };
    }
    if (f.type === "timestamp") {
      const formats = Object.fromEntries(this.formats!);
      return present ? { ...base, min: this.min, max: this.max, formats } : { ...base, formats };
    }
    return { ...base, distinct: this.distinct!.size };
  }
}

/**
 * A data-quality audit of raw rows: counts every problem on the input as it is, before anything is
 * dropped, and drops nothing. It reports
 * - `exactDuplicates`: extra copies of rows identical in every raw column;
 * - per schema field (or, without a schema, per column of the first row, read as text): missing and
 *   invalid values (with examples), values normalised by coercion, distinct values, numeric range
 *   with zero and negative counts, and which timestamp forms occur;
 * - per step of `options.steps`, what the step would drop, change or flag if it ran alone on all the
 *   (coerced) rows, so counts do not depend on the order of the steps.
 * Pass the same options as to {@link clean} (e.g. a preset) to audit what that pipeline looks at.
 * Time O(n·(fields + steps)); memory O(n + distinct values).
 *
 * @param rows - input records (not modified)
 * @param options - schema and steps (signal, details and onInvalid are ignored)
 * @returns the audit
 * @throws RecokitError `INVALID_INPUT` for bad options or a non-object row.
 * @example
 * ```ts
 * import { audit } from "recokit";
 * const a = audit(
 *   [{ id: "1", n: "3" }, { id: "", n: "x" }, { id: "1", n: "3" }],
 *   { schema: { id: { type: "id" }, n: { type: "integer" } } },
 * );
 * a.exactDuplicates;    // 1
 * a.fields.id?.missing; // 1
 * a.fields.n?.invalid;  // 1
 * ```
 */
export function audit(rows: readonly object[], options: CleanOptions<object> = {}): CleaningAudit {
  const where = "audit";
  if (!Array.isArray(rows))
    throw new RecokitError("INVALID_INPUT", where, "rows must be an array of records");
  assertRecords(where, rows);
  const records = rows as readonly CleanRow[];
  const pipeline = buildPipeline(where, { ...options, details: "counts", onInvalid: "drop" }, records[0]);

  const seen = new RowSet(null);
  let exactDuplicates = 0;
  for (const row of records) if (!seen.add(row)) exactDuplicates++;

  let fields: Record<string, CleaningFieldAudit>;
  let coerced: CleanRow[];
  const schema = pipeline.schema;
  if (schema !== null) {
    const tallies = schema.fields.map((f) => new FieldTally(f));
    coerced = new Array<CleanRow>(records.length);
    for (let i = 0; i < records.length; i++) {
      const raw = records[i]!;
      const out: CleanRow = {};
      for (const t of tallies)
        out[t.field.name] = t.see(t.field.source === null ? undefined : raw[t.field.source], i);
      coerced[i] = out;
    }
    fields = Object.fromEntries(tallies.map((t) => [t.field.name, t.result()]));
  } else {
    coerced = records as CleanRow[];
    fields = textColumns(records);
  }

  const checks: CleaningAuditCheck[] = [];
  const recorders = recordersFor(pipeline);
  const offset = schema === null ? 0 : 1;
  const origin = new Int32Array(coerced.length);
  for (let i = 0; i < origin.length; i++) origin[i] = i;
  for (let s = offset; s < pipeline.plans.length; s++) {
    const rec = recorders[s]!;
    runPlans(where, [pipeline.plans[s]!], [rec], { rows: coerced, origin }, undefined, undefined);
    const r = rec.toReport();
    checks.push({
      index: r.index,
      step: r.step,
      label: r.label,
      dropped: r.dropped,
      modified: r.modified,
      flagged: r.flagged,
      details: r.details,
    });
  }
  return { rows: records.length, exactDuplicates, fields, checks };
}

/** Without a schema: every column of the first row, as trimmed text with the default missing tokens. */
function textColumns(records: readonly CleanRow[]): Record<string, CleaningFieldAudit> {
  const tokens = new Set(DEFAULT_MISSING_TOKENS);
  const out: Record<string, CleaningFieldAudit> = {};
  const first = records[0];
  if (first === undefined) return out;
  for (const column of Object.keys(first)) {
    let missing = 0;
    const distinct = new Set<unknown>();
    for (const row of records) {
      const v = row[column];
      if (
        v === null ||
        v === undefined ||
        (typeof v === "number" && Number.isNaN(v)) ||
        (typeof v === "string" && tokens.has(v.trim()))
      )
        missing++;
      else distinct.add(v);
    }
    out[column] = {
      type: "string",
      source: column,
      missing,
      invalid: 0,
      invalidExamples: [],
      normalised: 0,
      distinct: distinct.size,
    };
  }
  return out;
}
