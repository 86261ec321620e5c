import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  audit,
  type CleaningReport,
  type CleanTransaction,
  clean,
  eventsPreset,
  transactionsPreset,
} from "../../src/clean/index.js";
import { type SyntheticOrderLine, syntheticShop } from "../../src/datasets/index.js";
import { deepFreeze } from "../helpers.js";

/** Order lines as a retailer would export them: all text, float-text customer ids. */
interface ExportedLine {
  readonly InvoiceNo: string;
  readonly StockCode: string;
  readonly Description: string;
  readonly Quantity: string;
  readonly InvoiceDate: string;
  readonly UnitPrice: string;
  readonly CustomerID: string;
  readonly Country: string;
}

function exported(orders: readonly SyntheticOrderLine[]): ExportedLine[] {
  return orders.map((o) => ({
    InvoiceNo: o.invoice,
    StockCode: o.item,
    Description: o.description,
    Quantity: String(o.quantity),
    InvoiceDate: new Date(o.timestamp).toISOString().slice(0, 19).replace("T", " "),
    UnitPrice: String(o.price),
    CustomerID: o.customer === null ? "" : `${o.customer.slice(1)}.0`,
    Country: o.country,
  }));
}

/** The accounting identities, checked independently of the library's own check. */
function expectBalanced(report: CleaningReport): void {
  let expectedIn = report.input;
  let dropped = 0;
  for (const s of report.steps) {
    const d = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    expect(s.input).toBe(expectedIn);
    expect(s.input).toBe(s.output + d);
    expectedIn = s.output;
    dropped += d;
  }
  expect(report.output).toBe(expectedIn);
  expect(report.input).toBe(report.output + dropped);
  expect(Object.values(report.droppedByReason).reduce((a, b) => a + b, 0)).toBe(dropped);
}

const dirtArb = fc.record({
  duplicates: fc.double({ min: 0, max: 0.1, noNaN: true }),
  missingIds: fc.double({ min: 0, max: 0.3, noNaN: true }),
  returns: fc.double({ min: 0, max: 0.2, noNaN: true }),
  nonProduct: fc.double({ min: 0, max: 0.1, noNaN: true }),
  zeroPrice: fc.double({ min: 0, max: 0.05, noNaN: true }),
  outliers: fc.double({ min: 0, max: 0.02, noNaN: true }),
  bots: fc.integer({ min: 0, max: 3 }),
});

const shopArb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), dirt: dirtArb });
type Dirt = typeof dirtArb extends fc.Arbitrary<infer D> ? D : never;
const makeShop = ({ seed, dirt }: { seed: number; dirt: Dirt }) =>
  syntheticShop({ seed, users: 30, items: 40, events: 1200, days: 30, dirt });

describe("cleaning synthetic dirty shops (ground truth from the generator)", () => {
  it("balances its accounts and never touches the input, whatever the dirt and the steps (property)", () => {
    fc.assert(
      fc.property(
        shopArb,
        fc.constantFrom("drop", "net") as fc.Arbitrary<"drop" | "net">,
        fc.constantFrom("drop", "keep") as fc.Arbitrary<"drop" | "keep">,
        (spec, cancellations, unmatchedReturns) => {
          const shop = makeShop(spec);
          const raw = deepFreeze(exported(shop.orders));
          const before = JSON.stringify(raw);
          const { rows, report } = clean(
            raw,
            transactionsPreset({
              cancellations,
              unmatchedReturns,
              extraSteps: [
                // kept returns have negative quantities, which have no log1p
                {
                  step: "outliers",
                  field: "quantity",
                  method: "mad",
                  action: "flag",
                  transform: unmatchedReturns === "keep" ? "none" : "log1p",
                },
                { step: "kcore", user: "customer", minPerUser: 2, minPerItem: 2 },
              ],
            }),
          );
          expectBalanced(report);
          expect(rows).toHaveLength(report.output);
          expect(JSON.stringify(raw)).toBe(before);
          const events = deepFreeze(shop.events.map((e) => ({ ...e })));
          const ev = clean(events, eventsPreset({ noDwell: {}, kcore: { minPerUser: 2, minPerItem: 2 } }));
          expectBalanced(ev.report);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("keeps exactly the rows a plain reference filter keeps (property)", () => {
    fc.assert(
      fc.property(shopArb, (spec) => {
        const raw = exported(makeShop(spec).orders);
        const seen = new Set<string>();
        const expected = raw.filter((r) => {
          const key = JSON.stringify(Object.values(r));
          if (r.CustomerID === "" || seen.has(key)) return false;
          seen.add(key);
          return (
            Number(r.UnitPrice) > 0 &&
            Number(r.Quantity) > 0 &&
            !r.InvoiceNo.startsWith("C") &&
            !["POST", "DOT", "C2", "M", "D", "S", "B", "CRUK", "AMAZONFEE", "BANK CHARGES"].includes(
              r.StockCode.toUpperCase(),
            )
          );
        });
        const { rows } = clean(raw, transactionsPreset());
        expect(rows.map((r) => [r.invoice, r.item, r.quantity, r.timestamp])).toEqual(
          expected.map((r) => [
            r.InvoiceNo,
            r.StockCode,
            Number(r.Quantity),
            Date.parse(`${r.InvoiceDate.replace(" ", "T")}Z`),
          ]),
        );
      }),
      { numRuns: 25 },
    );
  });

  it("audits what the generator injected", () => {
    for (const seed of [1, 2, 3]) {
      const shop = syntheticShop({
        seed,
        users: 60,
        items: 80,
        events: 6000,
        dirt: { duplicates: 0.03, bots: 2 },
      });
      const raw = exported(shop.orders);
      const a = audit(raw, transactionsPreset());
      // an injected duplicate is a verbatim copy; natural copies would need the same second, item and quantity
      expect(a.exactDuplicates).toBe(shop.dirt.duplicateOrderLines);
      expect(a.fields.customer!.missing).toBe(shop.orders.filter((o) => o.customer === null).length);
      expect(a.fields.customer!.normalised).toBe(raw.length - a.fields.customer!.missing);
      const returns = a.checks.find((c) => c.step === "returns")!;
      expect(returns.dropped.cancellation).toBe(shop.orders.filter((o) => o.invoice.startsWith("C")).length);
      expect(returns.dropped.cancellation).toBeGreaterThanOrEqual(shop.dirt.returnLines);
      const nonProduct = a.checks.find((c) => c.step === "nonProduct")!;
      expect(nonProduct.dropped["non-product line"]).toBe(
        shop.orders.filter((o) => o.item === "POST").length,
      );
      expect(a.fields.price!.zero).toBe(shop.orders.filter((o) => o.price === 0).length);
    }
  });

  it("finds exactly the injected bots with the default rule (property)", () => {
    fc.assert(
      fc.property(shopArb, (spec) => {
        const shop = makeShop(spec);
        const { rows, report } = clean(shop.events, eventsPreset());
        const bots = report.steps.find((s) => s.step === "bots")!;
        const found = (bots.details.users as { user: string; events: number }[]).map((u) => u.user).sort();
        expect(found).toEqual([...shop.dirt.botUsers].sort());
        expect(rows.some((r) => shop.dirt.botUsers.includes(r.user))).toBe(false);
        const botRows = (bots.details.users as { events: number }[]).reduce((a, u) => a + u.events, 0);
        expect(bots.dropped["bot (event rate)"] ?? 0).toBe(botRows);
      }),
      { numRuns: 20 },
    );
  });

  it("leaves no exact copies, no missing users and no repeats inside the window (property)", () => {
    fc.assert(
      fc.property(shopArb, (spec) => {
        const { rows } = clean(makeShop(spec).events, eventsPreset({ bots: false }));
        const exact = new Set(rows.map((r) => JSON.stringify(r)));
        expect(exact.size).toBe(rows.length);
        const last = new Map<string, number>();
        for (const r of [...rows].sort((a, b) => a.timestamp - b.timestamp)) {
          expect(r.user).not.toBeNull();
          const key = `${r.user}|${r.item}|${r.type}`;
          const prev = last.get(key);
          if (prev !== undefined) expect(r.timestamp - prev).toBeGreaterThan(2000);
          last.set(key, r.timestamp);
        }
      }),
      { numRuns: 20 },
    );
  });
});

/** Netting by brute force: each return, in time order, takes from the latest earlier purchase. */
function referenceNet(lines: readonly CleanTransaction[]): {
  quantities: Map<number, number>;
  unmatched: number;
} {
  const quantities = new Map<number, number>();
  lines.forEach((l, i) => {
    if (l.quantity > 0 && !l.invoice.startsWith("C")) quantities.set(i, l.quantity);
  });
  const returns = lines
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.invoice.startsWith("C") || l.quantity < 0)
    .sort((a, b) => a.l.timestamp - b.l.timestamp || a.i - b.i);
  let unmatched = 0;
  for (const { l } of returns) {
    let need = Math.abs(l.quantity);
    while (need > 0) {
      let best = -1;
      for (const [i, left] of quantities) {
        const p = lines[i]!;
        if (left <= 0 || p.customer !== l.customer || p.item !== l.item || p.timestamp > l.timestamp)
          continue;
        if (
          best < 0 ||
          p.timestamp > lines[best]!.timestamp ||
          (p.timestamp === lines[best]!.timestamp && i > best)
        )
          best = i;
      }
      if (best < 0) break;
      const take = Math.min(need, quantities.get(best)!);
      quantities.set(best, quantities.get(best)! - take);
      need -= take;
    }
    if (need > 0 && need === Math.abs(l.quantity)) unmatched++;
  }
  return { quantities, unmatched };
}

describe("netting returns on synthetic shops", () => {
  it("agrees with a brute-force reference (property)", () => {
    fc.assert(
      fc.property(shopArb, (spec) => {
        const raw = exported(makeShop(spec).orders);
        // everything up to the returns step, then the netting step alone
        const upstream = clean(
          raw,
          transactionsPreset({ cancellations: "keep", nonPositive: "keep" }),
        ).rows.filter((r) => r.price > 0);
        const { rows, report } = clean(upstream, {
          steps: [{ step: "returns", action: "net" }],
          details: "indices",
        });
        const { quantities, unmatched } = referenceNet(upstream);
        const expected = [...quantities]
          .filter(([, q]) => q > 0)
          .sort((a, b) => a[0] - b[0])
          .map(([i, q]) => ({ ...upstream[i]!, quantity: q }));
        expect(rows).toEqual(expected);
        expect(report.steps[0]!.details.unmatched).toBe(unmatched);
      }),
      { numRuns: 25 },
    );
  });
});
