import { RecokitError } from "../core/errors.js";
import { describeValue, type Id, type IdIndex, IdIndexBuilder, isValidId } from "../core/id-index.js";
import type { Accessor, SkippedRows } from "../core/interactions.js";

/** Milliseconds in a day. @internal */
export const DAY_MS = 86_400_000;

/**
 * A plain transaction (order line) row. `amount` is the line's value; when it is absent the value
 * is `quantity × price`. `invoice` (or `order`) groups lines into orders; `timestamp` is epoch
 * milliseconds or a Date.
 */
export interface TransactionRow {
  readonly customer: Id | null | undefined;
  readonly invoice?: Id | null;
  readonly order?: Id | null;
  readonly timestamp: number | Date;
  readonly amount?: number;
  readonly quantity?: number;
  readonly price?: number;
}

/**
 * How to read transaction rows of any shape (d3's `valueof` convention, as in `indexInteractions`).
 * Every accessor has a default reading the {@link TransactionRow} field of the same name.
 */
export interface TransactionAccessors<R> {
  /** Customer id of a row (default `row.customer`). A missing id makes the row invalid. */
  readonly customer?: Accessor<R, Id | null | undefined>;
  /**
   * Order (invoice) id of a row (default `row.invoice ?? row.order`). Rows of one customer with the
   * same order id form one order. A row without an order id forms an order with the other rows
   * of its customer that share its exact timestamp.
   */
  readonly order?: Accessor<R, Id | null | undefined>;
  /** Time of a row, epoch ms or a Date (default `row.timestamp`). */
  readonly timestamp?: Accessor<R, number | Date>;
  /** Value of a row, negative for returns (default `row.amount`, else `row.quantity * row.price`). */
  readonly amount?: Accessor<R, number | undefined>;
  /**
   * `"throw"` (default): the first invalid row raises a `RecokitError` naming it; `"skip"`: invalid
   * rows are left out, counted by reason and their positions reported.
   */
  readonly onInvalid?: "throw" | "skip";
}

/** Validated transactions in columns. @internal */
export interface TransactionColumns {
  readonly customers: IdIndex;
  /** Number of valid rows. */
  readonly n: number;
  readonly customer: Int32Array;
  readonly time: Float64Array;
  readonly amount: Float64Array;
  /** Order of each valid row (present when orders were requested). */
  readonly order?: Int32Array;
  readonly nOrders: number;
  readonly skipped: SkippedRows;
  /** Latest time of any valid row and the input position of that row. */
  readonly maxTime: number;
  readonly maxTimeRow: number;
}

interface DefaultRow {
  customer?: unknown;
  invoice?: unknown;
  order?: unknown;
  timestamp?: unknown;
  amount?: unknown;
  quantity?: unknown;
  price?: unknown;
}

function defaultAmount(row: DefaultRow): number | undefined {
  if (row.amount !== undefined) return row.amount as number;
  const { quantity, price } = row;
  if (typeof quantity !== "number" || typeof price !== "number") return undefined;
  return quantity * price;
}

function defaultOrder(row: DefaultRow): Id | null | undefined {
  return (row.invoice ?? row.order) as Id | null | undefined;
}

/** Formats an epoch-ms time for messages. @internal */
export function isoTime(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** Reads an optional time option (epoch ms or Date) and checks it is finite. @internal */
export function readTimeOption(
  where: string,
  name: string,
  value: number | Date | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== "number" || !Number.isFinite(t))
    throw new RecokitError("INVALID_INPUT", where, `${name} ${describeValue(value)} is not a valid time`);
  return t;
}

/**
 * Validates and columnises transaction rows: ids to dense indices, times to epoch ms, values to
 * numbers; with `withOrders`, lines are grouped into orders per customer. O(n) with hash lookups;
 * consecutive lines of the same order (the usual export layout) skip the lookup.
 * @internal
 */
export function readTransactions<R>(
  where: string,
  rows: readonly R[],
  options: TransactionAccessors<R>,
  withOrders: boolean,
): TransactionColumns {
  if (!Array.isArray(rows)) throw new RecokitError("INVALID_INPUT", where, "rows must be an array");
  if (rows.length === 0) throw new RecokitError("EMPTY_DATA", where, "there are no transaction rows");
  const onInvalid = options.onInvalid ?? "throw";
  if (onInvalid !== "throw" && onInvalid !== "skip")
    throw new RecokitError("INVALID_INPUT", where, `onInvalid must be "throw" or "skip"`);
  const skip = onInvalid === "skip";
  const getCustomer = options.customer ?? ((r: R) => (r as DefaultRow).customer as Id | null | undefined);
  const getOrder = options.order ?? ((r: R) => defaultOrder(r as DefaultRow));
  const getTime = options.timestamp ?? ((r: R) => (r as DefaultRow).timestamp as number | Date);
  const getAmount = options.amount ?? ((r: R) => defaultAmount(r as DefaultRow));

  const n = rows.length;
  const builder = new IdIndexBuilder();
  const customer = new Int32Array(n);
  const time = new Float64Array(n);
  const amount = new Float64Array(n);
  const order = withOrders ? new Int32Array(n) : undefined;
  const orders = new OrderKeys();
  const skippedRows: number[] = [];
  const reasons: Record<string, number> = {};
  let used = 0;
  let maxTime = Number.NEGATIVE_INFINITY;
  let maxTimeRow = -1;
  // lines of one order are usually adjacent: remember the last customer to skip its lookup
  let lastId: Id | undefined;
  let lastIndex = -1;
  const customerIndex = (id: Id): number => {
    if (id !== lastId) {
      lastId = id;
      lastIndex = builder.add(id);
    }
    return lastIndex;
  };

  const reject = (i: number, reason: string, detail: string): void => {
    if (!skip) throw new RecokitError("INVALID_INPUT", where, `row ${i}: ${detail}`);
    skippedRows.push(i);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };

  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || row === undefined) {
      reject(i, "missing row", "row is empty");
      continue;
    }
    const id = getCustomer(row, i);
    if (!isValidId(id)) {
      reject(i, "invalid customer", `customer id ${describeValue(id)} is not a string or finite number`);
      continue;
    }
    const rawTime = getTime(row, i);
    const t = rawTime instanceof Date ? rawTime.getTime() : rawTime;
    if (typeof t !== "number" || !Number.isFinite(t)) {
      reject(i, "invalid timestamp", `timestamp ${describeValue(rawTime)} is not a valid time`);
      continue;
    }
    const value = getAmount(row, i);
    if (typeof value !== "number" || !Number.isFinite(value)) {
      reject(i, "invalid amount", `amount ${describeValue(value)} is not a finite number`);
      continue;
    }
    if (order !== undefined) {
      const orderId = getOrder(row, i);
      if (orderId !== undefined && orderId !== null && !isValidId(orderId)) {
        reject(i, "invalid order", `order id ${describeValue(orderId)} is not a string or finite number`);
        continue;
      }
      const c = customerIndex(id);
      order[used] = orders.indexOf(c, orderId ?? undefined, t);
      customer[used] = c;
    } else {
      customer[used] = customerIndex(id);
    }
    time[used] = t;
    amount[used] = value;
    if (t > maxTime) {
      maxTime = t;
      maxTimeRow = i;
    }
    used++;
  }
  const skipped: SkippedRows = {
    count: skippedRows.length,
    rows: Int32Array.from(skippedRows),
    reasons,
  };
  if (used === 0)
    throw new RecokitError("EMPTY_DATA", where, `all ${n} rows are invalid (${describeReasons(reasons)})`);
  const columns: TransactionColumns = {
    customers: builder.build(),
    n: used,
    customer: customer.subarray(0, used),
    time: time.subarray(0, used),
    amount: amount.subarray(0, used),
    nOrders: orders.size,
    skipped,
    maxTime,
    maxTimeRow,
  };
  return order === undefined ? columns : { ...columns, order: order.subarray(0, used) };
}

function describeReasons(reasons: Readonly<Record<string, number>>): string {
  return Object.entries(reasons)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}

/**
 * Dense order numbers for (customer, order id) pairs. An order id normally belongs to one
 * customer, so the first map is keyed by the id alone; an id seen again with another customer
 * (or a row without an id, keyed by its timestamp) goes through a composite key.
 */
class OrderKeys {
  readonly #byId = new Map<Id, number>();
  readonly #owner: number[] = [];
  readonly #composite = new Map<string, number>();
  #lastId: Id | undefined = undefined;
  #lastCustomer = -1;
  #lastOrder = -1;

  get size(): number {
    return this.#owner.length;
  }

  indexOf(customer: number, id: Id | undefined, time: number): number {
    if (id === undefined) return this.#compositeIndex(`t|${customer}|${time}`, customer);
    if (id === this.#lastId && customer === this.#lastCustomer) return this.#lastOrder;
    let k = this.#byId.get(id);
    if (k === undefined) {
      k = this.#owner.length;
      this.#owner.push(customer);
      this.#byId.set(id, k);
    } else if (this.#owner[k] !== customer) {
      k = this.#compositeIndex(`${typeof id === "number" ? "n" : "s"}|${customer}|${id}`, customer);
    }
    this.#lastId = id;
    this.#lastCustomer = customer;
    this.#lastOrder = k;
    return k;
  }

  #compositeIndex(key: string, customer: number): number {
    let k = this.#composite.get(key);
    if (k === undefined) {
      k = this.#owner.length;
      this.#owner.push(customer);
      this.#composite.set(key, k);
    }
    return k;
  }
}
