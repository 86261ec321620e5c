// Worker entry of topKSimilarityParallel. Everything it reads and writes is in shared memory:
// on "input" it accumulates one interleaved share of the rows into its own candidate buffers; on
// "drain" it merges every worker's buffers into the final sorted lists of its share of the rows.
// Not a public module.
import { parentPort, workerData } from "node:worker_threads";
import type { Csr } from "../core/csr.js";
import {
  accumulateIntoHeaps,
  drainRows,
  type ResolvedSimilarityOptions,
  type RowHeaps,
  type SimilarityInput,
} from "../similarity/kernel.js";

type WorkerRequest =
  | { type: "input"; input: SimilarityInput; heaps: RowHeaps[] }
  | { type: "drain"; indptr: Int32Array; indices: Int32Array; similarities: Float64Array };

interface Job {
  readonly opts: ResolvedSimilarityOptions;
  readonly exclude: Csr | undefined;
  readonly part: number;
  readonly parts: number;
}

const job = workerData as Job;
let input: SimilarityInput | undefined;
let heaps: RowHeaps[] = [];
parentPort!.on("message", (msg: WorkerRequest) => {
  if (msg.type === "input") {
    input = msg.input;
    heaps = msg.heaps;
    accumulateIntoHeaps(input, job.opts, heaps[job.part]!, job.part, job.parts, job.exclude, (done) => {
      parentPort!.postMessage({ type: "progress", done });
      return true;
    });
    parentPort!.postMessage({ type: "accumulated" });
  } else if (input !== undefined) {
    drainRows(heaps, input.order, msg.indptr, msg.indices, msg.similarities, job.part, job.parts);
    parentPort!.postMessage({ type: "drained" });
    parentPort!.close();
  }
});
