import { describe, expect, it } from "vitest";
import {
  type ContentNeighborStats,
  contentNeighborLists,
  fitContent,
  similarItemsContent,
} from "../../src/content/index.js";
import { createRandom } from "../../src/core/index.js";
import { contentNeighborListsParallel } from "../../src/node/index.js";
import type { NeighborLists } from "../../src/similarity/index.js";
import { skewedMatrix } from "../helpers.js";

function expectSameLists(actual: NeighborLists, expected: NeighborLists): void {
  expect(actual.k).toBe(expected.k);
  expect(actual.metric).toBe("cosine");
  expect(Array.from(actual.indptr)).toEqual(Array.from(expected.indptr));
  expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
  // bit for bit: the parallel search computes every similarity with the same arithmetic
  expect(Array.from(actual.similarities)).toEqual(Array.from(expected.similarities));
}

describe("contentNeighborListsParallel", () => {
  it("returns exactly the single-threaded lists with 1–3 workers, certified and rescanned rows included", async () => {
    let notCertified = 0;
    const cases: [number, number, number, boolean, number, number, number][] = [
      // seed, items, features, integer weights, k, maxDf, workers
      [1, 600, 60, false, 10, 0.05, 2],
      [2, 450, 40, true, 5, 0.1, 3],
      [3, 800, 120, false, 20, 0.03, 2],
      [4, 300, 25, true, 8, 0.2, 1],
      [5, 700, 90, false, 3, 0.05, 3],
    ];
    for (const [seed, nItems, nFeatures, integer, k, maxDf, workers] of cases) {
      const m = skewedMatrix(seed, nItems, nFeatures, 0.8, integer);
      let single: ContentNeighborStats | undefined;
      let parallel: ContentNeighborStats | undefined;
      const expected = contentNeighborLists(m, { k, maxDf, onStats: (s) => (single = s) });
      const actual = await contentNeighborListsParallel(m, {
        k,
        maxDf,
        workers,
        onStats: (s) => (parallel = s),
      });
      expectSameLists(actual, expected);
      expect(single?.method).toBe("bounded");
      expect(parallel?.method).toBe("bounded");
      expect(parallel!.certified + parallel!.extended + parallel!.scanned).toBe(nItems);
      // the same seeds: at least as many exact similarities as the seeds alone
      expect(parallel!.candidates).toBeGreaterThan(0);
      notCertified += parallel!.extended + parallel!.scanned;
    }
    expect(notCertified).toBeGreaterThan(0);
  }, 120_000);

  it("runs the parallel kernel when the plan is the kernel, with its stats", async () => {
    const m = skewedMatrix(9, 200, 30, 0.8, true);
    let stats: ContentNeighborStats | undefined;
    const actual = await contentNeighborListsParallel(m, {
      k: 6,
      maxDf: 1,
      workers: 2,
      onStats: (s) => (stats = s),
    });
    expectSameLists(actual, contentNeighborLists(m, { k: 6, maxDf: 1 }));
    expect(stats).toMatchObject({ method: "kernel", reason: "no-common" });
  }, 60_000);

  it("reports progress up to the item count, honours an aborted signal and checks its options", async () => {
    const m = skewedMatrix(11, 400, 50, 0.8, false);
    let last = 0;
    await contentNeighborListsParallel(m, {
      k: 5,
      maxDf: 0.05,
      workers: 2,
      onProgress: (done) => (last = done),
    });
    expect(last).toBe(400);
    const c = new AbortController();
    c.abort();
    await expect(
      contentNeighborListsParallel(m, { k: 5, maxDf: 0.05, signal: c.signal }),
    ).rejects.toMatchObject({
      code: "ABORTED",
    });
    for (const bad of [{ k: 5, workers: 0 }, { k: 5, workers: 1.5 }, { k: -1 }]) {
      await expect(contentNeighborListsParallel(m, bad)).rejects.toMatchObject({ code: "INVALID_INPUT" });
    }
  }, 60_000);

  it("gives a model fitted without lists the lists fitContent would compute", async () => {
    const random = createRandom(5);
    const words = ["red", "blue", "boot", "shoe", "bag", "wool", "silk", "run", "walk", "kid"];
    const products = Array.from({ length: 300 }, (_, i) => ({
      id: `sku-${i}`,
      title: Array.from({ length: 3 }, () => words[Math.floor(random() ** 2 * words.length)]!).join(" "),
      brand: `b${i % 7}`,
    }));
    const fields = [
      { kind: "text" as const, name: "title" },
      { kind: "tags" as const, name: "brand" },
    ];
    const fitted = fitContent(products, { fields, neighbors: 10 });
    const bare = fitContent(products, { fields, neighbors: 0 });
    expect(bare.neighbors).toBeUndefined();
    const model = {
      ...bare,
      neighbors: await contentNeighborListsParallel(bare.itemFeatures, { k: 10, workers: 2 }),
    };
    expectSameLists(model.neighbors, fitted.neighbors!);
    for (const id of ["sku-0", "sku-42", "sku-299"]) {
      expect(similarItemsContent(model, id, { k: 5 })).toEqual(similarItemsContent(fitted, id, { k: 5 }));
    }
  }, 60_000);

  it("stops a run in progress when the signal fires, with a typed error", async () => {
    const m = skewedMatrix(13, 6000, 80, 0.8, false);
    const c = new AbortController();
    let calls = 0;
    await expect(
      contentNeighborListsParallel(m, {
        k: 10,
        maxDf: 0.05,
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
