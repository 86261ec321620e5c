import { type Csr, rowNorms, transpose } from "../core/csr.js";
import { assertInteger, RecokitError } from "../core/errors.js";
import { describeValue, type Id } from "../core/id-index.js";
import {
  applyRankingFilters,
  type BatchRecommendations,
  collectBatch,
  type OnUnknown,
  type Recommendation,
  type RecommendOptions,
} from "../core/recommender.js";
import { topK } from "../core/topk.js";
import { featureColumnsOf } from "./features.js";
import type { ContentModel } from "./model.js";
import { buildProfiles, interactionWeights, resolveProfileConfig } from "./profiles.js";

/**
 * A sparse vector in a model's feature space: feature columns (dense indices into
 * `model.features`) and their weights. Profiles from elsewhere (e.g. tag affinities) enter scoring
 * in this form; build one from named features with {@link contentVector}.
 */
export interface ContentVector {
  readonly indices: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** Who to score for: a known user id, or any feature vector. */
export type ContentQuery = Id | ContentVector;

// ───────────────────────────── derived structures (cached per model) ─────────────────────────────

interface Derived {
  /** features × items (the inverted index). */
  readonly byFeature: Csr;
  /** L2 norm of each item vector. */
  readonly itemNorms: Float64Array;
}

const derivedCache = new WeakMap<ContentModel, Derived>();

function derivedOf(model: ContentModel): Derived {
  let d = derivedCache.get(model);
  if (d === undefined) {
    const m = model.itemFeatures;
    d = { byFeature: transpose(m), itemNorms: rowNorms(m) };
    derivedCache.set(model, d);
  }
  return d;
}

// ───────────────────────────── queries ─────────────────────────────

/** A validated query: columns, weights and the weights' L2 norm. */
interface ResolvedQuery {
  readonly indices: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly norm: number;
  /** The user's index, or -1 for a vector query. */
  readonly user: number;
}

function isVector(q: unknown): q is ContentVector {
  return q !== null && typeof q === "object";
}

function checkVector(where: string, model: ContentModel, v: ContentVector): ResolvedQuery {
  const { indices, values } = v;
  if (indices === undefined || values === undefined || indices.length !== values.length)
    throw new RecokitError("INVALID_INPUT", where, "a vector needs indices and values of the same length");
  let norm = 0;
  for (let j = 0; j < indices.length; j++) {
    const c = indices[j]!;
    if (!Number.isInteger(c) || c < 0 || c >= model.features.size)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `vector entry ${j}: feature ${c} is not in [0, ${model.features.size})`,
      );
    if (!Number.isFinite(values[j]))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `vector entry ${j}: weight ${describeValue(values[j])} is not finite`,
      );
  }
  // repeated columns add up: the norm is that of the summed vector
  const sums = new Map<number, number>();
  for (let j = 0; j < indices.length; j++) sums.set(indices[j]!, (sums.get(indices[j]!) ?? 0) + values[j]!);
  for (const s of sums.values()) norm += s * s;
  return { indices, values, norm: Math.sqrt(norm), user: -1 };
}

function profileQuery(model: ContentModel, u: number): ResolvedQuery {
  const p = model.userProfiles;
  const start = p.indptr[u]!;
  const end = p.indptr[u + 1]!;
  return {
    indices: p.indices.subarray(start, end),
    values: p.data.subarray(start, end),
    norm: end > start ? 1 : 0,
    user: u,
  };
}

/** Resolves a query; `undefined` for an unknown user with `onUnknown: "empty"`. */
function resolveQuery(
  where: string,
  model: ContentModel,
  query: ContentQuery,
  onUnknown: OnUnknown,
): ResolvedQuery | undefined {
  if (isVector(query)) return checkVector(where, model, query);
  const u = model.users.indexOf(query, "minus-one");
  if (u >= 0) return profileQuery(model, u);
  if (onUnknown === "throw")
    throw new RecokitError("UNKNOWN_USER", where, `unknown user ${describeValue(query)}`);
  return undefined;
}

/**
 * Fills `out` with `q · x_i / |q|` for every item (the cosine with unit item vectors); NaN for items
 * without features and for every item when the query is empty. Walks the inverted index:
 * O(Σ_{f ∈ q} df_f + nItems).
 */
function scoreInto(model: ContentModel, q: ResolvedQuery, out: Float64Array): void {
  const { byFeature, itemNorms } = derivedOf(model);
  out.fill(0);
  if (q.norm === 0) {
    out.fill(Number.NaN);
    return;
  }
  for (let j = 0; j < q.indices.length; j++) {
    const f = q.indices[j]!;
    const w = q.values[j]! / q.norm;
    for (let p = byFeature.indptr[f]!; p < byFeature.indptr[f + 1]!; p++)
      out[byFeature.indices[p]!]! += w * byFeature.data[p]!;
  }
  for (let i = 0; i < out.length; i++) if (itemNorms[i] === 0) out[i] = Number.NaN;
}

// ───────────────────────────── public scoring ─────────────────────────────

/**
 * Content score of every item for a user (dense index into `model.users`) or a feature vector,
 * the fast layer under {@link recommendContent} and what hybrid blending consumes:
 * `s_i = q · x_i / |q|`, the cosine between the (unit) profile and each (unit) item vector with the
 * default normalisation. NaN means "cannot score": an item without any feature, or every item when
 * the user's profile is empty. Items the user has seen are not masked here.
 * O(Σ_{f ∈ q} df_f + nItems).
 *
 * @param model - a fitted content model
 * @param query - a user index (-1: an unknown user, every score NaN), or a {@link ContentVector}
 * @param out - optional output buffer of length `model.items.size` (reused, avoids allocation)
 * @returns one score per item (`out` when given)
 * @throws RecokitError `INVALID_INPUT` for an out-of-range user index, a malformed vector or a
 *   wrongly sized buffer.
 * @example
 * ```ts
 * import { contentScores, fitContent } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["red"] }, { id: "b", tags: ["blue"] }, { id: "c", tags: [] }], {
 *   fields: [{ kind: "tags", name: "tags" }],
 *   interactions: [{ user: "u", item: "a" }],
 * });
 * Array.from(contentScores(m, 0)); // [1, 0, NaN]
 * ```
 */
export function contentScores(
  model: ContentModel,
  query: number | ContentVector,
  out: Float64Array = new Float64Array(model.items.size),
): Float64Array {
  const where = "contentScores";
  if (out.length !== model.items.size)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `out must have one slot per item (${model.items.size}), got ${out.length}`,
    );
  let q: ResolvedQuery;
  if (query === -1) q = { indices: [], values: [], norm: 0, user: -1 };
  else if (typeof query === "number") {
    assertInteger(where, "user index", query, -1, model.users.size - 1);
    q = profileQuery(model, query);
  } else q = checkVector(where, model, query);
  scoreInto(model, q, out);
  return out;
}

/** Options of {@link scoreItems}. */
export interface ScoreItemsOptions {
  /** Unknown user or item: a typed error (`"throw"`, default) or NaN scores (`"nan"`). */
  readonly onUnknown?: "throw" | "nan";
}

/**
 * Content scores of chosen items (friendly layer, external ids), in the order asked: the cosine
 * between the user's profile (or the given vector) and each item. NaN = cannot score (the item has
 * no features, the profile is empty, or — with `onUnknown: "nan"` — the id is unknown).
 *
 * @param query - a user id or a {@link ContentVector}
 * @param items - item ids (default: every item, in index order)
 * @returns one score per requested item
 * @throws RecokitError `UNKNOWN_USER` / `UNKNOWN_ITEM` (unless `onUnknown: "nan"`).
 * @example
 * ```ts
 * import { fitContent, scoreItems } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["red"] }, { id: "b", tags: ["red", "big"] }], {
 *   fields: [{ kind: "tags", name: "tags", idf: false }],
 *   interactions: [{ user: "u", item: "a" }],
 * });
 * Array.from(scoreItems(m, "u", ["b"])); // [Math.SQRT1_2]
 * ```
 */
export function scoreItems(
  model: ContentModel,
  query: ContentQuery,
  items?: Iterable<Id>,
  options: ScoreItemsOptions = {},
): Float64Array {
  const where = "scoreItems";
  const onUnknown = options.onUnknown ?? "throw";
  if (onUnknown !== "throw" && onUnknown !== "nan")
    throw new RecokitError("INVALID_INPUT", where, `onUnknown must be "throw" or "nan"`);
  const q = resolveQuery(where, model, query, onUnknown === "throw" ? "throw" : "empty");
  const all = new Float64Array(model.items.size);
  if (q === undefined) all.fill(Number.NaN);
  else scoreInto(model, q, all);
  if (items === undefined) return all;
  const out: number[] = [];
  for (const id of items) {
    const i = model.items.indexOf(id, "minus-one");
    if (i < 0 && onUnknown === "throw")
      throw new RecokitError("UNKNOWN_ITEM", where, `unknown item ${describeValue(id)}`);
    out.push(i < 0 ? Number.NaN : all[i]!);
  }
  return Float64Array.from(out);
}

/**
 * Top-N content recommendations for a user (or any feature vector), best first, with external ids.
 * Items the user interacted with are left out by default; items that cannot be scored (no
 * features, empty profile) are never returned, so fewer than `k` may come back. With `explain`,
 * each recommendation carries `reasons: ["matches: 运动鞋, nike, price band 2"]` (the features that
 * contributed most, see {@link explainContent}). Unknown ids in `exclude` / `candidates` are ignored.
 * O(Σ_{f ∈ p_u} df_f + nItems·log k).
 *
 * @param model - a fitted content model
 * @param query - a user id, or a {@link ContentVector}
 * @param options - k (default 10), exclude, excludeSeen, candidates, onUnknown, explain
 * @returns recommendations, best first (ties by item index)
 * @throws RecokitError `UNKNOWN_USER` (unless `onUnknown: "empty"`), `INVALID_INPUT` for a bad `k`.
 * @example
 * ```ts
 * import { fitContent, recommendContent } from "recokit";
 * const m = fitContent(
 *   [{ id: "a", tags: ["red", "shoe"] }, { id: "b", tags: ["red", "boot"] }, { id: "c", tags: ["mug"] }],
 *   { fields: [{ kind: "tags", name: "tags", idf: false }], interactions: [{ user: "u", item: "a" }] },
 * );
 * recommendContent(m, "u", { k: 2, explain: true });
 * // [{ item: "b", score: 0.5, reasons: ["matches: red"] }, { item: "c", score: 0, reasons: [] }]
 * ```
 */
export function recommendContent(
  model: ContentModel,
  query: ContentQuery,
  options: RecommendOptions = {},
): Recommendation[] {
  const where = "recommendContent";
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const q = resolveQuery(where, model, query, options.onUnknown ?? "throw");
  if (q === undefined) return [];
  const scores = new Float64Array(model.items.size);
  scoreInto(model, q, scores);
  const candidates = applyRankingFilters(model.items, model.interactions, q.user, scores, options);
  const ranked = topK(scores, k, candidates === undefined ? {} : { candidates });
  const out: Recommendation[] = [];
  for (let r = 0; r < ranked.ids.length; r++) {
    const i = ranked.ids[r]!;
    const rec: Recommendation = { item: model.items.idAt(i), score: ranked.scores[r]! };
    out.push(options.explain ? { ...rec, reasons: reasonsOf(contributions(model, q, i), 3) } : rec);
  }
  return out;
}

/**
 * Content recommendations for many users at once (fast layer): one row of `k` slots per user in
 * input order, item indices into `model.items`, best first; unused slots hold -1 / NaN. Unknown
 * users get an empty row with `onUnknown: "empty"`. Reuses one score buffer and one heap.
 *
 * @throws RecokitError `UNKNOWN_USER` (unless `onUnknown: "empty"`).
 * @example
 * ```ts
 * import { fitContent, recommendContentBatch } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["x"] }, { id: "b", tags: ["x"] }], {
 *   fields: [{ kind: "tags", name: "tags" }],
 *   interactions: [{ user: "u", item: "a" }],
 * });
 * Array.from(recommendContentBatch(m, ["u"], { k: 1 }).ids); // [1]
 * ```
 */
export function recommendContentBatch(
  model: ContentModel,
  users: Iterable<Id>,
  options: RecommendOptions = {},
): BatchRecommendations {
  const where = "recommendContentBatch";
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const list = [...users];
  return collectBatch(list.length, k, model.items.size, (row, scores) => {
    const q = resolveQuery(where, model, list[row]!, options.onUnknown ?? "throw");
    if (q === undefined) return null;
    scoreInto(model, q, scores);
    return applyRankingFilters(model.items, model.interactions, q.user, scores, options);
  });
}

// ───────────────────────────── similar items ─────────────────────────────

/** Options of {@link similarItemsContent}. */
export interface SimilarContentOptions {
  /** How many (default 10). */
  readonly k?: number;
  /** Items never returned (unknown ids ignored). */
  readonly exclude?: Iterable<Id>;
  /** Rank only these items (unknown ids ignored). */
  readonly candidates?: Iterable<Id>;
  /** Unknown item: a typed error (default) or an empty list. */
  readonly onUnknown?: OnUnknown;
  /** Attach `reasons: ["shares: …"]` naming the features both items weigh most (default false). */
  readonly explain?: boolean;
}

/**
 * The items whose content is most similar to `item` (cosine of item vectors), best first. Served
 * from the neighbour lists precomputed at fit time by the similarity core when they cover the
 * request (item present at fit, `k` ≤ stored k, no candidates); otherwise the item's vector is
 * scored against every item through the inverted index (same cosine, O(Σ_{f ∈ x} df_f + nItems)),
 * which also serves items added with {@link addContentItems}. Only items sharing at least one
 * feature are returned.
 *
 * @throws RecokitError `UNKNOWN_ITEM` (unless `onUnknown: "empty"`), `INVALID_INPUT` for a bad `k`.
 * @example
 * ```ts
 * import { fitContent, similarItemsContent } from "recokit";
 * const m = fitContent(
 *   [{ id: "a", tags: ["red", "shoe"] }, { id: "b", tags: ["red", "boot"] }, { id: "c", tags: ["mug"] }],
 *   { fields: [{ kind: "tags", name: "tags", idf: false }] },
 * );
 * similarItemsContent(m, "a", { k: 5 }); // [{ item: "b", score: 0.5 }] (c shares nothing)
 * ```
 */
export function similarItemsContent(
  model: ContentModel,
  item: Id,
  options: SimilarContentOptions = {},
): Recommendation[] {
  const where = "similarItemsContent";
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const i = model.items.indexOf(item, "minus-one");
  if (i < 0) {
    if ((options.onUnknown ?? "throw") === "throw")
      throw new RecokitError("UNKNOWN_ITEM", where, `unknown item ${describeValue(item)}`);
    return [];
  }
  const excluded = new Set<number>([i]);
  if (options.exclude !== undefined)
    for (const id of options.exclude) {
      const j = model.items.indexOf(id, "minus-one");
      if (j >= 0) excluded.add(j);
    }
  const lists = model.neighbors;
  const out: Recommendation[] = [];
  const row = itemQuery(model, i);
  const push = (j: number, score: number): void => {
    const rec: Recommendation = { item: model.items.idAt(j), score };
    out.push(
      options.explain ? { ...rec, reasons: reasonsOf(contributions(model, row, j), 3, "shares") } : rec,
    );
  };
  if (lists !== undefined && i < lists.nRows && options.candidates === undefined && k <= lists.k) {
    for (let p = lists.indptr[i]!; p < lists.indptr[i + 1]! && out.length < k; p++) {
      const j = lists.indices[p]!;
      if (!excluded.has(j)) push(j, lists.similarities[p]!);
    }
    // exclusions may have emptied slots the stored list cannot refill: rank afresh in that case
    if (out.length === k || lists.indptr[i + 1]! - lists.indptr[i]! < lists.k) return out;
    out.length = 0;
  }
  const scores = new Float64Array(model.items.size);
  scoreInto(model, row, scores);
  const { itemNorms } = derivedOf(model);
  const selfNorm = itemNorms[i]!;
  for (let j = 0; j < scores.length; j++) {
    // cosine = x_i·x_j / (|x_i| |x_j|); the query side is already divided by |x_i|
    const s = scores[j]! / itemNorms[j]!;
    scores[j] = s > 0 && !excluded.has(j) && selfNorm > 0 ? s : Number.NaN;
  }
  const cands = options.candidates === undefined ? undefined : resolveIds(model, options.candidates);
  const ranked = topK(scores, k, cands === undefined ? {} : { candidates: cands });
  for (let r = 0; r < ranked.ids.length; r++) push(ranked.ids[r]!, ranked.scores[r]!);
  return out;
}

function resolveIds(model: ContentModel, ids: Iterable<Id>): Int32Array {
  const out: number[] = [];
  for (const id of ids) {
    const i = model.items.indexOf(id, "minus-one");
    if (i >= 0) out.push(i);
  }
  return Int32Array.from(out);
}

function itemQuery(model: ContentModel, i: number): ResolvedQuery {
  const m = model.itemFeatures;
  const start = m.indptr[i]!;
  const end = m.indptr[i + 1]!;
  return {
    indices: m.indices.subarray(start, end),
    values: m.data.subarray(start, end),
    norm: derivedOf(model).itemNorms[i]!,
    user: -1,
  };
}

// ───────────────────────────── explanations ─────────────────────────────

/** One feature's part in a content score. */
export interface ContentFeatureContribution {
  /** Feature id (`field:value`). */
  readonly feature: Id;
  /** Field the feature belongs to. */
  readonly field: string;
  /** Readable label (`nike`, `shoes`, `price band 2`). */
  readonly label: string;
  /** `q_f · x_if / |q|`; the contributions of all features sum to the score. */
  readonly contribution: number;
}

/** Why an item scored what it did. */
export interface ContentExplanation {
  readonly item: Id;
  /** The content score (as {@link scoreItems}); NaN when it cannot be scored. */
  readonly score: number;
  /** The largest contributions, positive first, largest first (ties by feature index). */
  readonly contributions: readonly ContentFeatureContribution[];
  /** `"matches: a, b, c"` from the positive contributions (empty when there are none). */
  readonly summary: string;
}

/** Options of {@link explainContent}. */
export interface ExplainContentOptions {
  /** How many contributions to list (default 3). */
  readonly top?: number;
}

/** Per-feature contributions to an item's score, sorted by contribution (desc), ties by feature index. */
function contributions(model: ContentModel, q: ResolvedQuery, i: number): ContentFeatureContribution[] {
  if (q.norm === 0) return [];
  const m = model.itemFeatures;
  const item = new Map<number, number>();
  for (let j = m.indptr[i]!; j < m.indptr[i + 1]!; j++) item.set(m.indices[j]!, m.data[j]!);
  const byFeature = new Map<number, number>();
  for (let j = 0; j < q.indices.length; j++) {
    const f = q.indices[j]!;
    const x = item.get(f);
    if (x === undefined) continue;
    byFeature.set(f, (byFeature.get(f) ?? 0) + (q.values[j]! * x) / q.norm);
  }
  return [...byFeature]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([f, c]) => ({
      feature: model.features.idAt(f),
      field: model.fields[model.featureField[f]!]!.name,
      label: model.labels[f]!,
      contribution: c,
    }));
}

/** `"matches: a, b, c"` from the largest positive contributions; a label repeated across fields counts once. */
function reasonsOf(list: readonly ContentFeatureContribution[], top: number, verb = "matches"): string[] {
  // the same word can be a feature of several fields (brand "Nike", title word "nike"): name it once
  const seen = new Set<string>();
  const labels: string[] = [];
  for (const c of list) {
    if (labels.length === top || !(c.contribution > 0)) break;
    const key = c.label.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    labels.push(c.label);
  }
  return labels.length > 0 ? [`${verb}: ${labels.join(", ")}`] : [];
}

/**
 * Explains a content score: each shared feature's contribution `q_f · x_if / |q|` (they sum to the
 * score), the largest first, with readable labels, and a one-line summary such as
 * `"matches: 运动鞋, nike, price band 2"`. Negative contributions (from negative feedback) are listed
 * after the positive ones.
 *
 * @param query - a user id or a {@link ContentVector}
 * @param item - the item to explain
 * @throws RecokitError `UNKNOWN_USER` / `UNKNOWN_ITEM`, `INVALID_INPUT` for a bad `top`.
 * @example
 * ```ts
 * import { explainContent, fitContent } from "recokit";
 * const m = fitContent(
 *   [{ id: "a", brand: "Nike", tags: ["run"] }, { id: "b", brand: "Nike", tags: ["walk"] }],
 *   { fields: [{ kind: "tags", name: "brand" }, { kind: "tags", name: "tags" }], interactions: [{ user: "u", item: "a" }] },
 * );
 * explainContent(m, "u", "b").summary; // "matches: Nike"
 * ```
 */
export function explainContent(
  model: ContentModel,
  query: ContentQuery,
  item: Id,
  options: ExplainContentOptions = {},
): ContentExplanation {
  const where = "explainContent";
  const top = options.top ?? 3;
  assertInteger(where, "top", top, 0);
  const q = resolveQuery(where, model, query, "throw")!;
  const i = model.items.indexOf(item, "minus-one");
  if (i < 0) throw new RecokitError("UNKNOWN_ITEM", where, `unknown item ${describeValue(item)}`);
  const all = contributions(model, q, i);
  let score = Number.NaN;
  if (q.norm > 0 && derivedOf(model).itemNorms[i]! > 0) {
    score = 0;
    for (const c of all) score += c.contribution;
  }
  return { item, score, contributions: all.slice(0, top), summary: reasonsOf(all, top)[0] ?? "" };
}

// ───────────────────────────── building vectors ─────────────────────────────

/** Options of {@link contentVector}. */
export interface ContentVectorOptions {
  /**
   * Read keys as raw values of this field (tags, category names, words of a text field, band numbers
   * of a numeric field), normalised as the field was at fit time. Default: keys are feature ids
   * (`"tags:summer"`).
   */
  readonly field?: string;
}

/** A {@link ContentVector} plus the keys that matched no feature. */
export interface BuiltContentVector extends ContentVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
  /** Keys with no feature in the model (left out of the vector). */
  readonly unknown: readonly string[];
}

/**
 * Builds a feature vector from named weights, e.g. a user's tag affinities from the profiling
 * module, so it can be scored like a profile ({@link recommendContent}, {@link scoreItems}).
 * A text-field key is tokenised and its weight given to each of its tokens; weights of keys landing
 * on the same feature add up. Keys that match nothing are reported in `unknown`, never silently lost.
 *
 * @param weights - `{ key: weight }` or `[key, weight]` pairs; weights must be finite
 * @returns sorted feature columns, weights, and the unknown keys
 * @throws RecokitError `INVALID_INPUT` for a non-finite weight or an unknown `field`.
 * @example
 * ```ts
 * import { contentVector, fitContent, recommendContent } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["summer"] }, { id: "b", tags: ["winter"] }], {
 *   fields: [{ kind: "tags", name: "tags" }],
 * });
 * const v = contentVector(m, { summer: 0.9, beach: 0.4 }, { field: "tags" });
 * v.unknown; // ["beach"]
 * recommendContent(m, v, { k: 1 })[0]?.item; // "a"
 * ```
 */
export function contentVector(
  model: ContentModel,
  weights: Readonly<Record<string, number>> | Iterable<readonly [string, number]>,
  options: ContentVectorOptions = {},
): BuiltContentVector {
  const where = "contentVector";
  const pairs: (readonly [string, number])[] =
    weights !== null && typeof weights === "object" && Symbol.iterator in weights
      ? [...(weights as Iterable<readonly [string, number]>)]
      : Object.entries(weights as Record<string, number>);
  const sums = new Map<number, number>();
  const unknown: string[] = [];
  for (const [key, w] of pairs) {
    if (typeof w !== "number" || !Number.isFinite(w))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `weight of ${describeValue(key)} is not a finite number`,
      );
    let cols: number[];
    if (options.field === undefined) {
      const c = model.features.indexOf(key, "minus-one");
      cols = c < 0 ? [] : [c];
    } else cols = featureColumnsOf(model, options.field, String(key), where);
    if (cols.length === 0) unknown.push(String(key));
    for (const c of cols) sums.set(c, (sums.get(c) ?? 0) + w);
  }
  const indices = Int32Array.from([...sums.keys()].sort((a, b) => a - b));
  const values = Float64Array.from(indices, (c) => sums.get(c)!);
  return { indices, values, unknown };
}

/** Options of {@link contentUserVector}. */
export interface ContentUserVectorOptions {
  /** See `FitContentOptions.center`; default: the model's. */
  readonly center?: "none" | "user" | number;
  /** Default: the model's. */
  readonly negativeWeight?: number;
  /** Default: the model's. */
  readonly halfLifeDays?: number;
  /** Default: the model's reference time, else the latest of these interactions. */
  readonly now?: number | Date;
  /** Interactions with unknown items: a typed error (default) or ignored. */
  readonly onUnknown?: "throw" | "ignore";
}

/** One interaction of {@link contentUserVector}. */
export interface ContentEvent {
  readonly item: Id;
  /** Behaviour weight or rating (default 1). */
  readonly value?: number;
  /** Epoch ms or a Date (needed for time decay). */
  readonly timestamp?: number | Date;
}

/**
 * A profile vector for someone the model was not fitted on (a new user, the current session), built
 * exactly as fit-time profiles are: `Σ_i (v_i − c) · decay · x_i`, L2-normalised. Score it with
 * {@link recommendContent} / {@link scoreItems}.
 *
 * @param events - the person's interactions (never modified)
 * @returns the profile as a {@link ContentVector} (empty when there is nothing to go on)
 * @throws RecokitError `UNKNOWN_ITEM` (unless `onUnknown: "ignore"`), `INVALID_INPUT` for a bad value
 *   or timestamp, naming the event.
 * @example
 * ```ts
 * import { contentUserVector, fitContent, recommendContent } from "recokit";
 * const m = fitContent([{ id: "a", tags: ["x"] }, { id: "b", tags: ["x"] }], { fields: [{ kind: "tags", name: "tags" }] });
 * const session = contentUserVector(m, [{ item: "a" }]);
 * recommendContent(m, session, { exclude: ["a"] })[0]?.item; // "b"
 * ```
 */
export function contentUserVector(
  model: ContentModel,
  events: readonly ContentEvent[],
  options: ContentUserVectorOptions = {},
): ContentVector {
  const where = "contentUserVector";
  if (!Array.isArray(events)) throw new RecokitError("INVALID_INPUT", where, "events must be an array");
  const onUnknown = options.onUnknown ?? "throw";
  const cols: number[] = [];
  const vals: number[] = [];
  const times: number[] = [];
  for (let e = 0; e < events.length; e++) {
    const ev = events[e]!;
    if (ev === null || typeof ev !== "object")
      throw new RecokitError("INVALID_INPUT", where, `event ${e}: not an object`);
    const i = model.items.indexOf(ev.item, "minus-one");
    if (i < 0) {
      if (onUnknown === "throw")
        throw new RecokitError("UNKNOWN_ITEM", where, `event ${e}: unknown item ${describeValue(ev.item)}`);
      continue;
    }
    const v = ev.value ?? 1;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `event ${e}: value ${describeValue(ev.value)} is not finite`,
      );
    const t =
      ev.timestamp === undefined
        ? Number.NaN
        : ev.timestamp instanceof Date
          ? ev.timestamp.getTime()
          : ev.timestamp;
    if (ev.timestamp !== undefined && !Number.isFinite(t))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `event ${e}: timestamp ${describeValue(ev.timestamp)} is not valid`,
      );
    cols.push(i);
    vals.push(v);
    times.push(t);
  }
  // one row, events kept apart (not combined) so each decays by its own age
  const n = cols.length;
  const row: Csr = {
    nRows: 1,
    nCols: model.items.size,
    indptr: Int32Array.from([0, n]),
    indices: Int32Array.from(cols),
    data: Float64Array.from(vals),
  };
  const base = model.profile;
  const config = resolveProfileConfig(
    where,
    {
      center: options.center ?? base.center,
      negativeWeight: options.negativeWeight ?? base.negativeWeight,
      ...(options.halfLifeDays !== undefined
        ? { halfLifeDays: options.halfLifeDays }
        : base.halfLifeDays !== null
          ? { halfLifeDays: base.halfLifeDays }
          : {}),
      ...(options.now !== undefined ? { now: options.now } : base.now !== null ? { now: base.now } : {}),
    },
    times,
  );
  const weights = interactionWeights(row, Float64Array.from(times), config);
  const p = buildProfiles(row, weights, model.itemFeatures);
  return { indices: p.indices, values: p.data };
}
