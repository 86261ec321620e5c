import { RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import type { RowFn } from "./coerce.js";
import { type RowPlan, runPlans } from "./engine.js";
import { buildPipeline, now, type Pipeline, recordersFor } from "./pipeline.js";
import { buildReport, type StepRecorder } from "./recorder.js";
import type { CleaningReport, CleanOptions, CleanRow } from "./types.js";

/** The rows of {@link cleanStream} as they come, and the report once they have all come. */
export interface CleanStream<R> extends AsyncIterable<R> {
  /** The cleaning report; undefined until every input row has been processed. */
  readonly report: CleaningReport | undefined;
}

/**
 * Cleans a stream of records (an async or sync iterable, e.g. `csvRecords(streamTextFile(path))`)
 * with the same options and the same results as {@link clean}, for logs larger than memory.
 *
 * Row-by-row steps run as the rows arrive, holding only their own state: the schema, missing values
 * (drop / keep / constant / forward fill), exact and key-first duplicates (a set of keys), near
 * duplicates in time, range, returns dropped, non-product lines, filters, and normalisation with
 * given scalers. Steps that work in time order (near duplicates, forward fill with `orderBy`) need
 * each group's rows in time order and throw `INVALID_INPUT` otherwise. From the first step that needs
 * all of its input (statistics fills, key keep-last / merge, outliers, netting returns, bots, dwell,
 * k-core, fitted normalisation), the surviving rows are buffered and the rest of the pipeline runs
 * when the input ends: put such steps last, after the filters that shrink the data.
 *
 * The returned object can be iterated once; `report` is set when the input has been fully
 * processed (in the buffered case, before the first row is yielded).
 *
 * @param source - records (not modified)
 * @param options - as for {@link clean}; `onProgress` is called after the streamed part and after
 *   each buffered step
 * @returns an async iterable of cleaned rows with a `report` property
 * @throws RecokitError `INVALID_INPUT` for bad options (at the call), and while iterating for the
 *   same data errors as {@link clean}, for out-of-order rows in a time-ordered step, or for a second
 *   iteration; `ABORTED` when the signal fires.
 * @example
 * ```ts
 * import { cleanStream, csvRecords, transactionsPreset } from "recokit";
 * import { streamTextFile } from "recokit/node";
 * const cleaned = cleanStream(csvRecords(streamTextFile("online-retail.csv.gz")), transactionsPreset());
 * let kept = 0;
 * for await (const row of cleaned) kept += row.quantity > 0 ? 1 : 0;
 * console.log(kept, cleaned.report?.droppedByReason);
 * ```
 */
export function cleanStream<R extends object = CleanRow>(
  source: AsyncIterable<object> | Iterable<object>,
  options: CleanOptions<R> = {},
): CleanStream<R> {
  const where = "cleanStream";
  if (
    source === null ||
    typeof source !== "object" ||
    (typeof (source as AsyncIterable<object>)[Symbol.asyncIterator] !== "function" &&
      typeof (source as Iterable<object>)[Symbol.iterator] !== "function")
  ) {
    throw new RecokitError("INVALID_INPUT", where, `source must be an iterable or async iterable of records`);
  }
  buildPipeline(where, options, undefined); // validate options now, before any row arrives
  let report: CleaningReport | undefined;
  let started = false;

  async function* run(): AsyncGenerator<R> {
    const t0 = now();
    let pipeline: Pipeline | undefined;
    let recorders: StepRecorder[] = [];
    let fns: RowFn[] = [];
    let streamed = 0;
    let reached = new Float64Array(1);
    const bufferRows: CleanRow[] = [];
    const bufferOrigin: number[] = [];
    let n = 0;
    const start = (first: unknown): void => {
      pipeline = buildPipeline(where, options, first);
      recorders = recordersFor(pipeline);
      streamed = pipeline.plans.findIndex((p) => p.kind === "batch");
      if (streamed < 0) streamed = pipeline.plans.length;
      fns = pipeline.plans.slice(0, streamed).map((p) => (p as RowPlan).create("stream"));
      reached = new Float64Array(streamed + 1);
    };
    for await (const input of source) {
      if (pipeline === undefined) start(input);
      if (input === null || typeof input !== "object")
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `row ${n} is not an object (got ${describeValue(input)})`,
        );
      const origin = n++;
      if ((origin & 0xffff) === 0xffff) throwIfAborted(where, options.signal);
      let row: CleanRow | null = input as CleanRow;
      for (let s = 0; s < fns.length; s++) {
        reached[s]!++;
        row = fns[s]!(row, recorders[s]!, origin);
        if (row === null) break;
      }
      if (row === null) continue;
      reached[fns.length]!++;
      if (streamed < pipeline!.plans.length) {
        bufferRows.push(row);
        bufferOrigin.push(origin);
      } else yield row as unknown as R;
    }
    if (pipeline === undefined) start(undefined);
    const p = pipeline!;
    for (let s = 0; s < streamed; s++) {
      recorders[s]!.input = reached[s]!;
      recorders[s]!.output = reached[s + 1]!;
    }
    const total = p.plans.length;
    options.onProgress?.(streamed, total);
    if (streamed === total) {
      report = buildReport(where, n, reached[streamed]!, recorders, p.detail, now() - t0);
      return;
    }
    const rest = runPlans(
      where,
      p.plans.slice(streamed),
      recorders.slice(streamed),
      { rows: bufferRows, origin: Int32Array.from(bufferOrigin) },
      options.signal,
      options.onProgress === undefined ? undefined : (done) => options.onProgress!(streamed + done, total),
    );
    bufferRows.length = 0;
    bufferOrigin.length = 0;
    report = buildReport(where, n, rest.rows.length, recorders, p.detail, now() - t0);
    for (const row of rest.rows) yield row as unknown as R;
  }

  return {
    get report() {
      return report;
    },
    [Symbol.asyncIterator]() {
      if (started)
        throw new RecokitError("INVALID_INPUT", where, "a cleanStream result can be iterated only once");
      started = true;
      return run();
    },
  };
}
