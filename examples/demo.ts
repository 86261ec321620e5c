/**
 * The main job: a small end-to-end run on bundled or generated data, printing what it did.
 * Run with `npm run demo`.
 */

import { syntheticShop } from "../src/datasets/index.js";
import { colCounts, colSums, indexInteractions, nnz, topK } from "../src/index.js";

const started = performance.now();
const shop = syntheticShop({ seed: 42, users: 2_000, items: 1_500, events: 60_000, days: 90 });
console.log(
  `generated a synthetic shop: ${shop.users.length} users, ${shop.items.length} items, ${shop.events.length} events, ${shop.orders.length} order lines`,
);

const weights = { view: 1, search: 1, cart: 3, purchase: 5 };
const { users, items, matrix, skipped } = indexInteractions(shop.events, {
  user: (e) => e.user as string,
  typeWeights: weights,
});
console.log(
  `indexed: ${users.size} users × ${items.size} items, ${nnz(matrix)} non-zeros (${((100 * nnz(matrix)) / (users.size * items.size)).toFixed(2)}% dense), ${skipped.count} rows skipped`,
);

const popularity = topK(colSums(matrix), 5);
const buyers = colCounts(matrix);
const titleOf = new Map(shop.items.map((i) => [i.id, i.title]));
console.log("\nmost popular items (behaviour-weighted: view 1, search 1, cart 3, purchase 5):");
popularity.ids.forEach((i, rank) => {
  const id = items.idAt(i);
  console.log(
    `  ${rank + 1}. ${String(id).padEnd(6)} ${String(titleOf.get(String(id))).padEnd(36)} score ${popularity.scores[rank]}  users ${buyers[i]}`,
  );
});
console.log(`\ndone in ${(performance.now() - started).toFixed(0)} ms`);
