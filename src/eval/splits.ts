import {
  assertFinite,
  assertInteger,
  type Id,
  type IdIndex,
  IdIndexBuilder,
  type Interaction,
  permutation,
  type Random,
  RecokitError,
  resolveRandom,
} from "../core/index.js";
import {
  type EvalFields,
  type ReadRows,
  type ResolvedEvalFields,
  readRows,
  resolveFields,
} from "./fields.js";

/** Which splitter produced an {@link EvalSplit}. */
export type SplitStrategy = "random" | "per-user" | "temporal" | "k-fold" | "cold-start";

/**
 * A train/test partition of interaction rows. Every input row lands in exactly one side; rows are
 * the caller's own objects (never copied). `users` / `items` are the id maps of the training side,
 * i.e. what a model fitted on `train` can know; test ids absent from them are listed in
 * `coldUsers` / `coldItems` (they are reported, never silently dropped).
 */
export interface EvalSplit<R = Interaction> {
  /** The splitter that made this split. */
  readonly strategy: SplitStrategy;
  /** Fold number (0-based) for {@link kFold}; 0 otherwise. */
  readonly fold: number;
  /** Training rows, in input order. */
  readonly train: readonly R[];
  /** Test rows, in input order. */
  readonly test: readonly R[];
  /** Input positions of the training rows (ascending). */
  readonly trainRows: Int32Array;
  /** Input positions of the test rows (ascending). */
  readonly testRows: Int32Array;
  /** Users of the training rows, in first-seen order. */
  readonly users: IdIndex;
  /** Items of the training rows, in first-seen order. */
  readonly items: IdIndex;
  /** Test users that have no training row (in first-seen test order). */
  readonly coldUsers: readonly Id[];
  /** Test items that have no training row (in first-seen test order). */
  readonly coldItems: readonly Id[];
  /** Number of test rows whose user or item has no training row. */
  readonly coldTestRows: number;
  /**
   * Users that have rows but none in test because the rule could not hold any out for them
   * (e.g. {@link splitTemporal} `lastN` with no more than `lastN` rows); 0 for the other splitters.
   */
  readonly usersWithoutTest: number;
  /** How the rows are read; runs reuse it. */
  readonly fields: ResolvedEvalFields<R>;
}

/** Randomness options shared by the seeded splitters. */
export interface SplitRandomness {
  /** Seed of recokit's PRNG (default 42). Same seed, same split. */
  readonly seed?: number;
  /** A custom uniform source in [0, 1); overrides `seed`. */
  readonly random?: Random;
}

/** Builds an {@link EvalSplit} from a test mask. @internal */
export function buildSplit<R>(
  strategy: SplitStrategy,
  fold: number,
  rows: readonly R[],
  read: ReadRows,
  isTest: Uint8Array,
  fields: ResolvedEvalFields<R>,
  usersWithoutTest = 0,
): EvalSplit<R> {
  const n = rows.length;
  let nTest = 0;
  for (let i = 0; i < n; i++) nTest += isTest[i]!;
  const trainRows = new Int32Array(n - nTest);
  const testRows = new Int32Array(nTest);
  const train = new Array<R>(n - nTest);
  const test = new Array<R>(nTest);
  const userBuilder = new IdIndexBuilder();
  const itemBuilder = new IdIndexBuilder();
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isTest[i] === 1) {
      testRows[b] = i;
      test[b++] = rows[i]!;
    } else {
      trainRows[a] = i;
      train[a++] = rows[i]!;
      userBuilder.add(read.users[i]!);
      itemBuilder.add(read.items[i]!);
    }
  }
  const users = userBuilder.build();
  const items = itemBuilder.build();
  const coldUsers = new Set<Id>();
  const coldItems = new Set<Id>();
  let coldTestRows = 0;
  for (let j = 0; j < nTest; j++) {
    const i = testRows[j]!;
    const u = read.users[i]!;
    const it = read.items[i]!;
    const uCold = !users.has(u);
    const iCold = !items.has(it);
    if (uCold) coldUsers.add(u);
    if (iCold) coldItems.add(it);
    if (uCold || iCold) coldTestRows++;
  }
  return {
    strategy,
    fold,
    train,
    test,
    trainRows,
    testRows,
    users,
    items,
    coldUsers: [...coldUsers],
    coldItems: [...coldItems],
    coldTestRows,
    usersWithoutTest,
    fields,
  };
}

function assertRatio(where: string, ratio: number): void {
  assertFinite(where, "testRatio", ratio, 0, 1);
}

function assertNotEmpty(where: string, n: number): void {
  if (n === 0) throw new RecokitError("EMPTY_DATA", where, "rows is empty: nothing to split");
}

/** Groups row positions by id, in first-seen id order. @internal */
export function groupPositions(ids: readonly Id[]): number[][] {
  const byId = new Map<Id, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const list = byId.get(id);
    if (list === undefined) byId.set(id, [i]);
    else list.push(i);
  }
  return [...byId.values()];
}

/** Options of {@link splitRandom}. */
export interface SplitRandomOptions<R> extends EvalFields<R>, SplitRandomness {
  /** Fraction of all rows held out for test, in [0, 1] (default 0.2); `round(testRatio · n)` rows. */
  readonly testRatio?: number;
}

/**
 * Random holdout: a uniformly random `round(testRatio · n)` rows go to test, the rest to train
 * (scikit-learn's `train_test_split`, Surprise's `train_test_split`). Seeded and deterministic.
 * O(n).
 *
 * @param rows - interaction rows (not modified)
 * @param options - `testRatio` (default 0.2), `seed` / `random`, row accessors
 * @returns the split with the training id maps and the cold test ids
 * @throws RecokitError `EMPTY_DATA` for no rows; `INVALID_INPUT` for a bad ratio or a malformed row.
 * @example
 * ```ts
 * import { splitRandom } from "recokit";
 * const rows = [
 *   { user: "a", item: "x" }, { user: "a", item: "y" }, { user: "b", item: "x" },
 *   { user: "b", item: "z" }, { user: "c", item: "y" },
 * ];
 * const split = splitRandom(rows, { testRatio: 0.4, seed: 7 });
 * split.train.length + split.test.length; // 5
 * split.test.length;                      // 2
 * ```
 */
export function splitRandom<R = Interaction>(
  rows: readonly R[],
  options: SplitRandomOptions<R> = {},
): EvalSplit<R> {
  const where = "splitRandom";
  const ratio = options.testRatio ?? 0.2;
  assertRatio(where, ratio);
  const fields = resolveFields(options);
  const read = readRows(where, rows, fields, false);
  assertNotEmpty(where, rows.length);
  const random = resolveRandom(where, options);
  const n = rows.length;
  const nTest = Math.round(ratio * n);
  const order = permutation(random, n);
  const isTest = new Uint8Array(n);
  for (let j = 0; j < nTest; j++) isTest[order[j]!] = 1;
  return buildSplit("random", 0, rows, read, isTest, fields);
}

/** How {@link splitPerUser} turns a ratio into a per-user test count. */
export type PerUserSizing = "round" | "recommenders";

/** Options of {@link splitPerUser}. */
export interface SplitPerUserOptions<R> extends EvalFields<R>, SplitRandomness {
  /** Fraction of each user's rows held out (default 0.25). */
  readonly testRatio?: number;
  /**
   * Per-user test count for a user with `n` rows (default `"round"`):
   * - `"round"`: `round(testRatio · n)`;
   * - `"recommenders"`: Microsoft Recommenders' `python_stratified_split` rule, which keeps a row in
   *   train while its 1-based rank `r` in the shuffled rows satisfies `r / n ≤ 1 − testRatio`, i.e.
   *   `train = ⌊(1 − testRatio) · n⌋` and `test = n − train`; it rounds the test share up, so for
   *   n = 21 and ratio 0.25 it holds out 6 rows where `"round"` holds out 5.
   */
  readonly sizing?: PerUserSizing;
}

/**
 * Stratified per-user split: each user's rows are shuffled and a share `testRatio` of them goes to
 * test, so every user keeps about the same proportion in train and test (Microsoft Recommenders'
 * `python_stratified_split` with `filter_by="user"`). Seeded and deterministic. O(n).
 *
 * @param rows - interaction rows (not modified)
 * @param options - `testRatio` (default 0.25), `sizing`, `seed` / `random`, row accessors
 * @returns the split; a user with too few rows may end up with none in test (counted in
 *   `usersWithoutTest`) or, with a large ratio, none in train (listed in `coldUsers`)
 * @throws RecokitError `EMPTY_DATA` for no rows; `INVALID_INPUT` for bad options or a malformed row.
 * @example
 * ```ts
 * import { splitPerUser } from "recokit";
 * const rows = [1, 2, 3, 4].flatMap((i) => [{ user: "a", item: i }, { user: "b", item: i }]);
 * const split = splitPerUser(rows, { testRatio: 0.25, seed: 1 });
 * split.test.filter((r) => r.user === "a").length; // 1
 * split.test.filter((r) => r.user === "b").length; // 1
 * ```
 */
export function splitPerUser<R = Interaction>(
  rows: readonly R[],
  options: SplitPerUserOptions<R> = {},
): EvalSplit<R> {
  const where = "splitPerUser";
  const ratio = options.testRatio ?? 0.25;
  assertRatio(where, ratio);
  const sizing = options.sizing ?? "round";
  if (sizing !== "round" && sizing !== "recommenders") {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `sizing must be "round" or "recommenders", got ${String(sizing)}`,
    );
  }
  const fields = resolveFields(options);
  const read = readRows(where, rows, fields, false);
  assertNotEmpty(where, rows.length);
  const random = resolveRandom(where, options);
  const isTest = new Uint8Array(rows.length);
  let usersWithoutTest = 0;
  for (const positions of groupPositions(read.users)) {
    const n = positions.length;
    const nTest = perUserTestCount(n, ratio, sizing);
    if (nTest === 0) usersWithoutTest++;
    const order = permutation(random, n);
    for (let j = 0; j < nTest; j++) isTest[positions[order[j]!]!] = 1;
  }
  return buildSplit("per-user", 0, rows, read, isTest, fields, usersWithoutTest);
}

/** Test rows for a user with `n` rows. @internal */
export function perUserTestCount(n: number, ratio: number, sizing: PerUserSizing): number {
  switch (sizing) {
    case "round":
      return Math.round(ratio * n);
    case "recommenders": {
      // 1-based rank r: r / n <= 1 - ratio  ⇔  r <= (1 - ratio)·n; the epsilon absorbs binary rounding
      const train = Math.min(n, Math.floor((1 - ratio) * n + 1e-9));
      return n - train;
    }
    default:
      throw new RecokitError("INVALID_INPUT", "splitPerUser", `unknown sizing ${String(sizing)}`);
  }
}

/** Options of {@link splitTemporal}: give exactly one of `lastN`, `cutoff` or `testRatio`. */
export interface SplitTemporalOptions<R> extends EvalFields<R> {
  /** Leave-last-n: each user's `lastN` latest rows go to test (users with ≤ `lastN` rows stay in train). */
  readonly lastN?: number;
  /** Global time cut: rows at or after this time (epoch ms or Date) go to test. */
  readonly cutoff?: number | Date;
  /**
   * Global time cut placed so that about `testRatio` of all rows are test: the cut is the time of the
   * row at sorted position `n − round(testRatio · n)`, and every row at or after it is test, so rows
   * sharing a timestamp never straddle the cut.
   */
  readonly testRatio?: number;
}

/**
 * Temporal split, the realistic offline protocol (train on the past, test on the future): either
 * per user (leave-last-n, as LensKit's `LastN` and the usual "leave-one-out" of sequential
 * recommendation) or with one global time cut. Every row needs a valid timestamp. Ties in time are
 * broken by input order (a later row counts as later). Deterministic, no randomness. O(n log n).
 *
 * @param rows - interaction rows with timestamps (not modified)
 * @param options - exactly one of `lastN`, `cutoff`, `testRatio`; row accessors
 * @returns the split
 * @throws RecokitError `EMPTY_DATA` for no rows; `INVALID_INPUT` for a missing/invalid timestamp
 *   (naming the row) or when not exactly one rule is given.
 * @example
 * ```ts
 * import { splitTemporal } from "recokit";
 * const rows = [
 *   { user: "a", item: "x", timestamp: 3 }, { user: "a", item: "y", timestamp: 1 },
 *   { user: "a", item: "z", timestamp: 2 }, { user: "b", item: "x", timestamp: 5 },
 * ];
 * splitTemporal(rows, { lastN: 1 }).test.map((r) => r.item); // ["x"]  (a's latest; b has one row)
 * splitTemporal(rows, { cutoff: 3 }).test.length;            // 2
 * ```
 */
export function splitTemporal<R = Interaction>(
  rows: readonly R[],
  options: SplitTemporalOptions<R>,
): EvalSplit<R> {
  const where = "splitTemporal";
  const given = [options?.lastN, options?.cutoff, options?.testRatio].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new RecokitError("INVALID_INPUT", where, "give exactly one of lastN, cutoff or testRatio");
  }
  if (options.lastN !== undefined) assertInteger(where, "lastN", options.lastN, 1);
  if (options.testRatio !== undefined) assertRatio(where, options.testRatio);
  let cutoff: number | undefined;
  if (options.cutoff !== undefined) {
    cutoff = options.cutoff instanceof Date ? options.cutoff.getTime() : options.cutoff;
    assertFinite(where, "cutoff", cutoff);
  }
  const fields = resolveFields(options);
  const read = readRows(where, rows, fields, true);
  assertNotEmpty(where, rows.length);
  const times = read.times!;
  const n = rows.length;
  const isTest = new Uint8Array(n);
  let usersWithoutTest = 0;
  if (options.lastN !== undefined) {
    const lastN = options.lastN;
    for (const positions of groupPositions(read.users)) {
      if (positions.length <= lastN) {
        usersWithoutTest++;
        continue;
      }
      // positions are ascending, so a stable sort by time breaks ties by input order
      const byTime = positions.slice().sort((x, y) => times[x]! - times[y]!);
      for (let j = byTime.length - lastN; j < byTime.length; j++) isTest[byTime[j]!] = 1;
    }
  } else {
    if (cutoff === undefined) {
      const nTest = Math.round(options.testRatio! * n);
      const sorted = Float64Array.from(times).sort();
      cutoff = nTest === 0 ? Number.POSITIVE_INFINITY : sorted[n - nTest]!;
    }
    for (let i = 0; i < n; i++) if (times[i]! >= cutoff) isTest[i] = 1;
  }
  return buildSplit("temporal", 0, rows, read, isTest, fields, usersWithoutTest);
}

/** Options of {@link kFold}. */
export interface KFoldOptions<R> extends EvalFields<R>, SplitRandomness {
  /** Number of folds, ≥ 2 and ≤ the number of rows (default 5). */
  readonly k?: number;
  /** Shuffle rows before cutting folds (default true); without it folds are contiguous in input order. */
  readonly shuffle?: boolean;
}

/**
 * K-fold cross-validation over interactions, as Surprise's `KFold`: rows are shuffled once, then cut
 * into `k` contiguous folds; the first `n mod k` folds hold `⌊n/k⌋ + 1` rows, the others `⌊n/k⌋`.
 * Fold `f` is the test side of split `f`; every row is tested exactly once across the folds.
 * Seeded and deterministic. O(k · n).
 *
 * @param rows - interaction rows (not modified)
 * @param options - `k` (default 5), `shuffle` (default true), `seed` / `random`, row accessors
 * @returns `k` splits, `fold` 0 … k−1
 * @throws RecokitError `EMPTY_DATA` for no rows; `INVALID_INPUT` for a bad `k` or a malformed row.
 * @example
 * ```ts
 * import { kFold } from "recokit";
 * const rows = Array.from({ length: 10 }, (_, i) => ({ user: i % 3, item: i }));
 * const folds = kFold(rows, { k: 3, seed: 1 });
 * folds.map((f) => f.test.length); // [4, 3, 3]
 * ```
 */
export function kFold<R = Interaction>(rows: readonly R[], options: KFoldOptions<R> = {}): EvalSplit<R>[] {
  const where = "kFold";
  const k = options.k ?? 5;
  const fields = resolveFields(options);
  const read = readRows(where, rows, fields, false);
  assertNotEmpty(where, rows.length);
  const n = rows.length;
  assertInteger(where, "k", k, 2);
  if (k > n) throw new RecokitError("INVALID_INPUT", where, `k (${k}) exceeds the number of rows (${n})`);
  let order: Int32Array;
  if (options.shuffle ?? true) order = permutation(resolveRandom(where, options), n);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const base = Math.floor(n / k);
  const extra = n % k;
  const folds: EvalSplit<R>[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const stop = start + base + (f < extra ? 1 : 0);
    const isTest = new Uint8Array(n);
    for (let j = start; j < stop; j++) isTest[order[j]!] = 1;
    folds.push(buildSplit("k-fold", f, rows, read, isTest, fields));
    start = stop;
  }
  return folds;
}

/** Options of {@link splitColdStart}. */
export interface SplitColdStartOptions<R> extends EvalFields<R>, SplitRandomness {
  /** Hold out whole users (default) or whole items. */
  readonly holdOut?: "users" | "items";
  /** Fraction of the distinct users (or items) held out, in [0, 1] (default 0.2); `round(ratio · count)`. */
  readonly testRatio?: number;
}

/**
 * Cold-start split: a random `testRatio` share of the distinct users (or items) is held out whole,
 * every one of their rows going to test, so the model meets them for the first time at test time
 * (the new-user / new-item protocol). The held-out ids are exactly `coldUsers` (or `coldItems`).
 * Seeded and deterministic. O(n).
 *
 * @param rows - interaction rows (not modified)
 * @param options - `holdOut` (`"users"` default, or `"items"`), `testRatio` (default 0.2), `seed` / `random`
 * @returns the split
 * @throws RecokitError `EMPTY_DATA` for no rows; `INVALID_INPUT` for bad options or a malformed row.
 * @example
 * ```ts
 * import { splitColdStart } from "recokit";
 * const rows = ["a", "b", "c", "d"].flatMap((u) => [{ user: u, item: 1 }, { user: u, item: 2 }]);
 * const split = splitColdStart(rows, { holdOut: "users", testRatio: 0.25, seed: 3 });
 * split.coldUsers.length; // 1
 * split.test.length;      // 2
 * ```
 */
export function splitColdStart<R = Interaction>(
  rows: readonly R[],
  options: SplitColdStartOptions<R> = {},
): EvalSplit<R> {
  const where = "splitColdStart";
  const holdOut = options.holdOut ?? "users";
  if (holdOut !== "users" && holdOut !== "items") {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `holdOut must be "users" or "items", got ${String(holdOut)}`,
    );
  }
  const ratio = options.testRatio ?? 0.2;
  assertRatio(where, ratio);
  const fields = resolveFields(options);
  const read = readRows(where, rows, fields, false);
  assertNotEmpty(where, rows.length);
  const groups = groupPositions(holdOut === "users" ? read.users : read.items);
  const order = permutation(resolveRandom(where, options), groups.length);
  const nHeld = Math.round(ratio * groups.length);
  const isTest = new Uint8Array(rows.length);
  for (let j = 0; j < nHeld; j++) for (const i of groups[order[j]!]!) isTest[i] = 1;
  return buildSplit("cold-start", 0, rows, read, isTest, fields);
}
