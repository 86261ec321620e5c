/**
 * Stable error codes carried by every {@link RecokitError}.
 *
 * - `INVALID_INPUT`: an argument or a data row does not have the expected shape or value.
 * - `UNKNOWN_USER` / `UNKNOWN_ITEM` / `UNKNOWN_ID`: an external id that the model or index does not know.
 * - `EMPTY_DATA`: the input holds nothing to work on.
 * - `TOO_LARGE`: the request would exceed a size or memory budget; refused before allocating.
 * - `BAD_MODEL`: a serialised payload is corrupted, truncated, foreign or of an unsupported version.
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `INTERNAL`: an invariant the library checks on itself did not hold (a bug: please report it).
 */
export type RecokitErrorCode =
  | "INVALID_INPUT"
  | "UNKNOWN_USER"
  | "UNKNOWN_ITEM"
  | "UNKNOWN_ID"
  | "EMPTY_DATA"
  | "TOO_LARGE"
  | "BAD_MODEL"
  | "ABORTED"
  | "INTERNAL";

/**
 * The one error class recokit throws. `code` is stable across versions; `message` names the
 * function and the offending input, e.g. `indexInteractions: row 17: value NaN is not a finite number`.
 *
 * @example
 * ```ts
 * import { RecokitError } from "recokit";
 * try {
 *   throw new RecokitError("INVALID_INPUT", "fitItemKnn", "k must be a positive integer");
 * } catch (e) {
 *   if (e instanceof RecokitError && e.code === "INVALID_INPUT") console.log(e.message);
 *   // "fitItemKnn: k must be a positive integer"
 * }
 * ```
 */
export class RecokitError extends Error {
  /** Stable machine-readable code. */
  readonly code: RecokitErrorCode;
  /** The public function that raised the error. */
  readonly where: string;

  /**
   * @param code - stable error code
   * @param where - the public function that detected the problem
   * @param detail - what is wrong, naming the field or row
   */
  constructor(code: RecokitErrorCode, where: string, detail: string) {
    super(`${where}: ${detail}`);
    this.name = "RecokitError";
    this.code = code;
    this.where = where;
  }
}

/** Throws `INVALID_INPUT` unless `value` is an integer in `[min, max]`. @internal */
export function assertInteger(
  where: string,
  name: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${name} must be an integer ${range}, got ${String(value)}`,
    );
  }
}

/** Throws `INVALID_INPUT` unless `value` is a finite number in `[min, max]`. @internal */
export function assertFinite(
  where: string,
  name: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${name} must be a finite number${min > Number.NEGATIVE_INFINITY || max < Number.POSITIVE_INFINITY ? ` in [${min}, ${max}]` : ""}, got ${String(value)}`,
    );
  }
}

/** Throws `ABORTED` when the signal has fired. Call between chunks of long work. @internal */
export function throwIfAborted(where: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RecokitError("ABORTED", where, "the operation was aborted");
}
