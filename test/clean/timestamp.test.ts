import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "../../src/clean/index.js";
import { daysFromCivil } from "../../src/clean/timestamp.js";
import { expectRecokitError } from "../helpers.js";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe("parseTimestamp: ISO 8601 and the Online Retail form", () => {
  it("reads date-times with a space or a T, with and without seconds and fractions", () => {
    expect(parseTimestamp("2010-12-01 08:26:00")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("2010-12-01T08:26:00")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("2010-12-01T08:26")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("2010-12-01T08:26:07.5")).toBe(utc(2010, 12, 1, 8, 26, 7, 500));
    expect(parseTimestamp("2010-12-01T08:26:07,123456Z")).toBe(utc(2010, 12, 1, 8, 26, 7, 123));
    expect(parseTimestamp("  2010-12-01  ")).toBe(utc(2010, 12, 1));
  });

  it("applies an explicit offset and ignores the declared zone then", () => {
    expect(parseTimestamp("2010-12-01T08:26:00Z")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("2010-12-01T08:26:00-05:00")).toBe(utc(2010, 12, 1, 13, 26));
    expect(parseTimestamp("2010-12-01T08:26:00+0530")).toBe(utc(2010, 12, 1, 2, 56));
    expect(parseTimestamp("2010-12-01T08:26:00+01")).toBe(utc(2010, 12, 1, 7, 26));
    expect(parseTimestamp("2010-12-01 08:26:00 +01:00", { timeZone: "Asia/Tokyo" })).toBe(
      utc(2010, 12, 1, 7, 26),
    );
  });

  it("rejects impossible dates and trailing text", () => {
    for (const bad of [
      "2010-02-30",
      "2011-02-29 10:00:00",
      "2010-13-01",
      "2010-12-01T24:00:00",
      "2010-12-01T08:60:00",
      "2010-12-01T08:26:61",
      "2010-12-01T08:26:00+25:00",
      "2010-12-01x",
      "2010-12-01T08",
      "2010/12/01",
      "",
      "yesterday",
    ]) {
      expectRecokitError(() => parseTimestamp(bad), "INVALID_INPUT", /parseTimestamp/);
    }
    expect(parseTimestamp("2012-02-29")).toBe(utc(2012, 2, 29));
    expect(parseTimestamp("2000-02-29")).toBe(utc(2000, 2, 29));
    expectRecokitError(() => parseTimestamp("1900-02-29"), "INVALID_INPUT");
  });

  it("handles years before 100 without Date.UTC's 1900 shift", () => {
    expect(parseTimestamp("0099-01-01")).toBe(new Date("0099-01-01T00:00:00Z").getTime());
    expect(parseTimestamp("0000-03-01")).toBe(new Date("0000-03-01T00:00:00Z").getTime());
  });

  it("matches Date.UTC for random valid date-times (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        (y, mo, d, h, mi, s) => {
          const p2 = (x: number) => String(x).padStart(2, "0");
          const text = `${String(y).padStart(4, "0")}-${p2(mo)}-${p2(d)} ${p2(h)}:${p2(mi)}:${p2(s)}`;
          const expected = new Date(`${text.replace(" ", "T")}Z`).getTime();
          expect(parseTimestamp(text)).toBe(expected);
        },
      ),
    );
  });

  it("days-from-civil agrees with Date for the first and last supported days", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(9999, 12, 31) * 86_400_000).toBe(Date.UTC(9999, 11, 31));
    expect(daysFromCivil(1, 1, 1) * 86_400_000).toBe(new Date("0001-01-01T00:00:00Z").getTime());
  });
});

describe("parseTimestamp: time zones", () => {
  it("reads wall-clock time in a fixed offset, crossing the day and year boundary", () => {
    expect(parseTimestamp("2011-12-31 23:30:00", { timeZone: "+02:00" })).toBe(utc(2011, 12, 31, 21, 30));
    expect(parseTimestamp("2011-12-31 23:30:00", { timeZone: "-05:00" })).toBe(utc(2012, 1, 1, 4, 30));
    expect(parseTimestamp("2011-01-01 00:00:00", { timeZone: "-0130" })).toBe(utc(2011, 1, 1, 1, 30));
    expect(parseTimestamp("2011-01-01 00:00:00", { timeZone: "UTC" })).toBe(utc(2011, 1, 1));
  });

  it("reads wall-clock time in an IANA zone, summer and winter", () => {
    expect(parseTimestamp("2011-07-01 12:00:00", { timeZone: "Europe/London" })).toBe(utc(2011, 7, 1, 11));
    expect(parseTimestamp("2011-01-15 12:00:00", { timeZone: "Europe/London" })).toBe(utc(2011, 1, 15, 12));
    expect(parseTimestamp("2011-01-01 00:00:00", { timeZone: "Asia/Kolkata" })).toBe(
      utc(2010, 12, 31, 18, 30),
    );
    expect(parseTimestamp("2011-06-01 00:00:00", { timeZone: "America/New_York" })).toBe(utc(2011, 6, 1, 4));
  });

  it("moves a time skipped by a spring-forward change forward by the gap", () => {
    // London 2011-03-27: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist → 02:30 BST = 01:30Z
    expect(parseTimestamp("2011-03-27 01:30:00", { timeZone: "Europe/London" })).toBe(
      utc(2011, 3, 27, 1, 30),
    );
    // New York 2011-03-13: 02:00 EST jumps to 03:00 EDT; 02:30 → 03:30 EDT = 07:30Z
    expect(parseTimestamp("2011-03-13 02:30:00", { timeZone: "America/New_York" })).toBe(
      utc(2011, 3, 13, 7, 30),
    );
    // just before and just after the gap
    expect(parseTimestamp("2011-03-27 00:59:00", { timeZone: "Europe/London" })).toBe(
      utc(2011, 3, 27, 0, 59),
    );
    expect(parseTimestamp("2011-03-27 02:00:00", { timeZone: "Europe/London" })).toBe(utc(2011, 3, 27, 1, 0));
  });

  it("resolves a time repeated by a fall-back change to the earlier instant", () => {
    // London 2011-10-30: 02:00 BST falls back to 01:00 GMT; 01:30 happens at 00:30Z and 01:30Z
    expect(parseTimestamp("2011-10-30 01:30:00", { timeZone: "Europe/London" })).toBe(
      utc(2011, 10, 30, 0, 30),
    );
    expect(parseTimestamp("2011-11-06 01:30:00", { timeZone: "America/New_York" })).toBe(
      utc(2011, 11, 6, 5, 30),
    );
    expect(parseTimestamp("2011-10-30 02:00:00", { timeZone: "Europe/London" })).toBe(
      utc(2011, 10, 30, 2, 0),
    );
  });

  it("gives consecutive local minutes consecutive instants around a change (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 60 * 3 }), (minute) => {
        // three days around London's autumn change, outside the repeated hour
        const base = utc(2011, 10, 29);
        const local = base + minute * 60_000;
        const d = new Date(local);
        const text = d.toISOString().slice(0, 19).replace("T", " ");
        const t = parseTimestamp(text, { timeZone: "Europe/London" });
        const inRepeatedHour = local >= utc(2011, 10, 30, 1) && local < utc(2011, 10, 30, 2);
        if (inRepeatedHour) expect(t).toBe(local - 3_600_000);
        else expect(t).toBe(local < utc(2011, 10, 30, 1) ? local - 3_600_000 : local);
      }),
    );
  });

  it("rejects unknown zones and malformed offsets", () => {
    expectRecokitError(
      () => parseTimestamp("2011-01-01", { timeZone: "Mars/Olympus" }),
      "INVALID_INPUT",
      /time zone/,
    );
    expectRecokitError(() => parseTimestamp("2011-01-01", { timeZone: "+25:00" }), "INVALID_INPUT");
  });
});

describe("parseTimestamp: epoch numbers", () => {
  it("detects seconds below 1e11 and milliseconds above", () => {
    expect(parseTimestamp(1291191960)).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("1291191960")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp(1291191960000)).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("1291191960000")).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp(1291191960.25)).toBe(utc(2010, 12, 1, 8, 26) + 250);
    expect(parseTimestamp(-86400)).toBe(-86_400_000);
    expect(parseTimestamp(0)).toBe(0);
  });

  it("follows a declared unit even where detection would disagree", () => {
    expect(parseTimestamp(1000, { format: "epoch-ms" })).toBe(1000);
    expectRecokitError(() => parseTimestamp(1e15, { format: "epoch-s" }), "INVALID_INPUT");
    expect(parseTimestamp(1e11, { format: "epoch-s" })).toBe(1e14);
  });

  it("ignores the declared zone for epoch values", () => {
    expect(parseTimestamp(1291191960, { timeZone: "Asia/Tokyo" })).toBe(utc(2010, 12, 1, 8, 26));
  });

  it("rejects non-numeric text, infinities and out-of-range values", () => {
    for (const bad of ["12a", "0x10", "Infinity", Number.POSITIVE_INFINITY, 9e15, true, {}, null]) {
      expectRecokitError(() => parseTimestamp(bad), "INVALID_INPUT");
    }
  });

  it("accepts Date objects in auto and iso formats", () => {
    expect(parseTimestamp(new Date(utc(2011, 5, 6)))).toBe(utc(2011, 5, 6));
    expect(parseTimestamp(new Date(utc(2011, 5, 6)), { format: "iso" })).toBe(utc(2011, 5, 6));
    expectRecokitError(() => parseTimestamp(new Date(Number.NaN)), "INVALID_INPUT");
  });
});

describe("parseTimestamp: spreadsheet serials, compact and day/month dates", () => {
  it("reads 1900-system serials, skipping the fictitious 1900-02-29", () => {
    const opt = { format: "spreadsheet" as const };
    expect(parseTimestamp(1, opt)).toBe(utc(1900, 1, 1));
    expect(parseTimestamp(59, opt)).toBe(utc(1900, 2, 28));
    expectRecokitError(() => parseTimestamp(60, opt), "INVALID_INPUT");
    expect(parseTimestamp(61, opt)).toBe(utc(1900, 3, 1));
    expect(parseTimestamp(25569, opt)).toBe(0);
    // 40513.35 = 2010-12-01 + 0.35 day = 08:24
    expect(parseTimestamp(40513.35, opt)).toBe(utc(2010, 12, 1, 8, 24));
    expect(parseTimestamp("40513.5", opt)).toBe(utc(2010, 12, 1, 12));
    expectRecokitError(() => parseTimestamp(0, opt), "INVALID_INPUT");
  });

  it("reads 1904-system serials and applies the zone to serials", () => {
    expect(parseTimestamp(0, { format: "spreadsheet", spreadsheetEpoch: 1904 })).toBe(utc(1904, 1, 1));
    expect(parseTimestamp(24107, { format: "spreadsheet", spreadsheetEpoch: 1904 })).toBe(0);
    expect(parseTimestamp(40513.5, { format: "spreadsheet", timeZone: "+02:00" })).toBe(utc(2010, 12, 1, 10));
  });

  it("reads compact YYYYMMDD dates as text or number", () => {
    expect(parseTimestamp("19970101", { format: "yyyymmdd" })).toBe(utc(1997, 1, 1));
    expect(parseTimestamp(19980630, { format: "yyyymmdd" })).toBe(utc(1998, 6, 30));
    expectRecokitError(() => parseTimestamp("19970230", { format: "yyyymmdd" }), "INVALID_INPUT");
    expectRecokitError(() => parseTimestamp("1997011", { format: "yyyymmdd" }), "INVALID_INPUT");
  });

  it("reads month-first and day-first dates with times and AM/PM", () => {
    expect(parseTimestamp("12/1/2010 8:26", { format: "mdy" })).toBe(utc(2010, 12, 1, 8, 26));
    expect(parseTimestamp("12/1/2010 8:26 PM", { format: "mdy" })).toBe(utc(2010, 12, 1, 20, 26));
    expect(parseTimestamp("12/1/2010 12:05 AM", { format: "mdy" })).toBe(utc(2010, 12, 1, 0, 5));
    expect(parseTimestamp("12/1/2010 12:05 pm", { format: "mdy" })).toBe(utc(2010, 12, 1, 12, 5));
    expect(parseTimestamp("1/12/2010", { format: "dmy" })).toBe(utc(2010, 12, 1));
    expect(parseTimestamp("01.12.2010 08:26:09", { format: "dmy" })).toBe(utc(2010, 12, 1, 8, 26, 9));
    expect(parseTimestamp("31-12-2011 23:30", { format: "dmy", timeZone: "-05:00" })).toBe(
      utc(2012, 1, 1, 4, 30),
    );
    for (const bad of ["13/13/2010", "12/1/10", "12/1-2010", "12/1/2010 13:00 PM", "12/1/2010 8:26 XM"]) {
      expectRecokitError(() => parseTimestamp(bad, { format: "mdy" }), "INVALID_INPUT");
    }
  });

  it("does not guess day/month order in auto mode", () => {
    expectRecokitError(() => parseTimestamp("12/1/2010 8:26"), "INVALID_INPUT");
  });

  it("rejects unknown options", () => {
    expectRecokitError(
      () => parseTimestamp("2010-01-01", { format: "excel" as never }),
      "INVALID_INPUT",
      /format/,
    );
    expectRecokitError(
      () => parseTimestamp(1, { format: "spreadsheet", spreadsheetEpoch: 1901 as never }),
      "INVALID_INPUT",
    );
  });
});
