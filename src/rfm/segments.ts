import { RecokitError } from "../core/errors.js";
import type { RfmScores } from "./scores.js";

/** An inclusive range of score levels, `[min, max]`. */
export type ScoreRange = readonly [number, number];

/**
 * One rule of a segment map: a customer belongs to the segment when each given score lies in its
 * range (an omitted dimension matches any score). Rules are tried in order; the first match wins.
 */
export interface SegmentRule {
  readonly name: string;
  readonly r?: ScoreRange;
  readonly f?: ScoreRange;
  readonly m?: ScoreRange;
  /** Suggested marketing action. */
  readonly action: string;
  /** Who the segment's customers are. */
  readonly description?: string;
}

/** An ordered list of segment rules (first match wins), for scores of 1 … 5 unless stated. */
export type SegmentMap = readonly SegmentRule[];

/** A named group of customers (a segment or a cluster). */
export interface CustomerGroup {
  readonly name: string;
  readonly action?: string;
  readonly description?: string;
}

/**
 * Customers assigned to groups: `groupOf[i]` indexes `groups` for row `i` of the RFM table. Both
 * segmentations and clusterings have this shape, so {@link summarizeSegments} profiles either.
 */
export interface CustomerGrouping {
  readonly groups: readonly CustomerGroup[];
  readonly groupOf: Int32Array;
}

/** The result of {@link segmentRfm}. */
export interface RfmSegmentation extends CustomerGrouping {
  /** Segment name per customer (the table's row order). */
  readonly labels: readonly string[];
}

/**
 * The 11-segment R/F/M map, after the widely used segment table (Champions … Lost) with the same
 * score ranges, ordered so that every segment can be reached under first-match-wins: Can't Lose
 * Them before At Risk, New Customers and Promising before Potential Loyalist, Need Attention and
 * About To Sleep before Hibernating. The table's Lost (R ≤ 2, F ≤ 2, M ≤ 2) equals its Hibernating,
 * so Lost is narrowed to the lowest cell (111) and comes first. Customers matching no rule
 * (e.g. a recent single big order, 515) are "Others". Scores 1 … 5; copy and edit freely.
 */
export const RFM_SEGMENTS: SegmentMap = [
  {
    name: "Champions",
    r: [4, 5],
    f: [4, 5],
    m: [4, 5],
    description: "Bought recently, buy often and spend the most.",
    action: "Reward: early access, loyalty perks, ask for reviews and referrals; no discount needed.",
  },
  {
    name: "Loyal Customers",
    r: [2, 5],
    f: [3, 5],
    m: [3, 5],
    description: "Spend good money and buy regularly.",
    action: "Upsell higher-value products; invite to the loyalty programme.",
  },
  {
    name: "Can't Lose Them",
    r: [1, 1],
    f: [4, 5],
    m: [4, 5],
    description: "Made big, frequent purchases, but long ago.",
    action: "Win back with personal outreach and a strong offer; ask what went wrong.",
  },
  {
    name: "New Customers",
    r: [4, 5],
    f: [1, 1],
    m: [1, 1],
    description: "Bought very recently, once, for a small amount.",
    action: "Onboard: welcome series and a first-repeat incentive.",
  },
  {
    name: "Promising",
    r: [3, 4],
    f: [1, 1],
    m: [1, 1],
    description: "Recent shoppers who have not spent much yet.",
    action: "Build the relationship: brand story, free-shipping threshold, bestsellers.",
  },
  {
    name: "Potential Loyalist",
    r: [3, 5],
    f: [1, 3],
    m: [1, 3],
    description: "Recent customers with average frequency and spend.",
    action: "Offer membership or a loyalty programme; recommend related products.",
  },
  {
    name: "Need Attention",
    r: [2, 3],
    f: [2, 3],
    m: [2, 3],
    description: "Average recency, frequency and spend, starting to slip.",
    action: "Limited-time offer based on past purchases; reactivate before they lapse.",
  },
  {
    name: "At Risk",
    r: [1, 2],
    f: [2, 5],
    m: [2, 5],
    description: "Bought often and spent well, but a long time ago.",
    action: "Win-back coupon and personalised emails; renewal offers.",
  },
  {
    name: "About To Sleep",
    r: [2, 3],
    f: [1, 2],
    m: [1, 2],
    description: "Below-average recency, frequency and spend.",
    action: "Reactivation: popular products and a discount before they are lost.",
  },
  {
    name: "Lost",
    r: [1, 1],
    f: [1, 1],
    m: [1, 1],
    description: "Lowest recency, frequency and spend.",
    action: "Low-cost reactivation campaign at most; otherwise leave out of paid campaigns.",
  },
  {
    name: "Hibernating",
    r: [1, 2],
    f: [1, 2],
    m: [1, 2],
    description: "Last bought long ago, few orders, low spend.",
    action: "Reactivation: relevant offers on popular products, special discounts.",
  },
];

/**
 * The 10-segment R × F grid (the monetary score is ignored), covering all 25 cells once:
 * R 1–2 × F 1–2 Hibernating, F 3–4 At Risk, F 5 Can't Lose Them; R 3 × F 1–2 About To Sleep,
 * F 3 Need Attention; R 3–4 × F 4–5 Loyal Customers; R 4 × F 1 Promising; R 5 × F 1 New Customers;
 * R 4–5 × F 2–3 Potential Loyalist; R 5 × F 4–5 Champions. Scores 1 … 5; copy and edit freely.
 */
export const RF_GRID_SEGMENTS: SegmentMap = [
  {
    name: "Champions",
    r: [5, 5],
    f: [4, 5],
    description: "Bought most recently and most often.",
    action: "Reward: early access, loyalty perks, ask for reviews and referrals.",
  },
  {
    name: "Loyal Customers",
    r: [3, 4],
    f: [4, 5],
    description: "Buy often; bought fairly recently.",
    action: "Upsell higher-value products; loyalty programme.",
  },
  {
    name: "Potential Loyalist",
    r: [4, 5],
    f: [2, 3],
    description: "Recent customers with a few orders.",
    action: "Membership offer; recommend related products.",
  },
  {
    name: "New Customers",
    r: [5, 5],
    f: [1, 1],
    description: "Bought very recently, once.",
    action: "Onboard: welcome series and a first-repeat incentive.",
  },
  {
    name: "Promising",
    r: [4, 4],
    f: [1, 1],
    description: "Recent, one order.",
    action: "Build the relationship: brand story, bestsellers, free-shipping threshold.",
  },
  {
    name: "Need Attention",
    r: [3, 3],
    f: [3, 3],
    description: "Average recency and frequency.",
    action: "Limited-time offer based on past purchases.",
  },
  {
    name: "About To Sleep",
    r: [3, 3],
    f: [1, 2],
    description: "Below-average recency and frequency.",
    action: "Reactivation: popular products and a discount.",
  },
  {
    name: "Can't Lose Them",
    r: [1, 2],
    f: [5, 5],
    description: "Bought most often, but long ago.",
    action: "Win back with personal outreach and a strong offer.",
  },
  {
    name: "At Risk",
    r: [1, 2],
    f: [3, 4],
    description: "Bought often, but long ago.",
    action: "Win-back coupon and personalised emails.",
  },
  {
    name: "Hibernating",
    r: [1, 2],
    f: [1, 2],
    description: "Last bought long ago, few orders.",
    action: "Reactivation offers on popular products, or leave out of paid campaigns.",
  },
];

/** Options of {@link segmentRfm}. */
export interface SegmentRfmOptions {
  /** Ordered segment rules (default {@link RFM_SEGMENTS}). */
  readonly map?: SegmentMap;
  /** Name of the group of customers no rule matches (default `"Others"`). */
  readonly otherName?: string;
  /** Action suggested for that group (default: review them and extend the map). */
  readonly otherAction?: string;
}

const WHERE = "segmentRfm";

/**
 * Assigns every scored customer to the first segment rule its R, F and M scores match, or to
 * "Others" when none does. The map's rules are checked once and folded into a lookup table over
 * the bins³ score cells, so assignment is O(n + bins³ · rules).
 *
 * @param scores - the output of {@link scoreRfm}
 * @param options - the segment map (default {@link RFM_SEGMENTS}; {@link RF_GRID_SEGMENTS} is the
 * R × F grid) and the name and action of the catch-all group
 * @returns groups (the map's segments in order, then the catch-all), each customer's group index
 * and label
 * @throws RecokitError `INVALID_INPUT` for an empty or malformed map (a range outside 1 … bins, a
 * reversed range, a duplicate or empty name) or scores of the wrong shape.
 * @example
 * ```ts
 * import { RF_GRID_SEGMENTS, scoreRfm, segmentRfm } from "recokit";
 * const scores = scoreRfm({ recency: [1, 40, 400], frequency: [9, 3, 1], monetary: [900, 80, 5] }, { bins: 3 });
 * const map = [
 *   { name: "Best", r: [3, 3], f: [3, 3], action: "reward" },
 *   { name: "Gone", r: [1, 1], action: "win-back coupon" },
 * ] as const;
 * segmentRfm(scores, { map }).labels; // ["Best", "Others", "Gone"]
 * RF_GRID_SEGMENTS.length;             // 10 (for 5-level scores)
 * ```
 */
export function segmentRfm(scores: RfmScores, options: SegmentRfmOptions = {}): RfmSegmentation {
  const map = options.map ?? RFM_SEGMENTS;
  const otherName = options.otherName ?? "Others";
  const bins = scores?.bins;
  if (typeof bins !== "number" || !(scores.r instanceof Uint8Array))
    throw new RecokitError("INVALID_INPUT", WHERE, "scores must be the result of scoreRfm");
  checkMap(map, bins, otherName);
  const cells = cellLookup(map, bins);
  const n = scores.r.length;
  const groupOf = new Int32Array(n);
  const names = map.map((rule) => rule.name).concat(otherName);
  const labels = new Array<string>(n);
  const { r, f, m } = scores;
  for (let i = 0; i < n; i++) {
    const g = cells[(r[i]! - 1) * bins * bins + (f[i]! - 1) * bins + (m[i]! - 1)]!;
    groupOf[i] = g;
    labels[i] = names[g]!;
  }
  const groups: CustomerGroup[] = map.map((rule) => groupOfRule(rule));
  groups.push({
    name: otherName,
    action:
      options.otherAction ??
      "Review these customers; extend the segment map if they form a group worth targeting.",
    description: "Matches no rule of the segment map.",
  });
  return { groups, groupOf, labels };
}

function groupOfRule(rule: SegmentRule): CustomerGroup {
  return rule.description === undefined
    ? { name: rule.name, action: rule.action }
    : { name: rule.name, action: rule.action, description: rule.description };
}

/** Segment index of every (r, f, m) cell; `map.length` = no rule matched. */
function cellLookup(map: SegmentMap, bins: number): Int32Array {
  const cells = new Int32Array(bins * bins * bins);
  for (let r = 1; r <= bins; r++) {
    for (let f = 1; f <= bins; f++) {
      for (let m = 1; m <= bins; m++) {
        let g = 0;
        while (g < map.length && !matches(map[g]!, r, f, m)) g++;
        cells[(r - 1) * bins * bins + (f - 1) * bins + (m - 1)] = g;
      }
    }
  }
  return cells;
}

function inRange(range: ScoreRange | undefined, s: number): boolean {
  return range === undefined || (s >= range[0] && s <= range[1]);
}

function matches(rule: SegmentRule, r: number, f: number, m: number): boolean {
  return inRange(rule.r, r) && inRange(rule.f, f) && inRange(rule.m, m);
}

function checkMap(map: SegmentMap, bins: number, otherName: string): void {
  if (!Array.isArray(map) || map.length === 0)
    throw new RecokitError("INVALID_INPUT", WHERE, "map must be a non-empty array of segment rules");
  if (typeof otherName !== "string" || otherName.length === 0)
    throw new RecokitError("INVALID_INPUT", WHERE, "otherName must be a non-empty string");
  const seen = new Set<string>([otherName]);
  map.forEach((rule, g) => {
    if (rule === null || typeof rule !== "object")
      throw new RecokitError("INVALID_INPUT", WHERE, `map[${g}] is not a segment rule`);
    if (typeof rule.name !== "string" || rule.name.length === 0)
      throw new RecokitError("INVALID_INPUT", WHERE, `map[${g}].name must be a non-empty string`);
    if (seen.has(rule.name))
      throw new RecokitError(
        "INVALID_INPUT",
        WHERE,
        `map[${g}].name "${rule.name}" is used twice (or equals otherName)`,
      );
    seen.add(rule.name);
    if (typeof rule.action !== "string")
      throw new RecokitError("INVALID_INPUT", WHERE, `map[${g}].action must be a string`);
    for (const key of ["r", "f", "m"] as const) {
      const range = rule[key];
      if (range === undefined) continue;
      const [lo, hi] = Array.isArray(range) ? range : [];
      const ok =
        Number.isInteger(lo) &&
        Number.isInteger(hi) &&
        lo! >= 1 &&
        hi! <= bins &&
        lo! <= hi! &&
        range.length === 2;
      if (!ok)
        throw new RecokitError(
          "INVALID_INPUT",
          WHERE,
          `map[${g}] ("${rule.name}").${key} must be [min, max] with 1 ≤ min ≤ max ≤ ${bins} (the scores have ${bins} levels), got ${JSON.stringify(range)}`,
        );
    }
  });
}
