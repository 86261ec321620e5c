import { assertFinite, assertInteger, describeValue, type Id, IdIndex, RecokitError } from "../core/index.js";
import { type EvalFields, readRows, resolveFields } from "./fields.js";

/**
 * How popular each item is in the training data: the number of distinct users who interacted with
 * it, out of `users` users. Built by {@link itemPopularity}.
 */
export interface ItemPopularity<T = Id> {
  /** Distinct users per item (items absent count 0). */
  readonly counts: ReadonlyMap<T, number>;
  /** Number of distinct users in the data. */
  readonly users: number;
}

/**
 * Counts, for each item, the distinct users who interacted with it (the popularity used by
 * {@link novelty} and {@link popularityBias}). O(n).
 *
 * @param rows - interaction rows (typically a split's `train`)
 * @param fields - row accessors (default `row.user`, `row.item`)
 * @returns the counts and the number of distinct users
 * @throws RecokitError `INVALID_INPUT` naming a malformed row.
 * @example
 * ```ts
 * import { itemPopularity } from "recokit";
 * const pop = itemPopularity([{ user: 1, item: "a" }, { user: 2, item: "a" }, { user: 2, item: "b" }, { user: 2, item: "a" }]);
 * pop.counts.get("a"); // 2
 * pop.users;           // 2
 * ```
 */
export function itemPopularity<R>(rows: readonly R[], fields: EvalFields<R> = {}): ItemPopularity<Id> {
  const read = readRows("itemPopularity", rows, resolveFields(fields), false);
  const seen = new Map<Id, Set<Id>>();
  const users = new Set<Id>();
  for (let i = 0; i < rows.length; i++) {
    const u = read.users[i]!;
    const it = read.items[i]!;
    users.add(u);
    const s = seen.get(it);
    if (s === undefined) seen.set(it, new Set([u]));
    else s.add(u);
  }
  const counts = new Map<Id, number>();
  for (const [it, s] of seen) counts.set(it, s.size);
  return { counts, users: users.size };
}

function assertList(where: string, list: unknown, name = "recommended"): void {
  if (list === null || typeof list !== "object" || typeof (list as ArrayLike<unknown>).length !== "number") {
    throw new RecokitError("INVALID_INPUT", where, `${name} must be an array of items`);
  }
}

function cutOf(where: string, k: number | undefined, length: number): number {
  if (k === undefined) return length;
  assertInteger(where, "k", k, 1);
  return Math.min(k, length);
}

/** Options shared by the beyond-accuracy list metrics. */
export interface ListCutOptions {
  /** Read only the first k items of each list (default: the whole list). */
  readonly k?: number;
}

/**
 * Catalogue coverage: the share of the catalogue that appears in at least one recommendation list,
 * `|∪ᵤ Lᵤ| / |catalogue|` (Ge, Delgado-Battenfeld & Jannach, "Beyond accuracy", RecSys 2010;
 * LensKit's and Microsoft Recommenders' `catalog_coverage`). O(Σ list lengths).
 *
 * @param lists - one ranked list per user
 * @param catalogue - the catalogue: its size, or its items (an iterable or an {@link IdIndex})
 * @param options - `k`: cut each list first
 * @returns a value in [0, 1]
 * @throws RecokitError `INVALID_INPUT` for an empty or bad catalogue, or (when the catalogue's items
 *   are given) a recommended item outside it, naming the list.
 * @example
 * ```ts
 * import { coverage } from "recokit";
 * coverage([["a", "b"], ["b", "c"]], 10);                 // 3 / 10 = 0.3
 * coverage([["a", "b"], ["b", "c"]], ["a", "b", "c", "d"]); // 3 / 4 = 0.75
 * ```
 */
export function coverage<T>(
  lists: Iterable<ArrayLike<T>>,
  catalogue: number | Iterable<T> | IdIndex,
  options: ListCutOptions = {},
): number {
  const where = "coverage";
  let size: number;
  let known: ReadonlySet<unknown> | IdIndex | undefined;
  if (typeof catalogue === "number") {
    assertInteger(where, "catalogue size", catalogue, 1);
    size = catalogue;
  } else if (catalogue instanceof IdIndex) {
    known = catalogue;
    size = catalogue.size;
  } else if (catalogue !== null && typeof catalogue === "object" && Symbol.iterator in catalogue) {
    known = new Set<T>(catalogue);
    size = known.size;
  } else {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      "catalogue must be a size, an iterable of items or an IdIndex",
    );
  }
  if (size === 0) throw new RecokitError("INVALID_INPUT", where, "the catalogue is empty");
  const covered = new Set<T>();
  let u = 0;
  for (const list of lists) {
    assertList(where, list, `list ${u}`);
    const n = cutOf(where, options.k, list.length);
    for (let i = 0; i < n; i++) {
      const item = list[i]!;
      if (known !== undefined && !known.has(item as Id)) {
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `list ${u}: item ${describeValue(item)} is not in the catalogue`,
        );
      }
      covered.add(item);
    }
    u++;
  }
  if (known === undefined && covered.size > size) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${covered.size} distinct items were recommended but the catalogue size is ${size}`,
    );
  }
  return covered.size / size;
}

/** Similarity of two items, symmetric, finite (typically in [0, 1]). */
export type ItemSimilarityFn<T = Id> = (a: T, b: T) => number;

/**
 * Intra-list diversity of one list: the mean pairwise dissimilarity of its items,
 * `ILD = (2 / (n(n−1))) Σ_{i<j} (1 − sim(Lᵢ, Lⱼ))` (Ziegler, McNee, Konstan & Lausen, WWW 2005;
 * Castells, Hurley & Vargas, *Novelty and diversity in recommender systems*, 2015). `sim` must be
 * symmetric; only pairs i < j are evaluated. Lists of fewer than two items have no pairs and score 0.
 * O(n²) similarity calls.
 *
 * @param recommended - ranked items
 * @param similarity - item similarity `(a, b) → number`
 * @param options - `k`: cut the list first
 * @returns the mean of `1 − sim` over pairs
 * @throws RecokitError `INVALID_INPUT` when `similarity` returns a non-finite value (naming the pair).
 * @example
 * ```ts
 * import { intraListDiversity } from "recokit";
 * const genre = new Map([["a", "rock"], ["b", "rock"], ["c", "jazz"]]);
 * const sim = (x: string, y: string) => (genre.get(x) === genre.get(y) ? 1 : 0);
 * intraListDiversity(["a", "b", "c"], sim); // pairs ab 0, ac 1, bc 1: 2 / 3
 * ```
 */
export function intraListDiversity<T>(
  recommended: ArrayLike<T>,
  similarity: ItemSimilarityFn<T>,
  options: ListCutOptions = {},
): number {
  const where = "intraListDiversity";
  assertList(where, recommended);
  if (typeof similarity !== "function")
    throw new RecokitError("INVALID_INPUT", where, "similarity must be a function");
  const n = cutOf(where, options.k, recommended.length);
  return diversityOfList(where, recommended, n, similarity);
}

/** ILD of the first n items, validated similarity values. @internal */
export function diversityOfList<T>(
  where: string,
  list: ArrayLike<T>,
  n: number,
  similarity: ItemSimilarityFn<T>,
): number {
  if (n < 2) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = similarity(list[i]!, list[j]!);
      if (typeof s !== "number" || !Number.isFinite(s)) {
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `similarity(${describeValue(list[i])}, ${describeValue(list[j])}) returned ${describeValue(s)}, not a finite number`,
        );
      }
      sum += 1 - s;
    }
  }
  return (2 * sum) / (n * (n - 1));
}

/** Options of {@link novelty}. */
export interface NoveltyOptions extends ListCutOptions {
  /**
   * Additive smoothing α of the popularity estimate `p(i) = (count(i) + α) / (users + α)` (default 1),
   * so that items nobody interacted with keep a finite novelty. With α = 0 such an item is an error.
   */
  readonly smoothing?: number;
}

/**
 * Novelty of one list: the mean self-information of its items, `(1/n) Σᵢ −log₂ p(Lᵢ)`, where
 * `p(i)` is the share of users who interacted with item i (Zhou et al., PNAS 2010; Vargas & Castells,
 * RecSys 2011). Higher means less popular, more surprising items. `p` is smoothed (see
 * {@link NoveltyOptions.smoothing}). An empty list scores 0. O(n).
 *
 * @param recommended - ranked items
 * @param popularity - item counts and user total, e.g. from {@link itemPopularity}
 * @param options - `k`, `smoothing`
 * @returns novelty in bits (≥ 0)
 * @throws RecokitError `INVALID_INPUT` for bad options, a bad popularity, or (with `smoothing: 0`) an
 *   item nobody interacted with.
 * @example
 * ```ts
 * import { novelty } from "recokit";
 * const pop = { counts: new Map([["a", 3], ["b", 1]]), users: 4 };
 * novelty(["a", "b"], pop, { smoothing: 0 }); // (−log₂ 0.75 − log₂ 0.25) / 2 ≈ 1.2075
 * ```
 */
export function novelty<T>(
  recommended: ArrayLike<T>,
  popularity: ItemPopularity<T>,
  options: NoveltyOptions = {},
): number {
  const where = "novelty";
  assertList(where, recommended);
  assertPopularity(where, popularity);
  const alpha = options.smoothing ?? 1;
  assertFinite(where, "smoothing", alpha, 0);
  const n = cutOf(where, options.k, recommended.length);
  return noveltyOfList(where, recommended, n, popularity, alpha);
}

/** Novelty of the first n items. @internal */
export function noveltyOfList<T>(
  where: string,
  list: ArrayLike<T>,
  n: number,
  popularity: ItemPopularity<T>,
  alpha: number,
): number {
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const c = popularity.counts.get(list[i]!) ?? 0;
    const p = (c + alpha) / (popularity.users + alpha);
    if (!(p > 0)) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `item ${describeValue(list[i])} has popularity 0: its novelty is infinite (use smoothing > 0)`,
      );
    }
    sum -= Math.log2(Math.min(1, p));
  }
  return sum / n;
}

/**
 * Popularity bias of one list: the mean popularity of its items, `(1/n) Σᵢ count(Lᵢ) / users`, i.e. the
 * share of users who interacted with a recommended item, averaged over the list (the "average
 * recommendation popularity" of Abdollahpouri, Burke & Mobasher, FLAIRS 2019, normalised by the
 * number of users). The mean over users compares how strongly recommenders favour the head of the
 * catalogue. An empty list scores 0. O(n).
 *
 * @param recommended - ranked items
 * @param popularity - item counts and user total, e.g. from {@link itemPopularity}
 * @param options - `k`
 * @returns a value in [0, 1]
 * @throws RecokitError `INVALID_INPUT` for a bad list, popularity or `k`.
 * @example
 * ```ts
 * import { popularityBias } from "recokit";
 * const pop = { counts: new Map([["a", 3], ["b", 1]]), users: 4 };
 * popularityBias(["a", "b", "c"], pop); // (0.75 + 0.25 + 0) / 3 = 0.3333
 * ```
 */
export function popularityBias<T>(
  recommended: ArrayLike<T>,
  popularity: ItemPopularity<T>,
  options: ListCutOptions = {},
): number {
  const where = "popularityBias";
  assertList(where, recommended);
  assertPopularity(where, popularity);
  return popularityOfList(recommended, cutOf(where, options.k, recommended.length), popularity);
}

/** Mean popularity share of the first n items. @internal */
export function popularityOfList<T>(list: ArrayLike<T>, n: number, popularity: ItemPopularity<T>): number {
  if (n === 0 || popularity.users === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += popularity.counts.get(list[i]!) ?? 0;
  return sum / (n * popularity.users);
}

function assertPopularity<T>(where: string, popularity: ItemPopularity<T>): void {
  if (popularity === null || typeof popularity !== "object" || !(popularity.counts instanceof Map)) {
    throw new RecokitError("INVALID_INPUT", where, "popularity must be { counts: Map, users: number }");
  }
  assertInteger(where, "popularity.users", popularity.users, 0);
  for (const [item, c] of popularity.counts) {
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0 || c > popularity.users) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `popularity: count of item ${describeValue(item)} must be in [0, ${popularity.users}], got ${describeValue(c)}`,
      );
    }
  }
}
