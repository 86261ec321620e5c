import { RecokitError } from "../core/errors.js";

/**
 * One customer's repeat-purchase summary in the BG/NBD sense (Fader, Hardie & Lee 2005):
 * `frequency` x = number of repeat purchases (purchases after the first), `recency` tₓ = time from
 * the first to the last purchase, `T` = time from the first purchase to the end of observation,
 * all in one time unit; `monetary` = mean value of the repeat purchases (for Gamma-Gamma).
 */
export interface RepeatPurchaseRecord {
  readonly frequency: number;
  readonly recency: number;
  readonly T: number;
  readonly monetary?: number;
}

/** The same data in columns (e.g. a {@link RepeatPurchaseSummary}). */
export interface RepeatPurchaseColumns {
  readonly frequency: ArrayLike<number>;
  readonly recency: ArrayLike<number>;
  readonly T: ArrayLike<number>;
  readonly monetary?: ArrayLike<number>;
}

/** Repeat-purchase data as records or as columns. */
export type RepeatPurchaseData = readonly RepeatPurchaseRecord[] | RepeatPurchaseColumns;

/** Validated columns. @internal */
export interface RepeatColumns {
  readonly n: number;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  /** Present when every row has a monetary value. */
  readonly monetary?: Float64Array;
}

function column(
  where: string,
  data: RepeatPurchaseData,
  key: keyof RepeatPurchaseRecord,
  n: number,
): Float64Array | undefined {
  if (Array.isArray(data)) {
    const rows = data as readonly RepeatPurchaseRecord[];
    if (key === "monetary" && rows.some((r) => r?.monetary === undefined)) return undefined;
    return Float64Array.from(rows, (r, i) => {
      if (r === null || typeof r !== "object")
        throw new RecokitError("INVALID_INPUT", where, `row ${i}: not a repeat-purchase record`);
      return r[key] as number;
    });
  }
  const col = (data as RepeatPurchaseColumns)[key];
  if (col === undefined) {
    if (key === "monetary") return undefined;
    throw new RecokitError("INVALID_INPUT", where, `data.${key} is missing`);
  }
  if (col.length !== n)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `data.${key} has ${col.length} values, data.frequency ${n}`,
    );
  return Float64Array.from(col as ArrayLike<number>);
}

/**
 * Reads and validates repeat-purchase data: x a non-negative integer, 0 ≤ tₓ ≤ T, all finite;
 * `monetary` (when read) finite. A customer with x = 0 must have tₓ = 0.
 * @internal
 */
export function readRepeatData(
  where: string,
  data: RepeatPurchaseData,
  withMonetary: boolean,
): RepeatColumns {
  if (data === null || typeof data !== "object")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "data must be records or columns of frequency, recency, T",
    );
  const n = Array.isArray(data) ? data.length : (data as RepeatPurchaseColumns).frequency?.length;
  if (typeof n !== "number") throw new RecokitError("INVALID_INPUT", where, "data.frequency is missing");
  if (n === 0) throw new RecokitError("EMPTY_DATA", where, "there are no customers");
  const x = column(where, data, "frequency", n)!;
  const tx = column(where, data, "recency", n)!;
  const T = column(where, data, "T", n)!;
  const monetary = withMonetary ? column(where, data, "monetary", n) : undefined;
  if (withMonetary && monetary === undefined)
    throw new RecokitError("INVALID_INPUT", where, "every customer needs a monetary value");
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const ti = tx[i]!;
    const Ti = T[i]!;
    if (!Number.isInteger(xi) || xi < 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: frequency ${xi} is not a non-negative integer`,
      );
    if (!Number.isFinite(ti) || !Number.isFinite(Ti) || ti < 0 || ti > Ti)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: need 0 ≤ recency ≤ T, got recency ${ti}, T ${Ti}`,
      );
    if (xi === 0 && ti !== 0)
      throw new RecokitError("INVALID_INPUT", where, `row ${i}: recency ${ti} must be 0 when frequency is 0`);
    if (monetary !== undefined && !Number.isFinite(monetary[i]!))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: monetary ${monetary[i]} is not a finite number`,
      );
  }
  return monetary === undefined ? { n, x, tx, T } : { n, x, tx, T, monetary };
}
