import { describe, expect, it } from "vitest";
import { clean } from "../../src/clean/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

// six rows: price missing on rows 1, 3, 4
const rows = deepFreeze([
  { u: "a", g: "x", p: 1, t: 3, c: "red" },
  { u: "a", g: "x", p: null, t: 1, c: null },
  { u: "b", g: "y", p: 10, t: 2, c: "blue" },
  { u: "b", g: "y", p: null, t: 5, c: "blue" },
  { u: "c", g: "z", p: null, t: 4, c: "red" },
  { u: "a", g: "x", p: 3, t: 6, c: "red" },
]);

const prices = (out: readonly Record<string, unknown>[]) => out.map((r) => r.p);

describe("missing values", () => {
  it("drops rows missing a field and keeps the others untouched", () => {
    const { rows: out, report } = clean(rows, { steps: [{ step: "missing", fields: { p: "drop" } }] });
    expect(prices(out)).toEqual([1, 10, 3]);
    expect(out[0]).toBe(rows[0]);
    expect(report.droppedByReason).toEqual({ "missing p": 3 });
  });

  it("keeps missing values with keep", () => {
    const { rows: out, report } = clean(rows, { steps: [{ step: "missing", fields: { p: "keep" } }] });
    expect(out).toEqual(rows);
    expect(report.dropped).toBe(0);
  });

  it("fills a constant", () => {
    const { rows: out, report } = clean(rows, { steps: [{ step: "missing", fields: { p: { value: 0 } } }] });
    expect(prices(out)).toEqual([1, 0, 10, 0, 0, 3]);
    expect(report.modifiedByReason).toEqual({ "p filled (constant)": 3 });
  });

  it("fills the mean and the median of the present values", () => {
    const mean = clean(rows, { steps: [{ step: "missing", fields: { p: { fill: "mean" } } }] });
    expect(prices(mean.rows)).toEqual([1, 14 / 3, 10, 14 / 3, 14 / 3, 3]);
    expect(mean.report.steps[0]!.details.fills).toEqual({ p: { stat: "mean", value: 14 / 3, groups: 0 } });
    const median = clean(rows, { steps: [{ step: "missing", fields: { p: { fill: "median" } } }] });
    expect(prices(median.rows)).toEqual([1, 3, 10, 3, 3, 3]);
  });

  it("fills per group, falling back to the whole column for a group with no value", () => {
    const { rows: out } = clean(rows, {
      steps: [{ step: "missing", fields: { p: { fill: "mean", by: "g" } } }],
    });
    // group x: (1 + 3) / 2 = 2; y: 10; z has no price → overall mean 14/3
    expect(prices(out)).toEqual([1, 2, 10, 10, 14 / 3, 3]);
  });

  it("fills the mode of text values (first value to reach the top count on ties)", () => {
    const { rows: out } = clean(rows, { steps: [{ step: "missing", fields: { c: { fill: "mode" } } }] });
    expect(out[1]!.c).toBe("red");
    const byUser = clean(rows, {
      steps: [{ step: "missing", fields: { c: { fill: "mode", by: ["u", "g"] } } }],
    });
    expect(byUser.rows[1]!.c).toBe("red");
  });

  it("carries the entity's last value forward in input order", () => {
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "missing", fields: { p: { fill: "forward", by: "u" } } }],
    });
    // row 1 (a) has no earlier a-value in input order… row 0 is earlier: 1; row 3 (b) ← 10; row 4 (c) none
    expect(prices(out)).toEqual([1, 1, 10, 10, null, 3]);
    expect(report.modifiedByReason).toEqual({ "p filled (forward)": 2 });
    expect(report.flaggedByReason).toEqual({ "missing p (nothing to carry forward)": 1 });
  });

  it("carries forward in time order with orderBy, and can drop what has no past", () => {
    const { rows: out, report } = clean(rows, {
      steps: [
        { step: "missing", fields: { p: { fill: "forward", by: "u", orderBy: "t", otherwise: "drop" } } },
      ],
    });
    // by time: row1 (a, t1) comes before row0 (a, t3) → nothing to carry; row3 (b, t5) ← row2 (t2) = 10
    expect(out.map((r) => [r.u, r.t, r.p])).toEqual([
      ["a", 3, 1],
      ["b", 2, 10],
      ["b", 5, 10],
      ["a", 6, 3],
    ]);
    expect(report.droppedByReason).toEqual({ "missing p (nothing to carry forward)": 2 });
  });

  it("applies drops before fills, so a dropped row feeds no forward fill", () => {
    const data = [
      { u: "a", p: 5, q: null },
      { u: "a", p: null, q: 1 },
    ];
    const { rows: out } = clean(data, {
      steps: [{ step: "missing", fields: { q: "drop", p: { fill: "forward", by: "u" } } }],
    });
    expect(out).toEqual([{ u: "a", p: null, q: 1 }]);
  });

  it("refuses statistics on text and unknown policies", () => {
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "missing", fields: { c: { fill: "mean" } } }] }),
      "INVALID_INPUT",
      /row 0: field c is "red", not a number/,
    );
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "missing", fields: { p: "zero" as never } }] }),
      "INVALID_INPUT",
      /steps\[0\] \(missing\): fields\.p: unknown policy/,
    );
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "missing", fields: { nope: "drop" } }] }),
      "INVALID_INPUT",
      /"nope" is not a field/,
    );
    expectRecokitError(
      () =>
        clean(rows, {
          steps: [
            {
              step: "missing",
              fields: {
                p: { fill: "forward", by: "u", orderBy: "t" },
                c: { fill: "forward", by: "u", orderBy: "p" },
              },
            },
          ],
        }),
      "INVALID_INPUT",
      /share orderBy/,
    );
  });

  it("leaves a column with no value at all missing, flagged", () => {
    const { rows: out, report } = clean([{ p: null }, { p: null }], {
      steps: [{ step: "missing", fields: { p: { fill: "median" } } }],
    });
    expect(out).toEqual([{ p: null }, { p: null }]);
    expect(report.flaggedByReason).toEqual({ "missing p (no value to fill)": 2 });
  });
});
