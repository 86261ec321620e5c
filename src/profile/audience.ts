import { cumulativeStdNormalProbability, quantileSorted } from "simple-statistics";
import { findInRow } from "../core/csr.js";
import { assertFinite, assertInteger, RecokitError } from "../core/errors.js";
import { describeValue, type Id } from "../core/id-index.js";
import { topK } from "../core/topk.js";
import { checkProfilesShape } from "./build.js";
import { parseProfileTag } from "./catalogue.js";
import { checkRange, PROFILE_DAY_MS, USER_METRIC_NAMES } from "./config.js";
import { confidenceFor, eventsAt, facetsOf } from "./derive.js";
import { type PortraitTag, portraitTagAt, userRow } from "./portrait.js";
import type { MetricRange, TagProfiles, UserMetricName } from "./types.js";

/**
 * A condition on one tag of the user: the user has it (a stored weight) and every given threshold
 * holds (all inclusive).
 */
export interface AudienceTagCondition {
  readonly tag: string;
  readonly minScore?: number;
  readonly minWeight?: number;
  readonly minConfidence?: number;
  /** At least this many events behind the weight (of `eventType` only, when given). */
  readonly minEvents?: number;
  readonly eventType?: string;
  /** Seen within the last `withinDays` days before `asOf`. */
  readonly withinDays?: number;
  /** Among the user's `top` best-scored tags of the same facet. */
  readonly top?: number;
}

/** A condition on a derived tag: its value is `is` (or one of them). */
export interface AudienceDerivedCondition {
  readonly derived: string;
  readonly is: string | readonly string[];
}

/** A condition on a metric: `min ≤ x < max`, bounds possibly population quantiles (see {@link MetricRange}). */
export interface AudienceMetricCondition extends MetricRange {
  readonly metric: UserMetricName;
}

/** An audience query: tag, derived-tag and metric conditions combined with `all`, `any` and `not`. */
export type AudienceCondition =
  | AudienceTagCondition
  | AudienceDerivedCondition
  | AudienceMetricCondition
  | { readonly all: readonly AudienceCondition[] }
  | { readonly any: readonly AudienceCondition[] }
  | { readonly not: AudienceCondition };

/** Why a user is in an audience: the tags, derived tags and metrics of the conditions that held. */
export interface AudienceEvidence {
  readonly user: Id;
  readonly tags: readonly PortraitTag[];
  readonly derived: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Partial<Record<UserMetricName, number>>>;
}

/** The result of {@link selectAudience}. */
export interface Audience {
  readonly users: readonly Id[];
  /** Rows of the users in the profiles. */
  readonly indices: Int32Array;
  /** Aligned with `users` (empty with `evidence: false`). */
  readonly evidence: readonly AudienceEvidence[];
  /** Users that matched before `limit`. */
  readonly matched: number;
  /** Users in the profiles. */
  readonly populationSize: number;
}

/** Options of {@link selectAudience}. */
export interface SelectAudienceOptions {
  /** Collect each member's evidence (default true). */
  readonly evidence?: boolean;
  /** Order members by their score of this tag, best first (members without it score 0). */
  readonly rankBy?: string;
  /** Keep at most this many members (after ranking). */
  readonly limit?: number;
}

interface Compiled {
  test(u: number): boolean;
  collect(u: number, into: EvidenceBuilder): void;
}

interface EvidenceBuilder {
  tags: Map<number, PortraitTag>;
  derived: Record<string, string>;
  metrics: Partial<Record<UserMetricName, number>>;
}

const TAG_KEYS = new Set([
  "tag",
  "minScore",
  "minWeight",
  "minConfidence",
  "minEvents",
  "eventType",
  "withinDays",
  "top",
]);
const METRIC_KEYS = new Set(["metric", "min", "max", "minQuantile", "maxQuantile"]);

function compile(where: string, profiles: TagProfiles, cond: AudienceCondition, at: string): Compiled {
  if (cond === null || typeof cond !== "object" || Array.isArray(cond))
    throw new RecokitError("INVALID_INPUT", where, `${at} must be a condition object`);
  const kinds = ["tag", "derived", "metric", "all", "any", "not"].filter((k) => k in cond);
  if (kinds.length !== 1)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${at} must have exactly one of tag, derived, metric, all, any, not (got ${kinds.length === 0 ? "none" : kinds.join(", ")})`,
    );
  const kind = kinds[0]!;
  switch (kind) {
    case "all":
    case "any": {
      const list = (cond as Record<string, unknown>)[kind];
      if (!Array.isArray(list) || list.length === 0)
        throw new RecokitError(
          "INVALID_INPUT",
          where,
          `${at}.${kind} must be a non-empty array of conditions`,
        );
      const parts = list.map((c, i) =>
        compile(where, profiles, c as AudienceCondition, `${at}.${kind}[${i}]`),
      );
      if (kind === "all")
        return {
          test: (u) => parts.every((p) => p.test(u)),
          collect: (u, into) => {
            for (const p of parts) p.collect(u, into);
          },
        };
      return {
        test: (u) => parts.some((p) => p.test(u)),
        collect: (u, into) => {
          for (const p of parts) if (p.test(u)) p.collect(u, into);
        },
      };
    }
    case "not": {
      const inner = compile(where, profiles, (cond as { not: AudienceCondition }).not, `${at}.not`);
      return { test: (u) => !inner.test(u), collect: () => {} };
    }
    case "tag":
      return compileTag(where, profiles, cond as AudienceTagCondition, at);
    case "derived":
      return compileDerived(where, profiles, cond as AudienceDerivedCondition, at);
    default:
      return compileMetric(where, profiles, cond as AudienceMetricCondition, at);
  }
}

function compileTag(where: string, profiles: TagProfiles, c: AudienceTagCondition, at: string): Compiled {
  for (const key of Object.keys(c)) {
    if (!TAG_KEYS.has(key))
      throw new RecokitError("INVALID_INPUT", where, `${at}: unknown field ${JSON.stringify(key)}`);
  }
  if (typeof c.tag !== "string") throw new RecokitError("INVALID_INPUT", where, `${at}.tag must be a string`);
  const t = profiles.tags.indexOf(c.tag, "minus-one");
  if (t < 0)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${at}: unknown tag ${JSON.stringify(c.tag)} (not in the profiles' tags)`,
    );
  const num = (name: keyof AudienceTagCondition, min = Number.NEGATIVE_INFINITY): number | undefined => {
    const v = c[name];
    if (v === undefined) return undefined;
    assertFinite(where, `${at}.${name}`, v, min);
    return v as number;
  };
  const minScore = num("minScore");
  const minWeight = num("minWeight");
  const minConfidence = num("minConfidence");
  const minEvents = num("minEvents", 0);
  const withinDays = num("withinDays", 0);
  let typeIdx = -1;
  if (c.eventType !== undefined) {
    typeIdx = profiles.eventTypes.indexOf(c.eventType);
    if (typeIdx < 0)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}.eventType ${describeValue(c.eventType)} is not an event type`,
      );
  }
  if (c.top !== undefined) assertInteger(where, `${at}.top`, c.top, 1);
  const { facetOf } = c.top !== undefined ? facetsOf(profiles.tags) : { facetOf: undefined };
  const nTypes = profiles.eventTypes.length;
  const { scores, state } = profiles;
  const prior = profiles.config.confidencePrior;
  const entry = (u: number): number => {
    const j = findInRow(scores, u, t);
    if (j < 0) return -1;
    if (minScore !== undefined && !(scores.data[j]! >= minScore)) return -1;
    if (minWeight !== undefined && !(state.weights.data[j]! >= minWeight)) return -1;
    if (
      minConfidence !== undefined &&
      !(confidenceFor(eventsAt(state.counts, nTypes, j), prior) >= minConfidence)
    )
      return -1;
    if (minEvents !== undefined) {
      let n = 0;
      if (typeIdx >= 0) n = state.counts[j * nTypes + typeIdx]!;
      else for (let x = 0; x < nTypes; x++) n += state.counts[j * nTypes + x]!;
      if (n < minEvents) return -1;
    }
    if (withinDays !== undefined && profiles.asOf - state.lastSeen[j]! > withinDays * PROFILE_DAY_MS)
      return -1;
    if (c.top !== undefined) {
      const f = facetOf![t]!;
      const s = scores.data[j]!;
      let better = 0;
      for (let i = scores.indptr[u]!; i < scores.indptr[u + 1]!; i++) {
        const other = scores.indices[i]!;
        if (i === j || facetOf![other] !== f) continue;
        const so = scores.data[i]!;
        if (so > s || (so === s && other < t)) better++;
      }
      if (better >= c.top) return -1;
    }
    return j;
  };
  return {
    test: (u) => entry(u) >= 0,
    collect: (u, into) => {
      const j = entry(u);
      if (j >= 0 && !into.tags.has(j)) into.tags.set(j, portraitTagAt(profiles, j));
    },
  };
}

function compileDerived(
  where: string,
  profiles: TagProfiles,
  c: AudienceDerivedCondition,
  at: string,
): Compiled {
  for (const key of Object.keys(c)) {
    if (key !== "derived" && key !== "is")
      throw new RecokitError("INVALID_INPUT", where, `${at}: unknown field ${JSON.stringify(key)}`);
  }
  const col = profiles.derived.find((d) => d.name === c.derived);
  if (col === undefined)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${at}: unknown derived tag ${describeValue(c.derived)} (known: ${profiles.derived.map((d) => d.name).join(", ")})`,
    );
  const wanted = typeof c.is === "string" ? [c.is] : c.is;
  if (!Array.isArray(wanted) || wanted.length === 0 || !wanted.every((v) => typeof v === "string"))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${at}.is must be a string or a non-empty array of strings`,
    );
  // a value no user has is allowed: it matches nobody
  const codes = new Set(wanted.map((v) => col.values.indexOf(v)).filter((x) => x >= 0));
  return {
    test: (u) => codes.has(col.codes[u]!),
    collect: (u, into) => {
      into.derived[col.name] = col.values[col.codes[u]!]!;
    },
  };
}

function compileMetric(
  where: string,
  profiles: TagProfiles,
  c: AudienceMetricCondition,
  at: string,
): Compiled {
  for (const key of Object.keys(c)) {
    if (!METRIC_KEYS.has(key))
      throw new RecokitError("INVALID_INPUT", where, `${at}: unknown field ${JSON.stringify(key)}`);
  }
  if (!USER_METRIC_NAMES.includes(c.metric))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `${at}: unknown metric ${describeValue(c.metric)} (known: ${USER_METRIC_NAMES.join(", ")})`,
    );
  const { metric, ...bounds } = c;
  const range = checkRange(where, at, bounds);
  const col = profiles.metrics[metric];
  const events = profiles.metrics.events;
  let sorted: number[] | undefined;
  const q = (p: number): number => {
    if (sorted === undefined) {
      sorted = [];
      for (let u = 0; u < col.length; u++)
        if (events[u]! > 0 && Number.isFinite(col[u]!)) sorted.push(col[u]!);
      sorted.sort((a, b) => a - b);
    }
    return sorted.length === 0 ? Number.NaN : quantileSorted(sorted, p);
  };
  const lo = range.min ?? (range.minQuantile !== undefined ? q(range.minQuantile) : Number.NEGATIVE_INFINITY);
  const hi = range.max ?? (range.maxQuantile !== undefined ? q(range.maxQuantile) : Number.POSITIVE_INFINITY);
  const test = (u: number): boolean => {
    const x = col[u]!;
    return x >= lo && x < hi;
  };
  return {
    test,
    collect: (u, into) => {
      into.metrics[metric] = col[u]!;
    },
  };
}

/**
 * Selects the users whose profiles satisfy a query — tag conditions (weight, score, confidence,
 * event-count, recency and top-N thresholds), derived-tag values and metric ranges, combined with
 * `all` / `any` / `not` — and returns them with the evidence that put them there (the tags, derived
 * values and metrics of the conditions that held, outside any `not`). Optionally ranks members by
 * their score of one tag (core `topK`) and keeps the best `limit`.
 * O(users · query size · log tags per user).
 *
 * @param profiles - the profiles
 * @param query - the condition tree (plain data, JSON-friendly)
 * @param options - evidence, ranking, limit
 * @returns member ids, rows and evidence
 * @throws RecokitError `INVALID_INPUT` for a malformed query, an unknown tag, derived tag, metric or
 * event type (a derived value nobody has is allowed and matches nobody).
 * @example
 * ```ts
 * import { buildProfiles, selectAudience } from "recokit";
 * const t = Date.UTC(2024, 0, 1);
 * const profiles = buildProfiles(
 *   [
 *     { user: "ann", item: "tent", type: "purchase", timestamp: t },
 *     { user: "bob", item: "tee", type: "view", timestamp: t },
 *   ],
 *   { items: [{ id: "tent", category: "outdoor" }, { id: "tee", category: "fashion" }] },
 * );
 * const a = selectAudience(profiles, {
 *   all: [{ tag: "category:outdoor", minScore: 0.5 }, { not: { derived: "lifecycle", is: "lost" } }],
 * });
 * a.users;                         // ["ann"]
 * a.evidence[0]?.tags[0]?.counts;  // { purchase: 1 }
 * ```
 */
export function selectAudience(
  profiles: TagProfiles,
  query: AudienceCondition,
  options: SelectAudienceOptions = {},
): Audience {
  const where = "selectAudience";
  checkProfilesShape(where, profiles);
  const compiled = compile(where, profiles, query, "query");
  const withEvidence = options.evidence ?? true;
  if (typeof withEvidence !== "boolean")
    throw new RecokitError("INVALID_INPUT", where, "evidence must be a boolean");
  if (options.limit !== undefined) assertInteger(where, "limit", options.limit, 0);
  const nUsers = profiles.users.size;
  const members: number[] = [];
  for (let u = 0; u < nUsers; u++) if (compiled.test(u)) members.push(u);
  let chosen = members;
  if (options.rankBy !== undefined) {
    const t = profiles.tags.indexOf(String(options.rankBy), "minus-one");
    if (typeof options.rankBy !== "string" || t < 0)
      throw new RecokitError("INVALID_INPUT", where, `rankBy: unknown tag ${describeValue(options.rankBy)}`);
    const s = new Float64Array(members.length);
    for (let i = 0; i < members.length; i++) {
      const j = findInRow(profiles.scores, members[i]!, t);
      s[i] = j < 0 ? 0 : profiles.scores.data[j]!;
    }
    const ranked = topK(s, Math.min(options.limit ?? members.length, members.length));
    chosen = Array.from(ranked.ids, (i) => members[i]!);
  } else if (options.limit !== undefined) chosen = members.slice(0, options.limit);
  const evidence: AudienceEvidence[] = [];
  if (withEvidence) {
    for (const u of chosen) {
      const into: EvidenceBuilder = { tags: new Map(), derived: {}, metrics: {} };
      compiled.collect(u, into);
      evidence.push({
        user: profiles.users.idAt(u),
        tags: [...into.tags.values()],
        derived: into.derived,
        metrics: into.metrics,
      });
    }
  }
  return {
    users: chosen.map((u) => profiles.users.idAt(u)),
    indices: Int32Array.from(chosen),
    evidence,
    matched: members.length,
    populationSize: nUsers,
  };
}

/** One row of a lift table: how common a tag (or derived value) is in an audience and in the population. */
export interface AudienceLiftRow {
  /** `"facet:value"` for tags, `"name=value"` for derived tags. */
  readonly tag: string;
  readonly kind: "tag" | "derived";
  /** Facet (tags) or derived-tag name. */
  readonly facet: string;
  readonly value: string;
  /** Audience members having it, and their share of the audience. */
  readonly audienceUsers: number;
  readonly audienceShare: number;
  /** Population users having it, and their share. */
  readonly populationUsers: number;
  readonly populationShare: number;
  /** `audienceShare / populationShare`. */
  readonly lift: number;
  /** Mean score over the audience and over the population (users without the tag count 0; derived: the shares). */
  readonly audienceMeanScore: number;
  readonly populationMeanScore: number;
  /** Two-proportion z statistic, audience against the rest of the population (0 when undefined). */
  readonly z: number;
  /** Two-sided p-value of `z` (normal approximation; 1 when undefined). */
  readonly pValue: number;
}

/** The result of {@link audienceLift}. */
export interface AudienceLift {
  readonly audienceSize: number;
  readonly populationSize: number;
  /** Rows by lift, highest first (ties: more audience users first, then by tag). */
  readonly rows: readonly AudienceLiftRow[];
}

/** Options of {@link audienceLift}. */
export interface AudienceLiftOptions {
  /** The baseline (default: every user of the profiles); must contain the audience. */
  readonly population?: Audience | readonly Id[];
  /** A user has a tag when its score exceeds this (default 0). */
  readonly minScore?: number;
  /** Leave out rows with fewer audience users (default 1). */
  readonly minAudienceUsers?: number;
  /** Only tags of these facets (default: all). */
  readonly facets?: readonly string[];
  /** Include derived tag values (default true). */
  readonly derived?: boolean;
  /** Keep the first `limit` rows. */
  readonly limit?: number;
}

function rowsOf(
  where: string,
  profiles: TagProfiles,
  group: Audience | readonly Id[],
  name: string,
): Int32Array {
  if (Array.isArray(group)) {
    const rows = new Int32Array(group.length);
    for (let i = 0; i < group.length; i++) rows[i] = userRow(where, profiles, group[i] as Id);
    return rows;
  }
  const a = group as Audience;
  if (a === null || typeof a !== "object" || !(a.indices instanceof Int32Array))
    throw new RecokitError("INVALID_INPUT", where, `${name} must be an audience or an array of user ids`);
  for (const u of a.indices) {
    if (!(u >= 0 && u < profiles.users.size))
      throw new RecokitError("INVALID_INPUT", where, `${name}: row ${u} is not a user of these profiles`);
  }
  return a.indices;
}

/**
 * The tag distribution of an audience against the population: for every tag (and derived value),
 * the share of audience members having it, the share of the population having it, the lift
 * `audienceShare / populationShare`, the mean scores, and a two-proportion z-test of the audience
 * against the rest of the population (`z = (p₁ − p₂) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))`, two-sided p-value
 * from simple-statistics `cumulativeStdNormalProbability`). O(nnz of the population + users · derived).
 *
 * @param profiles - the profiles
 * @param audience - an {@link Audience} or a list of user ids
 * @param options - baseline population, presence threshold, filters
 * @returns sizes and rows by lift, highest first
 * @throws RecokitError `INVALID_INPUT` for an empty audience or population, an audience member outside
 * the population, or bad options; `UNKNOWN_USER` for an unknown user id.
 * @example
 * ```ts
 * import { audienceLift, buildProfiles, selectAudience } from "recokit";
 * const t = Date.UTC(2024, 0, 1);
 * const items = [{ id: "tent", category: "outdoor" }, { id: "tee", category: "fashion" }];
 * const profiles = buildProfiles(
 *   [
 *     { user: "ann", item: "tent", type: "view", timestamp: t },
 *     { user: "bob", item: "tee", type: "view", timestamp: t },
 *   ],
 *   { items },
 * );
 * const lift = audienceLift(profiles, selectAudience(profiles, { tag: "category:outdoor" }), { derived: false });
 * lift.rows[0]; // { tag: "category:outdoor", audienceShare: 1, populationShare: 0.5, lift: 2, … }
 * ```
 */
export function audienceLift(
  profiles: TagProfiles,
  audience: Audience | readonly Id[],
  options: AudienceLiftOptions = {},
): AudienceLift {
  const where = "audienceLift";
  checkProfilesShape(where, profiles);
  const nUsers = profiles.users.size;
  const minScore = options.minScore ?? 0;
  assertFinite(where, "minScore", minScore);
  const minAudienceUsers = options.minAudienceUsers ?? 1;
  assertInteger(where, "minAudienceUsers", minAudienceUsers, 0);
  if (options.limit !== undefined) assertInteger(where, "limit", options.limit, 0);
  const withDerived = options.derived ?? true;
  const facetFilter = options.facets === undefined ? undefined : new Set(options.facets);

  const inPopulation = new Uint8Array(nUsers);
  if (options.population === undefined) inPopulation.fill(1);
  else for (const u of rowsOf(where, profiles, options.population, "population")) inPopulation[u] = 1;
  const inAudience = new Uint8Array(nUsers);
  for (const u of rowsOf(where, profiles, audience, "audience")) {
    if (inPopulation[u] !== 1)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `audience member ${describeValue(profiles.users.idAt(u))} is not in the population`,
      );
    inAudience[u] = 1;
  }
  let A = 0;
  let P = 0;
  for (let u = 0; u < nUsers; u++) {
    A += inAudience[u]!;
    P += inPopulation[u]!;
  }
  if (A === 0) throw new RecokitError("INVALID_INPUT", where, "the audience is empty");

  const m = profiles.scores;
  const nTags = m.nCols;
  const audCount = new Int32Array(nTags);
  const popCount = new Int32Array(nTags);
  const audScore = new Float64Array(nTags);
  const popScore = new Float64Array(nTags);
  for (let u = 0; u < nUsers; u++) {
    if (inPopulation[u] !== 1) continue;
    const aud = inAudience[u] === 1;
    for (let j = m.indptr[u]!; j < m.indptr[u + 1]!; j++) {
      const s = m.data[j]!;
      if (!(s > minScore)) continue;
      const t = m.indices[j]!;
      popCount[t]!++;
      popScore[t]! += s;
      if (aud) {
        audCount[t]!++;
        audScore[t]! += s;
      }
    }
  }
  const rows: AudienceLiftRow[] = [];
  const push = (
    tag: string,
    kind: "tag" | "derived",
    facet: string,
    value: string,
    a: number,
    p: number,
    aScore: number,
    pScore: number,
  ): void => {
    if (a < minAudienceUsers || p === 0) return;
    const audienceShare = a / A;
    const populationShare = p / P;
    const [z, pValue] = twoProportionZ(a, A, p - a, P - A);
    rows.push({
      tag,
      kind,
      facet,
      value,
      audienceUsers: a,
      audienceShare,
      populationUsers: p,
      populationShare,
      lift: audienceShare / populationShare,
      audienceMeanScore: aScore / A,
      populationMeanScore: pScore / P,
      z,
      pValue,
    });
  };
  for (let t = 0; t < nTags; t++) {
    const tag = String(profiles.tags.idAt(t));
    const { facet, value } = parseProfileTag(tag);
    if (facetFilter !== undefined && !facetFilter.has(facet)) continue;
    push(tag, "tag", facet, value, audCount[t]!, popCount[t]!, audScore[t]!, popScore[t]!);
  }
  if (withDerived) {
    for (const col of profiles.derived) {
      const a = new Int32Array(col.values.length);
      const p = new Int32Array(col.values.length);
      for (let u = 0; u < nUsers; u++) {
        const code = col.codes[u]!;
        if (code < 0 || inPopulation[u] !== 1) continue;
        p[code]!++;
        if (inAudience[u] === 1) a[code]!++;
      }
      for (let code = 0; code < col.values.length; code++) {
        const v = col.values[code]!;
        push(`${col.name}=${v}`, "derived", col.name, v, a[code]!, p[code]!, a[code]!, p[code]!);
      }
    }
  }
  rows.sort(
    (x, y) =>
      y.lift - x.lift || y.audienceUsers - x.audienceUsers || (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0),
  );
  return {
    audienceSize: A,
    populationSize: P,
    rows: options.limit === undefined ? rows : rows.slice(0, options.limit),
  };
}

/** Pooled two-proportion z-test of x₁/n₁ against x₂/n₂: [z, two-sided p]; [0, 1] when undefined. */
function twoProportionZ(x1: number, n1: number, x2: number, n2: number): [number, number] {
  if (n1 === 0 || n2 === 0) return [0, 1];
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return [0, 1];
  const z = (x1 / n1 - x2 / n2) / se;
  const p = 2 * (1 - cumulativeStdNormalProbability(Math.abs(z)));
  return [z, Math.min(1, Math.max(0, p))];
}
