import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Id, RecokitError } from "../../src/core/index.js";
import {
  compareEvaluations,
  compareRecommenders,
  crossValidate,
  evaluateRanking,
  evaluateRatings,
  kFold,
  mapAtK,
  ndcgAtK,
  pairedTTest,
  precisionAtK,
  recallAtK,
  splitPerUser,
  splitTemporal,
} from "../../src/eval/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

interface Row {
  readonly user: string;
  readonly item: string;
  readonly value: number;
  readonly timestamp: number;
}

const L2_3 = Math.log2(3);

// train (t < 10): u1 a4 b2, u2 a5 c3; test: u1 c3, u2 b4, u3 a2 (u3 is a cold user)
const ratingRows: readonly Row[] = deepFreeze([
  { user: "u1", item: "a", value: 4, timestamp: 1 },
  { user: "u1", item: "b", value: 2, timestamp: 2 },
  { user: "u2", item: "a", value: 5, timestamp: 3 },
  { user: "u2", item: "c", value: 3, timestamp: 4 },
  { user: "u1", item: "c", value: 3, timestamp: 10 },
  { user: "u2", item: "b", value: 4, timestamp: 11 },
  { user: "u3", item: "a", value: 2, timestamp: 12 },
]);
const ratingSplit = splitTemporal(ratingRows, { cutoff: 10 });

/** Mean rating of each key in training; unknown keys throw UNKNOWN_USER like recokit's models. */
function meanBy(key: "user" | "item") {
  return (train: readonly Row[]) => {
    const sums = new Map<Id, [number, number]>();
    for (const r of train) {
      const s = sums.get(r[key]) ?? [0, 0];
      sums.set(r[key], [s[0] + r.value, s[1] + 1]);
    }
    return (user: Id, item: Id) => {
      const s = sums.get(key === "user" ? user : item);
      if (s === undefined) throw new RecokitError("UNKNOWN_USER", "toy", "unknown");
      return s[0] / s[1];
    };
  };
}

describe("evaluateRatings", () => {
  it("scores an item-mean model by hand", () => {
    // item means a 4.5, b 2, c 3 → errors u1c 0, u2b −2, u3a 2.5
    const r = evaluateRatings(meanBy("item"), ratingSplit, { seed: 1 });
    expect(r.kind).toBe("ratings");
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt((0 + 4 + 6.25) / 3), 12);
    expect(r.metrics.mae).toBeCloseTo(4.5 / 3, 12);
    expect(r.count).toBe(3);
    expect(r.impossible).toBe(0);
    expect(r.coldTestRows).toBe(1);
    expect(r.perUser.users).toEqual(["u1", "u2", "u3"]);
    expect(Array.from(r.perUser.values.rmse)).toEqual([0, 2, 2.5]);
    expect(Array.from(r.perUser.count)).toEqual([1, 1, 1]);
    expect(r.intervals!.rmse.lower).toBeLessThanOrEqual(r.metrics.rmse);
    expect(r.intervals!.rmse.upper).toBeGreaterThanOrEqual(r.metrics.rmse);
    expect(r.timings.fitMs).toBeGreaterThanOrEqual(0);
  });

  it("falls back on the training mean for a prediction the model cannot make, and counts it", () => {
    // user means u1 3, u2 4; u3 unknown → training mean (4+2+5+3)/4 = 3.5 → errors 0, 0, 1.5
    const r = evaluateRatings(meanBy("user"), ratingSplit, { resamples: 0 });
    expect(r.impossible).toBe(1);
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt(2.25 / 3), 12);
    expect(r.metrics.mae).toBeCloseTo(0.5, 12);
    expect(r.intervals).toBeUndefined();
    const skip = evaluateRatings(meanBy("user"), ratingSplit, { onImpossible: "skip" });
    expect(skip).toMatchObject({ count: 2, skipped: 1, impossible: 1 });
    expect(skip.metrics.rmse).toBe(0);
    expect(skip.perUser.users).toEqual(["u1", "u2"]);
  });

  it("accepts { value, possible } predictions, predictor objects and clipping", () => {
    const model = { predict: () => ({ value: 7, possible: false }) };
    const r = evaluateRatings(model, ratingSplit, { clip: [1, 5] });
    // clipped to 5 → errors 2, 1, 3
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(r.impossible).toBe(3);
    const nan = evaluateRatings(() => () => Number.NaN, ratingSplit);
    expect(nan.impossible).toBe(3);
    expect(nan.metrics.mae).toBeCloseTo((0.5 + 0.5 + 1.5) / 3, 12); // mean 3.5 for every row
  });

  it("reports progress and honours an abort signal", () => {
    const seen: [number, number][] = [];
    evaluateRatings(meanBy("item"), ratingSplit, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.at(-1)).toEqual([3, 3]);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(
      () => evaluateRatings(meanBy("item"), ratingSplit, { signal: controller.signal }),
      "ABORTED",
    );
  });

  it("rejects bad models, splits and test rows", () => {
    expectRecokitError(() => evaluateRatings((() => 3) as never, ratingSplit), "INVALID_INPUT", /predictor/);
    expectRecokitError(() => evaluateRatings(meanBy("item"), {} as never), "INVALID_INPUT", /splitters/);
    const noValue = splitTemporal(
      [
        { user: "a", item: "x", value: 3, timestamp: 1 },
        { user: "a", item: "y", timestamp: 5 },
      ],
      { cutoff: 5 },
    );
    expectRecokitError(
      () => evaluateRatings(() => () => 3, noValue),
      "INVALID_INPUT",
      /^evaluateRatings: row 1: test value undefined/,
    );
    expectRecokitError(
      () => evaluateRatings(() => () => "3" as never, ratingSplit),
      "INVALID_INPUT",
      /expected a number/,
    );
    expectRecokitError(
      () => evaluateRatings(() => () => 3, ratingSplit, { clip: [5, 1] }),
      "INVALID_INPUT",
      /clip/,
    );
    expectRecokitError(
      () => evaluateRatings(() => () => undefined, ratingSplit, { onImpossible: "skip" }),
      "EMPTY_DATA",
    );
    // a model bug (not an unknown id) is not swallowed
    expect(() =>
      evaluateRatings(
        () => () => {
          throw new TypeError("boom");
        },
        ratingSplit,
      ),
    ).toThrow(TypeError);
  });
});

// train (t < 10): u1 a b, u2 a c, u3 b; test: u1 c d, u2 b, u3 a, u4 a (cold user)
const rankRows: readonly Row[] = deepFreeze(
  [
    ["u1", "a", 1],
    ["u1", "b", 2],
    ["u2", "a", 3],
    ["u2", "c", 4],
    ["u3", "b", 5],
    ["u1", "c", 10],
    ["u1", "d", 11],
    ["u2", "b", 12],
    ["u3", "a", 13],
    ["u4", "a", 14],
  ].map(([user, item, t]) => ({ user: String(user), item: String(item), value: 1, timestamp: Number(t) })),
);
const rankSplit = splitTemporal(rankRows, { cutoff: 10 });

/** Most-popular recommender (training counts, ties by id), honouring `exclude`. */
function popular(train: readonly { item: Id }[]) {
  const counts = new Map<Id, number>();
  for (const r of train) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
  const ranked = [...counts.keys()].sort(
    (x, y) => counts.get(y)! - counts.get(x)! || String(x).localeCompare(String(y)),
  );
  return (_user: Id, req: { k: number; exclude: ReadonlySet<Id> }) =>
    ranked
      .filter((i) => !req.exclude.has(i))
      .slice(0, req.k)
      .map((item, r) => ({ item, score: -r }));
}

describe("evaluateRanking", () => {
  it("scores a popularity recommender by hand", () => {
    // popularity a 2, b 2, c 1 → ranking a, b, c; lists: u1 [c], u2 [b], u3 [a, c]
    const r = evaluateRanking(popular, rankSplit, { k: 2, seed: 1 });
    expect(r.users).toBe(3);
    expect(r.skippedColdUsers).toBe(1);
    expect(r.shortLists).toBe(2);
    expect(r.seenRemoved).toBe(0);
    expect(r.perUser.users).toEqual(["u1", "u2", "u3"]);
    const ndcgU1 = 1 / (1 + 1 / L2_3);
    expect(Array.from(r.perUser.values.precision)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(r.perUser.values.recall)).toEqual([0.5, 1, 1]);
    expect(r.perUser.values.ndcg[0]).toBeCloseTo(ndcgU1, 12);
    expect(r.metrics.precision).toBeCloseTo(0.5, 12);
    expect(r.metrics.recall).toBeCloseTo(2.5 / 3, 12);
    expect(r.metrics.ndcg).toBeCloseTo((ndcgU1 + 2) / 3, 12);
    expect(r.metrics.map).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    expect(r.metrics.mrr).toBe(1);
    expect(r.metrics.hitRate).toBe(1);
    expect(r.metrics.coverage).toBeCloseTo(3 / 4, 12); // a b c of a b c d
    // popularity shares: a 2/3, b 2/3, c 1/3 → u1 1/3, u2 2/3, u3 1/2
    expect(r.metrics.popularityBias).toBeCloseTo((1 / 3 + 2 / 3 + 1 / 2) / 3, 12);
    // novelty with α = 1 over 3 users: p(a) = p(b) = 3/4, p(c) = 2/4
    const nA = -Math.log2(3 / 4);
    expect(r.metrics.novelty).toBeCloseTo((1 + nA + (nA + 1) / 2) / 3, 12);
    expect(r.metrics.diversity).toBeUndefined();
    expect(r.intervals!.precision.lower).toBeCloseTo(0.5, 12);
    expect(r.intervals!.ndcg.lower).toBeLessThanOrEqual(r.metrics.ndcg);
  });

  it("uses the chosen metric definitions", () => {
    const r = evaluateRanking(popular, rankSplit, {
      k: 2,
      mapDenominator: "relevant",
      precisionDenominator: "list",
    });
    expect(r.metrics.map).toBeCloseTo((0.5 + 1 + 1) / 3, 12); // |R| = min(k, |R|) here
    expect(Array.from(r.perUser.values.precision)).toEqual([1, 1, 0.5]);
  });

  it("includes cold users on request and grades relevance", () => {
    const r = evaluateRanking(popular, rankSplit, { k: 2, coldUsers: "include" });
    expect(r.users).toBe(4);
    expect(r.perUser.users.at(-1)).toBe("u4");
    expect(r.perUser.values.precision[3]).toBe(0.5); // [a, b] with a relevant
    const none = evaluateRanking(popular, rankSplit, {
      k: 2,
      relevance: (row) => (row.user === "u2" ? 0 : 1),
    });
    expect(none.usersWithoutRelevant).toBe(1);
    expect(none.users).toBe(2);
  });

  it("removes (and counts) training items a recommender returns against the request", () => {
    const leaky = () => () => ["a", "b", "c", "d"];
    const r = evaluateRanking(leaky, rankSplit, { k: 3 });
    // u1 drops a, b → [c, d]; u2 drops a, c → [b, d]; u3 drops b → [a, c, d]
    expect(r.seenRemoved).toBe(5);
    expect(Array.from(r.perUser.values.precision)).toEqual([2 / 3, 1 / 3, 1 / 3]);
    const kept = evaluateRanking(leaky, rankSplit, { k: 3, excludeSeen: false });
    expect(kept.seenRemoved).toBe(0);
    expect(kept.perUser.values.precision[0]).toBeCloseTo(1 / 3, 12); // [a, b, c]: c
  });

  it("reports intra-list diversity given an item similarity", () => {
    const r = evaluateRanking(popular, rankSplit, {
      k: 2,
      itemSimilarity: (x, y) => (x === "a" && y === "c" ? 0.5 : 0),
    });
    // u1 [c] 0, u2 [b] 0, u3 [a, c] 0.5
    expect(Array.from(r.perUser.values.diversity!)).toEqual([0, 0, 0.5]);
    expect(r.metrics.diversity).toBeCloseTo(0.5 / 3, 12);
    expect(r.intervals!.diversity).toBeDefined();
  });

  it("per-user figures agree with the public metric functions (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 6 }), (seed, k) => {
        const rows = Array.from({ length: 60 }, (_, i) => ({ user: i % 7, item: (i * 5 + (i % 3)) % 13 }));
        const split = splitPerUser(rows, { testRatio: 0.3, seed });
        const lists = new Map<Id, Id[]>();
        const byHash = (u: Id) => Array.from({ length: 13 }, (_, i) => (i * 7 + Number(u) * 3) % 13);
        const r = evaluateRanking(
          () => (u: Id) => {
            const l = byHash(u);
            lists.set(u, l);
            return l;
          },
          split,
          { k, excludeSeen: false, resamples: 0 },
        );
        r.perUser.users.forEach((u, s) => {
          const rel = new Set(split.test.filter((row) => row.user === u).map((row) => row.item as Id));
          const list = lists.get(u)!;
          expect(r.perUser.values.precision[s]).toBeCloseTo(precisionAtK(list, rel, k), 12);
          expect(r.perUser.values.recall[s]).toBeCloseTo(recallAtK(list, rel, k), 12);
          expect(r.perUser.values.ndcg[s]).toBeCloseTo(ndcgAtK(list, rel, k), 12);
          expect(r.perUser.values.map[s]).toBeCloseTo(mapAtK(list, rel, k), 12);
        });
      }),
      { numRuns: 40 },
    );
  });

  it("rejects malformed lists and options, and refuses a split with nobody to evaluate", () => {
    expectRecokitError(
      () => evaluateRanking(() => () => [{ item: undefined }] as never, rankSplit),
      "INVALID_INPUT",
      /^evaluateRanking: user "u1": entry 0/,
    );
    expectRecokitError(
      () => evaluateRanking(() => () => "abc" as never, rankSplit),
      "INVALID_INPUT",
      /not an array/,
    );
    expectRecokitError(() => evaluateRanking(popular, rankSplit, { k: 0 }), "INVALID_INPUT", /k must/);
    expectRecokitError(
      () => evaluateRanking(popular, rankSplit, { relevance: () => -1 }),
      "INVALID_INPUT",
      /row 5: relevance -1/,
    );
    expectRecokitError(
      () => evaluateRanking(popular, rankSplit, { coldUsers: "drop" as "skip" }),
      "INVALID_INPUT",
      /coldUsers/,
    );
    expectRecokitError(() => evaluateRanking(popular, rankSplit, { relevance: () => 0 }), "EMPTY_DATA");
    expectRecokitError(
      () => evaluateRanking(() => () => ["zz"], rankSplit),
      "INVALID_INPUT",
      /^evaluateRanking: coverage: list 0: item "zz" is not in the catalogue/,
    );
    expect(evaluateRanking(() => () => ["zz"], rankSplit, { catalogue: 100 }).metrics.coverage).toBeCloseTo(
      0.01,
      12,
    );
  });

  it("reports progress over users and can be aborted", () => {
    const seen: number[] = [];
    evaluateRanking(popular, rankSplit, { onProgress: (d) => seen.push(d) });
    expect(seen.at(-1)).toBe(3);
    const c = new AbortController();
    c.abort();
    expectRecokitError(() => evaluateRanking(popular, rankSplit, { signal: c.signal }), "ABORTED");
  });
});

describe("compareEvaluations / compareRecommenders", () => {
  it("pairs users by id and tests B − A", () => {
    const a = {
      metrics: { m: 0 },
      perUser: { users: [1, 2, 3, 4, 9], values: { m: Float64Array.of(4, 5, 6, 6, 0) } },
    };
    const b = {
      metrics: { m: 0 },
      perUser: { users: [4, 3, 2, 1, 8], values: { m: Float64Array.of(9, 6, 7, 5) } },
    };
    const cmp = compareEvaluations(a, b, { seed: 2 });
    expect(cmp.users).toBe(4);
    expect(cmp.onlyA).toBe(1);
    expect(cmp.onlyB).toBe(1);
    const m = cmp.metrics.m!;
    // B − A per user: 1, 2, 0, 3 (the pairedTTest hand case)
    expect(m.difference).toBeCloseTo(1.5, 12);
    expect(m.meanA).toBeCloseTo(5.25, 12);
    expect(m.relativeDifference).toBeCloseTo(1.5 / 5.25, 12);
    expect(m.tTest.t).toBeCloseTo(pairedTTest([5, 7, 6, 9], [4, 5, 6, 6]).t, 12);
    expect(m.tTest.pValue).toBeCloseTo(0.10272807885839899, 10);
    expect([m.bHigher, m.aHigher, m.ties]).toEqual([3, 0, 1]);
    expect(m.bootstrap.estimate).toBeCloseTo(1.5, 12);
  });

  it("an oracle beats popularity significantly on held-out items", () => {
    const rows = Array.from({ length: 40 }, (_, u) =>
      Array.from({ length: 10 }, (_, j) => ({ user: u, item: (u * 7 + j * 3) % 50 })),
    ).flat();
    const split = splitPerUser(rows, { testRatio: 0.3, seed: 4 });
    const truth = new Map<Id, Id[]>();
    for (const r of split.test) truth.set(r.user, [...(truth.get(r.user) ?? []), r.item]);
    const oracle = () => (u: Id) => truth.get(u) ?? [];
    const progress: number[] = [];
    const cmp = compareRecommenders(popular, oracle, split, {
      k: 3,
      seed: 1,
      onProgress: (d, t) => progress.push(d / t),
    });
    expect(cmp.users).toBe(40);
    expect(cmp.metrics.precision!.meanB).toBe(1);
    expect(cmp.metrics.precision!.difference).toBeGreaterThan(0.5);
    expect(cmp.metrics.precision!.tTest.pValue).toBeLessThan(1e-6);
    expect(cmp.metrics.precision!.bootstrap.pValue).toBeLessThan(0.01);
    expect(cmp.a.kind).toBe("ranking");
    expect(progress.at(-1)).toBe(1);
    expect(Math.max(...progress)).toBe(1);
  });

  it("rejects too few common users and unknown metrics", () => {
    const one = { metrics: {}, perUser: { users: [1], values: { m: Float64Array.of(1) } } };
    expectRecokitError(() => compareEvaluations(one, one), "INVALID_INPUT", /at least 2 users/);
    const two = { metrics: {}, perUser: { users: [1, 2], values: { m: Float64Array.of(1, 2) } } };
    expectRecokitError(() => compareEvaluations(two, two, { metrics: ["q"] }), "INVALID_INPUT", /metric "q"/);
  });
});

describe("crossValidate", () => {
  const rows = Array.from({ length: 60 }, (_, i) => ({ user: i % 6, item: i % 10, value: 1 + (i % 4) }));
  const meanModel = (train: readonly { value: number }[]) => {
    const mu = train.reduce((s, r) => s + r.value, 0) / train.length;
    return () => mu;
  };

  it("summarises every metric over folds", () => {
    const folds = kFold(rows, { k: 3, seed: 1 });
    const progress: number[] = [];
    const cv = crossValidate(folds, (split) => evaluateRatings(meanModel, split, { resamples: 0 }), {
      onProgress: (d) => progress.push(d),
    });
    expect(cv.folds.length).toBe(3);
    expect(progress).toEqual([0, 1, 2, 3]);
    const values = folds.map((f) => evaluateRatings(meanModel, f, { resamples: 0 }).metrics.rmse);
    const m = values.reduce((s, v) => s + v, 0) / 3;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / 2);
    expect(cv.metrics.rmse!.values).toEqual(values);
    expect(cv.metrics.rmse!.mean).toBeCloseTo(m, 12);
    expect(cv.metrics.rmse!.std).toBeCloseTo(sd, 12);
    expect(cv.metrics.rmse!.min).toBe(Math.min(...values));
    const pop = crossValidate(folds, (split) => evaluateRatings(meanModel, split, { resamples: 0 }), {
      std: "population",
    });
    expect(pop.metrics.rmse!.std).toBeCloseTo(sd * Math.sqrt(2 / 3), 12);
  });

  it("summarises only metrics every fold reports and rejects non-finite ones", () => {
    const cv = crossValidate(kFold(rows, { k: 2 }), (_s, f) => ({
      metrics: f === 0 ? { a: 1, b: 2 } : { a: 3 },
    }));
    expect(Object.keys(cv.metrics)).toEqual(["a"]);
    expect(cv.metrics.a!.std).toBeCloseTo(Math.SQRT2, 12);
    expectRecokitError(
      () => crossValidate(kFold(rows, { k: 2 }), (_s, f) => ({ metrics: { a: f === 1 ? Number.NaN : 1 } })),
      "INVALID_INPUT",
      /fold 1: metric a is NaN/,
    );
    expectRecokitError(() => crossValidate([], () => ({ metrics: {} })), "EMPTY_DATA");
    const c = new AbortController();
    c.abort();
    expectRecokitError(
      () => crossValidate(kFold(rows, { k: 2 }), () => ({ metrics: {} }), { signal: c.signal }),
      "ABORTED",
    );
  });
});
