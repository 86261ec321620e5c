import { tokenizerConfigOf } from "../content/tokenize.js";
import { assertFinite, RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";
import type {
  BuildProfilesOptions,
  DerivedTagRule,
  DerivedTagSpec,
  MetricRange,
  ProfileConfig,
  ProfileDecay,
  ProfileUser,
  UserMetricName,
} from "./types.js";

/** One day in milliseconds. */
export const PROFILE_DAY_MS = 86_400_000;

/**
 * Default event-type weights: view 1, search 1, cart 3, favourite 4, purchase 5 (a common
 * implicit-feedback scale: the costlier the action, the stronger the signal).
 */
export const DEFAULT_PROFILE_TYPE_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({
  view: 1,
  search: 1,
  cart: 3,
  favourite: 4,
  purchase: 5,
});

/** User fields passed through as derived tags by default. */
export const DEFAULT_USER_ATTRIBUTES: readonly string[] = Object.freeze([
  "ageBand",
  "gender",
  "country",
  "region",
  "language",
]);

/**
 * The default rule-based derived tags (copy and edit freely):
 * - `activity`: `high` for the top 20 % of users by decayed event count, `medium` for the next 40 %,
 *   `low` otherwise;
 * - `lifecycle`: `new` (first seen under 30 days ago), `active` (seen in the last 30 days), `lapsing`
 *   (last seen 30–90 days ago), `lost` (longer);
 * - `priceSensitivity`: `price-sensitive` (half or more of the purchases discounted, or paid prices
 *   in the cheapest 35 % of their category on average), `premium` (in the dearest 35 %), `mid-range`;
 * - `categoryLoyalty` / `brandLoyalty`: with 3 or more purchases, `loyal` when the Herfindahl index of
 *   the purchases over categories (brands) is at least 0.5, `explorer` otherwise.
 */
export const DEFAULT_DERIVED_TAGS: readonly DerivedTagSpec[] = Object.freeze([
  {
    name: "activity",
    description: "Decayed event count against the population: top 20 %, next 40 %, rest.",
    rules: [
      { value: "high", when: { activity: { minQuantile: 0.8 } } },
      { value: "medium", when: { activity: { minQuantile: 0.4 } } },
      { value: "low" },
    ],
  },
  {
    name: "lifecycle",
    description: "Stage by tenure and recency.",
    rules: [
      { value: "new", when: { tenureDays: { max: 30 } } },
      { value: "active", when: { recencyDays: { max: 30 } } },
      { value: "lapsing", when: { recencyDays: { max: 90 } } },
      { value: "lost" },
    ],
  },
  {
    name: "priceSensitivity",
    description:
      "Paid prices against the category's catalogue prices, and the share of discounted purchases.",
    rules: [
      { value: "price-sensitive", when: { discountShare: { min: 0.5 } } },
      { value: "price-sensitive", when: { pricePercentile: { max: 0.35 } } },
      { value: "premium", when: { pricePercentile: { min: 0.65 } } },
      { value: "mid-range", when: { pricePercentile: { min: 0 } } },
    ],
  },
  {
    name: "categoryLoyalty",
    description: "Concentration (Herfindahl index) of the purchases over categories.",
    rules: [
      { value: "loyal", when: { purchases: { min: 3 }, categoryConcentration: { min: 0.5 } } },
      { value: "explorer", when: { purchases: { min: 3 } } },
    ],
  },
  {
    name: "brandLoyalty",
    description: "Concentration (Herfindahl index) of the purchases over brands.",
    rules: [
      { value: "loyal", when: { purchases: { min: 3 }, brandConcentration: { min: 0.5 } } },
      { value: "explorer", when: { purchases: { min: 3 } } },
    ],
  },
] satisfies DerivedTagSpec[]);

/** Every metric name, in a fixed order. */
export const USER_METRIC_NAMES: readonly UserMetricName[] = Object.freeze([
  "events",
  "purchases",
  "activity",
  "recencyDays",
  "tenureDays",
  "eventsPerWeek",
  "pricePercentile",
  "discountShare",
  "categoryConcentration",
  "brandConcentration",
]);

/** Names of the derived tags the library computes itself (not from rules). */
export const BUILT_IN_DERIVED_NAMES: readonly string[] = Object.freeze([
  "activeHour",
  "activeDaypart",
  "activeWeekday",
  "channel",
  "rfmSegment",
]);

const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const DEFAULT_MATCH_FACETS = ["category", "path", "brand", "tag"];

/** Validates and completes the options of a build. @internal */
export function resolveConfig<U extends ProfileUser>(
  where: string,
  options: BuildProfilesOptions<unknown, unknown, U>,
): ProfileConfig {
  if (options === null || typeof options !== "object")
    throw new RecokitError("INVALID_INPUT", where, "options must be an object");
  const typeWeights = resolveTypeWeights(where, options.typeWeights ?? DEFAULT_PROFILE_TYPE_WEIGHTS);
  const purchaseTypes = resolvePurchaseTypes(where, options.purchaseTypes, typeWeights);
  const values = options.values ?? "ignore";
  if (values !== "ignore" && values !== "multiply")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `values must be "ignore" or "multiply", got ${describeValue(values)}`,
    );
  const decay = resolveDecay(where, options.decay ?? { kind: "exponential", halfLifeDays: 30 });
  const priceBands = resolveNames(where, "priceBands", options.priceBands ?? ["low", "mid", "high"], false);
  const search = options.search ?? {};
  const matchFacets = resolveNames(
    where,
    "search.matchFacets",
    search.matchFacets ?? DEFAULT_MATCH_FACETS,
    true,
  );
  const keywords = search.keywords ?? true;
  if (typeof keywords !== "boolean")
    throw new RecokitError("INVALID_INPUT", where, "search.keywords must be a boolean");
  const tokenizer = tokenizerConfigOf(where, search.tokenizer);
  const userAttributes = resolveNames(
    where,
    "userAttributes",
    options.userAttributes ?? DEFAULT_USER_ATTRIBUTES,
    true,
  );
  const normalize = options.normalize ?? "share";
  if (!["none", "share", "facet-share", "l2"].includes(normalize))
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `normalize must be "none", "share", "facet-share" or "l2", got ${describeValue(normalize)}`,
    );
  const population = options.population ?? "none";
  if (population !== "none" && population !== "idf")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `population must be "none" or "idf", got ${describeValue(population)}`,
    );
  const confidencePrior = options.confidencePrior ?? 3;
  assertFinite(where, "confidencePrior", confidencePrior, 0);
  const timeTags = options.timeTags ?? true;
  if (typeof timeTags !== "boolean")
    throw new RecokitError("INVALID_INPUT", where, "timeTags must be a boolean");
  const utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
  assertFinite(where, "utcOffsetMinutes", utcOffsetMinutes, -24 * 60, 24 * 60);
  const derivedTags = resolveDerivedSpecs(where, options.derivedTags ?? DEFAULT_DERIVED_TAGS, userAttributes);
  return {
    typeWeights,
    purchaseTypes,
    values,
    decay,
    priceBands,
    matchFacets,
    keywords,
    tokenizer,
    userAttributes,
    normalize: normalize as ProfileConfig["normalize"],
    population,
    confidencePrior,
    derivedTags,
    timeTags,
    utcOffsetMinutes,
  };
}

function resolveTypeWeights(where: string, weights: unknown): Readonly<Record<string, number>> {
  if (weights === null || typeof weights !== "object" || Array.isArray(weights))
    throw new RecokitError("INVALID_INPUT", where, "typeWeights must be an object of type → weight");
  const out: Record<string, number> = {};
  const entries = Object.entries(weights as Record<string, unknown>);
  if (entries.length === 0)
    throw new RecokitError("INVALID_INPUT", where, "typeWeights must name at least one type");
  if (entries.length > 127)
    throw new RecokitError("INVALID_INPUT", where, "typeWeights may name at most 127 types");
  for (const [type, w] of entries) {
    assertFinite(where, `typeWeights.${type}`, w, 0);
    out[type] = w;
  }
  return out;
}

function resolvePurchaseTypes(
  where: string,
  given: readonly string[] | undefined,
  typeWeights: Readonly<Record<string, number>>,
): readonly string[] {
  if (given === undefined) return Object.hasOwn(typeWeights, "purchase") ? ["purchase"] : [];
  if (!Array.isArray(given)) throw new RecokitError("INVALID_INPUT", where, "purchaseTypes must be an array");
  for (const t of given) {
    if (typeof t !== "string" || !Object.hasOwn(typeWeights, t))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `purchaseTypes: ${describeValue(t)} is not a type of typeWeights`,
      );
  }
  return [...new Set(given)];
}

function resolveDecay(where: string, decay: ProfileDecay): ProfileDecay {
  if (decay === null || typeof decay !== "object")
    throw new RecokitError("INVALID_INPUT", where, "decay must be an object with a kind");
  switch (decay.kind) {
    case "exponential":
      assertFinite(where, "decay.halfLifeDays", decay.halfLifeDays, Number.MIN_VALUE);
      return { kind: "exponential", halfLifeDays: decay.halfLifeDays };
    case "window":
      assertFinite(where, "decay.days", decay.days, Number.MIN_VALUE);
      return { kind: "window", days: decay.days };
    case "none":
      return { kind: "none" };
    default:
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `decay.kind must be "exponential", "window" or "none", got ${describeValue((decay as { kind: unknown }).kind)}`,
      );
  }
}

function resolveNames(
  where: string,
  field: string,
  names: unknown,
  needNonEmptyStrings: boolean,
): readonly string[] {
  if (!Array.isArray(names))
    throw new RecokitError("INVALID_INPUT", where, `${field} must be an array of strings`);
  const seen = new Set<string>();
  for (const [i, n] of names.entries()) {
    if (typeof n !== "string" || (needNonEmptyStrings && n.length === 0) || n.length === 0)
      throw new RecokitError("INVALID_INPUT", where, `${field}[${i}] must be a non-empty string`);
    if (seen.has(n))
      throw new RecokitError("INVALID_INPUT", where, `${field}[${i}]: ${JSON.stringify(n)} is repeated`);
    seen.add(n);
  }
  return [...names] as string[];
}

function resolveDerivedSpecs(
  where: string,
  specs: readonly DerivedTagSpec[],
  attributes: readonly string[],
): readonly DerivedTagSpec[] {
  if (!Array.isArray(specs)) throw new RecokitError("INVALID_INPUT", where, "derivedTags must be an array");
  const taken = new Set<string>(BUILT_IN_DERIVED_NAMES);
  for (const a of attributes) {
    if (!NAME.test(a))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `userAttributes: ${JSON.stringify(a)} must start with a letter and hold only letters, digits, "_", "." or "-"`,
      );
    if (taken.has(a))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `userAttributes: ${JSON.stringify(a)} is a built-in derived tag name`,
      );
    taken.add(a);
  }
  return specs.map((spec, s) => {
    const at = `derivedTags[${s}]`;
    if (spec === null || typeof spec !== "object")
      throw new RecokitError("INVALID_INPUT", where, `${at} must be an object`);
    if (typeof spec.name !== "string" || !NAME.test(spec.name))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}.name ${describeValue(spec.name)} must start with a letter and hold only letters, digits, "_", "." or "-"`,
      );
    if (taken.has(spec.name))
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `${at}.name ${JSON.stringify(spec.name)} is already used`,
      );
    taken.add(spec.name);
    if (!Array.isArray(spec.rules) || spec.rules.length === 0)
      throw new RecokitError("INVALID_INPUT", where, `${at}.rules must be a non-empty array`);
    const rules = (spec.rules as readonly DerivedTagRule[]).map(
      (rule: DerivedTagRule, r: number): DerivedTagRule => {
        const ra = `${at}.rules[${r}]`;
        if (
          rule === null ||
          typeof rule !== "object" ||
          typeof rule.value !== "string" ||
          rule.value.length === 0
        )
          throw new RecokitError("INVALID_INPUT", where, `${ra}.value must be a non-empty string`);
        if (rule.when === undefined) return { value: rule.value };
        if (rule.when === null || typeof rule.when !== "object")
          throw new RecokitError("INVALID_INPUT", where, `${ra}.when must be an object of metric ranges`);
        const when: Partial<Record<UserMetricName, MetricRange>> = {};
        for (const [metric, range] of Object.entries(rule.when)) {
          if (!USER_METRIC_NAMES.includes(metric as UserMetricName))
            throw new RecokitError(
              "INVALID_INPUT",
              where,
              `${ra}.when: unknown metric ${JSON.stringify(metric)} (known: ${USER_METRIC_NAMES.join(", ")})`,
            );
          when[metric as UserMetricName] = checkRange(where, `${ra}.when.${metric}`, range);
        }
        return { value: rule.value, when };
      },
    );
    return spec.description === undefined
      ? { name: spec.name, rules }
      : { name: spec.name, rules, description: String(spec.description) };
  });
}

/** Validates a metric range: finite bounds, quantiles in [0, 1], min ≤ max. @internal */
export function checkRange(where: string, at: string, range: unknown): MetricRange {
  if (range === null || typeof range !== "object")
    throw new RecokitError("INVALID_INPUT", where, `${at} must be an object like { min, max }`);
  const r = range as MetricRange;
  const out: { min?: number; max?: number; minQuantile?: number; maxQuantile?: number } = {};
  for (const key of Object.keys(r)) {
    if (key !== "min" && key !== "max" && key !== "minQuantile" && key !== "maxQuantile")
      throw new RecokitError("INVALID_INPUT", where, `${at}: unknown bound ${JSON.stringify(key)}`);
  }
  if (r.min !== undefined) assertFinite(where, `${at}.min`, r.min);
  if (r.max !== undefined) assertFinite(where, `${at}.max`, r.max);
  if (r.minQuantile !== undefined) assertFinite(where, `${at}.minQuantile`, r.minQuantile, 0, 1);
  if (r.maxQuantile !== undefined) assertFinite(where, `${at}.maxQuantile`, r.maxQuantile, 0, 1);
  if (r.min !== undefined && r.minQuantile !== undefined)
    throw new RecokitError("INVALID_INPUT", where, `${at}: give min or minQuantile, not both`);
  if (r.max !== undefined && r.maxQuantile !== undefined)
    throw new RecokitError("INVALID_INPUT", where, `${at}: give max or maxQuantile, not both`);
  if (r.min !== undefined && r.max !== undefined && r.min > r.max)
    throw new RecokitError("INVALID_INPUT", where, `${at}: min ${r.min} exceeds max ${r.max}`);
  if (r.minQuantile !== undefined && r.maxQuantile !== undefined && r.minQuantile > r.maxQuantile)
    throw new RecokitError("INVALID_INPUT", where, `${at}: minQuantile exceeds maxQuantile`);
  if (r.min !== undefined) out.min = r.min;
  if (r.max !== undefined) out.max = r.max;
  if (r.minQuantile !== undefined) out.minQuantile = r.minQuantile;
  if (r.maxQuantile !== undefined) out.maxQuantile = r.maxQuantile;
  return out;
}

/**
 * A decay as plain numbers for hot loops: `kind` 0 exponential (`span` = half-life in ms), 1 window
 * (`span` = its length in ms), 2 none. @internal
 */
export interface DecayParams {
  readonly kind: 0 | 1 | 2;
  readonly span: number;
}

/** The {@link DecayParams} of a decay. @internal */
export function decayParams(decay: ProfileDecay): DecayParams {
  switch (decay.kind) {
    case "exponential":
      return { kind: 0, span: decay.halfLifeDays * PROFILE_DAY_MS };
    case "window":
      return { kind: 1, span: decay.days * PROFILE_DAY_MS };
    case "none":
      return { kind: 2, span: 0 };
    default:
      throw new RecokitError("INTERNAL", "decayParams", "unknown decay kind");
  }
}

/**
 * The multiplier of an event of age `ageMs` under a decay ({@link decayParams}): `2^(−age/halfLife)`
 * (exponential), `1` within the window and `0` beyond it, or `1` (none). Ages below 0 count as 0.
 * A small function of numbers, so hot loops inline it. @internal
 */
export function decayFactor(kind: number, span: number, ageMs: number): number {
  if (kind === 0) return ageMs <= 0 ? 1 : 2 ** (-ageMs / span);
  if (kind === 1) return ageMs <= span ? 1 : 0;
  return 1;
}

/** {@link decayFactor} of one decay, as a function of the age. @internal */
export function decayFactorFn(decay: ProfileDecay): (ageMs: number) => number {
  const { kind, span } = decayParams(decay);
  return (ageMs) => decayFactor(kind, span, ageMs);
}

/** Reads an `asOf`-like option as epoch ms. @internal */
export function readTime(where: string, name: string, value: number | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : value;
  assertFinite(where, name, t);
  return t;
}
