import { describe, expect, it } from "vitest";
import { calibrationHoldoutSummary, fitBgNbd, repeatPurchaseSummary } from "../../src/rfm/index.js";
import { deepFreeze, expectClose, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

describe("repeatPurchaseSummary", () => {
  it("computes frequency, recency, T and mean repeat value by hand (weeks)", () => {
    const s = repeatPurchaseSummary(
      deepFreeze([
        { customer: "ann", timestamp: T0, amount: 10 },
        { customer: "ann", timestamp: T0 + 7 * DAY, amount: 30 },
        { customer: "ann", timestamp: T0 + 14 * DAY, amount: 50 },
        { customer: "bob", timestamp: T0 + 3 * DAY, amount: 5 },
      ]),
      { unit: "week", observationEnd: T0 + 21 * DAY },
    );
    expect(s.customers.ids()).toEqual(["ann", "bob"]);
    expect(Array.from(s.frequency)).toEqual([2, 0]);
    expect(Array.from(s.recency)).toEqual([2, 0]);
    expectClose(s.T, [3, 18 / 7]);
    expect(Array.from(s.monetary)).toEqual([40, 0]);
    expect(s.unitDays).toBe(7);
    expect(s.observationEnd).toBe(T0 + 21 * DAY);
  });

  it("reproduces the CDNOW summary convention: weeks from first purchase to a 39-week end", () => {
    const day = (m: number, d: number) => Date.UTC(1997, m - 1, d);
    const s = repeatPurchaseSummary(
      [
        { customer: 1, timestamp: day(1, 1), amount: 29.33 },
        { customer: 1, timestamp: day(3, 15), amount: 11.77 },
        { customer: 1, timestamp: day(8, 2), amount: 20 },
      ],
      { unit: "week", observationEnd: day(9, 30) },
    );
    expect(s.frequency[0]).toBe(2);
    expect(s.recency[0]).toBeCloseTo(30.43, 2);
    expect(s.T[0]).toBeCloseTo(38.86, 2);
  });

  it("merges a customer's lines of one UTC day into one occasion and drops non-positive days", () => {
    const s = repeatPurchaseSummary([
      { customer: "x", timestamp: T0 + 9 * HOUR, amount: 4 },
      { customer: "x", timestamp: T0 + 20 * HOUR, amount: 6 },
      { customer: "x", timestamp: T0 + 2 * DAY, amount: 8 },
      { customer: "x", timestamp: T0 + 2 * DAY + HOUR, amount: -8 },
      { customer: "x", timestamp: T0 + 5 * DAY, amount: 12 },
      { customer: "y", timestamp: T0 + 5 * DAY, amount: -3 },
    ]);
    // occasions: day 0 (10), day 5 (12); day 2 nets to 0
    expect(Array.from(s.frequency)).toEqual([1]);
    expect(Array.from(s.recency)).toEqual([5]);
    expect(Array.from(s.T)).toEqual([5]);
    expect(Array.from(s.monetary)).toEqual([12]);
    expect(s.report).toMatchObject({
      rows: 6,
      purchaseDays: 2,
      nonPositiveDays: 2,
      customersWithoutPurchase: ["y"],
    });
  });

  it("gives frequency 0 and recency 0 to a customer whose purchases are all on one day", () => {
    const s = repeatPurchaseSummary(
      [
        { customer: "x", invoice: 1, timestamp: T0, amount: 1 },
        { customer: "x", invoice: 2, timestamp: T0 + HOUR, amount: 1 },
      ],
      { observationEnd: T0 + 3 * DAY, unit: 1.5 },
    );
    expect([s.frequency[0], s.recency[0], s.T[0], s.monetary[0]]).toEqual([0, 0, 2, 0]);
  });

  it("refuses rows after the observation end, empty input and bad units", () => {
    const rows = [{ customer: "x", timestamp: T0 + 5 * DAY, amount: 1 }];
    expectRecokitError(
      () => repeatPurchaseSummary(rows, { observationEnd: T0 }),
      "INVALID_INPUT",
      /row 0: .*after the observation end/,
    );
    expectRecokitError(() => repeatPurchaseSummary([]), "EMPTY_DATA");
    expectRecokitError(
      () => repeatPurchaseSummary([{ customer: "x", timestamp: T0, amount: -1 }]),
      "EMPTY_DATA",
    );
    expectRecokitError(
      () => repeatPurchaseSummary(rows, { unit: "month" as "day" }),
      "INVALID_INPUT",
      /unit/,
    );
    expectRecokitError(() => repeatPurchaseSummary(rows, { unit: 0 }), "INVALID_INPUT");
  });

  it("feeds fitBgNbd directly", () => {
    const rows: { customer: string; timestamp: number; amount: number }[] = [];
    for (let c = 0; c < 60; c++) {
      const visits = 1 + (c % 6);
      for (let k = 0; k < visits; k++)
        rows.push({ customer: `c${c}`, timestamp: T0 + ((c * 3 + k * 11) % 90) * DAY, amount: 10 });
    }
    const model = fitBgNbd(repeatPurchaseSummary(rows, { observationEnd: T0 + 100 * DAY }));
    expect(model.customers).toBe(60);
    expect(Number.isFinite(model.logLikelihood)).toBe(true);
  });
});

describe("calibrationHoldoutSummary", () => {
  const rows = deepFreeze([
    { customer: "ann", timestamp: T0, amount: 10 },
    { customer: "ann", timestamp: T0 + 5 * DAY, amount: 20 },
    { customer: "ann", timestamp: T0 + 12 * DAY, amount: 30 },
    { customer: "ann", timestamp: T0 + 14 * DAY, amount: 50 },
    { customer: "bob", timestamp: T0 + 11 * DAY, amount: 5 },
    { customer: "cy", timestamp: T0 + 2 * DAY, amount: 7 },
    { customer: "cy", timestamp: T0 + 25 * DAY, amount: 9 },
  ]);

  it("splits at the calibration end, by hand", () => {
    const split = calibrationHoldoutSummary(rows, {
      calibrationEnd: T0 + 9 * DAY + 5 * HOUR,
      observationEnd: T0 + 19 * DAY,
    });
    const cal = split.calibration;
    expect(cal.customers.ids()).toEqual(["ann", "cy"]);
    expect(Array.from(cal.frequency)).toEqual([1, 0]);
    expect(Array.from(cal.recency)).toEqual([5, 0]);
    expect(Array.from(cal.T)).toEqual([9, 7]);
    expect(Array.from(cal.monetary)).toEqual([20, 0]);
    expect(cal.observationEnd).toBe(T0 + 9 * DAY);
    expect(Array.from(split.holdout.frequency)).toEqual([2, 0]);
    expect(Array.from(split.holdout.monetary)).toEqual([40, 0]);
    expect(split.holdout.duration).toBe(10);
    expect(split.newInHoldout).toEqual(["bob"]);
    expect(split.rowsAfterObservation).toBe(1);
  });

  it("requires a calibration end before the observation end", () => {
    expectRecokitError(
      () => calibrationHoldoutSummary(rows, {} as { calibrationEnd: number }),
      "INVALID_INPUT",
      /calibrationEnd is required/,
    );
    expectRecokitError(
      () => calibrationHoldoutSummary(rows, { calibrationEnd: T0 + 30 * DAY }),
      "INVALID_INPUT",
      /must be a day before/,
    );
    expectRecokitError(
      () => calibrationHoldoutSummary(rows, { calibrationEnd: T0 - 3 * DAY, observationEnd: T0 + 30 * DAY }),
      "EMPTY_DATA",
    );
  });
});
