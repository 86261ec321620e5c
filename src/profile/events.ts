import { createTokenizer, type TokenizeOptions, type Tokenizer } from "../content/tokenize.js";
import { RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue, type Id, IdIndexBuilder, isValidId } from "../core/id-index.js";
import type { SkippedRows } from "../core/interactions.js";
import { parseProfileTag, pricePercentileOf } from "./catalogue.js";
import type { ProfileCatalogueState, ProfileConfig, ProfileEvent, ProfileEventAccessors } from "./types.js";

/** A tag vocabulary under construction: ids to indices, and the tag strings in order. @internal */
export class TagVocabulary {
  readonly builder = new IdIndexBuilder();
  readonly list: string[] = [];

  /** A vocabulary holding `tags` in order. */
  static of(tags: readonly Id[]): TagVocabulary {
    const v = new TagVocabulary();
    for (const t of tags) v.add(String(t));
    return v;
  }

  get size(): number {
    return this.list.length;
  }

  add(tag: string): number {
    const i = this.builder.add(tag);
    if (i === this.list.length) this.list.push(tag);
    return i;
  }
}

/** Events in columns, validated and indexed. @internal */
export interface EventBatch {
  readonly n: number;
  readonly user: Int32Array;
  /** Item index in the catalogue, -1 for none or unknown. */
  readonly item: Int32Array;
  /** Type index in the low 7 bits; bit 7 set for a discounted purchase. */
  readonly type: Uint8Array;
  readonly time: Float64Array;
  /** Type weight × value (undecayed) with `values: "multiply"`; null otherwise (the type weight alone). */
  readonly weight: Float64Array | null;
  /** Channel index, -1 for none. */
  readonly channel: Int32Array;
  /** Price percentile of purchases (NaN: not a purchase, or unknown). */
  readonly pricePercentile: Float32Array;
  /** Index of the event's distinct query in `queryPtr`, -1 for none. */
  readonly query: Int32Array;
  readonly queryPtr: Int32Array;
  readonly queryTags: Int32Array;
  /** Latest event time (-Infinity without events). */
  readonly maxTime: number;
  readonly rows: number;
  readonly skipped: SkippedRows;
  readonly unknownItems: number;
  readonly untaggedEvents: number;
  readonly clampedFuture: number;
}

/** What {@link readEvents} needs besides the rows. @internal */
export interface ReadContext {
  readonly where: string;
  readonly config: ProfileConfig;
  readonly users: IdIndexBuilder;
  readonly channels: IdIndexBuilder;
  readonly tags: TagVocabulary;
  readonly catalogue: ProfileCatalogueState;
  /** Explicit reference time; events after it are future events. */
  readonly asOf: number | undefined;
  readonly futureEvents: "throw" | "skip" | "clamp";
  readonly unknownTypes: "throw" | "skip";
  readonly onInvalid: "throw" | "skip";
  /** The tokenizer options (segmenter included) for search queries. */
  readonly tokenizer: TokenizeOptions;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

const CHUNK = 65_536;

/** Checks one of the three row-handling options. @internal */
export function checkMode<T extends string>(
  where: string,
  name: string,
  value: T | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = value ?? fallback;
  if (!allowed.includes(v))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${name} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${describeValue(value)}`,
    );
  return v;
}

/**
 * Validates event rows and turns them into columns: user, item and channel indices, type, time,
 * undecayed weight, price percentile of purchases, and the tags each distinct search query names.
 * @internal
 */
export function readEvents<R>(
  rows: readonly R[],
  accessors: ProfileEventAccessors<R>,
  ctx: ReadContext,
): EventBatch {
  const { where, config, catalogue } = ctx;
  if (!Array.isArray(rows)) throw new RecokitError("INVALID_INPUT", where, "events must be an array");
  const a = accessors ?? {};
  if (typeof a !== "object") throw new RecokitError("INVALID_INPUT", where, "accessors must be an object");
  const getUser = a.user ?? ((r: R) => (r as ProfileEvent).user);
  const getItem = a.item ?? ((r: R) => (r as ProfileEvent).item);
  const getType = a.type ?? ((r: R) => (r as ProfileEvent).type);
  const getTime = a.timestamp ?? ((r: R) => (r as ProfileEvent).timestamp);
  const getValue = a.value ?? ((r: R) => (r as ProfileEvent).value);
  const getQuery = a.query ?? ((r: R) => (r as ProfileEvent).query);
  const getChannel =
    a.channel ??
    ((r: R) => {
      const e = r as ProfileEvent;
      return e.channel ?? e.device;
    });
  const getPrice = a.price ?? ((r: R) => (r as ProfileEvent).price);
  const getDiscounted = a.discounted ?? ((r: R) => (r as ProfileEvent).discounted);

  const typeNames = Object.keys(config.typeWeights);
  const typeIndex = new Map<string, number>(typeNames.map((t, i) => [t, i]));
  const typeWeight = Float64Array.from(typeNames, (t) => config.typeWeights[t]!);
  const isPurchase = Uint8Array.from(typeNames, (t) => (config.purchaseTypes.includes(t) ? 1 : 0));
  const multiply = config.values === "multiply";
  const queries = new QueryTable(config, ctx.tags, ctx.tokenizer, where);

  const n = rows.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const type = new Uint8Array(n);
  const time = new Float64Array(n);
  const weight = multiply ? new Float64Array(n) : null;
  const channel = new Int32Array(n);
  const pricePercentile = new Float32Array(n);
  const query = new Int32Array(n);
  let used = 0;
  let maxTime = Number.NEGATIVE_INFINITY;
  let unknownItems = 0;
  let untaggedEvents = 0;
  let clampedFuture = 0;
  const skippedRows: number[] = [];
  const reasons: Record<string, number> = {};
  const itemTags = catalogue.itemTags;

  const reject = (i: number, reason: string, detail: string, mode: "throw" | "skip"): void => {
    if (mode === "throw") throw new RecokitError("INVALID_INPUT", where, `row ${i}: ${detail}`);
    skippedRows.push(i);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  };

  for (let i = 0; i < n; i++) {
    if (i % CHUNK === 0 && i > 0) {
      throwIfAborted(where, ctx.signal);
      ctx.onProgress?.(i, n);
    }
    const row = rows[i];
    if (row === null || row === undefined || typeof row !== "object") {
      reject(i, "invalid row", "row is not an object", ctx.onInvalid);
      continue;
    }
    const t = getType(row, i);
    const ti = typeof t === "string" ? typeIndex.get(t) : undefined;
    if (ti === undefined) {
      reject(
        i,
        "unknown type",
        `event type ${describeValue(t)} has no weight in typeWeights`,
        ctx.unknownTypes,
      );
      continue;
    }
    const u = getUser(row, i);
    if (!isValidId(u)) {
      reject(
        i,
        "invalid user",
        `user id ${describeValue(u)} is not a string or finite number`,
        ctx.onInvalid,
      );
      continue;
    }
    const rawTime = getTime(row, i);
    const ts = rawTime instanceof Date ? rawTime.getTime() : rawTime;
    if (typeof ts !== "number" || !Number.isFinite(ts)) {
      reject(
        i,
        "invalid timestamp",
        `timestamp ${describeValue(rawTime)} is not a valid time`,
        ctx.onInvalid,
      );
      continue;
    }
    if (ctx.asOf !== undefined && ts > ctx.asOf) {
      if (ctx.futureEvents !== "clamp") {
        reject(
          i,
          "future event",
          `timestamp ${new Date(ts).toISOString()} is after asOf ${new Date(ctx.asOf).toISOString()}`,
          ctx.futureEvents,
        );
        continue;
      }
      clampedFuture++;
    }
    let w = typeWeight[ti]!;
    if (multiply) {
      const v = getValue(row, i);
      if (v !== undefined) {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
          reject(i, "invalid value", `value ${describeValue(v)} is not a finite number ≥ 0`, ctx.onInvalid);
          continue;
        }
        w *= v;
      }
    }
    const itemId = getItem(row, i);
    if (itemId !== undefined && itemId !== null && !isValidId(itemId)) {
      reject(
        i,
        "invalid item",
        `item id ${describeValue(itemId)} is not a string or finite number`,
        ctx.onInvalid,
      );
      continue;
    }
    const q = getQuery(row, i);
    if (q !== undefined && q !== null && typeof q !== "string") {
      reject(i, "invalid query", `query ${describeValue(q)} is not a string`, ctx.onInvalid);
      continue;
    }
    const ch = getChannel(row, i);
    if (ch !== undefined && ch !== null && (typeof ch !== "string" || ch.length === 0)) {
      reject(i, "invalid channel", `channel ${describeValue(ch)} is not a non-empty string`, ctx.onInvalid);
      continue;
    }
    let paid = Number.NaN;
    let disc = 0;
    if (isPurchase[ti] === 1) {
      const p = getPrice(row, i);
      if (p !== undefined && p !== null && (typeof p !== "number" || !Number.isFinite(p) || p < 0)) {
        reject(i, "invalid price", `price ${describeValue(p)} is not a finite number ≥ 0`, ctx.onInvalid);
        continue;
      }
      const d = getDiscounted(row, i);
      if (d !== undefined && d !== null && typeof d !== "boolean") {
        reject(i, "invalid discounted", `discounted ${describeValue(d)} is not a boolean`, ctx.onInvalid);
        continue;
      }
      if (p !== undefined && p !== null) paid = p;
      disc = d === true ? 1 : 0;
    }

    // the row is valid from here on
    const ii = itemId === undefined || itemId === null ? -1 : catalogue.items.indexOf(itemId, "minus-one");
    if (itemId !== undefined && itemId !== null && ii < 0) unknownItems++;
    const qi = typeof q === "string" && q.length > 0 ? queries.indexOf(q) : -1;
    const hasTags =
      (ii >= 0 && itemTags.indptr[ii + 1]! > itemTags.indptr[ii]!) ||
      (qi >= 0 && queries.ptr[qi + 1]! > queries.ptr[qi]!);
    if (!hasTags) untaggedEvents++;
    user[used] = ctx.users.add(u);
    item[used] = ii;
    type[used] = ti | (disc << 7);
    time[used] = ts;
    if (weight !== null) weight[used] = w;
    channel[used] = typeof ch === "string" ? ctx.channels.add(ch) : -1;
    if (isPurchase[ti] === 1 && ii >= 0) {
      pricePercentile[used] = pricePercentileOf(
        catalogue,
        ii,
        Number.isNaN(paid) ? catalogue.itemPrice[ii]! : paid,
      );
    } else pricePercentile[used] = Number.NaN;
    query[used] = qi;
    if (ts > maxTime) maxTime = ts;
    used++;
  }
  ctx.onProgress?.(n, n);
  return {
    n: used,
    user: user.subarray(0, used),
    item: item.subarray(0, used),
    type: type.subarray(0, used),
    time: time.subarray(0, used),
    weight: weight === null ? null : weight.subarray(0, used),
    channel: channel.subarray(0, used),
    pricePercentile: pricePercentile.subarray(0, used),
    query: query.subarray(0, used),
    queryPtr: Int32Array.from(queries.ptr),
    queryTags: Int32Array.from(queries.tags),
    maxTime,
    rows: n,
    skipped: { count: skippedRows.length, rows: Int32Array.from(skippedRows), reasons },
    unknownItems,
    untaggedEvents,
    clampedFuture,
  };
}

/**
 * The distinct search queries of a batch and the tags each one reaches: catalogue tags (of the
 * match facets) all of whose value tokens occur in the query, and keyword tags `search:<token>`.
 * Each distinct query is tokenised once.
 */
class QueryTable {
  readonly ptr: number[] = [0];
  readonly tags: number[] = [];
  readonly #index = new Map<string, number>();
  readonly #config: ProfileConfig;
  readonly #vocab: TagVocabulary;
  readonly #tokenizerOptions: TokenizeOptions;
  readonly #where: string;
  #tokenizer: Tokenizer | undefined;
  /** Catalogue tags by their first token: [tag index, all its tokens]. */
  #lexicon: Map<string, [number, string[]][]> | undefined;

  constructor(config: ProfileConfig, vocab: TagVocabulary, tokenizer: TokenizeOptions, where: string) {
    this.#config = config;
    this.#vocab = vocab;
    this.#tokenizerOptions = tokenizer;
    this.#where = where;
  }

  indexOf(query: string): number {
    const known = this.#index.get(query);
    if (known !== undefined) return known;
    const tokenizer = (this.#tokenizer ??= this.#makeTokenizer());
    const tokens = new Set(tokenizer(query));
    const lexicon = this.#lexiconOf(tokenizer);
    const found = new Set<number>();
    for (const token of tokens) {
      for (const [tag, all] of lexicon.get(token) ?? []) {
        if (all.every((x) => tokens.has(x))) found.add(tag);
      }
    }
    if (this.#config.keywords) for (const token of tokens) found.add(this.#vocab.add(`search:${token}`));
    const sorted = [...found].sort((x, y) => x - y);
    for (const t of sorted) this.tags.push(t);
    this.ptr.push(this.tags.length);
    const i = this.#index.size;
    this.#index.set(query, i);
    return i;
  }

  #makeTokenizer(): Tokenizer {
    try {
      return createTokenizer(this.#tokenizerOptions);
    } catch (e) {
      if (e instanceof RecokitError)
        throw new RecokitError(e.code, this.#where, `search.tokenizer: ${e.message}`);
      throw e;
    }
  }

  /** The lexicon of the catalogue tags known so far (catalogue tags come before any keyword). */
  #lexiconOf(tokenizer: Tokenizer): Map<string, [number, string[]][]> {
    if (this.#lexicon === undefined) {
      this.#lexicon = new Map();
      const facets = new Set(this.#config.matchFacets);
      const list = this.#vocab.list;
      for (let t = 0; t < list.length; t++) {
        const { facet, value } = parseProfileTag(list[t]!);
        if (!facets.has(facet)) continue;
        const tokens = [...new Set(tokenizer(value))];
        if (tokens.length === 0) continue;
        const first = tokens[0]!;
        const bucket = this.#lexicon.get(first) ?? [];
        bucket.push([t, tokens]);
        this.#lexicon.set(first, bucket);
      }
    }
    return this.#lexicon;
  }
}
