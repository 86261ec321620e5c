import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Id, type Interaction, RecokitError } from "../../src/core/index.js";
import {
  type EvalSplit,
  kFold,
  splitColdStart,
  splitPerUser,
  splitRandom,
  splitTemporal,
} from "../../src/eval/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

/** A user × item grid: `users` users, each with `perUser` distinct items, value = 1 + (u + i) % 5. */
function grid(users: number, perUser: number): Interaction[] {
  const rows: Interaction[] = [];
  for (let u = 0; u < users; u++)
    for (let i = 0; i < perUser; i++)
      rows.push({ user: `u${u}`, item: `i${(u + i) % 40}`, value: 1 + ((u + i) % 5) });
  return rows;
}

/** Asserts that train and test partition the input, by position and by object. */
function expectPartition<R>(rows: readonly R[], split: EvalSplit<R>): void {
  const all = [...split.trainRows, ...split.testRows].sort((a, b) => a - b);
  expect(all).toEqual(rows.map((_, i) => i));
  expect(split.train.length).toBe(split.trainRows.length);
  expect(split.test.length).toBe(split.testRows.length);
  split.trainRows.forEach((i, j) => {
    expect(split.train[j]).toBe(rows[i]);
  });
  split.testRows.forEach((i, j) => {
    expect(split.test[j]).toBe(rows[i]);
  });
  const trainSet = new Set(split.trainRows);
  for (const i of split.testRows) expect(trainSet.has(i)).toBe(false);
}

/** Recomputes the cold ids of a split from scratch. */
function expectColdReport<R extends { readonly user: Id; readonly item: Id }>(split: EvalSplit<R>): void {
  const trainUsers = new Set(split.train.map((r) => r.user));
  const trainItems = new Set(split.train.map((r) => r.item));
  const coldUsers = [...new Set(split.test.map((r) => r.user).filter((u) => !trainUsers.has(u)))];
  const coldItems = [...new Set(split.test.map((r) => r.item).filter((i) => !trainItems.has(i)))];
  expect(split.coldUsers).toEqual(coldUsers);
  expect(split.coldItems).toEqual(coldItems);
  expect(split.coldTestRows).toBe(
    split.test.filter((r) => !trainUsers.has(r.user) || !trainItems.has(r.item)).length,
  );
  expect(split.users.size).toBe(trainUsers.size);
  expect(split.items.size).toBe(trainItems.size);
  for (const u of trainUsers) expect(split.users.has(u)).toBe(true);
}

describe("splitRandom", () => {
  it("holds out round(ratio · n) rows, partitions the input and is deterministic per seed", () => {
    const rows = deepFreeze(grid(10, 7)); // 70 rows
    const a = splitRandom(rows, { testRatio: 0.3, seed: 5 });
    expect(a.test.length).toBe(21);
    expect(a.strategy).toBe("random");
    expectPartition(rows, a);
    expectColdReport(a);
    const b = splitRandom(rows, { testRatio: 0.3, seed: 5 });
    expect(Array.from(b.testRows)).toEqual(Array.from(a.testRows));
    const c = splitRandom(rows, { testRatio: 0.3, seed: 6 });
    expect(Array.from(c.testRows)).not.toEqual(Array.from(a.testRows));
  });

  it("accepts a custom random source and row accessors", () => {
    const rows = deepFreeze([
      ["ann", "tea", 5],
      ["bob", "mug", 3],
      ["ann", "mug", 4],
      ["cat", "tea", 1],
    ] as const);
    let calls = 0;
    const split = splitRandom(rows, {
      testRatio: 0.5,
      random: () => {
        calls++;
        return 0.999;
      },
      user: (r) => r[0],
      item: (r) => r[1],
      value: (r) => r[2],
    });
    expect(calls).toBeGreaterThan(0);
    expect(split.test.length).toBe(2);
    expectPartition(rows, split);
    expect(split.fields.user(rows[1]!, 1)).toBe("bob");
  });

  it("handles ratio 0 and 1", () => {
    const rows = grid(3, 3);
    expect(splitRandom(rows, { testRatio: 0 }).test.length).toBe(0);
    const all = splitRandom(rows, { testRatio: 1 });
    expect(all.train.length).toBe(0);
    expect(all.coldUsers.length).toBe(3);
    expect(all.coldTestRows).toBe(9);
  });

  it("rejects bad input with a message naming the row or option", () => {
    expectRecokitError(() => splitRandom([]), "EMPTY_DATA");
    expectRecokitError(() => splitRandom(grid(2, 2), { testRatio: 1.5 }), "INVALID_INPUT", /testRatio/);
    expectRecokitError(
      () =>
        splitRandom([
          { user: "a", item: "x" },
          { user: "b", item: "y" },
          { user: Number.NaN, item: "z" },
        ]),
      "INVALID_INPUT",
      /^splitRandom: row 2: user id NaN/,
    );
    expectRecokitError(
      () => splitRandom([{ user: "a", item: "x", value: Number.POSITIVE_INFINITY }]),
      "INVALID_INPUT",
      /row 0: value Infinity/,
    );
    expectRecokitError(
      () => splitRandom([null as unknown as Interaction]),
      "INVALID_INPUT",
      /row 0: row is empty/,
    );
    expectRecokitError(() => splitRandom("rows" as unknown as Interaction[]), "INVALID_INPUT");
  });

  it("property: any rows, ratio and seed give a partition with an exact cold report", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ user: fc.integer({ min: 0, max: 6 }), item: fc.integer({ min: 0, max: 9 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (rows, ratio, seed) => {
          const split = splitRandom(rows, { testRatio: ratio, seed });
          expectPartition(rows, split);
          expectColdReport(split);
          expect(split.test.length).toBe(Math.round(ratio * rows.length));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("splitPerUser", () => {
  it("holds out round(ratio · n_u) of every user's rows", () => {
    const rows = deepFreeze([...grid(4, 8), ...grid(2, 3).map((r) => ({ ...r, user: `v${r.user}` }))]);
    const split = splitPerUser(rows, { testRatio: 0.25, seed: 9 });
    expectPartition(rows, split);
    expectColdReport(split);
    const count = (side: readonly Interaction[], u: string) => side.filter((r) => r.user === u).length;
    for (let u = 0; u < 4; u++) {
      expect(count(split.test, `u${u}`)).toBe(2); // round(0.25 · 8)
      expect(count(split.train, `u${u}`)).toBe(6);
    }
    expect(count(split.test, "vu0")).toBe(1); // round(0.75) = 1
    expect(split.usersWithoutTest).toBe(0);
  });

  it("sizing 'recommenders' keeps ⌊(1 − ratio)·n⌋ rows in train, as python_stratified_split", () => {
    // 1-based ranks r with r/n ≤ 0.75 stay in train. n = 20: r ≤ 15 → 15 train, 5 test;
    // n = 2: r ≤ 1.5 → 1 train, 1 test (round(0.5) = 1 too); n = 3: r ≤ 2.25 → 2 train, 1 test
    const rows = [
      ...grid(1, 20),
      ...grid(1, 2).map((r) => ({ ...r, user: "two" })),
      ...grid(1, 3).map((r) => ({ ...r, user: "three" })),
    ];
    const split = splitPerUser(rows, { testRatio: 0.25, sizing: "recommenders", seed: 1 });
    expect(split.test.filter((r) => r.user === "u0").length).toBe(5);
    expect(split.test.filter((r) => r.user === "two").length).toBe(1);
    expect(split.test.filter((r) => r.user === "three").length).toBe(1);
    // "round" differs on n = 20: round(5) = 5 as well, but on n = 21: round(5.25) = 5 vs 21 − ⌊15.75⌋ = 6
    const odd = splitPerUser(grid(1, 21), { testRatio: 0.25, sizing: "recommenders", seed: 1 });
    expect(odd.test.length).toBe(6);
    expect(splitPerUser(grid(1, 21), { testRatio: 0.25, seed: 1 }).test.length).toBe(5);
    // ratio 0.2 with n = 5: 0.8 · 5 is 4.000000000000001 or 3.9999… in binary; the rule still gives 4
    expect(splitPerUser(grid(1, 5), { testRatio: 0.2, sizing: "recommenders" }).test.length).toBe(1);
  });

  it("is deterministic per seed and never leaks a (user, item) row into both sides", () => {
    const rows = grid(30, 12);
    const a = splitPerUser(rows, { seed: 3 });
    const b = splitPerUser(rows, { seed: 3 });
    expect(Array.from(a.testRows)).toEqual(Array.from(b.testRows));
    const trainPairs = new Set(a.train.map((r) => `${r.user}|${r.item}`));
    for (const r of a.test) expect(trainPairs.has(`${r.user}|${r.item}`)).toBe(false);
    expect(a.coldUsers).toEqual([]);
  });

  it("rejects an unknown sizing", () => {
    expectRecokitError(
      () => splitPerUser(grid(2, 2), { sizing: "ceil" as "round" }),
      "INVALID_INPUT",
      /splitPerUser: sizing/,
    );
  });
});

describe("splitTemporal", () => {
  const rows = deepFreeze([
    { user: "a", item: "x", timestamp: 3 },
    { user: "a", item: "y", timestamp: 1 },
    { user: "a", item: "z", timestamp: 3 },
    { user: "b", item: "x", timestamp: 5 },
    { user: "b", item: "w", timestamp: 2 },
    { user: "c", item: "y", timestamp: 4 },
  ]);

  it("leave-last-n takes each user's latest rows, ties broken by input order", () => {
    const split = splitTemporal(rows, { lastN: 1 });
    // a: x(3) and z(3) tie; z comes later in the input, so z is a's last row
    expect(split.test.map((r) => `${r.user}${r.item}`)).toEqual(["az", "bx"]);
    expect(split.usersWithoutTest).toBe(1); // c has a single row and stays in train
    expectPartition(rows, split);
    const two = splitTemporal(rows, { lastN: 2 });
    expect(two.test.map((r) => `${r.user}${r.item}`)).toEqual(["ax", "az"]);
    expect(two.usersWithoutTest).toBe(2);
  });

  it("cuts globally at a time or at a ratio, never splitting a timestamp", () => {
    expect(splitTemporal(rows, { cutoff: 4 }).test.map((r) => r.timestamp)).toEqual([5, 4]);
    expect(splitTemporal(rows, { cutoff: new Date(3) }).test.length).toBe(4);
    // sorted times 1 2 3 3 4 5; round(0.5·6) = 3 test rows → cut at sorted[3] = 3 → 4 rows ≥ 3
    const byRatio = splitTemporal(rows, { testRatio: 0.5 });
    expect(byRatio.test.map((r) => r.timestamp)).toEqual([3, 3, 5, 4]);
    expect(byRatio.coldItems).toEqual(["x", "z"]); // train holds only y(1) and w(2)
    expectColdReport(byRatio);
    expect(splitTemporal(rows, { testRatio: 0 }).test.length).toBe(0);
  });

  it("trains strictly on the past for a global cut", () => {
    const split = splitTemporal(rows, { cutoff: 3 });
    const latestTrain = Math.max(...split.train.map((r) => r.timestamp));
    const earliestTest = Math.min(...split.test.map((r) => r.timestamp));
    expect(latestTrain).toBeLessThan(earliestTest);
  });

  it("requires exactly one rule and a valid timestamp on every row", () => {
    expectRecokitError(() => splitTemporal(rows, {}), "INVALID_INPUT", /exactly one/);
    expectRecokitError(() => splitTemporal(rows, { lastN: 1, cutoff: 2 }), "INVALID_INPUT", /exactly one/);
    expectRecokitError(() => splitTemporal(rows, { lastN: 0 }), "INVALID_INPUT", /lastN/);
    expectRecokitError(
      () =>
        splitTemporal(
          [
            { user: "a", item: "x", timestamp: 1 },
            { user: "a", item: "y" },
          ],
          { lastN: 1 },
        ),
      "INVALID_INPUT",
      /^splitTemporal: row 1: timestamp undefined/,
    );
    expectRecokitError(
      () => splitTemporal([{ user: "a", item: "x", timestamp: new Date("nope") }], { cutoff: 1 }),
      "INVALID_INPUT",
      /row 0: timestamp Invalid Date/,
    );
  });
});

describe("kFold", () => {
  it("cuts n rows into k folds of ⌊n/k⌋ or ⌊n/k⌋+1 rows, the larger first, as Surprise's KFold", () => {
    const rows = grid(2, 5); // 10 rows
    expect(kFold(rows, { k: 3, seed: 1 }).map((f) => f.test.length)).toEqual([4, 3, 3]);
    expect(kFold(rows, { k: 5 }).map((f) => f.fold)).toEqual([0, 1, 2, 3, 4]);
  });

  it("tests every row exactly once, each fold's train being the complement", () => {
    const rows = deepFreeze(grid(7, 9));
    const folds = kFold(rows, { k: 4, seed: 11 });
    const tested = new Int32Array(rows.length);
    for (const f of folds) {
      expectPartition(rows, f);
      expectColdReport(f);
      for (const i of f.testRows) tested[i]!++;
      expect(f.strategy).toBe("k-fold");
    }
    expect(Array.from(tested).every((c) => c === 1)).toBe(true);
  });

  it("without shuffling folds are contiguous blocks of the input", () => {
    const folds = kFold(grid(1, 6), { k: 3, shuffle: false });
    expect(folds.map((f) => Array.from(f.testRows))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it("is deterministic per seed", () => {
    const rows = grid(5, 5);
    const a = kFold(rows, { seed: 8 }).map((f) => Array.from(f.testRows));
    const b = kFold(rows, { seed: 8 }).map((f) => Array.from(f.testRows));
    expect(a).toEqual(b);
  });

  it("rejects k < 2 or k > n", () => {
    expectRecokitError(() => kFold(grid(1, 3), { k: 1 }), "INVALID_INPUT", /kFold: k/);
    expectRecokitError(() => kFold(grid(1, 3), { k: 4 }), "INVALID_INPUT", /exceeds/);
    expectRecokitError(() => kFold([], { k: 2 }), "EMPTY_DATA");
  });
});

describe("splitColdStart", () => {
  it("holds out whole users: every row of a held-out user is test and none is in train", () => {
    const rows = deepFreeze(grid(10, 4));
    const split = splitColdStart(rows, { holdOut: "users", testRatio: 0.3, seed: 4 });
    expect(split.coldUsers.length).toBe(3);
    expect(split.test.length).toBe(12);
    const held = new Set(split.coldUsers);
    for (const r of split.train) expect(held.has(r.user)).toBe(false);
    for (const r of split.test) expect(held.has(r.user)).toBe(true);
    expectPartition(rows, split);
    expectColdReport(split);
  });

  it("holds out whole items", () => {
    const rows = grid(10, 4);
    const split = splitColdStart(rows, { holdOut: "items", testRatio: 0.5, seed: 2 });
    const distinctItems = new Set(rows.map((r) => r.item)).size;
    expect(split.coldItems.length).toBe(Math.round(0.5 * distinctItems));
    const held = new Set(split.coldItems);
    for (const r of split.train) expect(held.has(r.item)).toBe(false);
    expect(split.coldTestRows).toBe(split.test.length);
  });

  it("rejects an unknown mode", () => {
    expectRecokitError(
      () => splitColdStart(grid(2, 2), { holdOut: "rows" as "users" }),
      "INVALID_INPUT",
      /holdOut/,
    );
  });
});

it("every splitter throws RecokitError, never a TypeError, on an undefined row", () => {
  const bad = [{ user: "a", item: "x", timestamp: 1 }, undefined as unknown as Interaction];
  for (const fn of [
    () => splitRandom(bad),
    () => splitPerUser(bad),
    () => splitTemporal(bad, { lastN: 1 }),
    () => kFold(bad, { k: 2 }),
    () => splitColdStart(bad),
  ]) {
    expect(fn).toThrow(RecokitError);
  }
});
