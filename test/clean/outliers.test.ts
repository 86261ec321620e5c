import { describe, expect, it } from "vitest";
import { clean } from "../../src/clean/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const TOL = 1e-12;
const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
const rows = deepFreeze(values.map((x, i) => ({ id: i, x, g: i % 2 === 0 ? "even" : "odd" })));
const kept = (out: readonly Record<string, unknown>[]) => out.map((r) => r.x);

describe("outliers", () => {
  it("IQR: Tukey fences from linear-interpolation quartiles", () => {
    // Q1 = 3 + 0.25·(4 − 3) = 3.25, Q3 = 7 + 0.75·(8 − 7) = 7.75, IQR = 4.5 → fences [−3.5, 14.5]
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "iqr", action: "drop" }],
    });
    expect(kept(out)).toEqual(values.slice(0, 9));
    expect(report.droppedByReason).toEqual({ "outlier x": 1 });
    const fences = report.steps[0]!.details.fences as { low: number; high: number; n: number }[];
    expect(fences).toHaveLength(1);
    expect(fences[0]!.n).toBe(10);
    expect(Math.abs(fences[0]!.low - -3.5)).toBeLessThan(TOL);
    expect(Math.abs(fences[0]!.high - 14.5)).toBeLessThan(TOL);
  });

  it("z-score: population sd; the outlier inflates the sd enough to mask itself at 3", () => {
    // mean 14.5, variance 10285/10 − 14.5² = 818.25, sd ≈ 28.605; z(100) = 85.5 / 28.605 ≈ 2.989
    const at3 = clean(rows, { steps: [{ step: "outliers", field: "x", method: "zscore", action: "drop" }] });
    expect(at3.rows).toHaveLength(10);
    const at2 = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "zscore", threshold: 2.98, action: "drop" }],
    });
    expect(kept(at2.rows)).toEqual(values.slice(0, 9));
    const fences = at2.report.steps[0]!.details.fences as { low: number; high: number }[];
    const sd = Math.sqrt(818.25);
    expect(Math.abs(fences[0]!.high - (14.5 + 2.98 * sd))).toBeLessThan(1e-9);
  });

  it("MAD: modified z-score 0.6745·|x − median| / MAD > 3.5", () => {
    // median 5.5, absolute deviations' median 2.5 → fences 5.5 ± 3.5·2.5/0.6745 = 5.5 ± 12.973
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "mad", action: "drop" }],
    });
    expect(kept(out)).toEqual(values.slice(0, 9));
    const f = (report.steps[0]!.details.fences as { low: number; high: number }[])[0]!;
    expect(Math.abs(f.high - (5.5 + (3.5 * 2.5) / 0.6745))).toBeLessThan(1e-9);
    expect(Math.abs(f.low - (5.5 - (3.5 * 2.5) / 0.6745))).toBeLessThan(1e-9);
  });

  it("clips to the nearest fence and counts the change", () => {
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "iqr", action: "clip" }],
    });
    expect(Math.abs((out[9]!.x as number) - 14.5)).toBeLessThan(TOL);
    expect(out.slice(0, 9)).toEqual(rows.slice(0, 9));
    expect(report.modifiedByReason).toEqual({ "x clipped": 1 });
    expect(rows[9]!.x).toBe(100);
  });

  it("flags in a new boolean field on every row", () => {
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "iqr", action: "flag", flagField: "odd" }],
    });
    expect(out.map((r) => r.odd)).toEqual([...Array(9).fill(false), true]);
    expect(report.flaggedByReason).toEqual({ "outlier x": 1 });
    expect(report.dropped).toBe(0);
    expect(out[0]).toEqual({ ...rows[0], odd: false });
  });

  it("computes fences per group and skips groups that are too small", () => {
    // even: 1,3,5,7,9 (no outlier); odd: 2,4,6,8,100 → Q1 4, Q3 8, fences [-2, 14]
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "iqr", by: "g", action: "drop" }],
    });
    expect(kept(out)).toEqual(values.slice(0, 9));
    expect(report.steps[0]!.details.groups).toBe(2);
    const small = clean(rows, {
      steps: [{ step: "outliers", field: "x", method: "iqr", by: "g", action: "drop", minGroupSize: 6 }],
    });
    expect(small.rows).toHaveLength(10);
    expect(small.report.steps[0]!.details.groupsWithoutFences).toBe(2);
  });

  it("runs on log1p for heavy tails and clips back on the original scale", () => {
    const heavy = [1, 2, 2, 3, 4, 6, 8, 12, 24, 5000].map((x) => ({ x }));
    const linear = clean(heavy, { steps: [{ step: "outliers", field: "x", method: "iqr", action: "drop" }] });
    expect(linear.rows).toHaveLength(9); // Q3 + 1.5·IQR = 11 + 13.125: only 5000 is beyond
    const logged = clean(heavy, {
      steps: [{ step: "outliers", field: "x", method: "iqr", action: "clip", transform: "log1p" }],
    });
    const l = heavy.map((r) => Math.log1p(r.x)).sort((a, b) => a - b);
    const q1 = l[2]! + 0.25 * (l[3]! - l[2]!);
    const q3 = l[6]! + 0.75 * (l[7]! - l[6]!);
    const high = Math.expm1(q3 + 1.5 * (q3 - q1));
    expect(Math.abs((logged.rows[9]!.x as number) - high)).toBeLessThan(1e-9);
    expect(logged.report.modifiedByReason).toEqual({ "x clipped": 1 });
    expectRecokitError(
      () =>
        clean([{ x: -1 }], {
          steps: [{ step: "outliers", field: "x", method: "iqr", action: "drop", transform: "log1p" }],
        }),
      "INVALID_INPUT",
      /row 0: x -1 has no log1p/,
    );
  });

  it("finds nothing when the spread is zero, and skips missing values", () => {
    const flat = [5, 5, 5, 5, 5, 5, null].map((x) => ({ x }));
    for (const method of ["zscore", "mad"] as const) {
      const { rows: out } = clean(flat, {
        steps: [{ step: "outliers", field: "x", method, action: "drop" }],
      });
      expect(out).toHaveLength(7);
    }
  });

  it("validates its options", () => {
    expectRecokitError(
      () =>
        clean(rows, { steps: [{ step: "outliers", field: "x", method: "grubbs" as never, action: "drop" }] }),
      "INVALID_INPUT",
      /method must be one of iqr, zscore, mad/,
    );
    expectRecokitError(
      () =>
        clean(rows, {
          steps: [{ step: "outliers", field: "x", method: "iqr", action: "flag", flagField: "g" }],
        }),
      "INVALID_INPUT",
      /flagField "g" is already a field/,
    );
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "outliers", field: "g", method: "iqr", action: "drop" }] }),
      "INVALID_INPUT",
      /row 0: field g is "even", not a number/,
    );
  });
});
