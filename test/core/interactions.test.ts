import { describe, expect, it } from "vitest";
import { IdIndex, type Interaction, indexInteractions } from "../../src/core/index.js";
import { deepFreeze, denseOf, expectRecokitError } from "../helpers.js";

describe("indexInteractions", () => {
  it("maps ids in first-seen order and sums duplicates by default", () => {
    const rows = deepFreeze([
      { user: "ann", item: "tea", value: 2 },
      { user: "bob", item: "mug" },
      { user: "ann", item: "tea", value: 1 },
      { user: "ann", item: "mug", value: 4 },
    ]);
    const { users, items, matrix, skipped, timestamps } = indexInteractions(rows);
    expect(users.ids()).toEqual(["ann", "bob"]);
    expect(items.ids()).toEqual(["tea", "mug"]);
    expect(denseOf(matrix)).toEqual([
      [3, 4],
      [0, 1],
    ]);
    expect(skipped.count).toBe(0);
    expect(timestamps).toBeUndefined();
  });

  it("applies the duplicate rule, type weights and aligned latest timestamps", () => {
    const rows: Interaction[] = [
      { user: 1, item: "a", type: "view", timestamp: 10 },
      { user: 1, item: "a", type: "purchase", timestamp: new Date(30) },
      { user: 2, item: "b", type: "cart", timestamp: 20 },
      { user: 2, item: "a", type: "view" },
    ];
    const out = indexInteractions(rows, { typeWeights: { view: 1, cart: 3, purchase: 5 } });
    expect(denseOf(out.matrix)).toEqual([
      [6, 0],
      [1, 3],
    ]);
    const ts = Array.from(out.timestamps!);
    expect(ts[0]).toBe(30);
    expect(Number.isNaN(ts[1]!)).toBe(true);
    expect(ts[2]).toBe(20);
    const last = indexInteractions(
      [
        { user: "u", item: "i", value: 4 },
        { user: "u", item: "i", value: 2 },
      ],
      { duplicates: "last" },
    );
    expect(Array.from(last.matrix.data)).toEqual([2]);
  });

  it("reads any row shape through accessors", () => {
    const rows = [
      ["ann", "tea", "5"],
      ["bob", "tea", "3"],
    ] as const;
    const out = indexInteractions(rows, { user: (r) => r[0], item: (r) => r[1], value: (r) => Number(r[2]) });
    expect(denseOf(out.matrix)).toEqual([[5], [3]]);
  });

  it("names the bad row, or counts it when asked to skip", () => {
    const rows = [
      { user: "a", item: "x", value: 1 },
      { user: null, item: "x" },
      { user: "b", item: "y", value: Number.NaN },
      { user: "c", item: "z", timestamp: Number.NaN },
      { user: "d", item: undefined },
      { user: "e", item: "x", type: "teleport" },
    ] as unknown as Interaction[];
    expectRecokitError(
      () => indexInteractions(rows),
      "INVALID_INPUT",
      /^indexInteractions: row 1: user id null/,
    );
    const out = indexInteractions(rows, {
      onInvalid: "skip",
      typeWeights: { view: 1 },
      type: (r) => r.type ?? "view",
    });
    expect(out.skipped.count).toBe(5);
    expect(Array.from(out.skipped.rows)).toEqual([1, 2, 3, 4, 5]);
    expect(out.skipped.reasons).toEqual({
      "invalid user": 1,
      "invalid value": 1,
      "invalid timestamp": 1,
      "invalid item": 1,
      "unweighted type": 1,
    });
    expect(out.users.ids()).toEqual(["a"]);
  });

  it("respects fixed vocabularies", () => {
    const users = IdIndex.from(["a", "b"]);
    const items = IdIndex.from(["x"]);
    const rows = [
      { user: "b", item: "x" },
      { user: "z", item: "x" },
      { user: "a", item: "y" },
    ];
    expectRecokitError(
      () => indexInteractions(rows, { users, items }),
      "INVALID_INPUT",
      /row 1: user "z" is not in/,
    );
    const out = indexInteractions(rows, { users, items, onInvalid: "skip" });
    expect(out.matrix.nRows).toBe(2);
    expect(denseOf(out.matrix)).toEqual([[0], [1]]);
    expect(out.skipped.reasons).toEqual({ "unknown user": 1, "unknown item": 1 });
  });

  it("treats hostile ids as ordinary ids and handles empty input", () => {
    const out = indexInteractions([
      { user: "__proto__", item: "constructor" },
      { user: "", item: 0 },
      { user: "0", item: "0" },
    ]);
    expect(out.users.ids()).toEqual(["__proto__", "", "0"]);
    expect(out.items.ids()).toEqual(["constructor", 0, "0"]);
    const empty = indexInteractions([]);
    expect([empty.matrix.nRows, empty.matrix.nCols]).toEqual([0, 0]);
    expectRecokitError(() => indexInteractions("rows" as never), "INVALID_INPUT");
  });
});
