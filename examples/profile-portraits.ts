/**
 * User portraits from a shop's behaviour log: builds tag profiles for a seeded synthetic shop (with
 * its RFM segments attached), prints three portraits with the evidence behind each tag, selects one
 * marketing audience and prints how it differs from the population (lift table).
 * Run with `npx tsx examples/profile-portraits.ts`.
 */
import { syntheticShop } from "../src/datasets/index.js";
import {
  audienceLift,
  buildProfiles,
  type PortraitTag,
  selectAudience,
  type UserPortrait,
  userPortrait,
} from "../src/profile/index.js";
import { rfmTable, scoreRfm, segmentRfm } from "../src/rfm/index.js";

const shop = syntheticShop({ seed: 7, users: 2_000, items: 1_500, events: 80_000, days: 120 });

// RFM segments from the order lines, attached to the profiles as the derived tag `rfmSegment`
const table = rfmTable(shop.orders);
const segments = segmentRfm(scoreRfm(table));

const profiles = buildProfiles(shop.events, {
  items: shop.items,
  users: shop.users,
  rfm: { customers: table.customers, labels: segments.labels },
  decay: { kind: "exponential", halfLifeDays: 30 },
  typeWeights: { view: 1, search: 1, cart: 3, purchase: 5 },
});
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
console.log(
  `${profiles.report.used} events → profiles of ${profiles.users.size} users over ${profiles.tags.size} tags (as of ${day(profiles.asOf)}, half-life 30 days)`,
);

function evidence(t: PortraitTag): string {
  const counts = Object.entries(t.counts)
    .map(([type, n]) => `${n} ${type}`)
    .join(", ");
  return `${counts}; last ${day(t.lastSeen)}`;
}

function printPortrait(p: UserPortrait): void {
  const m = p.metrics;
  const plural = (n: number | null, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  console.log(
    `\n── portrait of ${p.user} ─ ${plural(m.events, "event")}, ${plural(m.purchases, "purchase")}, last seen ${plural(Math.round(m.recencyDays ?? 0), "day")} ago`,
  );
  for (const t of p.tags) {
    console.log(
      `  ${t.tag.padEnd(34)} score ${t.score.toFixed(3)}  weight ${t.weight.toFixed(2).padStart(6)}  confidence ${t.confidence.toFixed(2)}  (${evidence(t)})`,
    );
  }
  const derived = Object.entries(p.derived)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ");
  console.log(`  derived: ${derived}`);
  console.log(
    `  active hours ${p.activeHours.join(", ")} h · weekdays ${p.activeWeekdays.join(", ")} · channels ${p.channels
      .map((c) => `${c.channel} ${(100 * c.share).toFixed(0)} %`)
      .join(", ")}`,
  );
}

// three portraits: the most active user, a median one, and a newcomer with few events
const byActivity = profiles.users
  .ids()
  .map((id, u) => ({ id, events: profiles.metrics.events[u]! }))
  .filter((x) => x.events > 0)
  .sort((a, b) => b.events - a.events);
for (const pick of [
  byActivity[0]!,
  byActivity[byActivity.length >> 1]!,
  byActivity[byActivity.length - 1]!,
]) {
  printPortrait(userPortrait(profiles, pick.id, { k: 6 }));
}

// an audience: outdoor gear among their top-3 categories, still engaged, not premium buyers
const query = {
  all: [
    { tag: "category:outdoor", top: 3, minEvents: 2 },
    { derived: "lifecycle", is: ["active", "new"] },
    { not: { derived: "priceSensitivity", is: "premium" } },
  ],
};
const audience = selectAudience(profiles, query, { rankBy: "category:outdoor" });
console.log(`\n── audience: ${JSON.stringify(query)}`);
console.log(`${audience.users.length} of ${audience.populationSize} users; best five by outdoor score:`);
for (const e of audience.evidence.slice(0, 5)) {
  const outdoor = e.tags.find((t) => t.tag === "category:outdoor")!;
  console.log(
    `  ${String(e.user).padEnd(6)} outdoor score ${outdoor.score.toFixed(3)} (${evidence(outdoor)}) · ${JSON.stringify(e.derived)}`,
  );
}

const lift = audienceLift(profiles, audience, { minAudienceUsers: 20 });
console.log("\nhow the audience differs from everyone (highest lift first, tags held by ≥ 20 members):");
console.log(
  `  ${"tag".padEnd(34)} ${"audience".padStart(9)} ${"everyone".padStart(9)} ${"lift".padStart(6)} ${"z".padStart(7)}`,
);
for (const r of lift.rows.slice(0, 12)) {
  console.log(
    `  ${r.tag.padEnd(34)} ${(100 * r.audienceShare).toFixed(1).padStart(7)} % ${(100 * r.populationShare).toFixed(1).padStart(7)} % ${r.lift.toFixed(2).padStart(6)} ${r.z.toFixed(1).padStart(7)}`,
  );
}
