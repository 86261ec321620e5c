import { availableParallelism } from "node:os";
import { assertCsr, type Csr } from "../core/csr.js";
import { assertInteger, RecokitError, throwIfAborted } from "../core/errors.js";
import {
  createRowHeaps,
  heapCapacity,
  neighborIndptr,
  planSimilarityInput,
  resolveSimilarityOptions,
  type TopKSimilarityOptions,
} from "../similarity/kernel.js";
import type { NeighborLists } from "../similarity/neighbors.js";
import { sharedMemory, startWorkers } from "./workers.js";

/** Options of {@link topKSimilarityParallel}. */
export interface ParallelSimilarityOptions extends TopKSimilarityOptions {
  /** Worker threads (default: the machine's available parallelism, at least 1). */
  readonly workers?: number;
}

const WHERE = "topKSimilarityParallel";

function share<T extends Int32Array | Float64Array>(a: T): T {
  const ctor = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new ctor(new SharedArrayBuffer(Math.max(a.length * ctor.BYTES_PER_ELEMENT, 8)));
  out.set(a);
  return out.length === a.length ? out : (out.subarray(0, a.length) as T);
}

function shareCsr(m: Csr): Csr {
  return {
    nRows: m.nRows,
    nCols: m.nCols,
    indptr: share(m.indptr),
    indices: share(m.indices),
    data: share(m.data instanceof Float64Array ? m.data : Float64Array.from(m.data)),
  };
}

/**
 * `topKSimilarity` split across `worker_threads` (Node only): while the workers start, the
 * matrix is copied once into shared memory; the workers reorder its rows and build its transpose
 * there, a share each; each then claims runs of rows from a shared counter as it goes (so none
 * waits on a slower one) and accumulates their pairs into its own candidate buffers; finally each
 * merges and sorts the final lists of its share of the rows from all the buffers. The result is
 * identical to the single-threaded call — same neighbours, same similarities to the last bit —
 * because every pair is accumulated in the same column order and the ranking order (similarity,
 * then index) is total.
 *
 * @throws RecokitError as `topKSimilarity`; `ABORTED` terminates the workers.
 * @example
 * ```ts
 * import { csrFromDense } from "recokit";
 * import { topKSimilarityParallel } from "recokit/node";
 * const lists = await topKSimilarityParallel(csrFromDense([[1, 1], [1, 0], [0, 1]]), { k: 2, workers: 2 });
 * ```
 */
export async function topKSimilarityParallel(
  m: Csr,
  options: ParallelSimilarityOptions,
): Promise<NeighborLists> {
  assertCsr(WHERE, m);
  const opts = resolveSimilarityOptions(WHERE, m, options);
  const workers = options.workers ?? Math.max(1, availableParallelism());
  assertInteger(WHERE, "workers", workers, 1, 256);
  throwIfAborted(WHERE, options.signal);
  const exclude = options.exclude === undefined ? undefined : shareCsr(options.exclude);
  const parts = Math.min(workers, Math.max(1, m.nRows));
  const group = startWorkers(
    WHERE,
    "similarity-worker",
    parts,
    (part) => ({ opts, exclude, part, parts }),
    m.nRows,
    options.onProgress,
  );
  const running = group.workers;
  const all = async (type: string): Promise<void> => {
    await group.all(type);
  };
  const onAbort = (): void => group.terminate();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // planned while the workers start, in shared memory they read without a copy; they fill in
    // the permuted rows and the transpose themselves, a share each
    const shared = sharedMemory;
    const capacity = heapCapacity(m.nRows, opts);
    const plan = planSimilarityInput(m, opts.metric, capacity, shared);
    const input = plan.input;
    const heaps = running.map(() => createRowHeaps(m.nRows, opts.k, capacity, shared));
    const sync = new Int32Array(new SharedArrayBuffer(8));
    const accumulated = all("accumulated");
    for (const worker of running) worker.postMessage({ type: "input", plan, heaps, sync });
    await accumulated;
    throwIfAborted(WHERE, options.signal);
    // the workers also sort the final lists, each for its share of the rows
    const indptr = neighborIndptr(heaps, input.order, shared);
    const total = indptr[m.nRows]!;
    const indices = new Int32Array(new SharedArrayBuffer(4 * total));
    const similarities = new Float64Array(new SharedArrayBuffer(8 * total));
    const drained = all("drained");
    for (const worker of running) worker.postMessage({ type: "drain", indptr, indices, similarities });
    await drained;
    throwIfAborted(WHERE, options.signal);
    return {
      nRows: m.nRows,
      nCols: m.nRows,
      k: opts.k,
      metric: opts.metric,
      // copies out of shared memory (slice allocates a plain buffer)
      indptr: indptr.slice(),
      indices: indices.slice(),
      similarities: similarities.slice(),
    };
  } catch (e) {
    onAbort();
    if (options.signal?.aborted) throw new RecokitError("ABORTED", WHERE, "the operation was aborted");
    throw e;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    group.terminate();
  }
}
