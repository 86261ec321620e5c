/**
 * Content-based recommendations in a cross-border shop whose titles mix Chinese and English:
 * item features from titles (CJK-aware tokens), brand, category path, style tags and price;
 * user profiles from behaviour; top-N with explanations; a product added after fitting; a visitor's
 * session; a tag profile from elsewhere; a model saved and loaded. Run with
 * `npx tsx examples/content-shop.ts`.
 */
import {
  addContentItems,
  contentUserVector,
  contentVector,
  deserializeContentModel,
  explainContent,
  fitContent,
  recommendContent,
  serializeContentModel,
  similarItemsContent,
  tokenize,
} from "../src/content/index.js";
import { SYNTHETIC_TYPE_WEIGHTS, syntheticShop } from "../src/datasets/index.js";

const shop = syntheticShop({ seed: 7, users: 300, items: 1_200, events: 30_000, chineseTitles: 0.4 });
console.log(`synthetic shop: ${shop.items.length} items, ${shop.events.length} events`);
console.log(
  `tokens of "2024新款 Nike 运动鞋 men's": ${JSON.stringify(tokenize("2024新款 Nike 运动鞋 men's"))}`,
);

const started = performance.now();
const model = fitContent(shop.items, {
  fields: [
    { kind: "text", name: "title", weight: 2 },
    { kind: "tags", name: "brand" },
    { kind: "category", name: "categoryPath" },
    { kind: "tags", name: "tags", weight: 0.5 },
    { kind: "numeric", name: "price", log: true, bands: 5, spread: 0.3, weight: 0.5 },
  ],
  interactions: shop.events.filter((e) => e.user !== null) as {
    user: string;
    item: string;
    type: string;
    timestamp: number;
  }[],
  read: { typeWeights: SYNTHETIC_TYPE_WEIGHTS },
  halfLifeDays: 30,
});
console.log(
  `fitted in ${(performance.now() - started).toFixed(0)} ms: ${model.features.size} features, ${model.users.size} user profiles, ${model.neighbors?.k} content neighbours per item`,
);

const items = new Map(shop.items.map((i) => [i.id, i]));
const show = (id: string | number): string => {
  const i = items.get(String(id));
  return i === undefined ? String(id) : `${i.title} (${i.brand}, ${i.categoryPath.join(" > ")}, ${i.price})`;
};

const user = shop.users[0]!;
console.log(`\n${user.id} mostly shops ${user.favouriteCategory}; recommendations:`);
for (const r of recommendContent(model, user.id, { k: 5, explain: true }))
  console.log(`  ${r.score.toFixed(3)}  ${show(r.item)}  — ${r.reasons?.join("; ")}`);

const first = recommendContent(model, user.id, { k: 1 })[0]!;
const why = explainContent(model, user.id, first.item, { top: 5 });
console.log(
  `\nwhy ${first.item}: ${why.contributions.map((c) => `${c.label} (${c.field}) +${c.contribution.toFixed(3)}`).join(", ")}`,
);

const anchor = shop.items[0]!;
console.log(`\nsimilar to ${show(anchor.id)}:`);
for (const r of similarItemsContent(model, anchor.id, { k: 5, explain: true }))
  console.log(`  ${r.score.toFixed(3)}  ${show(r.item)}  — ${r.reasons?.join("; ")}`);

// a product listed today: vectorised with the fitted vocabulary, no refit, recommendable at once
const newItem = {
  id: "new-1",
  title: `${anchor.brand} 新款 ${anchor.title.split(" ").slice(1).join(" ")}`,
  brand: anchor.brand,
  categoryPath: anchor.categoryPath,
  tags: anchor.tags,
  price: anchor.price,
};
const extended = addContentItems(model, [newItem]);
items.set(newItem.id, { ...anchor, ...newItem });
console.log(`\nnew item ${show(newItem.id)} added without refitting; its nearest items:`);
for (const r of similarItemsContent(extended, newItem.id, { k: 3 }))
  console.log(`  ${r.score.toFixed(3)}  ${show(r.item)}`);

// a visitor without an account: a profile from this session's clicks
const session = contentUserVector(model, [
  { item: anchor.id, value: 3 },
  { item: shop.items[1]!.id, value: 1 },
]);
console.log("\nsession visitor (clicked the two first items):");
for (const r of recommendContent(model, session, { k: 3, exclude: [anchor.id, shop.items[1]!.id] }))
  console.log(`  ${r.score.toFixed(3)}  ${show(r.item)}`);

// a tag profile produced elsewhere (e.g. the profiling module), scored in the same feature space
const tags = contentVector(model, { minimalist: 0.8, eco: 0.5, "gold-plated": 0.4 }, { field: "tags" });
console.log(`\ntag profile (unknown tags left out: ${tags.unknown.join(", ") || "none"}):`);
for (const r of recommendContent(model, tags, { k: 3, explain: true }))
  console.log(`  ${r.score.toFixed(3)}  ${show(r.item)}  — ${r.reasons?.join("; ")}`);

const bytes = serializeContentModel(extended);
const loaded = deserializeContentModel(bytes);
const same =
  JSON.stringify(recommendContent(loaded, user.id, { k: 5 })) ===
  JSON.stringify(recommendContent(extended, user.id, { k: 5 }));
console.log(
  `\nserialised: ${(bytes.length / 1024).toFixed(0)} KiB; loaded model recommends the same: ${same}`,
);
