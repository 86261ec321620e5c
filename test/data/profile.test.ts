import { tTest } from "simple-statistics";
import { beforeAll, describe, expect, it } from "vitest";
import {
  MOVIELENS_GENRES,
  type MovieLensMovie,
  type MovieLensRating,
  parseMovieLensItems,
  parseMovieLensRatings,
} from "../../src/datasets/index.js";
import { ndcgAtK } from "../../src/eval/index.js";
import { readTextFile } from "../../src/node/index.js";
import { type BuildProfilesOptions, buildProfiles, userPortrait } from "../../src/profile/index.js";
import { hasSharedData, sharedPath } from "./shared-data.js";

const RATINGS = "ml-100k/u.data";
const ITEMS = "ml-100k/u.item";

/**
 * Per-user temporal split: each user's ratings sorted by time (ties by file order); the last 20 %
 * (`n − ⌊0.8 n⌋` ratings) are held out. (eval's `splitTemporal` offers leave-last-n and global cuts;
 * this is the per-user ratio variant.)
 */
function splitLast20(ratings: readonly MovieLensRating[]): {
  train: MovieLensRating[];
  test: Map<number, MovieLensRating[]>;
} {
  const byUser = new Map<number, { r: MovieLensRating; i: number }[]>();
  ratings.forEach((r, i) => {
    const list = byUser.get(r.user) ?? [];
    list.push({ r, i });
    byUser.set(r.user, list);
  });
  const train: MovieLensRating[] = [];
  const test = new Map<number, MovieLensRating[]>();
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.r.timestamp - b.r.timestamp || a.i - b.i);
    const cut = Math.floor(0.8 * list.length);
    for (const { r } of list.slice(0, cut)) train.push(r);
    test.set(
      user,
      list.slice(cut).map(({ r }) => r),
    );
  }
  return { train, test };
}

describe.skipIf(!hasSharedData(RATINGS, "profile suite (MovieLens 100K)"))(
  "MovieLens 100K: genre profiles predict the genres of each user's next ratings",
  () => {
    let ratings: MovieLensRating[] = [];
    let movies: MovieLensMovie[] = [];
    beforeAll(async () => {
      ratings = parseMovieLensRatings(await readTextFile(sharedPath(RATINGS)));
      movies = parseMovieLensItems(await readTextFile(sharedPath(ITEMS), "latin1"));
    });

    it("ranks genres by profile weight better than the population genre distribution (NDCG)", () => {
      expect(ratings).toHaveLength(100_000);
      const { train, test } = splitLast20(ratings);
      const genresOf = new Map(movies.map((m) => [m.id, m.genres]));
      const base: BuildProfilesOptions<MovieLensRating, MovieLensMovie> = {
        accessors: { type: () => "rating", value: (r) => r.rating },
        typeWeights: { rating: 1 },
        items: movies,
        itemTags: (m) => m.genres.map((g) => `genre:${g}`),
        timeTags: false,
        derivedTags: [],
      };

      // the population ranking: genres by their number of training ratings (ties by file order)
      const popCount = new Map<string, number>(MOVIELENS_GENRES.map((g) => [g, 0]));
      for (const r of train)
        for (const g of genresOf.get(r.item) ?? []) popCount.set(g, popCount.get(g)! + 1);
      const population = [...MOVIELENS_GENRES].sort((a, b) => popCount.get(b)! - popCount.get(a)!);

      /** A user's full genre ranking: profile genres by score, then the rest in population order. */
      const rankingOf = (profiles: ReturnType<typeof buildProfiles>, user: number): string[] => {
        const mine = userPortrait(profiles, user, { k: MOVIELENS_GENRES.length }).tags.map((t) => t.value);
        return [...mine, ...population.filter((g) => !mine.includes(g))];
      };
      /** Graded relevance: how many held-out movies of the user carry each genre. */
      const relevanceOf = (user: number): Map<string, number> => {
        const grades = new Map<string, number>();
        for (const r of test.get(user)!)
          for (const g of genresOf.get(r.item) ?? []) grades.set(g, (grades.get(g) ?? 0) + 1);
        return grades;
      };

      const variants: [string, Partial<BuildProfilesOptions<MovieLensRating, MovieLensMovie>>][] = [
        ["profile, no decay", { decay: { kind: "none" } }],
        ["profile, half-life 30 days", { decay: { kind: "exponential", halfLifeDays: 30 } }],
        ["profile, half-life 7 days", { decay: { kind: "exponential", halfLifeDays: 7 } }],
        [
          "profile, rating-weighted, 30 days",
          { decay: { kind: "exponential", halfLifeDays: 30 }, values: "multiply" },
        ],
        ["profile, idf, 30 days", { decay: { kind: "exponential", halfLifeDays: 30 }, population: "idf" }],
      ];
      const users = [...test.keys()];
      const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const popAllPerUser = users.map((u) => ndcgAtK(population, relevanceOf(u), 19));
      const pop3PerUser = users.map((u) => ndcgAtK(population, relevanceOf(u), 3));
      const popAll = mean(popAllPerUser);
      const pop3 = mean(pop3PerUser);
      // name, NDCG all, NDCG@3, paired t of the per-user NDCG@3 differences against the population ranking
      const rows: [string, number, number, number][] = [["population genre distribution", popAll, pop3, 0]];
      for (const [name, extra] of variants) {
        const profiles = buildProfiles(train, { ...base, ...extra });
        const all = users.map((u) => ndcgAtK(rankingOf(profiles, u), relevanceOf(u), 19));
        const at3 = users.map((u) => ndcgAtK(rankingOf(profiles, u), relevanceOf(u), 3));
        rows.push([
          name,
          mean(all),
          mean(at3),
          tTest(
            at3.map((x, i) => x - pop3PerUser[i]!),
            0,
          ),
        ]);
      }
      console.log(
        `MovieLens 100K, ${users.length} users, ${train.length} training / ${ratings.length - train.length} held-out ratings (last 20 % of each user's)`,
      );
      console.log("| genre ranking | NDCG (all 19 genres) | NDCG@3 | paired t (NDCG@3 vs population) |");
      console.log("|---|---:|---:|---:|");
      for (const [name, all, at3, t] of rows)
        console.log(`| ${name} | ${all.toFixed(4)} | ${at3.toFixed(4)} | ${t === 0 ? "" : t.toFixed(2)} |`);

      expect(users.length).toBe(943);
      for (const [name, all, at3] of rows.slice(1)) {
        expect(all, name).toBeGreaterThan(popAll);
        expect(at3, name).toBeGreaterThan(pop3);
      }
      // the default-style profile (no decay) is better beyond noise: |t| > 1.96 (two-sided 5 %, 942 df)
      expect(rows[1]![3]).toBeGreaterThan(1.96);
    });
  },
);
