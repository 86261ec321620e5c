import { availableParallelism } from "node:os";
import {
  boundedStats,
  type ContentNeighborOptions,
  type Counts,
  kernelStats,
  noWork,
  planNeighborSearch,
  prepareParallelSearch,
  selectiveClaims,
} from "../content/neighbors.js";
import type { Csr } from "../core/csr.js";
import { assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import type { NeighborLists } from "../similarity/neighbors.js";
import { topKSimilarityParallel } from "./parallel-similarity.js";
import { sharedMemory, startWorkers } from "./workers.js";

/** Options of {@link contentNeighborListsParallel}. */
export interface ParallelContentNeighborOptions extends ContentNeighborOptions {
  /** Worker threads (default: the machine's available parallelism, at least 1). */
  readonly workers?: number;
}

const WHERE = "contentNeighborListsParallel";

/**
 * `contentNeighborLists` split across `worker_threads` (Node only): the same exact lists — same
 * neighbours, same similarities to the last bit, same order — computed by several threads over
 * shared memory. The caller's thread plans the search (search order, selective and common parts,
 * bounds) while the workers start; the workers then seed the thresholds, a range of the seed
 * order each; score the pairs sharing a selective feature of the rows they claim from a shared
 * counter, each into its own heaps with its own copy of the thresholds; merge the heaps and check
 * the certificates of the rows they claim next; and sort the lists, a share each. When the plan is
 * the all-pairs kernel (see `ContentNeighborStats.reason`), `topKSimilarityParallel` runs it.
 *
 * A worker's thresholds only see its own pairs, so the workers together score somewhat more pairs
 * than one thread would (measured in `bench/content.bench.ts`).
 *
 * @param itemFeatures - items × features (not modified)
 * @param options - as {@link contentNeighborLists}, plus `workers`
 * @returns the lists of `contentNeighborLists(itemFeatures, options)`
 * @throws RecokitError as `contentNeighborLists`; `ABORTED` terminates the workers.
 * @example
 * ```ts
 * import { csrFromDense } from "recokit";
 * import { contentNeighborListsParallel } from "recokit/node";
 * const lists = await contentNeighborListsParallel(csrFromDense([[1, 1, 0], [1, 0, 0], [0, 0, 1]]), {
 *   k: 2,
 *   workers: 2,
 * });
 * Array.from(lists.indices.subarray(lists.indptr[0], lists.indptr[1])); // [1]
 * ```
 */
export async function contentNeighborListsParallel(
  itemFeatures: Csr,
  options: ParallelContentNeighborOptions,
): Promise<NeighborLists> {
  const workers = options.workers ?? Math.max(1, availableParallelism());
  assertInteger(WHERE, "workers", workers, 1, 256);
  const plan = planNeighborSearch(WHERE, itemFeatures, options);
  const { k, signal, onProgress } = plan;
  const n = itemFeatures.nRows;
  if (plan.reason !== undefined) {
    const lists = await topKSimilarityParallel(itemFeatures, {
      k,
      metric: "cosine",
      workers,
      ...(signal !== undefined ? { signal } : {}),
      ...(onProgress !== undefined ? { onProgress } : {}),
    });
    plan.onStats?.(kernelStats(plan, plan.reason));
    return lists;
  }
  const parts = Math.min(workers, n);
  const group = startWorkers(WHERE, "content-worker", parts, (part) => ({ part, parts }), n, onProgress);
  const onAbort = (): void => group.terminate();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // prepared while the workers start, in shared memory they read without a copy
    const search = prepareParallelSearch(itemFeatures, plan, parts, sharedMemory);
    const sync = new Int32Array(sharedMemory(2 * 4));
    const claims = selectiveClaims(search.input, parts, sharedMemory);
    const indptr = new Int32Array(sharedMemory(4 * (n + 1)));
    const indices = new Int32Array(sharedMemory(4 * n * k));
    const similarities = new Float64Array(sharedMemory(8 * n * k));
    const finished = group.all("done");
    for (const worker of group.workers)
      worker.postMessage({ type: "search", search, sync, claims, indptr, indices, similarities });
    const replies = await finished;
    throwIfAborted(WHERE, signal);
    const counts = noWork();
    for (const reply of replies) {
      const c = (reply as unknown as { counts: Counts }).counts;
      counts.certified += c.certified;
      counts.extended += c.extended;
      counts.scanned += c.scanned;
      counts.candidates += c.candidates;
      counts.scanWork += c.scanWork;
    }
    onProgress?.(n, n);
    plan.onStats?.(boundedStats(plan, counts));
    const total = indptr[n]!;
    // copies out of shared memory (slice allocates a plain buffer)
    return {
      nRows: n,
      nCols: n,
      k,
      metric: "cosine",
      indptr: indptr.slice(),
      indices: indices.slice(0, total),
      similarities: similarities.slice(0, total),
    };
  } catch (e) {
    group.terminate();
    if (signal?.aborted) throw new RecokitError("ABORTED", WHERE, "the operation was aborted");
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    group.terminate();
  }
}
