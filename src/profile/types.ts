import type { TokenizeOptions, TokenizerConfig } from "../content/tokenize.js";
import type { Csr } from "../core/csr.js";
import type { Id, IdIndex } from "../core/id-index.js";
import type { Accessor, SkippedRows } from "../core/interactions.js";

/**
 * A behaviour event, the default row shape of {@link buildProfiles}. Any other shape works with
 * accessors ({@link ProfileEventAccessors}).
 */
export interface ProfileEvent {
  /** Who acted. */
  readonly user: Id;
  /** The item acted on; absent (or null) for events without an item, e.g. a bare search or a visit. */
  readonly item?: Id | null;
  /** Event type, a key of `typeWeights` (e.g. `"view"`, `"cart"`, `"purchase"`). */
  readonly type: string;
  /** When: epoch milliseconds or a Date. */
  readonly timestamp: number | Date;
  /** Optional strength (a rating, a quantity); used only with `values: "multiply"`. Must be ≥ 0. */
  readonly value?: number;
  /** Search text, on search events: its tokens reach tags (see {@link ProfileSearchOptions}). */
  readonly query?: string;
  /** Channel or device the event came from (`"app"`, `"mobile"`, `"email"`, …). */
  readonly channel?: string;
  /** Alias of `channel` (the synthetic shop's field); `channel` wins when both are set. */
  readonly device?: string;
  /** Unit price paid, on purchases (default: the catalogue price of the item). */
  readonly price?: number;
  /** Whether a purchase was discounted (on sale, with a coupon). */
  readonly discounted?: boolean;
}

/** Field readers for event rows of any shape (d3's `valueof` convention). Unset ones read {@link ProfileEvent}'s fields. */
export interface ProfileEventAccessors<R> {
  readonly user?: Accessor<R, Id>;
  readonly item?: Accessor<R, Id | null | undefined>;
  readonly type?: Accessor<R, string>;
  readonly timestamp?: Accessor<R, number | Date>;
  readonly value?: Accessor<R, number | undefined>;
  readonly query?: Accessor<R, string | undefined>;
  readonly channel?: Accessor<R, string | undefined>;
  readonly price?: Accessor<R, number | undefined>;
  readonly discounted?: Accessor<R, boolean | undefined>;
}

/**
 * A catalogue item, the default item shape. Each field becomes tags (facet `:` value):
 * `category:<category>` (default: the last element of `categoryPath`), `path:<A>`, `path:<A> > <B>`
 * for each ancestor level of `categoryPath` (all but its last element), `brand:<brand>`,
 * `tag:<t>` per style tag, `price:<band>` (see {@link BuildProfilesOptions.priceBands}), and
 * `<key>:<value>` per attribute.
 */
export interface ProfileItem {
  readonly id: Id;
  readonly category?: string;
  /** Department → … → category. */
  readonly categoryPath?: readonly string[];
  readonly brand?: string;
  /** Style tags. */
  readonly tags?: readonly string[];
  /** List price, used for price bands and price sensitivity. */
  readonly price?: number;
  /** An explicit price band (tag `price:<band>`), instead of the computed one. */
  readonly priceBand?: string;
  /** Any other attributes: each becomes the tag `<key>:<value>`. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A user record: an id and static attributes (age band, gender, country, language, …), read by the
 * names in `userAttributes`; other fields are ignored.
 */
export interface ProfileUser {
  readonly id: Id;
}

/**
 * An RFM segmentation to attach as the derived tag `rfmSegment`: a map customer → segment name,
 * or `{ customers, labels }` as given by `rfmTable(...).customers` and `segmentRfm(...).labels`.
 */
export type RfmSegmentsInput =
  | ReadonlyMap<Id, string>
  | { readonly customers: IdIndex; readonly labels: readonly string[] };

/**
 * How old behaviour fades. `exponential`: an event of age Δ weighs `2^(−Δ / halfLife)`, so its weight
 * halves every `halfLifeDays`; `window`: events within the last `days` weigh 1, older ones 0 (their
 * tags are not kept); `none`: every event weighs 1.
 */
export type ProfileDecay =
  | { readonly kind: "exponential"; readonly halfLifeDays: number }
  | { readonly kind: "window"; readonly days: number }
  | { readonly kind: "none" };

/** Per-user normalisation of tag weights (see {@link BuildProfilesOptions.normalize}). */
export type ProfileNormalization = "none" | "share" | "facet-share" | "l2";

/** Population normalisation of tag weights (see {@link BuildProfilesOptions.population}). */
export type ProfilePopulationWeighting = "none" | "idf";

/** Search-query handling (see {@link BuildProfilesOptions.search}). */
export interface ProfileSearchOptions {
  /**
   * Catalogue facets a query can name: a tag of these facets receives a search event's weight when
   * all of its value's tokens occur in the query (`"trail running shoes"` names `category:running shoes`
   * and `brand:Trail`). Default `["category", "path", "brand", "tag"]`.
   */
  readonly matchFacets?: readonly string[];
  /** Also keep each query token as a keyword tag `search:<token>` (default true). */
  readonly keywords?: boolean;
  /** Tokeniser settings (the library's one tokenizer, `createTokenizer` of the content module). */
  readonly tokenizer?: TokenizeOptions;
}

/** Names of the per-user behaviour metrics that derived-tag rules and audience queries read. */
export type UserMetricName =
  | "events"
  | "purchases"
  | "activity"
  | "recencyDays"
  | "tenureDays"
  | "eventsPerWeek"
  | "pricePercentile"
  | "discountShare"
  | "categoryConcentration"
  | "brandConcentration";

/**
 * A range on a metric: `min ≤ x < max` (either side optional). A bound may be a population quantile
 * instead (`minQuantile` / `maxQuantile` in [0, 1], resolved with simple-statistics `quantileSorted`
 * over the users that have the metric). A missing metric (e.g. price percentile without a priced
 * purchase) never lies in a range.
 */
export interface MetricRange {
  readonly min?: number;
  readonly max?: number;
  readonly minQuantile?: number;
  readonly maxQuantile?: number;
}

/** One rule of a derived tag: the tag takes `value` when every metric lies in its range. */
export interface DerivedTagRule {
  readonly value: string;
  /** Metric ranges that must all hold; an empty or absent `when` matches every user with events. */
  readonly when?: Readonly<Partial<Record<UserMetricName, MetricRange>>>;
}

/**
 * A derived tag declared as data: ordered rules, first match wins; a user no rule matches (and any
 * user without events) does not get the tag.
 */
export interface DerivedTagSpec {
  /** Tag name: a letter, then letters, digits, `_`, `.` or `-`. */
  readonly name: string;
  readonly rules: readonly DerivedTagRule[];
  readonly description?: string;
}

/** Options of {@link buildProfiles}. */
export interface BuildProfilesOptions<
  R = ProfileEvent,
  I = ProfileItem,
  U extends ProfileUser = ProfileUser,
> {
  /** Event field readers (default: the {@link ProfileEvent} fields). */
  readonly accessors?: ProfileEventAccessors<R>;
  /** Weight of each event type (default {@link DEFAULT_PROFILE_TYPE_WEIGHTS}); each must be ≥ 0. */
  readonly typeWeights?: Readonly<Record<string, number>>;
  /** Event types that are purchases (default `["purchase"]` when that type is weighted). */
  readonly purchaseTypes?: readonly string[];
  /** `"ignore"` (default) or `"multiply"`: multiply each event's weight by its `value`. */
  readonly values?: "ignore" | "multiply";
  /** Time decay (default exponential with a 30-day half-life). */
  readonly decay?: ProfileDecay;
  /** Reference time, epoch ms or a Date (default: the latest event). Ages are measured up to it. */
  readonly asOf?: number | Date;
  /**
   * Events after `asOf`: `"throw"` (default), `"skip"` (counted in the report) or `"clamp"` (weighed as
   * if they happened at `asOf`; incremental updates are then exact only for events not after `asOf`).
   */
  readonly futureEvents?: "throw" | "skip" | "clamp";
  /** Events whose type has no weight: `"throw"` (default) or `"skip"` (counted in the report). */
  readonly unknownTypes?: "throw" | "skip";
  /** Other invalid rows (bad id, bad time, bad value): `"throw"` (default) or `"skip"` (counted). */
  readonly onInvalid?: "throw" | "skip";

  /** The catalogue. Events on items absent from it count for activity but reach no tag (reported). */
  readonly items?: readonly I[];
  /** Item id reader (default `item.id`). */
  readonly itemId?: Accessor<I, Id>;
  /**
   * Item tags reader: full tags `"facet:value"`. Default: derived from the {@link ProfileItem} fields.
   * Price band tags are added to either when a price is known.
   */
  readonly itemTags?: Accessor<I, readonly string[]>;
  /** Item list price reader (default `item.price`). */
  readonly itemPrice?: Accessor<I, number | undefined>;
  /** The group whose price distribution an item's price is compared with (default: its category). */
  readonly itemPriceGroup?: Accessor<I, string | undefined>;
  /**
   * Names of the price bands, cheapest first (default `["low", "mid", "high"]`; `[]` for none): an item
   * whose price has mid-rank percentile q among its group's catalogue prices (share below plus half the
   * share equal) gets band ⌊q · bands⌋, i.e. the b-th equal slice. Groups with fewer priced items than
   * bands get no band.
   */
  readonly priceBands?: readonly string[];

  /** Search-query handling. */
  readonly search?: ProfileSearchOptions;

  /** User records with static attributes (users without events get a profile too). */
  readonly users?: readonly U[];
  /** Which user fields pass through as derived tags (default {@link DEFAULT_USER_ATTRIBUTES}). */
  readonly userAttributes?: readonly string[];
  /** An RFM segmentation: attached as the derived tag `rfmSegment`. */
  readonly rfm?: RfmSegmentsInput;

  /** Per-user normalisation of the scores (default `"share"`: each user's weights sum to 1). */
  readonly normalize?: ProfileNormalization;
  /** Population weighting applied before the per-user normalisation (default `"none"`). */
  readonly population?: ProfilePopulationWeighting;
  /** Pseudo-count `c` of the confidence `n / (n + c)` of a weight backed by n events (default 3). */
  readonly confidencePrior?: number;
  /** Rule-based derived tags (default {@link DEFAULT_DERIVED_TAGS}). */
  readonly derivedTags?: readonly DerivedTagSpec[];
  /** Add `activeHour`, `activeDaypart` and `activeWeekday` tags (default true). */
  readonly timeTags?: boolean;
  /** Offset of local time from UTC in minutes, for hours and weekdays (default 0). */
  readonly utcOffsetMinutes?: number;
  /** Progress callback, called with (done, total) events. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Cancels the work between chunks (`ABORTED`). */
  readonly signal?: AbortSignal;
}

/** Options of {@link updateProfiles}. */
export interface UpdateProfilesOptions<
  R = ProfileEvent,
  I = ProfileItem,
  U extends ProfileUser = ProfileUser,
> {
  readonly accessors?: ProfileEventAccessors<R>;
  /** New reference time, not earlier than the profiles' (default: the later of it and the latest new event). */
  readonly asOf?: number | Date;
  /** Items not yet in the catalogue (tags of items already known are kept as built). */
  readonly items?: readonly I[];
  readonly itemId?: Accessor<I, Id>;
  readonly itemTags?: Accessor<I, readonly string[]>;
  readonly itemPrice?: Accessor<I, number | undefined>;
  readonly itemPriceGroup?: Accessor<I, string | undefined>;
  /** New or changed user records (their attributes replace the stored ones). */
  readonly users?: readonly U[];
  /** A new RFM segmentation (replaces the stored one). */
  readonly rfm?: RfmSegmentsInput;
  /** Search tokenizer segmenter, when the build used a custom one (not serialisable). */
  readonly search?: Pick<ProfileSearchOptions, "tokenizer">;
  readonly futureEvents?: "throw" | "skip" | "clamp";
  readonly unknownTypes?: "throw" | "skip";
  readonly onInvalid?: "throw" | "skip";
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** The resolved, serialisable settings of a profile set. */
export interface ProfileConfig {
  readonly typeWeights: Readonly<Record<string, number>>;
  readonly purchaseTypes: readonly string[];
  readonly values: "ignore" | "multiply";
  readonly decay: ProfileDecay;
  readonly priceBands: readonly string[];
  readonly matchFacets: readonly string[];
  readonly keywords: boolean;
  readonly tokenizer: TokenizerConfig;
  readonly userAttributes: readonly string[];
  readonly normalize: ProfileNormalization;
  readonly population: ProfilePopulationWeighting;
  readonly confidencePrior: number;
  readonly derivedTags: readonly DerivedTagSpec[];
  readonly timeTags: boolean;
  readonly utcOffsetMinutes: number;
}

/** The catalogue as the profiles hold it. */
export interface ProfileCatalogueState {
  readonly items: IdIndex;
  /** items × tags, value 1 where an item carries a tag. */
  readonly itemTags: Csr;
  /** List price of each item (NaN: unknown). */
  readonly itemPrice: Float64Array;
  /** Price group of each item (-1: none). */
  readonly itemPriceGroup: Int32Array;
  /** Price group names. */
  readonly priceGroups: readonly string[];
  /** Sorted catalogue prices of group g: `priceValues[pricePtr[g] … pricePtr[g+1]-1]`. */
  readonly pricePtr: Int32Array;
  readonly priceValues: Float64Array;
}

/**
 * The accumulated behaviour behind the profiles, at the reference time `asOf`. Decayed quantities
 * are stored as their value at `asOf`, so moving to a later time multiplies them by one factor.
 */
export interface ProfileState {
  /** users × tags decayed weights. */
  readonly weights: Csr;
  /** Events of each type behind each weight: `counts[j · nTypes + t]` for stored entry j. */
  readonly counts: Int32Array;
  /** Latest event time behind each stored weight. */
  readonly lastSeen: Float64Array;
  /** Events per user. */
  readonly events: Int32Array;
  /** Events per user and type: `typeCounts[u · nTypes + t]`. */
  readonly typeCounts: Int32Array;
  /** First and last event time per user (NaN: no events). */
  readonly firstSeen: Float64Array;
  readonly lastActive: Float64Array;
  /** Decayed event count per user. */
  readonly activity: Float64Array;
  /** Decayed events per user and hour of day (`u · 24 + h`) and weekday (`u · 7 + d`, Monday = 0). */
  readonly hours: Float64Array;
  readonly weekdays: Float64Array;
  /** users × channels decayed event counts. */
  readonly channels: Csr;
  /** Purchases with a known price percentile, their percentile sum, and discounted purchases. */
  readonly pricedPurchases: Int32Array;
  readonly pricePercentileSum: Float64Array;
  readonly discountedPurchases: Int32Array;
}

/** A categorical per-user column: `values[codes[u]]`, or no value when `codes[u] = -1`. */
export interface DerivedTagColumn {
  readonly name: string;
  /** Where it comes from: a rule spec, activity times, channels, a user attribute or RFM. */
  readonly source: "rule" | "time" | "channel" | "attribute" | "rfm";
  readonly values: readonly string[];
  readonly codes: Int32Array;
}

/** What a build or update did with its events; nothing is left out without being counted here. */
export interface ProfileReport {
  /** Event rows given to this call. `events = used + skipped.count`. */
  readonly events: number;
  readonly used: number;
  /** Rows left out (unknown types, future events or invalid rows, when asked to skip). */
  readonly skipped: SkippedRows;
  /** Used events whose item is not in the catalogue (they count for activity, not for tags). */
  readonly unknownItems: number;
  /** Used events that reached no tag (unknown or untagged item, no query match). */
  readonly untaggedEvents: number;
  /** Future events weighed at `asOf` (`futureEvents: "clamp"`). */
  readonly clampedFuture: number;
  /** Events folded in over the profiles' whole history. */
  readonly totalEvents: number;
}

/**
 * User tag profiles: the accumulated state, and the finished scores, confidences, metrics and
 * derived tags. A plain, readonly, serialisable object ({@link serializeProfiles}).
 */
export interface TagProfiles {
  readonly asOf: number;
  readonly config: ProfileConfig;
  readonly users: IdIndex;
  /** Tag vocabulary, `"facet:value"` strings. */
  readonly tags: IdIndex;
  /** Event types, in `config.typeWeights` order. */
  readonly eventTypes: readonly string[];
  readonly channels: IdIndex;
  readonly catalogue: ProfileCatalogueState;
  readonly state: ProfileState;
  /** Static columns: user attributes and the RFM segment. */
  readonly attributes: readonly DerivedTagColumn[];
  /** users × tags normalised scores (the pattern of `state.weights`). */
  readonly scores: Csr;
  /** Per-user metrics (NaN: not defined for that user, e.g. no purchase). */
  readonly metrics: Readonly<Record<UserMetricName, Float64Array>>;
  /** All derived tags: rule tags, time and channel tags, attributes, RFM. */
  readonly derived: readonly DerivedTagColumn[];
  readonly report: ProfileReport;
}
