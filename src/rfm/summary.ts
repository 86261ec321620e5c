import { mean, sum } from "simple-statistics";
import { RecokitError } from "../core/errors.js";
import type { RfmScores } from "./scores.js";
import type { CustomerGrouping } from "./segments.js";
import type { RfmTable } from "./table.js";

/** One row of {@link summarizeSegments}. Means are `null` for an empty group (never NaN). */
export interface SegmentSummary {
  readonly segment: string;
  readonly action?: string;
  readonly description?: string;
  readonly customers: number;
  /** customers / all customers. */
  readonly share: number;
  /** Σ monetary of the group's customers. */
  readonly revenue: number;
  /** revenue / Σ monetary of all customers (0 when the total is not positive). */
  readonly revenueShare: number;
  readonly meanRecency: number | null;
  readonly meanFrequency: number | null;
  readonly meanMonetary: number | null;
  /** The group's revenue per order: Σ monetary / Σ frequency. */
  readonly averageOrderValue: number | null;
  /** Mean R, F and M scores, when scores were given. */
  readonly meanScores?: { readonly r: number; readonly f: number; readonly m: number } | null;
}

/** Options of {@link summarizeSegments}. */
export interface SummarizeSegmentsOptions {
  /** Scores of the same table, to add mean R/F/M scores to each row. */
  readonly scores?: RfmScores;
}

const WHERE = "summarizeSegments";

/**
 * Profiles each group of a segmentation (or clustering): customers and their share, revenue and
 * revenue share, mean recency / frequency / monetary (simple-statistics `mean`), and average order
 * value Σ monetary / Σ frequency; with `scores`, the mean R/F/M scores. Rows follow the groups'
 * order and include empty groups (customers 0, means null). O(n).
 *
 * @param table - the RFM table the grouping was made from
 * @param grouping - `groupOf` per table row, and the groups (from {@link segmentRfm} or {@link clusterCustomers})
 * @param options - optional scores
 * @returns one summary per group
 * @throws RecokitError `INVALID_INPUT` when the grouping does not match the table (length or an
 * out-of-range group index).
 * @example
 * ```ts
 * import { rfmTable, scoreRfm, segmentRfm, summarizeSegments } from "recokit";
 * const t0 = Date.UTC(2024, 0, 1), day = 86_400_000;
 * const rows = Array.from({ length: 50 }, (_, i) => ({
 *   customer: `c${i % 10}`, invoice: `i${i}`, timestamp: t0 + i * day, amount: 10 + (i % 7),
 * }));
 * const table = rfmTable(rows);
 * const scores = scoreRfm(table);
 * const summary = summarizeSegments(table, segmentRfm(scores), { scores });
 * summary.reduce((s, row) => s + row.customers, 0); // 10
 * ```
 */
export function summarizeSegments(
  table: RfmTable,
  grouping: CustomerGrouping,
  options: SummarizeSegmentsOptions = {},
): SegmentSummary[] {
  const n = table?.recency?.length;
  if (typeof n !== "number") throw new RecokitError("INVALID_INPUT", WHERE, "table must be an RFM table");
  const { groups, groupOf } = grouping ?? {};
  if (!Array.isArray(groups) || !(groupOf instanceof Int32Array))
    throw new RecokitError("INVALID_INPUT", WHERE, "grouping must have groups and an Int32Array groupOf");
  if (groupOf.length !== n)
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `grouping.groupOf has ${groupOf.length} entries but the table has ${n} customers`,
    );
  const scores = options.scores;
  if (scores !== undefined && scores.r?.length !== n)
    throw new RecokitError("INVALID_INPUT", WHERE, `scores have ${scores.r?.length} rows, the table ${n}`);

  const members: number[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i]!;
    const list = members[g];
    if (list === undefined)
      throw new RecokitError("INVALID_INPUT", WHERE, `row ${i}: group ${g} is not in [0, ${groups.length})`);
    list.push(i);
  }
  const totalRevenue = sum(Array.from(table.monetary));

  return groups.map((group, g) => {
    const rows = members[g]!;
    const pick = (col: ArrayLike<number>): number[] => rows.map((i) => col[i]!);
    const revenue = sum(pick(table.monetary));
    const orders = sum(pick(table.frequency));
    const empty = rows.length === 0;
    const base: SegmentSummary = {
      segment: group.name,
      ...(group.action === undefined ? {} : { action: group.action }),
      ...(group.description === undefined ? {} : { description: group.description }),
      customers: rows.length,
      share: n === 0 ? 0 : rows.length / n,
      revenue,
      revenueShare: totalRevenue > 0 ? revenue / totalRevenue : 0,
      meanRecency: empty ? null : mean(pick(table.recency)),
      meanFrequency: empty ? null : mean(pick(table.frequency)),
      meanMonetary: empty ? null : mean(pick(table.monetary)),
      averageOrderValue: empty ? null : revenue / orders,
    };
    if (scores === undefined) return base;
    return {
      ...base,
      meanScores: empty
        ? null
        : { r: mean(pick(scores.r)), f: mean(pick(scores.f)), m: mean(pick(scores.m)) },
    };
  });
}
