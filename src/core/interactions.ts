import { type Csr, csrLayersFromTriplets, type DuplicateRule } from "./csr.js";
import { RecokitError } from "./errors.js";
import { describeValue, type Id, type IdIndex, IdIndexBuilder, isValidId } from "./id-index.js";

/** A plain interaction row. `value` defaults to 1; `timestamp` is epoch milliseconds or a Date. */
export interface Interaction {
  readonly user: Id;
  readonly item: Id;
  readonly value?: number;
  readonly timestamp?: number | Date;
  readonly type?: string;
}

/** Reads a field of any row shape (d3's `valueof` convention): `(row, rowIndex) → value`. */
export type Accessor<R, T> = (row: R, index: number) => T;

/** Options of {@link indexInteractions}. */
export interface IndexInteractionsOptions<R> {
  /** User id of a row (default `row.user`). */
  readonly user?: Accessor<R, Id>;
  /** Item id of a row (default `row.item`). */
  readonly item?: Accessor<R, Id>;
  /** Value of a row (default `row.value`, or 1 when absent). Must be finite. */
  readonly value?: Accessor<R, number | undefined>;
  /** Timestamp of a row in epoch ms or a Date (default `row.timestamp`); optional. */
  readonly timestamp?: Accessor<R, number | Date | undefined>;
  /** Event type of a row (default `row.type`); used with `typeWeights`. */
  readonly type?: Accessor<R, string | undefined>;
  /**
   * Multiplies each row's value by its type's weight, e.g. `{ view: 1, cart: 3, purchase: 5 }`.
   * A row whose type has no weight is invalid.
   */
  readonly typeWeights?: Readonly<Record<string, number>>;
  /** How rows for the same (user, item) combine (default `"sum"`; `"last"` suits explicit ratings). */
  readonly duplicates?: DuplicateRule;
  /** `"throw"` (default): the first invalid row raises; `"skip"`: invalid rows are counted and left out. */
  readonly onInvalid?: "throw" | "skip";
  /**
   * Fixed user vocabulary (e.g. a training set's): rows with other users are invalid.
   * Default: built from the rows in first-seen order.
   */
  readonly users?: IdIndex;
  /** Fixed item vocabulary; as `users`. */
  readonly items?: IdIndex;
  /** Value storage of the matrix (default `"float64"`). */
  readonly dtype?: "float64" | "float32";
}

/** Rows left out by {@link indexInteractions} with `onInvalid: "skip"`. */
export interface SkippedRows {
  /** How many rows were left out. */
  readonly count: number;
  /** Input positions of the rows left out, in order. */
  readonly rows: Int32Array;
  /** How many rows each reason accounts for. */
  readonly reasons: Readonly<Record<string, number>>;
}

/** The result of {@link indexInteractions}. */
export interface IndexedInteractions {
  readonly users: IdIndex;
  readonly items: IdIndex;
  /** users × items matrix of combined values. */
  readonly matrix: Csr;
  /**
   * Latest timestamp (epoch ms) of each stored matrix entry, aligned with `matrix.data`;
   * present when any row had a timestamp (cells with none hold NaN).
   */
  readonly timestamps?: Float64Array;
  /** Rows left out (always 0 with `onInvalid: "throw"`). `input rows = used + skipped.count`. */
  readonly skipped: SkippedRows;
}

const WHERE = "indexInteractions";

/**
 * Turns interaction rows into dense id indexes and a users × items sparse matrix.
 * Every row is validated: a missing or malformed id, a non-finite value, an invalid timestamp or an
 * unweighted type is a `RecokitError` naming the row, unless `onInvalid: "skip"`, in which case
 * such rows are counted by reason and their positions returned. O(n) plus two counting sorts.
 *
 * @param rows - interaction rows (never modified)
 * @param options - accessors, duplicate rule, vocabularies
 * @returns ids both ways, the matrix, aligned timestamps, and what was skipped
 * @throws RecokitError `INVALID_INPUT` on the first invalid row (default mode)
 * @example
 * ```ts
 * import { indexInteractions } from "recokit";
 * const { users, items, matrix } = indexInteractions([
 *   { user: "ann", item: "tea", value: 2 },
 *   { user: "bob", item: "mug" },
 *   { user: "ann", item: "tea", value: 1 },
 * ]);
 * users.size; items.size;  // 2, 2
 * Array.from(matrix.data); // [3, 1]   (ann·tea summed)
 * ```
 */
export function indexInteractions<R = Interaction>(
  rows: readonly R[],
  options: IndexInteractionsOptions<R> = {},
): IndexedInteractions {
  if (!Array.isArray(rows)) throw new RecokitError("INVALID_INPUT", WHERE, "rows must be an array");
  const getUser = options.user ?? ((r: R) => (r as Interaction).user);
  const getItem = options.item ?? ((r: R) => (r as Interaction).item);
  const getValue = options.value ?? ((r: R) => (r as Interaction).value);
  const getTime = options.timestamp ?? ((r: R) => (r as Interaction).timestamp);
  const getType = options.type ?? ((r: R) => (r as Interaction).type);
  const weights = options.typeWeights;
  const skip = (options.onInvalid ?? "throw") === "skip";
  if (options.onInvalid !== undefined && options.onInvalid !== "throw" && options.onInvalid !== "skip") {
    throw new RecokitError("INVALID_INPUT", WHERE, `onInvalid must be "throw" or "skip"`);
  }

  const userBuilder = options.users === undefined ? new IdIndexBuilder() : undefined;
  const itemBuilder = options.items === undefined ? new IdIndexBuilder() : undefined;
  const n = rows.length;
  const u = new Int32Array(n);
  const it = new Int32Array(n);
  const v = new Float64Array(n);
  let ts: Float64Array | undefined;
  let used = 0;
  const skippedRows: number[] = [];
  const reasons: Record<string, number> = {};

  const reject = (i: number, reason: string, detail: string): void => {
    if (!skip) throw new RecokitError("INVALID_INPUT", WHERE, `row ${i}: ${detail}`);
    skippedRows.push(i);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };

  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row === null || row === undefined) {
      reject(i, "missing row", "row is empty");
      continue;
    }
    const userId = getUser(row, i);
    const itemId = getItem(row, i);
    if (!isValidId(userId)) {
      reject(i, "invalid user", `user id ${describeValue(userId)} is not a string or finite number`);
      continue;
    }
    if (!isValidId(itemId)) {
      reject(i, "invalid item", `item id ${describeValue(itemId)} is not a string or finite number`);
      continue;
    }
    const rawValue = getValue(row, i);
    let value = rawValue === undefined ? 1 : rawValue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      reject(i, "invalid value", `value ${describeValue(rawValue)} is not a finite number`);
      continue;
    }
    if (weights !== undefined) {
      const type = getType(row, i);
      const w = type === undefined ? undefined : Object.hasOwn(weights, type) ? weights[type] : undefined;
      if (w === undefined || !Number.isFinite(w)) {
        reject(i, "unweighted type", `event type ${describeValue(type)} has no weight in typeWeights`);
        continue;
      }
      value *= w;
    }
    const rawTime = getTime(row, i);
    let time = Number.NaN;
    if (rawTime !== undefined) {
      time = rawTime instanceof Date ? rawTime.getTime() : rawTime;
      if (typeof time !== "number" || !Number.isFinite(time)) {
        reject(i, "invalid timestamp", `timestamp ${describeValue(rawTime)} is not a valid time`);
        continue;
      }
    }
    const ui =
      userBuilder !== undefined ? userBuilder.add(userId) : options.users!.indexOf(userId, "minus-one");
    if (ui < 0) {
      reject(i, "unknown user", `user ${describeValue(userId)} is not in the given user index`);
      continue;
    }
    const ii =
      itemBuilder !== undefined ? itemBuilder.add(itemId) : options.items!.indexOf(itemId, "minus-one");
    if (ii < 0) {
      reject(i, "unknown item", `item ${describeValue(itemId)} is not in the given item index`);
      continue;
    }
    u[used] = ui;
    it[used] = ii;
    v[used] = value;
    if (rawTime !== undefined) {
      ts ??= new Float64Array(n).fill(Number.NaN);
      ts[used] = time;
    }
    used++;
  }

  const users = userBuilder !== undefined ? userBuilder.build() : options.users!;
  const items = itemBuilder !== undefined ? itemBuilder.build() : options.items!;
  const rowsUsed = u.subarray(0, used);
  const colsUsed = it.subarray(0, used);
  const values = {
    values: v.subarray(0, used),
    duplicates: options.duplicates ?? "sum",
    dtype: options.dtype ?? "float64",
  } as const;
  const skipped = { count: skippedRows.length, rows: Int32Array.from(skippedRows), reasons };
  if (ts === undefined) {
    const [matrix] = csrLayersFromTriplets(rowsUsed, colsUsed, users.size, items.size, [values]);
    return { users, items, matrix: matrix!, skipped };
  }
  // cells without any timestamp carry a finite sentinel through the "max" rule, then become NaN
  const NO_TIME = -Number.MAX_VALUE;
  const times = ts.subarray(0, used);
  for (let j = 0; j < used; j++) if (Number.isNaN(times[j]!)) times[j] = NO_TIME;
  const [matrix, latest] = csrLayersFromTriplets(rowsUsed, colsUsed, users.size, items.size, [
    values,
    { values: times, duplicates: "max" },
  ]);
  const timestamps = latest!.data as Float64Array;
  for (let j = 0; j < timestamps.length; j++) if (timestamps[j] === NO_TIME) timestamps[j] = Number.NaN;
  return { users, items, matrix: matrix!, timestamps, skipped };
}
