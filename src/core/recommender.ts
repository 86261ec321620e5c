import type { Csr } from "./csr.js";
import type { Id, IdIndex } from "./id-index.js";
import { TopKHeap } from "./topk.js";

/** One recommended item (friendly layer, external ids). */
export interface Recommendation {
  readonly item: Id;
  readonly score: number;
  /** Why this item was recommended, when the model can say (e.g. "similar to i12"). */
  readonly reasons?: readonly string[];
}

/** What to do with a user or item id the model does not know. */
export type OnUnknown = "throw" | "empty";

/** Options shared by every model's `recommend`. */
export interface RecommendOptions {
  /** How many items (default 10). */
  readonly k?: number;
  /** Items never returned. */
  readonly exclude?: Iterable<Id>;
  /** Leave out items the user already interacted with in training (default true). */
  readonly excludeSeen?: boolean;
  /** Rank only these items. */
  readonly candidates?: Iterable<Id>;
  /** Unknown user: a typed error (`"throw"`, default) or an empty list (`"empty"`). */
  readonly onUnknown?: OnUnknown;
  /** Attach `reasons` to each recommendation (default false). */
  readonly explain?: boolean;
}

/**
 * Recommendations for many users at once (fast layer, dense indices): row `u` of the batch holds
 * `counts[u]` items in `ids[u*k … u*k+counts[u]-1]`, best first; unused slots hold -1 / NaN.
 */
export interface BatchRecommendations {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float64Array;
  readonly counts: Int32Array;
}

/**
 * Applies the ranking filters of {@link RecommendOptions} to a score vector before top-k: the
 * user's seen items (row `u` of `seen`, when `excludeSeen` is not false and `u >= 0`) and the
 * `exclude` ids become NaN (never ranked); `candidates` ids resolve to item indices (unknown ids
 * are ignored). Returns the candidate indices, or undefined when every item is a candidate.
 * The one filter step every recommender shares. @internal
 */
export function applyRankingFilters(
  items: IdIndex,
  seen: Csr | null,
  u: number,
  scores: Float64Array,
  options: RecommendOptions,
): Int32Array | undefined {
  if ((options.excludeSeen ?? true) && u >= 0 && seen !== null) {
    for (let j = seen.indptr[u]!; j < seen.indptr[u + 1]!; j++) scores[seen.indices[j]!] = Number.NaN;
  }
  if (options.exclude !== undefined) {
    for (const id of options.exclude) {
      const i = items.indexOf(id, "minus-one");
      if (i >= 0) scores[i] = Number.NaN;
    }
  }
  if (options.candidates === undefined) return undefined;
  const out: number[] = [];
  for (const id of options.candidates) {
    const i = items.indexOf(id, "minus-one");
    if (i >= 0) out.push(i);
  }
  return Int32Array.from(out);
}

/**
 * Ranks many users into the batch shape: for each row, `fill(row, scores)` writes one score per
 * item into the reused `scores` buffer and returns the candidate indices (undefined: every item;
 * null: leave the row empty, e.g. an unknown user); the row's `k` best are kept, best first, each
 * candidate once. The one batch loop every recommender shares. @internal
 */
export function collectBatch(
  nRows: number,
  k: number,
  nItems: number,
  fill: (row: number, scores: Float64Array) => Int32Array | undefined | null,
): BatchRecommendations {
  const ids = new Int32Array(nRows * k).fill(-1);
  const scoresOut = new Float64Array(nRows * k).fill(Number.NaN);
  const counts = new Int32Array(nRows);
  const scores = new Float64Array(nItems);
  const heap = new TopKHeap(Math.min(k, nItems));
  const seen = new Uint8Array(nItems);
  for (let row = 0; row < nRows; row++) {
    const candidates = fill(row, scores);
    if (candidates === null) continue;
    if (candidates === undefined) {
      for (let i = 0; i < nItems; i++) heap.push(i, scores[i]!);
    } else {
      for (const i of candidates) {
        if (seen[i] === 1) continue;
        seen[i] = 1;
        heap.push(i, scores[i]!);
      }
      for (const i of candidates) seen[i] = 0;
    }
    counts[row] = heap.drainInto(ids, scoresOut, row * k);
  }
  return { k, ids, scores: scoresOut, counts };
}
