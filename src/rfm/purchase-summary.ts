import { RecokitError } from "../core/errors.js";
import { type Id, IdIndex } from "../core/id-index.js";
import type { SkippedRows } from "../core/interactions.js";
import {
  DAY_MS,
  isoTime,
  readTimeOption,
  readTransactions,
  type TransactionAccessors,
  type TransactionColumns,
  type TransactionRow,
} from "./transactions.js";

/** Time unit of a summary: a day, a week, or a number of days. */
export type SummaryUnit = "day" | "week" | number;

/** Options of {@link repeatPurchaseSummary}. */
export interface RepeatPurchaseSummaryOptions<R> extends TransactionAccessors<R> {
  /** Unit of recency and T (default `"day"`). */
  readonly unit?: SummaryUnit;
  /**
   * End of observation, epoch ms or a Date; its UTC day is the last observed day (default: the day
   * of the last transaction). A row after that day is an error.
   */
  readonly observationEnd?: number | Date;
}

/** What a summary did with its input. */
export interface RepeatPurchaseReport {
  readonly rows: number;
  /** Distinct (customer, UTC day) pairs with a positive total: the purchase occasions. */
  readonly purchaseDays: number;
  /** (customer, day) pairs whose lines net to ≤ 0 (returns, zero-value lines): not purchases. */
  readonly nonPositiveDays: number;
  /** Customers with rows but no purchase occasion: not in the summary. */
  readonly customersWithoutPurchase: readonly Id[];
  readonly skipped: SkippedRows;
}

/**
 * Per-customer repeat-purchase data for {@link fitBgNbd} and {@link fitGammaGamma}, in columns
 * aligned with `customers`. Use it directly as their `data`.
 */
export interface RepeatPurchaseSummary {
  readonly customers: IdIndex;
  /** Repeat purchases: purchase occasions after the first one. */
  readonly frequency: Float64Array;
  /** Time from the first to the last purchase occasion, in `unit`s. */
  readonly recency: Float64Array;
  /** Time from the first purchase occasion to the end of observation, in `unit`s. */
  readonly T: Float64Array;
  /** Mean value of the repeat occasions (the first purchase excluded); 0 without repeats. */
  readonly monetary: Float64Array;
  /** Days per unit. */
  readonly unitDays: number;
  /** Start of the last observed day, epoch ms. */
  readonly observationEnd: number;
  readonly report: RepeatPurchaseReport;
}

/** Purchase occasions per customer, days ascending, in CSR layout. */
interface Occasions {
  readonly customers: IdIndex;
  readonly ptr: Int32Array;
  readonly day: Float64Array;
  readonly total: Float64Array;
  readonly nonPositiveDays: number;
}

function unitDays(where: string, unit: SummaryUnit | undefined): number {
  const u = unit ?? "day";
  if (u === "day") return 1;
  if (u === "week") return 7;
  if (typeof u === "number" && Number.isFinite(u) && u > 0) return u;
  throw new RecokitError("INVALID_INPUT", where, `unit must be "day", "week" or a positive number of days`);
}

/**
 * Groups lines into purchase occasions: the lines of one customer on one UTC day, kept when their
 * total is positive (as the lifetimes library's daily summaries). Counting sort by customer,
 * then a sort of each customer's (few) days. O(n log d).
 */
function occasionsOf(tx: TransactionColumns): Occasions {
  const nCust = tx.customers.size;
  const start = new Int32Array(nCust + 1);
  for (let j = 0; j < tx.n; j++) start[tx.customer[j]! + 1]!++;
  for (let c = 0; c < nCust; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, nCust);
  const byCustomer = new Int32Array(tx.n);
  for (let j = 0; j < tx.n; j++) byCustomer[fill[tx.customer[j]!]!++] = j;

  const ptr = new Int32Array(nCust + 1);
  const days: number[] = [];
  const totals: number[] = [];
  let nonPositiveDays = 0;
  for (let c = 0; c < nCust; c++) {
    const rows = Array.from(byCustomer.subarray(start[c]!, start[c + 1]!));
    rows.sort((a, b) => tx.time[a]! - tx.time[b]!);
    let k = 0;
    while (k < rows.length) {
      const day = Math.floor(tx.time[rows[k]!]! / DAY_MS);
      let total = 0;
      while (k < rows.length && Math.floor(tx.time[rows[k]!]! / DAY_MS) === day)
        total += tx.amount[rows[k++]!]!;
      if (total > 0) {
        days.push(day);
        totals.push(total);
      } else nonPositiveDays++;
    }
    ptr[c + 1] = days.length;
  }
  return {
    customers: tx.customers,
    ptr,
    day: Float64Array.from(days),
    total: Float64Array.from(totals),
    nonPositiveDays,
  };
}

/** Summaries of the customers whose first occasion is on or before `endDay`, using days ≤ endDay. */
function summarise(
  where: string,
  occ: Occasions,
  endDay: number,
  unit: number,
): Omit<RepeatPurchaseSummary, "report" | "unitDays" | "observationEnd"> & {
  without: Id[];
  source: Int32Array;
  purchaseDays: number;
} {
  const nCust = occ.customers.size;
  const kept: Id[] = [];
  const without: Id[] = [];
  const source: number[] = [];
  const frequency: number[] = [];
  const recency: number[] = [];
  const T: number[] = [];
  const monetary: number[] = [];
  let purchaseDays = 0;
  for (let c = 0; c < nCust; c++) {
    const lo = occ.ptr[c]!;
    let hi = occ.ptr[c + 1]!;
    while (hi > lo && occ.day[hi - 1]! > endDay) hi--;
    if (hi === lo) {
      if (occ.ptr[c + 1] === lo) without.push(occ.customers.idAt(c));
      continue;
    }
    purchaseDays += hi - lo;
    const first = occ.day[lo]!;
    const x = hi - lo - 1;
    let repeatTotal = 0;
    for (let k = lo + 1; k < hi; k++) repeatTotal += occ.total[k]!;
    kept.push(occ.customers.idAt(c));
    source.push(c);
    frequency.push(x);
    recency.push((occ.day[hi - 1]! - first) / unit);
    T.push((endDay - first) / unit);
    monetary.push(x > 0 ? repeatTotal / x : 0);
  }
  if (kept.length === 0)
    throw new RecokitError("EMPTY_DATA", where, "no customer has a purchase (a day with a positive total)");
  return {
    customers: IdIndex.from(kept),
    frequency: Float64Array.from(frequency),
    recency: Float64Array.from(recency),
    T: Float64Array.from(T),
    monetary: Float64Array.from(monetary),
    without,
    source: Int32Array.from(source),
    purchaseDays,
  };
}

/**
 * Turns transaction lines into the per-customer summary the BG/NBD and Gamma-Gamma models use.
 * Lines of a customer on one UTC day form one purchase occasion when their total is positive
 * (returns and zero-value days are counted, not purchases). Then:
 * frequency = occasions − 1; recency = (last − first occasion day) / unit;
 * T = (observation end day − first occasion day) / unit; monetary = mean total of the repeat
 * occasions (0 when there is none). Customers with all purchases on one day have frequency 0,
 * recency 0. O(n log n) at worst.
 *
 * @param rows - transaction lines (never modified); same accessors as {@link rfmTable}
 * @param options - accessors, time unit, end of observation
 * @returns columns for {@link fitBgNbd} / {@link fitGammaGamma} and a report
 * @throws RecokitError `EMPTY_DATA` without rows or purchases; `INVALID_INPUT` for invalid rows
 * (unless skipped), a bad unit, or a row after `observationEnd`.
 * @example
 * ```ts
 * import { repeatPurchaseSummary } from "recokit";
 * const day = 86_400_000, t0 = Date.UTC(2024, 0, 1);
 * const s = repeatPurchaseSummary([
 *   { customer: "ann", timestamp: t0, amount: 10 },
 *   { customer: "ann", timestamp: t0 + 7 * day, amount: 30 },
 *   { customer: "ann", timestamp: t0 + 14 * day, amount: 50 },
 *   { customer: "bob", timestamp: t0 + 3 * day, amount: 5 },
 * ], { unit: "week", observationEnd: t0 + 21 * day });
 * Array.from(s.frequency); // [2, 0]
 * Array.from(s.recency);   // [2, 0]
 * Array.from(s.T);         // [3, 2.571…]
 * Array.from(s.monetary);  // [40, 0]
 * ```
 */
export function repeatPurchaseSummary<R = TransactionRow>(
  rows: readonly R[],
  options: RepeatPurchaseSummaryOptions<R> = {},
): RepeatPurchaseSummary {
  const where = "repeatPurchaseSummary";
  const unit = unitDays(where, options.unit);
  const end = readTimeOption(where, "observationEnd", options.observationEnd);
  const tx = readTransactions(where, rows, options, false);
  const endDay = end === undefined ? Math.floor(tx.maxTime / DAY_MS) : Math.floor(end / DAY_MS);
  if (Math.floor(tx.maxTime / DAY_MS) > endDay)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `row ${tx.maxTimeRow}: timestamp ${isoTime(tx.maxTime)} is after the observation end ${isoTime(endDay * DAY_MS)}`,
    );
  const occ = occasionsOf(tx);
  const s = summarise(where, occ, endDay, unit);
  return {
    customers: s.customers,
    frequency: s.frequency,
    recency: s.recency,
    T: s.T,
    monetary: s.monetary,
    unitDays: unit,
    observationEnd: endDay * DAY_MS,
    report: {
      rows: rows.length,
      purchaseDays: s.purchaseDays,
      nonPositiveDays: occ.nonPositiveDays,
      customersWithoutPurchase: s.without,
      skipped: tx.skipped,
    },
  };
}

/** Options of {@link calibrationHoldoutSummary}. */
export interface CalibrationHoldoutOptions<R> extends TransactionAccessors<R> {
  /** Last moment of the calibration period (its UTC day is the last calibration day). Required. */
  readonly calibrationEnd: number | Date;
  /** End of the holdout period (default: the day of the last transaction). Later rows are counted and left out. */
  readonly observationEnd?: number | Date;
  /** Unit of recency, T and duration (default `"day"`). */
  readonly unit?: SummaryUnit;
}

/** The result of {@link calibrationHoldoutSummary}. */
export interface CalibrationHoldoutSummary {
  /** Summary of the calibration period, for customers whose first purchase falls in it. */
  readonly calibration: RepeatPurchaseSummary;
  /** Holdout behaviour of the same customers (aligned with `calibration.customers`). */
  readonly holdout: {
    /** Purchase occasions in the holdout period. */
    readonly frequency: Float64Array;
    /** Mean value of those occasions (0 without any). */
    readonly monetary: Float64Array;
    /** Length of the holdout period in units. */
    readonly duration: number;
  };
  /** Customers whose first purchase is in the holdout period (not in the calibration summary). */
  readonly newInHoldout: readonly Id[];
  /** Rows after the observation end, left out. */
  readonly rowsAfterObservation: number;
}

/**
 * Splits transactions at `calibrationEnd` for out-of-sample checks of customer-value models: the
 * calibration summary (as {@link repeatPurchaseSummary}, with T measured to the calibration end)
 * for customers who bought in the calibration period, and, for the same customers, their purchase
 * occasions and mean occasion value in the holdout period (calibration end, observation end].
 *
 * @param rows - transaction lines (never modified)
 * @param options - accessors, calibration end, observation end, unit
 * @returns calibration summary, aligned holdout columns, holdout-only customers, dropped rows
 * @throws RecokitError `INVALID_INPUT` when `calibrationEnd` is missing or not before
 * `observationEnd`; `EMPTY_DATA` when nobody bought in the calibration period.
 * @example
 * ```ts
 * import { calibrationHoldoutSummary } from "recokit";
 * const day = 86_400_000, t0 = Date.UTC(2024, 0, 1);
 * const split = calibrationHoldoutSummary([
 *   { customer: "ann", timestamp: t0, amount: 10 },
 *   { customer: "ann", timestamp: t0 + 5 * day, amount: 20 },
 *   { customer: "ann", timestamp: t0 + 12 * day, amount: 30 },
 *   { customer: "bob", timestamp: t0 + 11 * day, amount: 5 },
 * ], { calibrationEnd: t0 + 9 * day, observationEnd: t0 + 19 * day });
 * Array.from(split.calibration.frequency); // [1]   (ann)
 * Array.from(split.holdout.frequency);     // [1]
 * split.holdout.duration;                  // 10 (days)
 * split.newInHoldout;                      // ["bob"]
 * ```
 */
export function calibrationHoldoutSummary<R = TransactionRow>(
  rows: readonly R[],
  options: CalibrationHoldoutOptions<R>,
): CalibrationHoldoutSummary {
  const where = "calibrationHoldoutSummary";
  const unit = unitDays(where, options?.unit);
  const calEnd = readTimeOption(where, "calibrationEnd", options?.calibrationEnd);
  if (calEnd === undefined) throw new RecokitError("INVALID_INPUT", where, "calibrationEnd is required");
  const obsEnd = readTimeOption(where, "observationEnd", options.observationEnd);
  const tx = readTransactions(where, rows, options, false);
  const calDay = Math.floor(calEnd / DAY_MS);
  const endDay = obsEnd === undefined ? Math.floor(tx.maxTime / DAY_MS) : Math.floor(obsEnd / DAY_MS);
  if (!(endDay > calDay))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `calibrationEnd ${isoTime(calDay * DAY_MS)} must be a day before the observation end ${isoTime(endDay * DAY_MS)}`,
    );
  let rowsAfterObservation = 0;
  for (let j = 0; j < tx.n; j++) if (Math.floor(tx.time[j]! / DAY_MS) > endDay) rowsAfterObservation++;
  const occ = occasionsOf(tx);
  const s = summarise(where, occ, calDay, unit);
  const holdoutFrequency = new Float64Array(s.source.length);
  const holdoutMonetary = new Float64Array(s.source.length);
  s.source.forEach((c, i) => {
    let count = 0;
    let total = 0;
    for (let k = occ.ptr[c]!; k < occ.ptr[c + 1]!; k++) {
      const d = occ.day[k]!;
      if (d > calDay && d <= endDay) {
        count++;
        total += occ.total[k]!;
      }
    }
    holdoutFrequency[i] = count;
    holdoutMonetary[i] = count > 0 ? total / count : 0;
  });
  const newInHoldout: Id[] = [];
  for (let c = 0; c < occ.customers.size; c++) {
    const lo = occ.ptr[c]!;
    if (lo < occ.ptr[c + 1]! && occ.day[lo]! > calDay && occ.day[lo]! <= endDay)
      newInHoldout.push(occ.customers.idAt(c));
  }
  return {
    calibration: {
      customers: s.customers,
      frequency: s.frequency,
      recency: s.recency,
      T: s.T,
      monetary: s.monetary,
      unitDays: unit,
      observationEnd: calDay * DAY_MS,
      report: {
        rows: rows.length,
        purchaseDays: s.purchaseDays,
        nonPositiveDays: occ.nonPositiveDays,
        customersWithoutPurchase: s.without,
        skipped: tx.skipped,
      },
    },
    holdout: { frequency: holdoutFrequency, monetary: holdoutMonetary, duration: (endDay - calDay) / unit },
    newInHoldout,
    rowsAfterObservation,
  };
}
