import { describe, expect, it } from "vitest";
import {
  audit,
  type CleanTransaction,
  clean,
  eventsPreset,
  formatCleaningAudit,
  transactionsPreset,
} from "../../src/clean/index.js";
import { parseCsv } from "../../src/datasets/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

// fourteen hand-made lines in the Online Retail export's shape, each with a known defect
const CSV = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom
536380,POST,POSTAGE,3,2010-12-01 09:45:00,18.00,12583.0,France
536381,22139,,1,2010-12-01 09:50:00,0.00,12583.0,France
C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,2010-12-01 09:49:00,4.65,15311.0,United Kingdom
536384,82484,WOOD BLACK BOARD ANT WHITE FINISH,3,2010-12-01 09:53:00,6.45,18074.0,United Kingdom
C536385,82484,WOOD BLACK BOARD ANT WHITE FINISH,-2,2010-12-02 10:00:00,6.45,18074.0,United Kingdom
536386,21754,HOME BUILDING BLOCK WORD,-5,2010-12-01 10:00:00,0.00,,United Kingdom
536387,84029E,RED WOOLLY HOTTIE WHITE HEART.,0,2010-12-01 10:03:00,3.39,13047.0,United Kingdom
536388,22752,SET 7 BABUSHKA NESTING BOXES,2,not a date,7.65,13047.0,United Kingdom
A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,-11062.06,,United Kingdom
`;
const records = deepFreeze(parseCsv(CSV).records);

describe("transactionsPreset", () => {
  it("drops each kind of dirt for its reason, in the documented order", () => {
    const { rows, report } = clean(records, transactionsPreset());
    expect(rows.map((r) => r.item)).toEqual(["85123A", "71053", "82484"]);
    expect(report.steps.map((s) => [s.label, s.dropped])).toEqual([
      ["schema (8 fields)", { "invalid timestamp": 1 }],
      ["missing customer", { "missing customer": 3 }],
      ["exact duplicates", { "exact duplicate": 1 }],
      ["non-product lines (drop)", { "non-product line": 2 }],
      ["price > 0", { "non-positive price": 1 }],
      ["cancellations and returns (drop)", { cancellation: 2 }],
      ["quantity > 0", { "non-positive quantity": 1 }],
    ]);
    expect(report.modifiedByReason).toEqual({ "customer normalised": 10, "description normalised": 1 });
    expect(report.input).toBe(14);
    expect(report.output + report.dropped).toBe(14);
  });

  it("produces typed, coerced rows", () => {
    const { rows } = clean(records, transactionsPreset());
    const first: CleanTransaction = rows[0]!;
    expect(first).toEqual({
      invoice: "536365",
      customer: "17850",
      item: "85123A",
      description: "WHITE HANGING HEART T-LIGHT HOLDER",
      quantity: 6,
      price: 2.55,
      timestamp: Date.UTC(2010, 11, 1, 8, 26),
      country: "United Kingdom",
    });
  });

  it("nets returns against earlier purchases and reports what could not be matched", () => {
    const { rows, report } = clean(records, transactionsPreset({ cancellations: "net", nonProduct: "keep" }));
    expect(rows.map((r) => [r.item, r.quantity])).toEqual([
      ["85123A", 6],
      ["71053", 6],
      ["POST", 3],
      ["82484", 1],
    ]);
    const returns = report.steps.find((s) => s.step === "returns")!;
    expect(returns.dropped).toEqual({ "return netted": 1, "return unmatched": 2 });
    expect(returns.modified).toEqual({ "quantity reduced by return": 1 });
    expect(returns.details).toMatchObject({ returnLines: 3, fullyMatched: 1, unmatched: 2 });
  });

  it("keeps kept returns through the quantity rule, dropping only zero quantities", () => {
    const { rows, report } = clean(
      records,
      transactionsPreset({ cancellations: "net", unmatchedReturns: "keep", nonProduct: "keep" }),
    );
    expect(rows.filter((r) => r.quantity < 0).map((r) => r.invoice)).toEqual(["C536379", "C536383"]);
    expect(report.droppedByReason["zero quantity"]).toBe(1);
  });

  it("fills missing customers, flags non-product lines and reads other column names and zones", () => {
    const { rows } = clean(
      records,
      transactionsPreset({ missingCustomer: { fill: "guest" }, nonProduct: "flag" }),
    );
    expect(rows.filter((r) => r.customer === "guest")).toHaveLength(1);
    expect(rows.find((r) => r.item === "POST")?.nonProduct).toBe(true);
    const renamed = clean(
      [{ order: "1", who: "7", sku: "x", n: "2", at: "2024-03-31 01:30:00", amount: "3" }],
      transactionsPreset({
        columns: {
          invoice: "order",
          customer: "who",
          item: "sku",
          quantity: "n",
          timestamp: "at",
          price: "amount",
        },
        timeZone: "Europe/Paris",
      }),
    );
    expect(renamed.rows[0]).toMatchObject({ invoice: "1", customer: "7", description: null, country: null });
    expect(renamed.rows[0]!.timestamp).toBe(Date.UTC(2024, 2, 31, 0, 30));
  });

  it("switches rules off", () => {
    const { rows } = clean(
      records,
      transactionsPreset({
        duplicates: "keep",
        nonProduct: "keep",
        nonPositive: "keep",
        cancellations: "keep",
      }),
    );
    expect(rows).toHaveLength(10);
  });

  it("rejects unknown option values and columns", () => {
    expectRecokitError(
      () => transactionsPreset({ cancellations: "refund" as never }),
      "INVALID_INPUT",
      /cancellations/,
    );
    expectRecokitError(
      () => transactionsPreset({ columns: { sku: "x" } as never }),
      "INVALID_INPUT",
      /columns\.sku/,
    );
    expectRecokitError(
      () => transactionsPreset({ missingCustomer: { fill: "" } }),
      "INVALID_INPUT",
      /missingCustomer/,
    );
  });
});

describe("audit", () => {
  it("counts every problem on the raw rows, dropping nothing", () => {
    const a = audit(records, transactionsPreset({ nonProduct: "keep" }));
    expect(a.rows).toBe(14);
    expect(a.exactDuplicates).toBe(1);
    expect(a.fields.customer).toMatchObject({
      missing: 3,
      invalid: 0,
      normalised: 11,
      distinct: 6,
      source: "CustomerID",
    });
    expect(a.fields.description).toMatchObject({ missing: 1, normalised: 1 });
    expect(a.fields.quantity).toMatchObject({ negative: 4, zero: 1, min: -5, max: 6 });
    expect(a.fields.price).toMatchObject({ zero: 2, negative: 1, min: -11062.06, max: 27.5 });
    expect(a.fields.timestamp).toMatchObject({
      invalid: 1,
      invalidExamples: [{ index: 12, value: "not a date" }],
      formats: { iso: 13 },
      min: Date.UTC(2010, 11, 1, 8, 26),
      max: Date.UTC(2011, 7, 12, 14, 50),
    });
    const returns = a.checks.find((c) => c.step === "returns")!;
    expect(returns.dropped).toEqual({ cancellation: 3, "negative quantity": 1 });
    expect(a.checks.find((c) => c.step === "missing")!.dropped).toEqual({ "missing customer": 3 });
    expect(a.checks.find((c) => c.label === "price > 0")!.dropped).toEqual({ "non-positive price": 3 });
    const text = formatCleaningAudit(a);
    expect(text.split("\n")[0]).toBe("Audit: 14 rows, 1 exact duplicate copy");
    expect(text).toMatch(/customer\s+id, missing 3, invalid 0, normalised 11, distinct 6/);
    expect(text).toMatch(/e\.g\. row 12: "not a date"/);
  });

  it("audits columns as text without a schema", () => {
    const a = audit([
      { a: "1", b: "" },
      { a: "1", b: "" },
      { a: "2", b: "NULL" },
    ]);
    expect(a.exactDuplicates).toBe(1);
    expect(a.fields).toEqual({
      a: {
        type: "string",
        source: "a",
        missing: 0,
        invalid: 0,
        invalidExamples: [],
        normalised: 0,
        distinct: 2,
      },
      b: {
        type: "string",
        source: "b",
        missing: 3,
        invalid: 0,
        invalidExamples: [],
        normalised: 0,
        distinct: 0,
      },
    });
    expect(audit([]).rows).toBe(0);
  });
});

describe("eventsPreset", () => {
  const events = deepFreeze([
    { userId: "u1", itemId: "i1", event: "VIEW", ts: 1700000000 },
    { userId: "u1", itemId: "i1", event: "view", ts: 1700000001 },
    { userId: "u1", itemId: "i1", event: "view", ts: 1700000001 },
    { userId: "", itemId: "i2", event: "cart", ts: 1700000100 },
    { userId: "u2", itemId: "i2", event: "purchase", ts: "2023-11-14T22:15:00Z" },
    { userId: "u2", itemId: "i2", event: "wishlist", ts: 1700000200 },
    { userId: "u3", itemId: "", event: "view", ts: 1700000300 },
  ]);

  it("cleans events for its documented reasons", () => {
    const { rows, report } = clean(events, eventsPreset({ types: ["view", "cart", "purchase"] }));
    expect(rows).toEqual([
      { user: "u1", item: "i1", type: "view", timestamp: 1700000000000, session: null, value: null },
      {
        user: "u2",
        item: "i2",
        type: "purchase",
        timestamp: Date.UTC(2023, 10, 14, 22, 15),
        session: null,
        value: null,
      },
    ]);
    expect(report.droppedByReason).toEqual({
      "invalid type": 1,
      "missing item": 1,
      "missing user": 1,
      "exact duplicate": 1,
      "repeat within 2000 ms": 1,
    });
  });

  it("adds dwell and k-core rules on request and switches off the others", () => {
    const { report } = clean(
      events,
      eventsPreset({
        repeatWindowMs: false,
        bots: false,
        noDwell: { minDwellMs: 5000 },
        kcore: { minPerUser: 2, minPerItem: 1 },
      }),
    );
    expect(report.steps.map((s) => s.step)).toEqual(["schema", "missing", "duplicates", "dwell", "kcore"]);
    expectRecokitError(() => eventsPreset({ repeatWindowMs: -1 }), "INVALID_INPUT", /repeatWindowMs/);
  });
});
