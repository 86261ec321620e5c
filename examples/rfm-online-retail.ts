/**
 * RFM segmentation, customer clusters and customer lifetime value on the UCI Online Retail data
 * (Daqing Chen, Sai Liang Sain, Kun Guo (2012). Data mining for the online retail industry. UCI
 * Machine Learning Repository, Online Retail, CC BY 4.0), read from ../shared/data when present;
 * otherwise on a synthetic shop's order lines. Run with `npx tsx examples/rfm-online-retail.ts`.
 *
 * Cleaning uses the transactions preset with the reference definition behind the published
 * 4,338-customer figure: customer id present, cancellations and lines with quantity ≤ 0 or
 * price ≤ 0 dropped (exact duplicate lines are dropped too; postage and fee lines are kept, as
 * in that definition).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { clean, transactionsPreset } from "../src/clean/index.js";
import { parseCsv, syntheticShop } from "../src/datasets/index.js";
import { readTextFile } from "../src/node/index.js";
import {
  clusterCustomers,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  RF_GRID_SEGMENTS,
  repeatPurchaseSummary,
  rfmTable,
  type SegmentSummary,
  scoreRfm,
  segmentRfm,
  summarizeSegments,
} from "../src/rfm/index.js";

const DATA = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../shared/data/online-retail/online-retail.csv.gz",
);

/** Prints rows as an aligned text table. */
function printTable(rows: readonly Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const cell = (v: string | number | undefined) =>
    typeof v === "number" ? v.toLocaleString("en") : (v ?? "");
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c])).length)));
  const line = (values: string[]) =>
    values.map((v, j) => (j === 0 ? v.padEnd(widths[j]!) : v.padStart(widths[j]!))).join("  ");
  console.log(line(columns));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => String(cell(r[c])))));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const money = (x: number | null) => (x === null ? "–" : x.toFixed(0));
const one = (x: number | null) => (x === null ? "–" : x.toFixed(1));

function summaryRows(rows: readonly SegmentSummary[]): Record<string, string | number>[] {
  return rows.map((s) => ({
    segment: s.segment,
    customers: s.customers,
    share: pct(s.share),
    revenue: pct(s.revenueShare),
    "recency (d)": one(s.meanRecency),
    orders: one(s.meanFrequency),
    "spend £": money(s.meanMonetary),
    "order £": money(s.averageOrderValue),
  }));
}

async function loadRows(): Promise<{ source: string; raw: object[] }> {
  if (existsSync(DATA)) {
    const { records } = parseCsv(await readTextFile(DATA));
    return { source: "UCI Online Retail (CC BY 4.0)", raw: records };
  }
  console.log(`(${DATA} is absent: using a synthetic shop's order lines instead)`);
  const shop = syntheticShop({ seed: 42, users: 2_000, items: 800, events: 120_000, days: 365, dirt: true });
  return { source: "synthetic shop (seed 42)", raw: shop.orders.map((o) => ({ ...o })) };
}

const started = performance.now();
const { source, raw } = await loadRows();
const { rows, report } = clean(raw, transactionsPreset({ nonProduct: "keep" }));
console.log(
  `${source}: ${report.input.toLocaleString("en")} lines, ${report.output.toLocaleString("en")} kept`,
);
console.log(`  dropped: ${JSON.stringify(report.droppedByReason)}`);

// 1. RFM table, scores, segments
const table = rfmTable(rows);
const scores = scoreRfm(table);
console.log(
  `\nRFM table: ${table.customers.size.toLocaleString("en")} customers, ${table.report.orders.toLocaleString("en")} orders, reference date ${new Date(table.asOf).toISOString().slice(0, 10)}`,
);
console.log("score levels (quantiles of average ranks): values behind each score 1 … 5");
for (const d of ["recency", "frequency", "monetary"] as const) {
  const levels = scores.bounds[d].map((b) => (b === null ? "–" : `${b[0].toFixed(0)}–${b[1].toFixed(0)}`));
  console.log(`  ${d.padEnd(9)} ${levels.join(" | ")}`);
}

const segments = segmentRfm(scores);
const segmentSummary = summarizeSegments(table, segments, { scores });
console.log("\n11-segment R/F/M map");
printTable(summaryRows(segmentSummary));
console.log("\nsuggested actions");
for (const s of segmentSummary)
  if (s.customers > 0) console.log(`  ${s.segment.padEnd(19)} ${s.action ?? "–"}`);

console.log("\n10-segment R × F grid");
printTable(summaryRows(summarizeSegments(table, segmentRfm(scores, { map: RF_GRID_SEGMENTS }))));

// 2. k-means on log-transformed, standardised R, F, M
const clusters = clusterCustomers(table, { seed: 42 });
console.log(
  `\nk-means (k-means++, seed 42, transforms: ${clusters.features.map((f) => `${f.dimension} ${f.transform}`).join(", ")})`,
);
printTable(
  clusters.candidates.map((c) => ({
    k: c.k,
    inertia: c.inertia.toFixed(0),
    silhouette: c.silhouette.toFixed(3),
  })),
);
console.log(
  `silhouette picks k = ${clusters.silhouetteK}; the elbow of the inertia curve is at k = ${clusters.elbowK}`,
);
for (const k of [clusters.silhouetteK, clusters.elbowK].filter((v, i, a) => a.indexOf(v) === i)) {
  const run = k === clusters.k ? clusters : clusterCustomers(table, { k, seed: 42 });
  console.log(`\ncluster profiles, k = ${k}`);
  printTable(
    summarizeSegments(table, run).map((s, g) => ({
      ...summaryRows([s])[0]!,
      profile: run.groups[g]?.description ?? "",
    })),
  );
}

// 3. customer value: BG/NBD + Gamma-Gamma on daily purchase occasions, 12 months ahead
const summary = repeatPurchaseSummary(rows, { amount: (r) => r.quantity * r.price });
const purchases = fitBgNbd(summary);
const spend = fitGammaGamma(summary);
console.log(
  `\nBG/NBD (days): r ${purchases.r.toFixed(3)}, α ${purchases.alpha.toFixed(2)}, a ${purchases.a.toFixed(4)}, b ${purchases.b.toFixed(3)}`,
);
console.log(
  `Gamma-Gamma: p ${spend.p.toFixed(3)}, q ${spend.q.toFixed(3)}, γ ${spend.gamma.toFixed(1)} (${spend.customers} repeat buyers; corr(frequency, spend) ${spend.frequencyMonetaryCorrelation.toFixed(3)})`,
);
const value = customerLifetimeValue(purchases, spend, summary, {
  periods: 12,
  periodLength: 30,
  discountRate: 0.01,
});
const order = Array.from(value.clv.keys()).sort((a, b) => value.clv[b]! - value.clv[a]!);
console.log("\ntop 10 customers by 12-month CLV (1% monthly discount)");
printTable(
  order.slice(0, 10).map((i) => ({
    customer: String(summary.customers.idAt(i)),
    "repeat days": summary.frequency[i]!,
    "P(alive)": value.probabilityAlive[i]!.toFixed(3),
    "purchases 12m": value.expectedPurchases[i]!.toFixed(1),
    "order £": value.expectedOrderValue[i]!.toFixed(0),
    "CLV £": value.clv[i]!.toFixed(0),
  })),
);
let total = 0;
for (const v of value.clv) total += v;
console.log(`total expected 12-month value: £${total.toFixed(0)}`);
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
