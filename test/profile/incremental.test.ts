import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BuildProfilesOptions,
  buildProfiles,
  type ProfileDecay,
  type ProfileEvent,
  type ProfileNormalization,
  type ProfilePopulationWeighting,
  type TagProfiles,
  updateProfiles,
  userPortrait,
} from "../../src/profile/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const ITEMS = deepFreeze([
  { id: "i0", category: "shoes", brand: "Trail", tags: ["outdoor", "eco"], price: 60 },
  { id: "i1", category: "shoes", brand: "Stride", price: 40 },
  { id: "i2", category: "shoes", brand: "Trail", price: 90 },
  { id: "i3", category: "tents", brand: "Summit", tags: ["outdoor"], price: 200 },
  { id: "i4", category: "tea", categoryPath: ["food", "tea"], price: 8 },
  { id: "i5" },
]);
const TYPES = ["view", "search", "cart", "favourite", "purchase"];
const GHOSTS = [{ id: "ghost", country: "Japan" }];

/** Everything a profile says about each (user, tag) and user, keyed by ids (index order may differ). */
function snapshot(p: TagProfiles) {
  const nTypes = p.eventTypes.length;
  const cells = new Map<string, { weight: number; score: number; counts: number[]; lastSeen: number }>();
  const m = p.state.weights;
  for (let u = 0; u < m.nRows; u++) {
    for (let j = m.indptr[u]!; j < m.indptr[u + 1]!; j++) {
      cells.set(`${String(p.users.idAt(u))}|${String(p.tags.idAt(m.indices[j]!))}`, {
        weight: m.data[j]!,
        score: p.scores.data[j]!,
        counts: Array.from(p.state.counts.subarray(j * nTypes, (j + 1) * nTypes)),
        lastSeen: p.state.lastSeen[j]!,
      });
    }
  }
  const users = new Map<string, ReturnType<typeof userPortrait>>();
  for (const id of p.users.ids()) users.set(String(id), userPortrait(p, id, { k: 0 }));
  return { asOf: p.asOf, cells, users };
}

function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

function expectSameProfiles(a: TagProfiles, b: TagProfiles): void {
  const x = snapshot(a);
  const y = snapshot(b);
  expect(x.asOf).toBe(y.asOf);
  expect([...x.cells.keys()].sort()).toEqual([...y.cells.keys()].sort());
  for (const [key, c] of x.cells) {
    const d = y.cells.get(key)!;
    if (!close(c.weight, d.weight) || !close(c.score, d.score))
      expect.fail(`${key}: weight ${c.weight} / ${d.weight}, score ${c.score} / ${d.score}`);
    expect(c.counts, key).toEqual(d.counts);
    expect(c.lastSeen, key).toBe(d.lastSeen);
  }
  expect([...x.users.keys()].sort()).toEqual([...y.users.keys()].sort());
  for (const [id, p] of x.users) {
    const q = y.users.get(id)!;
    expect(p.derived, id).toEqual(q.derived);
    expect(p.activeHours, id).toEqual(q.activeHours);
    for (const [name, v] of Object.entries(p.metrics)) {
      const w = q.metrics[name as keyof typeof q.metrics];
      if (v === null || w === null) expect(v, `${id}.${name}`).toBe(w);
      else if (!close(v, w)) expect.fail(`${id}.${name}: ${v} vs ${w}`);
    }
  }
}

const eventArb = fc.record({
  user: fc.constantFrom("a", "b", "c", "d", 7),
  item: fc.constantFrom("i0", "i1", "i2", "i3", "i4", "i5", "unknown", null),
  type: fc.constantFrom(...TYPES),
  // minutes over 60 days
  timestamp: fc.integer({ min: 0, max: 60 * 24 * 60 }).map((m) => T0 + m * 60_000),
  query: fc.option(fc.constantFrom("trail shoes", "summit tent", "green tea", "运动鞋 eco"), {
    nil: undefined,
  }),
  channel: fc.option(fc.constantFrom("app", "web", "email"), { nil: undefined }),
  discounted: fc.option(fc.boolean(), { nil: undefined }),
  price: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
});

const decayArb: fc.Arbitrary<ProfileDecay> = fc.oneof(
  fc.constant<ProfileDecay>({ kind: "none" }),
  fc.integer({ min: 1, max: 60 }).map((h): ProfileDecay => ({ kind: "exponential", halfLifeDays: h })),
);

describe("updateProfiles equals recomputation", () => {
  it("folding new events into profiles = building from all events (property)", () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 0, maxLength: 40 }),
        fc.array(eventArb, { minLength: 0, maxLength: 40 }),
        decayArb,
        fc.constantFrom("share", "facet-share", "l2", "none"),
        fc.constantFrom("none", "idf"),
        fc.integer({ min: 0, max: 10 * DAY }),
        fc.integer({ min: 0, max: 10 * DAY }),
        (first, second, decay, normalize, population, gap1, gap2) => {
          const e1 = first as ProfileEvent[];
          const e2 = second as ProfileEvent[];
          const maxOf = (es: ProfileEvent[]) => Math.max(T0, ...es.map((e) => e.timestamp as number));
          const asOf1 = maxOf(e1) + gap1;
          const asOf2 = Math.max(asOf1, maxOf(e2)) + gap2;
          const options: BuildProfilesOptions = {
            items: ITEMS,
            users: GHOSTS,
            decay,
            normalize: normalize as ProfileNormalization,
            population: population as ProfilePopulationWeighting,
          };
          const full = buildProfiles([...e1, ...e2], { ...options, asOf: asOf2 });
          const older = buildProfiles(e1, { ...options, asOf: asOf1 });
          const updated = updateProfiles(older, e2, { asOf: asOf2 });
          expectSameProfiles(updated, full);
          expect(updated.report.totalEvents).toBe(full.report.used);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("several successive updates equal one build (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(eventArb, { maxLength: 15 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 30 }),
        (batches, halfLife) => {
          const decay = { kind: "exponential", halfLifeDays: halfLife } as const;
          let asOf = T0;
          const all: ProfileEvent[] = [];
          let p: TagProfiles | undefined;
          for (const batch of batches as ProfileEvent[][]) {
            for (const e of batch) asOf = Math.max(asOf, e.timestamp as number);
            all.push(...batch);
            p =
              p === undefined
                ? buildProfiles(batch, { items: ITEMS, decay, asOf })
                : updateProfiles(p, batch, { asOf });
          }
          expectSameProfiles(p!, buildProfiles(all, { items: ITEMS, decay, asOf }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("moving the reference time scales every decayed weight by one factor", () => {
    const events = [
      { user: "a", item: "i0", type: "view", timestamp: T0 },
      { user: "a", item: "i3", type: "purchase", timestamp: T0 + 3 * DAY },
    ];
    const p = buildProfiles(events, {
      items: ITEMS,
      decay: { kind: "exponential", halfLifeDays: 5 },
      normalize: "none",
    });
    const q = updateProfiles(p, [], { asOf: p.asOf + 5 * DAY });
    for (let j = 0; j < p.state.weights.data.length; j++)
      expect(q.state.weights.data[j]).toBe(p.state.weights.data[j]! / 2);
    expect(q.state.activity[0]).toBe(p.state.activity[0]! / 2);
  });

  it("adds new items, users and tags on update", () => {
    const p = buildProfiles([{ user: "a", item: "i0", type: "view", timestamp: T0 }], { items: ITEMS });
    const q = updateProfiles(
      p,
      [
        { user: "new", item: "fresh", type: "cart", timestamp: T0 + DAY },
        { user: "a", item: "i0", type: "search", query: "brand new words", timestamp: T0 + DAY },
      ],
      { items: [{ id: "fresh", category: "kettles", brand: "Boil" }, ITEMS[0]!] },
    );
    expect(q.users.ids()).toEqual(["a", "new"]);
    expect(q.catalogue.items.size).toBe(ITEMS.length + 1);
    expect(
      userPortrait(q, "new")
        .tags.map((t) => t.tag)
        .sort(),
    ).toEqual(["brand:Boil", "category:kettles"]);
    expect(q.tags.has("search:words")).toBe(true);
    // the old tags keep their indices
    for (const tag of p.tags.ids()) expect(q.tags.indexOf(tag)).toBe(p.tags.indexOf(tag));
  });

  it("refuses an earlier reference time and window-decay profiles", () => {
    const p = buildProfiles([{ user: "a", type: "view", timestamp: T0 }], {});
    expectRecokitError(
      () => updateProfiles(p, [], { asOf: T0 - 1 }),
      "INVALID_INPUT",
      /earlier than the profiles'/,
    );
    const w = buildProfiles([{ user: "a", type: "view", timestamp: T0 }], {
      decay: { kind: "window", days: 7 },
    });
    expectRecokitError(() => updateProfiles(w, []), "INVALID_INPUT", /window decay cannot be updated/);
    expectRecokitError(
      () => updateProfiles({} as TagProfiles, []),
      "INVALID_INPUT",
      /must be the result of buildProfiles/,
    );
  });
});
