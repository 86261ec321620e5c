import { type Csr, colCounts } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import { TopKHeap } from "../core/topk.js";
import { type NeighborLists, topKSimilarity } from "../similarity/index.js";

/**
 * How item-item content neighbours are computed. Exact by default; `maxDf` below 1 trades a little
 * recall for speed on large catalogues (see {@link contentNeighborLists}).
 */
export interface ContentNeighborOptions {
  /** Neighbours kept per item (a non-negative integer). */
  readonly k: number;
  /**
   * Candidate generation only looks at features found in at most this share of items (default 1:
   * every feature, exact). An item whose features are all more frequent keeps its rarest one.
   */
  readonly maxDf?: number;
  /** Candidates per item re-ranked by the full cosine when `maxDf < 1` (default 5·k). */
  readonly pool?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

const WHERE = "contentNeighborLists";

/** Validates `neighbors: number | ContentNeighborOptions`. @internal */
export function resolveNeighborOptions(
  where: string,
  value: number | ContentNeighborOptions,
): Required<Pick<ContentNeighborOptions, "k" | "maxDf" | "pool">> {
  const o = typeof value === "number" ? { k: value } : value;
  if (o === null || typeof o !== "object")
    throw new RecokitError("INVALID_INPUT", where, "neighbors must be a number or an options object");
  assertInteger(where, "neighbors.k", o.k, 0);
  const maxDf = o.maxDf ?? 1;
  assertFinite(where, "neighbors.maxDf", maxDf, Number.MIN_VALUE, 1);
  const pool = o.pool ?? 5 * o.k;
  assertInteger(where, "neighbors.pool", pool, o.k);
  return { k: o.k, maxDf, pool };
}

/**
 * Top-k content neighbours of every item: cosine of the item vectors, best first, ties by lower
 * index, only items sharing a feature, never the item itself.
 *
 * - Exact (`maxDf` 1, the default): one call to the similarity core's `topKSimilarity`, whose cost
 *   is Σ_f df_f²/2 over the features. Low-cardinality features (price bands, a handful of tags,
 *   top-level categories) make that quadratic in the catalogue size.
 * - Candidate pruning (`maxDf` < 1), as search engines' "more like this" does: `topKSimilarity` runs
 *   on the item vectors restricted to their selective features (df ≤ maxDf·nItems; an item with none
 *   keeps its rarest), keeping `pool` candidates per item; each candidate is then re-scored with the
 *   full cosine and the best k kept (core `TopKHeap`). Similarities are exact; a true neighbour is
 *   missed only when it shares no selective feature with the item or ranks below the pool on the
 *   selective part. The benchmark reports the recall against exact lists.
 *
 * @param itemFeatures - items × features (e.g. `model.itemFeatures`)
 * @param options - k, maxDf, pool, signal, onProgress
 * @returns neighbour lists (metric `"cosine"`)
 * @throws RecokitError `INVALID_INPUT` for bad options, `ABORTED` on abort, `TOO_LARGE` from the kernel.
 * @example
 * ```ts
 * import { contentNeighborLists, csrFromDense } from "recokit";
 * const lists = contentNeighborLists(csrFromDense([[1, 1, 0], [1, 0, 0], [0, 0, 1]]), { k: 2 });
 * Array.from(lists.indices.subarray(lists.indptr[0], lists.indptr[1])); // [1]
 * ```
 */
export function contentNeighborLists(itemFeatures: Csr, options: ContentNeighborOptions): NeighborLists {
  const { k, maxDf, pool } = resolveNeighborOptions(WHERE, options);
  const common = {
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
  if (maxDf >= 1) return topKSimilarity(itemFeatures, { k, metric: "cosine", ...common });
  const selective = selectiveFeatures(itemFeatures, maxDf * itemFeatures.nRows);
  const candidates = topKSimilarity(selective, { k: pool, metric: "dot", ...common });
  throwIfAborted(WHERE, options.signal);
  return rescore(itemFeatures, candidates, k);
}

/** Each row restricted to columns with df ≤ limit (its rarest column when none qualifies). */
function selectiveFeatures(m: Csr, limit: number): Csr {
  const df = colCounts(m);
  const indptr = new Int32Array(m.nRows + 1);
  const indices = new Int32Array(m.indices.length);
  const data = new Float64Array(m.indices.length);
  let nnz = 0;
  for (let r = 0; r < m.nRows; r++) {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    let rarest = -1;
    const before = nnz;
    for (let j = start; j < end; j++) {
      const c = m.indices[j]!;
      if (df[c]! <= limit) {
        indices[nnz] = c;
        data[nnz] = m.data[j]!;
        nnz++;
      }
      if (rarest < 0 || df[c]! < df[m.indices[rarest]!]!) rarest = j;
    }
    if (nnz === before && rarest >= 0) {
      indices[nnz] = m.indices[rarest]!;
      data[nnz] = m.data[rarest]!;
      nnz++;
    }
    indptr[r + 1] = nnz;
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

/** Re-ranks candidate lists by the full cosine (sorted-row merge), keeping the best k per row. */
function rescore(m: Csr, candidates: NeighborLists, k: number): NeighborLists {
  const n = m.nRows;
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = m.indptr[r]!; j < m.indptr[r + 1]!; j++) s += m.data[j]! * m.data[j]!;
    norms[r] = Math.sqrt(s);
  }
  const heap = new TopKHeap(k);
  const ids = new Int32Array(n * k);
  const sims = new Float64Array(n * k);
  const indptr = new Int32Array(n + 1);
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let p = candidates.indptr[r]!; p < candidates.indptr[r + 1]!; p++) {
      const s = candidates.indices[p]!;
      const dot = rowDot(m, r, s);
      if (dot !== 0) heap.push(s, dot / (norms[r]! * norms[s]!));
    }
    total += heap.drainInto(ids, sims, total);
    indptr[r + 1] = total;
  }
  return {
    nRows: n,
    nCols: n,
    k,
    metric: "cosine",
    indptr,
    indices: ids.slice(0, total),
    similarities: sims.slice(0, total),
  };
}

/** Dot product of rows a and b (both sorted by column). */
function rowDot(m: Csr, a: number, b: number): number {
  let p = m.indptr[a]!;
  const pe = m.indptr[a + 1]!;
  let q = m.indptr[b]!;
  const qe = m.indptr[b + 1]!;
  let dot = 0;
  while (p < pe && q < qe) {
    const cp = m.indices[p]!;
    const cq = m.indices[q]!;
    if (cp === cq) {
      dot += m.data[p]! * m.data[q]!;
      p++;
      q++;
    } else if (cp < cq) p++;
    else q++;
  }
  return dot;
}
