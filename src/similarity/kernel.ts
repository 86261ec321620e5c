import { assertCsr, type Csr, findInRow, transpose } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { heapDrain, heapPush } from "../core/topk.js";
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

/** What the kernel reads: the (transformed) rows, their transpose and per-row statistics. @internal */
export interface SimilarityInput {
  readonly metric: SimilarityMetric;
  readonly nRows: number;
  readonly rows: Csr;
  readonly cols: Csr;
  /** Euclidean norm of each (transformed) row. */
  readonly norms: Float64Array;
  /** Stored entries of each row. */
  readonly counts: Int32Array;
}

/** Per-row bounded heaps in flat arrays (row r's heap at offset r·k). @internal */
export interface RowHeaps {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float64Array;
  readonly sizes: Int32Array;
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
 * Transforms the matrix as the metric needs (column-centring for adjusted cosine, binary counts for
 * co-occurrence metrics) and precomputes the transpose and row statistics. @internal
 */
export function prepareSimilarityInput(m: Csr, metric: SimilarityMetric): SimilarityInput {
  const rows = metric === "adjustedCosine" ? centerColumns(m) : toFloat64(m);
  const cols = transpose(rows);
  const norms = new Float64Array(rows.nRows);
  const counts = new Int32Array(rows.nRows);
  for (let r = 0; r < rows.nRows; r++) {
    let s = 0;
    for (let j = rows.indptr[r]!; j < rows.indptr[r + 1]!; j++) s += rows.data[j]! * rows.data[j]!;
    norms[r] = Math.sqrt(s);
    counts[r] = rows.indptr[r + 1]! - rows.indptr[r]!;
  }
  return { metric, nRows: rows.nRows, rows, cols, norms, counts };
}

function toFloat64(m: Csr): Csr {
  return m.data instanceof Float64Array ? m : { ...m, data: Float64Array.from(m.data) };
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

/** Allocates empty per-row heaps. @internal */
export function createRowHeaps(nRows: number, k: number): RowHeaps {
  const cells = nRows * k;
  if (cells > 2 ** 31 - 1) {
    throw new RecokitError("TOO_LARGE", WHERE, `${nRows} rows × k=${k} neighbour slots exceed the 2³¹ limit`);
  }
  return { k, ids: new Int32Array(cells), scores: new Float64Array(cells), sizes: new Int32Array(nRows) };
}

/** Scratch accumulators, one slot per row. */
interface Scratch {
  readonly count: Int32Array;
  readonly touched: Int32Array;
  readonly sxy: Float64Array;
  readonly sxx: Float64Array;
  readonly syy: Float64Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
}

function createScratch(n: number, metric: SimilarityMetric): Scratch {
  const needsDot =
    metric === "cosine" ||
    metric === "adjustedCosine" ||
    metric === "dot" ||
    metric === "pearson" ||
    metric === "msd";
  const needsSquares = metric === "pearson" || metric === "msd";
  const needsSums = metric === "pearson";
  const empty = new Float64Array(0);
  return {
    count: new Int32Array(n),
    touched: new Int32Array(n),
    sxy: needsDot ? new Float64Array(n) : empty,
    sxx: needsSquares ? new Float64Array(n) : empty,
    syy: needsSquares ? new Float64Array(n) : empty,
    sx: needsSums ? new Float64Array(n) : empty,
    sy: needsSums ? new Float64Array(n) : empty,
  };
}

/**
 * The kernel. For each row r with `r % parts === part`, accumulates, over the columns r shares with
 * every row s ≥ r, what the metric needs, then offers sim(r→s) to r's heap and sim(s→r) to s's
 * heap. Each unordered pair is accumulated once, in increasing column order, so the result does not
 * depend on how rows are split across parts. O(Σ_c nnz(c)²/2) multiply-adds. @internal
 */
export function accumulateIntoHeaps(
  input: SimilarityInput,
  opts: ResolvedSimilarityOptions,
  heaps: RowHeaps,
  part: number,
  parts: number,
  exclude: Csr | undefined,
  onRows?: (done: number) => boolean,
): void {
  const n = input.nRows;
  const scratch = createScratch(n, input.metric);
  const similarity = similarityFunction(input, scratch);
  const push = makePush(heaps, heapCapacity(n, opts), exclude);
  const { shrinkage, minSupport, minSimilarity } = opts;
  const asymmetric = input.metric === "conditional";
  const counts = input.counts;
  const count = scratch.count;
  const touched = scratch.touched;
  let done = 0;
  for (let r = part; r < n; r += parts) {
    const touchedCount = accumulateRow(input, scratch, r, opts.includeSelf);
    for (let t = 0; t < touchedCount; t++) {
      const s = touched[t]!;
      const support = count[s]!;
      if (support >= minSupport) {
        const shrink = shrinkage > 0 ? support / (support + shrinkage) : 1;
        const sim = similarity(r, s, support) * shrink;
        if (sim > minSimilarity) push(r, s, sim);
        if (s !== r) {
          const reverse = asymmetric ? (support / counts[s]!) * shrink : sim;
          if (reverse > minSimilarity) push(s, r, reverse);
        }
      }
      clearSlot(scratch, s);
    }
    done++;
    if (onRows !== undefined && (done & 63) === 0 && !onRows(done)) return;
  }
  onRows?.(done);
}

/**
 * Offers (other, sim) to `row`'s heap. A compact per-row threshold (the worst score held by a full
 * heap) rejects most candidates without touching the heap's memory.
 */
function makePush(heaps: RowHeaps, capacity: number, exclude: Csr | undefined): (row: number, other: number, sim: number) => void {
  const { ids, scores, sizes, k } = heaps;
  const threshold = new Float64Array(sizes.length).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < sizes.length; r++) if (capacity > 0 && sizes[r] === capacity) threshold[r] = scores[r * k]!;
  if (capacity === 0) threshold.fill(Number.POSITIVE_INFINITY);
  return (row, other, sim) => {
    const worst = threshold[row]!;
    if (sim < worst) return;
    const base = row * k;
    if (sim === worst && other > ids[base]!) return;
    if (exclude !== undefined && findInRow(exclude, row, other) >= 0) return;
    const size = heapPush(ids, scores, base, sizes[row]!, capacity, other, sim);
    sizes[row] = size;
    if (size === capacity) threshold[row] = scores[base]!;
  };
}

function clearSlot(scratch: Scratch, s: number): void {
  scratch.count[s] = 0;
  if (scratch.sxy.length > 0) scratch.sxy[s] = 0;
  if (scratch.sxx.length > 0) {
    scratch.sxx[s] = 0;
    scratch.syy[s] = 0;
  }
  if (scratch.sx.length > 0) {
    scratch.sx[s] = 0;
    scratch.sy[s] = 0;
  }
}

/** Accumulates row r against every row s > r (s ≥ r with self); returns how many s were touched. */
function accumulateRow(input: SimilarityInput, scratch: Scratch, r: number, includeSelf: boolean): number {
  const { rows, cols } = input;
  const rp = rows.indptr;
  const ri = rows.indices;
  const rv = rows.data;
  const cp = cols.indptr;
  const ci = cols.indices;
  const cv = cols.data;
  const count = scratch.count;
  const touched = scratch.touched;
  const lowest = includeSelf ? r : r + 1;
  let nt = 0;
  switch (input.metric) {
    case "jaccard":
    case "lift":
    case "inclusion":
    case "conditional":
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const start = cp[c]!;
        for (let js = cp[c + 1]! - 1; js >= start; js--) {
          const s = ci[js]!;
          if (s < lowest) break;
          if (count[s] === 0) touched[nt++] = s;
          count[s]!++;
        }
      }
      return nt;
    case "cosine":
    case "adjustedCosine":
    case "dot": {
      const sxy = scratch.sxy;
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const x = rv[jr]!;
        const start = cp[c]!;
        for (let js = cp[c + 1]! - 1; js >= start; js--) {
          const s = ci[js]!;
          if (s < lowest) break;
          if (count[s] === 0) touched[nt++] = s;
          count[s]!++;
          sxy[s]! += x * cv[js]!;
        }
      }
      return nt;
    }
    case "pearson":
    case "msd": {
      const { sxy, sxx, syy, sx, sy } = scratch;
      const sums = input.metric === "pearson";
      for (let jr = rp[r]!; jr < rp[r + 1]!; jr++) {
        const c = ri[jr]!;
        const x = rv[jr]!;
        const start = cp[c]!;
        for (let js = cp[c + 1]! - 1; js >= start; js--) {
          const s = ci[js]!;
          if (s < lowest) break;
          const y = cv[js]!;
          if (count[s] === 0) touched[nt++] = s;
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
      throw new RecokitError("INVALID_INPUT", WHERE, `unknown metric ${JSON.stringify(input.metric)}`);
  }
}

/** sim(r → s) from the accumulators of slot s and the co-support n, specialised per metric. */
function similarityFunction(input: SimilarityInput, scratch: Scratch): (r: number, s: number, n: number) => number {
  const { norms, counts } = input;
  const { sxy, sxx, syy, sx, sy } = scratch;
  switch (input.metric) {
    case "cosine":
    case "adjustedCosine":
      return (r, s) => {
        const d = norms[r]! * norms[s]!;
        return d > 0 ? sxy[s]! / d : 0;
      };
    case "dot":
      return (_r, s) => sxy[s]!;
    case "jaccard":
      return (r, s, n) => n / (counts[r]! + counts[s]! - n);
    case "lift":
      return (r, s, n) => n / (counts[r]! * counts[s]!);
    case "inclusion":
      return (r, s, n) => n / Math.min(counts[r]!, counts[s]!);
    case "conditional":
      return (r, _s, n) => n / counts[r]!;
    case "msd":
      return (_r, s, n) => 1 / (Math.max(sxx[s]! + syy[s]! - 2 * sxy[s]!, 0) / n + 1);
    case "pearson":
      return (_r, s, n) => {
        const num = n * sxy[s]! - sx[s]! * sy[s]!;
        const vx = n * sxx[s]! - sx[s]! * sx[s]!;
        const vy = n * syy[s]! - sy[s]! * sy[s]!;
        const den = vx > 0 && vy > 0 ? Math.sqrt(vx * vy) : 0;
        return den > 0 ? Math.max(-1, Math.min(1, num / den)) : 0;
      };
    default:
      throw new RecokitError("INVALID_INPUT", WHERE, `unknown metric ${JSON.stringify(input.metric)}`);
  }
}

/** Drains per-row heaps into neighbour lists. @internal */
export function drainRowHeaps(heaps: RowHeaps, nCols: number, metric: SimilarityMetric): NeighborLists {
  const n = heaps.sizes.length;
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + heaps.sizes[r]!;
  const total = indptr[n]!;
  const indices = new Int32Array(total);
  const similarities = new Float64Array(total);
  for (let r = 0; r < n; r++)
    heapDrain(heaps.ids, heaps.scores, r * heaps.k, heaps.sizes[r]!, indices, similarities, indptr[r]!);
  heaps.sizes.fill(0);
  return { nRows: n, nCols, k: heaps.k, metric, indptr, indices, similarities };
}

/** Offers every pair held in `from` to `into` (merging heaps filled by different parts). @internal */
export function mergeRowHeaps(into: RowHeaps, from: RowHeaps, capacity: number): void {
  const k = into.k;
  for (let r = 0; r < into.sizes.length; r++) {
    const base = r * k;
    let size = into.sizes[r]!;
    for (let j = 0; j < from.sizes[r]!; j++) {
      size = heapPush(
        into.ids,
        into.scores,
        base,
        size,
        capacity,
        from.ids[base + j]!,
        from.scores[base + j]!,
      );
    }
    into.sizes[r] = size;
  }
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
 * multiply-adds, plus O(log k) per candidate pair.
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
  const input = prepareSimilarityInput(m, opts.metric);
  const heaps = createRowHeaps(m.nRows, opts.k);
  const total = m.nRows;
  const signal = options.signal;
  throwIfAborted(WHERE, signal);
  accumulateIntoHeaps(input, opts, heaps, 0, 1, options.exclude, (done) => {
    throwIfAborted(WHERE, signal);
    options.onProgress?.(done, total);
    return true;
  });
  return drainRowHeaps(heaps, m.nRows, opts.metric);
}
