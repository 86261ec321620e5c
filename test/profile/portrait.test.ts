import { describe, expect, it } from "vitest";
import { assertCsr, encodePayload } from "../../src/core/index.js";
import {
  buildProfiles,
  deserializeProfiles,
  parseProfileTag,
  profileItemScores,
  profileMatrix,
  serializeProfiles,
  type TagProfiles,
  tagEvidence,
  userPortrait,
} from "../../src/profile/index.js";
import { denseOf, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const ASOF = Date.UTC(2024, 3, 1, 12);
const ITEMS = [
  { id: "tent", category: "outdoor", brand: "Summit", tags: ["eco"], price: 200 },
  { id: "tee", category: "fashion", brand: "Uniq", price: 15 },
  { id: "mug", category: "kitchen", brand: "Uniq", price: 9 },
];
const EVENTS = [
  { user: "ann", item: "tent", type: "purchase", timestamp: ASOF - DAY, channel: "app" },
  { user: "ann", item: "tee", type: "view", timestamp: ASOF, channel: "web" },
  { user: "bob", item: "mug", type: "cart", timestamp: ASOF - 2 * DAY },
];
const P: TagProfiles = buildProfiles(EVENTS, {
  items: ITEMS,
  decay: { kind: "none" },
  users: [{ id: "ann", country: "Spain" }],
});

describe("userPortrait", () => {
  it("ranks tags by score with their evidence; ties by tag index", () => {
    const p = userPortrait(P, "ann", { k: 3 });
    // ann: outdoor 5, Summit 5, eco 5, fashion 1, Uniq 1 (total 17)
    expect(p.tags.map((t) => t.tag)).toEqual(["category:outdoor", "brand:Summit", "tag:eco"]);
    expect(p.tags[0]).toEqual({
      tag: "category:outdoor",
      facet: "category",
      value: "outdoor",
      score: 5 / 17,
      weight: 5,
      confidence: 1 / 4,
      events: 1,
      counts: { purchase: 1 },
      lastSeen: ASOF - DAY,
    });
    expect(userPortrait(P, "ann").tags.length).toBe(5);
    expect(userPortrait(P, "ann", { k: 0 }).tags).toEqual([]);
  });

  it("filters by facet and minimum score", () => {
    expect(userPortrait(P, "ann", { facets: ["brand"] }).tags.map((t) => t.tag)).toEqual([
      "brand:Summit",
      "brand:Uniq",
    ]);
    expect(userPortrait(P, "ann", { minScore: 0.2 }).tags.map((t) => t.facet)).toEqual([
      "category",
      "brand",
      "tag",
    ]);
  });

  it("reports derived tags, metrics (null when undefined), hours and channels", () => {
    const p = userPortrait(P, "ann");
    expect(p.derived).toMatchObject({
      country: "Spain",
      lifecycle: "new",
      activeHour: "12",
      activeDaypart: "afternoon",
    });
    expect(p.metrics.events).toBe(2);
    expect(p.metrics.purchases).toBe(1);
    expect(p.metrics.recencyDays).toBe(0);
    expect(p.metrics.tenureDays).toBe(1);
    const bob = userPortrait(P, "bob");
    expect(bob.metrics.pricePercentile).toBeNull();
    expect(bob.metrics.categoryConcentration).toBeNull();
    expect(bob.channels).toEqual([]);
    expect(p.channels).toEqual([
      { channel: "app", share: 0.5 },
      { channel: "web", share: 0.5 },
    ]);
  });

  it("rejects unknown users and bad options", () => {
    expectRecokitError(() => userPortrait(P, "zed"), "UNKNOWN_USER", 'userPortrait: unknown user "zed"');
    expectRecokitError(() => userPortrait(P, "ann", { k: -1 }), "INVALID_INPUT", /k must be an integer/);
    expectRecokitError(() => tagEvidence(P, "zed", "brand:Uniq"), "UNKNOWN_USER");
    expect(tagEvidence(P, "bob", "brand:Summit")).toBeNull();
    expect(tagEvidence(P, "bob", "not:a-tag")).toBeNull();
  });

  it("parses tags at the first colon", () => {
    expect(parseProfileTag("search:a:b")).toEqual({ facet: "search", value: "a:b" });
    expect(parseProfileTag("plain")).toEqual({ facet: "", value: "plain" });
  });
});

describe("profileMatrix", () => {
  it("exports users × tags scores, weights or confidences as a well-formed Csr", () => {
    const { users, columns, matrix } = profileMatrix(P);
    assertCsr("test", matrix);
    expect(users.ids()).toEqual(["ann", "bob"]);
    const dense = denseOf(matrix);
    expect(dense[0]![columns.indexOf("category:outdoor")]).toBe(5 / 17);
    expect(dense[1]![columns.indexOf("brand:Uniq")]).toBe(0.5);
    const weights = denseOf(profileMatrix(P, { values: "weight" }).matrix);
    expect(weights[1]![columns.indexOf("brand:Uniq")]).toBe(3);
    const conf = denseOf(profileMatrix(P, { values: "confidence" }).matrix);
    expect(conf[1]![columns.indexOf("brand:Uniq")]).toBe(0.25);
    // a new matrix: changing it does not change the profiles
    matrix.data[0] = 99;
    expect(P.scores.data[0]).not.toBe(99);
  });

  it("appends one binary column per derived value", () => {
    const { columns, matrix } = profileMatrix(P, { derived: true });
    assertCsr("test", matrix);
    const dense = denseOf(matrix);
    expect(dense[0]![columns.indexOf("country=Spain")]).toBe(1);
    expect(dense[1]![columns.indexOf("country=Spain")]).toBe(0);
    expect(dense[1]![columns.indexOf("lifecycle=new")]).toBe(1);
    expect(matrix.nCols).toBe(columns.size);
    expectRecokitError(
      () => profileMatrix(P, { values: "rank" as never }),
      "INVALID_INPUT",
      /values must be/,
    );
  });
});

describe("profileItemScores", () => {
  it("scores items by Σ user tag scores / √(item tags); untagged items cannot be scored", () => {
    const items = [...ITEMS, { id: "blank" }];
    const p = buildProfiles(EVENTS, { items, decay: { kind: "none" } });
    const { items: ids, scores } = profileItemScores(p, "ann");
    expect(ids.ids()).toEqual(["tent", "tee", "mug", "blank"]);
    // ann: outdoor 5, Summit 5, eco 5, fashion 1, Uniq 1 (of 17); tent has 3 tags, tee 2, mug 2
    expect(scores[0]).toBeCloseTo(15 / 17 / Math.sqrt(3), 15);
    expect(scores[1]).toBeCloseTo(2 / 17 / Math.SQRT2, 15);
    expect(scores[2]).toBeCloseTo(1 / 17 / Math.SQRT2, 15);
    expect(scores[3]).toBeNaN();
    const brands = profileItemScores(p, "ann", { facets: ["brand"] }).scores;
    expect(brands[0]).toBeCloseTo(5 / 17, 15);
    expect(brands[2]).toBeCloseTo(1 / 17, 15);
    expectRecokitError(() => profileItemScores(p, "zed"), "UNKNOWN_USER");
  });
});

describe("serializeProfiles / deserializeProfiles", () => {
  it("round-trips: the copy answers every query the same way", () => {
    const copy = deserializeProfiles(serializeProfiles(P));
    expect(copy.users.ids()).toEqual(P.users.ids());
    expect(copy.tags.ids()).toEqual(P.tags.ids());
    for (const id of P.users.ids()) expect(userPortrait(copy, id)).toEqual(userPortrait(P, id));
    expect(denseOf(copy.scores)).toEqual(denseOf(P.scores));
    expect(copy.config).toEqual(P.config);
  });

  it("refuses corrupted, truncated, foreign and inconsistent payloads", () => {
    const bytes = serializeProfiles(P);
    const flipped = bytes.slice();
    flipped[bytes.length - 3]! ^= 0xff;
    expectRecokitError(() => deserializeProfiles(flipped), "BAD_MODEL", /checksum/);
    expectRecokitError(() => deserializeProfiles(bytes.subarray(0, bytes.length - 8)), "BAD_MODEL", /length/);
    expectRecokitError(
      () => deserializeProfiles(encodePayload("something-else", {})),
      "BAD_MODEL",
      /expected a/,
    );
    const broken = { ...P, state: { ...P.state, lastSeen: new Float64Array(1) } };
    expectRecokitError(
      () => deserializeProfiles(encodePayload("recokit/tag-profiles@1", broken)),
      "BAD_MODEL",
      /state.lastSeen must be a Float64Array/,
    );
    const badConfig = { ...P, config: { ...P.config, decay: { kind: "sideways" } } };
    expectRecokitError(
      () => deserializeProfiles(encodePayload("recokit/tag-profiles@1", badConfig)),
      "BAD_MODEL",
      /decay.kind/,
    );
    const badCode = { ...P, derived: [{ ...P.derived[0]!, codes: new Int32Array(P.users.size).fill(7) }] };
    expectRecokitError(
      () => deserializeProfiles(encodePayload("recokit/tag-profiles@1", badCode)),
      "BAD_MODEL",
      /code out of range/,
    );
  });
});
