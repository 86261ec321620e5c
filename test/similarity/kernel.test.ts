import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Csr,
  csrFromDense,
  csrFromTriplets,
  decodePayload,
  encodePayload,
  transpose,
} from "../../src/core/index.js";
import {
  assertNeighborLists,
  type NeighborLists,
  neighborsOf,
  SIMILARITY_METRICS,
  type SimilarityMetric,
  topKSimilarity,
} from "../../src/similarity/index.js";
import {
  fillInputColumns,
  fillInputRows,
  planSimilarityInput,
  prepareSimilarityInput,
} from "../../src/similarity/kernel.js";
import { expectRecokitError } from "../helpers.js";
import { bruteForceNeighbors } from "./reference.js";

const TOL = 1e-9;

function lists(result: NeighborLists): [number, number][][] {
  return Array.from({ length: result.nRows }, (_, r) => {
    const nb = neighborsOf(result, r);
    return Array.from(nb.indices, (s, j) => [s, nb.similarities[j]!] as [number, number]);
  });
}

function expectSameLists(actual: [number, number][][], expected: [number, number][][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, r) => {
    const exp = expected[r]!;
    // similarities within tolerance; neighbour order identical except inside near-ties
    expect(row.map((p) => p[1]).length, `row ${r} length`).toBe(exp.length);
    row.forEach(([s, sim], j) => {
      expect(Math.abs(sim - exp[j]![1]), `row ${r} pos ${j}`).toBeLessThanOrEqual(TOL);
      if (
        j + 1 < row.length &&
        Math.abs(exp[j]![1] - exp[j + 1]![1]) > TOL &&
        (j === 0 || Math.abs(exp[j - 1]![1] - exp[j]![1]) > TOL)
      ) {
        expect(s, `row ${r} pos ${j}`).toBe(exp[j]![0]);
      }
    });
    expect([...row.map((p) => p[0])].sort()).toEqual([...exp.map((p) => p[0])].sort());
  });
}

/** Small integer ratings: exact ties are common, so tie order is tested too. */
const sparseMatrix = fc
  .record({ nRows: fc.integer({ min: 1, max: 9 }), nCols: fc.integer({ min: 1, max: 7 }) })
  .chain(({ nRows, nCols }) =>
    fc
      .array(
        fc.tuple(
          fc.integer({ min: 0, max: nRows - 1 }),
          fc.integer({ min: 0, max: nCols - 1 }),
          fc.integer({ min: 1, max: 5 }),
        ),
        {
          maxLength: nRows * nCols,
        },
      )
      .map((entries) =>
        csrFromTriplets(
          {
            rows: entries.map((e) => e[0]),
            cols: entries.map((e) => e[1]),
            values: entries.map((e) => e[2]),
          },
          { nRows, nCols, duplicates: "last" },
        ),
      ),
  );

describe("topKSimilarity against a brute-force dense reference (property)", () => {
  for (const metric of SIMILARITY_METRICS) {
    it(`${metric}: every similarity within 1e-9 and identical neighbour lists`, () => {
      fc.assert(
        fc.property(
          sparseMatrix,
          fc.integer({ min: 0, max: 10 }),
          fc.constantFrom(0, 2.5),
          fc.constantFrom(1, 2),
          fc.boolean(),
          (m, k, shrinkage, minSupport, includeSelf) => {
            const result = topKSimilarity(m, { k, metric, shrinkage, minSupport, includeSelf });
            assertNeighborLists("test", result);
            expectSameLists(
              lists(result),
              bruteForceNeighbors(m, { k, metric, shrinkage, minSupport, includeSelf }),
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it("larger, sparser matrices (rows touching few others) match the reference for every metric", () => {
    const wide = fc
      .array(
        fc.tuple(
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 39 }),
          fc.double({ min: 0.1, max: 5, noNaN: true }),
        ),
        { minLength: 1, maxLength: 120 },
      )
      .map((entries) =>
        csrFromTriplets(
          {
            rows: entries.map((e) => e[0]),
            cols: entries.map((e) => e[1]),
            values: entries.map((e) => e[2]),
          },
          { nRows: 60, nCols: 40, duplicates: "last" },
        ),
      );
    for (const metric of SIMILARITY_METRICS) {
      fc.assert(
        fc.property(wide, fc.integer({ min: 1, max: 6 }), (m, k) => {
          expectSameLists(lists(topKSimilarity(m, { k, metric })), bruteForceNeighbors(m, { k, metric }));
        }),
        { numRuns: 25 },
      );
    }
  });

  it("values so small that their products underflow still give each neighbour once", () => {
    const tiny = csrFromDense([
      [1e-170, 1e-170, 0],
      [1e-170, 1e-170, 0],
      [0, 1e-170, 1e-170],
    ]);
    for (const metric of ["cosine", "dot"] as const) {
      const result = topKSimilarity(tiny, { k: 5, metric });
      for (let r = 0; r < 3; r++) {
        const ids = Array.from(neighborsOf(result, r).indices);
        expect(new Set(ids).size, `${metric} row ${r}`).toBe(ids.length);
      }
      expect(Array.from(neighborsOf(result, 0).indices).sort()).toEqual([1, 2]);
    }
  });

  it("with exact ties, neighbours are ordered by index (binary data, jaccard and dot)", () => {
    fc.assert(
      fc.property(
        sparseMatrix,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<SimilarityMetric>("jaccard", "dot", "inclusion"),
        (m, k, metric) => {
          const binary = { ...m, data: new Float64Array(m.data.length).fill(1) };
          const got = lists(topKSimilarity(binary, { k, metric }));
          const exp = bruteForceNeighbors(binary, { k, metric });
          expect(got.map((row) => row.map((p) => p[0]))).toEqual(exp.map((row) => row.map((p) => p[0])));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps the exact top-k when many candidates compete for few slots (ties broken by index)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(59), fc.nat(7)), { minLength: 50, maxLength: 300 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom<SimilarityMetric>("cosine", "jaccard", "dot"),
        (entries, k, metric) => {
          const m = csrFromTriplets(
            { rows: entries.map((e) => e[0]), cols: entries.map((e) => e[1]) },
            { nRows: 60, nCols: 8, duplicates: "max" },
          );
          const got = lists(topKSimilarity(m, { k, metric }));
          const exp = bruteForceNeighbors(m, { k, metric });
          expect(got.map((row) => row.map((p) => p[0]))).toEqual(exp.map((row) => row.map((p) => p[0])));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("honours per-row exclusions and minSimilarity", () => {
    fc.assert(
      fc.property(sparseMatrix, fc.array(fc.tuple(fc.nat(8), fc.nat(8))), (m, pairs) => {
        const valid = pairs.filter(([a, b]) => a < m.nRows && b < m.nRows);
        const exclude = csrFromTriplets(
          { rows: valid.map((p) => p[0]), cols: valid.map((p) => p[1]) },
          { nRows: m.nRows, nCols: m.nRows },
        );
        const got = topKSimilarity(m, { k: 5, metric: "cosine", exclude, minSimilarity: 0.5 });
        const exp = bruteForceNeighbors(m, {
          k: 5,
          metric: "cosine",
          minSimilarity: 0.5,
          exclude: new Set(valid.map(([a, b]) => `${a},${b}`)),
        });
        expectSameLists(lists(got), exp);
      }),
      { numRuns: 150 },
    );
  });
});

describe("metrics on hand-computed fixtures", () => {
  // rows: a = [5, 3, 0, 1], b = [4, 0, 0, 1], c = [0, 0, 4, 0] (no overlap with a, b), d = [3, 3, 3, 0] (constant)
  const m = csrFromDense([
    [5, 3, 0, 1],
    [4, 0, 0, 1],
    [0, 0, 4, 0],
    [3, 3, 3, 0],
  ]);
  const sim = (
    metric: SimilarityMetric,
    r: number,
    s: number,
    extra: { shrinkage?: number } = {},
  ): number | undefined => {
    const nb = neighborsOf(topKSimilarity(m, { k: 3, metric, ...extra }), r);
    const j = Array.from(nb.indices).indexOf(s);
    return j < 0 ? undefined : nb.similarities[j];
  };

  it("cosine, dot, jaccard, lift, inclusion, conditional", () => {
    expect(sim("cosine", 0, 1)).toBeCloseTo(21 / (Math.sqrt(35) * Math.sqrt(17)), 12);
    expect(sim("dot", 0, 1)).toBe(21);
    expect(sim("jaccard", 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(sim("lift", 0, 1)).toBeCloseTo(2 / 6, 12);
    expect(sim("inclusion", 0, 1)).toBeCloseTo(1, 12);
    expect(sim("conditional", 0, 1)).toBeCloseTo(2 / 3, 12);
    expect(sim("conditional", 1, 0)).toBeCloseTo(1, 12);
    expect(sim("cosine", 0, 3)).toBeCloseTo(24 / (Math.sqrt(35) * Math.sqrt(27)), 12);
  });

  it("msd over co-rated columns, as Surprise defines it", () => {
    // a, b co-rate columns 0 and 3: ((5-4)² + (1-1)²)/2 = 0.5
    expect(sim("msd", 0, 1)).toBeCloseTo(1 / 1.5, 12);
    // a, d co-rate columns 0, 1: ((5-3)² + (3-3)²)/2 = 2
    expect(sim("msd", 0, 3)).toBeCloseTo(1 / 3, 12);
  });

  it("pearson over co-rated values; a constant side gives 0", () => {
    // a, b on columns 0, 3: x = [5, 1], y = [4, 1] → perfectly correlated
    expect(sim("pearson", 0, 1)).toBeCloseTo(1, 12);
    // d is constant on its co-rated columns with a → 0
    expect(sim("pearson", 0, 3)).toBe(0);
  });

  it("adjusted cosine centres columns by their stored mean", () => {
    // column means: c0 = 4, c1 = 3, c2 = 3.5, c3 = 1
    // centred a = [1, 0, 0, 0], b = [0, 0, 0, 0] → cosine 0 (zero norm); a·d: d = [-1, 0, -0.5, 0]
    expect(sim("adjustedCosine", 0, 1)).toBe(0);
    expect(sim("adjustedCosine", 0, 3)).toBeCloseTo(-1 / Math.sqrt(1.25), 12);
  });

  it("rows with no overlap are never neighbours; an all-zero row has none", () => {
    for (const metric of SIMILARITY_METRICS) {
      expect(sim(metric, 0, 2)).toBeUndefined();
      expect(sim(metric, 2, 0)).toBeUndefined();
    }
    const withEmpty = csrFromTriplets({ rows: [0, 1], cols: [0, 0] }, { nRows: 3, nCols: 1 });
    const result = topKSimilarity(withEmpty, { k: 5 });
    expect(neighborsOf(result, 2).indices.length).toBe(0);
    expect(Array.from(neighborsOf(result, 0).indices)).toEqual([1]);
  });

  it("shrinkage multiplies by n/(n+λ)", () => {
    expect(sim("cosine", 0, 1, { shrinkage: 2 })).toBeCloseTo(
      (21 / (Math.sqrt(35) * Math.sqrt(17))) * (2 / 4),
      12,
    );
  });
});

describe("shapes, options and errors", () => {
  it("handles 0 rows, 1 row, k = 0 and k larger than the number of rows", () => {
    const empty = topKSimilarity(csrFromTriplets({ rows: [], cols: [] }), { k: 3 });
    expect(empty.nRows).toBe(0);
    const one = topKSimilarity(csrFromDense([[1, 2]]), { k: 3 });
    expect(neighborsOf(one, 0).indices.length).toBe(0);
    expect(topKSimilarity(csrFromDense([[1], [1]]), { k: 0 }).indices.length).toBe(0);
    const big = topKSimilarity(csrFromDense([[1], [1], [1]]), { k: 99 });
    expect(Array.from(neighborsOf(big, 1).indices)).toEqual([0, 2]);
  });

  it("item–item on a transposed user × item matrix", () => {
    const usersItems = csrFromDense([
      [1, 1, 0],
      [1, 1, 1],
    ]);
    const r = topKSimilarity(transpose(usersItems), { k: 2, metric: "cosine" });
    expect(Array.from(neighborsOf(r, 0).indices)).toEqual([1, 2]);
    expect(neighborsOf(r, 0).similarities[1]).toBeCloseTo(1 / Math.SQRT2, 12);
  });

  it("reports progress and aborts", () => {
    const m = csrFromDense(Array.from({ length: 300 }, (_, i) => [1, i % 3, 1]));
    const seen: number[] = [];
    topKSimilarity(m, { k: 2, onProgress: (done, total) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(() => topKSimilarity(m, { k: 2, signal: controller.signal }), "ABORTED");
  });

  it("rejects bad options and malformed matrices", () => {
    const m = csrFromDense([[1]]);
    expectRecokitError(() => topKSimilarity(m, { k: -1 }), "INVALID_INPUT", /k must be/);
    expectRecokitError(
      () => topKSimilarity(m, { k: 1, metric: "euclid" as SimilarityMetric }),
      "INVALID_INPUT",
      /unknown metric/,
    );
    expectRecokitError(() => topKSimilarity(m, { k: 1, shrinkage: -1 }), "INVALID_INPUT", /shrinkage/);
    expectRecokitError(() => topKSimilarity(m, { k: 1, minSupport: 0 }), "INVALID_INPUT", /minSupport/);
    expectRecokitError(
      () => topKSimilarity({ ...m, indptr: new Int32Array(5) } as Csr, { k: 1 }),
      "INVALID_INPUT",
      /matrix/,
    );
    expectRecokitError(
      () => topKSimilarity(m, { k: 1, exclude: csrFromDense([[1, 1]]) }),
      "INVALID_INPUT",
      /exclude must be 1 × 1/,
    );
  });

  it("neighbour lists serialise and load back identically", () => {
    const lists = topKSimilarity(
      csrFromDense([
        [1, 2, 0],
        [0, 1, 1],
        [3, 0, 1],
      ]),
      { k: 2, metric: "pearson" },
    );
    const back = decodePayload(encodePayload("neighbors", lists), "neighbors").body as NeighborLists;
    assertNeighborLists("test", back);
    expect(back).toEqual(lists);
  });

  it("never mutates its input", () => {
    const m = csrFromDense([
      [1, 2],
      [3, 0],
    ]);
    const before = Array.from(m.data);
    topKSimilarity(m, { k: 1, metric: "adjustedCosine" });
    topKSimilarity(m, { k: 1, metric: "pearson" });
    expect(Array.from(m.data)).toEqual(before);
  });
});

describe("input prepared by parts (what the workers of topKSimilarityParallel do)", () => {
  it("equals the single-threaded input array for array, for any number of parts", () => {
    const ratings = csrFromTriplets(
      {
        rows: [0, 0, 1, 2, 2, 2, 3, 4, 4, 5],
        cols: [0, 3, 1, 0, 1, 2, 3, 2, 4, 4],
        values: [5, 3, 4, 1, 2, 5, 4, 3, 2, 1],
      },
      { nRows: 6, nCols: 5 },
    );
    // 0.1 has no exact Float32: those values stay Float64
    const weights = csrFromTriplets({ rows: [0, 1, 1, 2], cols: [1, 0, 1, 1], values: [0.1, 0.7, 0.2, 3] });
    const cases: [Csr, SimilarityMetric][] = [
      [ratings, "cosine"],
      [ratings, "adjustedCosine"],
      [weights, "pearson"],
    ];
    for (const [m, metric] of cases) {
      const single = prepareSimilarityInput(m, metric, 2);
      for (let parts = 1; parts <= 4; parts++) {
        const plan = planSimilarityInput(m, metric, 2, (bytes) => new SharedArrayBuffer(bytes));
        for (let part = 0; part < parts; part++) fillInputRows(plan, part, parts);
        for (let part = 0; part < parts; part++) fillInputColumns(plan, part, parts);
        const got = plan.input;
        expect(got.productsPositive).toBe(single.productsPositive);
        expect(got.rows.data.constructor).toBe(single.rows.data.constructor);
        for (const [a, b] of [
          [got.order, single.order],
          [got.rows.indptr, single.rows.indptr],
          [got.rows.indices, single.rows.indices],
          [got.rows.data, single.rows.data],
          [got.cols.indptr, single.cols.indptr],
          [got.cols.indices, single.cols.indices],
          [got.cols.data, single.cols.data],
          [got.positions, single.positions],
          [got.norms, single.norms],
          [got.counts, single.counts],
        ] as const) {
          expect(Array.from(a)).toEqual(Array.from(b));
        }
      }
    }
  });
});
