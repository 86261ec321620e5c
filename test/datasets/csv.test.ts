import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvRecords, parseCsv, parseCsvRows } from "../../src/datasets/index.js";
import { expectRecokitError } from "../helpers.js";

function toCsv(rows: string[][]): string {
  return rows
    .map((r) => r.map((f) => (/[",\n\r]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(","))
    .join("\n");
}

describe("CSV", () => {
  it("parses quoted separators, doubled quotes, CRLF and a missing final newline", () => {
    expect(parseCsvRows('a,b\r\n1,"x, ""y"""\r\n2,\n"multi\nline",z')).toEqual([
      ["a", "b"],
      ["1", 'x, "y"'],
      ["2", ""],
      ["multi\nline", "z"],
    ]);
    expect(parseCsvRows("")).toEqual([]);
    expect(parseCsvRows("\n")).toEqual([[""]]);
  });

  it("keys records by the header and counts ragged rows", () => {
    const { header, records, ragged } = parseCsv("id,name\n1,tea\n2\n3,mug,extra\n");
    expect(header).toEqual(["id", "name"]);
    expect(records).toEqual([
      { id: "1", name: "tea" },
      { id: "2", name: "" },
      { id: "3", name: "mug" },
    ]);
    expect(ragged).toBe(2);
  });

  it("rejects an unterminated quote", () => {
    expectRecokitError(() => parseCsvRows('a,"open'), "INVALID_INPUT", /unterminated/);
  });

  it("round-trips any table, whole or streamed in arbitrary chunks (property)", async () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r\n", " ", "é", "中") });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (body, cuts) => {
          const table = [["h1", "h2"], ...body];
          const text = toCsv(table);
          expect(parseCsvRows(text)).toEqual(table);
          const chunks: string[] = [];
          let pos = 0;
          let c = 0;
          while (pos < text.length) {
            const size = cuts[c++ % cuts.length]!;
            chunks.push(text.slice(pos, pos + size));
            pos += size;
          }
          const streamed: Record<string, string>[] = [];
          for await (const r of csvRecords(chunks)) streamed.push(r);
          expect(streamed).toEqual(body.map(([a, b]) => ({ h1: a, h2: b })));
        },
      ),
    );
  });
});
