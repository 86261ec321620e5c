/**
 * The profiling module's benchmark:
 *   (a) buildProfiles on a seeded synthetic shop of 1,000,000 events over 50,000 users (target ≤ 2 s),
 *       against a naive baseline measured in the same run (a Map per user of tag → decayed weight,
 *       computing only the decayed weights: a fraction of what buildProfiles does);
 *   (b) updateProfiles folding the last 10 % of the events into profiles of the first 90 %, against
 *       rebuilding from all events;
 *   (c) selectAudience and audienceLift over every user, and userPortrait throughput;
 *   (d) buildProfiles on MovieLens 100K (genres as tags), when ../shared/data is present.
 * `npm run bench -- --only profile`; `--smoke` for tiny sizes.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  parseMovieLensItems,
  parseMovieLensRatings,
  type SyntheticEvent,
  type SyntheticItem,
  syntheticShop,
} from "../src/datasets/index.js";
import {
  audienceLift,
  buildProfiles,
  selectAudience,
  type TagProfiles,
  updateProfiles,
  userPortrait,
} from "../src/profile/index.js";
import { hasFlag, peakRssMb, timeMedian, writeResult } from "./util.js";

const here = dirname(fileURLToPath(import.meta.url));
const DATA = join(here, "../../shared/data");
const smoke = hasFlag("--smoke");
const RUNS = smoke ? 3 : 5;
const DAY = 86_400_000;
const HALF_LIFE_DAYS = 30;
const TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  view: 1,
  search: 1,
  cart: 3,
  favourite: 4,
  purchase: 5,
};

interface Row {
  task: string;
  size: string;
  ms: number;
  runs: number[];
  baselineMs?: number;
  ratio?: number;
  note?: string;
}
const rows: Row[] = [];

/** Tags of an item the way buildProfiles derives them by default (price bands left out). */
function naiveItemTags(item: SyntheticItem): string[] {
  const tags = [`category:${item.category}`, `brand:${item.brand}`];
  for (let level = 1; level < item.categoryPath.length; level++)
    tags.push(`path:${item.categoryPath.slice(0, level).join(" > ")}`);
  for (const t of item.tags) tags.push(`tag:${t}`);
  return tags;
}

/** The baseline: decayed tag weights per user in nested Maps, nothing else (no evidence, no derived tags). */
function naiveProfiles(
  events: readonly SyntheticEvent[],
  items: readonly SyntheticItem[],
): Map<string, Map<string, number>> {
  const tagsOf = new Map(items.map((it) => [it.id, naiveItemTags(it)]));
  let asOf = Number.NEGATIVE_INFINITY;
  for (const e of events) if (e.timestamp > asOf) asOf = e.timestamp;
  const out = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.user === null) continue;
    const w = TYPE_WEIGHTS[e.type]! * 2 ** (-(asOf - e.timestamp) / (HALF_LIFE_DAYS * DAY));
    let profile = out.get(e.user);
    if (profile === undefined) {
      profile = new Map();
      out.set(e.user, profile);
    }
    for (const tag of tagsOf.get(e.item) ?? []) profile.set(tag, (profile.get(tag) ?? 0) + w);
  }
  return out;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function synthetic(): void {
  const nUsers = smoke ? 2_000 : 50_000;
  const nEvents = smoke ? 20_000 : 1_000_000;
  const t0 = performance.now();
  const shop = syntheticShop({
    seed: 2024,
    users: nUsers,
    items: smoke ? 2_000 : 20_000,
    categories: 24,
    events: nEvents,
  });
  console.log(
    `generated ${shop.events.length} events over ${nUsers} users in ${fmt(performance.now() - t0)} ms`,
  );
  const options = {
    items: shop.items,
    users: shop.users,
    decay: { kind: "exponential", halfLifeDays: HALF_LIFE_DAYS } as const,
  };
  const size = `${nEvents / 1000}k events, ${nUsers / 1000}k users`;

  const build = timeMedian(RUNS, () => buildProfiles(shop.events, options));
  const naive = timeMedian(RUNS, () => naiveProfiles(shop.events, shop.items));
  const profiles: TagProfiles = build.result;
  rows.push({
    task: "buildProfiles",
    size,
    ms: build.ms,
    runs: build.all,
    baselineMs: naive.ms,
    ratio: build.ms / naive.ms,
    note: `${profiles.tags.size} tags, ${profiles.state.weights.indptr[profiles.users.size]} user-tag weights; baseline: nested Maps, weights only`,
  });

  const cut = Math.floor(shop.events.length * 0.9);
  const head = shop.events.slice(0, cut);
  const tail = shop.events.slice(cut);
  const older = buildProfiles(head, options);
  const update = timeMedian(RUNS, () => updateProfiles(older, tail));
  rows.push({
    task: "updateProfiles (+10 %)",
    size,
    ms: update.ms,
    runs: update.all,
    baselineMs: build.ms,
    ratio: update.ms / build.ms,
    note: "baseline: buildProfiles over all events",
  });

  const query = {
    all: [
      { tag: `category:${shop.categories[0]}`, top: 3 },
      { derived: "lifecycle", is: ["active", "new"] },
      { not: { derived: "priceSensitivity", is: "premium" } },
    ],
  };
  const select = timeMedian(RUNS, () => selectAudience(profiles, query));
  rows.push({
    task: "selectAudience",
    size: `${nUsers / 1000}k users`,
    ms: select.ms,
    runs: select.all,
    note: `${select.result.users.length} members with evidence`,
  });
  const lift = timeMedian(RUNS, () => audienceLift(profiles, select.result));
  rows.push({
    task: "audienceLift",
    size: `${nUsers / 1000}k users`,
    ms: lift.ms,
    runs: lift.all,
    note: `${lift.result.rows.length} rows`,
  });
  const ids = profiles.users.ids().slice(0, 5_000);
  const portraits = timeMedian(RUNS, () => {
    for (const id of ids) userPortrait(profiles, id);
  });
  rows.push({
    task: "userPortrait",
    size: `${ids.length} users`,
    ms: portraits.ms,
    runs: portraits.all,
    note: `${Math.round((ids.length / portraits.ms) * 1000)} portraits/s`,
  });
}

function movielens(): void {
  const ratingsFile = join(DATA, "ml-100k/u.data");
  const itemsFile = join(DATA, "ml-100k/u.item");
  if (!existsSync(ratingsFile) || !existsSync(itemsFile)) {
    console.log(`[skip] MovieLens 100K: ${ratingsFile} is absent`);
    return;
  }
  const all = parseMovieLensRatings(readFileSync(ratingsFile, "utf8"));
  const ratings = smoke ? all.slice(0, 5_000) : all;
  const movies = parseMovieLensItems(readFileSync(itemsFile, "latin1"));
  const build = timeMedian(RUNS, () =>
    buildProfiles(ratings, {
      accessors: { type: () => "rating" },
      typeWeights: { rating: 1 },
      items: movies,
      itemTags: (m) => m.genres.map((g) => `genre:${g}`),
      decay: { kind: "none" },
    }),
  );
  rows.push({
    task: "buildProfiles (MovieLens)",
    size: `${ratings.length / 1000}k ratings, ${build.result.users.size} users`,
    ms: build.ms,
    runs: build.all,
  });
}

synthetic();
movielens();

console.log("\n| task | size | median ms | baseline ms | ratio | note |");
console.log("|---|---|---:|---:|---:|---|");
for (const r of rows) {
  console.log(
    `| ${r.task} | ${r.size} | ${fmt(r.ms)} | ${r.baselineMs === undefined ? "" : fmt(r.baselineMs)} | ${r.ratio === undefined ? "" : r.ratio.toFixed(2)} | ${r.note ?? ""} |`,
  );
}
const target = rows.find((r) => r.task === "buildProfiles");
if (!smoke && target !== undefined)
  console.log(
    `\ntarget: 1M events over 50k users in ≤ 2000 ms: measured ${fmt(target.ms)} ms (${target.ms <= 2000 ? "met" : "not met"})`,
  );
console.log(`peak RSS ${peakRssMb()} MB (runs per figure: ${RUNS})`);
const file = writeResult("profile", { smoke, runs: RUNS, rows, peakRssMb: peakRssMb() });
console.log(`wrote ${file}`);
