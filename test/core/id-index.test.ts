import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Id, IdIndex, IdIndexBuilder } from "../../src/core/index.js";
import { expectRecokitError } from "../helpers.js";

const HOSTILE: Id[] = ["__proto__", "constructor", "toString", "", 0, "0", "hasOwnProperty", -0.5, "valueOf"];

describe("IdIndex", () => {
  it("treats hostile ids as ordinary, distinct ids", () => {
    const index = IdIndex.from(HOSTILE);
    expect(index.size).toBe(HOSTILE.length);
    HOSTILE.forEach((id, i) => {
      expect(index.indexOf(id)).toBe(i);
      expect(index.idAt(i)).toBe(id);
    });
    expect(index.indexOf(0)).not.toBe(index.indexOf("0"));
    expect(index.has("prototype")).toBe(false);
  });

  it("keeps first-seen order and ignores repeats", () => {
    const index = IdIndex.from(["b", "a", "b", 3, "a"]);
    expect(index.ids()).toEqual(["b", "a", 3]);
  });

  it("reports unknown ids by error or -1, as asked", () => {
    const index = IdIndex.from(["a"]);
    expect(index.indexOf("z", "minus-one")).toBe(-1);
    expectRecokitError(() => index.indexOf("z"), "UNKNOWN_ID", /"z"/);
    expectRecokitError(() => index.idAt(1), "INVALID_INPUT", /out of range/);
    expectRecokitError(() => index.idAt(0.5), "INVALID_INPUT");
  });

  it("rejects ids that are neither strings nor finite numbers", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, true]) {
      expectRecokitError(
        () => IdIndex.from([bad as unknown as Id]),
        "INVALID_INPUT",
        /string or a finite number/,
      );
    }
  });

  it("builder stops adding after build", () => {
    const b = new IdIndexBuilder();
    expect(b.add("x")).toBe(0);
    expect(b.add("x")).toBe(0);
    const idx = b.build();
    expect(b.add("x")).toBe(0);
    expectRecokitError(() => b.add("y"), "INVALID_INPUT", /already built/);
    expect(idx.size).toBe(1);
  });

  it("round-trips any id list (property)", () => {
    const id = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
    fc.assert(
      fc.property(fc.array(id), (ids) => {
        const index = IdIndex.from(ids);
        const distinct = [...new Map(ids.map((x) => [x, x])).keys()];
        expect(index.size).toBe(distinct.length);
        for (const x of ids)
          expect(Object.is(index.idAt(index.indexOf(x)), x) || index.idAt(index.indexOf(x)) === x).toBe(true);
        expect(index.ids()).toEqual(distinct);
      }),
    );
  });
});
