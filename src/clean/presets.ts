import { RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import type { TimestampFormat } from "./timestamp.js";
import type {
  CleanBotsStep,
  CleanDetailLevel,
  CleanDwellStep,
  CleanKCoreStep,
  CleanOptions,
  CleanRow,
  CleanSchema,
  CleanStep,
} from "./types.js";

/**
 * A cleaned order line, the output of {@link transactionsPreset}. `customer` is never missing
 * (missing customers are dropped or filled by the preset); `timestamp` is epoch milliseconds (UTC);
 * `quantity` and `price` are finite numbers (positive unless the preset was told to keep others).
 */
export interface CleanTransaction {
  readonly invoice: string;
  readonly customer: string;
  readonly item: string;
  readonly description: string | null;
  readonly quantity: number;
  readonly price: number;
  readonly timestamp: number;
  readonly country: string | null;
  /** Present with `nonProduct: "flag"`. */
  readonly nonProduct?: boolean;
}

/** Fields of {@link CleanTransaction} read from the input. */
export type TransactionColumn =
  | "invoice"
  | "customer"
  | "item"
  | "description"
  | "quantity"
  | "price"
  | "timestamp"
  | "country";

/**
 * Default source columns of {@link transactionsPreset}: the first one present in the first row is
 * read. They cover the canonical names and the UCI Online Retail headers.
 *
 * @example
 * ```ts
 * import { TRANSACTION_COLUMNS, transactionsPreset } from "recokit";
 * TRANSACTION_COLUMNS.price; // ["price", "UnitPrice", "Price", "unit_price"]
 * transactionsPreset({ columns: { price: [...TRANSACTION_COLUMNS.price, "Amount"] } });
 * ```
 */
export const TRANSACTION_COLUMNS: Readonly<Record<TransactionColumn, readonly string[]>> = Object.freeze({
  invoice: ["invoice", "InvoiceNo", "Invoice", "invoice_no", "order_id", "OrderID"],
  customer: ["customer", "CustomerID", "Customer ID", "customer_id", "user_id"],
  item: ["item", "StockCode", "sku", "SKU", "product_id", "item_id"],
  description: ["description", "Description", "product_name", "title"],
  quantity: ["quantity", "Quantity", "qty"],
  price: ["price", "UnitPrice", "Price", "unit_price"],
  timestamp: ["timestamp", "InvoiceDate", "date", "order_date", "time"],
  country: ["country", "Country"],
});

/** Options of {@link transactionsPreset}; every rule can be switched. */
export interface TransactionsPresetOptions {
  /** Source column (or aliases) per field; default {@link TRANSACTION_COLUMNS}. */
  readonly columns?: Partial<Record<TransactionColumn, string | readonly string[]>>;
  /** Zone of timestamps without an offset (default `"UTC"`). */
  readonly timeZone?: string;
  /** How timestamps are written (default `"auto"`). */
  readonly timestampFormat?: TimestampFormat;
  /** Rows without a customer: dropped (default) or given a constant id. */
  readonly missingCustomer?: "drop" | { readonly fill: string };
  /** Exact duplicate lines: dropped (default) or kept. */
  readonly duplicates?: "drop" | "keep";
  /** Non-product lines (postage, fees …): dropped (default), flagged, or kept. */
  readonly nonProduct?: "drop" | "flag" | "keep";
  /** Patterns of non-product item codes (default `NON_PRODUCT_PATTERNS`). */
  readonly nonProductPatterns?: readonly (string | RegExp)[];
  /** Lines with price ≤ 0 and, after returns are handled, quantity ≤ 0: dropped (default) or kept. */
  readonly nonPositive?: "drop" | "keep";
  /** Cancellations and returns: dropped (default), netted against earlier purchases, or kept. */
  readonly cancellations?: "drop" | "net" | "keep";
  /** With `cancellations: "net"`: returns that match no purchase are dropped (default) or kept. */
  readonly unmatchedReturns?: "drop" | "keep";
  /** Invoice prefixes of cancellations (default `["C"]`). */
  readonly invoicePrefixes?: readonly string[];
  /** Steps appended after the preset's own (outliers, k-core …). */
  readonly extraSteps?: readonly CleanStep[];
  readonly onInvalid?: "drop" | "missing" | "throw";
  readonly details?: CleanDetailLevel;
}

/** Options every preset shares. */
interface PresetCommonOptions {
  readonly extraSteps?: readonly CleanStep[];
  readonly onInvalid?: "drop" | "missing" | "throw";
  readonly details?: CleanDetailLevel;
}

/** Appends the caller's extra steps and passes the shared options through. */
function finishPreset<T extends object>(
  where: string,
  schema: CleanSchema,
  steps: CleanStep[],
  options: PresetCommonOptions,
): CleanOptions<T> {
  if (options.extraSteps !== undefined) {
    if (!Array.isArray(options.extraSteps))
      throw new RecokitError("INVALID_INPUT", where, "extraSteps must be an array");
    steps.push(...options.extraSteps);
  }
  return {
    schema,
    steps,
    ...(options.onInvalid === undefined ? {} : { onInvalid: options.onInvalid }),
    ...(options.details === undefined ? {} : { details: options.details }),
  };
}

function sourceOf<K extends string>(
  where: string,
  field: K,
  columns: Partial<Record<K, string | readonly string[]>> | undefined,
  defaults: Readonly<Record<K, readonly string[]>>,
): readonly string[] {
  const given = columns?.[field];
  if (given === undefined) return defaults[field];
  const list = typeof given === "string" ? [given] : given;
  if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== "string"))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `columns.${field} must be a column name or a list of them`,
    );
  return list;
}

function choice<T extends string>(
  where: string,
  key: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = value === undefined ? fallback : value;
  if (!allowed.includes(v as T))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${key} must be one of ${allowed.join(", ")}, got ${describeValue(value)}`,
    );
  return v as T;
}

function fillOf(where: string, key: string, value: unknown): { value: string } | "drop" {
  if (value === undefined || value === "drop") return "drop";
  const fill = (value as { fill?: unknown } | null)?.fill;
  if (typeof fill !== "string" || fill.trim() === "")
    throw new RecokitError("INVALID_INPUT", where, `${key} must be "drop" or { fill: "<id>" }`);
  return { value: fill };
}

function checkColumns(where: string, columns: unknown, known: readonly string[]): void {
  if (columns === undefined) return;
  if (columns === null || typeof columns !== "object")
    throw new RecokitError("INVALID_INPUT", where, "columns must be an object");
  for (const key of Object.keys(columns))
    if (!known.includes(key))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `columns.${key} is not a field (fields: ${known.join(", ")})`,
      );
}

/**
 * The cleaning pipeline for order lines (invoice, customer, item, description, quantity, price,
 * timestamp, country), ready for `clean`, `cleanStream` and `audit`; rows come out as
 * {@link CleanTransaction}. Steps, in this order (each optional):
 *
 * 0. schema: ids normalised (`"17850.0"` → `"17850"`), numbers parsed, timestamps read (in
 *    `timeZone`); rows with a missing or unreadable invoice, item, quantity, price or timestamp are
 *    dropped (`"missing …"`, `"invalid …"`);
 * 1. missing customer: dropped (`"missing customer"`) or filled;
 * 2. exact duplicates (`"exact duplicate"`);
 * 3. non-product lines (`"non-product line"`);
 * 4. price ≤ 0 (`"non-positive price"`);
 * 5. cancellations and returns: dropped (`"cancellation"`, `"negative quantity"`) or netted;
 * 6. quantity ≤ 0 (`"non-positive quantity"`; only zero quantities, `"zero quantity"`, when returns
 *    are kept);
 * 7. `extraSteps`.
 *
 * Counts per reason depend on this order (a cancelled line without a customer counts as
 * `"missing customer"`); the kept rows and the identity `input = kept + Σ dropped` do not.
 * Duplicates are removed before netting so that a copied line is not netted twice.
 *
 * @param options - column mapping, time zone and the rule switches
 * @returns clean options typed for {@link CleanTransaction}
 * @throws RecokitError `INVALID_INPUT` for an unknown option value.
 * @example
 * ```ts
 * import { clean, parseCsv, transactionsPreset } from "recokit";
 * const csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
 *   "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n" +
 *   "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n";
 * const { rows, report } = clean(parseCsv(csv).records, transactionsPreset({ nonProduct: "keep" }));
 * rows[0]?.customer;      // "17850"
 * rows[0]?.timestamp;     // 1291191960000
 * report.droppedByReason; // { cancellation: 1 }
 * ```
 */
export function transactionsPreset(options: TransactionsPresetOptions = {}): CleanOptions<CleanTransaction> {
  const where = "transactionsPreset";
  const fields = Object.keys(TRANSACTION_COLUMNS) as TransactionColumn[];
  checkColumns(where, options.columns, fields);
  const from = (f: TransactionColumn) => sourceOf(where, f, options.columns, TRANSACTION_COLUMNS);
  const ts = { timeZone: options.timeZone, format: options.timestampFormat };
  const schema: CleanSchema = {
    invoice: { type: "id", from: from("invoice"), required: true },
    customer: { type: "id", from: from("customer") },
    item: { type: "id", from: from("item"), required: true },
    description: { type: "string", from: from("description") },
    quantity: { type: "number", from: from("quantity"), required: true },
    price: { type: "number", from: from("price"), required: true },
    timestamp: {
      type: "timestamp",
      from: from("timestamp"),
      required: true,
      ...(ts.timeZone === undefined ? {} : { timeZone: ts.timeZone }),
      ...(ts.format === undefined ? {} : { format: ts.format }),
    },
    country: { type: "category", from: from("country") },
  };
  const duplicates = choice(where, "duplicates", options.duplicates, ["drop", "keep"] as const, "drop");
  const nonProduct = choice(
    where,
    "nonProduct",
    options.nonProduct,
    ["drop", "flag", "keep"] as const,
    "drop",
  );
  const nonPositive = choice(where, "nonPositive", options.nonPositive, ["drop", "keep"] as const, "drop");
  const cancellations = choice(
    where,
    "cancellations",
    options.cancellations,
    ["drop", "net", "keep"] as const,
    "drop",
  );
  const unmatched = choice(
    where,
    "unmatchedReturns",
    options.unmatchedReturns,
    ["drop", "keep"] as const,
    "drop",
  );
  const missing = fillOf(where, "missingCustomer", options.missingCustomer);
  const steps: CleanStep[] = [
    {
      step: "missing",
      fields: { customer: missing },
      label: missing === "drop" ? "missing customer" : "missing customer (filled)",
    },
  ];
  if (duplicates === "drop") steps.push({ step: "duplicates", label: "exact duplicates" });
  if (nonProduct !== "keep") {
    steps.push({
      step: "nonProduct",
      action: nonProduct,
      ...(options.nonProductPatterns === undefined ? {} : { patterns: options.nonProductPatterns }),
    });
  }
  if (nonPositive === "drop")
    steps.push({ step: "range", field: "price", greaterThan: 0, label: "price > 0" });
  const prefixes = options.invoicePrefixes === undefined ? {} : { invoicePrefixes: options.invoicePrefixes };
  if (cancellations === "drop")
    steps.push({ step: "returns", action: "drop", label: "cancellations and returns (drop)", ...prefixes });
  else if (cancellations === "net")
    steps.push({
      step: "returns",
      action: "net",
      unmatched,
      label: "cancellations and returns (net)",
      ...prefixes,
    });
  if (nonPositive === "drop") {
    const keepsReturns = cancellations === "keep" || (cancellations === "net" && unmatched === "keep");
    steps.push(
      keepsReturns
        ? {
            step: "filter",
            label: "quantity ≠ 0",
            reason: "zero quantity",
            keep: (row: Readonly<CleanRow>) => row.quantity !== 0,
          }
        : { step: "range", field: "quantity", greaterThan: 0, label: "quantity > 0" },
    );
  }
  return finishPreset(where, schema, steps, options);
}

/**
 * A cleaned behaviour event, the output of {@link eventsPreset}: `type` is lower-cased, `timestamp`
 * is epoch milliseconds (UTC), `session` and `value` may be missing.
 */
export interface CleanEvent {
  readonly user: string;
  readonly item: string;
  readonly type: string;
  readonly timestamp: number;
  readonly session: string | null;
  readonly value: number | null;
  /** Present when bots are flagged instead of dropped. */
  readonly bot?: boolean;
  /** Present when sessions without dwell are flagged instead of dropped. */
  readonly noDwell?: boolean;
}

/** Fields of {@link CleanEvent} read from the input. */
export type EventColumn = "user" | "item" | "type" | "timestamp" | "session" | "value";

/**
 * Default source columns of {@link eventsPreset}: the first one present in the first row is read.
 *
 * @example
 * ```ts
 * import { EVENT_COLUMNS, eventsPreset } from "recokit";
 * EVENT_COLUMNS.type; // ["type", "event", "event_type", "eventType", "action"]
 * eventsPreset({ columns: { type: [...EVENT_COLUMNS.type, "behaviour"] } });
 * ```
 */
export const EVENT_COLUMNS: Readonly<Record<EventColumn, readonly string[]>> = Object.freeze({
  user: ["user", "userId", "user_id", "visitorid", "visitor_id", "customer"],
  item: ["item", "itemId", "item_id", "itemid", "product_id", "sku"],
  type: ["type", "event", "event_type", "eventType", "action"],
  timestamp: ["timestamp", "time", "ts", "event_time", "date"],
  session: ["session", "sessionId", "session_id"],
  value: ["value", "rating", "amount", "price"],
});

/** Options of {@link eventsPreset}. */
export interface EventsPresetOptions {
  /** Source column (or aliases) per field; default {@link EVENT_COLUMNS}. */
  readonly columns?: Partial<Record<EventColumn, string | readonly string[]>>;
  readonly timeZone?: string;
  readonly timestampFormat?: TimestampFormat;
  /** Allowed event types (lower case); others are invalid. Default: any. */
  readonly types?: readonly string[];
  /** Events without a user: dropped (default) or given a constant id. */
  readonly missingUser?: "drop" | { readonly fill: string };
  /** Exact duplicates: dropped (default) or kept. */
  readonly duplicates?: "drop" | "keep";
  /** Repeats of the same user, item and type within this many ms are dropped (default 2000; false: off). */
  readonly repeatWindowMs?: number | false;
  /** Bot rule (default `{}`: more than 15 events in any minute; false: off). */
  readonly bots?: false | Omit<CleanBotsStep, "step" | "user" | "time">;
  /** Sessions without dwell (default off). */
  readonly noDwell?: false | Omit<CleanDwellStep, "step" | "user" | "time" | "session">;
  /** k-core filter (default off). */
  readonly kcore?: false | Omit<CleanKCoreStep, "step" | "user" | "item">;
  readonly extraSteps?: readonly CleanStep[];
  readonly onInvalid?: "drop" | "missing" | "throw";
  readonly details?: CleanDetailLevel;
}

/**
 * The cleaning pipeline for behaviour events (user, item, event type, timestamp, optional session
 * and value); rows come out as {@link CleanEvent}. Steps, in this order (each optional):
 *
 * 0. schema: ids normalised, type lower-cased (and checked against `types`), timestamp read; rows
 *    with a missing or unreadable item, type or timestamp are dropped;
 * 1. missing user: dropped or filled;
 * 2. exact duplicates;
 * 3. repeats within `repeatWindowMs` of the same user, item and type (`"repeat within … ms"`);
 * 4. bots (`"bot (event rate)"`, …);
 * 5. sessions without dwell (by `session` where present, else per user split at 30-minute gaps);
 * 6. k-core;
 * 7. `extraSteps`.
 *
 * @param options - column mapping, time zone and rule switches
 * @returns clean options typed for {@link CleanEvent}
 * @throws RecokitError `INVALID_INPUT` for an unknown option value.
 * @example
 * ```ts
 * import { clean, eventsPreset } from "recokit";
 * const raw = [
 *   { user: "u1", item: "i1", type: "VIEW", timestamp: 1700000000 },
 *   { user: "u1", item: "i1", type: "view", timestamp: 1700000001 },
 *   { user: "", item: "i2", type: "cart", timestamp: 1700000100 },
 * ];
 * const { rows, report } = clean(raw, eventsPreset());
 * rows.length;            // 1
 * report.droppedByReason; // { "missing user": 1, "repeat within 2000 ms": 1 }
 * ```
 */
export function eventsPreset(options: EventsPresetOptions = {}): CleanOptions<CleanEvent> {
  const where = "eventsPreset";
  const fields = Object.keys(EVENT_COLUMNS) as EventColumn[];
  checkColumns(where, options.columns, fields);
  const from = (f: EventColumn) => sourceOf(where, f, options.columns, EVENT_COLUMNS);
  if (
    options.types !== undefined &&
    (!Array.isArray(options.types) || options.types.some((t) => typeof t !== "string"))
  )
    throw new RecokitError("INVALID_INPUT", where, "types must be an array of strings");
  const schema: CleanSchema = {
    user: { type: "id", from: from("user") },
    item: { type: "id", from: from("item"), required: true },
    type: {
      type: "category",
      from: from("type"),
      required: true,
      case: "lower",
      ...(options.types === undefined ? {} : { values: options.types.map((t) => t.toLowerCase()) }),
    },
    timestamp: {
      type: "timestamp",
      from: from("timestamp"),
      required: true,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
      ...(options.timestampFormat === undefined ? {} : { format: options.timestampFormat }),
    },
    session: { type: "id", from: from("session") },
    value: { type: "number", from: from("value") },
  };
  const missing = fillOf(where, "missingUser", options.missingUser);
  const duplicates = choice(where, "duplicates", options.duplicates, ["drop", "keep"] as const, "drop");
  const steps: CleanStep[] = [
    {
      step: "missing",
      fields: { user: missing },
      label: missing === "drop" ? "missing user" : "missing user (filled)",
    },
  ];
  if (duplicates === "drop") steps.push({ step: "duplicates", label: "exact duplicates" });
  const window = options.repeatWindowMs ?? 2000;
  if (window !== false) {
    if (typeof window !== "number" || !(window >= 0))
      throw new RecokitError("INVALID_INPUT", where, `repeatWindowMs must be a number ≥ 0 or false`);
    steps.push({ step: "duplicates", mode: "window", keys: ["user", "item", "type"], windowMs: window });
  }
  const bots = options.bots ?? {};
  if (bots !== false) steps.push({ ...bots, step: "bots", user: "user", time: "timestamp" });
  const dwell = options.noDwell ?? false;
  if (dwell !== false)
    steps.push({ ...dwell, step: "dwell", session: "session", user: "user", time: "timestamp" });
  const kcore = options.kcore ?? false;
  if (kcore !== false) steps.push({ ...kcore, step: "kcore", user: "user", item: "item" });
  return finishPreset(where, schema, steps, options);
}
