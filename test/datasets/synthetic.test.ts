import { describe, expect, it } from "vitest";
import { syntheticInteractions, syntheticShop } from "../../src/datasets/index.js";
import { expectRecokitError } from "../helpers.js";

describe("syntheticShop", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = syntheticShop({ seed: 3, users: 30, items: 40, events: 500 });
    const b = syntheticShop({ seed: 3, users: 30, items: 40, events: 500 });
    const c = syntheticShop({ seed: 4, users: 30, items: 40, events: 500 });
    expect(b).toEqual(a);
    expect(c.events).not.toEqual(a.events);
  });

  it("builds events of one type with the same fields in the same order (one object shape)", () => {
    const shop = syntheticShop({ seed: 2, users: 40, items: 50, events: 2000 });
    const shapes = new Map<string, Set<string>>();
    for (const e of shop.events) {
      const set = shapes.get(e.type) ?? new Set<string>();
      set.add(Object.keys(e).join(","));
      shapes.set(e.type, set);
    }
    expect(shapes.get("search")).toEqual(new Set(["user,item,type,timestamp,session,device,query"]));
    for (const [type, set] of shapes) {
      if (type !== "search") expect(set, type).toEqual(new Set(["user,item,type,timestamp,session,device"]));
    }
  });

  it("produces a coherent shop", () => {
    const shop = syntheticShop({ seed: 1, users: 50, items: 60, events: 3000, days: 30 });
    const itemIds = new Set(shop.items.map((i) => i.id));
    const userIds = new Set(shop.users.map((u) => u.id));
    expect(shop.events).toHaveLength(3000);
    for (const e of shop.events) {
      expect(itemIds.has(e.item)).toBe(true);
      expect(userIds.has(e.user!)).toBe(true);
      expect(e.type === "search").toBe(e.query !== undefined);
    }
    for (let i = 1; i < shop.events.length; i++)
      expect(shop.events[i]!.timestamp).toBeGreaterThanOrEqual(shop.events[i - 1]!.timestamp);
    const purchases = shop.events.filter((e) => e.type === "purchase").length;
    expect(shop.orders).toHaveLength(purchases);
    for (const u of shop.users) expect(u.tastes.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(shop.items.some((i) => /[\u4e00-\u9fff]/.test(i.title))).toBe(true);
    expect(shop.items.every((i) => i.price > 0)).toBe(true);
  });

  it("draws most of a user's events from the favourite category", () => {
    const shop = syntheticShop({ seed: 9, users: 20, items: 120, events: 8000 });
    const categoryOf = new Map(shop.items.map((i) => [i.id, i.category]));
    let fav = 0;
    for (const e of shop.events) {
      const user = shop.users.find((u) => u.id === e.user)!;
      if (categoryOf.get(e.item) === user.favouriteCategory) fav++;
    }
    // expected share 0.55 + 0.25/12 ≈ 0.57
    expect(fav / shop.events.length).toBeGreaterThan(0.5);
    expect(fav / shop.events.length).toBeLessThan(0.65);
  });

  it("injects dirt and reports exactly what it injected", () => {
    const shop = syntheticShop({ seed: 2, users: 100, items: 80, events: 20_000, dirt: true });
    const d = shop.dirt;
    expect(shop.orders.filter((o) => o.customer === null && o.item !== "POST")).toHaveLength(
      d.orderLinesWithoutCustomer +
        countDuplicatesOf(shop.orders, (o) => o.customer === null && o.item !== "POST"),
    );
    expect(shop.orders.filter((o) => o.invoice.startsWith("C")).length).toBeGreaterThanOrEqual(d.returnLines);
    expect(shop.orders.filter((o) => o.item === "POST").length).toBeGreaterThanOrEqual(d.nonProductLines);
    expect(d.botUsers).toHaveLength(2);
    expect(shop.events.filter((e) => e.user?.startsWith("bot")).length).toBeGreaterThanOrEqual(d.botEvents);
    expect(d.duplicateEvents).toBeGreaterThan(0);
    expect(d.returnLines).toBeGreaterThan(d.unmatchedReturnLines);
  });

  it("rejects bad sizes", () => {
    expectRecokitError(() => syntheticShop({ users: 0 }), "INVALID_INPUT", /users/);
    expectRecokitError(
      () => syntheticShop({ items: 3, categories: 5 }),
      "INVALID_INPUT",
      /at least categories/,
    );
    expectRecokitError(() => syntheticShop({ dirt: { duplicates: 2 } }), "INVALID_INPUT", /dirt\.duplicates/);
  });
});

/** Extra verbatim copies among rows matching `pred` (duplicates are appended copies). */
function countDuplicatesOf<T>(rows: readonly T[], pred: (r: T) => boolean): number {
  const seen = new Set<T>();
  let dup = 0;
  for (const r of rows) {
    if (!pred(r)) continue;
    if (seen.has(r)) dup++;
    seen.add(r);
  }
  return dup;
}

describe("syntheticInteractions", () => {
  it("is deterministic, in range and heavy-tailed", () => {
    const a = syntheticInteractions({ seed: 5, users: 2000, items: 1000, interactions: 50_000 });
    const b = syntheticInteractions({ seed: 5, users: 2000, items: 1000, interactions: 50_000 });
    expect(Array.from(a.items.subarray(0, 100))).toEqual(Array.from(b.items.subarray(0, 100)));
    const counts = new Int32Array(1000);
    for (const i of a.items) counts[i]!++;
    const sorted = Array.from(counts).sort((x, y) => y - x);
    const top1pc = sorted.slice(0, 10).reduce((s, x) => s + x, 0);
    // Zipf(1) over 1000 items: the top 1% of items draw far more than 1% of interactions
    expect(top1pc / 50_000).toBeGreaterThan(0.1);
    expect(Math.max(...a.users)).toBeLessThan(2000);
  });
});
