import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCdnowSummary, parseCdnowTransactions, parseCsv } from "../../src/datasets/index.js";
import { readTextFile } from "../../src/node/index.js";
import {
  calibrationHoldoutSummary,
  clusterCustomers,
  customerLifetimeValue,
  fitBgNbd,
  fitGammaGamma,
  predictBgNbd,
  RFM_SEGMENTS,
  repeatPurchaseSummary,
  rfmTable,
  scoreRfm,
  segmentRfm,
  summarizeSegments,
} from "../../src/rfm/index.js";
import { hasSharedData, sharedPath } from "./shared-data.js";

const fmt = (x: number, digits = 4) => x.toFixed(digits);

describe.skipIf(!hasSharedData("cdnow/cdnow_customers_summary.csv", "BG/NBD CDNOW summary suite"))(
  "BG/NBD on the CDNOW 1/10 sample (Fader, Hardie & Lee 2005)",
  () => {
    it("recovers the published r, α, a, b within 1% and the published log-likelihood", () => {
      const rows = parseCdnowSummary(readFileSync(sharedPath("cdnow/cdnow_customers_summary.csv"), "utf8"));
      expect(rows).toHaveLength(2357);
      const t0 = performance.now();
      const model = fitBgNbd(rows);
      const ms = performance.now() - t0;
      console.log(
        `CDNOW BG/NBD: r ${fmt(model.r)} α ${fmt(model.alpha)} a ${fmt(model.a)} b ${fmt(model.b)} ` +
          `LL ${model.logLikelihood.toFixed(2)} (${model.iterations} iterations, ${ms.toFixed(0)} ms)`,
      );
      const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
      for (const k of ["r", "alpha", "a", "b"] as const) {
        expect(Math.abs(model[k] / published[k] - 1), k).toBeLessThan(0.01);
      }
      expect(model.converged).toBe(true);
      // standard errors as the lifetimes library prints them for this fit: 0.01, 0.38, 0.19, 0.71
      const se = model.standardErrors!;
      console.log(`standard errors: r ${fmt(se.r)} α ${fmt(se.alpha)} a ${fmt(se.a)} b ${fmt(se.b)}`);
      expect(Math.round(se.r * 100) / 100).toBe(0.01);
      expect(Math.round(se.alpha * 100) / 100).toBe(0.38);
      expect(Math.round(se.a * 100) / 100).toBe(0.19);
      expect(Math.round(se.b * 100) / 100).toBe(0.71);
      // the paper reports LL = −9582.4 at the estimate
      expect(model.logLikelihood).toBeCloseTo(-9582.4, 1);
    });
  },
);

describe.skipIf(!hasSharedData("cdnow/CDNOW_master.txt", "CDNOW full cohort suite"))(
  "customer value on the full CDNOW cohort (23,570 customers), 39-week calibration and holdout",
  () => {
    it("fits BG/NBD and Gamma-Gamma on the calibration period and forecasts the holdout", () => {
      const purchases = parseCdnowTransactions(readFileSync(sharedPath("cdnow/CDNOW_master.txt"), "utf8"));
      expect(purchases).toHaveLength(69_659);
      const split = calibrationHoldoutSummary(purchases, {
        customer: (p) => p.customer,
        timestamp: (p) => p.timestamp,
        amount: (p) => p.dollars,
        calibrationEnd: Date.UTC(1997, 8, 30),
        observationEnd: Date.UTC(1998, 5, 30),
        unit: "week",
      });
      const cal = split.calibration;
      // 23,570 = 23,500 with a calibration purchase + 2 first buying in the holdout + 68 with only $0 purchases
      expect(
        cal.customers.size + split.newInHoldout.length + cal.report.customersWithoutPurchase.length,
      ).toBe(23_570);
      expect(split.holdout.duration).toBe(39);
      const bg = fitBgNbd(cal);
      const gg = fitGammaGamma(cal);
      const forecast = predictBgNbd(bg, cal, split.holdout.duration);
      let predicted = 0;
      let actual = 0;
      for (let i = 0; i < cal.customers.size; i++) {
        predicted += forecast.expectedPurchases[i]!;
        actual += split.holdout.frequency[i]!;
      }
      console.log(
        `CDNOW cohort: ${cal.customers.size} customers; BG/NBD r ${fmt(bg.r)} α ${fmt(bg.alpha)} a ${fmt(bg.a)} b ${fmt(bg.b)}; ` +
          `Gamma-Gamma p ${fmt(gg.p)} q ${fmt(gg.q)} γ ${fmt(gg.gamma)} (corr(x, m̄) ${fmt(gg.frequencyMonetaryCorrelation, 3)}); ` +
          `holdout purchase days predicted ${predicted.toFixed(0)} vs actual ${actual} (ratio ${fmt(predicted / actual, 3)})`,
      );
      expect(bg.converged && gg.converged).toBe(true);
      // the full cohort behaves like its 1/10 sample: parameters within 15% of the sample's
      expect(Math.abs(bg.r / 0.243 - 1)).toBeLessThan(0.15);
      expect(Math.abs(bg.alpha / 4.414 - 1)).toBeLessThan(0.15);
      // a stationary model under-forecasts a holdout that contains the holiday season; it stays within 20%
      expect(predicted / actual).toBeGreaterThan(0.8);
      expect(predicted / actual).toBeLessThan(1.2);
    });
  },
);

interface RetailLine {
  customer: string;
  invoice: string;
  timestamp: number;
  quantity: number;
  price: number;
}

/**
 * Online Retail cleaned by the reference definition, with the raw rows filtered directly (the
 * cleaning module's preset applies further rules, e.g. duplicate removal): customer id present,
 * invoice not a cancellation ("C…"), quantity > 0, price > 0. Dates are UTC.
 */
function onlineRetail(): Promise<RetailLine[]> {
  retailLines ??= loadOnlineRetail();
  return retailLines;
}
let retailLines: Promise<RetailLine[]> | undefined;

async function loadOnlineRetail(): Promise<RetailLine[]> {
  const { records } = parseCsv(await readTextFile(sharedPath("online-retail/online-retail.csv.gz")));
  const out: RetailLine[] = [];
  for (const r of records) {
    const quantity = Number(r.Quantity);
    const price = Number(r.UnitPrice);
    if (r.CustomerID === "" || r.InvoiceNo?.startsWith("C") || !(quantity > 0) || !(price > 0)) continue;
    const [date, time] = (r.InvoiceDate ?? "").split(" ");
    const [y, mo, d] = (date ?? "").split("-").map(Number);
    const [h, mi, s] = (time ?? "").split(":").map(Number);
    out.push({
      customer: String(Number(r.CustomerID)),
      invoice: r.InvoiceNo ?? "",
      timestamp: Date.UTC(y!, mo! - 1, d!, h!, mi!, s ?? 0),
      quantity,
      price,
    });
  }
  return out;
}

describe.skipIf(!hasSharedData("online-retail/online-retail.csv.gz", "RFM Online Retail suite"))(
  "RFM on UCI Online Retail (Chen, Sain & Guo 2012, CC BY 4.0)",
  () => {
    it("builds the 4,338-customer table with reference date 2011-12-10, segments and clusters it", async () => {
      const lines = await onlineRetail();
      const t0 = performance.now();
      const table = rfmTable(lines);
      const scores = scoreRfm(table);
      const segments = segmentRfm(scores);
      const ms = performance.now() - t0;
      expect(table.customers.size).toBe(4338);
      expect(new Date(table.asOf).toISOString()).toBe("2011-12-10T00:00:00.000Z");
      console.log(
        `Online Retail: ${lines.length} lines → ${table.customers.size} customers, ${table.report.orders} orders (table + scores + segments ${ms.toFixed(0)} ms)`,
      );

      const summary = summarizeSegments(table, segments, { scores });
      console.table(
        summary.map((s) => ({
          segment: s.segment,
          customers: s.customers,
          share: fmt(s.share, 3),
          revenueShare: fmt(s.revenueShare, 3),
          recency: s.meanRecency?.toFixed(1),
          frequency: s.meanFrequency?.toFixed(2),
          monetary: s.meanMonetary?.toFixed(0),
        })),
      );
      expect(summary.reduce((n, s) => n + s.customers, 0)).toBe(4338);
      for (const rule of RFM_SEGMENTS) {
        expect(summary.find((s) => s.segment === rule.name)!.customers, rule.name).toBeGreaterThan(0);
      }
      const champions = summary.find((s) => s.segment === "Champions")!;
      const lost = summary.find((s) => s.segment === "Lost")!;
      expect(champions.meanMonetary!).toBeGreaterThan(lost.meanMonetary!);
      expect(champions.meanRecency!).toBeLessThan(lost.meanRecency!);

      const clusters = clusterCustomers(table, { seed: 42 });
      console.log(
        `k-means: silhouette picks k = ${clusters.silhouetteK}, elbow picks k = ${clusters.elbowK}; ` +
          clusters.candidates
            .map((c) => `k ${c.k}: inertia ${c.inertia.toFixed(0)}, silhouette ${fmt(c.silhouette, 3)}`)
            .join("; "),
      );
      const again = clusterCustomers(table, { seed: 42 });
      expect(Array.from(again.groupOf)).toEqual(Array.from(clusters.groupOf));
      const profiles = summarizeSegments(table, clusters);
      expect(profiles.reduce((n, s) => n + s.customers, 0)).toBe(4338);
      // cluster 1 is the most valuable by construction of the numbering
      expect(profiles[0]!.meanMonetary!).toBeGreaterThan(profiles[profiles.length - 1]!.meanMonetary!);
    });

    it("fits BG/NBD and Gamma-Gamma on daily occasions and values every customer without NaN", async () => {
      const lines = await onlineRetail();
      const summary = repeatPurchaseSummary(lines, { amount: (l) => l.quantity * l.price });
      expect(summary.customers.size).toBe(4338);
      const bg = fitBgNbd(summary);
      const gg = fitGammaGamma(summary);
      console.log(
        `Online Retail (days): BG/NBD r ${fmt(bg.r)} α ${fmt(bg.alpha)} a ${fmt(bg.a)} b ${fmt(bg.b)}; ` +
          `Gamma-Gamma p ${fmt(gg.p)} q ${fmt(gg.q)} γ ${fmt(gg.gamma)} on ${gg.customers} repeat buyers`,
      );
      expect(bg.converged && gg.converged).toBe(true);
      const value = customerLifetimeValue(bg, gg, summary, {
        periods: 12,
        periodLength: 30,
        discountRate: 0.01,
      });
      for (let i = 0; i < summary.customers.size; i++) {
        expect(Number.isFinite(value.clv[i]!)).toBe(true);
        expect(value.probabilityAlive[i]!).toBeGreaterThan(0);
        expect(value.probabilityAlive[i]!).toBeLessThanOrEqual(1);
      }
    });
  },
);
