// Worker entry of topKSimilarityParallel. Everything it reads and writes is in shared memory:
// on "input" it fills its share of the rows, then (once every worker has) its share of the
// transpose, then accumulates the rows it claims into its own candidate buffers; on "drain" it
// merges every worker's buffers into the final sorted lists of its share of the rows.
// Not a public module.
import { parentPort, workerData } from "node:worker_threads";
import type { Csr } from "../core/csr.js";
import {
  accumulateIntoHeaps,
  drainRows,
  fillInputColumns,
  fillInputRows,
  type ResolvedSimilarityOptions,
  ROW_CHUNK,
  type RowHeaps,
  type SimilarityInputPlan,
} from "../similarity/kernel.js";
import { barrier } from "./workers.js";

type WorkerRequest =
  | { type: "input"; plan: SimilarityInputPlan; heaps: RowHeaps[]; sync: Int32Array }
  | { type: "drain"; indptr: Int32Array; indices: Int32Array; similarities: Float64Array };

interface Job {
  readonly opts: ResolvedSimilarityOptions;
  readonly exclude: Csr | undefined;
  readonly part: number;
  readonly parts: number;
}

/** Slots of the shared `sync` array: workers arrived at barriers, next row to claim. */
const ARRIVED = 0;
const NEXT_ROW = 1;

const job = workerData as Job;
let plan: SimilarityInputPlan | undefined;
let heaps: RowHeaps[] = [];
parentPort!.on("message", (msg: WorkerRequest) => {
  if (msg.type === "input") {
    plan = msg.plan;
    heaps = msg.heaps;
    const sync = msg.sync;
    fillInputRows(plan, job.part, job.parts);
    barrier(sync, ARRIVED, job.parts, 1);
    fillInputColumns(plan, job.part, job.parts);
    barrier(sync, ARRIVED, job.parts, 2);
    const claim = (): number => Atomics.add(sync, NEXT_ROW, ROW_CHUNK);
    accumulateIntoHeaps(plan.input, job.opts, heaps[job.part]!, claim, job.exclude, (done) => {
      parentPort!.postMessage({ type: "progress", done });
      return true;
    });
    parentPort!.postMessage({ type: "accumulated" });
  } else if (plan !== undefined) {
    drainRows(heaps, plan.input.order, msg.indptr, msg.indices, msg.similarities, job.part, job.parts);
    parentPort!.postMessage({ type: "drained" });
    parentPort!.close();
  }
});
