import { describe, expect, it } from "vitest";
import {
  type CleaningReport,
  type CleanOptions,
  clean,
  cleanStream,
  eventsPreset,
  transactionsPreset,
} from "../../src/clean/index.js";
import { syntheticShop } from "../../src/datasets/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const shop = syntheticShop({ seed: 5, users: 40, items: 50, events: 3000, dirt: true });
const orders = deepFreeze(
  shop.orders.map((o) => ({
    InvoiceNo: o.invoice,
    StockCode: o.item,
    Description: o.description,
    Quantity: String(o.quantity),
    InvoiceDate: new Date(o.timestamp).toISOString().slice(0, 19).replace("T", " "),
    UnitPrice: String(o.price),
    CustomerID: o.customer === null ? "" : `${o.customer.slice(1)}.0`,
    Country: o.country,
  })),
);

async function collect<R extends object>(
  source: AsyncIterable<object> | Iterable<object>,
  options: CleanOptions<R>,
): Promise<{ rows: R[]; report: CleaningReport | undefined }> {
  const stream = cleanStream(source, options);
  const rows: R[] = [];
  for await (const r of stream) rows.push(r);
  return { rows, report: stream.report };
}

async function* chunked<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

const counts = (r: CleaningReport) =>
  r.steps.map((s) => ({
    step: s.label,
    input: s.input,
    output: s.output,
    dropped: s.dropped,
    modified: s.modified,
  }));

describe("cleanStream", () => {
  it("gives the same rows and counts as clean for a row-by-row pipeline", async () => {
    const options = transactionsPreset({ details: "indices" });
    const memory = clean(orders, options);
    const streamed = await collect(chunked(orders), options);
    expect(streamed.rows).toEqual(memory.rows);
    expect(counts(streamed.report!)).toEqual(counts(memory.report));
    expect(streamed.report!.steps[2]!.droppedIndices).toEqual(memory.report.steps[2]!.droppedIndices);
  });

  it("buffers from the first whole-data step on and still matches clean", async () => {
    const options = transactionsPreset({
      cancellations: "net",
      extraSteps: [{ step: "kcore", user: "customer", minPerUser: 2, minPerItem: 2 }],
    });
    const memory = clean(orders, options);
    const streamed = await collect(orders, options);
    expect(streamed.rows).toEqual(memory.rows);
    expect(counts(streamed.report!)).toEqual(counts(memory.report));
    const events = [...shop.events].sort((a, b) => a.timestamp - b.timestamp);
    const ev = eventsPreset({ kcore: { minPerUser: 3, minPerItem: 3 } });
    const evMemory = clean(events, ev);
    const evStreamed = await collect(events, ev);
    expect(evStreamed.rows).toEqual(evMemory.rows);
    expect(counts(evStreamed.report!)).toEqual(counts(evMemory.report));
  });

  it("sets the report only once the input is exhausted, and iterates once", async () => {
    const stream = cleanStream(orders.slice(0, 10), transactionsPreset());
    expect(stream.report).toBeUndefined();
    const it1 = stream[Symbol.asyncIterator]();
    await it1.next();
    expect(stream.report).toBeUndefined();
    while (!(await it1.next()).done) {
      /* drain */
    }
    expect(stream.report?.input).toBe(10);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/iterated only once/);
  });

  it("handles an empty source", async () => {
    const { rows, report } = await collect([], transactionsPreset({ cancellations: "net" }));
    expect(rows).toEqual([]);
    expect(report?.input).toBe(0);
    expect(report?.steps.every((s) => s.input === 0)).toBe(true);
  });

  it("validates options at the call and rows as they come", async () => {
    expectRecokitError(
      () => cleanStream(orders, { details: "some" as never }),
      "INVALID_INPUT",
      /cleanStream: details/,
    );
    expectRecokitError(() => cleanStream(42 as never), "INVALID_INPUT", /iterable/);
    await expect(collect([{ a: 1 }, "row" as never], {})).rejects.toThrow(
      /cleanStream: row 1 is not an object/,
    );
    const controller = new AbortController();
    controller.abort();
    const many = Array.from({ length: 70_000 }, (_, i) => ({ i }));
    await expect(collect(many, { signal: controller.signal })).rejects.toThrow(/aborted/);
  });
});
