import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildProfiles, type TagProfiles, tagEvidence } from "../../src/profile/index.js";
import { deepFreeze } from "../helpers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const HALF_LIFE_DAYS = 10;
/** Relative tolerance of float comparisons with the reference (sums taken in another order). */
const REL = 1e-12;
const TYPE_WEIGHTS = { view: 1, cart: 3, purchase: 5 } as const;
type EventType = keyof typeof TYPE_WEIGHTS;

/** Items with explicit tags (read through `itemTags`), so the reference knows them independently. */
const ITEMS = deepFreeze([
  { id: "a", tags: ["category:shoes", "brand:Trail"], price: 50 },
  { id: "b", tags: ["category:shoes", "brand:Stride", "style:eco"], price: 80 },
  { id: "c", tags: ["category:tents"], price: 200 },
  { id: "d", tags: [] as string[], price: 10 },
]);
const TAGS_OF = new Map(ITEMS.map((it) => [it.id, it.tags]));

interface Row {
  readonly who: string;
  readonly what: string;
  readonly kind: EventType;
  readonly at: number;
  readonly qty: number;
  readonly via?: string;
}

const rowArb: fc.Arbitrary<Row> = fc.record(
  {
    who: fc.constantFrom("u1", "u2", "u3", "u4", "u5", "u6"),
    what: fc.constantFrom("a", "b", "c", "d"),
    kind: fc.constantFrom<EventType>("view", "cart", "purchase"),
    // minutes over 40 days
    at: fc.integer({ min: 0, max: 40 * 24 * 60 }).map((m) => T0 + m * 60_000),
    qty: fc.integer({ min: 0, max: 4 }),
    via: fc.constantFrom("app", "web"),
  },
  { requiredKeys: ["who", "what", "kind", "at", "qty"] },
);

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= REL * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Straightforward reference: per (user, tag) and per user, one event at a time, in nested Maps. */
function reference(rows: readonly Row[], asOf: number) {
  const decay = (t: number) => 2 ** (-(asOf - t) / (HALF_LIFE_DAYS * DAY));
  const cells = new Map<string, { weight: number; counts: Record<string, number>; lastSeen: number }>();
  const users = new Map<string, { activity: number; hours: number[]; channels: Map<string, number> }>();
  for (const r of rows) {
    const d = decay(r.at);
    const user = users.get(r.who) ?? {
      activity: 0,
      hours: new Array<number>(24).fill(0),
      channels: new Map(),
    };
    users.set(r.who, user);
    user.activity += d;
    user.hours[new Date(r.at).getUTCHours()]! += d;
    if (r.via !== undefined) user.channels.set(r.via, (user.channels.get(r.via) ?? 0) + d);
    for (const tag of new Set(TAGS_OF.get(r.what))) {
      const key = `${r.who}|${tag}`;
      const cell = cells.get(key) ?? { weight: 0, counts: {}, lastSeen: Number.NEGATIVE_INFINITY };
      cells.set(key, cell);
      cell.weight += TYPE_WEIGHTS[r.kind] * r.qty * d;
      cell.counts[r.kind] = (cell.counts[r.kind] ?? 0) + 1;
      cell.lastSeen = Math.max(cell.lastSeen, r.at);
    }
  }
  return { cells, users };
}

function build(rows: readonly Row[], options: { onInvalid?: "skip" } = {}): TagProfiles {
  return buildProfiles(rows, {
    ...options,
    items: ITEMS,
    itemTags: (it) => it.tags,
    priceBands: [],
    typeWeights: TYPE_WEIGHTS,
    values: "multiply",
    decay: { kind: "exponential", halfLifeDays: HALF_LIFE_DAYS },
    normalize: "none",
    accessors: {
      user: (r) => r.who,
      item: (r) => r.what,
      type: (r) => r.kind,
      timestamp: (r) => r.at,
      value: (r) => r.qty,
      channel: (r) => r.via,
    },
  });
}

describe("reading and grouping events (many users, several columns)", () => {
  it("weights, evidence, activity, hours and channels equal a one-event-at-a-time reference (property)", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 120 }), (rows) => {
        const p = build(deepFreeze(rows));
        const ref = reference(rows, p.asOf);
        const w = p.state.weights;
        let stored = 0;
        for (let u = 0; u < w.nRows; u++) {
          for (let j = w.indptr[u]!; j < w.indptr[u + 1]!; j++) {
            const key = `${String(p.users.idAt(u))}|${String(p.tags.idAt(w.indices[j]!))}`;
            const cell = ref.cells.get(key);
            if (cell === undefined) expect.fail(`${key} is not in the reference`);
            if (!close(w.data[j]!, cell.weight)) expect.fail(`${key}: weight ${w.data[j]} vs ${cell.weight}`);
            expect(p.state.lastSeen[j], key).toBe(cell.lastSeen);
            const ev = tagEvidence(p, p.users.idAt(u), p.tags.idAt(w.indices[j]!) as string)!;
            expect(ev.counts, key).toEqual(cell.counts);
            stored++;
          }
        }
        expect(stored).toBe(ref.cells.size);
        for (const [id, user] of ref.users) {
          const u = p.users.indexOf(id);
          if (!close(p.state.activity[u]!, user.activity)) expect.fail(`${id}: activity`);
          for (let h = 0; h < 24; h++) {
            if (!close(p.state.hours[u * 24 + h]!, user.hours[h]!)) expect.fail(`${id}: hour ${h}`);
          }
          const ch = p.state.channels;
          const got = new Map<string, number>();
          for (let j = ch.indptr[u]!; j < ch.indptr[u + 1]!; j++)
            got.set(String(p.channels.idAt(ch.indices[j]!)), ch.data[j]!);
          expect([...got.keys()].sort(), id).toEqual([...user.channels.keys()].sort());
          for (const [c, v] of user.channels) if (!close(got.get(c)!, v)) expect.fail(`${id}: channel ${c}`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("rows skipped on either side of the internal block boundaries keep their row numbers", () => {
    const n = 5_000;
    const bad = new Set([0, 1023, 1024, 1025, 2047, 4095, 4096, n - 1]);
    const rows = Array.from({ length: n }, (_, i) => ({
      who: `u${i % 37}`,
      what: "abcd"[i % 4]!,
      kind: (["view", "cart", "purchase"] as const)[i % 3]!,
      at: bad.has(i) ? Number.NaN : T0 + i * HOUR,
      qty: 1 + (i % 3),
      via: i % 2 === 0 ? "app" : "web",
    }));
    const p = build(rows, { onInvalid: "skip" });
    expect(Array.from(p.report.skipped.rows)).toEqual([...bad].sort((x, y) => x - y));
    expect(p.report.skipped.reasons).toEqual({ "invalid timestamp": bad.size });
    expect(p.report.used).toBe(n - bad.size);
    // the same profiles as from the valid rows alone
    const q = build(rows.filter((_, i) => !bad.has(i)));
    expect(p.users.ids()).toEqual(q.users.ids());
    expect(p.tags.ids()).toEqual(q.tags.ids());
    expect(Array.from(p.state.weights.indices)).toEqual(Array.from(q.state.weights.indices));
    expect(Array.from(p.state.weights.data)).toEqual(Array.from(q.state.weights.data));
    expect(Array.from(p.state.counts)).toEqual(Array.from(q.state.counts));
    expect(Array.from(p.state.hours)).toEqual(Array.from(q.state.hours));
  });
});
