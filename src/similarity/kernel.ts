import {
  allocLike,
  assertCsr,
  type BufferAllocator,
  balancedRange,
  type Csr,
  emptyPermutedRows,
  emptyTranspose,
  fillPermutedRows,
  fillRowNorms,
  fillTransposeColumns,
  findInRow,
  float64s,
  int32s,
  isFloat32Exact,
  permuteRows,
  rowCounts,
  rowNorms,
  transpose,
} from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { type NeighborLists, SIMILARITY_METRICS, type SimilarityMetric } from "./neighbors.js";

/** Options of {@link topKSimilarity}. */
export interface TopKSimilarityOptions {
  /** Neighbours kept per row (a non-negative integer). */
  readonly k: number;
  /** Similarity metric (default `"cosine"`). */
  readonly metric?: SimilarityMetric;
  /** Shrinkage λ ≥ 0: similarity × n/(n+λ), n = co-support (default 0, none). */
  readonly shrinkage?: number;
  /** Minimum co-support (number of shared columns) of a neighbour (default 1). */
  readonly minSupport?: number;
  /** Keep only neighbours whose (shrunk) similarity is strictly greater (default -Infinity: all). */
  readonly minSimilarity?: number;
  /** Per-row exclusions: row r's stored columns (an nRows × nRows pattern) are never its neighbours. */
  readonly exclude?: Csr;
  /** Whether a row may be its own neighbour (default false). */
  readonly includeSelf?: boolean;
  /** Called with (rows done, total rows) during the run. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborts the run with an `ABORTED` error. */
  readonly signal?: AbortSignal;
}

/** Validated options. @internal */
export interface ResolvedSimilarityOptions {
  readonly k: number;
  readonly metric: SimilarityMetric;
  readonly shrinkage: number;
  readonly minSupport: number;
  readonly minSimilarity: number;
  readonly includeSelf: boolean;
}

/**
 * What the kernel reads: the (transformed) rows in processing order, their transpose and per-row
 * statistics. Every array is indexed by processing position; `order` maps a position back to the
 * row's index in the caller's matrix, which is what neighbour lists hold and ties are broken by.
 * @internal
 */
export interface SimilarityInput {
  readonly metric: SimilarityMetric;
  readonly nRows: number;
  /** Processing position → original row index. */
  readonly order: Int32Array;
  /** Values are Float32 when every one is exactly representable, else Float64 (same arithmetic). */
  readonly rows: Csr;
  readonly cols: Csr;
  /** Euclidean norm of each (transformed) row. */
  readonly norms: Float64Array;
  /** Stored entries of each row. */
  readonly counts: Int32Array;
  /**
   * For each stored entry of `rows`, its position in `cols`: the entries after it in that column
   * are exactly the rows with a higher index.
   */
  readonly positions: Int32Array;
  /**
   * Whether every product of two stored values is a positive normal number (all values > 0 and
   * ≥ 1e-150): a running sum of such products is non-zero exactly when it has a term.
   */
  readonly productsPositive: boolean;
}

/**
 * Per-row candidate buffers in flat arrays: row r keeps up to `slots` = 2·capacity candidates at
 * offset r·slots; when a buffer fills, a selection keeps its best `capacity` and raises the row's
 * admission threshold to the worst of them. Amortised O(1) per admitted candidate, against
 * O(log k) for a heap. Ranking order: similarity descending, then index ascending. @internal
 */
export interface RowHeaps {
  readonly k: number;
  readonly capacity: number;
  readonly slots: number;
  readonly ids: Int32Array;
  readonly scores: Float64Array;
  readonly sizes: Int32Array;
  /** Worst kept (score, id) after the last selection; -Infinity before any. */
  readonly worstScore: Float64Array;
  readonly worstId: Int32Array;
}

const WHERE = "topKSimilarity";

/** Checks and completes the options. @internal */
export function resolveSimilarityOptions(
  where: string,
  m: Csr,
  options: TopKSimilarityOptions,
): ResolvedSimilarityOptions {
  if (options === null || typeof options !== "object")
    throw new RecokitError("INVALID_INPUT", where, "options must be an object");
  assertInteger(where, "k", options.k, 0);
  const metric = options.metric ?? "cosine";
  if (!SIMILARITY_METRICS.includes(metric)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `unknown metric ${JSON.stringify(metric)} (one of ${SIMILARITY_METRICS.join(", ")})`,
    );
  }
  const shrinkage = options.shrinkage ?? 0;
  assertFinite(where, "shrinkage", shrinkage, 0);
  const minSupport = options.minSupport ?? 1;
  assertInteger(where, "minSupport", minSupport, 1);
  const minSimilarity = options.minSimilarity ?? Number.NEGATIVE_INFINITY;
  if (typeof minSimilarity !== "number" || Number.isNaN(minSimilarity)) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `minSimilarity must be a number, got ${String(minSimilarity)}`,
    );
  }
  if (options.exclude !== undefined) {
    assertCsr(`${where} (exclude)`, options.exclude);
    if (options.exclude.nRows !== m.nRows || options.exclude.nCols !== m.nRows) {
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `exclude must be ${m.nRows} × ${m.nRows}, got ${options.exclude.nRows} × ${options.exclude.nCols}`,
      );
    }
  }
  return {
    k: options.k,
    metric,
    shrinkage,
    minSupport,
    minSimilarity,
    includeSelf: options.includeSelf ?? false,
  };
}

/**
 * Transforms the matrix as the metric needs (column-centring for adjusted cosine), orders its rows
 * for processing (`capacity`: the kept candidates per row, which sizes the leading group; see
 * `rowProcessingOrder`), stores the values as Float32 when every one is exactly representable (else
 * Float64), and precomputes the transpose and row statistics. @internal
 */
export function prepareSimilarityInput(
  m: Csr,
  metric: SimilarityMetric,
  capacity: number,
  allocate?: BufferAllocator,
): SimilarityInput {
  const order = rowProcessingOrder(m, bufferSlots(capacity), allocate);
  const values = metric === "adjustedCosine" ? centerColumns(m) : m;
  // ratings, counts and binary values fit in Float32 exactly: the products do not change and the
  // transpose, read over and over by the accumulation, takes 8 bytes an entry instead of 12
  const dtype = isFloat32Exact(values.data) ? "float32" : "float64";
  const rows = permuteRows(values, order, allocate, dtype);
  const positions = int32s(rows.indices.length, allocate);
  const cols = transpose(rows, positions, allocate);
  const norms = rowNorms(rows, allocate);
  const counts = rowCounts(rows, allocate);
  return {
    metric,
    nRows: rows.nRows,
    order,
    rows,
    cols,
    norms,
    counts,
    positions,
    productsPositive: productsPositive(rows),
  };
}

/** Whether every stored value is ≥ 1e-150 (see `SimilarityInput.productsPositive`). */
function productsPositive(m: Csr): boolean {
  for (let j = 0; j < m.data.length; j++) if (!(m.data[j]! >= 1e-150)) return false;
  return true;
}

/**
 * A {@link SimilarityInput} that workers fill in: `source` holds the transformed matrix in the
 * caller's row order (in the allocator's memory), and `input` has its processing order, row
 * pointers, counts and flags set, its rows, transpose and norms allocated but empty until every
 * part has run {@link fillInputRows}, then every part {@link fillInputColumns}. The filled input
 * equals `prepareSimilarityInput(m, metric, capacity)` array for array. @internal
 */
export interface SimilarityInputPlan {
  readonly source: Csr;
  readonly input: SimilarityInput;
}

/** The serial part of {@link prepareSimilarityInput}: O(nnz) copies and counts. @internal */
export function planSimilarityInput(
  m: Csr,
  metric: SimilarityMetric,
  capacity: number,
  allocate: BufferAllocator,
): SimilarityInputPlan {
  const order = rowProcessingOrder(m, bufferSlots(capacity), allocate);
  const values = metric === "adjustedCosine" ? centerColumns(m) : m;
  const float32 = isFloat32Exact(values.data);
  const total = values.indices.length;
  // a plain copy: the workers convert the values to the type the kernel reads as they move them
  const data = allocLike(values.data, total, allocate);
  data.set(values.data);
  const indptr = int32s(values.nRows + 1, allocate);
  indptr.set(values.indptr);
  const indices = int32s(total, allocate);
  indices.set(values.indices);
  const source: Csr = { nRows: values.nRows, nCols: values.nCols, indptr, indices, data };
  const rows = emptyPermutedRows(source, order, float32 ? "float32" : "float64", allocate);
  const cols = emptyTranspose(source, rows.data, allocate);
  const input: SimilarityInput = {
    metric,
    nRows: rows.nRows,
    order,
    rows,
    cols,
    norms: float64s(rows.nRows, allocate),
    counts: rowCounts(rows, allocate),
    positions: int32s(total, allocate),
    productsPositive: productsPositive(source),
  };
  return { source, input };
}

/** Fills part `part` of `parts` of the plan's rows (about equal entries each) and their norms. @internal */
export function fillInputRows(plan: SimilarityInputPlan, part: number, parts: number): void {
  const { rows, order, norms } = plan.input;
  const [from, to] = balancedRange(rows.indptr, rows.nRows, part, parts);
  fillPermutedRows(plan.source, order, rows, from, to);
  fillRowNorms(rows, norms, from, to);
}

/**
 * Fills part `part` of `parts` of the plan's transpose (about equal entries each) and the
 * positions of those entries; every part's rows must be filled first. @internal
 */
export function fillInputColumns(plan: SimilarityInputPlan, part: number, parts: number): void {
  const { rows, cols, positions } = plan.input;
  const [from, to] = balancedRange(cols.indptr, cols.nRows, part, parts);
  fillTransposeColumns(rows, cols, positions, from, to);
}

/**
 * The order rows are processed in: first the `leaders` rows with the most stored entries (most
 * first, ties by higher index), then all the others fewest entries first (ties by lower index).
 * Each pair is accumulated once, by the row processed first, and offered to both rows' buffers. The
 * rows with the most entries share columns with nearly every row, so processing them first hands
 * every row a buffer's worth of genuine similarities (`leaders` is the buffer size) and a real
 * threshold from its first compaction on; after them, rare rows fill their buffers with their
 * (typically higher) similarities to one another before the many weak candidates of frequent rows
 * arrive. Either way fewer weak candidates are admitted. The result does not depend on the order.
 */
function rowProcessingOrder(m: Csr, leaders: number, allocate?: BufferAllocator): Int32Array {
  const n = m.nRows;
  const byCount = new Int32Array(n);
  for (let r = 0; r < n; r++) byCount[r] = r;
  const count = (r: number): number => m.indptr[r + 1]! - m.indptr[r]!;
  byCount.sort((a, b) => count(a) - count(b) || a - b);
  const first = Math.min(leaders, n);
  const order = int32s(n, allocate);
  for (let i = 0; i < first; i++) order[i] = byCount[n - 1 - i]!;
  for (let i = 0; i < n - first; i++) order[first + i] = byCount[i]!;
  return order;
}

/** Subtracts each column's mean over its stored entries (adjusted cosine: item rows, user columns). */
function centerColumns(m: Csr): Csr {
  const sums = new Float64Array(m.nCols);
  const counts = new Int32Array(m.nCols);
  for (let j = 0; j < m.indices.length; j++) {
    sums[m.indices[j]!]! += m.data[j]!;
    counts[m.indices[j]!]!++;
  }
  const data = new Float64Array(m.data.length);
  for (let j = 0; j < m.indices.length; j++) {
    const c = m.indices[j]!;
    data[j] = m.data[j]! - sums[c]! / counts[c]!;
  }
  return { ...m, data };
}

/** Slots of a row's candidate buffer that keeps `capacity`: it compacts each time it fills. */
function bufferSlots(capacity: number): number {
  return 2 * capacity;
}

/** Allocates empty per-row candidate buffers keeping `capacity` (≤ k) per row. @internal */
export function createRowHeaps(
  nRows: number,
  k: number,
  capacity: number,
  allocate?: BufferAllocator,
): RowHeaps {
  const slots = bufferSlots(capacity);
  const cells = nRows * slots;
  if (cells > 2 ** 31 - 1) {
    throw new RecokitError("TOO_LARGE", WHERE, `${nRows} rows × k=${k} neighbour slots exceed the 2³¹ limit`);
  }
  return {
    k,
    capacity,
    slots,
    ids: int32s(cells, allocate),
    scores: float64s(cells, allocate),
    sizes: int32s(nRows, allocate),
    worstScore: float64s(nRows, allocate).fill(
      capacity > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
    ),
    worstId: int32s(nRows, allocate),
  };
}

/** Whether candidate a ranks before candidate b (higher score, then lower index). */
function before(scores: Float64Array, ids: Int32Array, a: number, b: number): boolean {
  return scores[a]! > scores[b]! || (scores[a] === scores[b] && ids[a]! < ids[b]!);
}

function swap(scores: Float64Array, ids: Int32Array, a: number, b: number): void {
  const s = scores[a]!;
  scores[a] = scores[b]!;
  scores[b] = s;
  const i = ids[a]!;
  ids[a] = ids[b]!;
  ids[b] = i;
}

/**
 * Partitions [lo, hi] (at least four candidates) around a median-of-three pivot: better candidates
 * end up before the returned position, worse ones after it, the pivot at it.
 */
function partition(scores: Float64Array, ids: Int32Array, lo: number, hi: number): number {
  const mid = (lo + hi) >>> 1;
  if (before(scores, ids, mid, lo)) swap(scores, ids, mid, lo);
  if (before(scores, ids, hi, lo)) swap(scores, ids, hi, lo);
  if (before(scores, ids, hi, mid)) swap(scores, ids, hi, mid);
  // the median is at mid; move it to hi − 1 and partition [lo + 1, hi − 1)
  swap(scores, ids, mid, hi - 1);
  const pivot = hi - 1;
  const ps = scores[pivot]!;
  const pi = ids[pivot]!;
  let i = lo;
  let j = hi - 1;
  for (;;) {
    // advance i past candidates ranked before the pivot, j back past those ranked after it
    do i++;
    while (scores[i]! > ps || (scores[i] === ps && ids[i]! < pi));
    do j--;
    while (j > lo && (ps > scores[j]! || (ps === scores[j] && pi < ids[j]!)));
    if (i >= j) break;
    swap(scores, ids, i, j);
  }
  swap(scores, ids, i, pivot);
  return i;
}

/** Sorts [lo, hi] best first by insertion (short ranges). */
function insertionSort(scores: Float64Array, ids: Int32Array, lo: number, hi: number): void {
  for (let a = lo + 1; a <= hi; a++)
    for (let b = a; b > lo && before(scores, ids, b, b - 1); b--) swap(scores, ids, b, b - 1);
}

/**
 * Rearranges [base, base+size) so that its best `keep` candidates come first, with the worst of
 * them at base+keep−1 (quickselect).
 */
function selectBest(scores: Float64Array, ids: Int32Array, base: number, size: number, keep: number): void {
  let lo = base;
  let hi = base + size - 1;
  const target = base + keep - 1;
  while (lo < hi) {
    if (hi - lo < 3) {
      insertionSort(scores, ids, lo, hi);
      return;
    }
    const i = partition(scores, ids, lo, hi);
    if (i === target) return;
    if (i < target) lo = i + 1;
    else hi = i - 1;
  }
}

/** Sorts [lo, hi] best first (quicksort, insertion sort below 16 candidates). */
function sortBest(scores: Float64Array, ids: Int32Array, lo: number, hi: number): void {
  while (hi - lo >= 16) {
    const i = partition(scores, ids, lo, hi);
    // recurse into the smaller side, loop on the larger
    if (i - lo < hi - i) {
      sortBest(scores, ids, lo, i - 1);
      lo = i + 1;
    } else {
      sortBest(scores, ids, i + 1, hi);
      hi = i - 1;
    }
  }
  insertionSort(scores, ids, lo, hi);
}

/** Keeps a full buffer's best `capacity` and raises the row's threshold. */
function compactRow(c: RowHeaps, row: number): void {
  const base = row * c.slots;
  selectBest(c.scores, c.ids, base, c.sizes[row]!, c.capacity);
  c.sizes[row] = c.capacity;
  c.worstScore[row] = c.scores[base + c.capacity - 1]!;
  c.worstId[row] = c.ids[base + c.capacity - 1]!;
}

/** Admits (other, sim) to row's buffer when it beats the row's threshold. */
function admitCandidate(c: RowHeaps, row: number, other: number, sim: number): void {
  const worst = c.worstScore[row]!;
  if (sim < worst || (sim === worst && other > c.worstId[row]!)) return;
  const size = c.sizes[row]!;
  const at = row * c.slots + size;
  c.ids[at] = other;
  c.scores[at] = sim;
  c.sizes[row] = size + 1;
  if (size + 1 === c.slots) compactRow(c, row);
}

/** Scratch accumulators, one slot per row. */
interface Scratch {
  readonly count: Int32Array;
  readonly touched: Int32Array;
  /** Similarity of the current row with each candidate. */
  readonly sims: Float64Array;
  readonly sxy: Float64Array;
  readonly sxx: Float64Array;
  readonly syy: Float64Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
}

/** Which accumulators a metric needs. */
type Accumulation = "count" | "dot" | "dotOnly" | "corated";

function accumulationOf(input: SimilarityInput, opts: ResolvedSimilarityOptions): Accumulation {
  switch (input.metric) {
    case "jaccard":
    case "lift":
    case "inclusion":
    case "conditional":
      return "count";
    case "cosine":
    case "dot":
      // when every product is positive, x·y > 0 exactly when the rows share a column, so the
      // co-support count is only needed for shrinkage and minimum support
      return input.productsPositive && opts.shrinkage === 0 && opts.minSupport === 1 ? "dotOnly" : "dot";
    case "adjustedCosine":
      return "dot";
    case "pearson":
    case "msd":
      return "corated";
    default:
      throw new RecokitError("INVALID_INPUT", WHERE, `unknown metric ${JSON.stringify(input.metric)}`);
  }
}

function createScratch(n: number, acc: Accumulation, metric: SimilarityMetric): Scratch {
  const empty = new Float64Array(0);
  const dot = acc !== "count";
  const corated = acc === "corated";
  return {
    count: new Int32Array(n),
    touched: new Int32Array(n),
    sims: new Float64Array(n),
    sxy: dot ? new Float64Array(n) : empty,
    sxx: corated ? new Float64Array(n) : empty,
    syy: corated ? new Float64Array(n) : empty,
    sx: corated && metric === "pearson" ? new Float64Array(n) : empty,
    sy: corated && metric === "pearson" ? new Float64Array(n) : empty,
  };
}

/** Processing positions handed out per claim (see {@link RowClaims}). @internal */
export const ROW_CHUNK = 16;

/**
 * Hands out the rows a caller of {@link accumulateIntoHeaps} accumulates: each call returns the
 * first processing position of the next ROW_CHUNK rows, nRows or more when none are left. Workers
 * share one counter, so each takes the next chunk as soon as it is free. @internal
 */
export type RowClaims = () => number;

/** Claims for a single caller: every row in processing order. @internal */
export function allRows(): RowClaims {
  let next = 0;
  return () => {
    const start = next;
    next += ROW_CHUNK;
    return start;
  };
}

/**
 * The kernel. For each row r it claims, accumulates, over the columns r shares with every row
 * s ≥ r, what the metric needs, then offers sim(r→s) to r's heap and sim(s→r) to s's heap. Each
 * unordered pair is accumulated once, in increasing column order, so the result does not depend on
 * which caller claimed which rows. O(Σ_c nnz(c)²/2) multiply-adds. @internal
 */
export function accumulateIntoHeaps(
  input: SimilarityInput,
  opts: ResolvedSimilarityOptions,
  heaps: RowHeaps,
  claim: RowClaims,
  exclude: Csr | undefined,
  onRows?: (done: number) => boolean,
): void {
  const n = input.nRows;
  const acc = accumulationOf(input, opts);
  const scratch = createScratch(n, acc, input.metric);
  const push = makePush(heaps, input.order, exclude);
  const { minSupport, minSimilarity } = opts;
  const asymmetric = input.metric === "conditional";
  const { counts, order } = input;
  const { count, touched, sims } = scratch;
  const threshold = push.threshold;
  const offer = (r: number, s: number, sim: number): void => {
    if (sim > minSimilarity && sim >= threshold[r]!) push.offer(r, order[s]!, sim);
    if (s === r) return;
    const reverse = asymmetric ? conditionalReverse(count[s]!, counts[s]!, opts.shrinkage) : sim;
    if (reverse > minSimilarity && reverse >= threshold[s]!) push.offer(s, order[r]!, reverse);
  };
  const skip = opts.includeSelf ? 0 : 1;
  let done = 0;
  for (let start = claim(); start < n; start = claim()) {
    const end = Math.min(n, start + ROW_CHUNK);
    for (let r = start; r < end; r++) {
      const lowest = r + skip;
      // Dense mode when the row's work is large next to the rows it can touch: scanning them all
      // afterwards is cheaper than recording which were touched in the inner loop.
      const dense = rowWork(input, r, skip) >= n - lowest;
      if (dense && acc === "dotOnly") {
        accumulateRow(input, scratch, acc, r, skip, false);
        offerDotOnlyRange(input, scratch.sxy, r, lowest, minSimilarity, heaps, exclude);
      } else {
        let touchedCount = accumulateRow(input, scratch, acc, r, skip, !dense);
        if (dense) touchedCount = collectTouched(scratch.count, touched, lowest, n);
        similaritiesOf(input, scratch, acc, opts, r, touchedCount);
        for (let t = 0; t < touchedCount; t++) {
          const s = touched[t]!;
          if (acc === "dotOnly" || count[s]! >= minSupport) offer(r, s, sims[s]!);
        }
        if (dense) clearRange(scratch, lowest, n);
        else clearTouched(scratch, touchedCount);
      }
      done++;
      if (onRows !== undefined && (done & 63) === 0 && !onRows(done)) return;
    }
  }
  onRows?.(done);
}

/** Multiply-adds row r does against the rows after it (and itself when `skip` is 0). */
function rowWork(input: SimilarityInput, r: number, skip: number): number {
  const rowPtr = input.rows.indptr;
  const rowIdx = input.rows.indices;
  const colPtr = input.cols.indptr;
  const positions = input.positions;
  let work = 0;
  for (let j = rowPtr[r]!; j < rowPtr[r + 1]!; j++) work += colPtr[rowIdx[j]! + 1]! - positions[j]! - skip;
  return work;
}

/**
 * Dense finish of a `dotOnly` row (cosine or dot on positive data): for every row s ≥ `lowest`
 * with a non-zero product, computes sim(r, s), offers it both ways and clears the accumulator.
 * One loop with the admission inlined: on dense data this runs once per candidate pair.
 */
function offerDotOnlyRange(
  input: SimilarityInput,
  sxy: Float64Array,
  r: number,
  lowest: number,
  minSimilarity: number,
  heaps: RowHeaps,
  exclude: Csr | undefined,
): void {
  const n = input.nRows;
  const { norms, order } = input;
  const threshold = heaps.worstScore;
  const cosine = input.metric === "cosine";
  const nr = norms[r]!;
  const idR = order[r]!;
  for (let s = lowest; s < n; s++) {
    const v = sxy[s]!;
    if (v === 0) continue;
    sxy[s] = 0;
    let sim = v;
    if (cosine) {
      const d = nr * norms[s]!;
      sim = d > 0 ? v / d : 0;
    }
    if (!(sim > minSimilarity)) continue;
    if (sim >= threshold[r]!) admitUnlessExcluded(heaps, exclude, r, idR, order[s]!, sim);
    if (s !== r && sim >= threshold[s]!) admitUnlessExcluded(heaps, exclude, s, order[s]!, idR, sim);
  }
}

/**
 * Admits (other, sim) to the buffer at processing position `row` (original index `rowId`), unless
 * the exclusions list `other` for that row.
 */
function admitUnlessExcluded(
  heaps: RowHeaps,
  exclude: Csr | undefined,
  row: number,
  rowId: number,
  other: number,
  sim: number,
): void {
  if (exclude !== undefined && findInRow(exclude, rowId, other) >= 0) return;
  admitCandidate(heaps, row, other, sim);
}

/** sim(s → r) of the asymmetric `conditional` metric: n/|s|, shrunk as the forward value. */
function conditionalReverse(support: number, countS: number, shrinkage: number): number {
  const sim = support / countS;
  return shrinkage > 0 ? sim * (support / (support + shrinkage)) : sim;
}

/** Admission into the row buffers, with the per-row exclusions applied. */
function makePush(
  heaps: RowHeaps,
  order: Int32Array,
  exclude: Csr | undefined,
): { threshold: Float64Array; offer: (row: number, other: number, sim: number) => void } {
  const threshold = heaps.worstScore;
  // row: a processing position (the buffer); other: an original row index
  const offer = (row: number, other: number, sim: number): void =>
    admitUnlessExcluded(heaps, exclude, row, order[row]!, other, sim);
  return { threshold, offer };
}

/** Lists the rows in [from, to) that share a column with the current row (dense mode). */
function collectTouched(count: Int32Array, touched: Int32Array, from: number, to: number): number {
  let nt = 0;
  for (let s = from; s < to; s++) if (count[s] !== 0) touched[nt++] = s;
  return nt;
}

/** Clears the accumulators of the first `nt` touched rows (sparse mode). */
function clearTouched(scratch: Scratch, nt: number): void {
  const { touched, count, sxy, sxx, syy, sx, sy } = scratch;
  for (let t = 0; t < nt; t++) count[touched[t]!] = 0;
  if (sxy.length > 0) for (let t = 0; t < nt; t++) sxy[touched[t]!] = 0;
  if (sxx.length > 0) {
    for (let t = 0; t < nt; t++) {
      sxx[touched[t]!] = 0;
      syy[touched[t]!] = 0;
    }
  }
  if (sx.length > 0) {
    for (let t = 0; t < nt; t++) {
      sx[touched[t]!] = 0;
      sy[touched[t]!] = 0;
    }
  }
}

function clearRange(scratch: Scratch, from: number, to: number): void {
  scratch.count.fill(0, from, to);
  if (scratch.sxy.length > 0) scratch.sxy.fill(0, from, to);
  if (scratch.sxx.length > 0) {
    scratch.sxx.fill(0, from, to);
    scratch.syy.fill(0, from, to);
  }
  if (scratch.sx.length > 0) {
    scratch.sx.fill(0, from, to);
    scratch.sy.fill(0, from, to);
  }
}

/**
 * Accumulates row r against every row s > r (s ≥ r when `skip` is 0): in each of r's columns,
 * the entries after r's own. With `track`, records each touched s once in `scratch.touched` and
 * returns how many; without, the caller scans the range.
 */
function accumulateRow(
  input: SimilarityInput,
  scratch: Scratch,
  acc: Accumulation,
  r: number,
  skip: number,
  track: boolean,
): number {
  const { rows, cols } = input;
  const rp = rows.indptr;
  const ri = rows.indices;
  const rv = rows.data;
  const cp = cols.indptr;
  const positions = input.positions;
  const ci = cols.indices;
  const cv = cols.data;
  const count = scratch.count;
  const touched = scratch.touched;
  let nt = 0;
  switch (acc) {
    case "count":
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const end = cp[c + 1]!;
        for (let js = positions[jr]! + skip; js < end; js++) {
          const s = ci[js]!;
          if (track && count[s] === 0) touched[nt++] = s;
          count[s]!++;
        }
      }
      return nt;
    case "dotOnly": {
      const sxy = scratch.sxy;
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const x = rv[jr]!;
        const end = cp[c + 1]!;
        let js = positions[jr]! + skip;
        if (track) {
          for (; js < end; js++) {
            const s = ci[js]!;
            // every product is positive, so a zero sum means s was not touched yet
            if (sxy[s] === 0) touched[nt++] = s;
            sxy[s]! += x * cv[js]!;
          }
        } else {
          // two at a time: the rows of one column are distinct, so the updates are independent
          for (; js + 1 < end; js += 2) {
            const s0 = ci[js]!;
            const s1 = ci[js + 1]!;
            sxy[s0]! += x * cv[js]!;
            sxy[s1]! += x * cv[js + 1]!;
          }
          if (js < end) sxy[ci[js]!]! += x * cv[js]!;
        }
      }
      return nt;
    }
    case "dot": {
      const sxy = scratch.sxy;
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const x = rv[jr]!;
        const end = cp[c + 1]!;
        for (let js = positions[jr]! + skip; js < end; js++) {
          const s = ci[js]!;
          if (track && count[s] === 0) touched[nt++] = s;
          count[s]!++;
          sxy[s]! += x * cv[js]!;
        }
      }
      return nt;
    }
    case "corated": {
      const { sxy, sxx, syy, sx, sy } = scratch;
      const sums = sx.length > 0;
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const x = rv[jr]!;
        const end = cp[c + 1]!;
        for (let js = positions[jr]! + skip; js < end; js++) {
          const s = ci[js]!;
          const y = cv[js]!;
          if (track && count[s] === 0) touched[nt++] = s;
          count[s]!++;
          sxy[s]! += x * y;
          sxx[s]! += x * x;
          syy[s]! += y * y;
          if (sums) {
            sx[s]! += x;
            sy[s]! += y;
          }
        }
      }
      return nt;
    }
    default:
      throw new RecokitError("INVALID_INPUT", WHERE, `unknown accumulation ${JSON.stringify(acc)}`);
  }
}

/**
 * Writes sim(r → s), shrunk, into `scratch.sims[s]` for the first `nt` touched rows s.
 * One tight loop per metric.
 */
function similaritiesOf(
  input: SimilarityInput,
  scratch: Scratch,
  acc: Accumulation,
  opts: ResolvedSimilarityOptions,
  r: number,
  nt: number,
): void {
  const { norms, counts } = input;
  const { sims, count, sxy, sxx, syy, sx, sy, touched } = scratch;
  switch (input.metric) {
    case "cosine":
    case "adjustedCosine": {
      const nr = norms[r]!;
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        const d = nr * norms[s]!;
        sims[s] = d > 0 ? sxy[s]! / d : 0;
      }
      break;
    }
    case "dot":
      for (let t = 0; t < nt; t++) sims[touched[t]!] = sxy[touched[t]!]!;
      break;
    case "jaccard":
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        sims[s] = count[s]! / (counts[r]! + counts[s]! - count[s]!);
      }
      break;
    case "lift":
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        sims[s] = count[s]! / (counts[r]! * counts[s]!);
      }
      break;
    case "inclusion":
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        sims[s] = count[s]! / Math.min(counts[r]!, counts[s]!);
      }
      break;
    case "conditional":
      for (let t = 0; t < nt; t++) sims[touched[t]!] = count[touched[t]!]! / counts[r]!;
      break;
    case "msd":
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        sims[s] = 1 / (Math.max(sxx[s]! + syy[s]! - 2 * sxy[s]!, 0) / count[s]! + 1);
      }
      break;
    case "pearson":
      for (let t = 0; t < nt; t++) {
        const s = touched[t]!;
        const n = count[s]!;
        const num = n * sxy[s]! - sx[s]! * sy[s]!;
        const vx = n * sxx[s]! - sx[s]! * sx[s]!;
        const vy = n * syy[s]! - sy[s]! * sy[s]!;
        const den = vx > 0 && vy > 0 ? Math.sqrt(vx * vy) : 0;
        sims[s] = den > 0 ? Math.max(-1, Math.min(1, num / den)) : 0;
      }
      break;
    default:
      throw new RecokitError("INVALID_INPUT", WHERE, `unknown metric ${JSON.stringify(input.metric)}`);
  }
  const lambda = opts.shrinkage;
  if (lambda > 0 && acc !== "dotOnly") {
    for (let t = 0; t < nt; t++) {
      const s = touched[t]!;
      sims[s]! *= count[s]! / (count[s]! + lambda);
    }
  }
}

/**
 * Row pointers of the neighbour lists: original row r gets min(capacity, candidates held for it by
 * all `parts`) entries, r's buffers being at processing position p with `order[p] = r`. Each
 * candidate pair sits in exactly one part. @internal
 */
export function neighborIndptr(
  parts: readonly RowHeaps[],
  order: Int32Array,
  allocate?: BufferAllocator,
): Int32Array {
  const first = parts[0];
  if (first === undefined) throw new RecokitError("INTERNAL", WHERE, "no row buffers to drain");
  const n = order.length;
  const indptr = int32s(n + 1, allocate);
  for (let p = 0; p < n; p++) {
    let held = 0;
    for (const part of parts) held += part.sizes[p]!;
    indptr[order[p]! + 1] = Math.min(held, first.capacity);
  }
  for (let r = 0; r < n; r++) indptr[r + 1]! += indptr[r]!;
  return indptr;
}

/**
 * Writes the sorted neighbour lists of the original rows r ≡ `from` (mod `step`) into `indices`
 * and `similarities` at `indptr[r]`: the best candidates held for r by any of `parts`, best first.
 * @internal
 */
export function drainRows(
  parts: readonly RowHeaps[],
  order: Int32Array,
  indptr: Int32Array,
  indices: Int32Array,
  similarities: Float64Array,
  from: number,
  step: number,
): void {
  const first = parts[0];
  if (first === undefined) throw new RecokitError("INTERNAL", WHERE, "no row buffers to drain");
  const n = order.length;
  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  const ids = new Int32Array(parts.length * first.slots);
  const scores = new Float64Array(parts.length * first.slots);
  for (let r = from; r < n; r += step) {
    const p = position[r]!;
    // every part keeps `capacity` candidates ranking at or above its worst kept one: a candidate
    // ranking after the best of those cannot make the list
    let floor = Number.NEGATIVE_INFINITY;
    let floorId = 0;
    for (const part of parts) {
      const w = part.worstScore[p]!;
      if (w > floor || (w === floor && part.worstId[p]! < floorId)) {
        floor = w;
        floorId = part.worstId[p]!;
      }
    }
    let held = 0;
    for (const part of parts) {
      const base = p * part.slots;
      const end = base + part.sizes[p]!;
      for (let j = base; j < end; j++) {
        const score = part.scores[j]!;
        if (score < floor || (score === floor && part.ids[j]! > floorId)) continue;
        ids[held] = part.ids[j]!;
        scores[held++] = score;
      }
    }
    const keep = indptr[r + 1]! - indptr[r]!;
    if (held > keep) selectBest(scores, ids, 0, held, keep);
    sortBest(scores, ids, 0, keep - 1);
    const at = indptr[r]!;
    for (let j = 0; j < keep; j++) {
      indices[at + j] = ids[j]!;
      similarities[at + j] = scores[j]!;
    }
  }
}

/** Turns the row buffers of a single-threaded run into neighbour lists. */
function drainRowHeaps(
  heaps: RowHeaps,
  order: Int32Array,
  nCols: number,
  metric: SimilarityMetric,
): NeighborLists {
  const indptr = neighborIndptr([heaps], order);
  const n = order.length;
  const indices = new Int32Array(indptr[n]!);
  const similarities = new Float64Array(indptr[n]!);
  drainRows([heaps], order, indptr, indices, similarities, 0, 1);
  return { nRows: n, nCols, k: heaps.k, metric, indptr, indices, similarities };
}

/** Heap capacity for a run. @internal */
export function heapCapacity(nRows: number, opts: ResolvedSimilarityOptions): number {
  return Math.min(opts.k, opts.includeSelf ? nRows : Math.max(nRows - 1, 0));
}

/**
 * The top-k most similar rows of every row of a sparse matrix: the similarity core of recokit.
 * Exact, sparse (memory O(nnz + nRows·k); no dense n×n is ever built) and single-threaded; see
 * `topKSimilarityParallel` in `recokit/node` for the worker-thread variant (identical result).
 * For item–item similarity pass the items × users matrix (`transpose` of users × items); for
 * user–user, the users × items matrix itself.
 *
 * Metrics, for rows x and y (sums over their co-rated columns, i.e. columns stored in both, unless
 * stated; n = co-support, the number of such columns; |x| = stored entries of x):
 *
 * | metric | similarity |
 * |---|---|
 * | `cosine` | x·y / (‖x‖ ‖y‖), norms over whole rows |
 * | `adjustedCosine` | cosine after subtracting each column's mean (for item rows: the user's mean rating; Sarwar et al. 2001) |
 * | `pearson` | Pearson correlation over co-rated columns (means over the co-rated values, as in Surprise); 0 when either side is constant |
 * | `msd` | 1 / (Σ(x−y)²/n + 1) (mean squared difference, as in Surprise) |
 * | `jaccard` | n / (\|x\| + \|y\| − n) |
 * | `dot` | x·y (on binary data: co-occurrence counts) |
 * | `lift` | n / (\|x\| · \|y\|) (SAR's lift) |
 * | `inclusion` | n / min(\|x\|, \|y\|) (SAR's inclusion index) |
 * | `conditional` | n / \|x\|, the share of x's columns that y shares; asymmetric |
 *
 * Then, with shrinkage λ > 0: sim × n / (n + λ). Rows sharing no column are never neighbours;
 * neighbours with co-support below `minSupport` or similarity ≤ `minSimilarity` are dropped.
 * Each row's list is sorted by similarity descending, ties by lower index.
 *
 * Complexity: each unordered pair is accumulated once, Σ over columns of nnz(column)²/2
 * multiply-adds, plus amortised O(1) per candidate pair and one sort of each final list.
 *
 * @param m - the rows to compare (not modified)
 * @param options - `k`, metric, shrinkage, support and similarity floors, exclusions, progress
 * @returns neighbour lists for every row
 * @throws RecokitError `INVALID_INPUT` for bad options or matrix, `TOO_LARGE` when nRows·k slots
 *   exceed 2³¹, `ABORTED` when the signal fires.
 * @example
 * ```ts
 * import { csrFromTriplets, indexInteractions, topKSimilarity, transpose } from "recokit";
 * const { items, matrix } = indexInteractions([
 *   { user: "a", item: "tea" }, { user: "a", item: "mug" },
 *   { user: "b", item: "tea" }, { user: "b", item: "mug" }, { user: "b", item: "pot" },
 * ]);
 * const lists = topKSimilarity(transpose(matrix), { k: 2, metric: "cosine" });
 * // "tea" is most similar to "mug" (cosine 1), then "pot" (1/√2)
 * ```
 */
export function topKSimilarity(m: Csr, options: TopKSimilarityOptions): NeighborLists {
  assertCsr(WHERE, m);
  const opts = resolveSimilarityOptions(WHERE, m, options);
  const capacity = heapCapacity(m.nRows, opts);
  const input = prepareSimilarityInput(m, opts.metric, capacity);
  const heaps = createRowHeaps(m.nRows, opts.k, capacity);
  const total = m.nRows;
  const signal = options.signal;
  throwIfAborted(WHERE, signal);
  accumulateIntoHeaps(input, opts, heaps, allRows(), options.exclude, (done) => {
    throwIfAborted(WHERE, signal);
    options.onProgress?.(done, total);
    return true;
  });
  return drainRowHeaps(heaps, input.order, m.nRows, opts.metric);
}
