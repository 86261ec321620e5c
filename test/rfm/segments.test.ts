import { describe, expect, it } from "vitest";
import {
  RF_GRID_SEGMENTS,
  RFM_SEGMENTS,
  type RfmScores,
  rfmTable,
  type SegmentMap,
  scoreRfm,
  segmentRfm,
  summarizeSegments,
} from "../../src/rfm/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

/**
 * Scores equal to the given cells ("RFM" digits), through the public thresholds method: with cuts
 * 1.5 … 4.5 a value v ∈ 1 … 5 lands in bin v, and recency is reversed, so recency = 6 − R.
 */
function scoresOf(cells: readonly string[]): RfmScores {
  const digit = (c: string, k: number) => Number(c[k]);
  const cuts = [1.5, 2.5, 3.5, 4.5];
  return scoreRfm(
    {
      recency: cells.map((c) => 6 - digit(c, 0)),
      frequency: cells.map((c) => digit(c, 1)),
      monetary: cells.map((c) => digit(c, 2)),
    },
    { method: "thresholds", thresholds: { recency: cuts, frequency: cuts, monetary: cuts } },
  );
}

const ALL_CELLS: string[] = [];
for (let r = 1; r <= 5; r++)
  for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) ALL_CELLS.push(`${r}${f}${m}`);

describe("segmentRfm with the 11-segment map", () => {
  it("reaches every segment of the map, first match winning", () => {
    const witnesses: Record<string, string> = {
      "555": "Champions",
      "445": "Champions",
      "333": "Loyal Customers",
      "255": "Loyal Customers",
      "155": "Can't Lose Them",
      "511": "New Customers",
      "411": "New Customers",
      "311": "Promising",
      "312": "Potential Loyalist",
      "523": "Potential Loyalist",
      "222": "Need Attention",
      "232": "Need Attention",
      "122": "At Risk",
      "252": "At Risk",
      "211": "About To Sleep",
      "221": "About To Sleep",
      "111": "Lost",
      "112": "Hibernating",
      "121": "Hibernating",
      "515": "Others",
      "141": "Others",
    };
    const cells = Object.keys(witnesses);
    const seg = segmentRfm(scoresOf(cells));
    expect(seg.labels).toEqual(cells.map((c) => witnesses[c]));
    expect(seg.groups.map((g) => g.name)).toEqual([...RFM_SEGMENTS.map((r) => r.name), "Others"]);
    const reached = new Set(seg.labels);
    for (const rule of RFM_SEGMENTS) expect(reached.has(rule.name), rule.name).toBe(true);
    expect(seg.groups.every((g) => (g.action?.length ?? 0) > 0)).toBe(true);
    expect(seg.groups.at(-1)!.action).toMatch(/extend the segment map/);
  });

  it("assigns each of the 125 cells to one segment, consistent with the rule ranges", () => {
    const seg = segmentRfm(scoresOf(ALL_CELLS));
    ALL_CELLS.forEach((cell, i) => {
      const [r, f, m] = [Number(cell[0]), Number(cell[1]), Number(cell[2])];
      const label = seg.labels[i]!;
      const rule = RFM_SEGMENTS.find((x) => x.name === label);
      if (rule === undefined) {
        expect(label).toBe("Others");
        // no rule matches an "Others" cell
        for (const x of RFM_SEGMENTS) {
          const inside = (range: readonly [number, number] | undefined, s: number) =>
            range === undefined || (s >= range[0] && s <= range[1]);
          expect(inside(x.r, r) && inside(x.f, f) && inside(x.m, m), `${cell} ${x.name}`).toBe(false);
        }
      } else {
        expect(r).toBeGreaterThanOrEqual(rule.r![0]);
        expect(r).toBeLessThanOrEqual(rule.r![1]);
        expect(f).toBeGreaterThanOrEqual(rule.f![0]);
        expect(m).toBeLessThanOrEqual(rule.m![1]);
      }
    });
    expect(seg.labels.filter((l) => l === "Champions")).toHaveLength(8);
    expect(seg.labels.filter((l) => l === "Others")).toHaveLength(36);
  });
});

describe("segmentRfm with the R × F grid", () => {
  it("covers all 25 R × F cells once, whatever M, with no Others", () => {
    const seg = segmentRfm(scoresOf(ALL_CELLS), { map: RF_GRID_SEGMENTS });
    expect(seg.labels).not.toContain("Others");
    const byRf = new Map<string, string>();
    ALL_CELLS.forEach((cell, i) => {
      const rf = cell.slice(0, 2);
      const seen = byRf.get(rf);
      if (seen !== undefined) expect(seg.labels[i]).toBe(seen);
      byRf.set(rf, seg.labels[i]!);
    });
    expect(byRf.size).toBe(25);
    expect(
      Object.fromEntries(
        ["55", "15", "25", "33", "41", "51", "24", "34", "32", "43", "11", "22"].map((k) => [k, byRf.get(k)]),
      ),
    ).toEqual({
      "55": "Champions",
      "15": "Can't Lose Them",
      "25": "Can't Lose Them",
      "33": "Need Attention",
      "41": "Promising",
      "51": "New Customers",
      "24": "At Risk",
      "34": "Loyal Customers",
      "32": "About To Sleep",
      "43": "Potential Loyalist",
      "11": "Hibernating",
      "22": "Hibernating",
    });
    expect(new Set(byRf.values()).size).toBe(10);
  });
});

describe("segmentRfm with a custom map", () => {
  it("uses the user's rules, catch-all name and action", () => {
    const map: SegmentMap = deepFreeze([
      { name: "VIP", m: [3, 3], action: "call them" },
      { name: "Recent", r: [3, 3], action: "say thanks" },
    ]);
    const scores = scoreRfm(
      { recency: [1, 2, 30, 40], frequency: [1, 1, 1, 1], monetary: [500, 1, 2, 3] },
      { bins: 3, ties: "first" },
    );
    const seg = segmentRfm(scores, { map, otherName: "Rest", otherAction: "newsletter" });
    // monetary ranks: 500 → 4 → M 3; recency 1 → R 3
    expect(seg.labels).toEqual(["VIP", "Recent", "Rest", "Rest"]);
    expect(Array.from(seg.groupOf)).toEqual([0, 1, 2, 2]);
    expect(seg.groups[2]).toEqual({
      name: "Rest",
      action: "newsletter",
      description: "Matches no rule of the segment map.",
    });
  });

  it("refuses malformed maps with a message naming the rule", () => {
    const s = scoresOf(["555"]);
    expectRecokitError(() => segmentRfm(s, { map: [] }), "INVALID_INPUT", /non-empty/);
    expectRecokitError(
      () =>
        segmentRfm(s, {
          map: [
            { name: "A", action: "" },
            { name: "A", action: "" },
          ],
        }),
      "INVALID_INPUT",
      /map\[1\].name "A" is used twice/,
    );
    expectRecokitError(
      () => segmentRfm(s, { map: [{ name: "Others", action: "" }] }),
      "INVALID_INPUT",
      /used twice \(or equals otherName\)/,
    );
    expectRecokitError(
      () => segmentRfm(s, { map: [{ name: "A", r: [4, 2], action: "" }] }),
      "INVALID_INPUT",
      /map\[0\] \("A"\).r/,
    );
    expectRecokitError(() => segmentRfm(s, { map: [{ name: "A", f: [1, 6], action: "" }] }), "INVALID_INPUT");
    expectRecokitError(() => segmentRfm(s, { map: [{ name: "", action: "" }] }), "INVALID_INPUT");
    // the 5-level default map does not fit 3-level scores
    const three = scoreRfm({ recency: [1], frequency: [1], monetary: [1] }, { bins: 3 });
    expectRecokitError(() => segmentRfm(three), "INVALID_INPUT", /3 levels/);
    expectRecokitError(() => segmentRfm({} as RfmScores), "INVALID_INPUT", /scoreRfm/);
  });
});

describe("summarizeSegments", () => {
  const DAY = 86_400_000;
  const T0 = Date.UTC(2024, 0, 1);
  const table = rfmTable([
    { customer: "ann", invoice: 1, timestamp: T0, amount: 10 },
    { customer: "ann", invoice: 2, timestamp: T0 + 4 * DAY, amount: 30 },
    { customer: "bob", invoice: 3, timestamp: T0 + 2 * DAY, amount: 20 },
    { customer: "cy", invoice: 4, timestamp: T0 + 9 * DAY, amount: 12 },
  ]);
  // asOf = day 10: recency ann 6, bob 8, cy 1; frequency 2, 1, 1; monetary 40, 20, 12

  it("profiles each group by hand, empty groups included without NaN", () => {
    const grouping = deepFreeze({
      groups: [{ name: "A", action: "reward" }, { name: "B" }, { name: "Empty" }],
      groupOf: Int32Array.from([0, 1, 0]),
    });
    const rows = summarizeSegments(table, grouping);
    expect(rows[0]).toEqual({
      segment: "A",
      action: "reward",
      customers: 2,
      share: 2 / 3,
      revenue: 52,
      revenueShare: 52 / 72,
      meanRecency: 3.5,
      meanFrequency: 1.5,
      meanMonetary: 26,
      averageOrderValue: 52 / 3,
    });
    expect(rows[1]).toMatchObject({
      segment: "B",
      customers: 1,
      revenue: 20,
      meanRecency: 8,
      averageOrderValue: 20,
    });
    expect(rows[2]).toEqual({
      segment: "Empty",
      customers: 0,
      share: 0,
      revenue: 0,
      revenueShare: 0,
      meanRecency: null,
      meanFrequency: null,
      meanMonetary: null,
      averageOrderValue: null,
    });
  });

  it("adds mean scores and sums to the whole table", () => {
    const scores = scoreRfm(table);
    const seg = segmentRfm(scores);
    const rows = summarizeSegments(table, seg, { scores });
    expect(rows.reduce((s, r) => s + r.customers, 0)).toBe(3);
    expect(rows.reduce((s, r) => s + r.revenueShare, 0)).toBeCloseTo(1, 12);
    for (const r of rows) {
      if (r.customers === 0) expect(r.meanScores).toBeNull();
      else expect(r.meanScores!.r).toBeGreaterThanOrEqual(1);
    }
  });

  it("refuses a grouping that does not fit the table", () => {
    expectRecokitError(
      () => summarizeSegments(table, { groups: [{ name: "A" }], groupOf: Int32Array.from([0, 0]) }),
      "INVALID_INPUT",
      /2 entries but the table has 3/,
    );
    expectRecokitError(
      () => summarizeSegments(table, { groups: [{ name: "A" }], groupOf: Int32Array.from([0, 1, 0]) }),
      "INVALID_INPUT",
      /row 1: group 1/,
    );
  });
});
