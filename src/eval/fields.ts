import {
  type Accessor,
  describeValue,
  type Id,
  type Interaction,
  isValidId,
  RecokitError,
} from "../core/index.js";

/**
 * How evaluation functions read a row (d3's `valueof` convention). Every accessor is optional:
 * by default a row is an {@link Interaction} `{ user, item, value?, timestamp? }`.
 */
export interface EvalFields<R> {
  /** User id of a row (default `row.user`). */
  readonly user?: Accessor<R, Id>;
  /** Item id of a row (default `row.item`). */
  readonly item?: Accessor<R, Id>;
  /** Rating or weight of a row (default `row.value`); `undefined` means "no value". */
  readonly value?: Accessor<R, number | undefined>;
  /** Time of a row in epoch ms or a `Date` (default `row.timestamp`). */
  readonly timestamp?: Accessor<R, number | Date | undefined>;
}

/** {@link EvalFields} with every accessor filled in; carried by each split so runs read rows the same way. */
export interface ResolvedEvalFields<R> {
  readonly user: Accessor<R, Id>;
  readonly item: Accessor<R, Id>;
  readonly value: Accessor<R, number | undefined>;
  readonly timestamp: Accessor<R, number | Date | undefined>;
}

/** Fills in the default accessors. @internal */
export function resolveFields<R>(fields: EvalFields<R>): ResolvedEvalFields<R> {
  return {
    user: fields.user ?? ((r: R) => (r as Interaction).user),
    item: fields.item ?? ((r: R) => (r as Interaction).item),
    value: fields.value ?? ((r: R) => (r as Interaction).value),
    timestamp: fields.timestamp ?? ((r: R) => (r as Interaction).timestamp),
  };
}

/** The ids (and optionally times) of every row, validated once. @internal */
export interface ReadRows {
  readonly users: Id[];
  readonly items: Id[];
  /** Epoch ms per row; present when `needTime` was set. */
  readonly times?: Float64Array;
}

/**
 * Reads and validates the user and item id of every row (and its time when `needTime`); a value,
 * when present, must be a finite number. Throws `INVALID_INPUT` naming the first bad row.
 * @internal
 */
export function readRows<R>(
  where: string,
  rows: readonly R[],
  fields: ResolvedEvalFields<R>,
  needTime: boolean,
): ReadRows {
  if (!Array.isArray(rows)) throw new RecokitError("INVALID_INPUT", where, "rows must be an array");
  const n = rows.length;
  const users = new Array<Id>(n);
  const items = new Array<Id>(n);
  const times = needTime ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || row === undefined)
      throw new RecokitError("INVALID_INPUT", where, `row ${i}: row is empty`);
    const user = fields.user(row, i);
    const item = fields.item(row, i);
    if (!isValidId(user)) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: user id ${describeValue(user)} is not a string or finite number`,
      );
    }
    if (!isValidId(item)) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: item id ${describeValue(item)} is not a string or finite number`,
      );
    }
    const value = fields.value(row, i);
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `row ${i}: value ${describeValue(value)} is not a finite number`,
      );
    }
    users[i] = user;
    items[i] = item;
    if (times !== undefined) times[i] = readTime(where, fields, row, i);
  }
  return times === undefined ? { users, items } : { users, items, times };
}

/** A row's time in epoch ms; throws when it is missing or invalid. @internal */
export function readTime<R>(where: string, fields: ResolvedEvalFields<R>, row: R, i: number): number {
  const raw = fields.timestamp(row, i);
  const t = raw instanceof Date ? raw.getTime() : raw;
  if (typeof t !== "number" || !Number.isFinite(t)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `row ${i}: timestamp ${raw instanceof Date ? "Invalid Date" : describeValue(raw)} is not a valid time`,
    );
  }
  return t;
}
