import { RecokitError } from "../core/errors.js";
import type { Id } from "../core/id-index.js";
import type { RfmScores } from "./scores.js";
import type { CustomerGrouping } from "./segments.js";
import type { RfmTable } from "./table.js";

/** One customer of an RFM table as a plain object, for display or export. */
export interface RfmRecord {
  readonly customer: Id;
  readonly recency: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly firstPurchase: number;
  readonly lastPurchase: number;
  readonly tenure: number;
  readonly averageOrderValue: number;
  readonly returned: number;
  /** Present when scores are given. */
  readonly r?: number;
  readonly f?: number;
  readonly m?: number;
  readonly cell?: string;
  readonly score?: number;
  /** Group name, when a segmentation or clustering is given. */
  readonly segment?: string;
}

/**
 * The rows of an RFM table as plain objects, optionally with their scores and segment (or cluster)
 * name: the friendly form for printing, CSV export or joining with a CRM. O(n).
 *
 * @param table - an RFM table
 * @param scores - optional scores of the same table
 * @param grouping - optional segmentation or clustering of the same table
 * @returns one record per customer, in table order
 * @throws RecokitError `INVALID_INPUT` when scores or grouping have another length than the table.
 * @example
 * ```ts
 * import { rfmRecords, rfmTable, scoreRfm, segmentRfm } from "recokit";
 * const t0 = Date.UTC(2024, 0, 1);
 * const table = rfmTable([
 *   { customer: "ann", invoice: 1, timestamp: t0, amount: 30 },
 *   { customer: "bob", invoice: 2, timestamp: t0, amount: 10 },
 * ]);
 * const scores = scoreRfm(table, { bins: 2 });
 * rfmRecords(table, scores)[0]; // { customer: "ann", recency: 1, frequency: 1, monetary: 30, …, cell: "212", … }
 * ```
 */
export function rfmRecords(table: RfmTable, scores?: RfmScores, grouping?: CustomerGrouping): RfmRecord[] {
  const n = table.recency.length;
  if (scores !== undefined && scores.r.length !== n)
    throw new RecokitError(
      "INVALID_INPUT",
      "rfmRecords",
      `scores have ${scores.r.length} rows, the table ${n}`,
    );
  if (grouping !== undefined && grouping.groupOf.length !== n)
    throw new RecokitError(
      "INVALID_INPUT",
      "rfmRecords",
      `grouping has ${grouping.groupOf.length} rows, the table ${n}`,
    );
  const out = new Array<RfmRecord>(n);
  for (let i = 0; i < n; i++) {
    const base = {
      customer: table.customers.idAt(i),
      recency: table.recency[i]!,
      frequency: table.frequency[i]!,
      monetary: table.monetary[i]!,
      firstPurchase: table.firstPurchase[i]!,
      lastPurchase: table.lastPurchase[i]!,
      tenure: table.tenure[i]!,
      averageOrderValue: table.averageOrderValue[i]!,
      returned: table.returned[i]!,
    };
    const scored =
      scores === undefined
        ? base
        : {
            ...base,
            r: scores.r[i]!,
            f: scores.f[i]!,
            m: scores.m[i]!,
            cell: scores.cell[i]!,
            score: scores.combined[i]!,
          };
    const name = grouping === undefined ? undefined : grouping.groups[grouping.groupOf[i]!]?.name;
    out[i] = name === undefined ? scored : { ...scored, segment: name };
  }
  return out;
}
