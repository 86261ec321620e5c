import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32, decodePayload, encodePayload, IdIndex } from "../../src/core/index.js";
import { expectRecokitError } from "../helpers.js";

const sample = () => ({
  name: "model",
  k: 20,
  mean: Number.NaN,
  inf: Number.NEGATIVE_INFINITY,
  weights: new Float64Array([0.1, -2.5, 1e-300]),
  small: new Float32Array([1.5, 2.25]),
  ids: new Int32Array([3, 1, 2]),
  flags: new Uint8Array([1, 0, 1]),
  users: IdIndex.from(["__proto__", 0, "0", ""]),
  nested: { list: [1, "two", null, true], deep: { arr: new Int32Array(0) } },
});

describe("binary payloads", () => {
  it("round-trip exactly, including typed arrays, id indexes and non-finite numbers", () => {
    const out = decodePayload(encodePayload("demo", sample()), "demo");
    const body = out.body as ReturnType<typeof sample>;
    expect(out.kind).toBe("demo");
    expect(body.k).toBe(20);
    expect(Number.isNaN(body.mean)).toBe(true);
    expect(body.inf).toBe(Number.NEGATIVE_INFINITY);
    expect(body.weights).toEqual(new Float64Array([0.1, -2.5, 1e-300]));
    expect(body.small).toBeInstanceOf(Float32Array);
    expect(Array.from(body.small)).toEqual([1.5, 2.25]);
    expect(Array.from(body.ids)).toEqual([3, 1, 2]);
    expect(Array.from(body.flags)).toEqual([1, 0, 1]);
    expect(body.users).toBeInstanceOf(IdIndex);
    expect(body.users.ids()).toEqual(["__proto__", 0, "0", ""]);
    expect(body.nested.list).toEqual([1, "two", null, true]);
    expect(body.nested.deep.arr.length).toBe(0);
  });

  it("round-trips random float arrays bit for bit (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true })),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
        (xs, is) => {
          const body = decodePayload(encodePayload("p", { x: Float64Array.from(xs), i: Int32Array.from(is) }))
            .body as {
            x: Float64Array;
            i: Int32Array;
          };
          expect(Array.from(body.x)).toEqual(xs);
          expect(Array.from(body.i)).toEqual(is);
        },
      ),
    );
  });

  it("rejects every single flipped byte and every truncation", () => {
    const bytes = encodePayload("demo", sample());
    for (let i = 0; i < bytes.length; i++) {
      const corrupted = bytes.slice();
      corrupted[i] = corrupted[i]! ^ 0x40;
      expectRecokitError(() => decodePayload(corrupted), "BAD_MODEL");
    }
    for (const cut of [0, 3, 19, 20, bytes.length >> 1, bytes.length - 1]) {
      expectRecokitError(() => decodePayload(bytes.slice(0, cut)), "BAD_MODEL");
    }
  });

  it("rejects foreign payloads, other kinds and unknown versions", () => {
    expectRecokitError(() => decodePayload(new TextEncoder().encode('{"kind":"x"}')), "BAD_MODEL", /magic/);
    expectRecokitError(
      () => decodePayload(encodePayload("a", {}), "b"),
      "BAD_MODEL",
      /expected a "b" payload/,
    );
    const bytes = encodePayload("a", {});
    bytes[4] = 9;
    expectRecokitError(() => decodePayload(bytes), "BAD_MODEL", /version 9/);
  });

  it("refuses values it cannot encode", () => {
    expectRecokitError(() => encodePayload("a", { m: new Map() }), "INVALID_INPUT", /body\.m/);
    expectRecokitError(() => encodePayload("a", { $x: 1 }), "INVALID_INPUT", /reserved/);
    expectRecokitError(() => encodePayload("a", { f: () => 1 }), "INVALID_INPUT");
  });

  it("computes the standard CRC-32 check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});
