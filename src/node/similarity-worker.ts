// Worker entry of topKSimilarityParallel: accumulates one interleaved share of the rows into its own
// per-row heaps and sends them back. Not a public module.
import { parentPort, workerData } from "node:worker_threads";
import type { Csr } from "../core/csr.js";
import {
  accumulateIntoHeaps,
  createRowHeaps,
  heapCapacity,
  type ResolvedSimilarityOptions,
  type SimilarityInput,
} from "../similarity/kernel.js";

interface Job {
  readonly input: SimilarityInput;
  readonly opts: ResolvedSimilarityOptions;
  readonly exclude: Csr | undefined;
  readonly part: number;
  readonly parts: number;
}

const job = workerData as Job;
const heaps = createRowHeaps(job.input.nRows, job.opts.k, heapCapacity(job.input.nRows, job.opts));
accumulateIntoHeaps(job.input, job.opts, heaps, job.part, job.parts, job.exclude, (done) => {
  parentPort!.postMessage({ type: "progress", done });
  return true;
});
parentPort!.postMessage({ type: "done", heaps }, [
  heaps.ids.buffer as ArrayBuffer,
  heaps.scores.buffer as ArrayBuffer,
  heaps.sizes.buffer as ArrayBuffer,
]);
