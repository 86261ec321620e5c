import { afterEach, describe, expect, it, vi } from "vitest";
import { recordFactory, valuesReader } from "../../src/clean/coerce.js";
import {
  type CleanOptions,
  clean,
  cleaningReportToJson,
  explainCleaningRow,
  formatCleaningReport,
} from "../../src/clean/index.js";
import { buildReport, StepRecorder } from "../../src/clean/recorder.js";
import { deepFreeze, expectRecokitError } from "../helpers.js";

const raw = deepFreeze([
  /* 0 */ { id: "1.0", item: "A", qty: "2" },
  /* 1 */ { id: "", item: "B", qty: "1" },
  /* 2 */ { id: "1", item: "A", qty: "2" },
  /* 3 */ { id: "2", item: "C", qty: "-1" },
  /* 4 */ { id: "3", item: "D", qty: "x" },
  /* 5 */ { id: "3", item: "E", qty: "5" },
]);

const options: CleanOptions = {
  schema: {
    id: { type: "id" },
    item: { type: "id", required: true },
    qty: { type: "number", required: true },
  },
  steps: [
    { step: "missing", fields: { id: "drop" } },
    { step: "duplicates" },
    { step: "range", field: "qty", greaterThan: 0 },
    { step: "kcore", user: "id", item: "item", minPerUser: 1, minPerItem: 1 },
  ],
};

describe("cleaning report", () => {
  it("accounts for every row: per step and overall", () => {
    const { rows, report } = clean(raw, options);
    expect(rows).toEqual([
      { id: "1", item: "A", qty: 2 },
      { id: "3", item: "E", qty: 5 },
    ]);
    expect(report.input).toBe(6);
    expect(report.output).toBe(2);
    expect(report.dropped).toBe(4);
    expect(report.droppedByReason).toEqual({
      "invalid qty": 1,
      "missing id": 1,
      "exact duplicate": 1,
      "non-positive qty": 1,
    });
    expect(report.modifiedByReason).toEqual({ "id normalised": 1 });
    expect(report.steps.map((s) => [s.step, s.input, s.output])).toEqual([
      ["schema", 6, 5],
      ["missing", 5, 4],
      ["duplicates", 4, 3],
      ["range", 3, 2],
      ["kcore", 2, 2],
    ]);
    expect(report.details).toBe("counts");
    expect(report.steps[0]!.droppedIndices).toBeUndefined();
    expect(report.ms).toBeGreaterThanOrEqual(0);
  });

  it("keeps input indices and dropped rows on request, sorted", () => {
    const { report } = clean(raw, { ...options, details: "rows" });
    const s = report.steps;
    expect(Array.from(s[0]!.droppedIndices!["invalid qty"]!)).toEqual([4]);
    expect(Array.from(s[0]!.modifiedIndices!["id normalised"]!)).toEqual([0]);
    expect(Array.from(s[2]!.droppedIndices!["exact duplicate"]!)).toEqual([2]);
    // dropped rows as they entered the step: the schema sees raw rows, later steps coerced ones
    expect(s[0]!.droppedRows!["invalid qty"]).toEqual([raw[4]]);
    expect(s[3]!.droppedRows!["non-positive qty"]).toEqual([{ id: "2", item: "C", qty: -1 }]);
  });

  it("tells the story of any row", () => {
    const { report } = clean(raw, { ...options, details: "indices" });
    expect(explainCleaningRow(report, 0)).toEqual({
      status: "kept",
      outputIndex: 0,
      changes: [{ step: "schema (3 fields)", reason: "id normalised" }],
      flags: [],
    });
    expect(explainCleaningRow(report, 5)).toMatchObject({ status: "kept", outputIndex: 1 });
    expect(explainCleaningRow(report, 2)).toEqual({
      status: "dropped",
      droppedBy: { step: "exact duplicates", reason: "exact duplicate" },
      changes: [],
      flags: [],
    });
    expect(explainCleaningRow(report, 1).droppedBy).toEqual({
      step: "missing values (id: drop)",
      reason: "missing id",
    });
    expectRecokitError(() => explainCleaningRow(report, 6), "INVALID_INPUT", /index/);
    expectRecokitError(
      () => explainCleaningRow(clean(raw, options).report, 0),
      "INVALID_INPUT",
      /counts only/,
    );
  });

  it("serialises to JSON with plain index arrays", () => {
    const { report } = clean(raw, { ...options, details: "indices" });
    const json = JSON.parse(JSON.stringify(cleaningReportToJson(report)));
    expect(json.steps[2].droppedIndices).toEqual({ "exact duplicate": [2] });
    expect(json.input).toBe(6);
    expect(json.droppedByReason["missing id"]).toBe(1);
  });

  it("prints a readable summary with the accounting identity", () => {
    const text = formatCleaningReport(clean(raw, options).report);
    const lines = text.split("\n");
    expect(lines[0]).toBe("Cleaning: 6 rows in → 2 kept, 4 dropped (6 = 2 kept + 4 dropped)");
    expect(text).toMatch(/ 0 schema \(3 fields\)\s+6\s+5\s+1/);
    expect(text).toMatch(/dropped\s+invalid qty\s+1/);
    expect(text).toMatch(/changed\s+id normalised\s+1/);
    expect(text).toMatch(/details\s+rounds 0, usersBefore 2/);
  });

  it("handles empty input and a pipeline that drops everything", () => {
    const empty = clean([], options);
    expect(empty.rows).toEqual([]);
    expect(empty.report.steps.every((s) => s.input === 0 && s.output === 0)).toBe(true);
    const none = clean(raw, { ...options, steps: [{ step: "range", field: "qty", greaterThan: 100 }] });
    expect(none.rows).toEqual([]);
    expect(none.report.input).toBe(none.report.dropped);
    expect(formatCleaningReport(none.report)).toContain("6 = 0 kept + 6 dropped");
  });

  it("reports progress, honours an abort signal and rejects bad options", () => {
    const calls: [number, number][] = [];
    clean(raw, { ...options, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.at(-1)).toEqual([5, 5]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
    const controller = new AbortController();
    controller.abort();
    expectRecokitError(() => clean(raw, { ...options, signal: controller.signal }), "ABORTED");
    expectRecokitError(() => clean(raw, { details: "all" as never }), "INVALID_INPUT", /details/);
    expectRecokitError(() => clean(raw, { onInvalid: "skip" as never }), "INVALID_INPUT", /onInvalid/);
    expectRecokitError(
      () => clean(raw, { steps: [{ step: "impute" } as never] }),
      "INVALID_INPUT",
      /unknown step "impute"/,
    );
    expectRecokitError(() => clean(raw, { steps: {} as never }), "INVALID_INPUT", /steps must be an array/);
    expectRecokitError(() => clean(raw, null as never), "INVALID_INPUT", /options/);
  });

  it("without a schema or steps passes rows through untouched", () => {
    const { rows, report } = clean(raw);
    expect(rows).toEqual(raw);
    expect(rows[0]).toBe(raw[0]);
    expect(report.steps).toEqual([]);
    expect(report.output).toBe(6);
  });

  it("refuses to return a report whose accounts do not balance", () => {
    const a = new StepRecorder(0, "x", "x", "counts");
    a.input = 3;
    a.output = 2;
    expectRecokitError(
      () => buildReport("clean", 3, 2, [a], "counts", 0),
      "INTERNAL",
      /accounting failed at step 0/,
    );
    a.drop("r", 0, {});
    expect(buildReport("clean", 3, 2, [a], "counts", 0).dropped).toBe(1);
    expectRecokitError(() => buildReport("clean", 4, 2, [a], "counts", 0), "INTERNAL");
  });
});

describe("record factory", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("builds records with own properties, also where code generation is blocked", () => {
    const names = ["a", "__proto__", "b c", 'q"uote'];
    const fast = recordFactory(names)([1, 2, 3, 4]);
    vi.stubGlobal("Function", () => {
      throw new EvalError("code generation from strings disallowed");
    });
    const slow = recordFactory(names)([1, 2, 3, 4]);
    for (const r of [fast, slow]) {
      expect(Object.keys(r)).toEqual(names);
      expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(r, "__proto__")?.value).toBe(2);
      expect(r['q"uote']).toBe(4);
    }
  });

  it("reads named fields, own __proto__ included, also where code generation is blocked", () => {
    const names = ["a", "__proto__", 'q"uote', null, "absent"];
    const withProto = JSON.parse('{"a": 1, "__proto__": 2, "q\\"uote": 3}') as Record<string, unknown>;
    const without = { a: 1 };
    const read = (make: typeof valuesReader) => {
      const r = make(names);
      const a: unknown[] = [];
      const b: unknown[] = [];
      r(withProto, a);
      r(without, b);
      return [a, b];
    };
    const fast = read(valuesReader);
    vi.stubGlobal("Function", () => {
      throw new EvalError("code generation from strings disallowed");
    });
    const slow = read(valuesReader);
    for (const [a, b] of [fast, slow]) {
      expect(a).toEqual([1, 2, 3, undefined, undefined]);
      expect(b).toEqual([1, undefined, undefined, undefined, undefined]);
    }
  });
});
