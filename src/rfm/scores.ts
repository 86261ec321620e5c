import { quantileSorted } from "simple-statistics";
import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import type { RfmTable } from "./table.js";

/** The three RFM dimensions. */
export type RfmDimension = "recency" | "frequency" | "monetary";

const DIMENSIONS: readonly RfmDimension[] = ["recency", "frequency", "monetary"];

/**
 * How tied values are ranked before quantile binning:
 * - `"average"` (default): tied values share their average rank (pandas `rank(method="average")`),
 *   so equal values always get the same score; bins may be unequal (or empty);
 * - `"first"`: ties are broken by row order (pandas `rank(method="first")`, the common
 *   `qcut(x.rank(method="first"), 5)` idiom): bins are as equal in size as possible, but equal
 *   values get different scores depending on where their rows sit. With an {@link RfmTable}
 *   (rows in order of first purchase) that order is not neutral: among the many one-order
 *   customers, the earliest get F = 1 and the later ones F = 2, so "recent, one order" cells
 *   empty out (on Online Retail, New Customers drops from 125 to 0).
 */
export type RfmTieRule = "first" | "average";

/** Cut points of fixed-threshold scoring, ascending, `bins − 1` per dimension. */
export interface RfmThresholds {
  readonly recency: readonly number[];
  readonly frequency: readonly number[];
  readonly monetary: readonly number[];
}

/** Options of {@link scoreRfm}. */
export interface ScoreRfmOptions {
  /** Number of score levels, 2 … 9 (default 5), so that cell codes are one digit per dimension. */
  readonly bins?: number;
  /** `"quantile"` (default): equal-frequency bins of ranks; `"thresholds"`: fixed cut points. */
  readonly method?: "quantile" | "thresholds";
  /** Tie rule of the quantile method (default `"average"`). */
  readonly ties?: RfmTieRule;
  /**
   * Cut points for `method: "thresholds"`. A value `v` gets level `1 + #{cuts c : c < v}`
   * (intervals closed on the right, as pandas `cut`): with cuts `[30, 90]`, 30 → 1, 31 → 2.
   */
  readonly thresholds?: RfmThresholds;
  /** Weights of R, F and M in `combined` (default 1 each: `combined = R + F + M`). */
  readonly weights?: { readonly recency?: number; readonly frequency?: number; readonly monetary?: number };
}

/** Range of values that received each score level: `[min, max]`, or `null` for an empty level. */
export type RfmScoreBounds = readonly (readonly [number, number] | null)[];

/** Scores of every customer of an {@link RfmTable}, aligned with its rows. */
export interface RfmScores {
  readonly bins: number;
  readonly method: "quantile" | "thresholds";
  readonly ties: RfmTieRule;
  /** Recency score, 1 … bins; reversed: the most recent customers score `bins`. */
  readonly r: Uint8Array;
  /** Frequency score, 1 … bins (most frequent = bins). */
  readonly f: Uint8Array;
  /** Monetary score, 1 … bins (highest spend = bins). */
  readonly m: Uint8Array;
  /** Cell code per customer, e.g. `"555"` (R, F, M digits). */
  readonly cell: readonly string[];
  /** Weighted sum `wR·R + wF·F + wM·M`. */
  readonly combined: Float64Array;
  /** For each dimension, the value range behind each score level (index 0 = score 1). */
  readonly bounds: Readonly<Record<RfmDimension, RfmScoreBounds>>;
}

const WHERE = "scoreRfm";

/**
 * Scores recency, frequency and monetary value on `bins` levels (1 … bins, default 5) and derives
 * cell codes (`"555"`) and a combined score.
 *
 * Quantile method: values are ranked (ascending, ties by the `ties` rule), the type-7 quantiles of
 * the ranks at 0, 1/bins, …, 1 (simple-statistics `quantileSorted`, numpy's default) are the bin
 * edges, and a rank `x` falls in bin `j` when `edge[j−1] < x ≤ edge[j]` (the first bin includes
 * its lower edge): exactly pandas `qcut(x.rank(method=ties), bins)`. Thresholds method: fixed cut
 * points (see {@link ScoreRfmOptions.thresholds}). Recency is reversed in both: score = bins + 1 − bin.
 * O(n log n).
 *
 * @param table - an RFM table (only `recency`, `frequency`, `monetary` are read)
 * @param options - levels, method, tie rule, thresholds, weights
 * @returns per-customer R, F, M scores, cell codes, combined scores and the value range of each level
 * @throws RecokitError `EMPTY_DATA` for an empty table; `INVALID_INPUT` for misaligned columns,
 * non-finite values, or bad options (bins outside 2 … 9, unsorted or missing thresholds).
 * @example
 * ```ts
 * import { scoreRfm } from "recokit";
 * const s = scoreRfm(
 *   { recency: [10, 3, 3, 50, 7], frequency: [1, 2, 3, 4, 5], monetary: [5, 4, 3, 2, 1] },
 *   { ties: "average" },
 * );
 * Array.from(s.r); // [2, 5, 5, 1, 3]  (the two recency-3 customers share a score)
 * s.cell[0];       // "215"
 * ```
 */
export function scoreRfm(
  table: Pick<RfmTable, RfmDimension> | Readonly<Record<RfmDimension, ArrayLike<number>>>,
  options: ScoreRfmOptions = {},
): RfmScores {
  const bins = options.bins ?? 5;
  assertInteger(WHERE, "bins", bins, 2, 9);
  const method = options.method ?? "quantile";
  const ties = options.ties ?? "average";
  if (method !== "quantile" && method !== "thresholds")
    throw new RecokitError("INVALID_INPUT", WHERE, `method must be "quantile" or "thresholds"`);
  if (ties !== "first" && ties !== "average")
    throw new RecokitError("INVALID_INPUT", WHERE, `ties must be "first" or "average"`);
  const weights = {
    recency: options.weights?.recency ?? 1,
    frequency: options.weights?.frequency ?? 1,
    monetary: options.weights?.monetary ?? 1,
  };
  for (const d of DIMENSIONS) assertFinite(WHERE, `weights.${d}`, weights[d]);
  const n = checkColumns(table);

  const levels = {} as Record<RfmDimension, Uint8Array>;
  const bounds = {} as Record<RfmDimension, RfmScoreBounds>;
  for (const d of DIMENSIONS) {
    const values = table[d];
    let bin: Uint8Array;
    if (method === "quantile") {
      bin = quantileBins(values, bins, ties);
    } else {
      const cuts = options.thresholds?.[d];
      checkCuts(d, cuts, bins);
      bin = thresholdBins(values, cuts);
    }
    if (d === "recency") for (let i = 0; i < n; i++) bin[i] = bins + 1 - bin[i]!;
    levels[d] = bin;
    bounds[d] = levelBounds(values, bin, bins);
  }
  const r = levels.recency;
  const f = levels.frequency;
  const m = levels.monetary;
  const cell = new Array<string>(n);
  const combined = new Float64Array(n);
  const codes = cellCodes(bins);
  for (let i = 0; i < n; i++) {
    cell[i] = codes[(r[i]! - 1) * bins * bins + (f[i]! - 1) * bins + (m[i]! - 1)]!;
    combined[i] = weights.recency * r[i]! + weights.frequency * f[i]! + weights.monetary * m[i]!;
  }
  return { bins, method, ties, r, f, m, cell, combined, bounds };
}

function checkColumns(table: Readonly<Record<RfmDimension, ArrayLike<number>>>): number {
  if (table === null || typeof table !== "object")
    throw new RecokitError("INVALID_INPUT", WHERE, "table must be an RFM table");
  const n = table.recency?.length;
  for (const d of DIMENSIONS) {
    const col = table[d];
    if (col === undefined || typeof col.length !== "number")
      throw new RecokitError("INVALID_INPUT", WHERE, `table.${d} must be an array of numbers`);
    if (col.length !== n)
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `table.${d} has ${col.length} values but table.recency has ${n}`,
      );
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new RecokitError("INVALID_INPUT", WHERE, `row ${i}: ${d} ${String(v)} is not a finite number`);
    }
  }
  if (n === undefined || n === 0) throw new RecokitError("EMPTY_DATA", WHERE, "the table has no customers");
  return n;
}

function checkCuts(
  d: RfmDimension,
  cuts: readonly number[] | undefined,
  bins: number,
): asserts cuts is readonly number[] {
  if (!Array.isArray(cuts) || cuts.length !== bins - 1)
    throw new RecokitError(
      "INVALID_INPUT",
      WHERE,
      `thresholds.${d} must hold bins − 1 = ${bins - 1} cut points, got ${Array.isArray(cuts) ? cuts.length : String(cuts)}`,
    );
  for (let j = 0; j < cuts.length; j++) {
    assertFinite(WHERE, `thresholds.${d}[${j}]`, cuts[j]);
    if (j > 0 && cuts[j]! <= cuts[j - 1]!)
      throw new RecokitError("INVALID_INPUT", WHERE, `thresholds.${d} must be strictly ascending`);
  }
}

/** Row indices sorted by value ascending, ties by row order (a stable order). */
function sortedOrder(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => values[a]! - values[b]! || a - b);
}

/**
 * 1-based ranks of `values` under the tie rule, and the same ranks sorted ascending.
 * @internal
 */
export function rankValues(
  values: ArrayLike<number>,
  ties: RfmTieRule,
): { ranks: Float64Array; sorted: number[] } {
  const n = values.length;
  const order = sortedOrder(values);
  const ranks = new Float64Array(n);
  const sorted = new Array<number>(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    if (ties === "average") {
      const v = values[order[start]!]!;
      while (end < n && values[order[end]!] === v) end++;
    }
    // positions start … end-1 share the average of ranks start+1 … end
    const rank = (start + 1 + end) / 2;
    for (let p = start; p < end; p++) {
      ranks[order[p]!] = rank;
      sorted[p] = rank;
    }
    start = end;
  }
  return { ranks, sorted };
}

/** Equal-frequency bins of ranks (pandas `qcut` of the ranks), 1 … bins. */
function quantileBins(values: ArrayLike<number>, bins: number, ties: RfmTieRule): Uint8Array {
  const { ranks, sorted } = rankValues(values, ties);
  const edges = new Float64Array(bins + 1);
  for (let j = 0; j <= bins; j++) edges[j] = quantileSorted(sorted, j / bins);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = ranks[i]!;
    let j = 1;
    while (j < bins && x > edges[j]!) j++;
    out[i] = j;
  }
  return out;
}

/** Fixed cut points: level = 1 + number of cuts strictly below the value. */
function thresholdBins(values: ArrayLike<number>, cuts: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let j = 0;
    while (j < cuts.length && v > cuts[j]!) j++;
    out[i] = j + 1;
  }
  return out;
}

function levelBounds(values: ArrayLike<number>, level: Uint8Array, bins: number): RfmScoreBounds {
  const lo = new Float64Array(bins).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(bins).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < values.length; i++) {
    const s = level[i]! - 1;
    const v = values[i]!;
    if (v < lo[s]!) lo[s] = v;
    if (v > hi[s]!) hi[s] = v;
  }
  return Array.from(lo, (l, s) => (l === Number.POSITIVE_INFINITY ? null : ([l, hi[s]!] as const)));
}

/** Every cell code of a `bins`-level scoring, indexed by (r−1)·bins² + (f−1)·bins + (m−1). */
function cellCodes(bins: number): string[] {
  const codes: string[] = [];
  for (let r = 1; r <= bins; r++)
    for (let f = 1; f <= bins; f++) for (let m = 1; m <= bins; m++) codes.push(`${r}${f}${m}`);
  return codes;
}
