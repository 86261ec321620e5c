import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TopKHeap, topK } from "../../src/core/index.js";
import { expectRecokitError } from "../helpers.js";

function reference(scores: number[], k: number, excluded: Set<number>): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .filter(([s, i]) => !Number.isNaN(s) && !excluded.has(i))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

describe("topK", () => {
  it("ranks by score desc, ties by index asc, skipping NaN and exclusions", () => {
    const r = topK([0.1, 0.9, Number.NaN, 0.9, 0.5], 3, { exclude: new Set([4]) });
    expect(Array.from(r.ids)).toEqual([1, 3, 0]);
    expect(Array.from(r.scores)).toEqual([0.9, 0.9, 0.1]);
  });

  it("returns fewer when fewer are rankable, and nothing for k = 0", () => {
    expect(Array.from(topK([Number.NaN, 2], 5).ids)).toEqual([1]);
    expect(topK([1, 2], 0).ids.length).toBe(0);
    expect(topK([], 3).ids.length).toBe(0);
  });

  it("ranks only candidates, each once, and accepts a boolean mask", () => {
    const r = topK([5, 4, 3, 2], 10, { candidates: [3, 1, 3], exclude: [false, true, false, false] });
    expect(Array.from(r.ids)).toEqual([3]);
    expectRecokitError(() => topK([1], 1, { candidates: [2] }), "INVALID_INPUT", /candidate 2/);
    expectRecokitError(() => topK([1], -1), "INVALID_INPUT");
  });

  it("matches a full sort (property, many ties)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(Number.NaN))),
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 30 })),
        (scores, k, ex) => {
          const excluded = new Set(ex);
          expect(Array.from(topK(scores, k, { exclude: excluded }).ids)).toEqual(
            reference(scores, k, excluded),
          );
        },
      ),
    );
  });

  it("TopKHeap is reusable after drain and clear", () => {
    const heap = new TopKHeap(2);
    const ids = new Int32Array(2);
    const scores = new Float64Array(2);
    for (const [i, s] of [
      [0, 1],
      [1, 3],
      [2, 2],
    ] as const)
      heap.push(i, s);
    expect(heap.threshold).toBe(2);
    expect(heap.drainInto(ids, scores, 0)).toBe(2);
    expect(Array.from(ids)).toEqual([1, 2]);
    expect(heap.size).toBe(0);
    heap.push(5, 1);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.threshold).toBe(Number.NEGATIVE_INFINITY);
  });
});
