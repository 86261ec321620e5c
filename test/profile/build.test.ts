import { describe, expect, it } from "vitest";
import { getRow, rowNorms } from "../../src/core/index.js";
import {
  buildProfiles,
  type ProfileEvent,
  type ProfileItem,
  type TagProfiles,
  tagEvidence,
  updateProfiles,
  userPortrait,
} from "../../src/profile/index.js";
import { deepFreeze, expectClose, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC

const ITEMS: readonly ProfileItem[] = deepFreeze([
  {
    id: "boots",
    category: "shoes",
    categoryPath: ["apparel", "shoes"],
    brand: "Trail",
    tags: ["outdoor"],
    price: 90,
  },
  { id: "tee", category: "fashion", brand: "Uniq", price: 15 },
  { id: "blank" },
]);

/** The weight of a tag for a user, 0 when absent. */
function weightOf(p: TagProfiles, user: string | number, tag: string): number {
  return tagEvidence(p, user, tag)?.weight ?? 0;
}

describe("buildProfiles: behaviour-weighted tag affinities", () => {
  it("adds type weight × 2^(−age/halfLife) to every tag of the item (hand-computed)", () => {
    const events: ProfileEvent[] = deepFreeze([
      { user: "ann", item: "boots", type: "view", timestamp: T0 }, // age 14 days = one half-life
      { user: "ann", item: "boots", type: "purchase", timestamp: T0 + 14 * DAY }, // age 0
      { user: "ann", item: "tee", type: "cart", timestamp: T0 + 7 * DAY }, // age half a half-life
    ]);
    const p = buildProfiles(events, { items: ITEMS, decay: { kind: "exponential", halfLifeDays: 14 } });
    expect(p.asOf).toBe(T0 + 14 * DAY);
    // view 1 · 0.5 + purchase 5 · 1
    expect(weightOf(p, "ann", "category:shoes")).toBe(5.5);
    expect(weightOf(p, "ann", "brand:Trail")).toBe(5.5);
    expect(weightOf(p, "ann", "tag:outdoor")).toBe(5.5);
    expect(weightOf(p, "ann", "path:apparel")).toBe(5.5);
    // cart 3 · 2^(−1/2)
    expect(weightOf(p, "ann", "category:fashion")).toBeCloseTo(3 / Math.SQRT2, 14);
    const ev = tagEvidence(p, "ann", "category:shoes")!;
    expect(ev.counts).toEqual({ view: 1, purchase: 1 });
    expect(ev.events).toBe(2);
    expect(ev.lastSeen).toBe(T0 + 14 * DAY);
    // the category is the leaf of the path: no "path:apparel > shoes" tag
    expect(p.tags.has("path:apparel > shoes")).toBe(false);
  });

  it("halves a weight after exactly one half-life", () => {
    const events = [{ user: 1, item: "tee", type: "view", timestamp: T0 }];
    const items = [{ id: "tee", category: "fashion" }];
    const decay = { kind: "exponential", halfLifeDays: 10 } as const;
    const now = buildProfiles(events, { items, decay, asOf: T0 });
    const later = buildProfiles(events, { items, decay, asOf: T0 + 10 * DAY });
    expect(weightOf(now, 1, "category:fashion")).toBe(1);
    expect(weightOf(later, 1, "category:fashion")).toBe(0.5);
    // and again through an update with no events
    const moved = updateProfiles(now, [], { asOf: T0 + 20 * DAY });
    expect(weightOf(moved, 1, "category:fashion")).toBe(0.25);
  });

  it("window decay keeps only events inside the window; none decay sums plainly", () => {
    const events = [
      { user: "u", item: "tee", type: "view", timestamp: T0 },
      { user: "u", item: "boots", type: "view", timestamp: T0 + 40 * DAY },
      { user: "u", item: "boots", type: "cart", timestamp: T0 + 50 * DAY },
    ];
    const win = buildProfiles(events, { items: ITEMS, decay: { kind: "window", days: 30 } });
    expect(weightOf(win, "u", "category:fashion")).toBe(0);
    expect(tagEvidence(win, "u", "category:fashion")).toBeNull();
    expect(weightOf(win, "u", "category:shoes")).toBe(4);
    // the old event still counts for the lifecycle
    expect(win.metrics.tenureDays[0]).toBe(50);
    expect(win.metrics.events[0]).toBe(3);
    const none = buildProfiles(events, { items: ITEMS, decay: { kind: "none" } });
    expect(weightOf(none, "u", "category:fashion")).toBe(1);
    expect(weightOf(none, "u", "category:shoes")).toBe(4);
  });

  it("multiplies by the event value with values: multiply", () => {
    const events = [
      { user: "u", item: "tee", type: "rating", timestamp: T0, value: 4 },
      { user: "u", item: "tee", type: "rating", timestamp: T0, value: 2.5 },
    ];
    const p = buildProfiles(events, {
      items: ITEMS,
      typeWeights: { rating: 2 },
      values: "multiply",
      decay: { kind: "none" },
    });
    expect(weightOf(p, "u", "category:fashion")).toBe(13);
    const ignored = buildProfiles(events, {
      items: ITEMS,
      typeWeights: { rating: 2 },
      decay: { kind: "none" },
    });
    expect(weightOf(ignored, "u", "category:fashion")).toBe(4);
  });

  it("gives an event's weight once to a tag reached by both its item and its query", () => {
    const items = [{ id: "shoe1", category: "running shoes", brand: "Trail" }];
    const p = buildProfiles(
      [{ user: "s", item: "shoe1", type: "search", query: "Trail running shoes", timestamp: T0 }],
      { items, decay: { kind: "none" } },
    );
    expect(weightOf(p, "s", "category:running shoes")).toBe(1);
    expect(weightOf(p, "s", "brand:Trail")).toBe(1);
    expect(weightOf(p, "s", "search:trail")).toBe(1);
    expect(weightOf(p, "s", "search:running")).toBe(1);
    expect(weightOf(p, "s", "search:shoes")).toBe(1);
  });

  it("search queries reach catalogue tags through the content tokenizer (Latin and CJK)", () => {
    const items = [
      { id: "a", category: "running shoes", brand: "Trail" },
      { id: "b", category: "运动鞋", brand: "Feiyue" },
      { id: "c", category: "tents", brand: "Summit" },
    ];
    const events = [
      { user: "x", type: "search", query: "TRAIL Running-Shoes!", timestamp: T0 },
      { user: "y", type: "search", query: "飞跃 运动鞋", timestamp: T0 },
      { user: "z", type: "search", query: "running", timestamp: T0 },
    ];
    const p = buildProfiles(events, { items, decay: { kind: "none" }, search: { keywords: false } });
    expect(weightOf(p, "x", "category:running shoes")).toBe(1);
    expect(weightOf(p, "x", "brand:Trail")).toBe(1);
    expect(weightOf(p, "y", "category:运动鞋")).toBe(1);
    // a tag needs all of its tokens: "running" alone does not name "running shoes"
    expect(weightOf(p, "z", "category:running shoes")).toBe(0);
    expect(p.tags.ids().some((t) => String(t).startsWith("search:"))).toBe(false);
    expect(p.report.untaggedEvents).toBe(1);
  });

  it("keeps the evidence counts by type and the latest time per tag", () => {
    const events = [
      { user: "k", item: "tee", type: "view", timestamp: T0 + 3 * DAY },
      { user: "k", item: "tee", type: "view", timestamp: T0 + DAY },
      { user: "k", item: "tee", type: "cart", timestamp: T0 + 2 * DAY },
      { user: "k", item: "tee", type: "purchase", timestamp: T0 + 2 * DAY },
    ];
    const p = buildProfiles(events, { items: ITEMS, decay: { kind: "none" } });
    const ev = tagEvidence(p, "k", "brand:Uniq")!;
    expect(ev.counts).toEqual({ view: 2, cart: 1, purchase: 1 });
    expect(ev.lastSeen).toBe(T0 + 3 * DAY);
    expect(ev.weight).toBe(1 + 1 + 3 + 5);
    expect(ev.confidence).toBeCloseTo(4 / (4 + 3), 15);
  });
});

describe("buildProfiles: normalisation and confidence", () => {
  // user a: shoes 6 (brand Trail 6, tag outdoor 6, path apparel 6), fashion 1 (brand Uniq 1); user b: fashion 2
  const events = deepFreeze([
    { user: "a", item: "boots", type: "view", timestamp: T0 },
    { user: "a", item: "boots", type: "purchase", timestamp: T0 },
    { user: "a", item: "tee", type: "view", timestamp: T0 },
    { user: "b", item: "tee", type: "view", timestamp: T0 },
    { user: "b", item: "tee", type: "view", timestamp: T0 },
  ]);
  const base = { items: ITEMS, decay: { kind: "none" } as const };

  it("share: each user's scores sum to 1", () => {
    const p = buildProfiles(events, base);
    const a = getRow(p.scores, p.users.indexOf("a"));
    expect(Array.from(a.values).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(tagEvidence(p, "a", "category:shoes")!.score).toBeCloseTo(6 / 26, 15);
    expect(tagEvidence(p, "b", "category:fashion")!.score).toBe(0.5);
  });

  it("facet-share: scores sum to 1 within each facet of a user", () => {
    const p = buildProfiles(events, { ...base, normalize: "facet-share" });
    expect(tagEvidence(p, "a", "category:shoes")!.score).toBeCloseTo(6 / 7, 15);
    expect(tagEvidence(p, "a", "category:fashion")!.score).toBeCloseTo(1 / 7, 15);
    expect(tagEvidence(p, "a", "tag:outdoor")!.score).toBe(1);
  });

  it("l2: unit rows; none: raw weights", () => {
    const p = buildProfiles(events, { ...base, normalize: "l2" });
    expectClose(rowNorms(p.scores), [1, 1], 1e-12);
    const raw = buildProfiles(events, { ...base, normalize: "none" });
    expect(tagEvidence(raw, "a", "category:shoes")!.score).toBe(6);
  });

  it("idf: a tag every user has weighs less (smooth idf ln((1+N)/(1+df)) + 1)", () => {
    const p = buildProfiles(events, { ...base, normalize: "none", population: "idf" });
    // N = 2 users; category:fashion df = 2 → idf 1; category:shoes df = 1 → ln(3/2) + 1
    expect(tagEvidence(p, "b", "category:fashion")!.score).toBeCloseTo(2, 14);
    expect(tagEvidence(p, "a", "category:shoes")!.score).toBeCloseTo(6 * (Math.log(1.5) + 1), 14);
    // the stored weights are not reweighted
    expect(tagEvidence(p, "a", "category:shoes")!.weight).toBe(6);
  });

  it("confidence n/(n+c) with the configured prior", () => {
    const p = buildProfiles(events, { ...base, confidencePrior: 1 });
    expect(tagEvidence(p, "a", "category:shoes")!.confidence).toBeCloseTo(2 / 3, 15);
    expect(tagEvidence(p, "a", "category:fashion")!.confidence).toBe(0.5);
  });
});

describe("buildProfiles: catalogue tags", () => {
  it("assigns price bands by mid-rank within the price group; an explicit band wins", () => {
    const items = [
      { id: "c1", category: "mugs", price: 10 },
      { id: "c2", category: "mugs", price: 20 },
      { id: "c3", category: "mugs", price: 30 },
      { id: "c4", category: "mugs", price: 30, priceBand: "luxury" },
      { id: "solo", category: "kettles", price: 99 },
    ];
    const events = items.map((it) => ({ user: "u", item: it.id, type: "view", timestamp: T0 }));
    const p = buildProfiles(events, { items, decay: { kind: "none" } });
    const tagsOf = (id: string): string[] => {
      const row = p.catalogue.items.indexOf(id);
      return Array.from(getRow(p.catalogue.itemTags, row).indices, (t) => String(p.tags.idAt(t)));
    };
    // prices 10, 20, 30, 30: mid-ranks 1/8, 3/8, 6/8, 6/8 → low, mid, high
    expect(tagsOf("c1")).toContain("price:low");
    expect(tagsOf("c2")).toContain("price:mid");
    expect(tagsOf("c3")).toContain("price:high");
    expect(tagsOf("c4")).toContain("price:luxury");
    expect(tagsOf("c4")).not.toContain("price:high");
    // a group with fewer priced items than bands gets none
    expect(tagsOf("solo").some((t) => t.startsWith("price:"))).toBe(false);
  });

  it("accepts custom item tags and attributes", () => {
    const movies = [{ id: 1, genres: ["Comedy", "Drama"] }];
    const p = buildProfiles([{ user: 9, item: 1, type: "rating", timestamp: T0 }], {
      items: movies,
      itemTags: (m) => m.genres.map((g) => `genre:${g}`),
      typeWeights: { rating: 1 },
    });
    expect(p.tags.ids()).toEqual(["genre:Comedy", "genre:Drama"]);
    const q = buildProfiles([{ user: 9, item: "w", type: "view", timestamp: T0 }], {
      items: [{ id: "w", attributes: { material: "wool", organic: true } }],
    });
    expect(q.tags.ids()).toEqual(["material:wool", "organic:true"]);
  });

  it("rejects repeated item ids and malformed tags", () => {
    expectRecokitError(
      () => buildProfiles([], { items: [{ id: "a" }, { id: "a" }], asOf: 0 }),
      "INVALID_INPUT",
      /buildProfiles: items\[1\]: item id "a" is repeated/,
    );
    expectRecokitError(
      () => buildProfiles([], { items: [{ id: "a" }], itemTags: () => ["nocolon"], asOf: 0 }),
      "INVALID_INPUT",
      /items\[0\]: tag "nocolon" is not of the form/,
    );
    expectRecokitError(
      () => buildProfiles([], { items: [{ id: "a", price: -1 }], asOf: 0 }),
      "INVALID_INPUT",
      /items\[0\]: price -1/,
    );
  });
});

describe("buildProfiles: defined behaviour at the edges", () => {
  it("a user with no events gets a profile with no tags and only static derived tags", () => {
    const p = buildProfiles([{ user: "a", item: "tee", type: "view", timestamp: T0 }], {
      items: ITEMS,
      users: [{ id: "ghost", ageBand: "25-34", gender: "f" }],
    });
    const ghost = userPortrait(p, "ghost");
    expect(ghost.tags).toEqual([]);
    expect(ghost.derived).toEqual({ ageBand: "25-34", gender: "f" });
    expect(ghost.metrics.events).toBe(0);
    expect(ghost.metrics.recencyDays).toBeNull();
    expect(ghost.activeHours).toEqual([]);
  });

  it("an item with no tags, or unknown to the catalogue, counts for activity but reaches no tag", () => {
    const p = buildProfiles(
      [
        { user: "a", item: "blank", type: "view", timestamp: T0 },
        { user: "a", item: "not-in-catalogue", type: "view", timestamp: T0 + DAY },
      ],
      { items: ITEMS },
    );
    expect(p.report.unknownItems).toBe(1);
    expect(p.report.untaggedEvents).toBe(2);
    expect(p.report.used).toBe(2);
    expect(p.metrics.events[0]).toBe(2);
    expect(userPortrait(p, "a").tags).toEqual([]);
    expect(userPortrait(p, "a").derived.lifecycle).toBe("new");
  });

  it("an unknown event type throws naming the row, or is skipped and counted", () => {
    const events = [
      { user: "a", item: "tee", type: "view", timestamp: T0 },
      { user: "a", item: "tee", type: "share", timestamp: T0 },
    ];
    expectRecokitError(
      () => buildProfiles(events, { items: ITEMS }),
      "INVALID_INPUT",
      'buildProfiles: row 1: event type "share" has no weight in typeWeights',
    );
    const p = buildProfiles(events, { items: ITEMS, unknownTypes: "skip" });
    expect(p.report.skipped.count).toBe(1);
    expect(Array.from(p.report.skipped.rows)).toEqual([1]);
    expect(p.report.skipped.reasons).toEqual({ "unknown type": 1 });
    expect(p.report.events).toBe(p.report.used + p.report.skipped.count);
  });

  it("a timestamp after asOf throws by default, or is skipped, or is clamped to asOf", () => {
    const events = [
      { user: "a", item: "tee", type: "view", timestamp: T0 },
      { user: "a", item: "tee", type: "view", timestamp: T0 + 5 * DAY },
    ];
    const options = {
      items: ITEMS,
      asOf: T0 + DAY,
      decay: { kind: "exponential", halfLifeDays: 1 },
    } as const;
    expectRecokitError(
      () => buildProfiles(events, options),
      "INVALID_INPUT",
      /row 1: timestamp .* is after asOf/,
    );
    const skipped = buildProfiles(events, { ...options, futureEvents: "skip" });
    expect(skipped.report.skipped.reasons).toEqual({ "future event": 1 });
    expect(weightOf(skipped, "a", "category:fashion")).toBe(0.5);
    const clamped = buildProfiles(events, { ...options, futureEvents: "clamp" });
    expect(clamped.report.clampedFuture).toBe(1);
    expect(weightOf(clamped, "a", "category:fashion")).toBe(1.5);
    expect(clamped.metrics.recencyDays[0]).toBe(0);
  });

  it("rejects invalid rows naming the row and field, or skips them with onInvalid: skip", () => {
    expectRecokitError(
      () =>
        buildProfiles([
          { user: "a", type: "view", timestamp: T0 },
          { user: null, type: "view", timestamp: T0 },
        ] as never),
      "INVALID_INPUT",
      "buildProfiles: row 1: user id null is not a string or finite number",
    );
    expectRecokitError(
      () => buildProfiles([{ user: "a", type: "view", timestamp: Number.NaN }]),
      "INVALID_INPUT",
      "buildProfiles: row 0: timestamp NaN is not a valid time",
    );
    expectRecokitError(
      () => buildProfiles([{ user: "a", type: "view", timestamp: T0, value: -1 }], { values: "multiply" }),
      "INVALID_INPUT",
      /row 0: value -1 is not a finite number ≥ 0/,
    );
    const p = buildProfiles(
      [
        { user: "a", type: "view", timestamp: T0 },
        { user: "b", type: "view", timestamp: "yesterday" },
      ] as never,
      { onInvalid: "skip" },
    );
    expect(p.report.skipped.reasons).toEqual({ "invalid timestamp": 1 });
    expect(p.users.ids()).toEqual(["a"]);
  });

  it("accepts Date timestamps and custom accessors", () => {
    const rows = [{ who: "a", what: "tee", kind: "cart", when: new Date(T0) }];
    const p = buildProfiles(rows, {
      items: ITEMS,
      accessors: { user: (r) => r.who, item: (r) => r.what, type: (r) => r.kind, timestamp: (r) => r.when },
    });
    expect(weightOf(p, "a", "brand:Uniq")).toBe(3);
    expect(p.asOf).toBe(T0);
  });

  it("needs events, users or asOf", () => {
    expectRecokitError(() => buildProfiles([]), "EMPTY_DATA", /no usable event, no user and no asOf/);
    const empty = buildProfiles([], { asOf: T0 });
    expect(empty.users.size).toBe(0);
  });

  it("validates options", () => {
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, decay: { kind: "linear" } as never }),
      "INVALID_INPUT",
      /decay.kind/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, decay: { kind: "exponential", halfLifeDays: 0 } }),
      "INVALID_INPUT",
      /decay.halfLifeDays/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, typeWeights: { view: -1 } }),
      "INVALID_INPUT",
      /typeWeights.view/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, typeWeights: {} }),
      "INVALID_INPUT",
      /at least one type/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, purchaseTypes: ["order"] }),
      "INVALID_INPUT",
      /purchaseTypes: "order" is not a type/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, normalize: "sum" as never }),
      "INVALID_INPUT",
      /normalize/,
    );
    expectRecokitError(
      () =>
        buildProfiles([], {
          asOf: 0,
          derivedTags: [{ name: "x", rules: [{ value: "y", when: { age: { min: 1 } } as never }] }],
        }),
      "INVALID_INPUT",
      /derivedTags\[0\].rules\[0\].when: unknown metric "age"/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, derivedTags: [{ name: "channel", rules: [{ value: "y" }] }] }),
      "INVALID_INPUT",
      /already used/,
    );
    expectRecokitError(
      () =>
        buildProfiles([], {
          asOf: 0,
          derivedTags: [{ name: "x", rules: [{ value: "y", when: { events: { min: 3, max: 1 } } }] }],
        }),
      "INVALID_INPUT",
      /min 3 exceeds max 1/,
    );
    expectRecokitError(
      () => buildProfiles([], { asOf: 0, futureEvents: "keep" as never }),
      "INVALID_INPUT",
      /futureEvents/,
    );
  });

  it("reports progress and stops when the signal fires", () => {
    const events = Array.from({ length: 70_000 }, (_, i) => ({
      user: i % 50,
      type: "view",
      timestamp: T0 + i,
    }));
    const calls: [number, number][] = [];
    buildProfiles(events, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls[0]).toEqual([65_536, 70_000]);
    expect(calls[calls.length - 1]).toEqual([70_000, 70_000]);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(
      () => buildProfiles(events, { signal: controller.signal }),
      "ABORTED",
      /buildProfiles/,
    );
  });

  it("never modifies its inputs", () => {
    const events = deepFreeze([
      {
        user: "a",
        item: "boots",
        type: "purchase",
        timestamp: T0,
        price: 80,
        discounted: true,
        channel: "app",
      },
      { user: "a", item: "tee", type: "search", query: "uniq tee", timestamp: T0 + DAY },
    ]);
    const users = deepFreeze([{ id: "a", country: "France" }]);
    const options = deepFreeze({
      items: ITEMS,
      users,
      decay: { kind: "exponential", halfLifeDays: 7 } as const,
    });
    const snapshot = JSON.stringify({ events, options });
    const p = buildProfiles(events, options);
    const q = updateProfiles(
      p,
      events.slice(1).map((e) => ({ ...e, timestamp: e.timestamp + DAY })),
    );
    expect(JSON.stringify({ events, options })).toBe(snapshot);
    expect(q.report.totalEvents).toBe(3);
  });
});
