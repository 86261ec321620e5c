import { beforeAll, describe, expect, it } from "vitest";
import {
  audit,
  type CleanTransaction,
  clean,
  cleanStream,
  formatCleaningAudit,
  formatCleaningReport,
  transactionsPreset,
} from "../../src/clean/index.js";
import { csvRecords, parseCsv } from "../../src/datasets/index.js";
import { readTextFile, streamTextFile } from "../../src/node/index.js";
import { hasSharedData, sharedPath } from "./shared-data.js";

const FILE = "online-retail/online-retail.csv.gz";
/** "drop missing customer, drop cancellations, drop non-positive quantity or price, drop exact duplicates" */
const DROP_ALL = { nonProduct: "keep" } as const;

describe.skipIf(!hasSharedData(FILE, "cleaning suite"))("cleaning the UCI Online Retail file", () => {
  let records: Record<string, string>[] = [];

  beforeAll(async () => {
    records = parseCsv(await readTextFile(sharedPath(FILE))).records;
  });

  it("audits the raw rows: the file's known defects, counted before anything is dropped", () => {
    expect(records).toHaveLength(541_909);
    const a = audit(records, transactionsPreset(DROP_ALL));
    console.log(formatCleaningAudit(a));
    expect(a.rows).toBe(541_909);
    expect(a.fields.customer!.missing).toBe(135_080);
    expect(a.fields.description!.missing).toBe(1_454);
    expect(a.fields.quantity!.negative).toBe(10_624);
    expect(a.fields.price!.zero).toBe(2_515);
    expect(a.fields.price!.negative).toBe(2);
    expect(a.exactDuplicates).toBe(5_268);
    const returns = a.checks.find((c) => c.step === "returns")!;
    expect(returns.dropped.cancellation).toBe(9_288);
    // every field was read: nothing invalid, every date in the Online Retail form
    for (const f of Object.values(a.fields)) expect(f.invalid).toBe(0);
    expect(a.fields.timestamp!.formats).toEqual({ iso: 541_909 });
    expect(new Date(a.fields.timestamp!.min!).toISOString()).toBe("2010-12-01T08:26:00.000Z");
    expect(new Date(a.fields.timestamp!.max!).toISOString()).toBe("2011-12-09T12:50:00.000Z");
  });

  it("keeps 392,692 rows with the drop-everything preset, and every dropped row has a reason", () => {
    const { rows, report } = clean(records, transactionsPreset(DROP_ALL));
    console.log(formatCleaningReport(report));
    expect(rows).toHaveLength(392_692);
    const dropped = Object.values(report.droppedByReason).reduce((a, b) => a + b, 0);
    expect(report.output + dropped).toBe(541_909);
    expect(report.droppedByReason["missing customer"]).toBe(135_080);
    const offending = rows.filter((r) => !(r.quantity > 0 && r.price > 0 && !r.invoice.startsWith("C")));
    expect(offending).toEqual([]);
    expect(new Set(rows.map((r) => r.customer)).size).toBe(4_338);
  });

  it("streams the gzip to the same rows and counts", async () => {
    const memory = clean(records, transactionsPreset(DROP_ALL));
    const stream = cleanStream(csvRecords(streamTextFile(sharedPath(FILE))), transactionsPreset(DROP_ALL));
    let kept = 0;
    let quantity = 0;
    for await (const r of stream) {
      kept++;
      quantity += r.quantity;
    }
    expect(kept).toBe(392_692);
    expect(quantity).toBe(memory.rows.reduce((s, r) => s + r.quantity, 0));
    expect(stream.report!.droppedByReason).toEqual(memory.report.droppedByReason);
  });

  it("nets returns against earlier purchases, as an independent reference does", () => {
    const options = transactionsPreset({ nonProduct: "keep", cancellations: "net" });
    const { rows, report } = clean(records, options);
    const step = report.steps.find((s) => s.step === "returns")!;
    const d = step.details as Record<string, number>;
    console.log(
      `returns netted: ${d.returnLines} return lines; ${d.fullyMatched} matched in full, ${d.partlyMatched} in part, ` +
        `${d.unmatched} unmatched (dropped); quantity ${d.quantityNetted} of ${d.quantityReturned} netted; ` +
        `${d.purchasesReduced} purchases reduced, ${d.purchasesFullyReturned} removed as fully returned`,
    );
    expect(d.fullyMatched! + d.partlyMatched! + d.unmatched!).toBe(d.returnLines);
    expect(d.quantityNetted! + d.quantityUnmatched!).toBe(d.quantityReturned);
    expect(report.output + report.dropped).toBe(541_909);

    // the rows reaching the returns step: the drop-everything pipeline up to (not including) returns
    const upstream = clean(
      records,
      transactionsPreset({ nonProduct: "keep", cancellations: "keep", nonPositive: "keep" }),
    ).rows.filter((r) => r.price > 0);
    const reference = referenceNet(upstream);
    expect(d.returnLines).toBe(reference.returnLines);
    expect(d.fullyMatched).toBe(reference.full);
    expect(d.partlyMatched).toBe(reference.part);
    expect(d.unmatched).toBe(reference.none);
    expect(rows.length).toBe(reference.kept);
    expect(rows.reduce((s, r) => s + r.quantity, 0)).toBe(reference.quantity);
  });
});

/** Netting written plainly: per (customer, item), returns in time order take from the latest earlier purchase. */
function referenceNet(lines: readonly CleanTransaction[]) {
  const groups = new Map<string, number[]>();
  lines.forEach((l, i) => {
    const key = `${l.customer}\u0000${l.item}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [i]);
    else list.push(i);
  });
  const isReturn = (l: CleanTransaction) => l.invoice.startsWith("C") || l.quantity < 0;
  const left = lines.map((l) => (isReturn(l) ? 0 : l.quantity));
  let full = 0;
  let part = 0;
  let none = 0;
  let returnLines = 0;
  const returns = lines
    .map((_, i) => i)
    .filter((i) => isReturn(lines[i]!))
    .sort((a, b) => lines[a]!.timestamp - lines[b]!.timestamp || a - b);
  for (const r of returns) {
    returnLines++;
    const ret = lines[r]!;
    const group = groups.get(`${ret.customer}\u0000${ret.item}`)!;
    let need = Math.abs(ret.quantity);
    const want = need;
    while (need > 0) {
      let best = -1;
      for (const p of group) {
        const line = lines[p]!;
        if (isReturn(line) || left[p]! <= 0 || line.timestamp > ret.timestamp) continue;
        if (
          best < 0 ||
          line.timestamp > lines[best]!.timestamp ||
          (line.timestamp === lines[best]!.timestamp && p > best)
        )
          best = p;
      }
      if (best < 0) break;
      const take = Math.min(need, left[best]!);
      left[best]! -= take;
      need -= take;
    }
    if (need === 0) full++;
    else if (need < want) part++;
    else none++;
  }
  let kept = 0;
  let quantity = 0;
  lines.forEach((l, i) => {
    if (isReturn(l) || left[i]! <= 0 || l.quantity === 0) return;
    kept++;
    quantity += left[i]!;
  });
  return { returnLines, full, part, none, kept, quantity };
}
