/**
 * Content features and exact item-item content neighbours on large synthetic catalogues.
 *
 * `npx tsx bench/content.bench.ts [--smoke] [--n 100000] [--exact-n 20000] [--runs 3]`
 * (`npm run bench -- --only content` runs the esbuild bundle on plain node, as published).
 *
 * Two catalogues, both seeded:
 * - `long-tail`: a catalogue shaped like a real shop's — 3,000 brands, a 12 × 8 × 10 category tree,
 *   titles drawn from per-category vocabularies plus colour/material modifiers and model codes,
 *   1–3 of 400 tags, log-normal prices. Most features are rare; departments, price bands and
 *   colours are shared by thousands of items.
 * - `syntheticShop`: the project's toy generator (`syntheticShop`), whose 100k items are built from
 *   only ~300 distinct words/tags/categories, so every item shares features with tens of thousands
 *   of others: a worst case for any sparse method.
 *
 * For each, at `--n` items: time to fit the features (tokenise + weight) and to compute exact top-20
 * neighbours with `contentNeighborLists` (default options), median of `--runs`, the share of rows
 * whose certificate held (certified), needed part of their common features (extended) or all of
 * them (scanned), and recall@20 of the lists against brute-force exact lists of 300 sampled items
 * (ties at the 20th place counted as hits): 1.000 for exact lists. At `--exact-n` items the
 * all-pairs kernel (`topKSimilarity`, cosine) is timed too and its lists compared element for
 * element with the bounded method's. At `--n` items the same search also runs on two worker threads
 * (`contentNeighborListsParallel` from recokit/node), timed the same way and compared element for
 * element with the single-threaded lists. Target: features + neighbours for 100k items ≤ 5 s.
 */
import {
  type ContentFieldSpec,
  type ContentNeighborStats,
  contentNeighborLists,
  fitContentFeatures,
} from "../src/content/index.js";
import { type Csr, colCounts, createRandom, type Random, topK, transpose } from "../src/core/index.js";
import { syntheticShop } from "../src/datasets/index.js";
import { contentNeighborListsParallel } from "../src/node/index.js";
import { type NeighborLists, topKSimilarity } from "../src/similarity/index.js";
import { argValue, hasFlag, peakRssMb, timeMedian, writeResult } from "./util.js";

const smoke = hasFlag("--smoke");
const N = Number(argValue("--n") ?? (smoke ? 3_000 : 100_000));
const EXACT_N = Number(argValue("--exact-n") ?? (smoke ? 1_500 : 20_000));
const RUNS = Number(argValue("--runs") ?? (smoke ? 1 : 3));
const K = 20;
const SAMPLE = smoke ? 50 : 300;

// ───────────────────────────── long-tail catalogue ─────────────────────────────

interface BenchItem {
  readonly id: string;
  readonly title: string;
  readonly brand: string;
  readonly category: readonly string[];
  readonly tags: readonly string[];
  readonly price: number;
}

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ren",
  "to",
  "sa",
  "vi",
  "no",
  "del",
  "ar",
  "po",
  "zu",
  "qin",
  "ha",
  "mo",
  "te",
];

function word(random: Random, syllables: number): string {
  let w = "";
  for (let s = 0; s < syllables; s++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)]!;
  return w;
}

/** Index drawn from a Zipf(s) law over n ranks, by inverse CDF on a precomputed table. */
function zipfSampler(random: Random, n: number, s: number): () => number {
  const cum = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cum[r] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

function longTailCatalogue(n: number, seed: number): BenchItem[] {
  const random = createRandom(seed);
  const departments = Array.from({ length: 12 }, () => word(random, 3));
  const leaves: { path: string[]; words: string[]; price: number }[] = [];
  for (const d of departments) {
    for (let c = 0; c < 8; c++) {
      const category = word(random, 3);
      for (let l = 0; l < 10; l++) {
        leaves.push({
          path: [d, category, word(random, 3)],
          words: Array.from({ length: 60 }, () => word(random, 2 + Math.floor(random() * 2))),
          price: 5 * Math.exp(random() * 4),
        });
      }
    }
  }
  const brands = Array.from({ length: 3_000 }, () => word(random, 2));
  const modifiers = Array.from({ length: 150 }, () => word(random, 2));
  const tags = Array.from({ length: 400 }, () => word(random, 2));
  const pickLeaf = zipfSampler(random, leaves.length, 0.6);
  const pickBrand = zipfSampler(random, brands.length, 0.8);
  const pickWord = zipfSampler(random, 60, 0.9);
  const pickModifier = zipfSampler(random, modifiers.length, 1);
  const pickTag = zipfSampler(random, tags.length, 1);
  const items: BenchItem[] = [];
  for (let i = 0; i < n; i++) {
    const leaf = leaves[pickLeaf()]!;
    const words = [brands[pickBrand()]!];
    const nWords = 2 + Math.floor(random() * 3);
    for (let w = 0; w < nWords; w++) words.push(leaf.words[pickWord()]!);
    words.push(modifiers[pickModifier()]!);
    if (random() < 0.5) words.push(`${word(random, 1)}${Math.floor(random() * 1000)}`);
    const itemTags = new Set<string>();
    const nTags = 1 + Math.floor(random() * 3);
    while (itemTags.size < nTags) itemTags.add(tags[pickTag()]!);
    items.push({
      id: `p${i}`,
      title: words.join(" "),
      brand: words[0]!,
      category: leaf.path,
      tags: [...itemTags],
      price: Math.round(leaf.price * Math.exp(0.4 * (random() - 0.5)) * 100) / 100,
    });
  }
  return items;
}

const LONG_TAIL_FIELDS: readonly ContentFieldSpec<BenchItem>[] = [
  { kind: "text", name: "title", weight: 2 },
  { kind: "tags", name: "brand" },
  { kind: "category", name: "category" },
  { kind: "tags", name: "tags", weight: 0.5 },
  { kind: "numeric", name: "price", log: true, bands: 5, spread: 0.3, weight: 0.5 },
];

const SHOP_FIELDS: readonly ContentFieldSpec<ReturnType<typeof syntheticShop>["items"][number]>[] = [
  { kind: "text", name: "title", weight: 2 },
  { kind: "tags", name: "brand" },
  { kind: "category", name: "categoryPath" },
  { kind: "tags", name: "tags", weight: 0.5 },
  { kind: "numeric", name: "price", log: true, bands: 5, spread: 0.3, weight: 0.5 },
];

// ───────────────────────────── measurement ─────────────────────────────

/** Exact top-k cosine lists of sampled rows by brute force over the inverted index. */
function recallAgainstExact(m: Csr, lists: NeighborLists, sample: number, seed: number): number {
  const byFeature = transpose(m);
  const random = createRandom(seed);
  const scores = new Float64Array(m.nRows);
  let hits = 0;
  let total = 0;
  for (let s = 0; s < sample; s++) {
    const i = Math.floor(random() * m.nRows);
    scores.fill(0);
    for (let j = m.indptr[i]!; j < m.indptr[i + 1]!; j++) {
      const f = m.indices[j]!;
      for (let p = byFeature.indptr[f]!; p < byFeature.indptr[f + 1]!; p++)
        scores[byFeature.indices[p]!]! += m.data[j]! * byFeature.data[p]!;
    }
    for (let r = 0; r < scores.length; r++) if (scores[r] === 0) scores[r] = Number.NaN;
    scores[i] = Number.NaN;
    const exact = topK(scores, K);
    if (exact.ids.length === 0) continue;
    // a returned neighbour counts when it is as similar as the exact k-th one (ties are interchangeable)
    const kth = exact.scores[exact.scores.length - 1]!;
    for (let p = lists.indptr[i]!; p < lists.indptr[i + 1]!; p++)
      if (lists.similarities[p]! >= kth - 1e-9) hits++;
    total += exact.ids.length;
  }
  return total > 0 ? hits / total : 1;
}

function sumDfSquared(m: Csr): number {
  let s = 0;
  for (const d of colCounts(m)) s += (d * d) / 2;
  return s;
}

/** Whether two sets of lists are equal element for element (neighbours, order, similarities). */
function identical(a: NeighborLists, b: NeighborLists): boolean {
  const same = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return same(a.indptr, b.indptr) && same(a.indices, b.indices) && same(a.similarities, b.similarities);
}

interface Row {
  catalogue: string;
  items: number;
  features: number;
  nnz: number;
  sumDf2: number;
  method: string;
  selectiveDf: number;
  runs: number;
  featuresMsRuns: number[];
  neighborsMsRuns: number[];
  featuresMs: number;
  neighborsMs: number;
  totalMs: number;
  certifiedPct: number;
  extendedPct: number;
  scannedPct: number;
  exactEvaluationsPerItem: number;
  recallAt20: number;
  kernelMsRuns?: number[];
  kernelMs?: number;
  identicalToKernel?: boolean;
  workers?: number;
  workersNeighborsMsRuns?: number[];
  workersNeighborsMs?: number;
  workersTotalMs?: number;
  identicalWithWorkers?: boolean;
}

const WORKERS = 2;

async function runCatalogue<R>(
  name: string,
  items: readonly R[],
  fields: readonly ContentFieldSpec<R>[],
  runs: number,
  withKernel: boolean,
): Promise<Row> {
  const fit = timeMedian(runs, () => fitContentFeatures(items, { fields }));
  const m = fit.result.itemFeatures;
  let stats: ContentNeighborStats | undefined;
  const nb = timeMedian(runs, () =>
    contentNeighborLists(m, {
      k: K,
      onStats: (s) => {
        stats = s;
      },
    }),
  );
  if (stats === undefined) throw new Error("no stats");
  const st: ContentNeighborStats = stats;
  const pct = (x: number): number => (100 * x) / st.rows;
  const row: Row = {
    catalogue: name,
    items: items.length,
    features: fit.result.features.size,
    nnz: m.indices.length,
    sumDf2: sumDfSquared(m),
    method: st.method,
    selectiveDf: st.selectiveDf,
    runs,
    featuresMsRuns: fit.all,
    neighborsMsRuns: nb.all,
    featuresMs: fit.ms,
    neighborsMs: nb.ms,
    totalMs: fit.ms + nb.ms,
    certifiedPct: pct(st.certified),
    extendedPct: pct(st.extended),
    scannedPct: pct(st.scanned),
    exactEvaluationsPerItem: st.candidates / st.rows,
    recallAt20: recallAgainstExact(m, nb.result, SAMPLE, 11),
  };
  if (withKernel) {
    const kernel = timeMedian(runs, () => topKSimilarity(m, { k: K, metric: "cosine" }));
    row.kernelMsRuns = kernel.all;
    row.kernelMs = kernel.ms;
    row.identicalToKernel = identical(nb.result, kernel.result);
  } else {
    // the same search on worker threads (recokit/node), timed as the single-threaded one
    const times: number[] = [];
    let same = true;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const lists = await contentNeighborListsParallel(m, { k: K, workers: WORKERS });
      times.push(performance.now() - t0);
      same &&= identical(lists, nb.result);
    }
    row.workers = WORKERS;
    row.workersNeighborsMsRuns = times;
    row.workersNeighborsMs = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    row.workersTotalMs = fit.ms + row.workersNeighborsMs;
    row.identicalWithWorkers = same;
  }
  return row;
}

const rows: Row[] = [];
const longTail = longTailCatalogue(N, 5);
rows.push(await runCatalogue("long-tail", longTail, LONG_TAIL_FIELDS, RUNS, false));
const shopAll = syntheticShop({ seed: 3, items: N, users: 10, events: 10, categories: 48 }).items;
rows.push(await runCatalogue("syntheticShop", shopAll, SHOP_FIELDS, RUNS, false));
rows.push(await runCatalogue("long-tail", longTail.slice(0, EXACT_N), LONG_TAIL_FIELDS, RUNS, true));
rows.push(await runCatalogue("syntheticShop", shopAll.slice(0, EXACT_N), SHOP_FIELDS, RUNS, true));

const fmt = (x: number, d = 0): string =>
  x.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });
const runList = (xs: readonly number[]): string => xs.map((x) => fmt(x)).join("/");
console.log(
  `content features + exact top-${K} item-item content neighbours (median of ${RUNS} runs; runs in brackets)`,
);
console.log(
  "catalogue       items    features  nnz        Σdf²/2    L      features ms          neighbours ms              total ms  certified  extended  scanned  evals/item  recall@20",
);
for (const r of rows) {
  console.log(
    `${r.catalogue.padEnd(14)}  ${fmt(r.items).padStart(7)}  ${fmt(r.features).padStart(8)}  ${fmt(r.nnz).padStart(9)}  ${r.sumDf2.toExponential(1).padStart(8)}  ${String(r.selectiveDf).padStart(5)}  ${`${fmt(r.featuresMs)} [${runList(r.featuresMsRuns)}]`.padEnd(19)}  ${`${fmt(r.neighborsMs)} [${runList(r.neighborsMsRuns)}]`.padEnd(25)}  ${fmt(r.totalMs).padStart(8)}  ${`${fmt(r.certifiedPct, 1)} %`.padStart(9)}  ${`${fmt(r.extendedPct, 1)} %`.padStart(8)}  ${`${fmt(r.scannedPct, 1)} %`.padStart(7)}  ${fmt(r.exactEvaluationsPerItem, 1).padStart(10)}  ${fmt(r.recallAt20, 3).padStart(9)}`,
  );
}
for (const r of rows.filter((x) => x.kernelMs !== undefined)) {
  console.log(
    `${r.catalogue} at ${fmt(r.items)} items: all-pairs kernel ${fmt(r.kernelMs!)} ms [${runList(r.kernelMsRuns!)}], bounded ${fmt(r.neighborsMs)} ms (${(r.kernelMs! / r.neighborsMs).toFixed(1)}× faster); lists identical to the kernel's: ${r.identicalToKernel ? "yes" : "NO"}`,
  );
}
for (const r of rows.filter((x) => x.workersNeighborsMs !== undefined)) {
  console.log(
    `${r.catalogue} at ${fmt(r.items)} items on ${r.workers} worker threads: neighbours ${fmt(r.workersNeighborsMs!)} ms [${runList(r.workersNeighborsMsRuns!)}] (${(r.neighborsMs / r.workersNeighborsMs!).toFixed(2)}× one thread); lists identical to one thread's: ${r.identicalWithWorkers ? "yes" : "NO"}`,
  );
}
const verdict = (ms: number): string => (ms <= 5000 ? "met" : "not met");
for (const r of rows.slice(0, 2)) {
  console.log(
    `target: ${r.catalogue} features + exact neighbours for ${fmt(r.items)} items ≤ 5,000 ms → one thread ${fmt(r.totalMs)} ms (${verdict(r.totalMs)}), ${r.workers} workers ${fmt(r.workersTotalMs!)} ms (${verdict(r.workersTotalMs!)}) on this machine; recall@20 ${r.recallAt20.toFixed(3)}`,
  );
}
console.log(`peak RSS ${peakRssMb()} MB`);
writeResult("content", { k: K, sample: SAMPLE, rows, peakRssMb: peakRssMb() });
