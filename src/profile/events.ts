import { createTokenizer, type TokenizeOptions, type Tokenizer } from "../content/tokenize.js";
import { RecokitError, throwIfAborted } from "../core/errors.js";
import { describeValue, type Id, type IdIndex, IdIndexBuilder, isValidId } from "../core/id-index.js";
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

/** Rows read between two checks of the abort signal (and progress reports). */
const CHUNK = 65_536;
/**
 * Rows per call of the reading loop (a divisor of {@link CHUNK}): short calls get the loop compiled
 * as a whole function early, rather than entered mid-loop, call after call.
 */
const READ_BLOCK = 1024;

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
 *
 * The rows are read in blocks by one {@link BatchReader} (every {@link CHUNK} rows: the abort signal and
 * progress). A field without a custom accessor is a plain property load of
 * {@link ProfileEvent}; event types are found by a scan of the few type names; users, items and
 * channels through the {@link IdIndexBuilder} / {@link IdIndex} of each.
 * @internal
 */
export function readEvents<R>(
  rows: readonly R[],
  accessors: ProfileEventAccessors<R>,
  ctx: ReadContext,
): EventBatch {
  const { where } = ctx;
  if (!Array.isArray(rows)) throw new RecokitError("INVALID_INPUT", where, "events must be an array");
  const a = accessors ?? {};
  if (typeof a !== "object") throw new RecokitError("INVALID_INPUT", where, "accessors must be an object");
  const reader = new BatchReader(rows, a as ProfileEventAccessors<unknown>, ctx);
  const n = rows.length;
  for (let from = 0; from < n; from += READ_BLOCK) {
    if (from > 0 && from % CHUNK === 0) {
      throwIfAborted(where, ctx.signal);
      ctx.onProgress?.(from, n);
    }
    reader.read(from, Math.min(n, from + READ_BLOCK));
  }
  ctx.onProgress?.(n, n);
  return reader.finish();
}

/**
 * One reading of event rows into columns. Its hot loop, {@link BatchReader.read}, is a method shared by
 * every reading (no closure over a call's state), so it stays compiled from one batch to the next.
 */
class BatchReader {
  readonly #rows: readonly unknown[];
  readonly #ctx: ReadContext;
  /** Custom readers; an undefined one reads the {@link ProfileEvent} field. */
  readonly #get: ProfileEventAccessors<unknown>;
  readonly #typeNames: string[];
  readonly #typeWeight: Float64Array;
  readonly #isPurchase: Uint8Array;
  readonly #queries: QueryTable;
  /** Explicit reference time, +∞ without one. */
  readonly #asOf: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly type: Uint8Array;
  readonly time: Float64Array;
  readonly weight: Float64Array | null;
  readonly channel: Int32Array;
  readonly pricePercentile: Float32Array;
  readonly query: Int32Array;
  used = 0;
  maxTime = Number.NEGATIVE_INFINITY;
  unknownItems = 0;
  untaggedEvents = 0;
  clampedFuture = 0;
  readonly skippedRows: number[] = [];
  readonly reasons: Record<string, number> = {};

  constructor(rows: readonly unknown[], accessors: ProfileEventAccessors<unknown>, ctx: ReadContext) {
    const { config } = ctx;
    this.#rows = rows;
    this.#ctx = ctx;
    this.#get = accessors;
    this.#typeNames = Object.keys(config.typeWeights);
    this.#typeWeight = Float64Array.from(this.#typeNames, (t) => config.typeWeights[t]!);
    this.#isPurchase = Uint8Array.from(this.#typeNames, (t) => (config.purchaseTypes.includes(t) ? 1 : 0));
    this.#queries = new QueryTable(config, ctx.tags, ctx.tokenizer, ctx.where);
    this.#asOf = ctx.asOf ?? Number.POSITIVE_INFINITY;
    const n = rows.length;
    this.user = new Int32Array(n);
    this.item = new Int32Array(n);
    this.type = new Uint8Array(n);
    this.time = new Float64Array(n);
    this.weight = config.values === "multiply" ? new Float64Array(n) : null;
    this.channel = new Int32Array(n);
    this.pricePercentile = new Float32Array(n);
    this.query = new Int32Array(n);
  }

  /** Reads rows `from … to-1`: each is validated, then appended to the columns or rejected. */
  read(from: number, to: number): void {
    const rows = this.#rows;
    const ctx = this.#ctx;
    const { catalogue, users, channels } = ctx;
    const items = catalogue.items;
    const tagPtr = catalogue.itemTags.indptr;
    const {
      user: getUser,
      item: getItem,
      type: getType,
      timestamp: getTime,
      value: getValue,
      query: getQuery,
      channel: getChannel,
      price: getPrice,
      discounted: getDiscounted,
    } = this.#get;
    const typeNames = this.#typeNames;
    const nTypes = typeNames.length;
    const typeWeight = this.#typeWeight;
    const isPurchase = this.#isPurchase;
    const queries = this.#queries;
    const asOf = this.#asOf;
    const { user, item, type, time, weight, channel, pricePercentile, query } = this;
    let used = this.used;
    let maxTime = this.maxTime;
    for (let i = from; i < to; i++) {
      const row = rows[i];
      if (row === null || row === undefined || typeof row !== "object") {
        this.#reject(i, "invalid row", "row is not an object", ctx.onInvalid);
        continue;
      }
      const e = row as ProfileEvent;
      const t = getType === undefined ? e.type : getType(row, i);
      let ti = -1;
      if (typeof t === "string") {
        for (let k = 0; k < nTypes; k++) {
          if (typeNames[k] === t) {
            ti = k;
            break;
          }
        }
      }
      if (ti < 0) {
        this.#reject(
          i,
          "unknown type",
          `event type ${describeValue(t)} has no weight in typeWeights`,
          ctx.unknownTypes,
        );
        continue;
      }
      const u = getUser === undefined ? e.user : getUser(row, i);
      if (!isValidId(u)) {
        this.#reject(
          i,
          "invalid user",
          `user id ${describeValue(u)} is not a string or finite number`,
          ctx.onInvalid,
        );
        continue;
      }
      const rawTime = getTime === undefined ? e.timestamp : getTime(row, i);
      // always a number (NaN for anything but a number or a Date), so it stays unboxed
      const ts =
        typeof rawTime === "number" ? rawTime : rawTime instanceof Date ? rawTime.getTime() : Number.NaN;
      if (!Number.isFinite(ts)) {
        this.#reject(
          i,
          "invalid timestamp",
          `timestamp ${describeValue(rawTime)} is not a valid time`,
          ctx.onInvalid,
        );
        continue;
      }
      if (ts > asOf) {
        if (ctx.futureEvents !== "clamp") {
          this.#reject(
            i,
            "future event",
            `timestamp ${new Date(ts).toISOString()} is after asOf ${new Date(asOf).toISOString()}`,
            ctx.futureEvents,
          );
          continue;
        }
        this.clampedFuture++;
      }
      let w = typeWeight[ti]!;
      if (weight !== null) {
        const v = getValue === undefined ? e.value : getValue(row, i);
        if (v !== undefined) {
          if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
            this.#reject(
              i,
              "invalid value",
              `value ${describeValue(v)} is not a finite number ≥ 0`,
              ctx.onInvalid,
            );
            continue;
          }
          w *= v;
        }
      }
      const itemId = getItem === undefined ? e.item : getItem(row, i);
      if (itemId !== undefined && itemId !== null && !isValidId(itemId)) {
        this.#reject(
          i,
          "invalid item",
          `item id ${describeValue(itemId)} is not a string or finite number`,
          ctx.onInvalid,
        );
        continue;
      }
      const q = getQuery === undefined ? e.query : getQuery(row, i);
      if (q !== undefined && q !== null && typeof q !== "string") {
        this.#reject(i, "invalid query", `query ${describeValue(q)} is not a string`, ctx.onInvalid);
        continue;
      }
      const ch = getChannel === undefined ? (e.channel ?? e.device) : getChannel(row, i);
      if (ch !== undefined && ch !== null && (typeof ch !== "string" || ch.length === 0)) {
        this.#reject(
          i,
          "invalid channel",
          `channel ${describeValue(ch)} is not a non-empty string`,
          ctx.onInvalid,
        );
        continue;
      }
      const purchase = isPurchase[ti] === 1;
      let paid = Number.NaN;
      let disc = 0;
      if (purchase) {
        const p = getPrice === undefined ? e.price : getPrice(row, i);
        if (p !== undefined && p !== null && (typeof p !== "number" || !Number.isFinite(p) || p < 0)) {
          this.#reject(
            i,
            "invalid price",
            `price ${describeValue(p)} is not a finite number ≥ 0`,
            ctx.onInvalid,
          );
          continue;
        }
        const d = getDiscounted === undefined ? e.discounted : getDiscounted(row, i);
        if (d !== undefined && d !== null && typeof d !== "boolean") {
          this.#reject(
            i,
            "invalid discounted",
            `discounted ${describeValue(d)} is not a boolean`,
            ctx.onInvalid,
          );
          continue;
        }
        if (typeof p === "number") paid = p;
        disc = d === true ? 1 : 0;
      }

      // the row is valid from here on
      let ii = -1;
      if (itemId !== undefined && itemId !== null) {
        ii = items.indexOf(itemId, "minus-one");
        if (ii < 0) this.unknownItems++;
      }
      const qi = typeof q === "string" && q.length > 0 ? queries.indexOf(q) : -1;
      if (!((ii >= 0 && tagPtr[ii + 1]! > tagPtr[ii]!) || (qi >= 0 && queries.hasTags(qi))))
        this.untaggedEvents++;
      user[used] = users.add(u);
      item[used] = ii;
      type[used] = ti | (disc << 7);
      time[used] = ts;
      if (weight !== null) weight[used] = w;
      channel[used] = typeof ch === "string" ? channels.add(ch) : -1;
      pricePercentile[used] =
        purchase && ii >= 0
          ? pricePercentileOf(catalogue, ii, Number.isNaN(paid) ? catalogue.itemPrice[ii]! : paid)
          : Number.NaN;
      query[used] = qi;
      if (ts > maxTime) maxTime = ts;
      used++;
    }
    this.used = used;
    this.maxTime = maxTime;
  }

  /** Leaves row `i` out (`"skip"`, counted by reason) or throws naming it (`"throw"`). */
  #reject(i: number, reason: string, detail: string, mode: "throw" | "skip"): void {
    if (mode === "throw") throw new RecokitError("INVALID_INPUT", this.#ctx.where, `row ${i}: ${detail}`);
    this.skippedRows.push(i);
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
  }

  /** The batch read so far. */
  finish(): EventBatch {
    const used = this.used;
    const queries = this.#queries;
    return {
      n: used,
      user: this.user.subarray(0, used),
      item: this.item.subarray(0, used),
      type: this.type.subarray(0, used),
      time: this.time.subarray(0, used),
      weight: this.weight === null ? null : this.weight.subarray(0, used),
      channel: this.channel.subarray(0, used),
      pricePercentile: this.pricePercentile.subarray(0, used),
      query: this.query.subarray(0, used),
      queryPtr: Int32Array.from(queries.ptr),
      queryTags: Int32Array.from(queries.tags),
      maxTime: this.maxTime,
      rows: this.#rows.length,
      skipped: {
        count: this.skippedRows.length,
        rows: Int32Array.from(this.skippedRows),
        reasons: this.reasons,
      },
      unknownItems: this.unknownItems,
      untaggedEvents: this.untaggedEvents,
      clampedFuture: this.clampedFuture,
    };
  }
}

/**
 * The distinct search queries of a batch and the tags each one reaches: catalogue tags (of the
 * match facets) all of whose value tokens occur in the query, and keyword tags `search:<token>`.
 * Each distinct query is tokenised once.
 */
class QueryTable {
  readonly ptr: number[] = [0];
  readonly tags: number[] = [];
  readonly #index = new IdIndexBuilder();
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

  /** Whether distinct query `i` reaches any tag. */
  hasTags(i: number): boolean {
    return this.ptr[i + 1]! > this.ptr[i]!;
  }

  /** The index of a non-empty query, tokenised and matched on first sight. */
  indexOf(query: string): number {
    const seen = this.#index.size;
    const i = this.#index.add(query);
    if (i < seen) return i;
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
