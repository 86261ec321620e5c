import { type Csr, findInRow } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import { describeValue, type Id, IdIndex, isValidId } from "../core/id-index.js";
import { topK } from "../core/topk.js";
import { checkProfilesShape } from "./build.js";
import { parseProfileTag } from "./catalogue.js";
import { USER_METRIC_NAMES } from "./config.js";
import { confidenceFor, eventsAt } from "./derive.js";
import type { TagProfiles, UserMetricName } from "./types.js";

/** One tag of a portrait with the evidence behind its weight. */
export interface PortraitTag {
  /** `"facet:value"`. */
  readonly tag: string;
  readonly facet: string;
  readonly value: string;
  /** Normalised score (what ranks the tags). */
  readonly score: number;
  /** Decayed weight at the profiles' `asOf`. */
  readonly weight: number;
  /** `n / (n + c)`, n = events behind the weight. */
  readonly confidence: number;
  /** Events behind the weight. */
  readonly events: number;
  /** Those events by type (types with none are left out). */
  readonly counts: Readonly<Record<string, number>>;
  /** Time of the latest of them (epoch ms). */
  readonly lastSeen: number;
}

/** A user's portrait: top tags with evidence, derived tags, metrics and activity pattern. */
export interface UserPortrait {
  readonly user: Id;
  readonly asOf: number;
  /** Top tags by score, best first. */
  readonly tags: readonly PortraitTag[];
  /** Derived tags: name → value (tags the user does not have are absent). */
  readonly derived: Readonly<Record<string, string>>;
  /** Metrics; null where undefined for this user (e.g. price percentile without a purchase). */
  readonly metrics: Readonly<Record<UserMetricName, number | null>>;
  /** Up to three hours of day (0–23) with the most decayed events, best first. */
  readonly activeHours: readonly number[];
  /** Up to three weekdays ("Mon" … "Sun") with the most decayed events, best first. */
  readonly activeWeekdays: readonly string[];
  /** Channels by share of the decayed events, best first. */
  readonly channels: readonly { readonly channel: string; readonly share: number }[];
}

/** Options of {@link userPortrait}. */
export interface UserPortraitOptions {
  /** How many tags (default 10). */
  readonly k?: number;
  /** Only tags of these facets (default: all). */
  readonly facets?: readonly string[];
  /** Only tags scoring at least this much (default: any). */
  readonly minScore?: number;
}

const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Row of a user, or UNKNOWN_USER. @internal */
export function userRow(where: string, profiles: TagProfiles, user: Id): number {
  if (!isValidId(user))
    throw new RecokitError("INVALID_INPUT", where, `user ${describeValue(user)} is not a valid id`);
  const u = profiles.users.indexOf(user, "minus-one");
  if (u < 0) throw new RecokitError("UNKNOWN_USER", where, `unknown user ${describeValue(user)}`);
  return u;
}

/** The portrait entry of stored entry `j` (tag `tag`). @internal */
export function portraitTagAt(profiles: TagProfiles, j: number): PortraitTag {
  const tag = String(profiles.tags.idAt(profiles.scores.indices[j]!));
  const { facet, value } = parseProfileTag(tag);
  const nTypes = profiles.eventTypes.length;
  const counts: Record<string, number> = {};
  let events = 0;
  for (let t = 0; t < nTypes; t++) {
    const c = profiles.state.counts[j * nTypes + t]!;
    if (c > 0) counts[profiles.eventTypes[t]!] = c;
    events += c;
  }
  return {
    tag,
    facet,
    value,
    score: profiles.scores.data[j]!,
    weight: profiles.state.weights.data[j]!,
    confidence: confidenceFor(events, profiles.config.confidencePrior),
    events,
    counts,
    lastSeen: profiles.state.lastSeen[j]!,
  };
}

/** Indices (0 … n-1) of the `k` largest of `n` values from `base`, best first, ties by lower index. */
function topIndices(values: Float64Array, base: number, n: number, k: number): number[] {
  const slice = values.subarray(base, base + n);
  const { ids, scores } = topK(slice, k);
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (scores[i]! > 0) out.push(ids[i]!);
  return out;
}

/**
 * A user's portrait: the top `k` tags by score (ties by tag index; ranked with core `topK`), each with
 * its evidence (events by type, last seen, confidence); the derived tags; the metrics; the hours and
 * weekdays with the most (decayed) events; the channel shares. O(tags of the user · log k).
 *
 * @param profiles - from {@link buildProfiles} / {@link updateProfiles}
 * @param user - a user id of the profiles
 * @param options - `k`, facet filter, minimum score
 * @returns the portrait (a user without events has no tags and only static derived tags)
 * @throws RecokitError `UNKNOWN_USER` for a user the profiles do not hold; `INVALID_INPUT` for bad options.
 * @example
 * ```ts
 * import { buildProfiles, userPortrait } from "recokit";
 * const profiles = buildProfiles(
 *   [{ user: "bo", item: "tent", type: "purchase", timestamp: Date.UTC(2024, 0, 5, 20) }],
 *   { items: [{ id: "tent", category: "outdoor", brand: "Summit" }] },
 * );
 * const p = userPortrait(profiles, "bo");
 * p.tags[0]?.counts;          // { purchase: 1 }
 * p.derived.activeDaypart;    // "evening"
 * ```
 */
export function userPortrait(
  profiles: TagProfiles,
  user: Id,
  options: UserPortraitOptions = {},
): UserPortrait {
  const where = "userPortrait";
  checkProfilesShape(where, profiles);
  const k = options.k ?? 10;
  assertInteger(where, "k", k, 0);
  const minScore = options.minScore ?? Number.NEGATIVE_INFINITY;
  if (options.minScore !== undefined) assertFinite(where, "minScore", options.minScore);
  const facetFilter = options.facets === undefined ? undefined : new Set(options.facets);
  const u = userRow(where, profiles, user);
  const m = profiles.scores;
  const start = m.indptr[u]!;
  const end = m.indptr[u + 1]!;
  const rowScores = new Float64Array(end - start);
  for (let j = start; j < end; j++) {
    const s = m.data[j]!;
    let keep = s >= minScore;
    if (keep && facetFilter !== undefined) {
      const tag = String(profiles.tags.idAt(m.indices[j]!));
      keep = facetFilter.has(parseProfileTag(tag).facet);
    }
    rowScores[j - start] = keep ? s : Number.NaN;
  }
  const ranked = topK(rowScores, k);
  const tags = Array.from(ranked.ids, (i) => portraitTagAt(profiles, start + i));

  const derived: Record<string, string> = {};
  for (const col of profiles.derived) {
    const code = col.codes[u]!;
    if (code >= 0) derived[col.name] = col.values[code]!;
  }
  const metrics = {} as Record<UserMetricName, number | null>;
  for (const name of USER_METRIC_NAMES) {
    const x = profiles.metrics[name][u]!;
    metrics[name] = Number.isFinite(x) ? x : null;
  }
  const activeHours = topIndices(profiles.state.hours, u * 24, 24, 3);
  const activeWeekdays = topIndices(profiles.state.weekdays, u * 7, 7, 3).map((d) => WEEKDAY_NAMES[d]!);
  const ch = profiles.state.channels;
  let total = 0;
  for (let j = ch.indptr[u]!; j < ch.indptr[u + 1]!; j++) total += ch.data[j]!;
  const channels: { channel: string; share: number }[] = [];
  for (let j = ch.indptr[u]!; j < ch.indptr[u + 1]!; j++) {
    if (total > 0 && ch.data[j]! > 0)
      channels.push({ channel: String(profiles.channels.idAt(ch.indices[j]!)), share: ch.data[j]! / total });
  }
  channels.sort((a, b) => b.share - a.share || (a.channel < b.channel ? -1 : 1));
  return { user, asOf: profiles.asOf, tags, derived, metrics, activeHours, activeWeekdays, channels };
}

/**
 * The evidence behind one of a user's tags: its score, weight, confidence, events by type and last
 * time seen; null when the user has no such tag. O(log tags of the user).
 *
 * @param profiles - the profiles
 * @param user - a user id of the profiles
 * @param tag - a tag `"facet:value"`
 * @returns the tag's entry, or null
 * @throws RecokitError `UNKNOWN_USER` for an unknown user.
 * @example
 * ```ts
 * import { buildProfiles, tagEvidence } from "recokit";
 * const profiles = buildProfiles([{ user: 1, item: "x", type: "cart", timestamp: 0 }], {
 *   items: [{ id: "x", brand: "Acme" }],
 * });
 * tagEvidence(profiles, 1, "brand:Acme")?.counts; // { cart: 1 }
 * tagEvidence(profiles, 1, "brand:Other");        // null
 * ```
 */
export function tagEvidence(profiles: TagProfiles, user: Id, tag: string): PortraitTag | null {
  const where = "tagEvidence";
  checkProfilesShape(where, profiles);
  const u = userRow(where, profiles, user);
  if (typeof tag !== "string") throw new RecokitError("INVALID_INPUT", where, "tag must be a string");
  const t = profiles.tags.indexOf(tag, "minus-one");
  if (t < 0) return null;
  const j = findInRow(profiles.scores, u, t);
  return j < 0 ? null : portraitTagAt(profiles, j);
}

/** Options of {@link profileMatrix}. */
export interface ProfileMatrixOptions {
  /** Which number fills the cells: `"score"` (default), `"weight"` (decayed) or `"confidence"`. */
  readonly values?: "score" | "weight" | "confidence";
  /** Append one 0/1 column per derived tag value, named `"name=value"` (default false). */
  readonly derived?: boolean;
}

/** The sparse user × tag export. */
export interface ProfileMatrix {
  readonly users: IdIndex;
  /** Column ids: the tags, then (with `derived`) the `"name=value"` columns. */
  readonly columns: IdIndex;
  readonly matrix: Csr;
}

/**
 * The profiles as a sparse users × tags matrix (a new `Csr`, rows in `users` order), for content
 * scoring, similarity (`topKSimilarity` on it or its transpose) and clustering. With `derived`, each
 * derived tag value becomes a binary column after the tags. O(nnz + users · derived tags).
 *
 * @param profiles - the profiles
 * @param options - cell values, derived columns
 * @returns user ids, column ids and the matrix
 * @example
 * ```ts
 * import { buildProfiles, profileMatrix } from "recokit";
 * const profiles = buildProfiles([{ user: "a", item: "x", type: "view", timestamp: 0 }], {
 *   items: [{ id: "x", category: "tea", brand: "Leaf" }],
 * });
 * const { columns, matrix } = profileMatrix(profiles);
 * columns.ids();           // ["category:tea", "brand:Leaf"]
 * Array.from(matrix.data); // [0.5, 0.5]
 * ```
 */
export function profileMatrix(profiles: TagProfiles, options: ProfileMatrixOptions = {}): ProfileMatrix {
  const where = "profileMatrix";
  checkProfilesShape(where, profiles);
  const kind = options.values ?? "score";
  let source: ArrayLike<number>;
  switch (kind) {
    case "score":
      source = profiles.scores.data;
      break;
    case "weight":
      source = profiles.state.weights.data;
      break;
    case "confidence": {
      const nTypes = profiles.eventTypes.length;
      const prior = profiles.config.confidencePrior;
      const out = new Float64Array(profiles.state.lastSeen.length);
      for (let j = 0; j < out.length; j++)
        out[j] = confidenceFor(eventsAt(profiles.state.counts, nTypes, j), prior);
      source = out;
      break;
    }
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `values must be "score", "weight" or "confidence", got ${describeValue(kind)}`,
      );
  }
  const m = profiles.scores;
  const nUsers = m.nRows;
  const columnIds = profiles.tags.ids();
  if (!options.derived) {
    return {
      users: profiles.users,
      columns: profiles.tags,
      matrix: {
        nRows: nUsers,
        nCols: m.nCols,
        indptr: m.indptr.slice(),
        indices: m.indices.slice(),
        data: new Float64Array(source),
      },
    };
  }
  const offsets: number[] = [];
  for (const col of profiles.derived) {
    offsets.push(columnIds.length);
    for (const v of col.values) columnIds.push(`${col.name}=${v}`);
  }
  const nCols = columnIds.length;
  const indptr = new Int32Array(nUsers + 1);
  let nnz = m.indptr[nUsers]!;
  for (const col of profiles.derived) for (let u = 0; u < nUsers; u++) if (col.codes[u]! >= 0) nnz++;
  const indices = new Int32Array(nnz);
  const data = new Float64Array(nnz);
  let o = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let j = m.indptr[u]!; j < m.indptr[u + 1]!; j++) {
      indices[o] = m.indices[j]!;
      data[o++] = source[j]!;
    }
    profiles.derived.forEach((col, c) => {
      const code = col.codes[u]!;
      if (code >= 0) {
        indices[o] = offsets[c]! + code;
        data[o++] = 1;
      }
    });
    indptr[u + 1] = o;
  }
  return {
    users: profiles.users,
    columns: IdIndex.from(columnIds),
    matrix: { nRows: nUsers, nCols, indptr, indices, data },
  };
}
