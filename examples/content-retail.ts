/**
 * "Similar products" two ways on the UCI Online Retail data (Daqing Chen, Sai Liang Sain, Kun Guo
 * (2012). Data mining for the online retail industry. UCI Machine Learning Repository, Online Retail,
 * CC BY 4.0): by product description (content: TF-IDF over the words of the description, cosine,
 * through the similarity core) beside by co-purchase (item-kNN: cosine over the customers who
 * bought each product). Prints both lists for the five products bought by the most customers.
 *
 * Content needs no purchase history, so it also works for a product added today. The two disagree
 * usefully: for REGENCY CAKESTAND 3 TIER, co-purchase finds what goes with it (ROSES REGENCY TEACUP
 * AND SAUCER), content finds other versions of the same thing (SWEETHEART CAKESTAND 3 TIER). Run with
 * `npx tsx examples/content-retail.ts` (reads ../shared/data; skips when absent).
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fitItemKnn, similarItems } from "../src/cf/index.js";
import { clean, transactionsPreset } from "../src/clean/index.js";
import { ENGLISH_STOP_WORDS, fitContent, similarItemsContent } from "../src/content/index.js";
import { parseCsv } from "../src/datasets/index.js";
import { readTextFile } from "../src/node/index.js";

const DATA = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../shared/data/online-retail/online-retail.csv.gz",
);
if (!existsSync(DATA)) {
  console.log(
    `[skip] content-retail: ${DATA} is absent (Online Retail lives in ../shared/data/online-retail)`,
  );
  process.exit(0);
}

const started = performance.now();
const { rows, report } = clean(parseCsv(await readTextFile(DATA)).records, transactionsPreset());
console.log(
  `UCI Online Retail: ${report.input.toLocaleString("en")} lines, ${report.output.toLocaleString("en")} kept after cleaning`,
);

/** Products with their most frequent description, and the customers who bought each. */
const descriptions = new Map<string, Map<string, number>>();
const buyers = new Map<string, Set<string>>();
for (const r of rows) {
  if (r.description !== null) {
    const counts = descriptions.get(r.item) ?? new Map<string, number>();
    counts.set(r.description, (counts.get(r.description) ?? 0) + 1);
    descriptions.set(r.item, counts);
  }
  const set = buyers.get(r.item) ?? new Set<string>();
  set.add(r.customer);
  buyers.set(r.item, set);
}
const products = [...buyers.keys()].map((id) => {
  const counts = descriptions.get(id);
  const description =
    counts === undefined ? "" : [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  return { id, description };
});
const title = new Map(products.map((p) => [p.id, p.description]));

const t0 = performance.now();
const content = fitContent(products, {
  fields: [
    { kind: "text", name: "description", tokenizer: { stopWords: [...ENGLISH_STOP_WORDS], numbers: "drop" } },
  ],
  neighbors: 10,
});
const contentMs = performance.now() - t0;
const t1 = performance.now();
const copurchase = fitItemKnn(
  rows.map((r) => ({ user: r.customer, item: r.item })),
  { metric: "cosine", maxNeighbors: 10, duplicates: "max" },
);
const cfMs = performance.now() - t1;
console.log(
  `${products.length.toLocaleString("en")} products, ${content.features.size.toLocaleString("en")} description terms; content model + neighbours ${contentMs.toFixed(0)} ms, co-purchase item-kNN ${cfMs.toFixed(0)} ms`,
);

const best = products
  .map((p) => ({ id: p.id, customers: buyers.get(p.id)!.size }))
  .sort((a, b) => b.customers - a.customers || (a.id < b.id ? -1 : 1))
  .slice(0, 5);
const cell = (id: string | number, score: number): string =>
  `${String(title.get(String(id)) ?? id)
    .slice(0, 34)
    .padEnd(34)} ${score.toFixed(2)}`;
for (const { id, customers } of best) {
  console.log(`\n${id} ${title.get(id)} (bought by ${customers.toLocaleString("en")} customers)`);
  const byText = similarItemsContent(content, id, { k: 5 });
  const byBasket = similarItems(copurchase, id, { k: 5 });
  console.log(`  ${"similar by description".padEnd(39)}  similar by co-purchase`);
  for (let r = 0; r < 5; r++) {
    const a = byText[r];
    const b = byBasket[r];
    console.log(`  ${a ? cell(a.item, a.score) : "".padEnd(39)}  ${b ? cell(b.item, b.score) : ""}`);
  }
}
console.log(`\ndone in ${(performance.now() - started).toFixed(0)} ms`);
