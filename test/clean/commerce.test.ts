import { describe, expect, it } from "vitest";
import { clean, NON_PRODUCT_PATTERNS } from "../../src/clean/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;

describe("returns dropped", () => {
  const lines = deepFreeze([
    { invoice: "1", quantity: 2 },
    { invoice: "C2", quantity: -2 },
    { invoice: "3", quantity: -1 },
    { invoice: "A4", quantity: 1 },
    { invoice: "5", quantity: 0 },
    { invoice: "c6", quantity: -1 },
  ]);

  it("drops prefixed invoices as cancellations and other negative quantities", () => {
    const { rows, report } = clean(lines, { steps: [{ step: "returns", action: "drop" }] });
    expect(rows).toEqual([lines[0], lines[3], lines[4]]);
    expect(report.droppedByReason).toEqual({ cancellation: 1, "negative quantity": 2 });
  });

  it("can look at prefixes only, with several prefixes", () => {
    const { rows, report } = clean(lines, {
      steps: [{ step: "returns", action: "drop", invoicePrefixes: ["C", "A", "c"], negativeQuantity: false }],
    });
    expect(rows).toEqual([lines[0], lines[2], lines[4]]);
    expect(report.droppedByReason).toEqual({ cancellation: 3 });
  });
});

describe("returns netted against earlier purchases", () => {
  const t = (d: number) => Date.UTC(2011, 0, 1) + d * DAY;
  const lines = deepFreeze([
    /* 0 */ { invoice: "10", customer: "A", item: "X", quantity: 5, timestamp: t(1) },
    /* 1 */ { invoice: "11", customer: "A", item: "X", quantity: 3, timestamp: t(2) },
    /* 2 */ { invoice: "C12", customer: "A", item: "X", quantity: -4, timestamp: t(3) },
    /* 3 */ { invoice: "C13", customer: "A", item: "Y", quantity: -2, timestamp: t(3) },
    /* 4 */ { invoice: "14", customer: "B", item: "X", quantity: 1, timestamp: t(5) },
    /* 5 */ { invoice: "C15", customer: "B", item: "X", quantity: -3, timestamp: t(6) },
    /* 6 */ { invoice: "C16", customer: "B", item: "Z", quantity: -1, timestamp: t(0) },
    /* 7 */ { invoice: "17", customer: "B", item: "Z", quantity: 2, timestamp: t(1) },
    /* 8 */ { invoice: "C18", customer: null, item: "X", quantity: -1, timestamp: t(9) },
    /* 9 */ { invoice: "19", customer: "D", item: "W", quantity: 2, timestamp: t(4) },
    /* 10 */ { invoice: "C20", customer: "D", item: "W", quantity: -2, timestamp: t(4) },
  ]);

  it("takes the latest earlier purchase first, removing fully returned lines", () => {
    const { rows, report } = clean(lines, {
      steps: [{ step: "returns", action: "net" }],
      details: "indices",
    });
    // A/X: return 4 takes 3 from line 1 (fully returned) and 1 from line 0 (5 → 4)
    // B/X: return 3 takes 1 from line 4 (fully returned); 2 unmatched → line dropped
    // B/Z: the return precedes the purchase → unmatched; no customer → unmatched
    // D/W: purchase and return at the same time → matched
    expect(rows).toEqual([{ ...lines[0], quantity: 4 }, lines[7]]);
    const s = report.steps[0]!;
    expect(s.dropped).toEqual({
      "fully returned": 3,
      "return netted": 2,
      "return partly unmatched": 1,
      "return unmatched": 3,
    });
    expect(s.modified).toEqual({ "quantity reduced by return": 1 });
    expect(Array.from(s.droppedIndices!["fully returned"]!)).toEqual([1, 4, 9]);
    expect(Array.from(s.droppedIndices!["return unmatched"]!)).toEqual([3, 6, 8]);
    expect(s.details).toMatchObject({
      returnLines: 6,
      fullyMatched: 2,
      partlyMatched: 1,
      unmatched: 3,
      unmatchedWithoutCustomer: 1,
      quantityReturned: 13,
      quantityNetted: 7,
      quantityUnmatched: 6,
      purchasesReduced: 1,
      purchasesFullyReturned: 3,
    });
  });

  it("takes the earliest purchase first with match: earliest", () => {
    const { rows } = clean(lines, { steps: [{ step: "returns", action: "net", match: "earliest" }] });
    // A/X: return 4 takes 4 from line 0 (5 → 1); line 1 untouched
    expect(rows.slice(0, 2)).toEqual([{ ...lines[0], quantity: 1 }, lines[1]]);
  });

  it("keeps unmatched parts, flagged, with unmatched: keep", () => {
    const { rows, report } = clean(lines, { steps: [{ step: "returns", action: "net", unmatched: "keep" }] });
    expect(rows).toEqual([
      { ...lines[0], quantity: 4 },
      lines[3],
      { ...lines[5], quantity: -2 },
      lines[6],
      lines[7],
      lines[8],
    ]);
    expect(report.flaggedByReason).toEqual({ "return unmatched": 3, "return partly unmatched": 1 });
    expect(report.modifiedByReason).toEqual({
      "quantity reduced by return": 1,
      "return reduced to its unmatched part": 1,
    });
    expect(report.input).toBe(report.output + report.dropped);
  });

  it("nets fractional quantities without leaving float residue", () => {
    const { rows } = clean(
      [
        { invoice: "1", customer: "A", item: "X", quantity: 0.3, timestamp: 1 },
        { invoice: "C2", customer: "A", item: "X", quantity: -0.1, timestamp: 2 },
        { invoice: "C3", customer: "A", item: "X", quantity: -0.2, timestamp: 3 },
      ],
      { steps: [{ step: "returns", action: "net" }] },
    );
    expect(rows).toEqual([]);
  });

  it("reads other field names", () => {
    const { rows } = clean(
      [
        { inv: "1", cust: "A", sku: "X", qty: 2, at: 1 },
        { inv: "R2", cust: "A", sku: "X", qty: -1, at: 2 },
      ],
      {
        steps: [
          {
            step: "returns",
            action: "net",
            invoice: "inv",
            customer: "cust",
            item: "sku",
            quantity: "qty",
            time: "at",
            invoicePrefixes: ["R"],
          },
        ],
      },
    );
    expect(rows).toEqual([{ inv: "1", cust: "A", sku: "X", qty: 1, at: 1 }]);
  });

  it("validates its options", () => {
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "returns", action: "refund" as never }] }),
      "INVALID_INPUT",
      /action must be one of drop, net/,
    );
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "returns", action: "drop", invoicePrefixes: [""] }] }),
      "INVALID_INPUT",
      /invoicePrefixes/,
    );
    expectRecokitError(
      () => clean([{ invoice: "1", quantity: 1 }], { steps: [{ step: "returns", action: "net" }] }),
      "INVALID_INPUT",
      /customer "customer" is not a field/,
    );
  });
});

describe("non-product lines", () => {
  const lines = deepFreeze(
    ["85123A", "POST", "m", " DOT ", "gift_0001_20", "BANK CHARGES", "GIFT_0001_10x", 22423, null].map(
      (item, i) => ({
        i,
        item,
      }),
    ),
  );

  it("drops the default Online Retail codes, case-insensitively and trimmed", () => {
    const { rows, report } = clean(lines, { steps: [{ step: "nonProduct" }] });
    expect(rows.map((r) => r.i)).toEqual([0, 6, 7, 8]);
    expect(report.droppedByReason).toEqual({ "non-product line": 5 });
    expect(NON_PRODUCT_PATTERNS).toContain("POST");
  });

  it("flags instead of dropping, and takes custom patterns", () => {
    const { rows, report } = clean(lines, {
      steps: [{ step: "nonProduct", action: "flag", patterns: ["85123a", /^\d+$/g], flagField: "fee" }],
    });
    expect(rows.map((r) => r.fee)).toEqual([true, false, false, false, false, false, false, true, false]);
    expect(report.flaggedByReason).toEqual({ "non-product line": 2 });
  });

  it("rejects patterns that are neither strings nor regular expressions", () => {
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "nonProduct", patterns: [42 as never] }] }),
      "INVALID_INPUT",
      /42 is neither/,
    );
  });
});

describe("range and filter", () => {
  const rows = deepFreeze([-1, 0, 0.5, 1, 10, null].map((x, i) => ({ i, x })));

  it("names the reason after the bound", () => {
    const positive = clean(rows, { steps: [{ step: "range", field: "x", greaterThan: 0 }] });
    expect(positive.rows.map((r) => r.x)).toEqual([0.5, 1, 10, null]);
    expect(positive.report.droppedByReason).toEqual({ "non-positive x": 2 });
    const nonNegative = clean(rows, { steps: [{ step: "range", field: "x", min: 0 }] });
    expect(nonNegative.report.droppedByReason).toEqual({ "negative x": 1 });
    const band = clean(rows, { steps: [{ step: "range", field: "x", min: 0, lessThan: 10 }] });
    expect(band.rows.map((r) => r.x)).toEqual([0, 0.5, 1, null]);
    expect(band.report.droppedByReason).toEqual({ "x out of range": 2 });
    expect(band.report.steps[0]!.label).toBe("x ≥ 0 and < 10");
    const custom = clean(rows, { steps: [{ step: "range", field: "x", max: 1, reason: "too big" }] });
    expect(custom.report.droppedByReason).toEqual({ "too big": 1 });
  });

  it("refuses a range without bounds and non-numeric values", () => {
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "range", field: "x" }] }),
      "INVALID_INPUT",
      /at least one/,
    );
    expectRecokitError(
      () => clean([{ x: "3" }], { steps: [{ step: "range", field: "x", min: 0 }] }),
      "INVALID_INPUT",
      /row 0: field x is "3", not a number \(declare it in the schema/,
    );
  });

  it("filters with a predicate that sees the input index", () => {
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "filter", reason: "odd input row", keep: (_row, index) => index % 2 === 0 }],
    });
    expect(out.map((r) => r.i)).toEqual([0, 2, 4]);
    expect(report.droppedByReason).toEqual({ "odd input row": 3 });
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "filter", reason: "", keep: () => true }] }),
      "INVALID_INPUT",
      /reason must be a non-empty string/,
    );
  });
});
