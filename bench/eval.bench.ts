/**
 * Cost of the evaluation toolkit itself (not of any model) on synthetic interactions: the splitters,
 * a full ranking evaluation (every metric, 1,000 bootstrap resamples) against a recommender that
 * only looks its lists up, and the same metrics computed by a naive per-metric loop on arrays
 * (`Array.includes` membership, one pass per metric) as the baseline measured in the same run.
 * `npx tsx bench/eval.bench.ts [--smoke]`.
 */
import { syntheticInteractions } from "../src/datasets/index.js";
import {
  type EvalSplit,
  evaluateRanking,
  evaluateRatings,
  kFold,
  splitPerUser,
  splitRandom,
  splitTemporal,
} from "../src/eval/index.js";
import { hasFlag, median, peakRssMb, timeMedian, writeResult } from "./util.js";

interface Row {
  readonly user: number;
  readonly item: number;
  readonly value: number;
  readonly timestamp: number;
}

const smoke = hasFlag("--smoke");
const n = smoke ? 20_000 : 1_000_000;
const users = smoke ? 1_000 : 50_000;
const items = smoke ? 500 : 20_000;
const runs = smoke ? 2 : 5;
const K = 10;

const data = syntheticInteractions({ seed: 11, users, items, interactions: n });
const rows: Row[] = new Array(n);
for (let i = 0; i < n; i++) {
  rows[i] = {
    user: data.users[i]!,
    item: data.items[i]!,
    value: data.values[i]!,
    timestamp: data.timestamps[i]!,
  };
}
console.log(
  `eval toolkit on ${n.toLocaleString("en")} synthetic interactions (${users} users × ${items} items), median of ${runs} runs`,
);

const table: { step: string; ms: number; note: string }[] = [];
const time = <T>(step: string, note: string, fn: () => T): T => {
  const t = timeMedian(runs, fn);
  table.push({ step, ms: t.ms, note });
  return t.result;
};

time("splitRandom (20 %)", "", () => splitRandom(rows, { testRatio: 0.2, seed: 1 }));
const split = time("splitPerUser (25 %)", "", () => splitPerUser(rows, { testRatio: 0.25, seed: 1 }));
time("splitTemporal (last 2 per user)", "", () => splitTemporal(rows, { lastN: 2 }));
time("kFold (k = 5)", "all five splits", () => kFold(rows, { k: 5, seed: 1 }));

// a recommender that looks up a fixed list: the evaluation's own cost dominates
const lists = new Map<number, number[]>();
for (let u = 0; u < users; u++) {
  const list: number[] = [];
  for (let j = 0; j < K; j++) list.push((u * 31 + j * 17) % items);
  lists.set(u, list);
}
const lookup = () => (user: number | string) => lists.get(Number(user)) ?? [];

const full = time("evaluateRanking, all metrics + 1,000 bootstrap", "", () =>
  evaluateRanking(lookup, split, { k: K, excludeSeen: false, seed: 1, catalogue: items }),
);
const noBoot = time("evaluateRanking, all metrics, no bootstrap", "", () =>
  evaluateRanking(lookup, split, { k: K, excludeSeen: false, resamples: 0, catalogue: items }),
);
const naive = time("naive per-metric loops (baseline)", "P, R, NDCG, AP, RR, hit on arrays", () =>
  naiveMetrics(split),
);
time("evaluateRatings + 1,000 bootstrap", "constant predictor", () =>
  evaluateRatings(() => () => 3, split, { seed: 1 }),
);

// the naive baseline must agree with the toolkit before its time means anything
const check =
  Math.abs(naive.precision - noBoot.metrics.precision) + Math.abs(naive.ndcg - noBoot.metrics.ndcg);
if (check > 1e-9) throw new Error(`naive baseline disagrees with evaluateRanking (${check})`);

const nameWidth = Math.max(...table.map((r) => r.step.length));
console.log(`\n${"step".padEnd(nameWidth)}  median ms  note`);
for (const r of table) console.log(`${r.step.padEnd(nameWidth)}  ${r.ms.toFixed(1).padStart(9)}  ${r.note}`);
const harness = table.find((r) => r.step.startsWith("evaluateRanking, all metrics, no"))!.ms;
const baseline = table.find((r) => r.step.startsWith("naive"))!.ms;
console.log(
  `\nevaluateRanking (${full.users} users, 9 metrics + coverage) vs naive per-metric loops (6 metrics): ${(baseline / harness).toFixed(2)}× the baseline's speed`,
);
console.log(`peak RSS ${peakRssMb()} MB`);
writeResult("eval", {
  smoke,
  rows: n,
  users,
  items,
  k: K,
  runs,
  steps: table.map((r) => ({ step: r.step, medianMs: Math.round(r.ms * 10) / 10, note: r.note })),
  speedupVsNaive: baseline / harness,
  medianOfAll: median(table.map((r) => r.ms)),
  peakRssMb: peakRssMb(),
});

/** The textbook way: for each user, rebuild arrays and compute each metric in its own pass. */
function naiveMetrics(s: EvalSplit<Row>): { precision: number; ndcg: number } {
  const truth = new Map<number, number[]>();
  for (const r of s.test) {
    const t = truth.get(r.user) ?? [];
    if (!t.includes(r.item)) t.push(r.item);
    truth.set(r.user, t);
  }
  let p = 0;
  let ndcg = 0;
  let ap = 0;
  let rr = 0;
  let hit = 0;
  let recall = 0;
  for (const [user, rel] of truth) {
    const list = (lists.get(user) ?? []).slice(0, K);
    p += list.filter((i) => rel.includes(i)).length / K;
    recall += list.filter((i) => rel.includes(i)).length / rel.length;
    let dcg = 0;
    list.forEach((i, r) => {
      if (rel.includes(i)) dcg += 1 / Math.log2(r + 2);
    });
    let idcg = 0;
    for (let r = 0; r < Math.min(K, rel.length); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
    let hits = 0;
    let sum = 0;
    list.forEach((i, r) => {
      if (rel.includes(i)) sum += ++hits / (r + 1);
    });
    ap += sum / Math.min(K, rel.length);
    const first = list.findIndex((i) => rel.includes(i));
    rr += first < 0 ? 0 : 1 / (first + 1);
    hit += first < 0 ? 0 : 1;
  }
  void ap;
  void rr;
  void hit;
  void recall;
  return { precision: p / truth.size, ndcg: ndcg / truth.size };
}
