/**
 * The similarity core's benchmark: item–item cosine top-50 on
 *   (a) MovieLens 100K ratings, (b) Online Retail purchases (customer × stock code),
 *   (c) a seeded synthetic set of 5,000,000 interactions over 200k users × 30k items;
 * against a naive JS baseline (dense pairwise loops, where it fits) and scipy.sparse (when python3
 * with scipy is present), measured in the same run; plus worker threads on (c), and recommend()
 * throughput of an ML-100K item-kNN model. Each data set runs in its own process so peak RSS is
 * per data set. `npm run bench -- --only similarity`; `--smoke` for tiny sizes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitItemKnn, recommend } from "../src/cf/index.js";
import { type Csr, csrFromTriplets, indexInteractions, nnz, transpose } from "../src/core/index.js";
import { parseCsv, parseMovieLensRatings, syntheticInteractions } from "../src/datasets/index.js";
import { readTextFile, topKSimilarityParallel } from "../src/node/index.js";
import { type NeighborLists, topKSimilarity } from "../src/similarity/index.js";
import { argValue, hasFlag, median, peakRssMb, timeMedian, writeResult } from "./util.js";

const here = dirname(fileURLToPath(import.meta.url));
const DATA = join(here, "../../shared/data");
const K = 50;
const smoke = hasFlag("--smoke");

interface DatasetResult {
  name: string;
  users: number;
  items: number;
  interactions: number;
  nnz: number;
  recokitMs: number;
  recokitRuns: number[];
  /** The first call in the process (includes JIT compilation). */
  recokitColdMs: number;
  interactionsPerSec: number;
  peakRssMb: number;
  workersMs?: number;
  workersRuns?: number[];
  /** One-thread time measured in the same rounds as the workers' (each round: one, then the other). */
  workersBaselineMs?: number;
  workersBaselineRuns?: number[];
  workersRatio?: number;
  naiveMs?: number;
  naiveRatio?: number;
  scipyMs?: number;
  scipyRatio?: number;
  scipyPeakRssMb?: number;
  scipyProductNnz?: number;
  scipyAgreement?: number;
  recommendPerSec?: number;
  skipped?: string;
}

/** users × items matrix of a data set, or the reason it is absent. */
function load(name: string): { matrix: Csr; interactions: number } | string {
  switch (name) {
    case "movielens": {
      const file = join(DATA, "ml-100k/u.data");
      if (!existsSync(file)) return `${file} is absent`;
      const ratings = parseMovieLensRatings(readFileSync(file, "utf8"));
      const rows = smoke ? ratings.slice(0, 5000) : ratings;
      return {
        matrix: indexInteractions(rows, { value: (r) => r.rating }).matrix,
        interactions: rows.length,
      };
    }
    case "retail": {
      const file = join(DATA, "online-retail/online-retail.csv.gz");
      if (!existsSync(file)) return `${file} is absent`;
      return "async";
    }
    case "synthetic": {
      const n = smoke ? 50_000 : 5_000_000;
      const d = syntheticInteractions({
        seed: 2024,
        users: smoke ? 5_000 : 200_000,
        items: smoke ? 2_000 : 30_000,
        interactions: n,
        popularityExponent: 0.9,
        activityExponent: 0.5,
      });
      return {
        matrix: csrFromTriplets(
          { rows: d.users, cols: d.items },
          { nRows: d.nUsers, nCols: d.nItems, duplicates: "count" },
        ),
        interactions: n,
      };
    }
    default:
      return `unknown data set ${name}`;
  }
}

async function loadRetail(): Promise<{ matrix: Csr; interactions: number }> {
  const text = await readTextFile(join(DATA, "online-retail/online-retail.csv.gz"));
  const { records } = parseCsv(text);
  const purchases = records.filter(
    (r) =>
      (r.CustomerID ?? "") !== "" &&
      !(r.InvoiceNo ?? "").startsWith("C") &&
      Number(r.Quantity) > 0 &&
      Number(r.UnitPrice) > 0,
  );
  const rows = smoke ? purchases.slice(0, 20_000) : purchases;
  const { matrix } = indexInteractions(rows, {
    user: (r) => r.CustomerID ?? "",
    item: (r) => r.StockCode ?? "",
    value: () => 1,
  });
  return { matrix, interactions: rows.length };
}

/** The naive baseline a typical user writes: dense item vectors, every pair, full sort per row. */
function naiveCosineTopK(usersItems: Csr, k: number): number[][] {
  const items = transpose(usersItems);
  const vectors: number[][] = [];
  for (let i = 0; i < items.nRows; i++) {
    const v = new Array<number>(items.nCols).fill(0);
    for (let j = items.indptr[i]!; j < items.indptr[i + 1]!; j++) v[items.indices[j]!] = items.data[j]!;
    vectors.push(v);
  }
  const cosine = (a: number[], b: number[]): number => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let u = 0; u < a.length; u++) {
      dot += a[u]! * b[u]!;
      na += a[u]! * a[u]!;
      nb += b[u]! * b[u]!;
    }
    return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
  };
  return vectors.map((a, i) => {
    const scored: { j: number; s: number }[] = [];
    vectors.forEach((b, j) => {
      if (j !== i) {
        const s = cosine(a, b);
        if (s > 0) scored.push({ j, s });
      }
    });
    scored.sort((x, y) => y.s - x.s || x.j - y.j);
    return scored.slice(0, k).map((x) => x.j);
  });
}

function scipyBaseline(
  matrix: Csr,
  runs: number,
  lists: NeighborLists,
): { ms: number; peakRssMb: number; productNnz: number; agreement: number } | string {
  const probe = spawnSync("python3", ["-c", "import scipy, numpy"], { encoding: "utf8" });
  if (probe.status !== 0) return "python3 with scipy is not available";
  const dir = mkdtempSync(join(tmpdir(), "recokit-bench-"));
  const prefix = join(dir, "m");
  try {
    writeFileSync(`${prefix}.indptr`, matrix.indptr);
    writeFileSync(`${prefix}.indices`, matrix.indices);
    writeFileSync(`${prefix}.data`, Float64Array.from(matrix.data));
    const res = spawnSync(
      "python3",
      [
        join(here, "scipy_similarity.py"),
        prefix,
        String(matrix.nRows),
        String(matrix.nCols),
        String(K),
        String(runs),
      ],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    if (res.status !== 0) return `scipy run failed: ${res.stderr.slice(-300)}`;
    const out = JSON.parse(res.stdout.trim().split("\n").pop()!) as {
      ms: number;
      peakRssMb: number;
      productNnz: number;
    };
    const theirs = new Int32Array(readFileSync(`${prefix}.scipy-neighbors`).buffer.slice(0));
    return { ...out, agreement: agreement(lists, theirs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Share of rows whose neighbour sets agree exactly (order inside exact ties may differ). */
function agreement(lists: NeighborLists, theirs: Int32Array): number {
  let same = 0;
  for (let r = 0; r < lists.nRows; r++) {
    const mine = new Set(lists.indices.subarray(lists.indptr[r]!, lists.indptr[r + 1]!));
    const other = Array.from(theirs.subarray(r * K, (r + 1) * K)).filter((x) => x >= 0);
    if (other.length === mine.size && other.every((x) => mine.has(x))) same++;
  }
  return same / lists.nRows;
}

async function child(name: string): Promise<DatasetResult> {
  const loaded = name === "retail" && load(name) === "async" ? await loadRetail() : load(name);
  if (typeof loaded === "string") return { name, skipped: loaded } as DatasetResult;
  const { matrix, interactions } = loaded;
  const items = transpose(matrix);
  const runs = name === "synthetic" && !smoke ? 3 : 7;
  // the first call in a fresh process includes JIT compilation: reported apart from the warm median
  const cold = timeMedian(1, () => topKSimilarity(items, { k: K, metric: "cosine" }));
  if (name === "movielens") for (let w = 0; w < 3; w++) topKSimilarity(items, { k: K, metric: "cosine" });
  const single = timeMedian(runs, () => topKSimilarity(items, { k: K, metric: "cosine" }));
  const result: DatasetResult = {
    name,
    users: matrix.nRows,
    items: matrix.nCols,
    interactions,
    nnz: nnz(matrix),
    recokitMs: single.ms,
    recokitRuns: single.all,
    recokitColdMs: cold.ms,
    interactionsPerSec: interactions / (single.ms / 1000),
    peakRssMb: peakRssMb(),
  };
  if (name === "synthetic") {
    // paired rounds, one thread then two workers, so that both see the same state of the machine
    const rounds = smoke ? 3 : 5;
    const baseline: number[] = [];
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      topKSimilarity(items, { k: K, metric: "cosine" });
      baseline.push(performance.now() - t0);
      t0 = performance.now();
      const par = await topKSimilarityParallel(items, { k: K, metric: "cosine", workers: 2 });
      times.push(performance.now() - t0);
      if (
        r === 0 &&
        (par.indices.length !== single.result.indices.length ||
          par.indices.some((s, j) => s !== single.result.indices[j]) ||
          par.similarities.some((s, j) => s !== single.result.similarities[j]))
      ) {
        throw new Error("worker result differs from the single-threaded result");
      }
    }
    result.workersMs = median(times);
    result.workersRuns = times;
    result.workersBaselineMs = median(baseline);
    result.workersBaselineRuns = baseline;
    result.workersRatio = result.workersMs / result.workersBaselineMs;
  }
  if (name === "movielens") {
    const naive = timeMedian(1, () => naiveCosineTopK(matrix, K));
    result.naiveMs = naive.ms;
    result.naiveRatio = single.ms / naive.ms;
    const ratings = indexInteractions(
      parseMovieLensRatings(readFileSync(join(DATA, "ml-100k/u.data"), "utf8")).slice(
        0,
        smoke ? 5000 : undefined,
      ),
      { value: (r) => r.rating },
    );
    const model = fitItemKnn(ratings, { metric: "cosine", k: 50, maxNeighbors: 50 });
    const users = model.users.ids();
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < (smoke ? 200 : 2000)) {
      recommend(model, users[calls % users.length]!, { k: 10 });
      calls++;
    }
    result.recommendPerSec = calls / ((performance.now() - t0) / 1000);
  }
  result.peakRssMb = peakRssMb();
  const scipy = scipyBaseline(matrix, name === "synthetic" && !smoke ? 1 : 5, single.result);
  if (typeof scipy === "string") result.skipped = scipy;
  else {
    result.scipyMs = scipy.ms;
    result.scipyRatio = single.ms / scipy.ms;
    result.scipyPeakRssMb = scipy.peakRssMb;
    result.scipyProductNnz = scipy.productNnz;
    result.scipyAgreement = scipy.agreement;
  }
  return result;
}

function fmt(x: number | undefined, digits = 0): string {
  return x === undefined
    ? "–"
    : x.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const only = argValue("--child");
  if (only !== undefined) {
    console.log(JSON.stringify(await child(only)));
    return;
  }
  const results: DatasetResult[] = [];
  for (const name of ["movielens", "retail", "synthetic"]) {
    const res = spawnSync(
      process.execPath,
      [
        "--max-old-space-size=8192",
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        "--child",
        name,
        ...(smoke ? ["--smoke"] : []),
      ],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    if (res.status !== 0) throw new Error(`${name}: ${res.stderr}`);
    results.push(JSON.parse(res.stdout.trim().split("\n").pop()!) as DatasetResult);
  }
  console.log(
    `item–item cosine top-${K}${smoke ? " (smoke sizes)" : ""}; median wall time of warm runs (first call in the process shown apart); ratio = recokit time / baseline time (lower is better)\n`,
  );
  console.log(
    "| data set | users × items | interactions | recokit ms | first call ms | interactions/s | peak RSS MB | naive JS ms (ratio) | scipy ms (ratio) | scipy peak RSS MB | same neighbours as scipy | 2 workers ms (ratio) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    if (r.recokitMs === undefined) {
      console.log(`| ${r.name} | skipped: ${r.skipped} |`);
      continue;
    }
    console.log(
      `| ${r.name} | ${fmt(r.users)} × ${fmt(r.items)} | ${fmt(r.interactions)} | ${fmt(r.recokitMs, 1)} | ${fmt(r.recokitColdMs, 1)} | ${fmt(r.interactionsPerSec)} | ${fmt(r.peakRssMb)} | ${r.naiveMs === undefined ? "–" : `${fmt(r.naiveMs)} (${fmt(r.naiveRatio, 4)})`} | ${r.scipyMs === undefined ? `– (${r.skipped})` : `${fmt(r.scipyMs, 1)} (${fmt(r.scipyRatio, 3)})`} | ${fmt(r.scipyPeakRssMb)} | ${r.scipyAgreement === undefined ? "–" : `${fmt(100 * r.scipyAgreement, 2)}%`} | ${r.workersMs === undefined ? "–" : `${fmt(r.workersMs, 1)} (${fmt(r.workersRatio, 3)})`} |`,
    );
  }
  for (const r of results.filter((x) => x.workersMs !== undefined)) {
    const runs = (xs: readonly number[]): string => xs.map((x) => fmt(x)).join("/");
    console.log(
      `\n${r.name}: 2 workers ${fmt(r.workersMs!, 1)} ms [${runs(r.workersRuns!)}] against one thread ${fmt(r.workersBaselineMs!, 1)} ms [${runs(r.workersBaselineRuns!)}] in the same rounds: ratio ${fmt(r.workersRatio!, 3)} (target ≤ 0.6)`,
    );
  }
  const ml = results.find((r) => r.name === "movielens");
  if (ml?.recommendPerSec !== undefined)
    console.log(
      `\nrecommend() top-10 on the ML-100K item-kNN (k=50) model: ${fmt(ml.recommendPerSec)} calls/s`,
    );
  const file = writeResult("similarity", { k: K, metric: "cosine", results });
  console.log(`\nwritten ${file}`);
}

await main();
