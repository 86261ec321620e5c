import fc from "fast-check";
import { cumulativeStdNormalProbability, median } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { bootstrapInterval, pairedBootstrap, pairedTTest } from "../../src/eval/index.js";
import { regularizedIncompleteBeta, studentTwoSidedP } from "../../src/eval/stats.js";
import { expectRecokitError } from "../helpers.js";

describe("Student t p-values", () => {
  it("match the closed forms for 1 and 2 degrees of freedom", () => {
    // df = 1 (Cauchy): P(|T| ≥ t) = 1 − (2/π)·atan(t); df = 2: 1 − t / √(2 + t²)
    for (const t of [0, 0.1, 0.5, 1, 2.5, 7, 40]) {
      expect(studentTwoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 10);
      expect(studentTwoSidedP(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 10);
    }
  });

  it("give 0.05 at the tabulated 97.5% quantiles", () => {
    // t_{0.975, ν} from standard tables
    const table: [number, number][] = [
      [3, 3.182446305284263],
      [5, 2.570581835636314],
      [10, 2.228138851986274],
      [30, 2.042272456301238],
      [120, 1.979930405082],
    ];
    for (const [df, t] of table) expect(studentTwoSidedP(t, df)).toBeCloseTo(0.05, 8);
  });

  it("approach the normal distribution for large df", () => {
    for (const z of [0.5, 1, 1.96, 3]) {
      const normal = 2 * (1 - cumulativeStdNormalProbability(z));
      // simple-statistics' normal table is rounded to 4 decimals
      expect(Math.abs(studentTwoSidedP(z, 1e7) - normal)).toBeLessThan(2e-4);
    }
  });

  it("regularised incomplete beta: I_x(1, 1) = x and I_x(a, b) = 1 − I_{1−x}(b, a)", () => {
    for (const x of [0.01, 0.3, 0.5, 0.77]) expect(regularizedIncompleteBeta(x, 1, 1)).toBeCloseTo(x, 12);
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        (x, a, b) => {
          expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(
            1 - regularizedIncompleteBeta(1 - x, b, a),
            9,
          );
        },
      ),
    );
  });
});

describe("pairedTTest", () => {
  it("matches a hand computation", () => {
    // differences 1, 2, 0, 3: mean 1.5, sample sd √(5/3), t = 1.5 / (√(5/3) / 2)
    const r = pairedTTest([5, 7, 6, 9], [4, 5, 6, 6]);
    const t = 1.5 / (Math.sqrt(5 / 3) / 2);
    expect(r.meanDifference).toBeCloseTo(1.5, 12);
    expect(r.t).toBeCloseTo(t, 12);
    expect(r.df).toBe(3);
    expect(r.n).toBe(4);
    // t ≈ 2.3238 lies between the 90% (2.3534) and 80% (1.6377) two-sided quantiles of t₃
    expect(r.pValue).toBeGreaterThan(0.1);
    expect(r.pValue).toBeLessThan(0.2);
    // reference: scipy.stats.ttest_rel([5, 7, 6, 9], [4, 5, 6, 6]) → p = 0.10272807885839899
    expect(r.pValue).toBeCloseTo(0.10272807885839899, 10);
  });

  it("is antisymmetric in its arguments", () => {
    const a = [0.3, 0.5, 0.1, 0.9, 0.4];
    const b = [0.2, 0.6, 0.3, 0.5, 0.1];
    const ab = pairedTTest(a, b);
    const ba = pairedTTest(b, a);
    expect(ab.t).toBeCloseTo(-ba.t, 12);
    expect(ab.pValue).toBeCloseTo(ba.pValue, 12);
  });

  it("handles degenerate differences without NaN", () => {
    const same = pairedTTest([1, 2, 3], [1, 2, 3]);
    expect(same).toMatchObject({ t: 0, pValue: 1, meanDifference: 0 });
    const shifted = pairedTTest([0.3, 0.4, 0.5], [0.2, 0.3, 0.4]); // constant 0.1 (up to rounding)
    expect(shifted.t).toBe(Number.POSITIVE_INFINITY);
    expect(shifted.pValue).toBe(0);
  });

  it("rejects fewer than 2 pairs, unequal lengths and non-finite values", () => {
    expectRecokitError(() => pairedTTest([1], [2]), "INVALID_INPUT", /at least 2 pairs/);
    expectRecokitError(() => pairedTTest([1, 2], [2]), "INVALID_INPUT", /differ in length/);
    expectRecokitError(() => pairedTTest([1, Number.NaN], [2, 3]), "INVALID_INPUT", /^pairedTTest: x\[1\]/);
  });
});

describe("bootstrapInterval", () => {
  const values = [0.2, 0.4, 0.1, 0.5, 0.3, 0.6, 0.2, 0.4];

  it("brackets the mean and is reproducible per seed", () => {
    const a = bootstrapInterval(values, { seed: 1 });
    expect(a.estimate).toBeCloseTo(0.3375, 12);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
    expect(a.lower).toBeGreaterThanOrEqual(0.1);
    expect(a.upper).toBeLessThanOrEqual(0.6);
    expect(a.resamples).toBe(1000);
    expect(a.confidence).toBe(0.95);
    expect(bootstrapInterval(values, { seed: 1 })).toEqual(a);
    const narrow = bootstrapInterval(values, { seed: 1, confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(a.upper - a.lower);
  });

  it("a constant sample has a zero-width interval", () => {
    expect(bootstrapInterval([2, 2, 2], { resamples: 50 })).toMatchObject({
      estimate: 2,
      lower: 2,
      upper: 2,
    });
  });

  it("takes a custom statistic", () => {
    const ci = bootstrapInterval([1, 2, 3, 100], { statistic: median, resamples: 200, seed: 3 });
    expect(ci.estimate).toBe(2.5);
    expect(ci.upper).toBeLessThanOrEqual(100);
  });

  it("the interval of the mean shrinks roughly like 1/√n", () => {
    const small = Array.from({ length: 50 }, (_, i) => (i * 37) % 11);
    const large = Array.from({ length: 800 }, (_, i) => (i * 37) % 11);
    const w = (v: number[]) => {
      const ci = bootstrapInterval(v, { seed: 2 });
      return ci.upper - ci.lower;
    };
    const ratio = w(small) / w(large);
    expect(ratio).toBeGreaterThan(2.5); // √16 = 4 in theory
    expect(ratio).toBeLessThan(6);
  });

  it("rejects bad input", () => {
    expectRecokitError(() => bootstrapInterval([]), "EMPTY_DATA");
    expectRecokitError(() => bootstrapInterval([1, Number.NaN]), "INVALID_INPUT", /values\[1\]/);
    expectRecokitError(() => bootstrapInterval([1], { confidence: 1 }), "INVALID_INPUT", /confidence/);
    expectRecokitError(() => bootstrapInterval([1], { resamples: 0 }), "INVALID_INPUT", /resamples/);
    expectRecokitError(
      () => bootstrapInterval([1, 2], { statistic: () => Number.NaN }),
      "INVALID_INPUT",
      /statistic/,
    );
  });
});

describe("pairedBootstrap", () => {
  it("finds a consistent improvement significant and a null one not", () => {
    const a = [0.4, 0.5, 0.5, 0.4, 0.6, 0.3, 0.5, 0.45];
    const b = a.map((v, i) => v + 0.1 + (i % 2 === 0 ? 0.02 : -0.02));
    const win = pairedBootstrap(b, a, { seed: 3 });
    expect(win.estimate).toBeCloseTo(0.1, 12);
    expect(win.lower).toBeGreaterThan(0);
    expect(win.pValue).toBeLessThan(0.01);
    const noise = pairedBootstrap([0.1, 0.3, 0.2, 0.4], [0.3, 0.1, 0.4, 0.2], { seed: 3 });
    expect(noise.estimate).toBeCloseTo(0, 12);
    expect(noise.pValue).toBe(1);
    expect(noise.lower).toBeLessThan(0);
    expect(noise.upper).toBeGreaterThan(0);
  });

  it("a constant non-zero difference has p = 1 / (B + 1)", () => {
    const r = pairedBootstrap([3, 4, 5], [1, 2, 3], { resamples: 99 });
    expect(r).toMatchObject({ estimate: 2, lower: 2, upper: 2 });
    expect(r.pValue).toBeCloseTo(1 / 100, 12);
  });

  it("agrees with the t-test on large samples (property of both tests)", () => {
    const n = 400;
    const a = Array.from({ length: n }, (_, i) => ((i * 7919) % 101) / 100);
    const b = a.map((v, i) => v + 0.02 + (((i * 104729) % 13) - 6) / 100);
    const t = pairedTTest(b, a);
    const boot = pairedBootstrap(b, a, { seed: 5, resamples: 2000 });
    expect(Math.abs(t.pValue - boot.pValue)).toBeLessThan(0.03);
    const halfWidthT = 1.966 * Math.abs(t.meanDifference / t.t);
    expect((boot.upper - boot.lower) / 2).toBeCloseTo(halfWidthT, 2);
  });

  it("rejects empty and unequal samples", () => {
    expectRecokitError(() => pairedBootstrap([], []), "EMPTY_DATA");
    expectRecokitError(() => pairedBootstrap([1, 2], [1]), "INVALID_INPUT", /differ in length/);
  });
});

describe("large samples", () => {
  it("compare 300,000 pairs without overflowing the stack", () => {
    const n = 300_000;
    const a = Array.from({ length: n }, (_, i) => (i % 97) / 97);
    const b = a.map((v, i) => v + ((i % 5) - 2) / 100);
    const t = pairedTTest(b, a);
    // differences −0.02 … 0.02 in equal shares: mean 0 up to rounding
    expect(Math.abs(t.meanDifference)).toBeLessThan(1e-12);
    expect(pairedBootstrap(b, a, { resamples: 5, seed: 1 }).resamples).toBe(5);
  });
});
