import fc from "fast-check";
import { mean, silhouette } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { createRandom } from "../../src/core/index.js";
import { elbowOf, meanSilhouette } from "../../src/rfm/cluster.js";
import { clusterCustomers, type RfmTable, rfmTable, summarizeSegments } from "../../src/rfm/index.js";
import { expectRecokitError } from "../helpers.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/**
 * Three well-separated groups of 20 customers over 200 days:
 * "vip" buy 20 times up to the last days for ~500 each, "mid" 5 times until day ~120 for ~60,
 * "gone" once around day 5 for ~10.
 */
function threeGroups(): { table: RfmTable; group: (id: string) => string } {
  const rows: { customer: string; invoice: string; timestamp: number; amount: number }[] = [];
  let invoice = 0;
  const add = (customer: string, day: number, amount: number) =>
    rows.push({ customer, invoice: `i${invoice++}`, timestamp: T0 + day * DAY, amount });
  for (let c = 0; c < 20; c++) {
    for (let k = 0; k < 20; k++) add(`vip${c}`, 10 + k * 9 + (c % 3), 480 + c);
    for (let k = 0; k < 5; k++) add(`mid${c}`, 60 + k * 12 + (c % 4), 55 + c);
    add(`gone${c}`, 3 + (c % 5), 8 + (c % 4));
  }
  add("vip0", 199, 500);
  return { table: rfmTable(rows), group: (id) => id.replace(/\d+$/, "") };
}

describe("clusterCustomers", () => {
  it("recovers three well-separated groups, picks k = 3 by silhouette and numbers clusters by value", () => {
    const { table, group } = threeGroups();
    const result = clusterCustomers(table, { k: [2, 3, 4, 5], seed: 7 });
    expect(result.silhouetteK).toBe(3);
    expect(result.k).toBe(3);
    expect(result.choice).toBe("silhouette");
    const members = result.groups.map(
      (_, g) =>
        new Set(
          table.customers
            .ids()
            .filter((_, i) => result.groupOf[i] === g)
            .map((id) => group(String(id))),
        ),
    );
    expect(members.map((s) => [...s])).toEqual([["vip"], ["mid"], ["gone"]]);
    expect(result.groups.map((g) => g.name)).toEqual(["Cluster 1", "Cluster 2", "Cluster 3"]);
    expect(result.groups[0]!.description).toContain("high spend");
    expect(result.candidates.map((c) => c.k)).toEqual([2, 3, 4, 5]);
    for (let i = 1; i < result.candidates.length; i++)
      expect(result.candidates[i]!.inertia).toBeLessThan(result.candidates[i - 1]!.inertia);
    // centres are the members' mean raw values: "gone" customers bought once, for 8 … 11
    expect(result.centers[2]!.frequency).toBe(1);
    expect(result.centers[2]!.monetary).toBeCloseTo(
      mean(
        table.customers.ids().flatMap((id, i) => (group(String(id)) === "gone" ? [table.monetary[i]!] : [])),
      ),
      12,
    );
  });

  it("is deterministic for a seed, and also accepts an injected random source", () => {
    const { table } = threeGroups();
    const a = clusterCustomers(table, { seed: 3, k: [2, 3, 4] });
    const b = clusterCustomers(table, { seed: 3, k: [2, 3, 4] });
    expect(b).toEqual(a);
    const c = clusterCustomers(table, { random: createRandom(11), k: [2, 3, 4] });
    const d = clusterCustomers(table, { random: createRandom(11), k: [2, 3, 4] });
    expect(d).toEqual(c);
    // well-separated data: any seed finds the same partition
    expect(Array.from(c.groupOf)).toEqual(Array.from(a.groupOf));
  });

  it("reports the transform of each feature and standardises to mean 0, sd 1", () => {
    const { table } = threeGroups();
    const none = clusterCustomers(table, { k: 3, transform: "none", seed: 1 });
    expect(none.choice).toBe("fixed");
    expect(none.features.map((f) => f.transform)).toEqual(["none", "none", "none"]);
    expect(none.features[2]!.mean).toBeCloseTo(mean(Array.from(table.monetary)), 9);
    const logged = clusterCustomers(table, { k: 3, transform: "log", seed: 1 });
    expect(logged.features.map((f) => f.transform)).toEqual(["log", "log", "log"]);
    const auto = clusterCustomers(table, { k: 3, skewThreshold: 1e9, seed: 1 });
    expect(auto.features.map((f) => f.transform)).toEqual(["none", "none", "none"]);
  });

  it("chooses by elbow on request and reports both choices", () => {
    const { table } = threeGroups();
    const r = clusterCustomers(table, { k: [2, 3, 4, 5, 6], choose: "elbow", seed: 2 });
    expect(r.choice).toBe("elbow");
    expect(r.k).toBe(r.elbowK);
    expect(r.elbowK).toBe(elbowOf(r.candidates));
    expect(r.silhouetteK).toBe(3);
  });

  it("profiles clusters in the same shape as segment summaries", () => {
    const { table } = threeGroups();
    const r = clusterCustomers(table, { k: 3, seed: 5 });
    const rows = summarizeSegments(table, r);
    expect(rows.map((x) => x.customers)).toEqual([20, 20, 20]);
    expect(rows[0]!.meanFrequency).toBeCloseTo(r.centers[0]!.frequency, 12);
  });

  it("caps the default k range at the number of distinct customers, and refuses a larger explicit k", () => {
    const table = rfmTable([
      { customer: "a", invoice: 1, timestamp: T0, amount: 5 },
      { customer: "b", invoice: 2, timestamp: T0 + 5 * DAY, amount: 50 },
      { customer: "c", invoice: 3, timestamp: T0 + 5 * DAY, amount: 50 },
    ]);
    const r = clusterCustomers(table, { seed: 1 });
    expect(r.candidates.map((c) => c.k)).toEqual([2]);
    expect(r.k).toBe(2);
    expect(r.groupOf[1]).toBe(r.groupOf[2]);
    expectRecokitError(
      () => clusterCustomers(table, { k: 3 }),
      "INVALID_INPUT",
      /k = 3 exceeds the 2 distinct/,
    );
  });

  it("never yields NaN when a dimension is constant", () => {
    const table = rfmTable(
      Array.from({ length: 12 }, (_, i) => ({
        customer: `c${i}`,
        invoice: i,
        timestamp: T0 + i * DAY,
        amount: 10,
      })),
    );
    const r = clusterCustomers(table, { k: [2, 3], seed: 1 });
    expect(r.features[2]!.sd).toBe(0);
    for (const c of r.candidates) {
      expect(Number.isFinite(c.inertia)).toBe(true);
      expect(Number.isFinite(c.silhouette)).toBe(true);
    }
  });

  it("reports progress, honours an abort signal and validates options", () => {
    const { table } = threeGroups();
    const calls: number[] = [];
    clusterCustomers(table, {
      k: [2, 3],
      restarts: 2,
      seed: 1,
      onProgress: (done, total) => calls.push(done * 10 + total),
    });
    expect(calls).toEqual([14, 24, 34, 44]);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(() => clusterCustomers(table, { signal: controller.signal }), "ABORTED");
    expectRecokitError(() => clusterCustomers(table, { k: [] }), "INVALID_INPUT");
    expectRecokitError(() => clusterCustomers(table, { k: 0 }), "INVALID_INPUT");
    expectRecokitError(() => clusterCustomers(table, { restarts: 0 }), "INVALID_INPUT");
    expectRecokitError(() => clusterCustomers(table, { choose: "gap" as "elbow" }), "INVALID_INPUT");
    expectRecokitError(() => clusterCustomers(table, { transform: "sqrt" as "log" }), "INVALID_INPUT");
    expectRecokitError(
      () =>
        clusterCustomers({
          ...table,
          recency: new Float64Array(0),
          frequency: new Int32Array(0),
          monetary: new Float64Array(0),
        }),
      "EMPTY_DATA",
    );
  });

  it("samples the silhouette with the seed when there are more customers than the sample size", () => {
    const { table } = threeGroups();
    const r = clusterCustomers(table, { k: 3, seed: 4, silhouetteSampleSize: 30 });
    expect(r.silhouetteSample).toBe(30);
    expect(r.silhouette).toBeGreaterThan(0.5);
  });
});

describe("meanSilhouette", () => {
  it("equals the mean of simple-statistics' silhouette values (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -5, max: 5, noNaN: true }),
            fc.double({ min: -5, max: 5, noNaN: true }),
            fc.integer({ min: 0, max: 2 }),
          ),
          {
            minLength: 3,
            maxLength: 40,
          },
        ),
        (raw) => {
          // labels must cover 0 … G−1 for the reference
          const used = [...new Set(raw.map((r) => r[2]))].sort();
          if (used.length < 2) return;
          const points = raw.map((r) => [r[0], r[1]]);
          const labels = raw.map((r) => used.indexOf(r[2]));
          const all = Int32Array.from(points.keys());
          // coincident points give 0 / 0 there; the convention (scikit-learn's too) is s = 0
          const expected = mean(silhouette(points, labels).map((v) => (Number.isNaN(v) ? 0 : v)));
          expect(Math.abs(meanSilhouette(points, labels, used.length, all) - expected)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it("is 0 for singletons and 1 for two far-apart tight pairs", () => {
    const pts = [[0], [0.001], [100], [100.001]];
    expect(meanSilhouette(pts, [0, 0, 1, 1], 2, [0, 1, 2, 3])).toBeCloseTo(1, 4);
    expect(meanSilhouette([[0], [1]], [0, 1], 2, [0, 1])).toBe(0);
  });
});

describe("elbowOf", () => {
  it("picks the point farthest below the chord of the normalised curve, by hand", () => {
    // x = 0, .25, .5, .75, 1; y = (I − 22) / 78 = 1, .231, .103, .038, 0; gap = 1 − x − y = 0, .519, .397, .212, 0
    const ks = [2, 3, 4, 5, 6];
    const inertia = [100, 40, 30, 25, 22];
    expect(elbowOf(ks.map((k, i) => ({ k, inertia: inertia[i]! })))).toBe(3);
    expect(
      elbowOf([
        { k: 2, inertia: 5 },
        { k: 3, inertia: 5 },
        { k: 4, inertia: 5 },
      ]),
    ).toBe(2);
    expect(elbowOf([{ k: 4, inertia: 9 }])).toBe(4);
  });
});
