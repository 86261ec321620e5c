import { assertInteger, RecokitError } from "../core/errors.js";

/** Similarity metrics of {@link topKSimilarity}; see the metric table there. */
export type SimilarityMetric =
  | "cosine"
  | "adjustedCosine"
  | "pearson"
  | "jaccard"
  | "msd"
  | "dot"
  | "lift"
  | "inclusion"
  | "conditional";

/** Every metric, for validation and iteration. */
export const SIMILARITY_METRICS: readonly SimilarityMetric[] = [
  "cosine",
  "adjustedCosine",
  "pearson",
  "jaccard",
  "msd",
  "dot",
  "lift",
  "inclusion",
  "conditional",
];

/**
 * Top-k neighbour lists of every row: row `r`'s neighbours are
 * `indices[indptr[r] … indptr[r+1]-1]`, sorted by similarity descending, ties by lower index,
 * with their similarities in `similarities`. Not a {@link Csr} (rows are ordered by similarity,
 * not by column); a plain serialisable object of typed arrays.
 */
export interface NeighborLists {
  /** Number of rows that have lists. */
  readonly nRows: number;
  /** Number of candidate neighbours (rows of the matrix compared against). */
  readonly nCols: number;
  /** Neighbours kept per row at most. */
  readonly k: number;
  readonly metric: SimilarityMetric;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly similarities: Float64Array;
}

/** One row's neighbours (views sharing the lists' memory). */
export interface Neighbors {
  readonly indices: Int32Array;
  readonly similarities: Float64Array;
}

/**
 * Row `r`'s neighbours, best first.
 * @throws RecokitError `INVALID_INPUT` when `r` is out of range.
 * @example
 * ```ts
 * import { csrFromDense, neighborsOf, topKSimilarity } from "recokit";
 * const lists = topKSimilarity(csrFromDense([[1, 1], [1, 0], [0, 1]]), { k: 2 });
 * Array.from(neighborsOf(lists, 0).indices); // [1, 2]
 * ```
 */
export function neighborsOf(lists: NeighborLists, r: number): Neighbors {
  assertInteger("neighborsOf", "row", r, 0, lists.nRows - 1);
  const start = lists.indptr[r]!;
  const end = lists.indptr[r + 1]!;
  return {
    indices: lists.indices.subarray(start, end),
    similarities: lists.similarities.subarray(start, end),
  };
}

/**
 * Checks the shape and ordering invariants of neighbour lists (used when loading a model).
 * @throws RecokitError `BAD_MODEL` naming the first defect.
 * @example
 * ```ts
 * import { assertNeighborLists, csrFromDense, topKSimilarity } from "recokit";
 * assertNeighborLists("load", topKSimilarity(csrFromDense([[1]]), { k: 1 })); // passes
 * ```
 */
export function assertNeighborLists(where: string, lists: NeighborLists): void {
  const bad = (detail: string): never => {
    throw new RecokitError("BAD_MODEL", where, `neighbour lists: ${detail}`);
  };
  if (!(lists.indptr instanceof Int32Array) || lists.indptr.length !== lists.nRows + 1) bad("indptr length");
  const total = lists.indptr[lists.nRows]!;
  if (lists.indices.length !== total || lists.similarities.length !== total) bad("lengths differ");
  for (let r = 0; r < lists.nRows; r++) {
    const start = lists.indptr[r]!;
    const end = lists.indptr[r + 1]!;
    if (end < start || end - start > lists.k) bad(`row ${r}: bad length`);
    for (let j = start; j < end; j++) {
      const c = lists.indices[j]!;
      if (c < 0 || c >= lists.nCols) bad(`row ${r}: neighbour ${c} out of range`);
      if (!Number.isFinite(lists.similarities[j]!)) bad(`row ${r}: similarity is not finite`);
      if (j > start && lists.similarities[j]! > lists.similarities[j - 1]!) bad(`row ${r}: not sorted`);
    }
  }
}

/** Concatenates lists computed for consecutive row ranges (workers) into one. @internal */
export function concatNeighborLists(
  parts: readonly NeighborLists[],
  nCols: number,
  k: number,
  metric: SimilarityMetric,
): NeighborLists {
  let nRows = 0;
  let total = 0;
  for (const p of parts) {
    nRows += p.nRows;
    total += p.indices.length;
  }
  const indptr = new Int32Array(nRows + 1);
  const indices = new Int32Array(total);
  const similarities = new Float64Array(total);
  let row = 0;
  let offset = 0;
  for (const p of parts) {
    indices.set(p.indices, offset);
    similarities.set(p.similarities, offset);
    for (let r = 0; r < p.nRows; r++) indptr[row + r + 1] = offset + p.indptr[r + 1]!;
    row += p.nRows;
    offset += p.indices.length;
  }
  return { nRows, nCols, k, metric, indptr, indices, similarities };
}
