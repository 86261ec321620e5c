import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RowSet } from "../../src/clean/engine.js";
import { clean, cleanStream } from "../../src/clean/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

describe("exact duplicates", () => {
  it("keeps the first copy; equal content in another key order is a duplicate", () => {
    const rows = deepFreeze([
      { a: 1, b: "x" },
      { a: 1, b: "x" },
      { b: "x", a: 1 },
      { a: 1, b: "x", c: undefined },
      { a: "1", b: "x" },
      { a: Number.NaN, b: "x" },
      { a: Number.NaN, b: "x" },
      { a: 0, b: "x" },
      { a: -0, b: "x" },
    ]);
    const { rows: out, report } = clean(rows, { steps: [{ step: "duplicates" }], details: "indices" });
    expect(out).toEqual([rows[0], rows[3], rows[4], rows[5], rows[7]]);
    expect(Array.from(report.steps[0]!.droppedIndices!["exact duplicate"]!)).toEqual([1, 2, 6, 8]);
  });

  it("compares every field after the schema, so coerced forms match", () => {
    const raw = [
      { id: "17850.0", q: "6" },
      { id: "17850", q: "6.0" },
      { id: "17850", q: "7" },
    ];
    const { rows } = clean(raw, {
      schema: { id: { type: "id" }, q: { type: "integer" } },
      steps: [{ step: "duplicates" }],
    });
    expect(rows).toEqual([
      { id: "17850", q: 6 },
      { id: "17850", q: 7 },
    ]);
  });

  it("tells strings with separators apart (no key collisions by concatenation)", () => {
    const rows = [
      { a: "x|", b: "y" },
      { a: "x", b: "|y" },
      { a: "s1:x", b: "" },
      { a: "s1:", b: "x" },
    ];
    expect(clean(rows, { steps: [{ step: "duplicates" }] }).rows).toHaveLength(4);
  });

  it("agrees with a JSON-key reference on random rows (property)", () => {
    const value = fc.oneof(
      fc.constantFrom("a", "b", "", "|", "a|b"),
      fc.integer({ min: -2, max: 2 }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ x: value, y: value, z: value }), { maxLength: 60 }), (rows) => {
        const seen = new Set<string>();
        const expected = rows.filter((r) => {
          const k = JSON.stringify([r.x, r.y, r.z]);
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        expect(clean(rows, { steps: [{ step: "duplicates" }] }).rows).toEqual(expected);
      }),
    );
  });

  it("finds equal rows through hash collisions by comparing fields", () => {
    const set = new RowSet(["a"]);
    const many = Array.from({ length: 5000 }, (_, i) => ({ a: `v${i % 2500}` }));
    const fresh = many.map((r) => set.add(r));
    expect(fresh.filter(Boolean)).toHaveLength(2500);
    expect(fresh.slice(2500).every((f) => !f)).toBe(true);
  });
});

describe("key duplicates", () => {
  const lines = deepFreeze([
    { invoice: "1", item: "A", qty: 2, price: 1.5, note: "first" },
    { invoice: "1", item: "B", qty: 1, price: 3, note: null },
    { invoice: "1", item: "A", qty: 3, price: 2.5, note: null },
    { invoice: "2", item: "A", qty: 1, price: 1, note: "x" },
    { invoice: "1", item: "A", qty: null, price: 2, note: "last" },
  ]);
  const keys = ["invoice", "item"];

  it("keeps the first copy", () => {
    const { rows, report } = clean(lines, { steps: [{ step: "duplicates", mode: "key", keys }] });
    expect(rows).toEqual([lines[0], lines[1], lines[3]]);
    expect(report.droppedByReason).toEqual({ "duplicate key": 2 });
  });

  it("keeps the last copy, in its own position", () => {
    const { rows } = clean(lines, { steps: [{ step: "duplicates", mode: "key", keys, keep: "last" }] });
    expect(rows).toEqual([lines[1], lines[3], lines[4]]);
  });

  it("merges copies into the first by rules (nulls skipped)", () => {
    const { rows, report } = clean(lines, {
      steps: [
        {
          step: "duplicates",
          mode: "key",
          keys,
          keep: "merge",
          merge: { qty: "sum", price: "mean", note: "last", invoice: "first" },
        },
      ],
    });
    expect(rows[0]).toEqual({ invoice: "1", item: "A", qty: 5, price: 2, note: "last" });
    expect(rows.slice(1)).toEqual([lines[1], lines[3]]);
    expect(report.modifiedByReason).toEqual({ "merged duplicates": 1 });
    expect(report.droppedByReason).toEqual({ "duplicate key (merged)": 2 });
    expect(report.steps[0]!.details.groupsWithCopies).toBe(1);
    const counted = clean(lines, {
      steps: [
        { step: "duplicates", mode: "key", keys, keep: "merge", merge: { qty: "count", price: "max" } },
      ],
    });
    expect(counted.rows[0]).toMatchObject({ qty: 3, price: 2.5 });
    const low = clean(lines, {
      steps: [{ step: "duplicates", mode: "key", keys, keep: "merge", merge: { price: "min" } }],
    });
    expect(low.rows[0]).toMatchObject({ price: 1.5, qty: 2 });
  });

  it("treats missing key values as equal to each other", () => {
    const { rows } = clean(
      [
        { k: null, v: 1 },
        { k: undefined, v: 2 },
        { k: "", v: 3 },
      ],
      { steps: [{ step: "duplicates", mode: "key", keys: ["k"] }] },
    );
    expect(rows.map((r) => r.v)).toEqual([1, 3]);
  });

  it("validates its options", () => {
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "duplicates", mode: "key", keys: [] }] }),
      "INVALID_INPUT",
      /keys must be a non-empty list/,
    );
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "duplicates", mode: "key", keys, merge: { qty: "sum" } }] }),
      "INVALID_INPUT",
      /merge applies only/,
    );
    expectRecokitError(
      () =>
        clean(lines, {
          steps: [{ step: "duplicates", mode: "key", keys, keep: "merge", merge: { qty: "avg" as never } }],
        }),
      "INVALID_INPUT",
      /merge\.qty must be one of/,
    );
    expectRecokitError(
      () => clean(lines, { steps: [{ step: "duplicates", mode: "fuzzy" as never, keys }] }),
      "INVALID_INPUT",
      /mode must be one of/,
    );
  });
});

describe("near duplicates in time", () => {
  // one user/item/type clicked at 0, 1000, 2000, 2500, 5000 ms; another group interleaved
  const events = deepFreeze([
    { user: "u", item: "i", type: "view", timestamp: 2500 },
    { user: "u", item: "i", type: "view", timestamp: 0 },
    { user: "v", item: "i", type: "view", timestamp: 500 },
    { user: "u", item: "i", type: "view", timestamp: 5000 },
    { user: "u", item: "i", type: "cart", timestamp: 1000 },
    { user: "u", item: "i", type: "view", timestamp: 1000 },
    { user: "u", item: "i", type: "view", timestamp: 2000 },
    { user: "u", item: "i", type: "view", timestamp: null },
  ]);
  const keys = ["user", "item", "type"];

  it("drops rows within the window of the group's last kept row, in time order", () => {
    const { rows, report } = clean(events, {
      steps: [{ step: "duplicates", mode: "window", keys, windowMs: 2000 }],
    });
    // u/i/view kept at 0, then 1000 and 2000 are within 2000 ms of 0; 2500 starts anew; 5000 too
    expect(rows).toEqual([events[0], events[1], events[2], events[3], events[4], events[7]]);
    expect(report.droppedByReason).toEqual({ "repeat within 2000 ms": 2 });
  });

  it("with anchor: previous, collapses a burst to its first row", () => {
    const { rows } = clean(events, {
      steps: [{ step: "duplicates", mode: "window", keys, windowMs: 2000, anchor: "previous" }],
    });
    expect(rows).toEqual([events[1], events[2], events[3], events[4], events[7]]);
  });

  it("streams the same result from time-ordered rows and refuses rows out of order", async () => {
    const sorted = [...events]
      .filter((e) => e.timestamp !== null)
      .sort((a, b) => a.timestamp! - b.timestamp!);
    const options = {
      steps: [{ step: "duplicates" as const, mode: "window" as const, keys, windowMs: 2000 }],
    };
    const streamed: unknown[] = [];
    for await (const r of cleanStream(sorted, options)) streamed.push(r);
    expect(streamed).toEqual(clean(sorted, options).rows);
    const backwards = cleanStream(events, options);
    await expect(async () => {
      for await (const _ of backwards) void _;
    }).rejects.toThrow(/row 1: timestamp 0 comes after 2500 in its group/);
  });

  it("requires a window", () => {
    expectRecokitError(
      () => clean(events, { steps: [{ step: "duplicates", mode: "window", keys } as never] }),
      "INVALID_INPUT",
      /windowMs must be a number/,
    );
  });
});
