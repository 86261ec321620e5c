import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  deserializeModel,
  fitBaseline,
  fitItemKnn,
  fitPopularity,
  fitUserKnn,
  predict,
  type RecommenderModel,
  recommend,
  recommendBatch,
  serializeModel,
} from "../../src/cf/index.js";
import { fitContent } from "../../src/content/index.js";
import { type Csr, IdIndex, type Interaction, indexInteractions } from "../../src/core/index.js";
import { syntheticShop } from "../../src/datasets/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const shop = syntheticShop({ seed: 11, users: 60, items: 40, events: 1500 });
const rows: Interaction[] = deepFreeze(
  shop.events.map((e) => ({
    user: e.user!,
    item: e.item,
    value: e.type === "purchase" ? 5 : e.type === "cart" ? 3 : 1,
    timestamp: e.timestamp,
  })),
);

const seenOf = (model: RecommenderModel): Csr =>
  model.kind === "content" ? model.interactions : model.ratings;

const recommenders: [string, () => RecommenderModel][] = [
  ["popularity", () => fitPopularity(rows)],
  ["baseline", () => fitBaseline(rows)],
  ["item-kNN cosine", () => fitItemKnn(rows, { metric: "cosine", k: 10, duplicates: "sum" })],
  [
    "item-kNN jaccard decayed",
    () => fitItemKnn(rows, { metric: "jaccard", k: 10, halfLife: 7 * 86_400_000 }),
  ],
  ["user-kNN msd", () => fitUserKnn(rows, { metric: "msd", k: 10 })],
  ["user-kNN pearson", () => fitUserKnn(rows, { metric: "pearson", k: 10, shrinkage: 10 })],
  [
    "content (title, brand, category, tags)",
    () =>
      fitContent(shop.items, {
        fields: [
          { kind: "text", name: "title" },
          { kind: "tags", name: "brand" },
          { kind: "category", name: "categoryPath" },
          { kind: "tags", name: "tags" },
        ],
        interactions: rows,
      }),
  ],
];

describe.each(recommenders)("recommender conformance: %s", (_name, fit) => {
  const model = fit();
  const users = model.users.ids();
  const allItems = model.items.ids();

  it("returns at most k distinct, unseen, finite-scored items, best first, even with k > number of items", () => {
    for (const user of users.slice(0, 20)) {
      const recs = recommend(model, user, { k: allItems.length + 10 });
      const u = model.users.indexOf(user);
      const seenRows = seenOf(model);
      const seen = new Set(
        Array.from(seenRows.indices.subarray(seenRows.indptr[u]!, seenRows.indptr[u + 1]!), (i) =>
          model.items.idAt(i),
        ),
      );
      expect(recs.length).toBeLessThanOrEqual(allItems.length - seen.size);
      expect(new Set(recs.map((r) => r.item)).size).toBe(recs.length);
      for (const r of recs) {
        expect(seen.has(r.item)).toBe(false);
        expect(Number.isFinite(r.score)).toBe(true);
      }
      for (let j = 1; j < recs.length; j++) expect(recs[j - 1]!.score).toBeGreaterThanOrEqual(recs[j]!.score);
    }
  });

  it("never returns excluded items and ranks only candidates", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...users),
        fc.subarray(allItems),
        fc.subarray(allItems),
        (user, exclude, candidates) => {
          const recs = recommend(model, user, { k: 5, exclude, candidates, excludeSeen: false });
          for (const r of recs) {
            expect(exclude).not.toContain(r.item);
            expect(candidates).toContain(r.item);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("batch equals single, in order, and is deterministic", () => {
    const sample = users.slice(0, 15);
    const batch = recommendBatch(model, sample, { k: 7 });
    sample.forEach((user, row) => {
      const single = recommend(model, user, { k: 7 });
      expect(batch.counts[row]).toBe(single.length);
      single.forEach((r, j) => {
        expect(model.items.idAt(batch.ids[row * 7 + j]!)).toBe(r.item);
        expect(batch.scores[row * 7 + j]).toBe(r.score);
      });
    });
    expect(recommend(fit(), sample[0]!, { k: 7 })).toEqual(recommend(model, sample[0]!, { k: 7 }));
  });

  it("handles unknown and empty users", () => {
    if (model.kind === "popularity") {
      expect(recommend(model, "nobody", { k: 3 })).toHaveLength(3);
    } else {
      expectRecokitError(() => recommend(model, "nobody"), "UNKNOWN_USER");
      expect(recommend(model, "nobody", { onUnknown: "empty" })).toEqual([]);
      const batch = recommendBatch(model, ["nobody", users[0]!], { k: 3, onUnknown: "empty" });
      expect(batch.counts[0]).toBe(0);
      expect(batch.ids[0]).toBe(-1);
    }
    expect(recommend(model, users[0]!, { k: 0 })).toEqual([]);
  });

  it("round-trips through serialisation with identical output, and rejects corruption", () => {
    const bytes = serializeModel(model);
    const loaded = deserializeModel(bytes);
    for (const user of users.slice(0, 10))
      expect(recommend(loaded, user, { k: 5 })).toEqual(recommend(model, user, { k: 5 }));
    if (
      loaded.kind !== "popularity" &&
      loaded.kind !== "content" &&
      model.kind !== "popularity" &&
      model.kind !== "content"
    ) {
      for (const user of users.slice(0, 5)) {
        for (const item of allItems.slice(0, 5))
          expect(predict(loaded, user, item)).toEqual(predict(model, user, item));
      }
    }
    const flipped = bytes.slice();
    flipped[bytes.length - 3] = flipped[bytes.length - 3]! ^ 1;
    expectRecokitError(() => deserializeModel(flipped), "BAD_MODEL");
    expectRecokitError(() => deserializeModel(bytes.slice(0, bytes.length - 8)), "BAD_MODEL");
  });
});

describe("degenerate shapes", () => {
  it("one item, a user with no interactions (fixed vocabulary)", () => {
    const users = IdIndex.from(["a", "b", "ghost"]);
    const data = indexInteractions(
      [
        { user: "a", item: "only" },
        { user: "b", item: "only" },
      ],
      { users },
    );
    for (const model of [
      fitItemKnn(data, { metric: "cosine" }),
      fitUserKnn(data, { metric: "cosine" }),
      fitPopularity(data),
    ]) {
      expect(recommend(model, "a")).toEqual([]);
      expect(recommend(model, "ghost", { k: 3 }).length).toBeLessThanOrEqual(1);
    }
  });

  it("never writes to frozen training rows", () => {
    const frozen = deepFreeze([
      { user: "a", item: "x", value: 2 },
      { user: "b", item: "x", value: 4 },
    ]);
    fitItemKnn(frozen);
    fitUserKnn(frozen);
    fitBaseline(frozen);
    fitPopularity(frozen);
    expect(frozen[0]).toEqual({ user: "a", item: "x", value: 2 });
  });
});
