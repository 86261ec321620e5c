/**
 * RFM and customer value: the RFM table, scores and segments on synthetic transaction lines
 * (target: 1 million lines in ≤ 1 s) against a hand-written Map/object baseline measured in the
 * same run; k-means with silhouette and elbow; the BG/NBD + Gamma-Gamma fits and CLV.
 * `npx tsx bench/rfm.bench.ts [--smoke] [--n 1000000]`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRandom, randomNormal } from "../src/core/index.js";
import { parseCdnowSummary } from "../src/datasets/index.js";
import {
  clusterCustomers,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  RFM_SEGMENTS,
  repeatPurchaseSummary,
  rfmTable,
  scoreRfm,
  segmentRfm,
} from "../src/rfm/index.js";
import { argValue, hasFlag, peakRssMb, timeMedian, writeResult } from "./util.js";

const smoke = hasFlag("--smoke");
const nLines = Number(argValue("--n") ?? (smoke ? 20_000 : 1_000_000));
const runs = smoke ? 3 : 5;
const DAY = 86_400_000;

interface Line {
  customer: string;
  invoice: string;
  timestamp: number;
  quantity: number;
  price: number;
}

/**
 * Order lines of a year: customers drawn with a skew (a few buy often), 1–6 lines per order,
 * log-normal prices, 3% of orders returned later as "C…" credit notes. Lines of an order are
 * adjacent and orders are in time order, as in a retailer's export.
 */
function syntheticLines(n: number, seed: number): Line[] {
  const random = createRandom(seed);
  const customers = Math.max(10, Math.round(n / 10));
  const start = Date.UTC(2023, 0, 1);
  const lines: Line[] = [];
  let order = 0;
  while (lines.length < n) {
    const customer = `c${Math.floor(customers * random() ** 2)}`;
    const timestamp = start + Math.floor((lines.length / n) * 365 * DAY) + Math.floor(random() * 3_600_000);
    const invoice = `${500000 + order++}`;
    const size = 1 + Math.floor(random() * 6);
    const returned = random() < 0.03;
    for (let k = 0; k < size && lines.length < n; k++) {
      const quantity = 1 + Math.floor(random() * 5);
      const price = Math.round(Math.exp(1.2 + 0.8 * randomNormal(random)) * 100) / 100 + 0.01;
      lines.push({ customer, invoice, timestamp, quantity, price });
      if (returned && lines.length < n)
        lines.push({
          customer,
          invoice: `C${invoice}`,
          timestamp: timestamp + 7 * DAY,
          quantity: -quantity,
          price,
        });
    }
  }
  return lines;
}

/** The same pipeline as one writes it by hand: nested Maps of objects, sorts, rules per customer. */
function baseline(lines: readonly Line[]): string[] {
  const customers = new Map<string, Map<string, { total: number; time: number }>>();
  let last = Number.NEGATIVE_INFINITY;
  for (const l of lines) {
    let orders = customers.get(l.customer);
    if (orders === undefined) customers.set(l.customer, (orders = new Map()));
    const o = orders.get(l.invoice) ?? { total: 0, time: l.timestamp };
    o.total += l.quantity * l.price;
    o.time = Math.min(o.time, l.timestamp);
    orders.set(l.invoice, o);
    last = Math.max(last, l.timestamp);
  }
  const asOf = (Math.floor(last / DAY) + 1) * DAY;
  const rows: { id: string; recency: number; frequency: number; monetary: number }[] = [];
  for (const [id, orders] of customers) {
    let frequency = 0;
    let monetary = 0;
    let latest = Number.NEGATIVE_INFINITY;
    for (const o of orders.values()) {
      monetary += o.total;
      if (o.total > 0) {
        frequency++;
        latest = Math.max(latest, o.time);
      }
    }
    if (frequency > 0) rows.push({ id, recency: Math.floor((asOf - latest) / DAY), frequency, monetary });
  }
  const score = (key: "recency" | "frequency" | "monetary", reverse: boolean): Map<string, number> => {
    const sorted = [...rows].sort((a, b) => a[key] - b[key]);
    const out = new Map<string, number>();
    sorted.forEach((r, i) => {
      const bin = Math.min(5, 1 + Math.floor((5 * i) / sorted.length));
      out.set(r.id, reverse ? 6 - bin : bin);
    });
    return out;
  };
  const r = score("recency", true);
  const f = score("frequency", false);
  const m = score("monetary", false);
  return rows.map((row) => {
    const [rs, fs, ms] = [r.get(row.id)!, f.get(row.id)!, m.get(row.id)!];
    const rule = RFM_SEGMENTS.find(
      (x) =>
        rs >= x.r![0] && rs <= x.r![1] && fs >= x.f![0] && fs <= x.f![1] && ms >= x.m![0] && ms <= x.m![1],
    );
    return rule?.name ?? "Others";
  });
}

const t0 = performance.now();
const lines = syntheticLines(nLines, 7);
const generateMs = performance.now() - t0;

const table = timeMedian(runs, () => rfmTable(lines));
const scores = timeMedian(runs, () => scoreRfm(table.result));
const segments = timeMedian(runs, () => segmentRfm(scores.result));
const pipeline = timeMedian(runs, () => segmentRfm(scoreRfm(rfmTable(lines))));
const naive = timeMedian(runs, () => baseline(lines));
const nCustomers = table.result.customers.size;

// clustering on a slice of the customers (silhouette on all of them: O(n²))
const clusterSize = smoke ? 500 : 5000;
const slice = {
  ...table.result,
  recency: table.result.recency.slice(0, clusterSize),
  frequency: table.result.frequency.slice(0, clusterSize),
  monetary: table.result.monetary.slice(0, clusterSize),
};
const ks = smoke ? [2, 3] : [2, 3, 4, 5, 6, 7, 8];
const cluster = timeMedian(smoke ? 1 : 3, () => clusterCustomers(slice, { k: ks, seed: 42 }));

// customer value on the synthetic lines
const summary = timeMedian(runs, () =>
  repeatPurchaseSummary(lines, { amount: (l) => l.quantity * l.price, unit: "week" }),
);
const bg = timeMedian(smoke ? 1 : 3, () => fitBgNbd(summary.result));
const gg = timeMedian(smoke ? 1 : 3, () => fitGammaGamma(summary.result));
const clv = timeMedian(smoke ? 1 : 3, () =>
  customerLifetimeValue(bg.result, gg.result, summary.result, {
    periods: 12,
    periodLength: 4.345,
    discountRate: 0.01,
  }),
);

// BG/NBD on the published CDNOW summary, when present
const cdnowPath = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../shared/data/cdnow/cdnow_customers_summary.csv",
);
let cdnow: { ms: number; r: number; alpha: number; a: number; b: number } | null = null;
if (existsSync(cdnowPath)) {
  const rows = parseCdnowSummary(readFileSync(cdnowPath, "utf8"));
  const fit = timeMedian(smoke ? 1 : 5, () => fitBgNbd(rows));
  cdnow = { ms: fit.ms, r: fit.result.r, alpha: fit.result.alpha, a: fit.result.a, b: fit.result.b };
} else {
  console.log(`(skipping the CDNOW fit: ${cdnowPath} is absent)`);
}

const fmtMs = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
const rows: [string, string, string][] = [
  [
    `rfmTable (${nLines.toLocaleString("en")} lines → ${nCustomers.toLocaleString("en")} customers)`,
    fmtMs(table.ms),
    "",
  ],
  ["scoreRfm (quantiles, average ties)", fmtMs(scores.ms), ""],
  ["segmentRfm (11 segments)", fmtMs(segments.ms), ""],
  [
    "table + scores + segments",
    fmtMs(pipeline.ms),
    `${pipeline.ms <= 1000 ? "target ≤ 1 s: met" : "target ≤ 1 s: NOT met"} (fastest run ${fmtMs(Math.min(...pipeline.all))})`,
  ],
  [
    "hand-written Map/object baseline, same work",
    fmtMs(naive.ms),
    `${(naive.ms / pipeline.ms).toFixed(2)}× the recokit time (fastest run ${fmtMs(Math.min(...naive.all))})`,
  ],
  [
    `clusterCustomers (${clusterSize} customers, k ${ks[0]}…${ks[ks.length - 1]}, 5 restarts)`,
    fmtMs(cluster.ms),
    `k by silhouette ${cluster.result.silhouetteK}, by elbow ${cluster.result.elbowK}`,
  ],
  ["repeatPurchaseSummary (weeks)", fmtMs(summary.ms), ""],
  [
    `fitBgNbd (${nCustomers.toLocaleString("en")} customers)`,
    fmtMs(bg.ms),
    `${bg.result.iterations} iterations`,
  ],
  ["fitGammaGamma", fmtMs(gg.ms), `${gg.result.customers} repeat buyers`],
  ["customerLifetimeValue (12 monthly periods)", fmtMs(clv.ms), ""],
];
if (cdnow !== null)
  rows.push([
    "fitBgNbd, CDNOW 2,357 customers",
    fmtMs(cdnow.ms),
    `r ${cdnow.r.toFixed(4)} α ${cdnow.alpha.toFixed(3)} a ${cdnow.a.toFixed(4)} b ${cdnow.b.toFixed(4)}`,
  ]);
console.log(
  `RFM benchmark${smoke ? " (smoke)" : ""}: median of ${runs} runs; generating the lines took ${generateMs.toFixed(0)} ms`,
);
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
for (const [what, time, note] of rows) console.log(`  ${what.padEnd(w0)}  ${time.padStart(w1)}  ${note}`);
console.log(`  peak RSS ${peakRssMb()} MB (includes the ${nLines.toLocaleString("en")} line objects)`);

writeResult("rfm", {
  lines: nLines,
  customers: nCustomers,
  runs,
  tableMs: table.ms,
  scoresMs: scores.ms,
  segmentsMs: segments.ms,
  pipelineMs: pipeline.ms,
  pipelineRunsMs: pipeline.all,
  targetMs: 1000,
  targetMet: pipeline.ms <= 1000,
  baselineMs: naive.ms,
  baselineRunsMs: naive.all,
  baselineRatio: naive.ms / pipeline.ms,
  cluster: {
    customers: clusterSize,
    ks,
    ms: cluster.ms,
    silhouetteK: cluster.result.silhouetteK,
    elbowK: cluster.result.elbowK,
  },
  summaryMs: summary.ms,
  bgNbd: { ms: bg.ms, r: bg.result.r, alpha: bg.result.alpha, a: bg.result.a, b: bg.result.b },
  gammaGamma: { ms: gg.ms, p: gg.result.p, q: gg.result.q, gamma: gg.result.gamma },
  clvMs: clv.ms,
  cdnow,
  peakRssMb: peakRssMb(),
});
