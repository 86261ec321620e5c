import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scoreRfm } from "../../src/rfm/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const cols = (recency: number[], frequency: number[], monetary: number[]) =>
  deepFreeze({ recency, frequency, monetary });

describe("scoreRfm: quantile method", () => {
  it('breaks ties by row order with ties: "first" and shares scores with ties: "average"', () => {
    // recency [10, 3, 3, 50, 7]; n = 5, bins = 5: rank edges 1, 1.8, 2.6, 3.4, 4.2, 5
    const table = cols([10, 3, 3, 50, 7], [1, 1, 1, 1, 1], [1, 2, 3, 4, 5]);
    // first: ranks 4, 1, 2, 5, 3 → bins 4, 1, 2, 5, 3 → R = 6 − bin
    expect(Array.from(scoreRfm(table, { ties: "first" }).r)).toEqual([2, 5, 4, 1, 3]);
    // average: the two 3s share rank 1.5; sorted ranks [1.5, 1.5, 3, 4, 5] give edges
    // 1.5, 1.5, 2.4, 3.4, 4.2, 5 → bins 4, 1, 1, 5, 3
    expect(Array.from(scoreRfm(table, { ties: "average" }).r)).toEqual([2, 5, 5, 1, 3]);
  });

  it("bins 1 … n like pandas qcut (n = 7, 5 bins: edges 1, 2.2, 3.4, 4.6, 5.8, 7)", () => {
    const s = scoreRfm(cols([1, 1, 1, 1, 1, 1, 1], [1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1]));
    expect(Array.from(s.f)).toEqual([1, 1, 2, 3, 4, 5, 5]);
    expect(Array.from(s.m)).toEqual([5, 5, 4, 3, 2, 1, 1]);
  });

  it("scores a skewed frequency column under each tie rule, by hand", () => {
    const freq = [1, 1, 1, 1, 2, 2, 3, 5, 8, 13];
    const t = cols(new Array(10).fill(0), freq, freq);
    // first: ranks 1 … 10, edges 1, 2.8, 4.6, 6.4, 8.2, 10
    const first = scoreRfm(t, { ties: "first" });
    expect(Array.from(first.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // average: ranks 2.5 ×4, 5.5 ×2, 7, 8, 9, 10; edges 2.5, 2.5, 4.3, 6.1, 8.2, 10
    const average = scoreRfm(t, { ties: "average" });
    expect(Array.from(average.f)).toEqual([1, 1, 1, 1, 3, 3, 4, 4, 5, 5]);
    expect(average.bounds.frequency).toEqual([[1, 1], null, [2, 2], [3, 5], [8, 13]]);
    expect(first.bounds.frequency).toEqual([
      [1, 1],
      [1, 1],
      [2, 2],
      [3, 5],
      [8, 13],
    ]);
  });

  it("defaults to average ranks, 5 bins, combined = R + F + M and one-digit cells", () => {
    const s = scoreRfm(cols([10, 3, 3, 50, 7], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]));
    expect(s.ties).toBe("average");
    expect(s.bins).toBe(5);
    expect(Array.from(s.r)).toEqual([2, 5, 5, 1, 3]);
    expect(s.cell).toEqual(["215", "524", "533", "142", "351"]);
    expect(Array.from(s.combined)).toEqual([8, 11, 11, 7, 9]);
    const w = scoreRfm(cols([10, 3, 3, 50, 7], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]), {
      weights: { recency: 2, monetary: 0 },
    });
    expect(Array.from(w.combined)).toEqual([5, 12, 13, 6, 11]);
  });

  it("matches pandas' qcut-of-ranks definition on random columns (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 9 }),
        fc.constantFrom("first" as const, "average" as const),
        (values, bins, ties) => {
          const s = scoreRfm(cols(values, values, values), { bins, ties });
          const expected = referenceBins(values, bins, ties);
          expect(Array.from(s.f)).toEqual(expected);
          expect(Array.from(s.m)).toEqual(expected);
          expect(Array.from(s.r)).toEqual(expected.map((b) => bins + 1 - b));
        },
      ),
    );
  });

  it("is monotone, gives equal values equal scores (average) and near-equal bins (first) (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 5, maxLength: 80 }),
        (v) => {
          const avg = scoreRfm(cols(v, v, v), { ties: "average" });
          const first = scoreRfm(cols(v, v, v), { ties: "first" });
          for (let i = 0; i < v.length; i++) {
            for (let j = 0; j < v.length; j++) {
              if (v[i]! < v[j]!) {
                expect(avg.f[i]!).toBeLessThanOrEqual(avg.f[j]!);
                expect(avg.r[i]!).toBeGreaterThanOrEqual(avg.r[j]!);
                expect(first.m[i]!).toBeLessThanOrEqual(first.m[j]!);
              }
              if (v[i] === v[j]) expect(avg.m[i]).toBe(avg.m[j]);
            }
          }
          const sizes = [1, 2, 3, 4, 5].map((b) => first.f.filter((x) => x === b).length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

/** pandas: qcut(x.rank(method), bins), with numpy's linear quantiles, written from the definitions. */
function referenceBins(values: number[], bins: number, ties: "first" | "average"): number[] {
  const n = values.length;
  const ranks = values.map((v, i) => {
    const below = values.filter((w) => w < v).length;
    const equal = values.filter((w) => w === v).length;
    const equalBefore = values.slice(0, i).filter((w) => w === v).length;
    return ties === "first" ? below + equalBefore + 1 : below + (equal + 1) / 2;
  });
  const sorted = [...ranks].sort((a, b) => a - b);
  const quantile = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < n ? sorted[lo]! + (h - lo) * (sorted[lo + 1]! - sorted[lo]!) : sorted[lo]!;
  };
  const edges = Array.from({ length: bins + 1 }, (_, j) => quantile(j / bins));
  return ranks.map((x) => {
    for (let j = 1; j <= bins; j++) if (x <= edges[j]!) return j;
    return bins;
  });
}

describe("scoreRfm: thresholds method", () => {
  it("uses right-closed fixed cut points, recency reversed", () => {
    const s = scoreRfm(
      cols([0, 30, 31, 60, 61, 179, 180, 181, 400], new Array(9).fill(1), new Array(9).fill(1)),
      {
        method: "thresholds",
        thresholds: { recency: [30, 60, 90, 180], frequency: [1, 2, 5, 10], monetary: [100, 250, 500, 1000] },
      },
    );
    expect(Array.from(s.r)).toEqual([5, 5, 4, 4, 3, 2, 2, 1, 1]);
    expect(Array.from(s.f)).toEqual(new Array(9).fill(1));
    expect(s.method).toBe("thresholds");
    expect(s.bounds.recency).toEqual([
      [181, 400],
      [179, 180],
      [61, 61],
      [31, 60],
      [0, 30],
    ]);
  });

  it("requires bins − 1 strictly ascending cuts per dimension", () => {
    const t = cols([1], [1], [1]);
    const ok = { recency: [1, 2], frequency: [1, 2], monetary: [1, 2] };
    expect(scoreRfm(t, { bins: 3, method: "thresholds", thresholds: ok }).cell).toEqual(["311"]);
    expectRecokitError(() => scoreRfm(t, { method: "thresholds" }), "INVALID_INPUT", /thresholds.recency/);
    expectRecokitError(
      () => scoreRfm(t, { bins: 3, method: "thresholds", thresholds: { ...ok, monetary: [2, 2] } }),
      "INVALID_INPUT",
      /thresholds.monetary must be strictly ascending/,
    );
    expectRecokitError(
      () => scoreRfm(t, { bins: 3, method: "thresholds", thresholds: { ...ok, frequency: [1, Number.NaN] } }),
      "INVALID_INPUT",
    );
  });
});

describe("scoreRfm: bad input", () => {
  it("names the problem", () => {
    expectRecokitError(() => scoreRfm(cols([], [], [])), "EMPTY_DATA");
    expectRecokitError(() => scoreRfm(cols([1, 2], [1], [1, 2])), "INVALID_INPUT", /table.frequency has 1/);
    expectRecokitError(
      () => scoreRfm(cols([1, Number.NaN], [1, 1], [1, 2])),
      "INVALID_INPUT",
      /row 1: recency NaN/,
    );
    expectRecokitError(() => scoreRfm(cols([1], [1], [1]), { bins: 1 }), "INVALID_INPUT", /bins/);
    expectRecokitError(() => scoreRfm(cols([1], [1], [1]), { bins: 10 }), "INVALID_INPUT", /bins/);
    expectRecokitError(() => scoreRfm(cols([1], [1], [1]), { ties: "min" as "first" }), "INVALID_INPUT");
    expectRecokitError(
      () => scoreRfm(cols([1], [1], [1]), { method: "kmeans" as "quantile" }),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => scoreRfm(cols([1], [1], [1]), { weights: { recency: Number.POSITIVE_INFINITY } }),
      "INVALID_INPUT",
    );
  });

  it("scores a single customer in the middle of nowhere without NaN", () => {
    const s = scoreRfm(cols([4], [1], [0]));
    expect([s.r[0], s.f[0], s.m[0]]).toEqual([5, 1, 1]);
    expect(Number.isFinite(s.combined[0]!)).toBe(true);
  });
});
