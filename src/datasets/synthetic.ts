import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import { createRandom, type Random } from "../core/random.js";
import {
  ADJECTIVES,
  ADJECTIVES_ZH,
  AGE_BANDS,
  CATEGORY_SPECS,
  COUNTRIES,
  DEVICES,
  LANGUAGES,
  STYLE_TAGS,
} from "./catalogue.js";

/** Event types the synthetic shop emits. */
export type SyntheticEventType = "view" | "cart" | "purchase" | "search";

/** A shopper, with the latent tastes the events were drawn from (the ground truth). */
export interface SyntheticUser {
  readonly id: string;
  /** The category this user draws most events from. */
  readonly favouriteCategory: string;
  /** Probability of each category (same order as `SyntheticShop.categories`), summing to 1. */
  readonly tastes: readonly number[];
  readonly ageBand: string;
  readonly gender: "f" | "m" | "x";
  readonly country: string;
  readonly language: string;
  readonly device: string;
}

/** A catalogue item. */
export interface SyntheticItem {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  /** Department → category. */
  readonly categoryPath: readonly string[];
  readonly brand: string;
  readonly tags: readonly string[];
  readonly price: number;
}

/** A behaviour event. `user` is null only in injected dirt. */
export interface SyntheticEvent {
  readonly user: string | null;
  readonly item: string;
  readonly type: SyntheticEventType;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly session: string;
  readonly device: string;
  /** The search text, on `search` events. */
  readonly query?: string;
}

/** One order line, shaped like a retailer's transaction export. */
export interface SyntheticOrderLine {
  /** Invoice number; cancellations start with "C". */
  readonly invoice: string;
  /** Customer id, null when missing (injected dirt). */
  readonly customer: string | null;
  readonly item: string;
  readonly description: string;
  /** Negative on returns. */
  readonly quantity: number;
  readonly price: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly country: string;
}

/** How much dirt to inject; rates are per clean row. */
export interface DirtOptions {
  /** Share of events and order lines repeated verbatim (default 0.01). */
  readonly duplicates?: number;
  /** Share of invoices with no customer, and of events with no user (default 0.05). */
  readonly missingIds?: number;
  /** Share of purchased lines later returned (default 0.03). */
  readonly returns?: number;
  /** Share of order lines that are postage / fee lines (default 0.01). */
  readonly nonProduct?: number;
  /** Share of order lines with price 0 (default 0.005). */
  readonly zeroPrice?: number;
  /** Share of order lines with an absurd quantity (default 0.002). */
  readonly outliers?: number;
  /** Number of bot users that fire hundreds of views in minutes (default 2). */
  readonly bots?: number;
}

/** Options of {@link syntheticShop}. */
export interface SyntheticShopOptions {
  /** Seed of the generator (default 42). */
  readonly seed?: number;
  /** Number of shoppers (default 200). */
  readonly users?: number;
  /** Number of catalogue items (default 300). */
  readonly items?: number;
  /** Number of categories, at most 48 (default 12). */
  readonly categories?: number;
  /** Number of clean behaviour events (default 5000). */
  readonly events?: number;
  /** Start of the period, epoch ms (default 2024-01-01T00:00:00Z). */
  readonly start?: number;
  /** Length of the period in days (default 90). */
  readonly days?: number;
  /** Share of item titles written in Chinese (default 0.3). */
  readonly chineseTitles?: number;
  /** Zipf exponent of item popularity (default 1). */
  readonly popularityExponent?: number;
  /** Zipf exponent of user activity (default 0.8). */
  readonly activityExponent?: number;
  /** Inject realistic dirt; `true` uses the defaults of {@link DirtOptions}. Default: none. */
  readonly dirt?: boolean | DirtOptions;
}

/** What dirt was injected: the truth a cleaning step should recover. */
export interface InjectedDirt {
  readonly duplicateEvents: number;
  readonly duplicateOrderLines: number;
  readonly eventsWithoutUser: number;
  readonly orderLinesWithoutCustomer: number;
  readonly returnLines: number;
  /** Returns whose item the customer never bought in the period. */
  readonly unmatchedReturnLines: number;
  readonly nonProductLines: number;
  readonly zeroPriceLines: number;
  readonly outlierLines: number;
  readonly botUsers: readonly string[];
  readonly botEvents: number;
}

/** A generated shop. */
export interface SyntheticShop {
  readonly categories: readonly string[];
  readonly users: readonly SyntheticUser[];
  readonly items: readonly SyntheticItem[];
  /** Events sorted by timestamp. */
  readonly events: readonly SyntheticEvent[];
  /** Order lines sorted by timestamp (one line per purchase event, plus dirt). */
  readonly orders: readonly SyntheticOrderLine[];
  readonly dirt: InjectedDirt;
}

const DAY_MS = 86_400_000;
const TYPE_CUMULATIVE: readonly [SyntheticEventType, number][] = [
  ["view", 0.7],
  ["search", 0.8],
  ["cart", 0.92],
  ["purchase", 1],
];
/** Default weight of each event type in `syntheticInteractions` values. */
export const SYNTHETIC_TYPE_WEIGHTS: Readonly<Record<SyntheticEventType, number>> = {
  view: 1,
  search: 1,
  cart: 3,
  purchase: 5,
};

/** The sampling structures shared by both generators. @internal */
interface World {
  readonly nCategories: number;
  readonly itemCategory: Int32Array;
  readonly categoryItems: readonly Int32Array[];
  readonly categoryCumulative: readonly Float64Array[];
  readonly userCumulative: Float64Array;
  readonly favourite: Int32Array;
  readonly second: Int32Array;
}

const FAVOURITE_SHARE = 0.55;
const SECOND_SHARE = 0.2;

function checkSizes(where: string, users: number, items: number, categories: number, events: number): void {
  assertInteger(where, "users", users, 1);
  assertInteger(where, "items", items, 1);
  assertInteger(where, "categories", categories, 1, 48);
  assertInteger(where, "events", events, 0);
  if (items < categories) {
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `items (${items}) must be at least categories (${categories})`,
    );
  }
}

/** Zipf weights `1/(rank+1)^s` over a random ranking, as a cumulative array. */
function zipfCumulative(random: Random, n: number, exponent: number): Float64Array {
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = rank[i]!;
    rank[i] = rank[j]!;
    rank[j] = t;
  }
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (rank[i]! + 1) ** exponent;
    cum[i] = total;
  }
  return cum;
}

/** Index drawn from a cumulative weight array (binary search). */
function drawCumulative(random: Random, cum: Float64Array): number {
  const x = random() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function buildWorld(
  random: Random,
  users: number,
  items: number,
  categories: number,
  popExp: number,
  actExp: number,
): World {
  const itemCategory = new Int32Array(items);
  for (let i = 0; i < items; i++) itemCategory[i] = i < categories ? i : Math.floor(random() * categories);
  const popularity = zipfCumulative(random, items, popExp);
  const members: number[][] = Array.from({ length: categories }, () => []);
  for (let i = 0; i < items; i++) members[itemCategory[i]!]!.push(i);
  const categoryItems = members.map((m) => Int32Array.from(m));
  const categoryCumulative = categoryItems.map((list) => {
    const cum = new Float64Array(list.length);
    let total = 0;
    for (let j = 0; j < list.length; j++) {
      const i = list[j]!;
      total += popularity[i]! - (i > 0 ? popularity[i - 1]! : 0);
      cum[j] = total;
    }
    return cum;
  });
  const favourite = new Int32Array(users);
  const second = new Int32Array(users);
  for (let u = 0; u < users; u++) {
    favourite[u] = Math.floor(random() * categories);
    const other = categories > 1 ? Math.floor(random() * (categories - 1)) : 0;
    second[u] = categories > 1 ? (other >= favourite[u]! ? other + 1 : other) : favourite[u]!;
  }
  return {
    nCategories: categories,
    itemCategory,
    categoryItems,
    categoryCumulative,
    userCumulative: zipfCumulative(random, users, actExp),
    favourite,
    second,
  };
}

function drawCategory(random: Random, world: World, u: number): number {
  const x = random();
  if (x < FAVOURITE_SHARE) return world.favourite[u]!;
  if (x < FAVOURITE_SHARE + SECOND_SHARE) return world.second[u]!;
  return Math.floor(random() * world.nCategories);
}

function drawItemIn(random: Random, world: World, category: number): number {
  const list = world.categoryItems[category]!;
  return list[drawCumulative(random, world.categoryCumulative[category]!)]!;
}

function drawType(random: Random): SyntheticEventType {
  const x = random();
  for (const [type, cum] of TYPE_CUMULATIVE) if (x < cum) return type;
  return "purchase";
}

function tasteVector(world: World, u: number): number[] {
  const rest = (1 - FAVOURITE_SHARE - SECOND_SHARE) / world.nCategories;
  const t = new Array<number>(world.nCategories).fill(rest);
  t[world.favourite[u]!]! += FAVOURITE_SHARE;
  t[world.second[u]!]! += SECOND_SHARE;
  return t;
}

function categoryName(c: number): string {
  const spec = CATEGORY_SPECS[c % CATEGORY_SPECS.length]!;
  return c < CATEGORY_SPECS.length ? spec.name : `${spec.name}-${Math.floor(c / CATEGORY_SPECS.length) + 1}`;
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function makeItem(random: Random, i: number, category: number, chineseShare: number): SyntheticItem {
  const spec = CATEGORY_SPECS[category % CATEGORY_SPECS.length]!;
  const brand = pick(random, spec.brands);
  const nounIndex = Math.floor(random() * spec.nouns.length);
  const adjIndex = Math.floor(random() * ADJECTIVES.length);
  const chinese = random() < chineseShare;
  const title = chinese
    ? `${brand} ${ADJECTIVES_ZH[adjIndex]}${spec.nounsZh[nounIndex]}`
    : `${brand} ${ADJECTIVES[adjIndex]} ${spec.nouns[nounIndex]}`;
  const tags = new Set<string>();
  const nTags = 1 + Math.floor(random() * 3);
  while (tags.size < nTags) tags.add(pick(random, STYLE_TAGS));
  const price =
    Math.round(spec.basePrice * Math.exp(0.5 * (random() + random() + random() - 1.5)) * 100) / 100;
  return {
    id: `i${i}`,
    title,
    category: categoryName(category),
    categoryPath: [spec.department, categoryName(category)],
    brand,
    tags: [...tags].sort(),
    price,
  };
}

function resolveDirt(dirt: SyntheticShopOptions["dirt"]): Required<DirtOptions> | undefined {
  if (dirt === undefined || dirt === false) return undefined;
  const d: DirtOptions = dirt === true ? {} : dirt;
  const resolved = {
    duplicates: d.duplicates ?? 0.01,
    missingIds: d.missingIds ?? 0.05,
    returns: d.returns ?? 0.03,
    nonProduct: d.nonProduct ?? 0.01,
    zeroPrice: d.zeroPrice ?? 0.005,
    outliers: d.outliers ?? 0.002,
    bots: d.bots ?? 2,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (key === "bots") assertInteger("syntheticShop", "dirt.bots", value, 0, 1000);
    else assertFinite("syntheticShop", `dirt.${key}`, value, 0, 1);
  }
  return resolved;
}

/**
 * A seeded, deterministic synthetic e-commerce shop: shoppers with latent category tastes, a
 * catalogue with categories, brands, style tags, prices and titles (some in Chinese), behaviour
 * events (view / search / cart / purchase) with timestamps and sessions, and order lines shaped
 * like a retailer's export. With `dirt`, realistic defects are injected and counted in `dirt`
 * (duplicates, missing ids, returns, postage lines, zero prices, outliers, bots), so cleaning can be
 * checked against the truth.
 *
 * Item popularity and user activity are Zipf-distributed; each event's category is the user's
 * favourite with probability 0.55, their second choice with 0.2, otherwise uniform.
 * Memory and time are linear in the number of events.
 *
 * @throws RecokitError `INVALID_INPUT` for sizes that are not positive integers.
 * @example
 * ```ts
 * import { syntheticShop } from "recokit";
 * const shop = syntheticShop({ seed: 7, users: 50, items: 80, events: 1000 });
 * shop.events.length;   // 1000
 * shop.items[0]?.title; // e.g. "Nike waterproof running shoes" or "Feiyue 轻便跑鞋"
 * ```
 */
export function syntheticShop(options: SyntheticShopOptions = {}): SyntheticShop {
  const where = "syntheticShop";
  const nUsers = options.users ?? 200;
  const nItems = options.items ?? 300;
  const nCategories = options.categories ?? 12;
  const nEvents = options.events ?? 5000;
  const start = options.start ?? Date.UTC(2024, 0, 1);
  const days = options.days ?? 90;
  checkSizes(where, nUsers, nItems, nCategories, nEvents);
  assertFinite(where, "start", start);
  assertFinite(where, "days", days, Number.MIN_VALUE);
  const chineseShare = options.chineseTitles ?? 0.3;
  assertFinite(where, "chineseTitles", chineseShare, 0, 1);
  const dirt = resolveDirt(options.dirt);
  const random = createRandom(options.seed ?? 42);
  const world = buildWorld(
    random,
    nUsers,
    nItems,
    nCategories,
    options.popularityExponent ?? 1,
    options.activityExponent ?? 0.8,
  );

  const categories = Array.from({ length: nCategories }, (_, c) => categoryName(c));
  const items = Array.from({ length: nItems }, (_, i) =>
    makeItem(random, i, world.itemCategory[i]!, chineseShare),
  );
  const users: SyntheticUser[] = [];
  for (let u = 0; u < nUsers; u++) {
    const country = pick(random, COUNTRIES);
    users.push({
      id: `u${u}`,
      favouriteCategory: categories[world.favourite[u]!]!,
      tastes: tasteVector(world, u),
      ageBand: pick(random, AGE_BANDS),
      gender: pick(random, ["f", "m", "x"] as const),
      country,
      language: LANGUAGES[COUNTRIES.indexOf(country)] ?? "en",
      device: pick(random, DEVICES),
    });
  }

  const span = days * DAY_MS;
  const events: SyntheticEvent[] = [];
  for (let e = 0; e < nEvents; e++) {
    const u = drawCumulative(random, world.userCumulative);
    const i = drawItemIn(random, world, drawCategory(random, world, u));
    const type = drawType(random);
    const timestamp = start + Math.floor((random() * span) / 1000) * 1000;
    const user = users[u]!;
    const item = items[i]!;
    const session = `${user.id}-d${Math.floor((timestamp - start) / DAY_MS)}`;
    const device = random() < 0.8 ? user.device : pick(random, DEVICES);
    // object literals, not a spread: events of one type share one hidden class, as parsed rows do
    events.push(
      type === "search"
        ? { user: user.id, item: item.id, type, timestamp, session, device, query: searchQuery(random, item) }
        : { user: user.id, item: item.id, type, timestamp, session, device },
    );
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  const orders = ordersFromPurchases(random, events, users, items);
  const result = { categories, users, items, events, orders };
  if (dirt === undefined) return { ...result, dirt: NO_DIRT };
  return injectDirt(random, result, dirt, start, span);
}

const NO_DIRT: InjectedDirt = {
  duplicateEvents: 0,
  duplicateOrderLines: 0,
  eventsWithoutUser: 0,
  orderLinesWithoutCustomer: 0,
  returnLines: 0,
  unmatchedReturnLines: 0,
  nonProductLines: 0,
  zeroPriceLines: 0,
  outlierLines: 0,
  botUsers: [],
  botEvents: 0,
};

function searchQuery(random: Random, item: SyntheticItem): string {
  const words = item.title.split(" ").slice(1);
  return random() < 0.5 ? words.join(" ") : (words[words.length - 1] ?? item.category);
}

/** Purchases of one user on one day share an invoice; quantities 1–6, skewed to 1. */
function ordersFromPurchases(
  random: Random,
  events: readonly SyntheticEvent[],
  users: readonly SyntheticUser[],
  items: readonly SyntheticItem[],
): SyntheticOrderLine[] {
  const itemById = new Map(items.map((it) => [it.id, it]));
  const countryOf = new Map(users.map((u) => [u.id, u.country]));
  const invoiceOf = new Map<string, string>();
  const orders: SyntheticOrderLine[] = [];
  let next = 500000;
  for (const e of events) {
    if (e.type !== "purchase" || e.user === null) continue;
    const item = itemById.get(e.item)!;
    let invoice = invoiceOf.get(e.session);
    if (invoice === undefined) {
      invoice = String(next++);
      invoiceOf.set(e.session, invoice);
    }
    const quantity = 1 + Math.floor(random() ** 2 * 6);
    orders.push({
      invoice,
      customer: e.user,
      item: item.id,
      description: item.title,
      quantity,
      price: item.price,
      timestamp: e.timestamp,
      country: countryOf.get(e.user) ?? "United Kingdom",
    });
  }
  return orders;
}

interface CleanShop {
  readonly categories: readonly string[];
  readonly users: readonly SyntheticUser[];
  readonly items: readonly SyntheticItem[];
  readonly events: SyntheticEvent[];
  readonly orders: SyntheticOrderLine[];
}

function injectDirt(
  random: Random,
  shop: CleanShop,
  dirt: Required<DirtOptions>,
  start: number,
  span: number,
): SyntheticShop {
  const events = shop.events.slice();
  let orders = shop.orders.slice();

  // missing ids: whole invoices lose their customer; single events lose their user
  const anonymousInvoices = new Set<string>();
  for (const line of orders) if (random() < dirt.missingIds) anonymousInvoices.add(line.invoice);
  let orderLinesWithoutCustomer = 0;
  orders = orders.map((line) => {
    if (!anonymousInvoices.has(line.invoice)) return line;
    orderLinesWithoutCustomer++;
    return { ...line, customer: null };
  });
  let eventsWithoutUser = 0;
  for (let e = 0; e < events.length; e++) {
    if (random() < dirt.missingIds) {
      events[e] = { ...events[e]!, user: null };
      eventsWithoutUser++;
    }
  }

  // returns: a later cancellation of part of a purchased line; some target items never bought
  const extra: SyntheticOrderLine[] = [];
  let returnLines = 0;
  let unmatchedReturnLines = 0;
  let nextReturn = 900000;
  for (const line of orders) {
    if (line.customer === null || random() >= dirt.returns) continue;
    const unmatched = random() < 0.1;
    const item = unmatched ? pick(random, shop.items) : undefined;
    const returned = unmatched ? 1 : 1 + Math.floor(random() * line.quantity);
    extra.push({
      ...line,
      invoice: `C${nextReturn++}`,
      item: item?.id ?? line.item,
      description: item?.title ?? line.description,
      price: item?.price ?? line.price,
      quantity: -returned,
      timestamp: line.timestamp + (1 + Math.floor(random() * 14)) * DAY_MS,
    });
    returnLines++;
    if (unmatched) unmatchedReturnLines++;
  }

  let nonProductLines = 0;
  let zeroPriceLines = 0;
  let outlierLines = 0;
  orders = orders.map((line) => {
    if (random() < dirt.zeroPrice) {
      zeroPriceLines++;
      return { ...line, price: 0 };
    }
    if (random() < dirt.outliers) {
      outlierLines++;
      return { ...line, quantity: line.quantity * 1000 };
    }
    return line;
  });
  const firstLineOfInvoice = new Map<string, SyntheticOrderLine>();
  for (const line of orders)
    if (!firstLineOfInvoice.has(line.invoice)) firstLineOfInvoice.set(line.invoice, line);
  for (const first of firstLineOfInvoice.values()) {
    if (random() >= dirt.nonProduct) continue;
    extra.push({ ...first, item: "POST", description: "POSTAGE", quantity: 1, price: 18 });
    nonProductLines++;
  }
  orders = orders.concat(extra);

  // bots: hundreds of views within a quarter of an hour
  const botUsers: string[] = [];
  let botEvents = 0;
  for (let b = 0; b < dirt.bots; b++) {
    const id = `bot${b}`;
    botUsers.push(id);
    const t0 = start + Math.floor(random() * (span - 15 * 60_000));
    const n = 300 + Math.floor(random() * 300);
    for (let k = 0; k < n; k++) {
      const item = pick(random, shop.items);
      const timestamp = t0 + Math.floor((k * 15 * 60_000) / n);
      events.push({
        user: id,
        item: item.id,
        type: "view",
        timestamp,
        session: `${id}-s`,
        device: "desktop",
      });
    }
    botEvents += n;
  }

  // exact duplicates last, so a duplicate is a verbatim copy of a (possibly dirty) row
  let duplicateEvents = 0;
  const eventCount = events.length;
  for (let e = 0; e < eventCount; e++) {
    if (random() < dirt.duplicates) {
      events.push(events[e]!);
      duplicateEvents++;
    }
  }
  let duplicateOrderLines = 0;
  const orderCount = orders.length;
  for (let o = 0; o < orderCount; o++) {
    if (random() < dirt.duplicates) {
      orders.push(orders[o]!);
      duplicateOrderLines++;
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  orders.sort((a, b) => a.timestamp - b.timestamp);
  return {
    categories: shop.categories,
    users: shop.users,
    items: shop.items,
    events,
    orders,
    dirt: {
      duplicateEvents,
      duplicateOrderLines,
      eventsWithoutUser,
      orderLinesWithoutCustomer,
      returnLines,
      unmatchedReturnLines,
      nonProductLines,
      zeroPriceLines,
      outlierLines,
      botUsers,
      botEvents,
    },
  };
}

/** Options of {@link syntheticInteractions}. */
export interface SyntheticInteractionsOptions {
  readonly seed?: number;
  readonly users?: number;
  readonly items?: number;
  readonly categories?: number;
  /** Number of interactions to draw (default 100,000). */
  readonly interactions?: number;
  readonly start?: number;
  readonly days?: number;
  readonly popularityExponent?: number;
  readonly activityExponent?: number;
}

/** Columnar interactions: parallel typed arrays, dense user and item indices. */
export interface SyntheticInteractions {
  readonly nUsers: number;
  readonly nItems: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Event-type weight of each interaction ({@link SYNTHETIC_TYPE_WEIGHTS}). */
  readonly values: Float32Array;
  /** Epoch ms of each interaction. */
  readonly timestamps: Float64Array;
  /** Category index of each item. */
  readonly itemCategory: Int32Array;
  /** Favourite category index of each user. */
  readonly favouriteCategory: Int32Array;
}

/**
 * The same generative model as {@link syntheticShop}, without catalogue text or objects: parallel
 * typed arrays for millions of interactions (benchmarks, memory tests). Duplicated (user, item)
 * pairs occur, as in real logs.
 *
 * @example
 * ```ts
 * import { csrFromTriplets, syntheticInteractions } from "recokit";
 * const data = syntheticInteractions({ seed: 1, users: 1000, items: 500, interactions: 20_000 });
 * const m = csrFromTriplets({ rows: data.users, cols: data.items, values: data.values },
 *   { nRows: data.nUsers, nCols: data.nItems });
 * ```
 */
export function syntheticInteractions(options: SyntheticInteractionsOptions = {}): SyntheticInteractions {
  const where = "syntheticInteractions";
  const nUsers = options.users ?? 10_000;
  const nItems = options.items ?? 2_000;
  const nCategories = options.categories ?? 12;
  const n = options.interactions ?? 100_000;
  checkSizes(where, nUsers, nItems, nCategories, n);
  const start = options.start ?? Date.UTC(2024, 0, 1);
  const span = (options.days ?? 90) * DAY_MS;
  const random = createRandom(options.seed ?? 42);
  const world = buildWorld(
    random,
    nUsers,
    nItems,
    nCategories,
    options.popularityExponent ?? 1,
    options.activityExponent ?? 0.8,
  );
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const values = new Float32Array(n);
  const timestamps = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const u = drawCumulative(random, world.userCumulative);
    users[e] = u;
    items[e] = drawItemIn(random, world, drawCategory(random, world, u));
    values[e] = SYNTHETIC_TYPE_WEIGHTS[drawType(random)];
    timestamps[e] = start + Math.floor(random() * span);
  }
  return {
    nUsers,
    nItems,
    users,
    items,
    values,
    timestamps,
    itemCategory: world.itemCategory,
    favouriteCategory: world.favourite,
  };
}
