import { describe, expect, it } from "vitest";
import { applyColumnScaler, clean, fitColumnScaler } from "../../src/clean/index.js";
import { deepFreeze, expectClose, expectRecokitError } from "../helpers.js";

describe("fitColumnScaler / applyColumnScaler", () => {
  it("fits min-max, z-score, robust and log1p by hand", () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9, null, Number.NaN];
    expect(fitColumnScaler(xs, "minmax")).toEqual({ method: "minmax", center: 2, scale: 7 });
    // mean 5, population sd 2 (the textbook example)
    expect(fitColumnScaler(xs, "zscore")).toEqual({ method: "zscore", center: 5, scale: 2 });
    // median 4.5; Q1 = 4, Q3 = 5 + 0.25·(7 − 5) = 5.5 → IQR 1.5
    expect(fitColumnScaler(xs, "robust")).toEqual({ method: "robust", center: 4.5, scale: 1.5 });
    expect(fitColumnScaler(xs, "log1p")).toEqual({ method: "log1p", center: 0, scale: 1 });
    expect(applyColumnScaler({ method: "minmax", center: 2, scale: 7 }, 9)).toBe(1);
    expect(applyColumnScaler({ method: "zscore", center: 5, scale: 2 }, 1)).toBe(-2);
    expect(applyColumnScaler({ method: "log1p", center: 0, scale: 1 }, Math.E - 1)).toBeCloseTo(1, 14);
  });

  it("maps a constant column to zero instead of dividing by zero", () => {
    for (const method of ["minmax", "zscore", "robust"] as const) {
      const s = fitColumnScaler([3, 3, 3], method);
      expect(s.scale).toBe(1);
      expect(applyColumnScaler(s, 3)).toBe(0);
    }
  });

  it("refuses bad values and scalers", () => {
    expectRecokitError(() => fitColumnScaler([], "zscore"), "EMPTY_DATA");
    expectRecokitError(() => fitColumnScaler([1, "2"], "zscore"), "INVALID_INPUT", /value 1 is "2"/);
    expectRecokitError(() => fitColumnScaler([1, Number.POSITIVE_INFINITY], "minmax"), "INVALID_INPUT");
    expectRecokitError(() => fitColumnScaler([-1], "log1p"), "INVALID_INPUT", /log1p needs values > -1/);
    expectRecokitError(() => fitColumnScaler([1], "softmax" as never), "INVALID_INPUT");
    expectRecokitError(
      () => applyColumnScaler({ method: "zscore", center: 0, scale: 0 }, 1),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => applyColumnScaler({ method: "log1p", center: 0, scale: 1 }, -2),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => applyColumnScaler({ method: "zscore", center: 0, scale: 1 }, Number.NaN),
      "INVALID_INPUT",
    );
  });
});

describe("normalize step", () => {
  const rows = deepFreeze([
    { id: 1, price: 2, qty: 0 },
    { id: 2, price: 4, qty: 9 },
    { id: 3, price: null, qty: 99 },
    { id: 4, price: 6, qty: 3 },
  ]);

  it("fits on its input, rescales in place, and returns the scalers", () => {
    const {
      rows: out,
      report,
      scalers,
    } = clean(rows, {
      steps: [{ step: "normalize", fields: { price: "minmax", qty: "log1p" } }],
    });
    expectClose(
      out.map((r) => r.price as number).filter((x) => x !== null),
      [0, 0.5, 1],
    );
    expect(out[2]!.price).toBeNull();
    expectClose(
      out.map((r) => r.qty as number),
      [0, Math.log(10), Math.log(100), Math.log(4)],
      1e-12,
    );
    expect(scalers).toEqual({
      price: { method: "minmax", center: 2, scale: 4 },
      qty: { method: "log1p", center: 0, scale: 1 },
    });
    expect(report.modifiedByReason).toEqual({ "price scaled (minmax)": 3, "qty scaled (log1p)": 4 });
  });

  it("applies fitted scalers to new data as a streaming-friendly row step, into suffixed fields", () => {
    const { scalers } = clean(rows, { steps: [{ step: "normalize", fields: { price: "zscore" } }] });
    const fresh = [{ id: 9, price: 8, qty: 1 }];
    const { rows: out, report } = clean(fresh, {
      steps: [{ step: "normalize", fields: { price: scalers.price! }, suffix: "Z" }],
    });
    // mean 4, population sd √(8/3)
    expect(out[0]!.price).toBe(8);
    expect(out[0]!.priceZ).toBeCloseTo(4 / Math.sqrt(8 / 3), 12);
    expect(report.steps[0]!.details.scalers).toEqual({ priceZ: scalers.price });
  });

  it("leaves a column with no value unfitted rather than failing", () => {
    const {
      rows: out,
      report,
      scalers,
    } = clean([{ x: null }, { x: null }], {
      steps: [{ step: "normalize", fields: { x: "zscore" } }],
    });
    expect(out).toEqual([{ x: null }, { x: null }]);
    expect(scalers).toEqual({});
    expect(report.steps[0]!.details.unfitted).toEqual(["x"]);
  });

  it("names the row when a value cannot be transformed", () => {
    expectRecokitError(
      () => clean([{ x: 1 }, { x: -3 }], { steps: [{ step: "normalize", fields: { x: "log1p" } }] }),
      "INVALID_INPUT",
      /row 1: x -3 has no log1p/,
    );
    expectRecokitError(
      () =>
        clean([{ x: -3 }], {
          steps: [{ step: "normalize", fields: { x: { method: "log1p", center: 0, scale: 1 } } }],
        }),
      "INVALID_INPUT",
      /row 0: x -3 has no log1p/,
    );
    expectRecokitError(
      () => clean(rows, { steps: [{ step: "normalize", fields: { price: "zscore" }, suffix: "" }] }),
      "INVALID_INPUT",
      /suffix must be a non-empty string/,
    );
    expectRecokitError(
      () =>
        clean([{ x: 1 }, { x: Number.POSITIVE_INFINITY }], {
          steps: [{ step: "normalize", fields: { x: "robust" } }],
        }),
      "INVALID_INPUT",
      /row 1: x is Infinity/,
    );
  });
});
