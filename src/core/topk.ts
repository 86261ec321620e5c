import { assertInteger, RecokitError } from "./errors.js";

/** Ranked indices and their scores, best first. */
export interface TopKResult {
  readonly ids: Int32Array;
  readonly scores: Float64Array;
}

/**
 * A bounded heap keeping the `k` best (index, score) pairs seen: higher score first, ties broken
 * by the lower index. Reusable across rows (call {@link TopKHeap.clear}); all storage is allocated
 * once. This is the one ranking structure in recokit: {@link topK}, the similarity kernel and every
 * recommender rank through it.
 *
 * @example
 * ```ts
 * import { TopKHeap } from "recokit";
 * const heap = new TopKHeap(2);
 * heap.push(0, 0.5); heap.push(1, 0.9); heap.push(2, 0.7);
 * const ids = new Int32Array(2), scores = new Float64Array(2);
 * heap.drainInto(ids, scores, 0); // ids [1, 2], scores [0.9, 0.7]
 * ```
 */
export class TopKHeap {
  readonly capacity: number;
  #ids: Int32Array;
  #scores: Float64Array;
  #size = 0;

  /** @param k - how many pairs to keep (0 keeps none) */
  constructor(k: number) {
    assertInteger("TopKHeap", "k", k, 0);
    this.capacity = k;
    this.#ids = new Int32Array(k);
    this.#scores = new Float64Array(k);
  }

  /** Number of pairs held. */
  get size(): number {
    return this.#size;
  }

  /** Forgets every pair (keeps the storage). */
  clear(): void {
    this.#size = 0;
  }

  /** The worst score held, or -Infinity while the heap is not full. */
  get threshold(): number {
    return this.#size < this.capacity ? Number.NEGATIVE_INFINITY : this.#scores[0]!;
  }

  /** Offers a pair; NaN scores are ignored (NaN means "cannot score"). */
  push(index: number, score: number): void {
    if (Number.isNaN(score) || this.capacity === 0) return;
    const ids = this.#ids;
    const scores = this.#scores;
    if (this.#size < this.capacity) {
      let i = this.#size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, index, scores[parent]!, ids[parent]!)) break;
        ids[i] = ids[parent]!;
        scores[i] = scores[parent]!;
        i = parent;
      }
      ids[i] = index;
      scores[i] = score;
      return;
    }
    if (!worse(scores[0]!, ids[0]!, score, index)) return;
    this.#siftDown(index, score);
  }

  #siftDown(index: number, score: number): void {
    const ids = this.#ids;
    const scores = this.#scores;
    const n = this.#size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && worse(scores[right]!, ids[right]!, scores[left]!, ids[left]!)) child = right;
      if (!worse(scores[child]!, ids[child]!, score, index)) break;
      ids[i] = ids[child]!;
      scores[i] = scores[child]!;
      i = child;
    }
    ids[i] = index;
    scores[i] = score;
  }

  /**
   * Writes the held pairs best-first into `ids`/`scores` starting at `offset`, empties the heap,
   * and returns how many were written.
   */
  drainInto(ids: Int32Array, scores: Float64Array | Float32Array, offset: number): number {
    const n = this.#size;
    for (let pos = n - 1; pos >= 0; pos--) {
      // the root is the worst pair held: it goes last
      ids[offset + pos] = this.#ids[0]!;
      scores[offset + pos] = this.#scores[0]!;
      this.#size--;
      if (this.#size > 0) this.#siftDown(this.#ids[this.#size]!, this.#scores[this.#size]!);
    }
    return n;
  }
}

/** Whether (sa, ia) ranks below (sb, ib): lower score, or equal score and higher index. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

/** Options of {@link topK}. */
export interface TopKOptions {
  /** Indices never returned: a membership mask (truthy = excluded) or a set of indices. */
  readonly exclude?: ArrayLike<number | boolean> | ReadonlySet<number>;
  /** Only these indices are ranked (default: all); a repeated candidate is ranked once. */
  readonly candidates?: ArrayLike<number>;
}

/**
 * The `k` highest scores of a score vector and their indices, best first, ties by lower index.
 * NaN scores (cannot score) are never returned; fewer than `k` come back when fewer are rankable.
 * O(n log k).
 *
 * @param scores - one score per index
 * @param k - how many to return (a non-negative integer)
 * @throws RecokitError `INVALID_INPUT` for a bad `k` or a candidate out of range.
 * @example
 * ```ts
 * import { topK } from "recokit";
 * const { ids, scores } = topK([0.1, 0.9, NaN, 0.9, 0.5], 3, { exclude: new Set([4]) });
 * Array.from(ids);    // [1, 3, 0]
 * Array.from(scores); // [0.9, 0.9, 0.1]
 * ```
 */
export function topK(scores: ArrayLike<number>, k: number, options: TopKOptions = {}): TopKResult {
  assertInteger("topK", "k", k, 0);
  const n = scores.length;
  const heap = new TopKHeap(Math.min(k, n));
  const isExcluded = exclusionTest(options.exclude);
  const offer = (i: number): void => {
    if (!isExcluded(i)) heap.push(i, scores[i]!);
  };
  if (options.candidates !== undefined) {
    const cands = options.candidates;
    const seen = new Uint8Array(n);
    for (let j = 0; j < cands.length; j++) {
      const i = cands[j]!;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RecokitError("INVALID_INPUT", "topK", `candidate ${i} is out of range [0, ${n})`);
      }
      if (seen[i] === 1) continue;
      seen[i] = 1;
      offer(i);
    }
  } else {
    for (let i = 0; i < n; i++) offer(i);
  }
  const ids = new Int32Array(heap.size);
  const out = new Float64Array(heap.size);
  heap.drainInto(ids, out, 0);
  return { ids, scores: out };
}

/** Turns a mask or a set into a predicate. @internal */
export function exclusionTest(exclude: TopKOptions["exclude"]): (i: number) => boolean {
  if (exclude === undefined) return () => false;
  if (exclude instanceof Set) return (i) => exclude.has(i);
  const mask = exclude as ArrayLike<number | boolean>;
  return (i) => Boolean(mask[i]);
}
