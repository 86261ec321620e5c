import { assertInteger, RecokitError } from "../core/errors.js";
import type { CleaningAudit, CleaningReport, CleaningStepReport } from "./types.js";

function fmt(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString("en-US")
    : n.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

function scalarDetails(details: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === "number") parts.push(`${k} ${fmt(v)}`);
    else if (typeof v === "string" || typeof v === "boolean") parts.push(`${k} ${String(v)}`);
  }
  return parts.join(", ");
}

function reasonLines(kind: string, counts: Readonly<Record<string, number>>, width: number): string[] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `      ${kind.padEnd(8)} ${reason.padEnd(width)} ${fmt(n).padStart(11)}`);
}

/**
 * A readable multi-line summary of a cleaning report: the totals with the accounting identity, then
 * one line per step (rows in, out, dropped) followed by its reasons (dropped / changed / flagged)
 * and its scalar details.
 *
 * @param report - from `clean` or `cleanStream`
 * @returns plain text (no colours), lines separated by `\n`
 * @example
 * ```ts
 * import { clean, formatCleaningReport } from "recokit";
 * const { report } = clean([{ a: 1 }, { a: 1 }], { steps: [{ step: "duplicates" }] });
 * console.log(formatCleaningReport(report));
 * // Cleaning: 2 rows in → 1 kept, 1 dropped (2 = 1 kept + 1 dropped)
 * //   #  step …
 * ```
 */
export function formatCleaningReport(report: CleaningReport): string {
  const lines = [
    `Cleaning: ${fmt(report.input)} rows in → ${fmt(report.output)} kept, ${fmt(report.dropped)} dropped (${fmt(report.input)} = ${fmt(report.output)} kept + ${fmt(report.dropped)} dropped)`,
  ];
  const width = Math.max(
    20,
    ...report.steps.flatMap((s) =>
      [...Object.keys(s.dropped), ...Object.keys(s.modified), ...Object.keys(s.flagged)].map((r) => r.length),
    ),
  );
  const labelWidth = Math.max(40, ...report.steps.map((s) => s.label.length + 1));
  lines.push(
    `  #  ${"step".padEnd(labelWidth)} ${"in".padStart(11)} ${"out".padStart(11)} ${"dropped".padStart(11)}`,
  );
  for (const s of report.steps) {
    lines.push(
      `  ${String(s.index).padStart(2)} ${s.label.padEnd(labelWidth)} ${fmt(s.input).padStart(11)} ${fmt(s.output).padStart(11)} ${fmt(s.input - s.output).padStart(11)}`,
    );
    lines.push(...reasonLines("dropped", s.dropped, width));
    lines.push(...reasonLines("changed", s.modified, width));
    lines.push(...reasonLines("flagged", s.flagged, width));
    const details = scalarDetails(s.details);
    if (details !== "") lines.push(`      details  ${details}`);
  }
  return lines.join("\n");
}

/**
 * The report as plain JSON-ready data: typed index arrays become number arrays. Rows kept with
 * `details: "rows"` are included as they are.
 *
 * @param report - from `clean` or `cleanStream`
 * @returns an object for `JSON.stringify`
 * @example
 * ```ts
 * import { clean, cleaningReportToJson } from "recokit";
 * const { report } = clean([{ a: 1 }, { a: 1 }], { steps: [{ step: "duplicates" }], details: "indices" });
 * JSON.stringify(cleaningReportToJson(report)); // …"droppedIndices":{"exact duplicate":[1]}…
 * ```
 */
export function cleaningReportToJson(report: CleaningReport): Record<string, unknown> {
  const plain = (m: Readonly<Record<string, Int32Array>> | undefined) =>
    m === undefined ? undefined : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Array.from(v)]));
  return {
    ...report,
    steps: report.steps.map((s) => {
      const out: Record<string, unknown> = { ...s };
      if (s.droppedIndices !== undefined) out.droppedIndices = plain(s.droppedIndices);
      if (s.modifiedIndices !== undefined) out.modifiedIndices = plain(s.modifiedIndices);
      if (s.flaggedIndices !== undefined) out.flaggedIndices = plain(s.flaggedIndices);
      return out;
    }),
  };
}

/** What happened to one input row. */
export interface CleaningRowStory {
  readonly status: "kept" | "dropped";
  /** Position in the output rows, for kept rows. */
  readonly outputIndex?: number;
  /** The step (label) and reason that dropped it. */
  readonly droppedBy?: { readonly step: string; readonly reason: string };
  /** Changes and flags on its way, in step order. */
  readonly changes: readonly { readonly step: string; readonly reason: string }[];
  readonly flags: readonly { readonly step: string; readonly reason: string }[];
}

function contains(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === x;
}

function countBelow(sorted: Int32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hits(
  step: CleaningStepReport,
  indices: Readonly<Record<string, Int32Array>> | undefined,
  index: number,
): { step: string; reason: string }[] {
  if (indices === undefined) return [];
  return Object.entries(indices)
    .filter(([, list]) => contains(list, index))
    .map(([reason]) => ({ step: step.label, reason }));
}

/**
 * Tells what happened to input row `index`: kept (with its output position) or dropped (by which
 * step, for which reason), and the changes and flags it met. O(steps · reasons · log n).
 *
 * @param report - a report made with `details: "indices"` or `"rows"`
 * @param index - the row's position in the input
 * @returns the row's story
 * @throws RecokitError `INVALID_INPUT` when the report holds counts only or `index` is out of range.
 * @example
 * ```ts
 * import { clean, explainCleaningRow } from "recokit";
 * const { report } = clean([{ a: 1 }, { a: 1 }], { steps: [{ step: "duplicates" }], details: "indices" });
 * explainCleaningRow(report, 1).droppedBy; // { step: "exact duplicates", reason: "exact duplicate" }
 * explainCleaningRow(report, 0).status;    // "kept"
 * ```
 */
export function explainCleaningRow(report: CleaningReport, index: number): CleaningRowStory {
  const where = "explainCleaningRow";
  if (report.details === "counts")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      'the report holds counts only: clean with details: "indices"',
    );
  assertInteger(where, "index", index, 0, report.input - 1);
  const changes: { step: string; reason: string }[] = [];
  const flags: { step: string; reason: string }[] = [];
  let droppedBefore = 0;
  for (const step of report.steps) {
    changes.push(...hits(step, step.modifiedIndices, index));
    flags.push(...hits(step, step.flaggedIndices, index));
    const dropped = hits(step, step.droppedIndices, index);
    if (dropped.length > 0) return { status: "dropped", droppedBy: dropped[0]!, changes, flags };
    for (const list of Object.values(step.droppedIndices ?? {})) droppedBefore += countBelow(list, index);
  }
  return { status: "kept", outputIndex: index - droppedBefore, changes, flags };
}

/**
 * A readable summary of an audit: rows and exact duplicates, one line per field (missing, invalid,
 * normalised, distinct, range, zero / negative, timestamp forms), and each step's would-be effect.
 *
 * @param result - from `audit`
 * @returns plain text, lines separated by `\n`
 * @example
 * ```ts
 * import { audit, formatCleaningAudit } from "recokit";
 * console.log(formatCleaningAudit(audit([{ id: "1" }, { id: "1" }])));
 * // Audit: 2 rows, 1 exact duplicate copy …
 * ```
 */
export function formatCleaningAudit(result: CleaningAudit): string {
  const lines = [
    `Audit: ${fmt(result.rows)} rows, ${fmt(result.exactDuplicates)} exact duplicate ${result.exactDuplicates === 1 ? "copy" : "copies"}`,
  ];
  const width = Math.max(12, ...Object.keys(result.fields).map((k) => k.length + 1));
  for (const [name, f] of Object.entries(result.fields)) {
    const parts = [`${f.type}`, `missing ${fmt(f.missing)}`, `invalid ${fmt(f.invalid)}`];
    if (f.normalised > 0) parts.push(`normalised ${fmt(f.normalised)}`);
    if (f.distinct !== undefined) parts.push(`distinct ${fmt(f.distinct)}`);
    if (f.min !== undefined && f.max !== undefined) {
      parts.push(
        f.type === "timestamp"
          ? `from ${new Date(f.min).toISOString()} to ${new Date(f.max).toISOString()}`
          : `range ${fmt(f.min)} … ${fmt(f.max)}`,
      );
    }
    if (f.zero !== undefined && f.negative !== undefined)
      parts.push(`zero ${fmt(f.zero)}`, `negative ${fmt(f.negative)}`);
    if (f.formats !== undefined && Object.keys(f.formats).length > 0)
      parts.push(
        `forms ${Object.entries(f.formats)
          .map(([k, v]) => `${k} ${fmt(v ?? 0)}`)
          .join(", ")}`,
      );
    if (f.source === null) parts.push("column absent");
    lines.push(`  ${name.padEnd(width)} ${parts.join(", ")}`);
    if (f.invalidExamples.length > 0)
      lines.push(
        `  ${"".padEnd(width)} e.g. ${f.invalidExamples.map((e) => `row ${e.index}: ${JSON.stringify(e.value)}`).join("; ")}`,
      );
  }
  for (const c of result.checks) {
    const parts = [
      ...Object.entries(c.dropped).map(([r, n]) => `${r} ${fmt(n)}`),
      ...Object.entries(c.modified).map(([r, n]) => `changed: ${r} ${fmt(n)}`),
      ...Object.entries(c.flagged).map(([r, n]) => `flagged: ${r} ${fmt(n)}`),
    ];
    lines.push(`  step ${c.index} ${c.label}: ${parts.length === 0 ? "nothing" : parts.join(", ")}`);
  }
  return lines.join("\n");
}
