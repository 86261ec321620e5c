import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
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

/** Options of {@link topKSimilarityParallel}. */
export interface ParallelSimilarityOptions extends TopKSimilarityOptions {
  /** Worker threads (default: the machine's available parallelism, at least 1). */
  readonly workers?: number;
}

const WHERE = "topKSimilarityParallel";

/**
 * How to start a worker: the built `.js` entry beside this module, or, when running from the
 * TypeScript sources (tests, examples), a tiny bootstrap that registers the tsx loader first.
 */
function workerEntry(): { script: URL | string; eval: boolean } {
  for (const name of ["./similarity-worker.js", "./node/similarity-worker.js"]) {
    const url = new URL(name, import.meta.url);
    if (existsSync(fileURLToPath(url))) return { script: url, eval: false };
  }
  const source = new URL("./similarity-worker.ts", import.meta.url);
  if (existsSync(fileURLToPath(source))) {
    const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
    return { script: boot, eval: true };
  }
  throw new RecokitError("INTERNAL", WHERE, "cannot find the similarity worker module next to recokit/node");
}

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
  const entry = workerEntry();
  const doneByPart = new Array<number>(parts).fill(0);
  const running = Array.from(
    { length: parts },
    (_, part) => new Worker(entry.script, { eval: entry.eval, workerData: { opts, exclude, part, parts } }),
  );
  // every worker's next reply of a given type, or its failure
  const replies = running.map((worker, part) => {
    const waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
    let failure: Error | undefined;
    const fail = (e: Error): void => {
      failure ??= e;
      for (const w of waiting.values()) w.reject(e);
      waiting.clear();
    };
    worker.on("message", (msg: WorkerReply) => {
      if (msg.type === "progress") {
        doneByPart[part] = msg.done;
        options.onProgress?.(
          doneByPart.reduce((a, b) => a + b, 0),
          m.nRows,
        );
        return;
      }
      waiting.get(msg.type)?.resolve();
      waiting.delete(msg.type);
    });
    worker.on("error", (e) =>
      fail(new RecokitError("INTERNAL", WHERE, `worker ${part} failed: ${e.message}`)),
    );
    worker.on("exit", (code) => {
      if (code !== 0) fail(new RecokitError("ABORTED", WHERE, `worker ${part} stopped (exit ${code})`));
    });
    return (type: WorkerReply["type"]): Promise<void> =>
      new Promise((resolve, reject) => {
        if (failure !== undefined) reject(failure);
        else waiting.set(type, { resolve, reject });
      });
  });
  const all = async (type: WorkerReply["type"]): Promise<void> => {
    await Promise.all(replies.map((next) => next(type)));
  };
  const onAbort = (): void => {
    for (const w of running) void w.terminate();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // planned while the workers start, in shared memory they read without a copy; they fill in
    // the permuted rows and the transpose themselves, a share each
    const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
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
    for (const w of running) void w.terminate();
  }
}

/** What a similarity worker sends back. */
type WorkerReply = { type: "progress"; done: number } | { type: "accumulated" } | { type: "drained" };
