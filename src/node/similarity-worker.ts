// Worker entry of topKSimilarityParallel: waits for the prepared input (in shared memory),
// accumulates one interleaved share of the rows into its own per-row candidate buffers and sends
// them back. Not a public module.
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
  readonly opts: ResolvedSimilarityOptions;
  readonly exclude: Csr | undefined;
  readonly part: number;
  readonly parts: number;
}

const job = workerData as Job;
parentPort!.once("message", (msg: { type: "input"; input: SimilarityInput }) => {
  const input = msg.input;
  const heaps = createRowHeaps(input.nRows, job.opts.k, heapCapacity(input.nRows, job.opts));
  accumulateIntoHeaps(input, job.opts, heaps, job.part, job.parts, job.exclude, (done) => {
    parentPort!.postMessage({ type: "progress", done });
    return true;
  });
  parentPort!.postMessage({ type: "done", heaps }, [
    heaps.ids.buffer as ArrayBuffer,
    heaps.scores.buffer as ArrayBuffer,
    heaps.sizes.buffer as ArrayBuffer,
  ]);
});
