import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AudienceCondition,
  audienceLift,
  buildProfiles,
  selectAudience,
  type TagProfiles,
} from "../../src/profile/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const ASOF = Date.UTC(2024, 3, 1);
const ITEMS = deepFreeze([
  { id: "tent", category: "outdoor", brand: "Summit", price: 200 },
  { id: "pole", category: "outdoor", brand: "Kaili", price: 40 },
  { id: "tee", category: "fashion", brand: "Uniq", price: 15 },
  { id: "mug", category: "kitchen", brand: "Uniq", price: 9 },
]);

/**
 * ann: outdoor buyer (tent purchase 5, pole view 1), recent
 * bob: outdoor browser long ago (tent view 60 days ago), fashion recent (tee view ×2)
 * cat: fashion + kitchen, recent
 * dan: kitchen only, 100 days ago
 */
const EVENTS = deepFreeze([
  { user: "ann", item: "tent", type: "purchase", timestamp: ASOF - DAY },
  { user: "ann", item: "pole", type: "view", timestamp: ASOF - 2 * DAY },
  { user: "bob", item: "tent", type: "view", timestamp: ASOF - 60 * DAY },
  { user: "bob", item: "tee", type: "view", timestamp: ASOF - DAY },
  { user: "bob", item: "tee", type: "view", timestamp: ASOF },
  { user: "cat", item: "tee", type: "cart", timestamp: ASOF - 3 * DAY },
  { user: "cat", item: "mug", type: "view", timestamp: ASOF - 3 * DAY },
  { user: "dan", item: "mug", type: "view", timestamp: ASOF - 100 * DAY },
]);
const P: TagProfiles = buildProfiles(EVENTS, { items: ITEMS, asOf: ASOF, decay: { kind: "none" } });

describe("selectAudience", () => {
  it("selects by tag presence and thresholds", () => {
    expect(selectAudience(P, { tag: "category:outdoor" }).users).toEqual(["ann", "bob"]);
    // ann: outdoor 6 of (outdoor 6 + Summit 5 + Kaili 1) = 1/2; bob: 1 of 6 → 1/6
    expect(selectAudience(P, { tag: "category:outdoor", minScore: 0.5 }).users).toEqual(["ann"]);
    expect(selectAudience(P, { tag: "category:outdoor", minScore: 1 / 6 }).users).toEqual(["ann", "bob"]);
    expect(selectAudience(P, { tag: "category:outdoor", minWeight: 2 }).users).toEqual(["ann"]);
    expect(selectAudience(P, { tag: "category:outdoor", minEvents: 1, eventType: "purchase" }).users).toEqual(
      ["ann"],
    );
    expect(selectAudience(P, { tag: "category:outdoor", withinDays: 30 }).users).toEqual(["ann"]);
    // confidence n / (n + 3): ann 2/5, bob 1/4
    expect(selectAudience(P, { tag: "category:outdoor", minConfidence: 0.4 }).users).toEqual(["ann"]);
    // top 1 of the category facet: bob's top category is fashion
    expect(selectAudience(P, { tag: "category:outdoor", top: 1 }).users).toEqual(["ann"]);
    expect(selectAudience(P, { tag: "category:fashion", top: 1 }).users).toEqual(["bob", "cat"]);
  });

  it("combines conditions with all / any / not, derived values and metric ranges", () => {
    const lostOrLapsing: AudienceCondition = { derived: "lifecycle", is: ["lost", "lapsing"] };
    expect(selectAudience(P, lostOrLapsing).users).toEqual(["dan"]);
    expect(selectAudience(P, { not: lostOrLapsing }).users).toEqual(["ann", "bob", "cat"]);
    expect(
      selectAudience(P, { all: [{ tag: "brand:Uniq" }, { not: { tag: "category:kitchen" } }] }).users,
    ).toEqual(["bob"]);
    expect(selectAudience(P, { any: [{ tag: "brand:Summit" }, { tag: "category:kitchen" }] }).users).toEqual([
      "ann",
      "bob",
      "cat",
      "dan",
    ]);
    expect(selectAudience(P, { metric: "events", min: 2, max: 3 }).users).toEqual(["ann", "cat"]);
    expect(selectAudience(P, { metric: "recencyDays", minQuantile: 0.5 }).users).toEqual(["cat", "dan"]);
    // a derived value nobody has matches nobody
    expect(selectAudience(P, { derived: "lifecycle", is: "churned" }).users).toEqual([]);
  });

  it("returns the evidence of the conditions that held", () => {
    const a = selectAudience(P, {
      all: [
        { any: [{ tag: "category:outdoor" }, { tag: "category:kitchen" }] },
        { derived: "lifecycle", is: ["active", "new"] },
        { metric: "events", min: 1 },
        { not: { tag: "brand:Kaili" } },
      ],
    });
    expect(a.users).toEqual(["bob", "cat"]);
    const bob = a.evidence[0]!;
    expect(bob.tags.map((t) => t.tag)).toEqual(["category:outdoor"]);
    expect(bob.tags[0]!.counts).toEqual({ view: 1 });
    expect(bob.tags[0]!.lastSeen).toBe(ASOF - 60 * DAY);
    expect(bob.derived).toEqual({ lifecycle: "active" });
    expect(a.evidence[1]!.derived).toEqual({ lifecycle: "new" });
    expect(bob.metrics).toEqual({ events: 3 });
    expect(a.evidence[1]!.tags.map((t) => t.tag)).toEqual(["category:kitchen"]);
    expect(selectAudience(P, { tag: "brand:Uniq" }, { evidence: false }).evidence).toEqual([]);
  });

  it("ranks by a tag's score and limits", () => {
    const a = selectAudience(P, { tag: "brand:Uniq" }, { rankBy: "brand:Uniq", limit: 2 });
    // Uniq scores: bob 2/6, cat 4/8 (tee cart 3 + mug 1 out of 3 + 3 + 1 + 1), dan 1/2; ties by row
    expect(a.users).toEqual(["cat", "dan"]);
    expect(a.matched).toBe(3);
    expect(selectAudience(P, { tag: "brand:Uniq" }, { limit: 1 }).users).toEqual(["bob"]);
  });

  it("rejects malformed queries with the offending path", () => {
    expectRecokitError(
      () => selectAudience(P, { tag: "category:toys" }),
      "INVALID_INPUT",
      /query: unknown tag "category:toys"/,
    );
    expectRecokitError(
      () => selectAudience(P, { tag: "brand:Uniq", derived: "x" } as never),
      "INVALID_INPUT",
      /query must have exactly one of/,
    );
    expectRecokitError(
      () => selectAudience(P, { all: [] }),
      "INVALID_INPUT",
      /query.all must be a non-empty array/,
    );
    expectRecokitError(
      () => selectAudience(P, { all: [{ derived: "mood", is: "x" }] }),
      "INVALID_INPUT",
      /query.all\[0\]: unknown derived tag "mood"/,
    );
    expectRecokitError(
      () => selectAudience(P, { metric: "age" } as never),
      "INVALID_INPUT",
      /unknown metric "age"/,
    );
    expectRecokitError(
      () => selectAudience(P, { tag: "brand:Uniq", eventType: "click" }),
      "INVALID_INPUT",
      /eventType "click" is not an event type/,
    );
    expectRecokitError(
      () => selectAudience(P, { tag: "brand:Uniq", minScroe: 1 } as never),
      "INVALID_INPUT",
      /unknown field "minScroe"/,
    );
    expectRecokitError(
      () => selectAudience(P, { tag: "brand:Uniq" }, { rankBy: "nope:x" }),
      "INVALID_INPUT",
      /rankBy/,
    );
  });

  it("a query and its negation split the users (property)", () => {
    const tags = P.tags.ids().map(String);
    const leaf: fc.Arbitrary<AudienceCondition> = fc.oneof(
      fc.record({ tag: fc.constantFrom(...tags), minScore: fc.constantFrom(0, 0.1, 0.25, 0.5) }),
      fc.record({ derived: fc.constant("lifecycle"), is: fc.constantFrom("new", "active", "lost") }),
      fc.record({ metric: fc.constant("events" as const), min: fc.integer({ min: 0, max: 3 }) }),
    );
    const { cond } = fc.letrec((tie) => ({
      cond: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.record({
          all: fc.array(tie("cond") as fc.Arbitrary<AudienceCondition>, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          any: fc.array(tie("cond") as fc.Arbitrary<AudienceCondition>, { minLength: 1, maxLength: 3 }),
        }),
        fc.record({ not: tie("cond") as fc.Arbitrary<AudienceCondition> }),
      ),
    }));
    fc.assert(
      fc.property(cond as fc.Arbitrary<AudienceCondition>, (q) => {
        const yes = selectAudience(P, q).users;
        const no = selectAudience(P, { not: q }).users;
        expect(yes.filter((u) => no.includes(u))).toEqual([]);
        expect([...yes, ...no].map(String).sort()).toEqual(P.users.ids().map(String).sort());
        // any(q, not q) is everyone; all(q, not q) is nobody
        expect(selectAudience(P, { any: [q, { not: q }] }).users.length).toBe(P.users.size);
        expect(selectAudience(P, { all: [q, { not: q }] }).users).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("audienceLift", () => {
  it("computes shares, lift and the two-proportion z-test (hand-computed)", () => {
    const audience = selectAudience(P, { tag: "category:outdoor" }); // ann, bob
    const lift = audienceLift(P, audience);
    expect(lift.audienceSize).toBe(2);
    expect(lift.populationSize).toBe(4);
    const row = (tag: string) => lift.rows.find((r) => r.tag === tag)!;
    const outdoor = row("category:outdoor");
    expect(outdoor).toMatchObject({
      kind: "tag",
      facet: "category",
      value: "outdoor",
      audienceUsers: 2,
      populationUsers: 2,
    });
    expect(outdoor.audienceShare).toBe(1);
    expect(outdoor.populationShare).toBe(0.5);
    expect(outdoor.lift).toBe(2);
    // z: p1 = 2/2, p2 = 0/2, pooled 0.5, se = √(0.25 · (1/2 + 1/2)) = 0.5 → z = 2
    expect(outdoor.z).toBeCloseTo(2, 12);
    // two-sided p from the standard normal table: 2 · (1 − Φ(2)) ≈ 0.0455
    expect(outdoor.pValue).toBeCloseTo(0.0455, 3);
    // mean scores: ann 1/2, bob 1/6 → audience (1/2 + 1/6) / 2 = 1/3, population (2/3) / 4
    expect(outdoor.audienceMeanScore).toBeCloseTo(1 / 3, 15);
    expect(outdoor.populationMeanScore).toBeCloseTo(1 / 6, 15);
    const kitchen = row("category:kitchen");
    expect(kitchen).toBeUndefined(); // no audience member has it (minAudienceUsers 1)
    const fashion = row("category:fashion"); // bob only in the audience; bob, cat in the population
    expect(fashion.lift).toBe(1);
    expect(fashion.z).toBe(0);
    // derived values are rows too
    expect(row("lifecycle=new")).toMatchObject({ kind: "derived", facet: "lifecycle", value: "new" });
    // sorted by lift, highest first
    for (let i = 1; i < lift.rows.length; i++)
      expect(lift.rows[i - 1]!.lift).toBeGreaterThanOrEqual(lift.rows[i]!.lift);
  });

  it("takes user ids, a custom population, filters and limits", () => {
    const lift = audienceLift(P, ["cat"], { population: ["cat", "dan"], facets: ["brand"], derived: false });
    expect(lift.populationSize).toBe(2);
    expect(lift.rows.map((r) => [r.tag, r.lift])).toEqual([["brand:Uniq", 1]]);
    const withKitchen = audienceLift(P, ["cat"], {
      minAudienceUsers: 0,
      facets: ["category"],
      derived: false,
    });
    expect(withKitchen.rows.map((r) => r.tag)).toContain("category:outdoor");
    expect(audienceLift(P, ["cat"], { limit: 2 }).rows.length).toBe(2);
    expectRecokitError(() => audienceLift(P, []), "INVALID_INPUT", /the audience is empty/);
    expectRecokitError(
      () => audienceLift(P, ["ann"], { population: ["cat"] }),
      "INVALID_INPUT",
      /"ann" is not in the population/,
    );
    expectRecokitError(() => audienceLift(P, ["zed"]), "UNKNOWN_USER", /unknown user "zed"/);
  });

  it("shares and counts stay consistent (property)", () => {
    const ids = P.users.ids();
    fc.assert(
      fc.property(fc.subarray(ids, { minLength: 1 }), (members) => {
        const lift = audienceLift(P, members, { minAudienceUsers: 0 });
        for (const r of lift.rows) {
          expect(r.audienceUsers).toBeLessThanOrEqual(r.populationUsers);
          expect(r.audienceUsers).toBeLessThanOrEqual(members.length);
          expect(r.lift).toBeCloseTo(r.audienceShare / r.populationShare, 12);
          expect(Number.isFinite(r.z) && r.pValue >= 0 && r.pValue <= 1).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});
