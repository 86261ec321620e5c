import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csrFromTriplets, transpose } from "../../src/core/index.js";
import { syntheticInteractions } from "../../src/datasets/index.js";
import { topKSimilarityParallel } from "../../src/node/index.js";
import { SIMILARITY_METRICS, topKSimilarity } from "../../src/similarity/index.js";

describe("topKSimilarityParallel", () => {
  const data = syntheticInteractions({ seed: 3, users: 400, items: 150, interactions: 6000 });
  const m = transpose(
    csrFromTriplets(
      { rows: data.users, cols: data.items, values: data.values },
      { nRows: data.nUsers, nCols: data.nItems },
    ),
  );

  it("returns exactly the single-threaded result for every metric", async () => {
    for (const metric of SIMILARITY_METRICS) {
      const single = topKSimilarity(m, { k: 12, metric, shrinkage: 3 });
      const parallel = await topKSimilarityParallel(m, { k: 12, metric, shrinkage: 3, workers: 3 });
      expect(Array.from(parallel.indptr)).toEqual(Array.from(single.indptr));
      expect(Array.from(parallel.indices)).toEqual(Array.from(single.indices));
      expect(Array.from(parallel.similarities)).toEqual(Array.from(single.similarities));
    }
  }, 60_000);

  it("matches on random small matrices with 1–4 workers (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(9), fc.nat(6), fc.integer({ min: 1, max: 5 })), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (entries, workers) => {
          const mm = csrFromTriplets(
            {
              rows: entries.map((e) => e[0]),
              cols: entries.map((e) => e[1]),
              values: entries.map((e) => e[2]),
            },
            { nRows: 10, nCols: 7, duplicates: "last" },
          );
          const a = topKSimilarity(mm, { k: 4, metric: "pearson" });
          const b = await topKSimilarityParallel(mm, { k: 4, metric: "pearson", workers });
          expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
          expect(Array.from(b.similarities)).toEqual(Array.from(a.similarities));
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it("reports progress and honours an aborted signal", async () => {
    let last = 0;
    await topKSimilarityParallel(m, { k: 5, workers: 2, onProgress: (done) => (last = done) });
    expect(last).toBe(m.nRows);
    const c = new AbortController();
    c.abort();
    await expect(topKSimilarityParallel(m, { k: 5, signal: c.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
  }, 60_000);

  it("stops a run in progress when the signal fires, with a typed error", async () => {
    const big = syntheticInteractions({ seed: 4, users: 3000, items: 2000, interactions: 60_000 });
    const items = transpose(
      csrFromTriplets({ rows: big.users, cols: big.items }, { nRows: big.nUsers, nCols: big.nItems }),
    );
    const c = new AbortController();
    let calls = 0;
    await expect(
      topKSimilarityParallel(items, {
        k: 10,
        workers: 2,
        signal: c.signal,
        onProgress: () => {
          calls++;
          c.abort();
        },
      }),
    ).rejects.toMatchObject({ code: "ABORTED" });
    expect(calls).toBeGreaterThan(0);
  }, 60_000);
});
