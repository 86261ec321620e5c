import { RecokitError } from "../core/errors.js";
import { describeValue } from "../core/id-index.js";

/**
 * How a timestamp value is written.
 *
 * - `"auto"` (default): ISO 8601 / RFC 3339 strings (`2011-12-09T12:50:00Z`, `2011-12-09 12:50:00`,
 *   `2011-12-09`), JavaScript `Date` objects, and epoch numbers or numeric strings, read as seconds
 *   when `|x| < 1e11` and as milliseconds otherwise (1e11 s is the year 5138; 1e11 ms is 1973-03-03).
 * - `"iso"`: ISO 8601 strings only.
 * - `"epoch-s"` / `"epoch-ms"`: epoch seconds / milliseconds, declared.
 * - `"spreadsheet"`: spreadsheet serial day numbers (days since 1899-12-30 in the 1900 date system,
 *   with its fictitious 1900-02-29 rejected; or since 1904-01-01 with `spreadsheetEpoch: 1904`); the
 *   fraction is the time of day.
 * - `"yyyymmdd"`: compact dates such as `20101201` (string or number).
 * - `"dmy"` / `"mdy"`: day-first or month-first dates with `/`, `.` or `-` separators and a four-digit
 *   year, optionally followed by `H:MM[:SS]` and `AM`/`PM` (`1/12/2010 8:26`, `12/1/2010 8:26 AM`).
 */
export type TimestampFormat =
  | "auto"
  | "iso"
  | "epoch-s"
  | "epoch-ms"
  | "spreadsheet"
  | "yyyymmdd"
  | "dmy"
  | "mdy";

/** The form a timestamp was actually read from (counted by `audit`). */
export type TimestampKind =
  | "iso"
  | "iso-with-offset"
  | "date-object"
  | "epoch-s"
  | "epoch-ms"
  | "spreadsheet"
  | "yyyymmdd"
  | "dmy"
  | "mdy";

/** Options of {@link parseTimestamp} and of `timestamp` schema fields. */
export interface ParseTimestampOptions {
  /** How values are written (default `"auto"`). */
  readonly format?: TimestampFormat;
  /**
   * Time zone of wall-clock values that carry no offset (ISO without `Z`/`±hh:mm`, day-first and
   * month-first dates, compact dates, spreadsheet serials): `"UTC"` (default), a fixed offset
   * (`"+01:00"`, `"-0530"`) or an IANA zone name (`"Europe/London"`). Epoch numbers and ISO strings
   * with an explicit offset are absolute and ignore it. A local time that a daylight-saving change
   * skips is moved forward by the gap; one that occurs twice resolves to the earlier instant (the
   * "compatible" rule of JavaScript's Temporal proposal).
   */
  readonly timeZone?: string;
  /** Date system of spreadsheet serials (default 1900). */
  readonly spreadsheetEpoch?: 1900 | 1904;
}

const DAY_MS = 86_400_000;
/** Largest |epoch ms| a JavaScript Date can hold. */
const MAX_EPOCH_MS = 8.64e15;
const FORMATS: ReadonlySet<string> = new Set([
  "auto",
  "iso",
  "epoch-s",
  "epoch-ms",
  "spreadsheet",
  "yyyymmdd",
  "dmy",
  "mdy",
]);
const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Howard Hinnant's `days_from_civil`).
 * @internal
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Wall-clock fields → milliseconds as if UTC, or NaN when a field is out of range. */
function wallClock(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  if (h > 23 || mi > 59 || s > 59) return Number.NaN;
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Reads `count` ASCII digits at `pos`, or -1. */
function digits(s: string, pos: number, count: number): number {
  if (pos + count > s.length) return -1;
  let v = 0;
  for (let i = pos; i < pos + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Reads 1–`max` digits at `pos`: [value, next position], or [-1, pos]. */
function someDigits(s: string, pos: number, max: number): [number, number] {
  let v = 0;
  let i = pos;
  while (i < s.length && i - pos < max) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    i++;
  }
  return i === pos ? [-1, pos] : [v, i];
}

/** Milliseconds of a fraction of a second starting after the '.' at `pos`: [ms, next], or [-1, pos]. */
function fraction(s: string, pos: number): [number, number] {
  let i = pos;
  let ms = 0;
  let scale = 100;
  while (i < s.length) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    ms += c * scale;
    scale /= 10;
    i++;
  }
  return i === pos ? [-1, pos] : [Math.floor(ms), i];
}

/** Parsed time of day: fields and the next position, or undefined. */
interface TimeOfDay {
  h: number;
  mi: number;
  s: number;
  ms: number;
  next: number;
}

/** `H[H]:MM[:SS[.fff]]` at `pos` (hours with one or two digits when `looseHour`). */
function timeOfDay(text: string, pos: number, looseHour: boolean): TimeOfDay | undefined {
  let h: number;
  let i: number;
  if (looseHour) {
    [h, i] = someDigits(text, pos, 2);
  } else {
    h = digits(text, pos, 2);
    i = pos + 2;
  }
  if (h < 0 || text.charCodeAt(i) !== 58) return undefined;
  const mi = digits(text, i + 1, 2);
  if (mi < 0) return undefined;
  i += 3;
  let s = 0;
  let ms = 0;
  if (text.charCodeAt(i) === 58) {
    s = digits(text, i + 1, 2);
    if (s < 0) return undefined;
    i += 3;
    const c = text.charCodeAt(i);
    if (c === 46 || c === 44) {
      [ms, i] = fraction(text, i + 1);
      if (ms < 0) return undefined;
    }
  }
  return { h, mi, s, ms, next: i };
}

/** Result of a wall-clock parse: local ms and, when the text declared one, its offset in minutes. */
interface Parsed {
  local: number;
  offsetMin: number | undefined;
}

const OUT: Parsed = { local: 0, offsetMin: undefined };

/** ISO 8601 / RFC 3339 subset. Fills OUT and returns true, or returns false. */
function parseIso(text: string): boolean {
  const y = digits(text, 0, 4);
  if (y < 0 || text.charCodeAt(4) !== 45) return false;
  const mo = digits(text, 5, 2);
  if (mo < 0 || text.charCodeAt(7) !== 45) return false;
  const d = digits(text, 8, 2);
  if (d < 0) return false;
  let h = 0;
  let mi = 0;
  let s = 0;
  let ms = 0;
  let i = 10;
  const sep = text.charCodeAt(10);
  if (sep === 84 || sep === 116 || sep === 32) {
    const t = timeOfDay(text, 11, false);
    if (t === undefined) return false;
    ({ h, mi, s, ms } = t);
    i = t.next;
  }
  let offsetMin: number | undefined;
  if (i < text.length) {
    if (i === 10) return false;
    offsetMin = zoneSuffix(text, i);
    if (offsetMin === undefined) return false;
  }
  const local = wallClock(y, mo, d, h, mi, s, ms);
  if (Number.isNaN(local)) return false;
  OUT.local = local;
  OUT.offsetMin = offsetMin;
  return true;
}

/** `Z`, `±HH`, `±HHMM` or `±HH:MM` ending the string at `pos` (one optional space before): minutes. */
function zoneSuffix(text: string, pos: number): number | undefined {
  let i = pos;
  if (text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  if (c === 90 || c === 122) return i + 1 === text.length ? 0 : undefined;
  if (c !== 43 && c !== 45) return undefined;
  const sign = c === 45 ? -1 : 1;
  const hh = digits(text, i + 1, 2);
  if (hh < 0 || hh > 23) return undefined;
  let j = i + 3;
  let mm = 0;
  if (j < text.length) {
    if (text.charCodeAt(j) === 58) j++;
    mm = digits(text, j, 2);
    if (mm < 0 || mm > 59) return undefined;
    j += 2;
  }
  return j === text.length ? sign * (hh * 60 + mm) : undefined;
}

/** `D/M/YYYY` or `M/D/YYYY` (separators / . -), optional time and AM/PM. */
function parseDayMonth(text: string, dayFirst: boolean): boolean {
  const [a, i1] = someDigits(text, 0, 2);
  const sep = text.charCodeAt(i1);
  if (a < 0 || (sep !== 47 && sep !== 46 && sep !== 45)) return false;
  const [b, i2] = someDigits(text, i1 + 1, 2);
  if (b < 0 || text.charCodeAt(i2) !== sep) return false;
  const y = digits(text, i2 + 1, 4);
  if (y < 0) return false;
  let i = i2 + 5;
  let h = 0;
  let mi = 0;
  let s = 0;
  let ms = 0;
  if (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 84) return false;
    const t = timeOfDay(text, i + 1, true);
    if (t === undefined) return false;
    ({ h, mi, s, ms } = t);
    i = t.next;
    if (i < text.length) {
      const rest = text.slice(i).trim().toUpperCase();
      if ((rest !== "AM" && rest !== "PM") || h < 1 || h > 12) return false;
      if (rest === "AM" && h === 12) h = 0;
      else if (rest === "PM" && h !== 12) h += 12;
    }
  }
  const local = dayFirst ? wallClock(y, b, a, h, mi, s, ms) : wallClock(y, a, b, h, mi, s, ms);
  if (Number.isNaN(local)) return false;
  OUT.local = local;
  OUT.offsetMin = undefined;
  return true;
}

function parseCompact(text: string): boolean {
  if (text.length !== 8) return false;
  const y = digits(text, 0, 4);
  const mo = digits(text, 4, 2);
  const d = digits(text, 6, 2);
  if (y < 0 || mo < 0 || d < 0) return false;
  const local = wallClock(y, mo, d, 0, 0, 0, 0);
  if (Number.isNaN(local)) return false;
  OUT.local = local;
  OUT.offsetMin = undefined;
  return true;
}

/** Converts local wall-clock milliseconds (as if UTC) to epoch milliseconds. @internal */
export type ZoneConverter = (localMs: number) => number;

const FIXED_OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?$/;

/**
 * Builds the local → UTC converter of a time zone name: `"UTC"`, a fixed offset, or an IANA name.
 * @throws RecokitError `INVALID_INPUT` for an unknown zone.
 * @internal
 */
export function zoneConverter(where: string, timeZone: string | undefined): ZoneConverter {
  if (timeZone === undefined) return (local) => local;
  if (typeof timeZone !== "string")
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `timeZone must be a string, got ${describeValue(timeZone)}`,
    );
  const tz = timeZone.trim();
  const upper = tz.toUpperCase();
  if (upper === "UTC" || upper === "Z" || upper === "GMT" || upper === "ETC/UTC") return (local) => local;
  const fixed = FIXED_OFFSET.exec(tz);
  if (fixed !== null) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3] ?? 0);
    if (Number(fixed[2]) > 23 || Number(fixed[3] ?? 0) > 59)
      throw new RecokitError(
        "INVALID_INPUT",
        where,
        `timeZone ${JSON.stringify(timeZone)} is not a valid offset`,
      );
    const offsetMs = (fixed[1] === "-" ? -1 : 1) * minutes * 60_000;
    return (local) => local - offsetMs;
  }
  return ianaConverter(where, tz);
}

function ianaConverter(where: string, tz: string): ZoneConverter {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
  } catch {
    throw new RecokitError("INVALID_INPUT", where, `timeZone ${JSON.stringify(tz)} is not a known time zone`);
  }
  /** Offset (ms) of the zone at instant `utc`: local wall clock minus UTC. */
  const offsetAt = (utc: number): number => {
    const whole = utc - (((utc % 1000) + 1000) % 1000);
    let y = 0;
    let mo = 0;
    let d = 0;
    let h = 0;
    let mi = 0;
    let s = 0;
    let bc = false;
    for (const part of format.formatToParts(whole)) {
      switch (part.type) {
        case "year":
          y = Number(part.value);
          break;
        case "month":
          mo = Number(part.value);
          break;
        case "day":
          d = Number(part.value);
          break;
        case "hour":
          h = Number(part.value) % 24;
          break;
        case "minute":
          mi = Number(part.value);
          break;
        case "second":
          s = Number(part.value);
          break;
        case "era":
          bc = part.value.startsWith("B");
          break;
        default:
          break;
      }
    }
    if (bc) y = 1 - y;
    return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 - whole;
  };
  // offsets change on quarter-hour boundaries of local time in every zone of the tz database,
  // so one resolution per 15-minute bucket of local time is exact
  const cache = new Map<number, number>();
  return (local) => {
    const bucket = Math.floor(local / 900_000);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      offset = resolveOffset(offsetAt, bucket * 900_000);
      cache.set(bucket, offset);
    }
    return local - offset;
  };
}

/** The offset that maps local time `local` to an instant, with Temporal's "compatible" rule. */
function resolveOffset(offsetAt: (utc: number) => number, local: number): number {
  const before = offsetAt(local - DAY_MS);
  const after = offsetAt(local + DAY_MS);
  const validBefore = offsetAt(local - before) === before;
  const validAfter = offsetAt(local - after) === after;
  if (validBefore && validAfter) return Math.max(before, after); // repeated hour: earlier instant
  if (validBefore) return before;
  if (validAfter) return after;
  return before; // skipped hour: shift forward by the gap
}

/**
 * A compiled timestamp reader: `read(value)` returns epoch milliseconds, `NaN` when the value
 * cannot be read, and sets `kind` to the form it was read from. Missing values are the caller's
 * business. @internal
 */
export interface TimestampReader {
  read(value: unknown): number;
  kind: TimestampKind;
}

/**
 * Compiles a reader for the given options (validates them once).
 * @throws RecokitError `INVALID_INPUT` for an unknown format, epoch or zone.
 * @internal
 */
export function createTimestampReader(where: string, options: ParseTimestampOptions = {}): TimestampReader {
  const format = options.format ?? "auto";
  if (!FORMATS.has(format))
    throw new RecokitError("INVALID_INPUT", where, `unknown timestamp format ${describeValue(format)}`);
  const epoch = options.spreadsheetEpoch ?? 1900;
  if (epoch !== 1900 && epoch !== 1904)
    throw new RecokitError(
      "INVALID_INPUT",
      where,
      `spreadsheetEpoch must be 1900 or 1904, got ${describeValue(epoch)}`,
    );
  const toUtc = zoneConverter(where, options.timeZone);
  const reader: TimestampReader = {
    kind: "iso",
    read(value: unknown): number {
      const ms = readAny(value);
      return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS ? ms : Number.NaN;
    },
  };
  const wall = (kind: TimestampKind): number => {
    reader.kind = kind;
    if (OUT.offsetMin !== undefined) {
      reader.kind = "iso-with-offset";
      return OUT.local - OUT.offsetMin * 60_000;
    }
    return toUtc(OUT.local);
  };
  const epochNumber = (x: number, declared: "epoch-s" | "epoch-ms" | undefined): number => {
    const unit = declared ?? (Math.abs(x) < 1e11 ? "epoch-s" : "epoch-ms");
    reader.kind = unit;
    return unit === "epoch-s" ? Math.round(x * 1000) : Math.round(x);
  };
  const serial = (x: number): number => {
    reader.kind = "spreadsheet";
    let days: number;
    if (epoch === 1904) {
      if (x < 0) return Number.NaN;
      days = x - 24107;
    } else {
      if (x < 1 || (x >= 60 && x < 61)) return Number.NaN;
      days = x < 60 ? x - 25568 : x - 25569;
    }
    return toUtc(Math.round(days * DAY_MS));
  };
  const numberOf = (value: unknown): number => {
    if (typeof value === "number") return value;
    if (typeof value === "string") {
      const t = value.trim();
      return NUMERIC.test(t) ? Number(t) : Number.NaN;
    }
    return Number.NaN;
  };
  const readAny = (value: unknown): number => {
    if (value instanceof Date) {
      reader.kind = "date-object";
      return format === "auto" || format === "iso" ? value.getTime() : Number.NaN;
    }
    switch (format) {
      case "auto": {
        if (typeof value === "string") {
          const t = value.trim();
          if (t.length >= 10 && t.charCodeAt(4) === 45) return parseIso(t) ? wall("iso") : Number.NaN;
          return NUMERIC.test(t) ? epochNumber(Number(t), undefined) : Number.NaN;
        }
        return typeof value === "number" ? epochNumber(value, undefined) : Number.NaN;
      }
      case "iso":
        return typeof value === "string" && parseIso(value.trim()) ? wall("iso") : Number.NaN;
      case "epoch-s":
      case "epoch-ms":
        return epochNumber(numberOf(value), format);
      case "spreadsheet":
        return serial(numberOf(value));
      case "yyyymmdd": {
        const text =
          typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
        return parseCompact(text) ? wall("yyyymmdd") : Number.NaN;
      }
      case "dmy":
      case "mdy":
        return typeof value === "string" && parseDayMonth(value.trim(), format === "dmy")
          ? wall(format)
          : Number.NaN;
      default:
        throw new RecokitError("INTERNAL", where, `unhandled timestamp format ${String(format)}`);
    }
  };
  return reader;
}

/**
 * Reads one timestamp and returns epoch milliseconds (UTC). Accepts ISO 8601 / RFC 3339 strings with
 * or without an offset (`2011-12-09T12:50:00Z`, `2011-12-09 12:50:00`, `2011-12-09`), epoch seconds
 * or milliseconds (detected by magnitude or declared), spreadsheet serial dates, compact `YYYYMMDD`,
 * and day-first / month-first dates; see {@link TimestampFormat}. Wall-clock values without an offset
 * are read in `timeZone` (default UTC). O(length of the text); IANA zones cost one `Intl` lookup per
 * 15 minutes of local time, cached per reader (a single call pays it once).
 *
 * @param value - a string, number or `Date`
 * @param options - format, time zone and spreadsheet date system
 * @returns epoch milliseconds
 * @throws RecokitError `INVALID_INPUT` when the value cannot be read in the given format, or an
 *   option is invalid (unknown format or time zone).
 * @example
 * ```ts
 * import { parseTimestamp } from "recokit";
 * parseTimestamp("2010-12-01 08:26:00");                               // 1291191960000
 * parseTimestamp("2010-12-01 08:26:00", { timeZone: "Europe/Paris" }); // 1291188360000 (07:26 UTC)
 * parseTimestamp("2010-12-01T08:26:00-05:00");                         // 1291209960000
 * parseTimestamp(1291191960);                                          // seconds → 1291191960000
 * parseTimestamp(40513.35, { format: "spreadsheet" });                 // 2010-12-01 08:24 UTC
 * parseTimestamp("12/1/2010 8:26", { format: "mdy" });                 // 1291191960000
 * ```
 */
export function parseTimestamp(value: unknown, options: ParseTimestampOptions = {}): number {
  const reader = createTimestampReader("parseTimestamp", options);
  const ms = reader.read(value);
  if (Number.isNaN(ms)) {
    throw new RecokitError(
      "INVALID_INPUT",
      "parseTimestamp",
      `${describeValue(value)} is not a timestamp in format ${options.format ?? "auto"}`,
    );
  }
  return ms;
}
