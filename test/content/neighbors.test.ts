import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ContentNeighborStats,
  contentNeighborLists,
  fitContentFeatures,
} from "../../src/content/index.js";
import {
  certifyPart,
  claimRows,
  drainLists,
  neighborIndptr,
  noWork,
  planNeighborSearch,
  prepareParallelSearch,
  seedPart,
  selectiveClaims,
  selectivePart,
} from "../../src/content/neighbors.js";
import { type Csr, createRandom, csrFromDense, csrFromTriplets } from "../../src/core/index.js";
import { type NeighborLists, topKSimilarity } from "../../src/similarity/index.js";
import { deepFreeze, expectRecokitError, skewedMatrix } from "../helpers.js";

/**
 * Tolerance on similarities. The bounded method computes every similarity it returns with the
 * kernel's arithmetic, so the lists are also compared element for element.
 */
const TOL = 1e-9;

/** Asserts that `actual` equals the kernel's lists: same neighbours in the same order, same similarities. */
function expectKernelLists(actual: NeighborLists, m: Csr, k: number): void {
  const expected = topKSimilarity(m, { k, metric: "cosine" });
  expect(actual.nRows).toBe(expected.nRows);
  expect(actual.k).toBe(k);
  expect(actual.metric).toBe("cosine");
  expect(Array.from(actual.indptr)).toEqual(Array.from(expected.indptr));
  expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
  for (let j = 0; j < expected.similarities.length; j++)
    expect(Math.abs(actual.similarities[j]! - expected.similarities[j]!)).toBeLessThanOrEqual(TOL);
  expect(Array.from(actual.similarities)).toEqual(Array.from(expected.similarities));
}

function withStats(m: Csr, k: number, maxDf?: number): { lists: NeighborLists; stats: ContentNeighborStats } {
  let stats: ContentNeighborStats | undefined;
  const lists = contentNeighborLists(m, {
    k,
    ...(maxDf !== undefined ? { maxDf } : {}),
    onStats: (s) => {
      stats = s;
    },
  });
  if (stats === undefined) throw new Error("onStats was not called");
  return { lists, stats };
}

describe("contentNeighborLists: exact, as the kernel", () => {
  it("equals topKSimilarity cosine on skewed random matrices; certified and rescanned rows both occur", () => {
    let certified = 0;
    let notCertified = 0;
    let bounded = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 8, max: 90 }),
        fc.integer({ min: 3, max: 40 }),
        fc.constantFrom(0.5, 0.8, 1.2),
        fc.boolean(),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0.05, 0.1, 0.2, 0.4),
        (seed, nItems, nFeatures, skew, integer, k, maxDf) => {
          const m = skewedMatrix(seed, nItems, nFeatures, skew, integer);
          const { lists, stats } = withStats(m, k, maxDf);
          expectKernelLists(lists, m, k);
          expect(stats.rows).toBe(nItems);
          expect(stats.selectiveDf).toBe(Math.floor(maxDf * nItems));
          if (stats.method === "bounded") {
            bounded++;
            expect(stats.certified + stats.extended + stats.scanned).toBe(nItems);
            certified += stats.certified;
            notCertified += stats.extended + stats.scanned;
          } else {
            expect(stats.reason).toBe("no-common");
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(bounded).toBeGreaterThan(100);
    expect(certified).toBeGreaterThan(0);
    expect(notCertified).toBeGreaterThan(0);
  });

  it("equals the kernel on binary rows, where most similarities tie", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { minLength: 0, maxLength: 5 }), {
          minLength: 2,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0.1, 0.25, 0.5),
        (features, k, maxDf) => {
          const rows: number[] = [];
          const cols: number[] = [];
          features.forEach((fs, i) => {
            for (const f of [...fs].sort((a, b) => a - b)) {
              rows.push(i);
              cols.push(f);
            }
          });
          const m = csrFromTriplets({ rows, cols }, { nRows: features.length, nCols: 12 });
          expectKernelLists(contentNeighborLists(m, { k, maxDf }), m, k);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("equals the kernel on fitted content features of a synthetic catalogue", () => {
    const random = createRandom(7);
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const items = Array.from({ length: 400 }, (_, i) => ({
      id: i,
      title: Array.from({ length: 3 }, () => words[Math.floor(random() ** 2 * words.length)]!).join(" "),
      category: ["home", "garden", "toys"][i % 3]!,
      price: 5 + Math.floor(random() * 100),
    }));
    const f = fitContentFeatures(items, {
      fields: [
        { kind: "text", name: "title", weight: 2 },
        { kind: "tags", name: "category" },
        { kind: "numeric", name: "price", bands: 4, spread: 0.3, weight: 0.5 },
      ],
    });
    const { lists, stats } = withStats(f.itemFeatures, 10, 0.05);
    expect(stats.method).toBe("bounded");
    expectKernelLists(lists, f.itemFeatures, 10);
  });
});

describe("contentNeighborLists: certificate edge cases", () => {
  // features 0 and 1 are common (every item), 2…5 rare
  const dense = [
    [1, 1, 2, 0, 0, 0],
    [1, 1, 2, 0, 0, 0],
    [1, 1, 0, 3, 0, 0],
    [1, 1, 0, 3, 0, 0],
    [1, 1, 0, 0, 1, 0],
    [1, 1, 0, 0, 0, 1],
    [1, 1, 0, 0, 0, 0],
    [1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [1, 1, 0, 0, 0, 0],
  ];

  it("an item with only common features gets its exact list by scanning them", () => {
    const m = csrFromDense(dense);
    const { lists, stats } = withStats(m, 3, 0.3);
    expect(stats.method).toBe("bounded");
    expect(stats.scanned + stats.extended).toBeGreaterThan(0);
    expectKernelLists(lists, m, 3);
    // item 6 has only the common features: items 7 and 9 are identical to it (cosine 1), then
    // items 4 and 5 (2/√6 ≈ 0.816) tie, the lower index first
    expect(Array.from(lists.indices.subarray(lists.indptr[6], lists.indptr[7]))).toEqual([7, 9, 4]);
    expect(lists.similarities[lists.indptr[6]! + 2]!).toBeCloseTo(2 / Math.sqrt(6), 12);
  });

  it("an item with no features has no neighbours and is never anyone's neighbour", () => {
    const m = csrFromDense(dense);
    const lists = contentNeighborLists(m, { k: 4, maxDf: 0.3 });
    expect(lists.indptr[9]! - lists.indptr[8]!).toBe(0);
    expect(Array.from(lists.indices)).not.toContain(8);
    expectKernelLists(lists, m, 4);
  });

  it("a row with fewer neighbours than k keeps them all", () => {
    // items 0–2 share feature 0; items 3–9 share feature 1; item 10 shares feature 2 with item 0
    const rows = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const cols = [0, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2];
    const m = csrFromTriplets({ rows, cols }, { nRows: 11, nCols: 3 });
    const { lists, stats } = withStats(m, 5, 0.35);
    expect(stats.method).toBe("bounded");
    expect(lists.indptr[1]! - lists.indptr[0]!).toBe(3);
    expect(lists.indptr[2]! - lists.indptr[1]!).toBe(2);
    expectKernelLists(lists, m, 5);
  });

  it("exact ties at the k-th place are broken by the lower index", () => {
    // item 0 has features {0, 1}; items 1…6 each share exactly one of them with equal weight
    const rows = [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const cols = [0, 1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2, 2];
    const m = csrFromTriplets({ rows, cols }, { nRows: 12, nCols: 3 });
    const { lists, stats } = withStats(m, 3, 0.3);
    expect(stats.method).toBe("bounded");
    expect(Array.from(lists.indices.subarray(lists.indptr[0], lists.indptr[1]))).toEqual([1, 2, 3]);
    for (const sim of lists.similarities.subarray(lists.indptr[0], lists.indptr[1]))
      expect(Math.abs(sim - Math.SQRT1_2)).toBeLessThanOrEqual(TOL);
    expectKernelLists(lists, m, 3);
  });

  it("certifies rows whose common part cannot reach their k-th similarity", () => {
    // one weak common feature, strong rare pairs
    const rows: number[] = [];
    const cols: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push(i, i);
      cols.push(0, 1 + (i >> 1));
      values.push(0.1, 5);
    }
    const m = csrFromTriplets({ rows, cols, values }, { nRows: 40, nCols: 21 });
    const { lists, stats } = withStats(m, 1, 0.1);
    expect(stats).toMatchObject({ method: "bounded", rows: 40, certified: 40, extended: 0, scanned: 0 });
    expectKernelLists(lists, m, 1);
  });

  it("keeps k above the number of items, Float32 weights and frozen inputs exact", () => {
    const m = skewedMatrix(3, 30, 12, 0.8, false);
    const m32: Csr = { ...m, data: Float32Array.from(m.data) };
    const frozen = deepFreeze(m32);
    const before = Array.from(m32.data);
    expectKernelLists(contentNeighborLists(frozen, { k: 50, maxDf: 0.2 }), m32, 50);
    expect(Array.from(m32.data)).toEqual(before);
  });
});

describe("contentNeighborLists: when the kernel runs, options, errors", () => {
  const m = skewedMatrix(11, 40, 15, 0.8, true);

  it("runs the kernel for maxDf 1, for tiny inputs by default, for k = 0 and for non-positive weights", () => {
    expect(withStats(m, 3, 1).stats).toMatchObject({ method: "kernel", reason: "no-common" });
    expect(withStats(m, 3).stats).toMatchObject({ method: "kernel", reason: "small" });
    expect(withStats(m, 0, 0.2).stats).toMatchObject({ method: "kernel", reason: "small" });
    expect(withStats(m, 3, 1).lists.indices.length).toBeGreaterThan(0);
    const negative: Csr = { ...m, data: m.data.map((v, j) => (j === 5 ? -v : v)) };
    const run = withStats(negative, 3, 0.2);
    expect(run.stats).toMatchObject({ method: "kernel", reason: "values" });
    expectKernelLists(run.lists, negative, 3);
    const zero: Csr = { ...m, data: m.data.map((v, j) => (j === 5 ? 0 : v)) };
    expect(withStats(zero, 3, 0.2).stats.reason).toBe("values");
  });

  it("reports progress up to the item count and stops on abort", () => {
    const calls: [number, number][] = [];
    contentNeighborLists(m, { k: 3, maxDf: 0.2, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.at(-1)).toEqual([40, 40]);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(
      () => contentNeighborLists(m, { k: 3, maxDf: 0.2, signal: controller.signal }),
      "ABORTED",
    );
  });

  it("rejects bad options and matrices", () => {
    expectRecokitError(() => contentNeighborLists(m, { k: -1 }), "INVALID_INPUT", /neighbors\.k/);
    expectRecokitError(() => contentNeighborLists(m, { k: 2, maxDf: 0 }), "INVALID_INPUT", /maxDf/);
    expectRecokitError(() => contentNeighborLists(m, { k: 2, maxDf: 1.5 }), "INVALID_INPUT", /maxDf/);
    expectRecokitError(
      () => contentNeighborLists(m, { k: 2, pool: 10 } as never),
      "INVALID_INPUT",
      /pool is not an option/,
    );
    expectRecokitError(
      () => contentNeighborLists(m, { k: 2, onStats: 3 } as never),
      "INVALID_INPUT",
      /onStats must be a function/,
    );
    expectRecokitError(
      () => contentNeighborLists({ ...m, indptr: new Int32Array(2) }, { k: 2 }),
      "INVALID_INPUT",
    );
    // 40 items × k slots over 2³¹: refused before allocating
    expectRecokitError(() => contentNeighborLists(m, { k: 2 ** 27, maxDf: 0.2 }), "TOO_LARGE", /2³¹/);
  });
});

describe("contentNeighborLists: the parts of a parallel search", () => {
  it("seeds the same thresholds range by range as in one pass, and the parts give the same lists", () => {
    const m = skewedMatrix(21, 500, 70, 0.8, false);
    const k = 6;
    const plan = planNeighborSearch("test", m, { k, maxDf: 0.05 });
    expect(plan.reason).toBeUndefined();
    const memory = (bytes: number): ArrayBuffer => new ArrayBuffer(bytes);
    const whole = prepareParallelSearch(m, plan, 1, memory);
    seedPart(whole, 0, 1, noWork());
    expect(whole.theta.some((t) => t > 0)).toBe(true);
    for (const parts of [2, 3, 7]) {
      const split = prepareParallelSearch(m, plan, parts, memory);
      for (let part = parts - 1; part >= 0; part--) seedPart(split, part, parts, noWork());
      expect(Array.from(split.theta)).toEqual(Array.from(whole.theta));
      // the other phases, one part after the other, as the workers run them
      const counts = noWork();
      const claims = (): (() => number) => {
        let next = 0;
        return () => (next += 16) - 16;
      };
      // each part alone on its own run (the others shown empty to it, so it steals nothing)
      const runs = selectiveClaims(split.input, parts, memory);
      for (let part = 0; part < parts; part++) {
        const own = new Int32Array(runs.length);
        own[1 + 2 * part] = runs[1 + 2 * part]!;
        own[2 + 2 * part] = runs[2 + 2 * part]!;
        selectivePart(split, part, own, counts);
      }
      certifyPart(split, claims(), 16, counts);
      expect(counts.certified + counts.extended + counts.scanned).toBe(m.nRows);
      const heaps = { ...split.input, ...split.heaps[0]! };
      const indptr = neighborIndptr(heaps);
      const lists = drainLists(heaps, 0, m.nRows, indptr, undefined);
      expectKernelLists(lists, m, k);
    }
  });
});

describe("contentNeighborLists: rows claimed by parallel workers", () => {
  it("hands out every row once: each worker its own run front first, then the back of the largest run left", () => {
    const m = skewedMatrix(5, 1000, 60, 0.8, false);
    const plan = planNeighborSearch("test", m, { k: 5, maxDf: 0.05 });
    const search = prepareParallelSearch(m, plan, 3, (bytes) => new ArrayBuffer(bytes));
    const claims = selectiveClaims(search.input, 3, (bytes) => new ArrayBuffer(bytes));
    // three runs covering 0..n−1 in order
    expect(claims[1]).toBe(0);
    expect(claims[2]).toBe(claims[3]);
    expect(claims[4]).toBe(claims[5]);
    expect(claims[6]).toBe(1000);
    const firstRuns = [0, 1, 2].map((p) => [claims[1 + 2 * p]!, claims[2 + 2 * p]!] as const);
    const seen = new Int32Array(1000);
    const range = new Int32Array(2);
    // worker 2 claims twice as often as the others: it runs out first and steals
    const turns = [0, 2, 2, 1, 2, 2];
    let stolen = 0;
    for (let t = 0; ; t++) {
      const part = turns[t % turns.length]!;
      const before = Array.from(claims);
      if (!claimRows(claims, part, range)) break;
      const [start, end] = [range[0]!, range[1]!];
      expect(end).toBeGreaterThan(start);
      const [own0, own1] = firstRuns[part]!;
      if (start >= own0 && end <= own1) {
        // from the front of its own run
        expect(start).toBe(before[1 + 2 * part]);
      } else {
        stolen++;
        // only once its own run is empty, from the back of the run with the most rows left
        expect(before[1 + 2 * part]).toBe(before[2 + 2 * part]);
        const left = [0, 1, 2].map((q) => before[2 + 2 * q]! - before[1 + 2 * q]!);
        const q = left.indexOf(Math.max(...left));
        expect(end).toBe(before[2 + 2 * q]);
        expect(claims[2 + 2 * q]).toBe(start);
      }
      for (let r = start; r < end; r++) seen[r]!++;
    }
    expect(Array.from(seen).every((c) => c === 1)).toBe(true);
    expect(stolen).toBeGreaterThan(0);
    expect(claims[0]).toBe(0);
  });
});
