import { describe, expect, it } from "vitest";
import { IdIndex } from "../../src/core/index.js";
import { buildProfiles, type DerivedTagSpec, updateProfiles, userPortrait } from "../../src/profile/index.js";
import { expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const ASOF = Date.UTC(2024, 6, 1); // 2024-07-01, a Monday

/** Derived tags of every user, by id. */
function derivedOf(p: ReturnType<typeof buildProfiles>): Record<string, Readonly<Record<string, string>>> {
  const out: Record<string, Readonly<Record<string, string>>> = {};
  for (const id of p.users.ids()) out[String(id)] = userPortrait(p, id).derived;
  return out;
}

describe("derived tags: lifecycle and activity rules", () => {
  // first / last event ages in days
  const spans: Record<string, [number, number]> = {
    fresh: [10, 1], // first seen 10 days ago → new
    regular: [200, 5], // recent → active
    fading: [200, 45], // last seen 45 days ago → lapsing
    gone: [300, 120], // → lost
  };
  const events = Object.entries(spans).flatMap(([user, [first, last]]) => [
    { user, type: "view", timestamp: ASOF - first * DAY },
    { user, type: "view", timestamp: ASOF - last * DAY },
  ]);

  it("lifecycle: new by tenure, then active / lapsing / lost by recency (default rules)", () => {
    const p = buildProfiles(events, { asOf: ASOF });
    const d = derivedOf(p);
    expect(d.fresh!.lifecycle).toBe("new");
    expect(d.regular!.lifecycle).toBe("active");
    expect(d.fading!.lifecycle).toBe("lapsing");
    expect(d.gone!.lifecycle).toBe("lost");
    expect(p.metrics.recencyDays[p.users.indexOf("fading")]).toBe(45);
    expect(p.metrics.tenureDays[p.users.indexOf("gone")]).toBe(300);
  });

  it("activity: quantile bounds over the users with events", () => {
    // decayed activity (half-life 30 days) is highest for the most recent user
    const p = buildProfiles(events, { asOf: ASOF });
    const d = derivedOf(p);
    const activity = Array.from(p.metrics.activity);
    const order = [...activity.keys()].sort((a, b) => activity[b]! - activity[a]!);
    // 4 users, numpy's linear rule: quantile 0.8 sits at position 2.4 (between the two largest), so
    // only the largest is "high"; quantile 0.4 sits at position 1.2 (between the 2nd and 3rd smallest),
    // so only the 3rd smallest is "medium"
    expect(d[String(p.users.idAt(order[0]!))]!.activity).toBe("high");
    expect(d[String(p.users.idAt(order[1]!))]!.activity).toBe("medium");
    expect(d[String(p.users.idAt(order[2]!))]!.activity).toBe("low");
    expect(d[String(p.users.idAt(order[3]!))]!.activity).toBe("low");
  });

  it("custom rule specs, first match wins, undefined metrics never match", () => {
    const specs: DerivedTagSpec[] = [
      {
        name: "buyer",
        rules: [
          { value: "heavy", when: { purchases: { min: 2 } } },
          { value: "some", when: { purchases: { min: 1 } } },
          { value: "premium-taste", when: { pricePercentile: { min: 0 } } },
        ],
      },
    ];
    const p = buildProfiles(
      [
        { user: "a", item: "x", type: "purchase", timestamp: ASOF },
        { user: "a", item: "x", type: "purchase", timestamp: ASOF },
        { user: "b", item: "x", type: "purchase", timestamp: ASOF },
        { user: "c", item: "x", type: "view", timestamp: ASOF },
      ],
      { items: [{ id: "x", category: "c" }], derivedTags: specs },
    );
    const d = derivedOf(p);
    expect(d.a!.buyer).toBe("heavy");
    expect(d.b!.buyer).toBe("some");
    expect(d.c!.buyer).toBeUndefined();
    expect(d.a!.lifecycle).toBeUndefined(); // the default specs were replaced
  });
});

describe("derived tags: price sensitivity and loyalty", () => {
  const items = [
    { id: "cheap", category: "mugs", brand: "A", price: 5 },
    { id: "mid", category: "mugs", brand: "A", price: 10 },
    { id: "dear", category: "mugs", brand: "B", price: 50 },
    { id: "tea", category: "tea", brand: "C", price: 8 },
  ];
  const buy = (user: string, item: string, extra: object = {}) => ({
    user,
    item,
    type: "purchase",
    timestamp: ASOF,
    ...extra,
  });

  it("price percentile: mean mid-rank of the paid prices in their category", () => {
    const p = buildProfiles(
      [
        buy("saver", "cheap"),
        buy("saver", "cheap"),
        buy("spender", "dear"),
        buy("paid", "dear", { price: 5 }),
      ],
      {
        items,
      },
    );
    const pct = (u: string) => p.metrics.pricePercentile[p.users.indexOf(u)];
    // mug prices 5, 10, 50: mid-ranks 1/6, 1/2, 5/6
    expect(pct("saver")).toBeCloseTo(1 / 6, 6);
    expect(pct("spender")).toBeCloseTo(5 / 6, 6);
    // a paid price overrides the list price
    expect(pct("paid")).toBeCloseTo(1 / 6, 6);
    const d = derivedOf(p);
    expect(d.saver!.priceSensitivity).toBe("price-sensitive");
    expect(d.spender!.priceSensitivity).toBe("premium");
  });

  it("discount share makes a user price-sensitive whatever the prices", () => {
    const p = buildProfiles([buy("hunter", "dear", { discounted: true }), buy("hunter", "dear")], { items });
    expect(p.metrics.discountShare[0]).toBe(0.5);
    expect(derivedOf(p).hunter!.priceSensitivity).toBe("price-sensitive");
  });

  it("category and brand loyalty from the Herfindahl index of purchases", () => {
    const p = buildProfiles(
      [
        // loyal: 3 mugs (HHI 1); brands A, A, B → (4 + 1) / 9
        buy("l", "cheap"),
        buy("l", "mid"),
        buy("l", "dear"),
        // explorer: mugs 2, tea 1 → (4 + 1) / 9 = 0.556 ≥ 0.5 → loyal by category; brands A, C, B → 1/3
        buy("e", "cheap"),
        buy("e", "tea"),
        buy("e", "dear"),
        // too few purchases for a loyalty tag
        buy("few", "cheap"),
      ],
      { items },
    );
    const m = (name: "categoryConcentration" | "brandConcentration", u: string) =>
      p.metrics[name][p.users.indexOf(u)];
    expect(m("categoryConcentration", "l")).toBe(1);
    expect(m("brandConcentration", "l")).toBeCloseTo(5 / 9, 15);
    expect(m("categoryConcentration", "e")).toBeCloseTo(5 / 9, 15);
    expect(m("brandConcentration", "e")).toBeCloseTo(1 / 3, 15);
    const d = derivedOf(p);
    expect(d.l!.categoryLoyalty).toBe("loyal");
    expect(d.l!.brandLoyalty).toBe("loyal");
    expect(d.e!.categoryLoyalty).toBe("loyal");
    expect(d.e!.brandLoyalty).toBe("explorer");
    expect(d.few!.categoryLoyalty).toBeUndefined();
  });
});

describe("derived tags: time, channel, attributes, RFM", () => {
  it("active hour, daypart and weekday, with a UTC offset", () => {
    const at = (day: number, hour: number) => ASOF - 7 * DAY + day * DAY + hour * 3_600_000;
    const events = [
      { user: "owl", type: "view", timestamp: at(2, 23) }, // Wednesday 23:00 UTC
      { user: "owl", type: "view", timestamp: at(2, 22) },
      { user: "owl", type: "view", timestamp: at(2, 22) + 60_000 },
      { user: "owl", type: "view", timestamp: at(4, 9) }, // Friday 09:00
    ];
    const utc = buildProfiles(events, { asOf: ASOF, decay: { kind: "none" } });
    expect(derivedOf(utc).owl).toMatchObject({
      activeHour: "22",
      activeDaypart: "evening",
      activeWeekday: "Wed",
    });
    // ties rank the earlier hour first
    expect(userPortrait(utc, "owl").activeHours).toEqual([22, 9, 23]);
    expect(userPortrait(utc, "owl").activeWeekdays).toEqual(["Wed", "Fri"]);
    // two hours ahead: 22:00 and 23:00 UTC become 00:00 and 01:00 on Thursday
    const ahead = buildProfiles(events, { asOf: ASOF, decay: { kind: "none" }, utcOffsetMinutes: 120 });
    expect(derivedOf(ahead).owl).toMatchObject({
      activeHour: "00",
      activeDaypart: "night",
      activeWeekday: "Thu",
    });
    const none = buildProfiles(events, { asOf: ASOF, timeTags: false });
    expect(derivedOf(none).owl!.activeHour).toBeUndefined();
  });

  it("preferred channel from event channels (or devices)", () => {
    const p = buildProfiles(
      [
        { user: "a", type: "view", timestamp: ASOF, device: "mobile" },
        { user: "a", type: "view", timestamp: ASOF, channel: "app" },
        { user: "a", type: "view", timestamp: ASOF, channel: "app", device: "mobile" },
      ],
      { asOf: ASOF },
    );
    expect(derivedOf(p).a!.channel).toBe("app");
    const portrait = userPortrait(p, "a");
    expect(portrait.channels.map((c) => c.channel)).toEqual(["app", "mobile"]);
    expect(portrait.channels[0]!.share).toBeCloseTo(2 / 3, 15);
  });

  it("passes user attributes through and attaches RFM segments (map or table + labels)", () => {
    const users = [
      { id: "a", ageBand: "25-34", country: "France", language: "fr", favourite: "ignored" },
      { id: "b", gender: "m", region: 7 },
    ];
    const events = [{ user: "a", type: "view", timestamp: ASOF }];
    const p = buildProfiles(events, {
      users,
      rfm: new Map([
        ["a", "Champions"],
        ["c", "Lost"],
      ]),
    });
    const d = derivedOf(p);
    expect(d.a).toMatchObject({
      ageBand: "25-34",
      country: "France",
      language: "fr",
      rfmSegment: "Champions",
    });
    expect(d.a!.favourite).toBeUndefined();
    expect(d.b).toEqual({ gender: "m", region: "7" });
    // an RFM customer without events or record still gets a profile row
    expect(d.c).toEqual({ rfmSegment: "Lost" });
    const q = buildProfiles(events, { rfm: { customers: IdIndex.from(["a"]), labels: ["At Risk"] } });
    expect(derivedOf(q).a!.rfmSegment).toBe("At Risk");
    const custom = buildProfiles(events, { users, userAttributes: ["favourite"] });
    expect(derivedOf(custom).a!.favourite).toBe("ignored");
    expectRecokitError(
      () => buildProfiles(events, { rfm: { customers: IdIndex.from(["a"]), labels: [] } }),
      "INVALID_INPUT",
      /rfm: labels \(0\) must match customers \(1\)/,
    );
    expectRecokitError(
      () => buildProfiles(events, { users: [{ id: "a", country: { name: "x" } }] }),
      "INVALID_INPUT",
      /users\[0\].country/,
    );
  });

  it("updates replace a user's record and the RFM column, and keep the rest", () => {
    const p = buildProfiles([{ user: "a", type: "view", timestamp: ASOF }], {
      users: [
        { id: "a", country: "France" },
        { id: "b", country: "Spain" },
      ],
      rfm: new Map([["a", "New Customers"]]),
    });
    const q = updateProfiles(p, [], { users: [{ id: "a", language: "fr" }] });
    expect(derivedOf(q).a).toMatchObject({ language: "fr", rfmSegment: "New Customers" });
    expect(derivedOf(q).a!.country).toBeUndefined();
    expect(derivedOf(q).b!.country).toBe("Spain");
    const r = updateProfiles(q, [], { rfm: new Map([["b", "Loyal"]]) });
    expect(derivedOf(r).a!.rfmSegment).toBeUndefined();
    expect(derivedOf(r).b!.rfmSegment).toBe("Loyal");
  });
});
