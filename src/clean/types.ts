import type { ParseTimestampOptions, TimestampKind } from "./timestamp.js";

/** A record: raw input rows (e.g. from `parseCsv`) and cleaned rows alike. */
export type CleanRow = Record<string, unknown>;

/** The field types a schema can declare. */
export type CleanFieldType = "id" | "integer" | "number" | "string" | "category" | "timestamp" | "boolean";

/** Letter-case rule for ids, strings and categories. */
export type CleanCaseRule = "preserve" | "lower" | "upper";

/** What every field declaration shares. */
export interface CleanFieldBase {
  /**
   * Source column. A list gives alternatives (aliases); the first one present in the first row is
   * used. Default: the field's own name.
   */
  readonly from?: string | readonly string[];
  /** A missing value drops the row (`"missing <field>"`), or throws with `onInvalid: "throw"`. */
  readonly required?: boolean;
  /** Strings that mean "missing" for this field, compared after trimming (default: the schema's). */
  readonly missingTokens?: readonly string[];
}

/**
 * An identifier, output as a string: numbers become their decimal text, strings are trimmed,
 * spreadsheet-style float text loses its zero fraction (`"17850.0"` → `"17850"`) unless
 * `keepDecimalZero`, and `case` applies.
 */
export interface CleanIdField extends CleanFieldBase {
  readonly type: "id";
  /** Letter case (default `"preserve"`). */
  readonly case?: CleanCaseRule;
  /** Keep `"17850.0"` as written (default false: strip the zero fraction). */
  readonly keepDecimalZero?: boolean;
}

/**
 * A number (`"number"`) or a whole number (`"integer"`); numeric strings are parsed strictly
 * (no hex, no trailing text; `"1e3"` is fine). NaN is missing; ±Infinity is invalid.
 */
export interface CleanNumberField extends CleanFieldBase {
  readonly type: "number" | "integer";
  /** Decimal mark of numeric strings (default `"."`). */
  readonly decimal?: "." | ",";
  /** Thousands separator removed from numeric strings before parsing (default none). */
  readonly thousands?: "," | "." | " " | "'" | "_";
}

/** Free text, trimmed unless `trim: false`. */
export interface CleanStringField extends CleanFieldBase {
  readonly type: "string";
  /** Trim surrounding white space (default true). */
  readonly trim?: boolean;
  /** Letter case (default `"preserve"`). */
  readonly case?: CleanCaseRule;
}

/** A label from a small set; with `values`, anything else is invalid. Trimmed. */
export interface CleanCategoryField extends CleanFieldBase {
  readonly type: "category";
  /** Allowed values (compared after the case rule). */
  readonly values?: readonly string[];
  /** Letter case (default `"preserve"`). */
  readonly case?: CleanCaseRule;
}

/** A point in time, output as epoch milliseconds; see {@link ParseTimestampOptions}. */
export interface CleanTimestampField extends CleanFieldBase, ParseTimestampOptions {
  readonly type: "timestamp";
}

/**
 * A yes/no value. Booleans pass; numbers 1 and 0; strings (case-insensitive) from `trueValues`
 * (default true, t, yes, y, 1) and `falseValues` (default false, f, no, n, 0).
 */
export interface CleanBooleanField extends CleanFieldBase {
  readonly type: "boolean";
  readonly trueValues?: readonly string[];
  readonly falseValues?: readonly string[];
}

/** One field declaration of a {@link CleanSchema}. */
export type CleanFieldSpec =
  | CleanIdField
  | CleanNumberField
  | CleanStringField
  | CleanCategoryField
  | CleanTimestampField
  | CleanBooleanField;

/** Output field name → declaration. Cleaned rows have exactly these fields, in this order. */
export type CleanSchema = Readonly<Record<string, CleanFieldSpec>>;

/** The value type a field declaration produces. */
export type CleanValueOf<F> = F extends { readonly type: "integer" | "number" | "timestamp" }
  ? number
  : F extends { readonly type: "boolean" }
    ? boolean
    : string;

/** The row type a schema produces: required fields are never null, optional ones may be. */
export type RowOfSchema<S extends CleanSchema> = {
  -readonly [K in keyof S]: S[K] extends { readonly required: true }
    ? CleanValueOf<S[K]>
    : CleanValueOf<S[K]> | null;
};

// ---------------------------------------------------------------------------------------------
// steps

/** What every step shares. */
export interface CleanStepBase {
  /** A name for the step in the report (default: a description built from its options). */
  readonly label?: string;
}

/**
 * How a missing value (null, undefined, NaN) of one field is treated:
 * - `"drop"`: drop the row (`"missing <field>"`);
 * - `"keep"`: leave it missing;
 * - `{ value }`: fill with a constant;
 * - `{ fill: "mean" | "median" | "mode", by? }`: fill with the statistic of the field's present values
 *   (simple-statistics `mean`, `median`, `modeFast`: ties go to the value that reached the top count
 *   first), computed per group of `by` when given, falling back to the whole column for a group with
 *   no value; left missing (and flagged) when the column has no value at all;
 * - `{ fill: "forward", by, orderBy?, otherwise? }`: carry the entity's last present value forward, in
 *   `orderBy` order (ties and no `orderBy`: input order); with no earlier value `otherwise` decides
 *   (`"keep"` missing, flagged, by default, or `"drop"`).
 */
export type CleanMissingPolicy =
  | "drop"
  | "keep"
  | { readonly value: string | number | boolean }
  | { readonly fill: "mean" | "median" | "mode"; readonly by?: string | readonly string[] }
  | {
      readonly fill: "forward";
      readonly by: string | readonly string[];
      readonly orderBy?: string;
      readonly otherwise?: "keep" | "drop";
    };

/** Per-field missing-value policies, applied to each row (drops first, then fills). */
export interface CleanMissingStep extends CleanStepBase {
  readonly step: "missing";
  readonly fields: Readonly<Record<string, CleanMissingPolicy>>;
}

/** Drops exact duplicates: rows equal in every field; the first copy is kept. */
export interface CleanExactDuplicatesStep extends CleanStepBase {
  readonly step: "duplicates";
  readonly mode?: "exact";
}

/** How fields of key duplicates combine when `keep: "merge"`. */
export type CleanMergeRule = "first" | "last" | "sum" | "min" | "max" | "mean" | "count";

/**
 * Rows sharing the values of `keys` (missing counts as a value) are duplicates: keep the first, the
 * last, or merge them into the first (fields combine by `merge` rules, default `"first"`).
 */
export interface CleanKeyDuplicatesStep extends CleanStepBase {
  readonly step: "duplicates";
  readonly mode: "key";
  readonly keys: readonly string[];
  /** Which copy survives (default `"first"`). */
  readonly keep?: "first" | "last" | "merge";
  /** Field → rule when merging (fields not listed keep the first copy's value; nulls are skipped). */
  readonly merge?: Readonly<Record<string, CleanMergeRule>>;
}

/**
 * Near duplicates in time: within a group of `keys` (e.g. user, item, event type), a row at most
 * `windowMs` after the group's last kept row (`anchor: "kept"`, default) or after the group's
 * previous row (`anchor: "previous"`, so a burst collapses to its first row) is dropped. Rows are
 * taken in time order (input order on ties); rows without a time are kept.
 */
export interface CleanWindowDuplicatesStep extends CleanStepBase {
  readonly step: "duplicates";
  readonly mode: "window";
  readonly keys: readonly string[];
  /** Timestamp field (default `"timestamp"`). */
  readonly time?: string;
  readonly windowMs: number;
  readonly anchor?: "kept" | "previous";
}

/** Exact, key or near-in-time duplicates. */
export type CleanDuplicatesStep =
  | CleanExactDuplicatesStep
  | CleanKeyDuplicatesStep
  | CleanWindowDuplicatesStep;

/**
 * Outliers of a numeric field, per group when `by` is given, by one rule:
 * - `"iqr"`: outside `[Q1 − k·IQR, Q3 + k·IQR]` (Tukey's fences; k = `threshold`, default 1.5;
 *   quartiles by simple-statistics `quantile`, linear interpolation as numpy's default);
 * - `"zscore"`: `|x − mean| / sd > threshold` (default 3; population sd);
 * - `"mad"`: modified z-score `0.6745·|x − median| / MAD > threshold` (default 3.5; Iglewicz & Hoaglin,
 *   1993; MAD by simple-statistics `medianAbsoluteDeviation`).
 * A group with fewer than `minGroupSize` values, or with zero spread (sd or MAD), has no fences.
 * With `transform: "log1p"` the rule runs on `log1p(x)` (for heavy-tailed quantities and prices).
 * `action`: `"drop"` the row, `"clip"` the value to the nearest fence, or `"flag"` it in a boolean
 * field (`flagField`, default `<field>Outlier`, added to every row).
 */
export interface CleanOutliersStep extends CleanStepBase {
  readonly step: "outliers";
  readonly field: string;
  readonly method: "iqr" | "zscore" | "mad";
  readonly threshold?: number;
  readonly by?: string | readonly string[];
  readonly action: "flag" | "clip" | "drop";
  readonly flagField?: string;
  /** Smallest group that gets fences (default 5). */
  readonly minGroupSize?: number;
  readonly transform?: "none" | "log1p";
}

/**
 * Cancellations and returns: lines whose invoice starts with one of `invoicePrefixes` (default
 * `["C"]`), and (unless `negativeQuantity: false`) lines with a negative quantity.
 *
 * `action: "drop"` drops them (`"cancellation"` for prefixed invoices, `"negative quantity"` for the
 * others). `action: "net"` matches each return, in time order, against the same customer's earlier
 * purchases of the same item (at the same time or before; the latest first unless `match:
 * "earliest"`): matched quantity is subtracted from those purchases (a purchase returned in full is
 * dropped as `"fully returned"`) and the return line is dropped (`"return netted"`); the part that
 * cannot be matched (no customer, no earlier purchase, or more returned than bought) is dropped
 * (`"return unmatched"`, `"return partly unmatched"`) or, with `unmatched: "keep"`, kept (flagged)
 * with the unmatched quantity. The report's details give the counts.
 */
export interface CleanReturnsStep extends CleanStepBase {
  readonly step: "returns";
  readonly action: "drop" | "net";
  readonly invoicePrefixes?: readonly string[];
  readonly negativeQuantity?: boolean;
  readonly unmatched?: "drop" | "keep";
  readonly match?: "latest" | "earliest";
  /** Field names (defaults: invoice, customer, item, quantity, timestamp). */
  readonly invoice?: string;
  readonly customer?: string;
  readonly item?: string;
  readonly quantity?: string;
  readonly time?: string;
}

/**
 * Non-product lines (postage, fees, manual adjustments, gift vouchers …): `field` (default `"item"`)
 * matches one of `patterns` — strings compare whole and case-insensitively after trimming, regular
 * expressions test the text. Default patterns: {@link NON_PRODUCT_PATTERNS}. `action` `"drop"`
 * (default) or `"flag"` (boolean `flagField`, default `"nonProduct"`, added to every row).
 */
export interface CleanNonProductStep extends CleanStepBase {
  readonly step: "nonProduct";
  readonly field?: string;
  readonly patterns?: readonly (string | RegExp)[];
  readonly action?: "drop" | "flag";
  readonly flagField?: string;
}

/**
 * Drops rows whose numeric `field` falls outside the bounds (`min`/`max` inclusive,
 * `greaterThan`/`lessThan` exclusive). Missing values pass. The reason defaults to
 * `"non-positive <field>"` for `greaterThan: 0`, `"negative <field>"` for `min: 0`, else
 * `"<field> out of range"`.
 */
export interface CleanRangeStep extends CleanStepBase {
  readonly step: "range";
  readonly field: string;
  readonly min?: number;
  readonly max?: number;
  readonly greaterThan?: number;
  readonly lessThan?: number;
  readonly reason?: string;
}

/** Keeps the rows for which `keep(row, inputIndex)` is true; the others are dropped with `reason`. */
export interface CleanFilterStep extends CleanStepBase {
  readonly step: "filter";
  readonly keep: (row: Readonly<CleanRow>, inputIndex: number) => boolean;
  readonly reason: string;
}

/**
 * Users whose activity is implausible for a person: more than `maxEventsPerMinute` events in any
 * window of `windowMs` (default 15 in 60,000 ms), more than `maxEvents` events in all (default: no
 * limit), or more than `maxShare` of all events (default: no limit). Their rows are dropped
 * (`"bot (event rate)"`, `"bot (volume)"`, `"bot (share)"`) or flagged (`flagField`, default `"bot"`).
 * Rows without a user are left alone.
 */
export interface CleanBotsStep extends CleanStepBase {
  readonly step: "bots";
  readonly user?: string;
  readonly time?: string;
  readonly maxEventsPerMinute?: number;
  readonly windowMs?: number;
  readonly maxEvents?: number;
  readonly maxShare?: number;
  readonly action?: "drop" | "flag";
  readonly flagField?: string;
}

/**
 * Sessions with no dwell: at least `minEvents` events (default 2) spanning less than `minDwellMs`
 * (default 1000). Rows with a value in the `session` field form that session; the others (all rows
 * when `session` is not given) are split per `user` (default `"user"`) at gaps longer than `gapMs`
 * (default 30 minutes). Rows without a time do not stretch a session. Their rows are dropped
 * (`"session without dwell"`) or flagged (`flagField`, default `"noDwell"`).
 */
export interface CleanDwellStep extends CleanStepBase {
  readonly step: "dwell";
  readonly session?: string;
  readonly user?: string;
  readonly time?: string;
  readonly gapMs?: number;
  readonly minDwellMs?: number;
  readonly minEvents?: number;
  readonly action?: "drop" | "flag";
  readonly flagField?: string;
}

/**
 * k-core filtering: keeps the interactions whose user has at least `minPerUser` and whose item has
 * at least `minPerItem` interactions among the kept ones (defaults 5 and 5), iterated to the fixed
 * point (the k-core is unique). `count: "rows"` (default) counts rows; `"distinct"` counts distinct
 * partners. Rows without a user or item are dropped (`"missing user or item"`).
 */
export interface CleanKCoreStep extends CleanStepBase {
  readonly step: "kcore";
  readonly user?: string;
  readonly item?: string;
  readonly minPerUser?: number;
  readonly minPerItem?: number;
  readonly count?: "rows" | "distinct";
}

/** Scaling methods of {@link fitColumnScaler}. */
export type ColumnScaleMethod = "minmax" | "zscore" | "log1p" | "robust";

/**
 * A fitted column scaler: `(x − center) / scale` (after `log1p` for that method). Plain data, so it
 * serialises and applies to new rows.
 */
export interface ColumnScaler {
  readonly method: ColumnScaleMethod;
  readonly center: number;
  readonly scale: number;
}

/**
 * Rescales numeric fields in place (or into `<field><suffix>` when `suffix` is given): a method name
 * fits the scaler on this step's input; a fitted {@link ColumnScaler} applies as is (new data).
 * Missing values stay missing.
 */
export interface CleanNormalizeStep extends CleanStepBase {
  readonly step: "normalize";
  readonly fields: Readonly<Record<string, ColumnScaleMethod | ColumnScaler>>;
  readonly suffix?: string;
}

/** One step of a cleaning pipeline (a plain object; steps run in the order given). */
export type CleanStep =
  | CleanMissingStep
  | CleanDuplicatesStep
  | CleanOutliersStep
  | CleanReturnsStep
  | CleanNonProductStep
  | CleanRangeStep
  | CleanFilterStep
  | CleanBotsStep
  | CleanDwellStep
  | CleanKCoreStep
  | CleanNormalizeStep;

/** How much the report keeps about each dropped / modified / flagged row. */
export type CleanDetailLevel = "counts" | "indices" | "rows";

/**
 * Options of `clean`, `cleanStream` and `audit`. `R` is the row type produced (set by the presets and
 * by `defineCleaning`; a type-level marker only).
 */
export interface CleanOptions<R extends object = CleanRow> {
  /** Field declarations: coercion runs first and projects rows onto these fields. */
  readonly schema?: CleanSchema;
  /** Steps, run in order after the schema. */
  readonly steps?: readonly CleanStep[];
  /**
   * A value that cannot be coerced (or a missing required value): `"drop"` the row (default,
   * reason `"invalid <field>"` / `"missing <field>"`), `"missing"` (optional fields become null and
   * count as modified; required fields still drop), or `"throw"` a `RecokitError`.
   */
  readonly onInvalid?: "drop" | "missing" | "throw";
  /** Strings meaning "missing", after trimming (default {@link DEFAULT_MISSING_TOKENS}). */
  readonly missingTokens?: readonly string[];
  /** Report counts only (default), plus input indices, or plus the dropped rows themselves. */
  readonly details?: CleanDetailLevel;
  /** Cancels a long run (`ABORTED`). */
  readonly signal?: AbortSignal;
  /** Called after each step with (steps done, steps in all). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Type-level marker of the output row type; never read. */
  readonly rowType?: R;
}

// ---------------------------------------------------------------------------------------------
// reports

/** What one step did. Reasons are short stable phrases such as `"missing customer"`. */
export interface CleaningStepReport {
  /** Position in the pipeline (the schema, when present, is step 0). */
  readonly index: number;
  /** Step kind (`"schema"`, `"missing"`, `"duplicates"`, …). */
  readonly step: string;
  readonly label: string;
  /** Rows in and out of the step: `input = output + Σ dropped`. */
  readonly input: number;
  readonly output: number;
  /** Rows dropped, by reason. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Rows changed, by reason (a row changed for two reasons counts under both). */
  readonly modified: Readonly<Record<string, number>>;
  /** Rows flagged but kept, by reason. */
  readonly flagged: Readonly<Record<string, number>>;
  /** Step-specific figures (fences, fitted scalers, matched returns, bot users …). */
  readonly details: Readonly<Record<string, unknown>>;
  /** Input indices by reason (ascending), with `details: "indices"` or `"rows"`. */
  readonly droppedIndices?: Readonly<Record<string, Int32Array>>;
  readonly modifiedIndices?: Readonly<Record<string, Int32Array>>;
  readonly flaggedIndices?: Readonly<Record<string, Int32Array>>;
  /** The dropped rows as they entered the step, by reason, with `details: "rows"`. */
  readonly droppedRows?: Readonly<Record<string, readonly CleanRow[]>>;
}

/**
 * The account of a cleaning run. The library checks `input = output + dropped` (and the same for
 * each step) before returning it.
 */
export interface CleaningReport {
  readonly input: number;
  readonly output: number;
  /** Total rows dropped. */
  readonly dropped: number;
  /** Totals over steps, by reason. */
  readonly droppedByReason: Readonly<Record<string, number>>;
  readonly modifiedByReason: Readonly<Record<string, number>>;
  readonly flaggedByReason: Readonly<Record<string, number>>;
  readonly steps: readonly CleaningStepReport[];
  readonly details: CleanDetailLevel;
  /** Wall time of the run in milliseconds. */
  readonly ms: number;
}

/** The result of `clean`. */
export interface CleanResult<R> {
  readonly rows: R[];
  readonly report: CleaningReport;
  /** Scalers fitted or applied by `normalize` steps, by output field. */
  readonly scalers: Readonly<Record<string, ColumnScaler>>;
}

/** Coercion figures of one schema field over the raw rows. */
export interface CleaningFieldAudit {
  readonly type: CleanFieldType;
  /** The column read, or null when none of the `from` columns exists. */
  readonly source: string | null;
  readonly missing: number;
  readonly invalid: number;
  /** Up to five invalid values with their input index. */
  readonly invalidExamples: readonly { readonly index: number; readonly value: unknown }[];
  /** Values changed by normalisation (trimming, case, `"17850.0"` → `"17850"`). */
  readonly normalised: number;
  /** Distinct values (id, string, category, boolean fields). */
  readonly distinct?: number;
  /** Numeric and timestamp fields: smallest, largest, and counts of zero and negative values. */
  readonly min?: number;
  readonly max?: number;
  readonly zero?: number;
  readonly negative?: number;
  /** Timestamp fields: how many values were read from each form. */
  readonly formats?: Readonly<Partial<Record<TimestampKind, number>>>;
}

/** What one step would do to the raw rows if it ran alone on all of them. */
export interface CleaningAuditCheck {
  readonly index: number;
  readonly step: string;
  readonly label: string;
  readonly dropped: Readonly<Record<string, number>>;
  readonly modified: Readonly<Record<string, number>>;
  readonly flagged: Readonly<Record<string, number>>;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A data-quality audit: problems counted on the raw rows, nothing dropped. */
export interface CleaningAudit {
  readonly rows: number;
  /** Extra copies of rows identical in every raw column (a row seen three times counts 2). */
  readonly exactDuplicates: number;
  /** Schema fields (or, without a schema, every column of the first row read as text). */
  readonly fields: Readonly<Record<string, CleaningFieldAudit>>;
  /** Each step's would-be effect on all rows, independently of the other steps. */
  readonly checks: readonly CleaningAuditCheck[];
}
