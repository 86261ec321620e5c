import { RecokitError } from "../core/errors.js";
import { type Id, IdIndex } from "../core/id-index.js";
import type { SkippedRows } from "../core/interactions.js";
import {
  DAY_MS,
  isoTime,
  readTimeOption,
  readTransactions,
  type TransactionAccessors,
  type TransactionRow,
} from "./transactions.js";

/** Options of {@link rfmTable}. */
export interface RfmTableOptions<R> extends TransactionAccessors<R> {
  /**
   * Reference date, epoch ms or a Date (default: UTC midnight of the day after the last
   * transaction). Recency and tenure are measured up to it; a row after it is an error.
   */
  readonly asOf?: number | Date;
  /**
   * What orders whose total is negative (returns, credit notes, cancellations) do to `monetary`:
   * `"net"` (default) subtracts them, so `monetary` is net spend; `"ignore"` leaves them out, so
   * `monetary` is gross spend. Either way they never count as purchases and are reported.
   */
  readonly returns?: "net" | "ignore";
}

/** What {@link rfmTable} did with its input; nothing is left out without being counted here. */
export interface RfmTableReport {
  /** Input rows. `rows = used rows + skipped.count`. */
  readonly rows: number;
  /** Distinct (customer, order) pairs. `orders = purchases + returnOrders + zeroOrders`. */
  readonly orders: number;
  /** Orders with a positive total: they make frequency, recency and tenure. */
  readonly purchases: number;
  /** Orders with a negative total (returns, cancellations). */
  readonly returnOrders: number;
  /** Orders whose lines sum to exactly 0. */
  readonly zeroOrders: number;
  /** Σ |total| of the return orders. */
  readonly returnedAmount: number;
  /** Customers that have rows but no purchase: they are not in the table. */
  readonly customersWithoutPurchase: readonly Id[];
  /** Invalid rows left out with `onInvalid: "skip"`. */
  readonly skipped: SkippedRows;
}

/**
 * Per-customer recency, frequency and monetary value, in columns aligned with `customers`.
 * Times are epoch ms; day counts are whole days (`floor`), as pandas' `Timedelta.days`.
 */
export interface RfmTable {
  /** Customer ids (row order = first appearance in the input). */
  readonly customers: IdIndex;
  /** Reference date, epoch ms. */
  readonly asOf: number;
  /** Whole days from the last purchase to `asOf`. */
  readonly recency: Float64Array;
  /** Number of distinct purchase orders (orders with a positive total). */
  readonly frequency: Int32Array;
  /** Net spend (or gross with `returns: "ignore"`): Σ purchase totals (− Σ returns). May be ≤ 0. */
  readonly monetary: Float64Array;
  /** Time of the first purchase. */
  readonly firstPurchase: Float64Array;
  /** Time of the last purchase. */
  readonly lastPurchase: Float64Array;
  /** Whole days from the first purchase to `asOf`. */
  readonly tenure: Float64Array;
  /** `monetary / frequency`. */
  readonly averageOrderValue: Float64Array;
  /** Σ |total| of the customer's return orders (whatever `returns` says). */
  readonly returned: Float64Array;
  readonly report: RfmTableReport;
}

const WHERE = "rfmTable";

/**
 * Builds the RFM table of a shop from its transaction lines.
 *
 * Lines are grouped into orders by (customer, order id); an order's total is the sum of its
 * lines and its time the earliest line's. Orders with a positive total are purchases:
 * - recency = ⌊(asOf − last purchase) / 1 day⌋, tenure = ⌊(asOf − first purchase) / 1 day⌋;
 * - frequency = number of purchases; average order value = monetary / frequency;
 * - monetary = Σ purchase totals, minus the return orders (`returns: "net"`, default) or not
 *   (`returns: "ignore"`). Zero-total orders count for nothing.
 *
 * Customers without any purchase (e.g. only returns) are not rows of the table and are listed in
 * `report.customersWithoutPurchase`. Every output is finite. O(n) time plus hashing.
 *
 * @param rows - transaction lines (never modified); see {@link TransactionRow} for the default shape
 * @param options - accessors, reference date, return rule
 * @returns the table, in columns, and a report of what was counted
 * @throws RecokitError `EMPTY_DATA` without rows or without any purchase; `INVALID_INPUT` for an
 * invalid row (unless `onInvalid: "skip"`), an `asOf` earlier than a row, or a bad option.
 * @example
 * ```ts
 * import { rfmTable } from "recokit";
 * const day = 86_400_000, t0 = Date.UTC(2024, 0, 1);
 * const table = rfmTable([
 *   { customer: "ann", invoice: "1", timestamp: t0, quantity: 2, price: 5 },
 *   { customer: "ann", invoice: "2", timestamp: t0 + 9 * day, amount: 30 },
 *   { customer: "bob", invoice: "3", timestamp: t0 + 2 * day, amount: 8 },
 * ]);
 * table.asOf === t0 + 10 * day;   // true: the day after the last transaction
 * Array.from(table.recency);      // [1, 8]
 * Array.from(table.frequency);    // [2, 1]
 * Array.from(table.monetary);     // [40, 8]
 * ```
 */
export function rfmTable<R = TransactionRow>(rows: readonly R[], options: RfmTableOptions<R> = {}): RfmTable {
  const returns = options.returns ?? "net";
  if (returns !== "net" && returns !== "ignore")
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `returns must be "net" or "ignore", got ${String(returns)}`,
    );
  const givenAsOf = readTimeOption(WHERE, "asOf", options.asOf);
  const tx = readTransactions(WHERE, rows, options, true);
  const asOf = givenAsOf ?? (Math.floor(tx.maxTime / DAY_MS) + 1) * DAY_MS;
  if (tx.maxTime > asOf) {
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `row ${tx.maxTimeRow}: timestamp ${isoTime(tx.maxTime)} is after asOf ${isoTime(asOf)}; pass a later asOf or filter the rows`,
    );
  }

  // orders: total and earliest time
  const nOrders = tx.nOrders;
  const orderCustomer = new Int32Array(nOrders);
  const orderTotal = new Float64Array(nOrders);
  const orderTime = new Float64Array(nOrders).fill(Number.POSITIVE_INFINITY);
  const order = tx.order!;
  for (let j = 0; j < tx.n; j++) {
    const o = order[j]!;
    orderCustomer[o] = tx.customer[j]!;
    orderTotal[o]! += tx.amount[j]!;
    if (tx.time[j]! < orderTime[o]!) orderTime[o] = tx.time[j]!;
  }

  // customers: fold orders
  const nAll = tx.customers.size;
  const frequency = new Int32Array(nAll);
  const monetary = new Float64Array(nAll);
  const returned = new Float64Array(nAll);
  const first = new Float64Array(nAll).fill(Number.POSITIVE_INFINITY);
  const last = new Float64Array(nAll).fill(Number.NEGATIVE_INFINITY);
  let purchases = 0;
  let returnOrders = 0;
  let returnedAmount = 0;
  for (let o = 0; o < nOrders; o++) {
    const c = orderCustomer[o]!;
    const total = orderTotal[o]!;
    if (total > 0) {
      purchases++;
      frequency[c]!++;
      monetary[c]! += total;
      const t = orderTime[o]!;
      if (t < first[c]!) first[c] = t;
      if (t > last[c]!) last[c] = t;
    } else if (total < 0) {
      returnOrders++;
      returnedAmount -= total;
      returned[c]! -= total;
      if (returns === "net") monetary[c]! += total;
    }
  }
  return assemble(
    tx.customers,
    asOf,
    { frequency, monetary, returned, first, last },
    {
      rows: rows.length,
      orders: nOrders,
      purchases,
      returnOrders,
      zeroOrders: nOrders - purchases - returnOrders,
      returnedAmount,
      skipped: tx.skipped,
    },
  );
}

interface Folded {
  readonly frequency: Int32Array;
  readonly monetary: Float64Array;
  readonly returned: Float64Array;
  readonly first: Float64Array;
  readonly last: Float64Array;
}

/** Keeps the customers with at least one purchase and derives the day counts. */
function assemble(
  all: IdIndex,
  asOf: number,
  folded: Folded,
  counts: Omit<RfmTableReport, "customersWithoutPurchase">,
): RfmTable {
  const nAll = all.size;
  const kept: Id[] = [];
  const without: Id[] = [];
  const keep = new Int32Array(nAll);
  for (let c = 0; c < nAll; c++) {
    if (folded.frequency[c]! > 0) {
      keep[kept.length] = c;
      kept.push(all.idAt(c));
    } else without.push(all.idAt(c));
  }
  const n = kept.length;
  if (n === 0)
    throw new RecokitError(
      "EMPTY_DATA",
      WHERE,
      `no customer has a purchase (an order with a positive total) among ${counts.orders} orders`,
    );
  const recency = new Float64Array(n);
  const frequency = new Int32Array(n);
  const monetary = new Float64Array(n);
  const firstPurchase = new Float64Array(n);
  const lastPurchase = new Float64Array(n);
  const tenure = new Float64Array(n);
  const averageOrderValue = new Float64Array(n);
  const returned = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = keep[i]!;
    const f = folded.frequency[c]!;
    frequency[i] = f;
    monetary[i] = folded.monetary[c]!;
    firstPurchase[i] = folded.first[c]!;
    lastPurchase[i] = folded.last[c]!;
    recency[i] = Math.floor((asOf - folded.last[c]!) / DAY_MS);
    tenure[i] = Math.floor((asOf - folded.first[c]!) / DAY_MS);
    averageOrderValue[i] = folded.monetary[c]! / f;
    returned[i] = folded.returned[c]!;
  }
  return {
    customers: n === nAll ? all : IdIndex.from(kept),
    asOf,
    recency,
    frequency,
    monetary,
    firstPurchase,
    lastPurchase,
    tenure,
    averageOrderValue,
    returned,
    report: { ...counts, customersWithoutPurchase: without },
  };
}
