import { describe, expect, it } from "vitest";
import { type SyntheticEvent, syntheticShop } from "../../src/datasets/index.js";
import { buildProfiles, userPortrait } from "../../src/profile/index.js";

/**
 * Recovery of known tastes: the synthetic shop draws 55 % of each user's events from a favourite
 * category (20 % from a second one, the rest uniformly). Profiles should put the favourite among the
 * user's top-3 category tags. The curve truncates every user to their first n events.
 */
describe("recovery of the generator's latent tastes", () => {
  const shop = syntheticShop({ seed: 11, users: 3_000, items: 4_000, categories: 24, events: 120_000 });
  const favourite = new Map(shop.users.map((u) => [u.id, u.favouriteCategory]));
  const byUser = new Map<string, SyntheticEvent[]>();
  for (const e of shop.events) {
    if (e.user === null) continue;
    const list = byUser.get(e.user) ?? [];
    list.push(e);
    byUser.set(e.user, list);
  }

  /** Share of the users whose top-3 profile categories contain their favourite. */
  function recovery(events: readonly SyntheticEvent[], users: readonly string[], k = 3): number {
    const p = buildProfiles(events, { items: shop.items });
    let hits = 0;
    for (const u of users) {
      const top = userPortrait(p, u, { k, facets: ["category"] }).tags.map((t) => t.value);
      if (top.includes(favourite.get(u)!)) hits++;
    }
    return hits / users.length;
  }

  it("finds the favourite category in the top 3 for ≥ 90 % of users with ≥ 20 events", () => {
    const active = [...byUser.entries()].filter(([, es]) => es.length >= 20).map(([u]) => u);
    expect(active.length).toBeGreaterThan(500);
    const share = recovery(shop.events, active);
    console.log(
      `recovery (top-3 categories contain the favourite), users with ≥ 20 events: ${(100 * share).toFixed(1)} % of ${active.length}`,
    );
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it("falls gracefully with fewer events per user", () => {
    const active = [...byUser.entries()].filter(([, es]) => es.length >= 20).map(([u]) => u);
    const curve: [number, number, number][] = [];
    for (const n of [1, 2, 3, 5, 10, 20]) {
      const events = active.flatMap((u) => byUser.get(u)!.slice(0, n));
      curve.push([n, recovery(events, active, 3), recovery(events, active, 1)]);
    }
    console.log("events per user | favourite in top 3 | favourite is top 1");
    for (const [n, top3, top1] of curve)
      console.log(
        `${String(n).padStart(15)} | ${(100 * top3).toFixed(1).padStart(17)} % | ${(100 * top1).toFixed(1).padStart(16)} %`,
      );
    const at = (n: number) => curve.find((c) => c[0] === n)!;
    // one event is a single category draw: the favourite with probability 0.55 + 0.25/24 ≈ 0.56
    expect(at(1)[1]).toBeGreaterThan(0.5);
    expect(at(1)[1]).toBeLessThan(0.62);
    expect(at(20)[1]).toBeGreaterThanOrEqual(0.9);
    expect(at(20)[1]).toBeGreaterThan(at(3)[1]);
    expect(at(20)[2]).toBeGreaterThan(at(1)[2]);
  });
});
