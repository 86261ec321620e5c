import { describe, expect, it } from "vitest";
import {
  fitBaseline,
  fitItemKnn,
  fitPopularity,
  fitUserKnn,
  predict,
  recommend,
  similarItems,
  similarUsers,
} from "../../src/cf/index.js";
import { IdIndex, indexInteractions } from "../../src/core/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

// users a, b, c; items x, y, z
const ratings = deepFreeze([
  { user: "a", item: "x", value: 5 },
  { user: "a", item: "y", value: 3 },
  { user: "b", item: "x", value: 4 },
  { user: "b", item: "y", value: 2 },
  { user: "b", item: "z", value: 4 },
  { user: "c", item: "x", value: 1 },
  { user: "c", item: "z", value: 5 },
]);

describe("user-based KNN rating prediction (hand-computed, msd)", () => {
  // msd(a, b) over x, y: ((5-4)² + (3-2)²)/2 = 1 → sim 1/2
  // msd(a, c) over x: (5-1)² = 16 → sim 1/17
  // raters of z: b (4), c (5)
  const simAB = 1 / 2;
  const simAC = 1 / 17;

  it("weightedMean = Σ sim·r / Σ sim", () => {
    const m = fitUserKnn(ratings, { aggregation: "weightedMean" });
    const p = predict(m, "a", "z");
    expect(p.possible).toBe(true);
    expect(p.neighbors).toBe(2);
    expect(p.value).toBeCloseTo((simAB * 4 + simAC * 5) / (simAB + simAC), 12);
  });

  it("k limits the neighbours to the most similar raters", () => {
    const m = fitUserKnn(ratings, { aggregation: "weightedMean", k: 1 });
    expect(predict(m, "a", "z").value).toBeCloseTo(4, 12);
  });

  it("meanCentered = μ_a + Σ sim·(r − μ_v) / Σ sim", () => {
    const m = fitUserKnn(ratings, { aggregation: "meanCentered" });
    const muA = 4;
    const muB = 10 / 3;
    const muC = 3;
    const expected = muA + (simAB * (4 - muB) + simAC * (5 - muC)) / (simAB + simAC);
    expect(predict(m, "a", "z").value).toBeCloseTo(Math.min(5, expected), 12);
  });

  it("baseline = b_az + Σ sim·(r − b_vz) / Σ sim, with zero-epoch biases = global mean", () => {
    const m = fitUserKnn(ratings, { aggregation: "baseline", baseline: { epochs: 0 } });
    const mu = 24 / 7;
    // with epochs 0 all biases are 0: b_az = μ, b_vz = μ
    const expected = mu + (simAB * (4 - mu) + simAC * (5 - mu)) / (simAB + simAC);
    expect(predict(m, "a", "z").value).toBeCloseTo(expected, 12);
  });

  it("falls back, flagged, when no neighbour can help (weightedMean) and clips to the scale", () => {
    const m = fitUserKnn(ratings, { aggregation: "weightedMean", minK: 3 });
    const p = predict(m, "a", "z");
    expect(p.possible).toBe(false);
    expect(p.value).toBeCloseTo(24 / 7, 12);
    const scaled = fitUserKnn(ratings, { aggregation: "meanCentered", ratingScale: [1, 4.5] });
    expect(predict(scaled, "a", "z").value).toBeLessThanOrEqual(4.5);
  });

  it("unknown users and items: typed error, or a flagged fallback", () => {
    const m = fitUserKnn(ratings);
    expectRecokitError(() => predict(m, "zoe", "x"), "UNKNOWN_USER", /"zoe"/);
    expectRecokitError(() => predict(m, "a", "w"), "UNKNOWN_ITEM", /"w"/);
    const p = predict(m, "zoe", "x", { onUnknown: "fallback" });
    expect(p).toEqual({ value: 24 / 7, possible: false, reason: "unknown user" });
  });
});

describe("item-based KNN", () => {
  it("predicts from the user's own ratings of similar items (meanCentered, cosine)", () => {
    const m = fitItemKnn(ratings, { aggregation: "meanCentered", metric: "cosine" });
    // a rated x (5), y (3); target z. cos(z, x) over users: z = [0, 4, 5], x = [5, 4, 1]
    const cosZX = (4 * 4 + 5 * 1) / (Math.sqrt(41) * Math.sqrt(42));
    const cosZY = (4 * 2) / (Math.sqrt(41) * Math.sqrt(13));
    const muZ = 4.5;
    const muX = 10 / 3;
    const muY = 2.5;
    const expected = muZ + (cosZX * (5 - muX) + cosZY * (3 - muY)) / (cosZX + cosZY);
    expect(predict(m, "a", "z").value).toBeCloseTo(Math.min(5, expected), 12);
  });

  it("recommends by summed neighbour similarity weighted by the user's values, with reasons", () => {
    const m = fitItemKnn(
      [
        { user: "a", item: "x" },
        { user: "a", item: "y" },
        { user: "b", item: "x" },
        { user: "b", item: "y" },
        { user: "b", item: "z" },
        { user: "c", item: "x" },
      ],
      { metric: "cosine", duplicates: "sum" },
    );
    const recs = recommend(m, "c", { k: 5, explain: true });
    // c has x; cos(x, y) = 2/√(3·2), cos(x, z) = 1/√3
    expect(recs.map((r) => r.item)).toEqual(["y", "z"]);
    expect(recs[0]!.score).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(recs[0]!.reasons).toEqual(["similar to x"]);
    expect(similarItems(m, "x", { k: 1 })).toEqual([
      { item: "y", score: expect.closeTo(2 / Math.sqrt(6), 12) },
    ]);
  });

  it("amplifies similarities by ρ in top-N scores", () => {
    const rows = [
      { user: "a", item: "x" },
      { user: "a", item: "y" },
      { user: "b", item: "x" },
      { user: "b", item: "y" },
      { user: "b", item: "z" },
      { user: "c", item: "x" },
    ];
    const plain = fitItemKnn(rows, { metric: "cosine" });
    const amplified = fitItemKnn(rows, { metric: "cosine", amplification: 3 });
    const [p] = recommend(plain, "c", { k: 1 });
    const [a] = recommend(amplified, "c", { k: 1 });
    expect(a!.item).toBe(p!.item);
    expect(a!.score).toBeCloseTo(p!.score ** 3, 12);
    expectRecokitError(() => fitItemKnn(rows, { amplification: 0 }), "INVALID_INPUT", /amplification/);
  });

  it("decays the history with a half-life", () => {
    const day = 86_400_000;
    const rows = [
      { user: "u", item: "old", timestamp: 0 },
      { user: "u", item: "new", timestamp: 10 * day },
      { user: "v", item: "old", timestamp: 0 },
      { user: "v", item: "a", timestamp: 0 },
      { user: "w", item: "new", timestamp: 0 },
      { user: "w", item: "b", timestamp: 0 },
      { user: "t", item: "zz", timestamp: 0 },
    ];
    const plain = fitItemKnn(rows, { metric: "cosine" });
    const decayed = fitItemKnn(rows, { metric: "cosine", halfLife: 10 * day });
    const p = recommend(plain, "u", { k: 2 });
    const d = recommend(decayed, "u", { k: 2 });
    expect(p[0]!.score).toBeCloseTo(p[1]!.score, 12);
    // "old" was seen one half-life before "now": its neighbour "a" gets half the weight of "b"
    expect(d.map((r) => r.item)).toEqual(["b", "a"]);
    expect(d[1]!.score / d[0]!.score).toBeCloseTo(0.5, 12);
    expectRecokitError(
      () => fitItemKnn([{ user: "u", item: "i" }], { halfLife: 1 }),
      "INVALID_INPUT",
      /timestamps/,
    );
  });
});

describe("baseline and popularity", () => {
  it("one ALS sweep matches the hand computation", () => {
    const m = fitBaseline(ratings, { epochs: 1, regUser: 1, regItem: 2 });
    const mu = 24 / 7;
    const bx = (5 + 4 + 1 - 3 * mu) / (2 + 3);
    const by = (3 + 2 - 2 * mu) / (2 + 2);
    const bz = (4 + 5 - 2 * mu) / (2 + 2);
    expect(m.globalMean).toBeCloseTo(mu, 12);
    expect(m.itemBias[m.items.indexOf("x")]).toBeCloseTo(bx, 12);
    expect(m.itemBias[m.items.indexOf("z")]).toBeCloseTo(bz, 12);
    const ba = (5 - mu - bx + (3 - mu - by)) / (1 + 2);
    expect(m.userBias[m.users.indexOf("a")]).toBeCloseTo(ba, 12);
    expect(predict(m, "a", "z").value).toBeCloseTo(Math.min(5, Math.max(1, mu + ba + bz)), 12);
    // unknown user: the known item's bias still counts
    expect(predict(m, "zoe", "z", { onUnknown: "fallback" }).value).toBeCloseTo(mu + bz, 12);
  });

  it("popularity counts users, or decayed values", () => {
    const rows = [
      { user: "a", item: "x", value: 3, timestamp: 0 },
      { user: "b", item: "x", value: 1, timestamp: 100 },
      { user: "b", item: "y", value: 5, timestamp: 100 },
    ];
    expect(Array.from(fitPopularity(rows).itemScores)).toEqual([2, 1]);
    expect(Array.from(fitPopularity(rows, { by: "value" }).itemScores)).toEqual([4, 5]);
    const decayed = fitPopularity(rows, { halfLife: 100 });
    expect(Array.from(decayed.itemScores)).toEqual([1.5, 1]);
    // cold-start users get the global ranking
    expect(recommend(fitPopularity(rows), "new user", { k: 2 }).map((r) => r.item)).toEqual(["x", "y"]);
  });
});

describe("similar users and bad input", () => {
  it("lists similar users", () => {
    const m = fitUserKnn(ratings, { metric: "msd" });
    expect(similarUsers(m, "a", { k: 1 })).toEqual([{ user: "b", score: 0.5 }]);
    expect(similarUsers(m, "nobody", { onUnknown: "empty" })).toEqual([]);
  });

  it("rejects empty data, bad options and storing too many neighbours", () => {
    expectRecokitError(() => fitItemKnn([]), "EMPTY_DATA");
    expectRecokitError(() => fitUserKnn(ratings, { k: 0 }), "INVALID_INPUT", /k must be/);
    expectRecokitError(
      () => fitUserKnn(ratings, { aggregation: "median" as never }),
      "INVALID_INPUT",
      /aggregation/,
    );
    expectRecokitError(() => fitBaseline(ratings, { ratingScale: [5, 1] }), "INVALID_INPUT", /ratingScale/);
    const users = IdIndex.from(Array.from({ length: 8000 }, (_, i) => i));
    const wide = indexInteractions([{ user: 0, item: "x" }], { users });
    expectRecokitError(() => fitUserKnn(wide), "TOO_LARGE", /maxNeighbors/);
    expect(() => fitUserKnn(wide, { maxNeighbors: 50 })).not.toThrow();
  });
});
