import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coverage,
  hitRate,
  intraListDiversity,
  itemPopularity,
  mae,
  mapAtK,
  mrr,
  ndcgAtK,
  novelty,
  popularityBias,
  precisionAtK,
  recallAtK,
  rmse,
} from "../../src/eval/index.js";
import { IdIndex } from "../../src/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const TOL = 1e-12;
const L2_3 = Math.log2(3);

describe("rmse and mae", () => {
  it("match hand-computed values", () => {
    // errors 0, 2, 1
    expect(rmse([3, 4, 5], [3, 2, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(mae([3, 4, 5], [3, 2, 4])).toBeCloseTo(1, 12);
    // errors −1.5, 0.5: rmse √((2.25 + 0.25)/2) = √1.25
    expect(rmse(Float64Array.of(1, 4.5), [2.5, 4])).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(mae(Float64Array.of(1, 4.5), [2.5, 4])).toBeCloseTo(1, 12);
    expect(rmse([2], [2])).toBe(0);
  });

  it("rmse ≥ mae always (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -10, max: 10, noNaN: true }),
            fc.double({ min: -10, max: 10, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (pairs) => {
          const p = pairs.map((x) => x[0]);
          const a = pairs.map((x) => x[1]);
          expect(rmse(p, a)).toBeGreaterThanOrEqual(mae(p, a) - 1e-9);
        },
      ),
    );
  });

  it("reject empty, unequal or non-finite input", () => {
    expectRecokitError(() => rmse([], []), "EMPTY_DATA");
    expectRecokitError(() => mae([1, 2], [1]), "INVALID_INPUT", /differ in length/);
    expectRecokitError(() => rmse([1, Number.NaN], [1, 2]), "INVALID_INPUT", /^rmse: predicted\[1\]: NaN/);
    expectRecokitError(() => mae([1, 2], [1, Number.POSITIVE_INFINITY]), "INVALID_INPUT", /actual\[1\]/);
  });
});

describe("precisionAtK / recallAtK", () => {
  const recs = deepFreeze(["a", "b", "c", "d"]);
  const rel = new Set(["b", "d", "z"]);

  it("count hits in the top k", () => {
    expect(precisionAtK(recs, rel, 4)).toBeCloseTo(0.5, 12);
    expect(precisionAtK(recs, rel, 2)).toBeCloseTo(0.5, 12);
    expect(precisionAtK(recs, rel, 1)).toBe(0);
    expect(recallAtK(recs, rel, 4)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(recs, rel, 2)).toBeCloseTo(1 / 3, 12);
  });

  it("k larger than the list: precision divides by k, or by the list with denominator 'list'", () => {
    expect(precisionAtK(["a", "b"], new Set(["b"]), 5)).toBeCloseTo(1 / 5, 12);
    expect(precisionAtK(["a", "b"], new Set(["b"]), 5, { denominator: "list" })).toBeCloseTo(1 / 2, 12);
    expect(precisionAtK([], new Set(["b"]), 5, { denominator: "list" })).toBe(0);
    expect(recallAtK(["a", "b"], new Set(["b"]), 5)).toBe(1);
  });

  it("recall's capped denominator min(k, |R|)", () => {
    const many = new Set(["b", "d", "e", "f"]);
    expect(recallAtK(["a", "b", "c"], many, 3)).toBeCloseTo(1 / 4, 12);
    expect(recallAtK(["a", "b", "c"], many, 3, { denominator: "min-k-relevant" })).toBeCloseTo(1 / 3, 12);
  });

  it("a user with no relevant item scores 0, not NaN", () => {
    const none = new Set<string>();
    for (const f of [precisionAtK, recallAtK, ndcgAtK, mapAtK, mrr, hitRate])
      expect(f(recs, none, 3)).toBe(0);
    expect(recallAtK(recs, none, 3, { denominator: "min-k-relevant" })).toBe(0);
    expect(mapAtK(recs, none, 3, { denominator: "hits" })).toBe(0);
  });

  it("a repeated item counts once", () => {
    expect(precisionAtK(["b", "b", "c"], new Set(["b"]), 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(["b", "b"], new Set(["b", "c"]), 2)).toBeCloseTo(1 / 2, 12);
    expect(ndcgAtK(["b", "b"], new Set(["b", "c"]), 2)).toBeCloseTo(1 / (1 + 1 / L2_3), 12);
  });

  it("graded relevance: grade 0 is not relevant", () => {
    const graded = new Map([
      ["a", 0],
      ["b", 2],
    ]);
    expect(precisionAtK(["a", "b"], graded, 2)).toBeCloseTo(0.5, 12);
    expect(recallAtK(["a", "b"], graded, 2)).toBe(1);
  });

  it("works on typed arrays of dense indices", () => {
    expect(precisionAtK(Int32Array.of(4, 7, 1), new Set([7, 9]), 3)).toBeCloseTo(1 / 3, 12);
  });

  it("rejects bad k, lists, grades and options", () => {
    expectRecokitError(
      () => precisionAtK(recs, rel, 0),
      "INVALID_INPUT",
      /^precisionAtK: k must be an integer/,
    );
    expectRecokitError(() => recallAtK(recs, rel, 1.5), "INVALID_INPUT", /k/);
    expectRecokitError(
      () => precisionAtK(null as unknown as string[], rel, 1),
      "INVALID_INPUT",
      /recommended/,
    );
    expectRecokitError(() => ndcgAtK(recs, new Map([["a", -1]]), 2), "INVALID_INPUT", /grade of item "a"/);
    expectRecokitError(() => mapAtK(recs, new Map([["a", Number.NaN]]), 2), "INVALID_INPUT", /grade/);
    expectRecokitError(() => recallAtK(recs, [] as unknown as Set<string>, 2), "INVALID_INPUT", /Set/);
    expectRecokitError(
      () => precisionAtK(recs, rel, 2, { denominator: "n" as "k" }),
      "INVALID_INPUT",
      /denominator must be one of/,
    );
    expectRecokitError(
      () => mapAtK(recs, rel, 2, { denominator: "k" as "hits" }),
      "INVALID_INPUT",
      /denominator/,
    );
    expectRecokitError(() => ndcgAtK(recs, rel, 2, { gain: "log" as "linear" }), "INVALID_INPUT", /gain/);
    expectRecokitError(
      () => ndcgAtK(recs, rel, 2, { ideal: "best" as "relevant" }),
      "INVALID_INPUT",
      /ideal/,
    );
  });
});

describe("ndcgAtK", () => {
  it("binary relevance", () => {
    // hit at rank 2: DCG = 1/log₂3, IDCG = 1
    expect(ndcgAtK(["a", "b", "c"], new Set(["b"]), 3)).toBeCloseTo(1 / L2_3, 12);
    // hits at ranks 1 and 3: DCG = 1 + 1/2; IDCG = 1 + 1/log₂3
    expect(ndcgAtK(["a", "b", "c"], new Set(["a", "c"]), 3)).toBeCloseTo(1.5 / (1 + 1 / L2_3), 12);
    // k larger than the list: DCG = 1; the ideal still ranks both relevant items
    expect(ndcgAtK(["a"], new Set(["a", "b"]), 5)).toBeCloseTo(1 / (1 + 1 / L2_3), 12);
    // ideal is cut at k: 5 relevant, k = 2, both top-2 relevant → 1
    expect(ndcgAtK(["a", "b"], new Set(["a", "b", "c", "d", "e"]), 2)).toBeCloseTo(1, 12);
  });

  it("graded relevance, linear and exponential gains", () => {
    const grades = new Map([
      ["x", 3],
      ["z", 1],
      ["w", 2],
    ]);
    const list = ["x", "y", "z"];
    const idealLinear = 3 + 2 / L2_3 + 1 / 2;
    expect(ndcgAtK(list, grades, 3)).toBeCloseTo((3 + 1 / 2) / idealLinear, 12);
    const idealExp = 7 + 3 / L2_3 + 1 / 2;
    expect(ndcgAtK(list, grades, 3, { gain: "exponential" })).toBeCloseTo((7 + 1 / 2) / idealExp, 12);
    // binary ignores the grades: hits at 1 and 3 of 3 relevant
    expect(ndcgAtK(list, grades, 3, { gain: "binary" })).toBeCloseTo(1.5 / (1 + 1 / L2_3 + 1 / 2), 12);
    // ideal "retrieved": the list's own grades re-sorted [3, 1, 0]
    expect(ndcgAtK(list, grades, 3, { ideal: "retrieved" })).toBeCloseTo(3.5 / (3 + 1 / L2_3), 12);
  });

  it("ties in grade: either order of equally graded items is ideal", () => {
    const grades = new Map([
      ["a", 2],
      ["b", 2],
      ["c", 1],
    ]);
    expect(ndcgAtK(["a", "b", "c"], grades, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(["b", "a", "c"], grades, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(["c", "a", "b"], grades, 3)).toBeLessThan(1);
  });
});

describe("mapAtK, mrr, hitRate", () => {
  const recs = ["a", "b", "c", "d"];
  const rel = new Set(["a", "c", "x", "y", "z"]);

  it("average precision under each denominator", () => {
    const sum = 1 / 1 + 2 / 3; // hits at ranks 1 and 3
    expect(mapAtK(recs, rel, 4)).toBeCloseTo(sum / 4, 12);
    expect(mapAtK(recs, rel, 4, { denominator: "relevant" })).toBeCloseTo(sum / 5, 12);
    expect(mapAtK(recs, rel, 4, { denominator: "hits" })).toBeCloseTo(sum / 2, 12);
    // two relevant, k = 4: min(k, |R|) = 2
    expect(mapAtK(["q", "a", "c"], new Set(["a", "c"]), 4)).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    // k larger than the list and one hit at rank 2 of a 2-item list
    expect(mapAtK(["q", "a"], new Set(["a"]), 10)).toBeCloseTo(1 / 2, 12);
  });

  it("reciprocal rank and hit within the top k", () => {
    expect(mrr(["a", "b", "c"], new Set(["c", "b"]), 3)).toBeCloseTo(0.5, 12);
    expect(mrr(["a", "b", "c"], new Set(["c"]), 2)).toBe(0);
    expect(mrr(["a", "b", "c"], new Set(["c"]), 3)).toBeCloseTo(1 / 3, 12);
    expect(hitRate(["a", "b", "c"], new Set(["c"]), 3)).toBe(1);
    expect(hitRate(["a", "b", "c"], new Set(["c"]), 2)).toBe(0);
  });
});

describe("ranking metric invariants (property)", () => {
  const items = fc.integer({ min: 0, max: 15 });
  const input = fc.record({
    recs: fc.uniqueArray(items, { maxLength: 12 }),
    rel: fc.uniqueArray(items, { maxLength: 10 }),
    k: fc.integer({ min: 1, max: 14 }),
  });

  it("every metric is in [0, 1]; precision·k = recall·|R|; mrr ≤ hit; ideal 'retrieved' ≥ 'relevant'", () => {
    fc.assert(
      fc.property(input, ({ recs, rel, k }) => {
        const r = new Set(rel);
        const values = [
          precisionAtK(recs, r, k),
          precisionAtK(recs, r, k, { denominator: "list" }),
          recallAtK(recs, r, k),
          recallAtK(recs, r, k, { denominator: "min-k-relevant" }),
          ndcgAtK(recs, r, k),
          ndcgAtK(recs, r, k, { ideal: "retrieved" }),
          mapAtK(recs, r, k),
          mapAtK(recs, r, k, { denominator: "relevant" }),
          mapAtK(recs, r, k, { denominator: "hits" }),
          mrr(recs, r, k),
          hitRate(recs, r, k),
        ];
        for (const v of values) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
        if (r.size > 0) expect(precisionAtK(recs, r, k) * k).toBeCloseTo(recallAtK(recs, r, k) * r.size, 9);
        expect(mrr(recs, r, k)).toBeLessThanOrEqual(hitRate(recs, r, k));
        expect(ndcgAtK(recs, r, k, { ideal: "retrieved" })).toBeGreaterThanOrEqual(
          ndcgAtK(recs, r, k) - 1e-12,
        );
        expect(mapAtK(recs, r, k, { denominator: "relevant" })).toBeLessThanOrEqual(
          mapAtK(recs, r, k) + 1e-12,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("a perfect list scores NDCG 1, AP 1 (min-k-relevant) and P@k = min(k, |R|)/k", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(items, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 12 }),
        (rel, k) => {
          const r = new Set(rel);
          expect(ndcgAtK(rel, r, k)).toBeCloseTo(1, 12);
          expect(mapAtK(rel, r, k)).toBeCloseTo(1, 12);
          expect(precisionAtK(rel, r, k)).toBeCloseTo(Math.min(k, rel.length) / k, 12);
          expect(mrr(rel, r, k)).toBe(1);
        },
      ),
    );
  });

  it("moving a relevant item up never lowers NDCG, AP or RR", () => {
    fc.assert(
      fc.property(input, fc.nat(), ({ recs, rel, k }, at) => {
        if (recs.length < 2) return;
        const r = new Set(rel);
        const i = 1 + (at % (recs.length - 1));
        if (!r.has(recs[i]!) || r.has(recs[i - 1]!)) return;
        const swapped = recs.slice();
        [swapped[i - 1], swapped[i]] = [swapped[i]!, swapped[i - 1]!];
        expect(ndcgAtK(swapped, r, k)).toBeGreaterThanOrEqual(ndcgAtK(recs, r, k) - TOL);
        expect(mapAtK(swapped, r, k)).toBeGreaterThanOrEqual(mapAtK(recs, r, k) - TOL);
        expect(mrr(swapped, r, k)).toBeGreaterThanOrEqual(mrr(recs, r, k));
      }),
    );
  });
});

describe("coverage", () => {
  it("counts distinct recommended items over the catalogue", () => {
    const lists = deepFreeze([
      ["a", "b"],
      ["b", "c"],
    ]);
    expect(coverage(lists, 10)).toBeCloseTo(0.3, 12);
    expect(coverage(lists, ["a", "b", "c", "d"])).toBeCloseTo(0.75, 12);
    expect(coverage(lists, IdIndex.from(["a", "b", "c", "d", "e"]))).toBeCloseTo(0.6, 12);
    expect(coverage(lists, 10, { k: 1 })).toBeCloseTo(0.2, 12);
    expect(coverage([], 4)).toBe(0);
  });

  it("rejects items outside the catalogue and impossible sizes", () => {
    expectRecokitError(
      () => coverage([["a"], ["q"]], ["a", "b"]),
      "INVALID_INPUT",
      /^coverage: list 1: item "q"/,
    );
    expectRecokitError(() => coverage([["a", "b", "c"]], 2), "INVALID_INPUT", /catalogue size is 2/);
    expectRecokitError(() => coverage([["a"]], 0), "INVALID_INPUT");
    expectRecokitError(() => coverage([["a"]], []), "INVALID_INPUT", /empty/);
  });
});

describe("intraListDiversity", () => {
  const genre = new Map([
    ["a", "rock"],
    ["b", "rock"],
    ["c", "jazz"],
    ["d", "pop"],
  ]);
  const sim = (x: string, y: string) => (genre.get(x) === genre.get(y) ? 1 : 0);

  it("is the mean of 1 − sim over pairs", () => {
    expect(intraListDiversity(["a", "b", "c"], sim)).toBeCloseTo(2 / 3, 12);
    expect(intraListDiversity(["a", "b", "c", "d"], sim)).toBeCloseTo(5 / 6, 12);
    expect(intraListDiversity(["a", "b", "c", "d"], sim, { k: 2 })).toBe(0);
    expect(intraListDiversity(["a"], sim)).toBe(0);
    expect(intraListDiversity([], sim)).toBe(0);
    // graded similarity 0.25 everywhere → diversity 0.75
    expect(intraListDiversity([1, 2, 3], () => 0.25)).toBeCloseTo(0.75, 12);
  });

  it("rejects a similarity that is not finite, naming the pair", () => {
    expectRecokitError(
      () => intraListDiversity(["a", "b"], () => Number.NaN),
      "INVALID_INPUT",
      /similarity\("a", "b"\) returned NaN/,
    );
  });
});

describe("novelty, popularityBias, itemPopularity", () => {
  const pop = {
    counts: new Map([
      ["a", 3],
      ["b", 1],
    ]),
    users: 4,
  };

  it("novelty is the mean self-information −log₂ p(i)", () => {
    expect(novelty(["a", "b"], pop, { smoothing: 0 })).toBeCloseTo(
      (-Math.log2(0.75) - Math.log2(0.25)) / 2,
      12,
    );
    // smoothing 1: p(a) = 4/5, p(c) = 1/5
    expect(novelty(["a", "c"], pop)).toBeCloseTo((-Math.log2(4 / 5) - Math.log2(1 / 5)) / 2, 12);
    expect(novelty([], pop)).toBe(0);
    expect(novelty(["a", "b"], pop, { k: 1, smoothing: 0 })).toBeCloseTo(-Math.log2(0.75), 12);
    expectRecokitError(
      () => novelty(["c"], pop, { smoothing: 0 }),
      "INVALID_INPUT",
      /item "c" has popularity 0/,
    );
  });

  it("popularity bias is the mean share of users per recommended item", () => {
    expect(popularityBias(["a", "b", "c"], pop)).toBeCloseTo(1 / 3, 12);
    expect(popularityBias(["a"], pop)).toBeCloseTo(0.75, 12);
    expect(popularityBias([], pop)).toBe(0);
    expectRecokitError(
      () => popularityBias(["a"], { counts: new Map([["a", 9]]), users: 4 }),
      "INVALID_INPUT",
      /count of item "a" must be in \[0, 4\]/,
    );
    expectRecokitError(
      () => popularityBias(["a"], { counts: {} as Map<string, number>, users: 4 }),
      "INVALID_INPUT",
    );
  });

  it("itemPopularity counts distinct users per item", () => {
    const rows = deepFreeze([
      { user: 1, item: "a" },
      { user: 2, item: "a" },
      { user: 2, item: "b" },
      { user: 2, item: "a" },
    ]);
    const p = itemPopularity(rows);
    expect([...p.counts]).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(p.users).toBe(2);
    const tuples = itemPopularity([[7, "x"] as const], { user: (r) => r[0], item: (r) => r[1] });
    expect(tuples.counts.get("x")).toBe(1);
  });
});
