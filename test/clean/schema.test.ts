import { describe, expect, it } from "vitest";
import { type CleanSchema, clean, DEFAULT_MISSING_TOKENS, defineCleaning } from "../../src/clean/index.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const one = (schema: CleanSchema, row: Record<string, unknown>, onInvalid?: "drop" | "missing" | "throw") =>
  clean([row], { schema, ...(onInvalid === undefined ? {} : { onInvalid }) });

describe("schema: ids", () => {
  it("normalises spreadsheet float text, trims, applies case rules", () => {
    const schema: CleanSchema = {
      a: { type: "id" },
      b: { type: "id", case: "upper" },
      c: { type: "id", case: "lower" },
      d: { type: "id", keepDecimalZero: true },
    };
    const { rows, report } = one(schema, { a: " 17850.0 ", b: "85123a", c: "POST", d: "17850.0" });
    expect(rows).toEqual([{ a: "17850", b: "85123A", c: "post", d: "17850.0" }]);
    expect(report.steps[0]!.modified).toEqual({ "a normalised": 1, "b normalised": 1, "c normalised": 1 });
  });

  it("keeps non-zero fractions, signs and letters as written", () => {
    const schema: CleanSchema = { a: { type: "id" } };
    const ids = ["1.5", "-12.00", "+7.0", ".0", "1.", "A1.0", "12.0.0", "0.000"];
    const { rows } = clean(
      ids.map((a) => ({ a })),
      { schema },
    );
    expect(rows.map((r) => r.a)).toEqual(["1.5", "-12", "+7", ".0", "1.", "A1.0", "12.0.0", "0"]);
  });

  it("turns numbers into their decimal text; NaN and empty are missing", () => {
    const schema: CleanSchema = { a: { type: "id" } };
    const { rows } = clean([{ a: 17850 }, { a: Number.NaN }, { a: "" }, { a: null }, { a: 3n }], { schema });
    expect(rows.map((r) => r.a)).toEqual(["17850", null, null, null, "3"]);
  });

  it("keeps __proto__ and constructor as ordinary values and field names", () => {
    const row = JSON.parse('{"__proto__": "x", "constructor": "__proto__"}') as Record<string, unknown>;
    const schema = JSON.parse(
      '{"__proto__": {"type": "id"}, "constructor": {"type": "string"}}',
    ) as CleanSchema;
    const { rows } = clean([row], { schema });
    expect(Object.keys(rows[0]!)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(rows[0]!)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(rows[0]!, "__proto__")?.value).toBe("x");
    expect(rows[0]!.constructor).toBe("__proto__");
  });
});

describe("schema: numbers", () => {
  it("parses strict numeric text, decimal commas and thousands separators", () => {
    const schema: CleanSchema = {
      n: { type: "number" },
      eu: { type: "number", decimal: ",", thousands: "." },
      us: { type: "number", thousands: "," },
    };
    const { rows } = one(schema, { n: " -2.5e3 ", eu: "1.234,5", us: "1,234,567.25" });
    expect(rows).toEqual([{ n: -2500, eu: 1234.5, us: 1234567.25 }]);
  });

  it("drops rows with unparseable numbers, naming the field", () => {
    const schema: CleanSchema = { n: { type: "number" } };
    for (const bad of [
      "0x10",
      "12 apples",
      "1,5",
      "Infinity",
      "--1",
      "1e999",
      Number.POSITIVE_INFINITY,
      true,
      {},
    ]) {
      const { rows, report } = one(schema, { n: bad });
      expect(rows).toEqual([]);
      expect(report.droppedByReason).toEqual({ "invalid n": 1 });
    }
  });

  it("requires whole numbers for integers", () => {
    const schema: CleanSchema = { q: { type: "integer" } };
    expect(one(schema, { q: "6" }).rows).toEqual([{ q: 6 }]);
    expect(one(schema, { q: "6.0" }).rows).toEqual([{ q: 6 }]);
    expect(one(schema, { q: "6.5" }).report.droppedByReason).toEqual({ "invalid q": 1 });
    expect(one(schema, { q: 2.5 }).report.droppedByReason).toEqual({ "invalid q": 1 });
  });

  it("rejects contradictory separators", () => {
    expectRecokitError(
      () => clean([], { schema: { n: { type: "number", decimal: ",", thousands: "," } } }),
      "INVALID_INPUT",
      /schema\.n/,
    );
  });
});

describe("schema: text, categories, booleans", () => {
  it("trims strings unless told not to, and applies case", () => {
    const schema: CleanSchema = {
      s: { type: "string" },
      raw: { type: "string", trim: false },
      up: { type: "string", case: "upper" },
    };
    const { rows, report } = one(schema, { s: " tea  ", raw: " tea ", up: "tea" });
    expect(rows).toEqual([{ s: "tea", raw: " tea ", up: "TEA" }]);
    expect(report.modifiedByReason).toEqual({ "s normalised": 1, "up normalised": 1 });
  });

  it("checks categories against their allowed values after the case rule", () => {
    const schema: CleanSchema = { t: { type: "category", values: ["view", "cart"], case: "lower" } };
    const { rows, report } = clean([{ t: "VIEW" }, { t: "cart " }, { t: "purchase" }], { schema });
    expect(rows).toEqual([{ t: "view" }, { t: "cart" }]);
    expect(report.droppedByReason).toEqual({ "invalid t": 1 });
  });

  it("reads booleans from words, letters, numbers and custom tokens", () => {
    const schema: CleanSchema = {
      b: { type: "boolean" },
      c: { type: "boolean", trueValues: ["oui"], falseValues: ["non"] },
    };
    const { rows } = clean(
      [
        { b: "Yes", c: "OUI" },
        { b: "f", c: "non" },
        { b: 1, c: true },
        { b: "0", c: false },
      ],
      { schema },
    );
    expect(rows.map((r) => [r.b, r.c])).toEqual([
      [true, true],
      [false, false],
      [true, true],
      [false, false],
    ]);
    expect(one(schema, { b: 2, c: "oui" }).report.droppedByReason).toEqual({ "invalid b": 1 });
    expectRecokitError(
      () => clean([], { schema: { b: { type: "boolean", trueValues: ["x"], falseValues: ["X"] } } }),
      "INVALID_INPUT",
    );
  });
});

describe("schema: missing values, required fields, invalid policy", () => {
  it("reads the default missing tokens as missing, and only those", () => {
    const schema: CleanSchema = { s: { type: "string" } };
    const { rows } = clean(
      [...DEFAULT_MISSING_TOKENS, "NA", "None", "  ", "-"].map((s) => ({ s })),
      { schema },
    );
    expect(rows.map((r) => r.s)).toEqual([
      ...DEFAULT_MISSING_TOKENS.map(() => null),
      "NA",
      "None",
      null,
      "-",
    ]);
  });

  it("uses custom tokens per schema and per field", () => {
    const { rows } = clean([{ a: "NA", b: "NA", c: "?" }], {
      schema: {
        a: { type: "string" },
        b: { type: "string", missingTokens: ["?"] },
        c: { type: "string", missingTokens: ["?"] },
      },
      missingTokens: ["NA"],
    });
    expect(rows).toEqual([{ a: null, b: "NA", c: null }]);
  });

  it("drops rows missing a required field and reports the first failing field", () => {
    const schema: CleanSchema = {
      id: { type: "id", required: true },
      n: { type: "number", required: true },
      note: { type: "string" },
    };
    const { rows, report } = clean(
      [
        { id: "1", n: "2", note: "" },
        { id: "", n: "x", note: "a" },
        { id: "2", n: "", note: "b" },
        { id: "3", n: "y", note: "c" },
      ],
      { schema },
    );
    expect(rows).toEqual([{ id: "1", n: 2, note: null }]);
    expect(report.droppedByReason).toEqual({ "missing id": 1, "missing n": 1, "invalid n": 1 });
  });

  it("with onInvalid: missing, sets optional invalid values to null and counts the change", () => {
    const schema: CleanSchema = {
      id: { type: "id", required: true },
      n: { type: "number" },
      m: { type: "number", required: true },
    };
    const { rows, report } = clean(
      [
        { id: "1", n: "oops", m: "1" },
        { id: "2", n: "3", m: "bad" },
      ],
      { schema, onInvalid: "missing" },
    );
    expect(rows).toEqual([{ id: "1", n: null, m: 1 }]);
    expect(report.modifiedByReason).toEqual({ "invalid n set missing": 1 });
    expect(report.droppedByReason).toEqual({ "invalid m": 1 });
  });

  it("with onInvalid: throw, names the row, field and value", () => {
    const schema: CleanSchema = {
      q: { type: "integer", from: "Quantity" },
      c: { type: "id", required: true },
    };
    expectRecokitError(
      () =>
        clean(
          [
            { Quantity: "1", c: "a" },
            { Quantity: "1.5", c: "b" },
          ],
          { schema, onInvalid: "throw" },
        ),
      "INVALID_INPUT",
      /^clean: row 1: field q \(column "Quantity"\): "1\.5" is not a valid integer$/,
    );
    expectRecokitError(
      () =>
        clean(
          [
            { Quantity: "1", c: "a" },
            { Quantity: "2", c: " " },
          ],
          { schema, onInvalid: "throw" },
        ),
      "INVALID_INPUT",
      /row 1: required field c/,
    );
  });
});

describe("schema: columns", () => {
  it("renames columns and resolves aliases on the first row", () => {
    const schema: CleanSchema = {
      customer: { type: "id", from: ["customer", "CustomerID", "Customer ID"] },
      qty: { type: "integer", from: "Quantity" },
    };
    const { rows } = clean([{ "Customer ID": "12.0", Quantity: "3", extra: "dropped" }], { schema });
    expect(rows).toEqual([{ customer: "12", qty: 3 }]);
  });

  it("reads an absent optional column as missing and refuses an absent required one", () => {
    const { rows } = clean([{ a: "1" }], {
      schema: { a: { type: "id" }, b: { type: "string", from: ["b", "B"] } },
    });
    expect(rows).toEqual([{ a: "1", b: null }]);
    expectRecokitError(
      () => clean([{ a: "1" }], { schema: { b: { type: "id", from: ["b", "B"], required: true } } }),
      "INVALID_INPUT",
      /required column "b" \/ "B" is absent from the first row \(its columns: a\)/,
    );
  });

  it("rejects malformed schemas", () => {
    expectRecokitError(() => clean([], { schema: {} }), "INVALID_INPUT", /no field/);
    expectRecokitError(
      () => clean([], { schema: { a: { type: "date" } } as never }),
      "INVALID_INPUT",
      /schema\.a\.type/,
    );
    expectRecokitError(() => clean([], { schema: { a: { type: "id", from: [] } } }), "INVALID_INPUT", /from/);
    expectRecokitError(
      () => clean([], { schema: { a: { type: "id", case: "title" } } as never }),
      "INVALID_INPUT",
    );
    expectRecokitError(
      () => clean([], { schema: { a: { type: "timestamp", timeZone: "Nowhere/Land" } } }),
      "INVALID_INPUT",
    );
  });

  it("refuses rows that are not objects", () => {
    expectRecokitError(
      () => clean([{ a: 1 }, null as never], { schema: { a: { type: "id" } } }),
      "INVALID_INPUT",
      /row 1/,
    );
    expectRecokitError(() => clean([{ a: 1 }, 5 as never]), "INVALID_INPUT", /row 1/);
    expectRecokitError(() => clean("rows" as never), "INVALID_INPUT");
  });
});

describe("schema: timestamps, typing, immutability", () => {
  it("reads every timestamp form a column may mix, in the declared zone", () => {
    const schema: CleanSchema = { t: { type: "timestamp", timeZone: "+01:00" } };
    const { rows, report } = clean(
      [
        { t: "2011-06-01 10:00:00" },
        { t: "2011-06-01T10:00:00Z" },
        { t: 1306922400 },
        { t: "1306922400000" },
        { t: "not a date" },
        { t: "" },
      ],
      { schema },
    );
    expect(rows.map((r) => r.t)).toEqual([
      Date.UTC(2011, 5, 1, 9),
      Date.UTC(2011, 5, 1, 10),
      Date.UTC(2011, 5, 1, 10),
      Date.UTC(2011, 5, 1, 10),
      null,
    ]);
    expect(report.droppedByReason).toEqual({ "invalid t": 1 });
  });

  it("types rows through defineCleaning", () => {
    const pipeline = defineCleaning({
      schema: { user: { type: "id", required: true }, at: { type: "timestamp" }, ok: { type: "boolean" } },
    });
    const { rows } = clean([{ user: 7, at: "2024-01-01", ok: "y" }], pipeline);
    const user: string = rows[0]!.user;
    const at: number | null = rows[0]!.at;
    const ok: boolean | null = rows[0]!.ok;
    expect([user, at, ok]).toEqual(["7", Date.UTC(2024, 0, 1), true]);
  });

  it("never modifies frozen input rows", () => {
    const input = deepFreeze([
      { id: " 1.0 ", n: "2", t: "2011-01-01" },
      { id: "2", n: "bad", t: "2011-01-02" },
    ]);
    const copy = structuredClone(input);
    const { rows } = clean(input, {
      schema: { id: { type: "id" }, n: { type: "number" }, t: { type: "timestamp" } },
      onInvalid: "missing",
    });
    expect(input).toEqual(copy);
    expect(rows[0]).not.toBe(input[0]);
  });
});
