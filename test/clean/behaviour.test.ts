import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clean } from "../../src/clean/index.js";
import { peakInWindow } from "../../src/clean/steps/behaviour.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const MIN = 60_000;

describe("bots", () => {
  it("finds the peak count in any half-open window", () => {
    expect(peakInWindow(Float64Array.from([0, 10, 20, 60_000, 60_010]), MIN)).toBe(3);
    expect(peakInWindow(Float64Array.from([0, 59_999]), MIN)).toBe(2);
    expect(peakInWindow(Float64Array.from([0, 60_000]), MIN)).toBe(1);
    expect(peakInWindow(new Float64Array(0), MIN)).toBe(0);
  });

  // "bot": 16 events 3 s apart (16 within 45 s); "fast": 15 in a minute; "human": 5 over an hour
  const events = deepFreeze([
    ...Array.from({ length: 16 }, (_, k) => ({ user: "bot", timestamp: k * 3000 })),
    ...Array.from({ length: 15 }, (_, k) => ({ user: "fast", timestamp: k * 4000 })),
    ...Array.from({ length: 5 }, (_, k) => ({ user: "human", timestamp: k * 15 * MIN })),
    { user: null, timestamp: 0 },
  ]);

  it("drops users with more than 15 events in any minute", () => {
    const { rows, report } = clean(events, { steps: [{ step: "bots" }] });
    expect(rows.filter((r) => r.user === "bot")).toHaveLength(0);
    expect(rows).toHaveLength(21);
    expect(report.droppedByReason).toEqual({ "bot (event rate)": 16 });
    expect(report.steps[0]!.details).toEqual({
      botUsers: 1,
      users: [{ user: "bot", events: 16, peak: 16, share: 16 / 37, rule: "bot (event rate)" }],
    });
  });

  it("applies volume and share limits", () => {
    const volume = clean(events, { steps: [{ step: "bots", maxEventsPerMinute: 100, maxEvents: 10 }] });
    expect(volume.report.droppedByReason).toEqual({ "bot (volume)": 31 });
    const share = clean(events, { steps: [{ step: "bots", maxEventsPerMinute: 100, maxShare: 0.42 }] });
    // bot 16/37 = 0.432 > 0.42; fast 15/37 = 0.405
    expect(share.report.droppedByReason).toEqual({ "bot (share)": 16 });
  });

  it("flags instead of dropping", () => {
    const { rows, report } = clean(events, {
      steps: [{ step: "bots", maxEventsPerMinute: 14, action: "flag" }],
    });
    expect(rows).toHaveLength(37);
    expect(rows.filter((r) => r.bot === true)).toHaveLength(31);
    expect(report.flaggedByReason).toEqual({ "bot (event rate)": 31 });
  });

  it("validates thresholds", () => {
    expectRecokitError(
      () => clean(events, { steps: [{ step: "bots", maxShare: 2 }] }),
      "INVALID_INPUT",
      /maxShare must be a number in \[0, 1\]/,
    );
  });
});

describe("sessions without dwell", () => {
  const t0 = Date.UTC(2024, 0, 1);
  const events = deepFreeze([
    { user: "a", session: "s1", timestamp: t0 },
    { user: "a", session: "s1", timestamp: t0 + 200 },
    { user: "a", session: "s1", timestamp: t0 + 900 },
    { user: "b", session: "s2", timestamp: t0 },
    { user: "b", session: "s2", timestamp: t0 + 5000 },
    { user: "c", session: "s3", timestamp: t0 },
    // no session id: split per user at 30-minute gaps
    { user: "d", session: null, timestamp: t0 },
    { user: "d", session: null, timestamp: t0 + 100 },
    { user: "d", session: null, timestamp: t0 + 3 * 3_600_000 },
    { user: "d", session: null, timestamp: t0 + 3 * 3_600_000 + 60_000 },
  ]);

  it("drops sessions of two or more events spanning under a second", () => {
    const { rows, report } = clean(events, {
      steps: [{ step: "dwell", session: "session" }],
      details: "indices",
    });
    expect(Array.from(report.steps[0]!.droppedIndices!["session without dwell"]!)).toEqual([0, 1, 2, 6, 7]);
    expect(rows).toHaveLength(5);
    expect(report.steps[0]!.details).toEqual({ sessions: 5, sessionsWithoutDwell: 2 });
  });

  it("sessionises by user gaps when no session field is given", () => {
    const { report } = clean(events, { steps: [{ step: "dwell", gapMs: 1000 }] });
    // a: one session (gaps ≤ 1 s), b: two single events, c: one, d: four single-or-pair sessions
    expect(report.droppedByReason).toEqual({ "session without dwell": 5 });
  });

  it("counts single events with minEvents: 1, and flags", () => {
    const { rows, report } = clean(events, {
      steps: [{ step: "dwell", session: "session", minEvents: 1, minDwellMs: 1, action: "flag" }],
    });
    expect(rows.filter((r) => r.noDwell === true)).toHaveLength(1);
    expect(report.flaggedByReason).toEqual({ "session without dwell": 1 });
  });
});

/** The k-core by brute force: repeat "drop rows whose user or item is below its minimum". */
function bruteCore<R extends { u: string; i: string }>(rows: readonly R[], minU: number, minI: number): R[] {
  let current = rows.slice();
  for (;;) {
    const cu = new Map<string, number>();
    const ci = new Map<string, number>();
    for (const r of current) {
      cu.set(r.u, (cu.get(r.u) ?? 0) + 1);
      ci.set(r.i, (ci.get(r.i) ?? 0) + 1);
    }
    const next = current.filter((r) => cu.get(r.u)! >= minU && ci.get(r.i)! >= minI);
    if (next.length === current.length) return next;
    current = next;
  }
}

describe("k-core", () => {
  it("removes users and items below the minimum in rounds until nothing changes", () => {
    const rows = deepFreeze(
      [
        ["u1", "i1"],
        ["u1", "i2"],
        ["u1", "i3"],
        ["u2", "i1"],
        ["u2", "i2"],
        ["u3", "i1"],
        ["u4", "i4"],
      ].map(([u, i]) => ({ u, i })),
    );
    const { rows: out, report } = clean(rows, {
      steps: [{ step: "kcore", user: "u", item: "i", minPerUser: 2, minPerItem: 2 }],
    });
    // round 1 removes u3, u4 (1 row each) and i3, i4; then u1, u2 × i1, i2 all have 2
    expect(out).toEqual([rows[0], rows[1], rows[3], rows[4]]);
    expect(report.steps[0]!.details).toEqual({
      rounds: 1,
      usersBefore: 4,
      itemsBefore: 4,
      usersKept: 2,
      itemsKept: 2,
    });
  });

  it("cascades until every row is gone when the core is empty", () => {
    const chain = [
      ["u1", "i1"],
      ["u1", "i2"],
      ["u2", "i2"],
      ["u2", "i3"],
      ["u3", "i3"],
    ].map(([u, i]) => ({ u, i }));
    const { rows, report } = clean(chain, {
      steps: [{ step: "kcore", user: "u", item: "i", minPerUser: 2, minPerItem: 2 }],
    });
    expect(rows).toEqual([]);
    expect(report.output).toBe(0);
    expect(report.droppedByReason).toEqual({ "outside the k-core": 5 });
    expect(report.steps[0]!.details.rounds).toBe(3);
  });

  it("counts distinct partners with count: distinct, and drops rows without ids", () => {
    const rows = [
      { u: "a", i: "x" },
      { u: "a", i: "x" },
      { u: "a", i: "y" },
      { u: "b", i: "x" },
      { u: "b", i: "y" },
      { u: null, i: "x" },
    ];
    const byRows = clean(rows, {
      steps: [{ step: "kcore", user: "u", item: "i", minPerUser: 3, minPerItem: 1 }],
    });
    expect(byRows.rows).toHaveLength(3);
    const distinct = clean(rows, {
      steps: [{ step: "kcore", user: "u", item: "i", minPerUser: 3, minPerItem: 1, count: "distinct" }],
    });
    expect(distinct.rows).toHaveLength(0);
    expect(distinct.report.droppedByReason).toEqual({ "outside the k-core": 5, "missing user or item": 1 });
  });

  it("equals the brute-force fixed point on random interactions (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ u: fc.constantFrom("a", "b", "c", "d", "e"), i: fc.constantFrom("p", "q", "r", "s") }),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (rows, minU, minI) => {
          const { rows: out } = clean(rows, {
            steps: [{ step: "kcore", user: "u", item: "i", minPerUser: minU, minPerItem: minI }],
          });
          expect(out).toEqual(bruteCore(rows, minU, minI));
        },
      ),
    );
  });

  it("refuses ids that are neither strings nor numbers", () => {
    expectRecokitError(
      () => clean([{ u: true, i: "x" }], { steps: [{ step: "kcore", user: "u", item: "i" }] }),
      "INVALID_INPUT",
      /row 0: u true is not a string or number id/,
    );
  });
});
