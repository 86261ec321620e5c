import { describe, expect, it } from "vitest";
import { fitBaseline, fitItemKnn, predict, recommend } from "../../src/cf/index.js";
import { parseMovieLensRatings } from "../../src/datasets/index.js";
import {
  evaluateRanking,
  evaluateRatings,
  kFold,
  splitPerUser,
  splitTemporal,
} from "../../src/eval/index.js";
import { hasSharedData, readSharedText } from "./shared-data.js";

const DAY = 86_400_000;

describe.skipIf(!hasSharedData("ml-100k/u.data", "evaluation suite (MovieLens 100K)"))(
  "evaluation on MovieLens 100K",
  () => {
    const rows = parseMovieLensRatings(readSharedText("ml-100k/u.data", "latin1")).map((r) => ({
      user: r.user,
      item: r.item,
      value: r.rating,
      timestamp: r.timestamp,
    }));

    it("5-fold KFold tests each of the 100,000 ratings once, 20,000 per fold", () => {
      const folds = kFold(rows, { k: 5, seed: 42 });
      expect(folds.map((f) => f.test.length)).toEqual([20_000, 20_000, 20_000, 20_000, 20_000]);
      const seen = new Uint8Array(rows.length);
      for (const f of folds) for (const i of f.testRows) seen[i]!++;
      expect(seen.every((c) => c === 1)).toBe(true);
      // 943 users all rated ≥ 20 movies, so none can be entirely in one fold's test side
      for (const f of folds) expect(f.coldUsers).toEqual([]);
    });

    it("the per-user split holds out n − ⌊0.75·n⌋ ratings of every user and never leaks a rating", () => {
      const split = splitPerUser(rows, { testRatio: 0.25, seed: 42, sizing: "recommenders" });
      const perUser = new Map<number, number>();
      for (const r of rows) perUser.set(r.user, (perUser.get(r.user) ?? 0) + 1);
      let expected = 0;
      for (const n of perUser.values()) expected += n - Math.floor(0.75 * n);
      expect(split.test.length).toBe(expected);
      const trainPairs = new Set(split.train.map((r) => r.user * 10_000 + r.item));
      expect(split.test.some((r) => trainPairs.has(r.user * 10_000 + r.item))).toBe(false);
      expect(split.users.size).toBe(943);
    });

    it("a global time cut trains strictly on the past and reports the new users and items", () => {
      const cutoff = Date.UTC(1998, 2, 1);
      const split = splitTemporal(rows, { cutoff });
      expect(split.train.reduce((m, r) => Math.max(m, r.timestamp), -Infinity)).toBeLessThan(cutoff);
      expect(split.test.reduce((m, r) => Math.min(m, r.timestamp), Infinity)).toBeGreaterThanOrEqual(cutoff);
      const trainUsers = new Set(split.train.map((r) => r.user));
      const newUsers = new Set(split.test.filter((r) => !trainUsers.has(r.user)).map((r) => r.user));
      expect(split.coldUsers.length).toBe(newUsers.size);
      expect(split.coldUsers.length).toBeGreaterThan(0); // MovieLens kept enrolling users until April 1998
    });

    it("baseline RMSE on one Surprise-style fold is within ±0.010 of Surprise's 0.944", () => {
      const [fold] = kFold(rows, { k: 5, seed: 42 });
      const r = evaluateRatings(
        (train) => {
          const m = fitBaseline(train);
          return (u, i) => predict(m, u, i, { onUnknown: "fallback" });
        },
        fold!,
        { resamples: 200 },
      );
      console.log(
        `[eval data] baseline fold-0 RMSE ${r.metrics.rmse.toFixed(4)} MAE ${r.metrics.mae.toFixed(4)}`,
      );
      expect(Math.abs(r.metrics.rmse - 0.944)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(r.metrics.mae - 0.748)).toBeLessThanOrEqual(0.01);
      // users are resampled whole: ~940 users whose own RMSE spreads by ~0.3 give a standard error near
      // 0.01, so the 95 % interval should be a few hundredths wide and hold the estimate
      const { lower, upper } = r.intervals!.rmse;
      expect(lower).toBeLessThan(r.metrics.rmse);
      expect(upper).toBeGreaterThan(r.metrics.rmse);
      expect(upper - lower).toBeGreaterThan(0.01);
      expect(upper - lower).toBeLessThan(0.08);
    });

    it("a SAR-style item co-occurrence model reaches SAR's published top-10 row (within 0.010)", () => {
      const split = splitPerUser(rows, { testRatio: 0.25, seed: 42, sizing: "recommenders" });
      const r = evaluateRanking(
        (train) => {
          const m = fitItemKnn(train, { metric: "jaccard", k: 2000, halfLife: 30 * DAY });
          return (u, req) => recommend(m, u, { k: req.k });
        },
        split,
        { k: 10, mapDenominator: "relevant", resamples: 0 },
      );
      const m = r.metrics;
      console.log(
        `[eval data] SAR-style P@10 ${m.precision.toFixed(4)} R@10 ${m.recall.toFixed(4)} NDCG@10 ${m.ndcg.toFixed(4)} MAP ${m.map.toFixed(4)}`,
      );
      expect(r.users).toBe(943);
      expect(m.precision).toBeGreaterThanOrEqual(0.331 - 0.01);
      expect(m.recall).toBeGreaterThanOrEqual(0.176 - 0.01);
      expect(m.ndcg).toBeGreaterThanOrEqual(0.382 - 0.01);
      expect(m.map).toBeGreaterThanOrEqual(0.111 - 0.01);
    });
  },
);
