// Worker entry of contentNeighborListsParallel. Everything shared is in shared memory: on "search"
// the worker seeds the thresholds of its range of the seed order, then (once every worker has)
// scores the selective pairs of the rows it claims into its own heaps, then merges and certifies
// the rows it claims next, then sorts its share of the final lists. Not a public module.
import { parentPort, workerData } from "node:worker_threads";
import {
  certifyPart,
  drainLists,
  neighborIndptr,
  noWork,
  type ParallelSearch,
  seedPart,
  selectivePart,
} from "../content/neighbors.js";
import { barrier } from "./workers.js";

interface SearchRequest {
  readonly type: "search";
  readonly search: ParallelSearch;
  /** Barrier counter, then the next row to claim for the certificates. */
  readonly sync: Int32Array;
  /** Claim state of the selective phase (`selectiveClaims`). */
  readonly claims: Int32Array;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly similarities: Float64Array;
}

/** Rows per certificate claim: short enough to balance the workers, long enough to keep the counter cold. */
const CHUNK = 64;
const ARRIVED = 0;
const NEXT_CERTIFY = 1;

const { part, parts } = workerData as { part: number; parts: number };
parentPort!.on("message", (msg: SearchRequest) => {
  const { search, sync } = msg;
  const counts = noWork();
  seedPart(search, part, parts, counts);
  barrier(sync, ARRIVED, parts, 1);
  let reported = 0;
  selectivePart(search, part, msg.claims, counts, (done) => {
    if (done - reported >= 1024) {
      reported = done;
      parentPort!.postMessage({ type: "progress", done });
    }
  });
  barrier(sync, ARRIVED, parts, 2);
  certifyPart(search, () => Atomics.add(sync, NEXT_CERTIFY, CHUNK), CHUNK, counts);
  barrier(sync, ARRIVED, parts, 3);
  // every worker has the same row pointers; the first writes them for the caller
  const heaps = { ...search.input, ...search.heaps[0]! };
  const indptr = neighborIndptr(heaps);
  if (part === 0) msg.indptr.set(indptr);
  const n = search.input.n;
  const out = { indices: msg.indices, similarities: msg.similarities };
  drainLists(heaps, Math.floor((part * n) / parts), Math.floor(((part + 1) * n) / parts), indptr, out);
  parentPort!.postMessage({ type: "done", counts });
  parentPort!.close();
});
