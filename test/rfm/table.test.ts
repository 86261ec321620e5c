import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rfmRecords, rfmTable, scoreRfm, segmentRfm } from "../../src/rfm/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * ann: order A1 (two lines, 10 + 5, day 0.5), A2 (40, day 5), return CA2 (−10, day 6)
 * bob: B1 (20, day 2), B2 (a zero-value order, day 8.25)
 * cat: only a return (−5, day 3): no purchase
 * dan: D1 (7, day 9 + 23 h): the last row, so asOf defaults to day 10
 */
const FIXTURE = deepFreeze([
  { customer: "ann", invoice: "A1", timestamp: T0 + 12 * HOUR, quantity: 2, price: 5 },
  { customer: "ann", invoice: "A1", timestamp: T0 + 13 * HOUR, amount: 5 },
  { customer: "bob", invoice: "B1", timestamp: T0 + 2 * DAY, amount: 20 },
  { customer: "ann", invoice: "A2", timestamp: T0 + 5 * DAY, amount: 40 },
  { customer: "ann", invoice: "CA2", timestamp: T0 + 6 * DAY, amount: -10 },
  { customer: "cat", invoice: "C1", timestamp: T0 + 3 * DAY, amount: -5 },
  { customer: "bob", invoice: "B2", timestamp: T0 + 8 * DAY + 6 * HOUR, amount: 0 },
  { customer: "dan", invoice: "D1", timestamp: T0 + 9 * DAY + 23 * HOUR, amount: 7 },
]);

describe("rfmTable", () => {
  it("computes recency, frequency, net monetary, tenure and order value by hand", () => {
    const t = rfmTable(FIXTURE);
    expect(t.asOf).toBe(T0 + 10 * DAY);
    expect(t.customers.ids()).toEqual(["ann", "bob", "dan"]);
    expect(Array.from(t.recency)).toEqual([5, 8, 0]);
    expect(Array.from(t.frequency)).toEqual([2, 1, 1]);
    expect(Array.from(t.monetary)).toEqual([45, 20, 7]);
    expect(Array.from(t.tenure)).toEqual([9, 8, 0]);
    expect(Array.from(t.averageOrderValue)).toEqual([22.5, 20, 7]);
    expect(Array.from(t.returned)).toEqual([10, 0, 0]);
    expect(Array.from(t.firstPurchase)).toEqual([T0 + 12 * HOUR, T0 + 2 * DAY, T0 + 9 * DAY + 23 * HOUR]);
    expect(Array.from(t.lastPurchase)).toEqual([T0 + 5 * DAY, T0 + 2 * DAY, T0 + 9 * DAY + 23 * HOUR]);
  });

  it("reports every order and the customers without a purchase", () => {
    const { report } = rfmTable(FIXTURE);
    expect(report).toMatchObject({
      rows: 8,
      orders: 7,
      purchases: 4,
      returnOrders: 2,
      zeroOrders: 1,
      returnedAmount: 15,
      customersWithoutPurchase: ["cat"],
    });
    expect(report.orders).toBe(report.purchases + report.returnOrders + report.zeroOrders);
    expect(report.skipped.count).toBe(0);
  });

  it('leaves returns out of monetary with returns: "ignore" (gross spend)', () => {
    const t = rfmTable(FIXTURE, { returns: "ignore" });
    expect(Array.from(t.monetary)).toEqual([55, 20, 7]);
    expect(Array.from(t.averageOrderValue)).toEqual([27.5, 20, 7]);
    expect(Array.from(t.returned)).toEqual([10, 0, 0]);
    expect(Array.from(t.frequency)).toEqual([2, 1, 1]);
  });

  it("measures to an explicit asOf (number or Date) and refuses one before the data", () => {
    const later = rfmTable(FIXTURE, { asOf: new Date(T0 + 20 * DAY) });
    expect(Array.from(later.recency)).toEqual([15, 18, 10]);
    expect(Array.from(later.tenure)).toEqual([19, 18, 10]);
    expectRecokitError(
      () => rfmTable(FIXTURE, { asOf: T0 + 9 * DAY }),
      "INVALID_INPUT",
      /row 7: .*after asOf/,
    );
    expectRecokitError(() => rfmTable(FIXTURE, { asOf: Number.NaN }), "INVALID_INPUT", /asOf/);
    // exactly at the last row is allowed: recency 0
    const atLast = rfmTable(FIXTURE, { asOf: T0 + 9 * DAY + 23 * HOUR });
    expect(atLast.recency[2]).toBe(0);
  });

  it("groups lines without an order id by customer and exact timestamp", () => {
    const t = rfmTable([
      { customer: "x", timestamp: T0, amount: 1 },
      { customer: "x", timestamp: T0, amount: 2 },
      { customer: "y", timestamp: T0, amount: 4 },
      { customer: "x", timestamp: T0 + HOUR, amount: 3 },
    ]);
    expect(Array.from(t.frequency)).toEqual([2, 1]);
    expect(Array.from(t.monetary)).toEqual([6, 4]);
    expect(t.report.orders).toBe(3);
  });

  it("keeps an order id shared by two customers as two orders, and joins non-adjacent lines", () => {
    const t = rfmTable([
      { customer: "x", invoice: 1, timestamp: T0, amount: 1 },
      { customer: "y", invoice: 1, timestamp: T0, amount: 2 },
      { customer: "x", invoice: 1, timestamp: T0, amount: 3 },
      { customer: "x", order: "o-2", timestamp: T0 + DAY, amount: 5 },
    ]);
    expect(Array.from(t.frequency)).toEqual([2, 1]);
    expect(Array.from(t.monetary)).toEqual([9, 2]);
    expect(t.report.orders).toBe(3);
  });

  it("reads any row shape through accessors", () => {
    const rows = deepFreeze([
      { CustomerID: 17850, InvoiceNo: "536365", InvoiceDate: new Date(T0), Quantity: 6, UnitPrice: 2.55 },
      { CustomerID: 17850, InvoiceNo: "536366", InvoiceDate: new Date(T0 + DAY), Quantity: 1, UnitPrice: 3 },
    ]);
    const t = rfmTable(rows, {
      customer: (r) => r.CustomerID,
      order: (r) => r.InvoiceNo,
      timestamp: (r) => r.InvoiceDate,
      amount: (r) => r.Quantity * r.UnitPrice,
    });
    expect(t.customers.ids()).toEqual([17850]);
    expect(t.frequency[0]).toBe(2);
    expect(t.monetary[0]).toBeCloseTo(18.3, 12);
    expect(t.recency[0]).toBe(1); // last purchase at midnight of day 1, asOf midnight of day 2
  });

  it("rejects invalid rows by position, or skips and counts them", () => {
    const rows = [
      { customer: "x", invoice: 1, timestamp: T0, amount: 1 },
      { customer: null, invoice: 2, timestamp: T0, amount: 1 },
      { customer: "y", invoice: 3, timestamp: Number.NaN, amount: 1 },
      { customer: "z", invoice: 4, timestamp: T0, amount: Number.POSITIVE_INFINITY },
      { customer: "w", invoice: 5, timestamp: T0 },
    ];
    expectRecokitError(() => rfmTable(rows), "INVALID_INPUT", /rfmTable: row 1: customer id null/);
    const t = rfmTable(rows, { onInvalid: "skip" });
    expect(t.customers.ids()).toEqual(["x"]);
    expect(t.report.skipped.count).toBe(4);
    expect(Array.from(t.report.skipped.rows)).toEqual([1, 2, 3, 4]);
    expect(t.report.skipped.reasons).toEqual({
      "invalid customer": 1,
      "invalid timestamp": 1,
      "invalid amount": 2,
    });
    expectRecokitError(() => rfmTable(rows.slice(1), { onInvalid: "skip" }), "EMPTY_DATA", /all 4 rows/);
  });

  it("refuses empty input, input without purchases, and bad options", () => {
    expectRecokitError(() => rfmTable([]), "EMPTY_DATA");
    expectRecokitError(
      () => rfmTable([{ customer: "x", invoice: "C1", timestamp: T0, amount: -3 }]),
      "EMPTY_DATA",
      /no customer has a purchase/,
    );
    expectRecokitError(() => rfmTable(FIXTURE, { returns: "keep" as "net" }), "INVALID_INPUT", /returns/);
    expectRecokitError(() => rfmTable("rows" as unknown as []), "INVALID_INPUT");
    expectRecokitError(() => rfmTable(FIXTURE, { onInvalid: "drop" as "skip" }), "INVALID_INPUT");
  });

  it("handles a single customer with a single order, all on one day", () => {
    const t = rfmTable([
      { customer: 0, invoice: 9, timestamp: T0 + HOUR, amount: 3 },
      { customer: 0, invoice: 9, timestamp: T0 + 2 * HOUR, amount: 4 },
    ]);
    expect(Array.from(t.recency)).toEqual([0]);
    expect(Array.from(t.frequency)).toEqual([1]);
    expect(Array.from(t.monetary)).toEqual([7]);
    const s = scoreRfm(t);
    expect([s.r[0], s.f[0], s.m[0]]).toEqual([5, 1, 1]);
  });

  it("keeps a customer whose returns exceed purchases, with a negative but finite value", () => {
    const t = rfmTable([
      { customer: "x", invoice: 1, timestamp: T0, amount: 10 },
      { customer: "x", invoice: "C1", timestamp: T0 + DAY, amount: -25 },
    ]);
    expect(Array.from(t.monetary)).toEqual([-15]);
    expect(Array.from(t.averageOrderValue)).toEqual([-15]);
  });

  it("matches a brute-force reference on random transactions (property)", () => {
    const line = fc.record({
      customer: fc.constantFrom("a", "b", "c", "d", 1, 2),
      invoice: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      day: fc.integer({ min: 0, max: 30 }),
      amount: fc.integer({ min: -20, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.boolean(), (raw, net) => {
        const rows = raw.map((l) => ({
          customer: l.customer,
          invoice: l.invoice,
          timestamp: T0 + l.day * DAY,
          amount: l.amount,
        }));
        const ref = reference(rows, net);
        if (ref.size === 0) {
          expectRecokitError(() => rfmTable(rows), "EMPTY_DATA");
          return;
        }
        const t = rfmTable(deepFreeze(rows), { returns: net ? "net" : "ignore" });
        expect(t.customers.size).toBe(ref.size);
        for (let i = 0; i < t.customers.size; i++) {
          const e = ref.get(t.customers.idAt(i))!;
          expect(t.frequency[i]).toBe(e.frequency);
          expect(t.monetary[i]).toBe(e.monetary);
          expect(t.recency[i]).toBe(Math.floor((t.asOf - e.last) / DAY));
          expect(t.tenure[i]).toBe(Math.floor((t.asOf - e.first) / DAY));
          expect(Number.isFinite(t.averageOrderValue[i]!)).toBe(true);
        }
        const r = t.report;
        expect(r.orders).toBe(r.purchases + r.returnOrders + r.zeroOrders);
        expect(r.customersWithoutPurchase.length + t.customers.size).toBe(
          new Set(rows.map((x) => x.customer)).size,
        );
      }),
    );
  });
});

/** Straightforward reference: orders keyed by customer + (invoice or timestamp). */
function reference(
  rows: { customer: string | number; invoice: number | undefined; timestamp: number; amount: number }[],
  net: boolean,
): Map<string | number, { frequency: number; monetary: number; first: number; last: number }> {
  const orders = new Map<string, { customer: string | number; total: number; time: number }>();
  for (const r of rows) {
    const key = `${typeof r.customer}:${r.customer}|${r.invoice === undefined ? `t${r.timestamp}` : `i${r.invoice}`}`;
    const o = orders.get(key) ?? { customer: r.customer, total: 0, time: r.timestamp };
    o.total += r.amount;
    o.time = Math.min(o.time, r.timestamp);
    orders.set(key, o);
  }
  const out = new Map<
    string | number,
    { frequency: number; monetary: number; first: number; last: number }
  >();
  for (const o of orders.values()) {
    if (o.total <= 0) continue;
    const c = out.get(o.customer) ?? { frequency: 0, monetary: 0, first: Infinity, last: -Infinity };
    c.frequency++;
    c.monetary += o.total;
    c.first = Math.min(c.first, o.time);
    c.last = Math.max(c.last, o.time);
    out.set(o.customer, c);
  }
  if (net)
    for (const o of orders.values())
      if (o.total < 0 && out.has(o.customer)) out.get(o.customer)!.monetary += o.total;
  return out;
}

describe("rfmRecords", () => {
  it("lists customers as plain objects with scores and segment", () => {
    const t = rfmTable(FIXTURE);
    const scores = scoreRfm(t, {
      method: "thresholds",
      thresholds: th([3, 6, 7, 9], [1, 2, 3, 4], [5, 10, 30, 40]),
    });
    const records = rfmRecords(t, scores, segmentRfm(scores));
    expect(records).toHaveLength(3);
    // ann: recency 5 → bin 2 → R 4; frequency 2 → F 2; monetary 45 → M 5
    expect(records[0]).toMatchObject({
      customer: "ann",
      recency: 5,
      frequency: 2,
      monetary: 45,
      r: 4,
      f: 2,
      m: 5,
    });
    expect(records[0]!.cell).toBe("425");
    expect(records[0]!.score).toBe(11);
    expect(typeof records[0]!.segment).toBe("string");
    expect(rfmRecords(t)[1]).toEqual({
      customer: "bob",
      recency: 8,
      frequency: 1,
      monetary: 20,
      firstPurchase: T0 + 2 * DAY,
      lastPurchase: T0 + 2 * DAY,
      tenure: 8,
      averageOrderValue: 20,
      returned: 0,
    });
    expectRecokitError(
      () => rfmRecords(t, scoreRfm({ recency: [1], frequency: [1], monetary: [1] })),
      "INVALID_INPUT",
    );
  });
});

function th(recency: number[], frequency: number[], monetary: number[]) {
  return { recency, frequency, monetary };
}
