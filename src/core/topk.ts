import { assertInteger, RecokitError } from "./errors.js";

/** Ranked indices and their scores, best first. */
export interface TopKResult {
  readonly ids: Int32Array;
  readonly scores: Float64Array;
}

/**
 * Offers (index, score) to the bounded min-heap stored in `ids[base … base+capacity-1]` /
 * `scores[…]` that currently holds `size` pairs, and returns the new size. The heap keeps the
 * `capacity` best pairs: higher score first, ties broken by the lower index; its root is the worst
 * pair held. NaN scores are ignored. This is the one ranking primitive in recokit: {@link TopKHeap},
 * {@link topK}, the similarity kernel and every recommender rank through it.
 * @internal
 */
export function heapPush(
  ids: Int32Array,
  scores: Float64Array,
  base: number,
  size: number,
  capacity: number,
  index: number,
  score: number,
): number {
  if (Number.isNaN(score) || capacity === 0) return size;
  if (size < capacity) {
    let i = size;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(score, index, scores[base + parent]!, ids[base + parent]!)) break;
      ids[base + i] = ids[base + parent]!;
      scores[base + i] = scores[base + parent]!;
      i = parent;
    }
    ids[base + i] = index;
    scores[base + i] = score;
    return size + 1;
  }
  if (!worse(scores[base]!, ids[base]!, score, index)) return size;
  siftDown(ids, scores, base, size, index, score);
  return size;
}

/** Places (index, score) at the root and sifts it down. */
function siftDown(
  ids: Int32Array,
  scores: Float64Array,
  base: number,
  n: number,
  index: number,
  score: number,
): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    let child = left;
    if (
      right < n &&
      worse(scores[base + right]!, ids[base + right]!, scores[base + left]!, ids[base + left]!)
    )
      child = right;
    if (!worse(scores[base + child]!, ids[base + child]!, score, index)) break;
    ids[base + i] = ids[base + child]!;
    scores[base + i] = scores[base + child]!;
    i = child;
  }
  ids[base + i] = index;
  scores[base + i] = score;
}

/**
 * Empties the heap at `base` holding `size` pairs, writing them best-first into
 * `outIds`/`outScores` from `outOffset`; returns how many were written. @internal
 */
export function heapDrain(
  ids: Int32Array,
  scores: Float64Array,
  base: number,
  size: number,
  outIds: Int32Array,
  outScores: Float64Array | Float32Array,
  outOffset: number,
): number {
  const n = size;
  for (let pos = n - 1; pos >= 0; pos--) {
    outIds[outOffset + pos] = ids[base]!;
    outScores[outOffset + pos] = scores[base]!;
    size--;
    if (size > 0) siftDown(ids, scores, base, size, ids[base + size]!, scores[base + size]!);
  }
  return n;
}

/**
 * A bounded heap keeping the `k` best (index, score) pairs seen: higher score first, ties broken
 * by the lower index. Reusable (call {@link TopKHeap.clear}); storage is allocated once.
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
  readonly #ids: Int32Array;
  readonly #scores: Float64Array;
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
    this.#size = heapPush(this.#ids, this.#scores, 0, this.#size, this.capacity, index, score);
  }

  /**
   * Writes the held pairs best-first into `ids`/`scores` starting at `offset`, empties the heap,
   * and returns how many were written.
   */
  drainInto(ids: Int32Array, scores: Float64Array | Float32Array, offset: number): number {
    const n = heapDrain(this.#ids, this.#scores, 0, this.#size, ids, scores, offset);
    this.#size = 0;
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
  } else if (options.exclude === undefined) {
    for (let i = 0; i < n; i++) heap.push(i, scores[i]!);
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
