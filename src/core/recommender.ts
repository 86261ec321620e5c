import type { Id } from "./id-index.js";

/** One recommended item (friendly layer, external ids). */
export interface Recommendation {
  readonly item: Id;
  readonly score: number;
  /** Why this item was recommended, when the model can say (e.g. "similar to i12"). */
  readonly reasons?: readonly string[];
}

/** What to do with a user or item id the model does not know. */
export type OnUnknown = "throw" | "empty";

/** Options shared by every model's `recommend`. */
export interface RecommendOptions {
  /** How many items (default 10). */
  readonly k?: number;
  /** Items never returned. */
  readonly exclude?: Iterable<Id>;
  /** Leave out items the user already interacted with in training (default true). */
  readonly excludeSeen?: boolean;
  /** Rank only these items. */
  readonly candidates?: Iterable<Id>;
  /** Unknown user: a typed error (`"throw"`, default) or an empty list (`"empty"`). */
  readonly onUnknown?: OnUnknown;
  /** Attach `reasons` to each recommendation (default false). */
  readonly explain?: boolean;
}

/**
 * Recommendations for many users at once (fast layer, dense indices): row `u` of the batch holds
 * `counts[u]` items in `ids[u*k … u*k+counts[u]-1]`, best first; unused slots hold -1 / NaN.
 */
export interface BatchRecommendations {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float64Array;
  readonly counts: Int32Array;
}
