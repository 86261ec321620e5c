import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addContentItems,
  type ContentModel,
  contentScores,
  contentUserVector,
  contentVector,
  deserializeContentModel,
  explainContent,
  fitContent,
  rebuildContentNeighbors,
  recommendContent,
  recommendContentBatch,
  scoreItems,
  serializeContentModel,
  similarItemsContent,
} from "../../src/content/index.js";
import { encodePayload, indexInteractions } from "../../src/core/index.js";
import { topKSimilarity } from "../../src/similarity/index.js";
import { deepFreeze, denseOf, expectClose, expectRecokitError } from "../helpers.js";

/** Tolerance of float comparisons: values are a few flops from their hand-computed form. */
const TOL = 1e-12;
const DAY = 86_400_000;
const H = Math.SQRT1_2;

const ITEMS = deepFreeze([
  { id: "a", tags: ["red", "shoe"] },
  { id: "b", tags: ["red", "boot"] },
  { id: "c", tags: ["mug"] },
  { id: "d", tags: [] as string[] },
]);
const FIELDS = [{ kind: "tags" as const, name: "tags", idf: false }];

function fitFixture(interactions: readonly object[], extra: Record<string, unknown> = {}): ContentModel {
  return fitContent(ITEMS, { fields: FIELDS, interactions: interactions as never, ...extra });
}

describe("fitContent: profiles and scores (hand-computed)", () => {
  const model = fitFixture([{ user: "u", item: "a" }]);

  it("scores every item by cosine with the profile; NaN for an item without features", () => {
    // profile = x_a = (red 1/√2, shoe 1/√2)
    expectClose(denseOf(model.userProfiles)[0]!, [H, H, 0, 0], TOL);
    const s = contentScores(model, 0);
    expectClose(s.subarray(0, 3), [1, 0.5, 0], TOL);
    expect(Number.isNaN(s[3]!)).toBe(true);
  });

  it("recommends unseen items best first and never an unscorable one", () => {
    const recs = recommendContent(model, "u");
    expect(recs.map((r) => r.item)).toEqual(["b", "c"]);
    expectClose(
      recs.map((r) => r.score),
      [0.5, 0],
      TOL,
    );
    expect(recommendContent(model, "u", { excludeSeen: false, k: 1 })[0]?.item).toBe("a");
    expect(recommendContent(model, "u", { exclude: ["b", "nope"] }).map((r) => r.item)).toEqual(["c"]);
    expect(recommendContent(model, "u", { candidates: ["c", "d", "zz"] }).map((r) => r.item)).toEqual(["c"]);
    expect(recommendContent(model, "u", { k: 0 })).toEqual([]);
  });

  it("explains with the features that contributed, summing to the score", () => {
    const recs = recommendContent(model, "u", { k: 1, explain: true });
    expect(recs[0]?.reasons).toEqual(["matches: red"]);
    const e = explainContent(model, "u", "b");
    expect(e.score).toBeCloseTo(0.5, 12);
    expect(e.contributions.map((c) => [c.feature, c.field, c.label])).toEqual([["tags:red", "tags", "red"]]);
    expect(e.contributions[0]!.contribution).toBeCloseTo(0.5, 12);
    expect(e.summary).toBe("matches: red");
    expect(Number.isNaN(explainContent(model, "u", "d").score)).toBe(true);
    expect(explainContent(model, "u", "c").summary).toBe("");
  });

  it("decays older interactions by the half-life", () => {
    const now = Date.UTC(2024, 5, 1);
    const m = fitFixture(
      [
        { user: "v", item: "a", timestamp: now },
        { user: "v", item: "c", timestamp: now - 20 * DAY },
      ],
      { halfLifeDays: 10 },
    );
    // weights 1 and 2^-2: profile ∝ (H, H, 0, 0.25), norm √1.0625
    const n = Math.sqrt(1.0625);
    expectClose(contentScores(m, 0).subarray(0, 3), [1 / n, 0.5 / n, 0.25 / n], TOL);
    expect(m.profile).toEqual({ center: "none", negativeWeight: 1, halfLifeDays: 10, now });
  });

  it("turns below-centre ratings into negative feedback, or ignores them", () => {
    const rows = [
      { user: "w", item: "a", value: 5 },
      { user: "w", item: "c", value: 1 },
    ];
    // centre 3: weights +2, −2 → profile ∝ (√2, √2, 0, −2), norm √8
    for (const center of [3, "user"] as const) {
      const m = fitFixture(rows, { center });
      expectClose(contentScores(m, 0).subarray(1, 3), [1 / Math.sqrt(8), -2 / Math.sqrt(8)], TOL);
    }
    const ignore = fitFixture(rows, { center: 3, negativeWeight: 0 });
    expectClose(contentScores(ignore, 0).subarray(1, 3), [0.5, 0], TOL);
  });

  it("weights behaviour types", () => {
    const m = fitFixture(
      [
        { user: "x", item: "b", type: "view" },
        { user: "x", item: "c", type: "purchase" },
      ],
      { read: { typeWeights: { view: 1, purchase: 5 } } },
    );
    // profile ∝ x_b + 5 x_c = (H, 0, H, 5)
    expect(contentScores(m, 0)[0]).toBeCloseTo(0.5 / Math.sqrt(26), 12);
  });

  it("accepts indexInteractions output whose item order differs from the catalogue", () => {
    const rows = [
      { user: "p", item: "c", value: 2, timestamp: 5 },
      { user: "q", item: "b", value: 1, timestamp: 7 },
      { user: "p", item: "a", value: 1, timestamp: 9 },
    ];
    const fromRows = fitFixture(rows);
    const fromIndexed = fitFixture([], { interactions: indexInteractions(rows) });
    expect(fromIndexed.users.ids()).toEqual(fromRows.users.ids());
    expect(denseOf(fromIndexed.interactions)).toEqual(denseOf(fromRows.interactions));
    expect(Array.from(fromIndexed.timestamps!)).toEqual(Array.from(fromRows.timestamps!));
    expectClose(fromIndexed.userProfiles.data, fromRows.userProfiles.data, TOL);
  });

  it("refuses interactions with items outside the catalogue, or counts them when skipping", () => {
    const rows = [
      { user: "u", item: "a" },
      { user: "u", item: "zzz" },
    ];
    expectRecokitError(() => fitFixture(rows), "INVALID_INPUT", "row 1");
    expectRecokitError(
      () => fitFixture([], { interactions: indexInteractions(rows) }),
      "INVALID_INPUT",
      /item "zzz".*not in the catalogue/,
    );
    expect(fitFixture(rows, { read: { onInvalid: "skip" } }).skippedInteractions).toBe(1);
    expect(
      fitFixture([], { interactions: indexInteractions(rows), read: { onInvalid: "skip" } })
        .skippedInteractions,
    ).toBe(1);
  });

  it("serves unknown users as asked and rejects bad arguments", () => {
    expectRecokitError(() => recommendContent(model, "nobody"), "UNKNOWN_USER");
    expect(recommendContent(model, "nobody", { onUnknown: "empty" })).toEqual([]);
    expectRecokitError(() => recommendContent(model, "u", { k: -1 }), "INVALID_INPUT", "k");
    expectRecokitError(() => contentScores(model, 5), "INVALID_INPUT", "user index");
    expectRecokitError(() => contentScores(model, 0, new Float64Array(2)), "INVALID_INPUT", "out");
    expectRecokitError(() => scoreItems(model, "u", ["zz"]), "UNKNOWN_ITEM");
    expect(Number.isNaN(scoreItems(model, "u", ["zz"], { onUnknown: "nan" })[0]!)).toBe(true);
    expectRecokitError(() => explainContent(model, "u", "zz"), "UNKNOWN_ITEM");
    expectRecokitError(
      () => contentScores(model, { indices: [9], values: [1] }),
      "INVALID_INPUT",
      "feature 9",
    );
    expectRecokitError(() => fitFixture([], { neighbors: -1 }), "INVALID_INPUT", "neighbors");
    expectRecokitError(() => fitFixture([], { halfLifeDays: 0 }), "INVALID_INPUT", "halfLifeDays");
  });

  it("gives an empty profile (NaN scores, no recommendations) to a user with nothing to go on", () => {
    const m = fitFixture([{ user: "e", item: "d" }]);
    expect(Array.from(contentScores(m, 0)).every(Number.isNaN)).toBe(true);
    expect(recommendContent(m, "e")).toEqual([]);
  });

  it("scores an unknown user (-1) as NaN everywhere, as the fast layer of CF models does", () => {
    expect(Array.from(contentScores(model, -1)).every(Number.isNaN)).toBe(true);
    expectRecokitError(() => contentScores(model, -2), "INVALID_INPUT", "user index");
  });

  it("scores chosen items in the order asked", () => {
    expectClose(scoreItems(model, "u", ["c", "b", "a"]), [0, 0.5, 1], TOL);
    expect(scoreItems(model, "u").length).toBe(4);
  });

  it("batch recommendations match single ones", () => {
    const m = fitFixture([
      { user: "u", item: "a" },
      { user: "v", item: "c" },
      { user: "v", item: "b" },
    ]);
    const batch = recommendContentBatch(m, ["v", "nobody", "u"], { k: 2, onUnknown: "empty" });
    // v has seen b and c: only a is left (d cannot be scored)
    expect(Array.from(batch.counts)).toEqual([1, 0, 2]);
    for (const [row, user] of [
      [0, "v"],
      [2, "u"],
    ] as const) {
      const single = recommendContent(m, user, { k: 2 });
      const n = batch.counts[row]!;
      expect(Array.from(batch.ids.subarray(row * 2, row * 2 + n))).toEqual(
        single.map((r) => m.items.indexOf(r.item)),
      );
      expectClose(
        batch.scores.subarray(row * 2, row * 2 + n),
        single.map((r) => r.score),
        0,
      );
    }
    expect(Array.from(batch.ids.subarray(1, 4))).toEqual([-1, -1, -1]);
  });
});

describe("content similar items", () => {
  it("lists items sharing features, by cosine, from the precomputed neighbours", () => {
    const m = fitFixture([]);
    expect(m.neighbors?.k).toBe(20);
    const sim = similarItemsContent(m, "a", { explain: true });
    expect(sim.map((r) => r.item)).toEqual(["b"]);
    expect(sim[0]!.score).toBeCloseTo(0.5, 12);
    expect(sim[0]!.reasons).toEqual(["shares: red"]);
    expect(similarItemsContent(m, "d")).toEqual([]);
    expectRecokitError(() => similarItemsContent(m, "zz"), "UNKNOWN_ITEM");
    expect(similarItemsContent(m, "zz", { onUnknown: "empty" })).toEqual([]);
  });

  it("equals brute-force cosine on any catalogue, stored or computed on demand", () => {
    const tag = fc.constantFrom("t1", "t2", "t3", "t4", "t5", "t6");
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(tag, { maxLength: 4 }), { minLength: 2, maxLength: 14 }),
        (tagLists) => {
          const items = tagLists.map((tags, i) => ({ id: i, tags }));
          const m = fitContent(items, { fields: [{ kind: "tags", name: "tags" }], neighbors: 3 });
          const dense = denseOf(m.itemFeatures);
          for (let i = 0; i < items.length; i++) {
            const dotOf = (j: number): number => {
              let dot = 0;
              for (let f = 0; f < dense[i]!.length; f++) dot += dense[i]![f]! * dense[j]![f]!;
              return dot;
            };
            const brute: { j: number; s: number }[] = [];
            for (let j = 0; j < items.length; j++) {
              if (j === i) continue;
              const dot = dotOf(j);
              if (dot > 0) brute.push({ j, s: dot });
            }
            brute.sort((x, y) => y.s - x.s || x.j - y.j);
            const want = brute.slice(0, 3);
            const stored = similarItemsContent(m, i, { k: 3 });
            const onDemand = similarItemsContent(m, i, { k: 3, candidates: items.map((r) => r.id) });
            for (const got of [stored, onDemand]) {
              expectClose(
                got.map((r) => r.score),
                want.map((w) => w.s),
                1e-12,
              );
              // each returned item really has that similarity (tied items may swap at the k-th place)
              for (const r of got) expect(Math.abs(dotOf(r.item as number) - r.score)).toBeLessThan(1e-12);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("neighbour options pass through fitContent and rebuild; every maxDf gives the kernel's lists", () => {
    const tag = fc.constantFrom("common", "t1", "t2", "t3", "t4", "t5", "t6", "t7");
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(tag, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 20 }),
        fc.constantFrom(0.1, 0.3, 1),
        (tagLists, maxDf) => {
          const items = tagLists.map((tags, i) => ({ id: i, tags }));
          const methods: string[] = [];
          const m = fitContent(items, {
            fields: [{ kind: "tags", name: "tags" }],
            neighbors: { k: 3, maxDf, onStats: (s) => methods.push(s.method) },
          });
          const exact = topKSimilarity(m.itemFeatures, { k: 3, metric: "cosine" });
          for (const lists of [m.neighbors!, rebuildContentNeighbors(m, { k: 3, maxDf }).neighbors!]) {
            expect(Array.from(lists.indptr)).toEqual(Array.from(exact.indptr));
            expect(Array.from(lists.indices)).toEqual(Array.from(exact.indices));
            expectClose(lists.similarities, exact.similarities, 1e-12);
          }
          expect(methods).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
    expectRecokitError(
      () => fitContent(ITEMS, { fields: FIELDS, neighbors: { k: 2, pool: 5 } as never }),
      "INVALID_INPUT",
      /pool/,
    );
  });
});

describe("new items without refitting", () => {
  const model = fitFixture([{ user: "u", item: "a" }]);
  const more = addContentItems(model, deepFreeze([{ id: "e", tags: ["red", "shoe", "sale"] }]));

  it("vectorises a new item with the fitted vocabulary and scores it", () => {
    expect(more.features.size).toBe(model.features.size);
    expect(more.items.ids()).toEqual(["a", "b", "c", "d", "e"]);
    // "sale" is not in the vocabulary: e's vector equals a's, so u scores it 1
    expectClose(denseOf(more.itemFeatures)[4]!, [H, H, 0, 0], TOL);
    const recs = recommendContent(more, "u", { k: 2 });
    expect(recs.map((r) => r.item)).toEqual(["e", "b"]);
    expect(recs[0]!.score).toBeCloseTo(1, 12);
    // existing scores do not move
    expectClose(contentScores(more, 0).subarray(0, 3), contentScores(model, 0).subarray(0, 3), 0);
  });

  it("finds a new item's similar items on demand, and lists it after a rebuild", () => {
    expect(similarItemsContent(more, "e").map((r) => r.item)).toEqual(["a", "b"]);
    expect(similarItemsContent(more, "a").map((r) => r.item)).toEqual(["b"]);
    const rebuilt = rebuildContentNeighbors(more);
    expect(similarItemsContent(rebuilt, "a").map((r) => r.item)).toEqual(["e", "b"]);
    expect(rebuildContentNeighbors(more, 0).neighbors).toBeUndefined();
  });

  it("refuses an id already in the model and keeps the original model intact", () => {
    expectRecokitError(
      () => addContentItems(model, [{ id: "a", tags: [] }]),
      "INVALID_INPUT",
      "already in the model",
    );
    expectRecokitError(
      () =>
        addContentItems(model, [
          { id: "x", tags: [] },
          { id: "x", tags: [] },
        ]),
      "INVALID_INPUT",
      "row 1",
    );
    expect(model.items.size).toBe(4);
  });
});

describe("query vectors", () => {
  const model = fitFixture([{ user: "u", item: "a" }]);

  it("builds vectors from feature ids or raw field values, reporting unknown keys", () => {
    const byId = contentVector(model, { "tags:red": 1, "tags:nope": 2 });
    expect(Array.from(byId.indices)).toEqual([0]);
    expect(byId.unknown).toEqual(["tags:nope"]);
    const byValue = contentVector(
      model,
      [
        ["Shoe", 1],
        ["red", 1],
        ["red", 1],
        ["sale", 3],
      ],
      { field: "tags" },
    );
    expect(Array.from(byValue.indices)).toEqual([0, 1]);
    expect(Array.from(byValue.values)).toEqual([2, 1]);
    expect(byValue.unknown).toEqual(["sale"]);
    // (2, 1) · b = 2·H → cosine 2H/√5
    expectClose(scoreItems(model, byValue, ["b"]), [(2 * H) / Math.sqrt(5)], TOL);
    expect(recommendContent(model, byValue, { k: 1 })[0]?.item).toBe("a");
    expectRecokitError(() => contentVector(model, { red: Number.NaN }, { field: "tags" }), "INVALID_INPUT");
    expectRecokitError(
      () => contentVector(model, { red: 1 }, { field: "nope" }),
      "INVALID_INPUT",
      "unknown field",
    );
  });

  it("builds a session profile exactly as fit-time profiles are built", () => {
    const now = Date.UTC(2024, 0, 10);
    const events = [
      { user: "s", item: "a", value: 2, timestamp: now - 3 * DAY },
      { user: "s", item: "c", value: 1, timestamp: now },
    ];
    const m = fitFixture(events, { halfLifeDays: 7 });
    const v = contentUserVector(m, events);
    expect(Array.from(v.indices)).toEqual(Array.from(m.userProfiles.indices));
    expectClose(v.values, m.userProfiles.data, TOL);
    expectRecokitError(() => contentUserVector(m, [{ item: "zz" }]), "UNKNOWN_ITEM", "event 0");
    expect(contentUserVector(m, [{ item: "zz" }], { onUnknown: "ignore" }).indices.length).toBe(0);
    expectRecokitError(
      () => contentUserVector(m, [{ item: "a", value: Number.NaN }]),
      "INVALID_INPUT",
      "event 0",
    );
  });

  it("contributions always add up to the score", () => {
    const tag = fc.constantFrom("t1", "t2", "t3", "t4", "t5");
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(tag, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 10 }),
        fc.array(fc.tuple(fc.nat(9), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 6 }),
        (tagLists, events) => {
          const items = tagLists.map((tags, i) => ({ id: i, tags }));
          const interactions = events
            .filter(([i]) => i < items.length)
            .map(([i, value]) => ({ user: "u", item: i, value }));
          if (interactions.length === 0) return;
          const m = fitContent(items, {
            fields: [{ kind: "tags", name: "tags" }],
            interactions,
            center: 3,
            neighbors: 0,
          });
          const scores = contentScores(m, 0);
          for (let i = 0; i < items.length; i++) {
            const e = explainContent(m, "u", i, { top: 10 });
            if (Number.isNaN(scores[i]!)) {
              expect(Number.isNaN(e.score)).toBe(true);
              continue;
            }
            const sum = e.contributions.reduce((s, c) => s + c.contribution, 0);
            expect(Math.abs(sum - scores[i]!)).toBeLessThan(1e-12);
            expect(Math.abs(e.score - scores[i]!)).toBeLessThan(1e-12);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("content model serialisation", () => {
  const model = fitContent(
    [
      { id: 1, title: "Nike 运动鞋 running", brand: "Nike", cat: ["apparel", "shoes"], price: 60 },
      { id: 2, title: "trail running shoes", brand: "Stride", cat: ["apparel", "shoes"], price: 90 },
      { id: 3, title: "ceramic teapot", brand: "Hearth", cat: ["home", "kitchen"], price: 25 },
    ],
    {
      fields: [
        {
          kind: "text",
          name: "title",
          weighting: "bm25",
          tokenizer: { stopWords: ["the"], segmenter: null },
        },
        { kind: "tags", name: "brand" },
        { kind: "category", name: "cat" },
        { kind: "numeric", name: "price", bands: 2, log: true },
      ],
      interactions: [
        { user: "u", item: 1, timestamp: 1000 },
        { user: "v", item: 3, timestamp: 2000 },
      ],
      halfLifeDays: 30,
    },
  );

  it("round-trips: same scores, recommendations, neighbours and vocabulary", () => {
    const back = deserializeContentModel(serializeContentModel(model));
    expect(back.features.ids()).toEqual(model.features.ids());
    expect(back.fields).toEqual(model.fields);
    expect(recommendContent(back, "u", { explain: true })).toEqual(
      recommendContent(model, "u", { explain: true }),
    );
    expect(similarItemsContent(back, 1)).toEqual(similarItemsContent(model, 1));
    expectClose(contentScores(back, 1), contentScores(model, 1), 0);
    // the loaded model still vectorises new items exactly as the original does
    const newItem = [{ id: 4, title: "running 运动鞋", brand: "nike", cat: ["apparel", "shoes"], price: 70 }];
    const a = addContentItems(model, newItem, { segmenter: null });
    const b = addContentItems(back, newItem, { segmenter: null });
    expect(Array.from(b.itemFeatures.data)).toEqual(Array.from(a.itemFeatures.data));
  });

  it("rejects corrupted, truncated, foreign or inconsistent payloads with BAD_MODEL", () => {
    const bytes = serializeContentModel(model);
    const flipped = bytes.slice();
    flipped[bytes.length - 3]! ^= 0xff;
    expectRecokitError(() => deserializeContentModel(flipped), "BAD_MODEL", "checksum");
    expectRecokitError(() => deserializeContentModel(bytes.subarray(0, 40)), "BAD_MODEL");
    expectRecokitError(() => deserializeContentModel(encodePayload("recokit/itemKnn", {})), "BAD_MODEL");
    const broken = { ...model, featureField: new Int32Array(model.features.size) };
    expectRecokitError(
      () => deserializeContentModel(encodePayload("recokit/content", broken)),
      "BAD_MODEL",
      "feature",
    );
    const badProfiles = { ...model, userProfiles: { ...model.userProfiles, nCols: 1 } };
    expectRecokitError(
      () => deserializeContentModel(encodePayload("recokit/content", badProfiles)),
      "BAD_MODEL",
    );
    const badVersion = { ...model, version: 2 };
    expectRecokitError(
      () => deserializeContentModel(encodePayload("recokit/content", badVersion)),
      "BAD_MODEL",
      "version",
    );
    expectRecokitError(() => serializeContentModel({} as ContentModel), "INVALID_INPUT");
  });
});
