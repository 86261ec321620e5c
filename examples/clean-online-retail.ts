/**
 * Cleaning shop transactions with an account of every row, on the committed sample of the UCI Online
 * Retail data (examples/data/online-retail-sample.csv: 3,076 real lines chosen to carry every kind of
 * dirt; Daqing Chen, Sai Liang Sain, Kun Guo (2012). Data mining for the online retail industry. UCI
 * Machine Learning Repository, Online Retail, CC BY 4.0).
 *
 *   npx tsx examples/clean-online-retail.ts                 # the sample
 *   npx tsx examples/clean-online-retail.ts path/to/file.csv.gz   # any file of that shape
 *
 * It audits the raw rows, cleans them with the transactions preset (dropping), cleans them again
 * netting returns against earlier purchases, and explains what happened to a few rows.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  audit,
  clean,
  explainCleaningRow,
  formatCleaningAudit,
  formatCleaningReport,
  transactionsPreset,
} from "../src/clean/index.js";
import { parseCsv } from "../src/datasets/index.js";
import { readTextFile } from "../src/node/index.js";

const file =
  process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "data/online-retail-sample.csv");
const started = performance.now();
const { records } = parseCsv(await readTextFile(file));
console.log(`read ${records.length.toLocaleString("en")} lines from ${file}\n`);

// 1. what is wrong with the raw data, before anything is dropped
console.log(formatCleaningAudit(audit(records, transactionsPreset())));

// 2. the default preset: drop lines without a customer, exact duplicates, postage and fee lines,
//    non-positive prices, cancellations and returns, non-positive quantities
const dropped = clean(records, transactionsPreset({ details: "indices" }));
console.log(`\n${formatCleaningReport(dropped.report)}`);
console.log("\nfirst cleaned rows:");
for (const row of dropped.rows.slice(0, 3)) console.log(`  ${JSON.stringify(row)}`);

// 3. the same data with returns netted against the customer's earlier purchases of the item
const netted = clean(records, transactionsPreset({ cancellations: "net" }));
const returns = netted.report.steps.find((s) => s.step === "returns")!.details as Record<string, number>;
console.log(
  `\nnetting: ${returns.returnLines} return lines, ${returns.fullyMatched} matched in full, ` +
    `${returns.partlyMatched} in part, ${returns.unmatched} without an earlier purchase (dropped); ` +
    `${returns.purchasesReduced} purchases reduced, ${returns.purchasesFullyReturned} fully returned; ` +
    `${netted.rows.length.toLocaleString("en")} rows kept`,
);

// 4. any input row can be traced: here, the first row dropped for each reason
console.log("\nwhat happened to…");
for (const step of dropped.report.steps) {
  for (const [reason, indices] of Object.entries(step.droppedIndices ?? {})) {
    const index = indices[0]!;
    const story = explainCleaningRow(dropped.report, index);
    const r = records[index]!;
    console.log(
      `  line ${index + 2} (${r.InvoiceNo} ${r.StockCode} qty ${r.Quantity} price ${r.UnitPrice}): ${story.status} by "${story.droppedBy?.step}" — ${reason}`,
    );
  }
}
const changed = dropped.report.steps[0]!.modifiedIndices!["description normalised"] ?? new Int32Array(0);
for (const index of changed) {
  const story = explainCleaningRow(dropped.report, index);
  if (story.status !== "kept") continue;
  const changes = story.changes.map((c) => c.reason).join(", ");
  console.log(`  line ${index + 2}: kept as output row ${story.outputIndex}, changed: ${changes}`);
  break;
}
console.log(`\ndone in ${(performance.now() - started).toFixed(0)} ms`);
