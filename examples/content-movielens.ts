/**
 * Content-based recommendation on MovieLens 100K (genres, title words, release year), evaluated
 * two ways with recokit's evaluation toolkit:
 *
 * 1. Cold start: all ratings of 20 % of the movies are held out (`splitColdStart`, items). The model
 *    is fitted on the other movies and their ratings; the held-out movies are then added with
 *    `addContentItems` (vectorised with the fitted vocabulary, no refit). Each user ranks the
 *    held-out movies only; recall@10 over the user's held-out ratings. Collaborative filtering and
 *    popularity know nothing about these movies.
 * 2. Warm: each user's ratings split 75/25 at random (`splitPerUser`, seed 42, Microsoft Recommenders
 *    sizing); every held-out item is relevant, seen items excluded, k = 10. Content-only beside
 *    item-kNN and popularity fitted on the same split.
 *
 * Field weights are chosen on a validation split carved out of the training rows only.
 * Run: `npx tsx examples/content-movielens.ts` (reads ../shared/data/ml-100k; skips when absent).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fitItemKnn, fitPopularity, recommend } from "../src/cf/index.js";
import {
  addContentItems,
  type ContentFieldSpec,
  fitContent,
  recommendContent,
} from "../src/content/index.js";
import { parseMovieLensRatings } from "../src/datasets/index.js";
import { type EvalSplit, evaluateRanking, splitColdStart, splitPerUser } from "../src/eval/index.js";
import { type Movie, movieFields, parseMovies } from "./movielens-content.js";

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(here, "../../shared/data/ml-100k");
if (!existsSync(resolve(dir, "u.data")) || !existsSync(resolve(dir, "u.item"))) {
  console.log(`[skip] content-movielens: ${dir} is absent (MovieLens 100K lives in ../shared/data/ml-100k)`);
  process.exit(0);
}

interface Rating {
  readonly user: number;
  readonly item: number;
  readonly value: number;
  readonly timestamp: number;
}

const movies: Movie[] = parseMovies(readFileSync(resolve(dir, "u.item"), "latin1"));
const rows: Rating[] = parseMovieLensRatings(readFileSync(resolve(dir, "u.data"), "latin1")).map((r) => ({
  user: r.user,
  item: r.item,
  value: r.rating,
  timestamp: r.timestamp,
}));
const catalogue = movies.map((m) => m.id);
const SEED = 42;

const GRID = [0, 0.25, 0.5].flatMap((t) => [1, 2].map((y) => ({ titleWeight: t, yearWeight: y })));
const describe = (c: { titleWeight: number; yearWeight: number }): string =>
  `genres 1, title ${c.titleWeight}, year ${c.yearWeight}`;
const fmt = (x: number): string => x.toFixed(3);

// ───────────────────────────── 1. cold start ─────────────────────────────

/** Ranks only the split's cold items; the content model learns them through addContentItems. */
function coldContent(split: EvalSplit<Rating>, fields: ContentFieldSpec<Movie>[]) {
  const cold = new Set(split.coldItems);
  const warm = movies.filter((m) => !cold.has(m.id));
  const added = movies.filter((m) => cold.has(m.id));
  const candidates = [...cold];
  return (train: readonly Rating[]) => {
    const model = addContentItems(
      fitContent(warm, { fields, interactions: train, duplicates: "last", neighbors: 0 }),
      added,
    );
    return (user: number | string, req: { k: number }) =>
      recommendContent(model, user, { k: req.k, candidates });
  };
}

const coldSplit = splitColdStart(rows, { holdOut: "items", testRatio: 0.2, seed: SEED });
const coldValidation = splitColdStart(coldSplit.train, { holdOut: "items", testRatio: 0.2, seed: SEED + 1 });
const coldBest = GRID.map((c) => ({
  c,
  recall: evaluateRanking(
    coldContent(coldValidation, movieFields(c.titleWeight, c.yearWeight)),
    coldValidation,
    {
      k: 10,
      catalogue,
    },
  ).metrics.recall,
})).sort((a, b) => b.recall - a.recall)[0]!.c;

const coldCandidates = [...coldSplit.coldItems];
const coldEval = (fit: Parameters<typeof evaluateRanking<Rating>>[0]) =>
  evaluateRanking(fit, coldSplit, { k: 10, catalogue, resamples: 1000, seed: SEED });
const coldRows = [
  {
    name: `content (${describe(coldBest)})`,
    r: coldEval(coldContent(coldSplit, movieFields(coldBest.titleWeight, coldBest.yearWeight))),
  },
  {
    name: "item-kNN (cosine, k = 400)",
    r: coldEval((train: readonly Rating[]) => {
      const m = fitItemKnn(train, { metric: "cosine", k: 400 });
      return (user: number | string, req: { k: number }) =>
        recommend(m, user, { k: req.k, candidates: coldCandidates });
    }),
  },
  {
    name: "popularity",
    r: coldEval((train: readonly Rating[]) => {
      const m = fitPopularity(train);
      return (user: number | string, req: { k: number }) =>
        recommend(m, user, { k: req.k, candidates: coldCandidates });
    }),
  },
];
console.log(
  `1. Cold start: ${coldSplit.coldItems.length} of ${catalogue.length} movies held out with all their ${coldSplit.test.length} ratings (seed ${SEED}); each user ranks the ${coldSplit.coldItems.length} held-out movies`,
);
console.log(`   field weights chosen on a validation split of the training movies: ${describe(coldBest)}`);
console.log("   | model | R@10 [95 % CI] | P@10 | NDCG@10 | users |");
console.log("   |---|---|---|---|---|");
for (const { name, r } of coldRows) {
  const ci = r.intervals?.recall;
  console.log(
    `   | ${name} | ${fmt(r.metrics.recall)}${ci ? ` [${fmt(ci.lower)}, ${fmt(ci.upper)}]` : ""} | ${fmt(r.metrics.precision)} | ${fmt(r.metrics.ndcg)} | ${r.users} |`,
  );
}
console.log(
  `   random order of the held-out movies: expected R@10 = 10 / ${coldSplit.coldItems.length} = ${fmt(10 / coldSplit.coldItems.length)}`,
);
console.log(
  "   (item-kNN and popularity have never seen these movies: they return nothing, so their recall is 0)",
);

// ───────────────────────────── 2. warm ─────────────────────────────

const warmSplit = splitPerUser(rows, { testRatio: 0.25, seed: SEED, sizing: "recommenders" });
const warmValidation = splitPerUser(warmSplit.train, {
  testRatio: 0.25,
  seed: SEED + 1,
  sizing: "recommenders",
});
const warmContent = (fields: ContentFieldSpec<Movie>[]) => (train: readonly Rating[]) => {
  const model = fitContent(movies, { fields, interactions: train, duplicates: "last", neighbors: 0 });
  return (user: number | string, req: { k: number; excludeSeen: boolean }) =>
    recommendContent(model, user, { k: req.k, excludeSeen: req.excludeSeen });
};
const rankOptions = { k: 10, mapDenominator: "relevant", catalogue } as const;
const warmBest = GRID.map((c) => ({
  c,
  ndcg: evaluateRanking(warmContent(movieFields(c.titleWeight, c.yearWeight)), warmValidation, rankOptions)
    .metrics.ndcg,
})).sort((a, b) => b.ndcg - a.ndcg)[0]!.c;

const warmEval = (fit: Parameters<typeof evaluateRanking<Rating>>[0]) =>
  evaluateRanking(fit, warmSplit, { ...rankOptions, resamples: 1000, seed: SEED });
const warmRows = [
  {
    name: `content only (${describe(warmBest)})`,
    r: warmEval(warmContent(movieFields(warmBest.titleWeight, warmBest.yearWeight))),
  },
  {
    name: "item-kNN (cosine, k = 400, ratings as weights)",
    r: warmEval((train: readonly Rating[]) => {
      const m = fitItemKnn(train, { metric: "cosine", k: 400 });
      return (user: number | string, req: { k: number; excludeSeen: boolean }) =>
        recommend(m, user, { k: req.k, excludeSeen: req.excludeSeen });
    }),
  },
  {
    name: "popularity (most users)",
    r: warmEval((train: readonly Rating[]) => {
      const m = fitPopularity(train);
      return (user: number | string, req: { k: number; excludeSeen: boolean }) =>
        recommend(m, user, { k: req.k, excludeSeen: req.excludeSeen });
    }),
  },
];
console.log(
  `\n2. Warm: per-user 75/25 split (seed ${SEED}), ${warmSplit.train.length} train / ${warmSplit.test.length} test ratings, k = 10, seen items excluded`,
);
console.log(`   field weights chosen on a validation split of the training rows: ${describe(warmBest)}`);
console.log("   | model | P@10 [95 % CI] | NDCG@10 [95 % CI] | R@10 | coverage | novelty (bits) |");
console.log("   |---|---|---|---|---|---|");
for (const { name, r } of warmRows) {
  const p = r.intervals?.precision;
  const n = r.intervals?.ndcg;
  console.log(
    `   | ${name} | ${fmt(r.metrics.precision)}${p ? ` [${fmt(p.lower)}, ${fmt(p.upper)}]` : ""} | ${fmt(r.metrics.ndcg)}${n ? ` [${fmt(n.lower)}, ${fmt(n.upper)}]` : ""} | ${fmt(r.metrics.recall)} | ${fmt(r.metrics.coverage)} | ${r.metrics.novelty.toFixed(2)} |`,
  );
}
const content = warmRows[0]!.r.metrics;
for (const other of warmRows.slice(1)) {
  const m = other.r.metrics;
  console.log(
    `   content only vs ${other.name}: P@10 ${fmt(content.precision - m.precision)} (${((100 * content.precision) / m.precision).toFixed(0)} %), NDCG@10 ${fmt(content.ndcg - m.ndcg)} (${((100 * content.ndcg) / m.ndcg).toFixed(0)} %)`,
  );
}
