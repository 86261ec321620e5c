import { RecokitError } from "./errors.js";

/** An external identifier: a string, or a finite number. `0` and `"0"` are different ids; `-0` is `0`. */
export type Id = string | number;

/** What a lookup does with an id the index does not hold. */
export type OnUnknownId = "throw" | "minus-one";

/** Checks that `id` is a usable external id (a string, or a finite number). @internal */
export function isValidId(id: unknown): id is Id {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/**
 * A two-way map between external ids (`string | number`) and dense indices `0 … size-1`,
 * in first-seen order (LensKit calls it a vocabulary). Built on `Map`, so ids such as
 * `"__proto__"`, `"constructor"` or `""` are ordinary ids, and `0` differs from `"0"`.
 *
 * Lookups are O(1). An index is immutable once built; use {@link IdIndex.from} or
 * {@link IdIndexBuilder}.
 *
 * @example
 * ```ts
 * import { IdIndex } from "recokit";
 * const users = IdIndex.from(["ann", "bob", 0, "0"]);
 * users.size;              // 4
 * users.indexOf("bob");    // 1
 * users.idAt(3);           // "0"
 * users.indexOf("zoe", "minus-one"); // -1
 * ```
 */
export class IdIndex {
  readonly #ids: readonly Id[];
  readonly #index: ReadonlyMap<Id, number>;

  private constructor(ids: readonly Id[], index: ReadonlyMap<Id, number>) {
    this.#ids = ids;
    this.#index = index;
  }

  /**
   * Builds an index from ids in order; repeated ids keep their first position.
   * @throws RecokitError `INVALID_INPUT` when an id is not a string or a finite number.
   */
  static from(ids: Iterable<Id>): IdIndex {
    const builder = new IdIndexBuilder();
    for (const id of ids) builder.add(id);
    return builder.build();
  }

  /** @internal used by {@link IdIndexBuilder}; takes ownership of the arrays. */
  static fromOwned(ids: Id[], index: Map<Id, number>): IdIndex {
    return new IdIndex(ids, index);
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.#ids.length;
  }

  /** Whether the index holds `id`. */
  has(id: Id): boolean {
    return this.#index.has(id);
  }

  /**
   * The dense index of `id`.
   * @param onUnknown - `"throw"` (default) raises `UNKNOWN_ID`; `"minus-one"` returns -1.
   * @throws RecokitError `UNKNOWN_ID` for an unknown id when `onUnknown` is `"throw"`.
   */
  indexOf(id: Id, onUnknown: OnUnknownId = "throw"): number {
    const i = this.#index.get(id);
    if (i !== undefined) return i;
    if (onUnknown === "minus-one") return -1;
    throw new RecokitError("UNKNOWN_ID", "IdIndex.indexOf", `unknown id ${JSON.stringify(id)}`);
  }

  /**
   * The external id at dense index `i`.
   * @throws RecokitError `INVALID_INPUT` when `i` is out of range.
   */
  idAt(i: number): Id {
    const id = this.#ids[i];
    if (id === undefined || !Number.isInteger(i)) {
      throw new RecokitError("INVALID_INPUT", "IdIndex.idAt", `index ${i} is out of range [0, ${this.size})`);
    }
    return id;
  }

  /** All ids in index order (a copy). */
  ids(): Id[] {
    return this.#ids.slice();
  }

  /** Maps many dense indices to ids. */
  idsAt(indices: ArrayLike<number>): Id[] {
    const out = new Array<Id>(indices.length);
    for (let j = 0; j < indices.length; j++) out[j] = this.idAt(indices[j]!);
    return out;
  }
}

/**
 * Incrementally assigns dense indices to ids in first-seen order; `build()` freezes the result.
 *
 * @example
 * ```ts
 * import { IdIndexBuilder } from "recokit";
 * const b = new IdIndexBuilder();
 * b.add("x"); b.add("y"); b.add("x"); // 0, 1, 0
 * b.build().size; // 2
 * ```
 */
export class IdIndexBuilder {
  #ids: Id[] = [];
  #index = new Map<Id, number>();
  #built = false;

  /** Number of ids added so far. */
  get size(): number {
    return this.#ids.length;
  }

  /**
   * Returns the index of `id`, adding it when new.
   * @throws RecokitError `INVALID_INPUT` for an id that is not a string or finite number.
   */
  add(id: Id): number {
    if (id === 0) id = 0; // -0 and 0 are one id, as for Map keys
    const known = this.#index.get(id);
    if (known !== undefined) return known;
    if (this.#built)
      throw new RecokitError("INVALID_INPUT", "IdIndexBuilder.add", "the builder was already built");
    if (!isValidId(id)) {
      throw new RecokitError(
        "INVALID_INPUT",
        "IdIndexBuilder.add",
        `an id must be a string or a finite number, got ${describeValue(id)}`,
      );
    }
    const i = this.#ids.length;
    this.#ids.push(id);
    this.#index.set(id, i);
    return i;
  }

  /** Freezes the ids added so far into an {@link IdIndex}. The builder cannot add afterwards. */
  build(): IdIndex {
    this.#built = true;
    return IdIndex.fromOwned(this.#ids, this.#index);
  }
}

/** A short printable description of any value, for error messages. @internal */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
